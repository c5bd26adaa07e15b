package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/adapters/slack/slacktest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/loadtest"
)

// measureSlack sends signed check-in answers (the check-in modal's
// view_submission) to /slack/events of a running `smart90 serve` on
// PostgreSQL, as fast as c.SlackConc requests in flight allow, and
// reports the rate, the ack latency and whether every answer was stored.
// A fake Slack Web API on loopback takes the replies sent after the acks.
// pgbench's single-row insert rate on the same server is the ceiling.
func measureSlack(ctx context.Context, c config, log *slog.Logger, out io.Writer) error {
	fmt.Fprintf(out, "## Slack: %d signed check-in answers to `/slack/events` (%d in flight, PostgreSQL)\n\n", c.SlackEvents, c.SlackConc)
	db, dbURL, drop, err := openFresh(ctx, c, log, "")
	if err != nil {
		return err
	}
	defer drop()
	// Check-ins due tomorrow: nothing is sent while the answers arrive.
	due := time.Now().UTC().Add(20 * time.Hour).Truncate(time.Minute)
	if err := loadtest.SeedOn(ctx, db, c.SlackEvents, due, bot.PlatformSlack, "T1"); err != nil {
		return err
	}
	// Each client's answer, and their Slack profile as users.info gives
	// it: the name and zone smart90 already stored, as for anyone who
	// used it before (a profile that differed would make every answer a
	// rename too, a write that real check-ins do not make).
	type client struct {
		user, value string
	}
	var clients []client
	profiles := map[string]slacktest.User{}
	now := time.Now()
	rows, _ := db.Pool().Query(ctx, `SELECT p.external_id, p.display_name, e.id, p.time_zone FROM engagements e JOIN people p ON p.id = e.client_id`)
	for rows.Next() {
		var user, name, zone string
		var id int64
		if err := rows.Scan(&user, &name, &id, &zone); err != nil {
			return err
		}
		day := bot.DateOf(now.In(bot.Zone(zone)))
		clients = append(clients, client{user, fmt.Sprintf("daily:%d:%s", id, day)})
		profiles[user] = slacktest.User{ID: user, Name: user, TZ: zone, DisplayName: name}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// The answers are encoded before the clock starts: the load tool
	// shares the CPUs with the server and PostgreSQL, and its own work
	// should take as little of them as it can.
	bodies := make([][]byte, len(clients))
	for i, cl := range clients {
		bodies[i] = []byte(submission(cl.user, cl.value, i))
	}

	api := slacktest.NewServer(slacktest.Options{TeamName: "Load", Forget: true,
		User: func(id string) (slacktest.User, bool) { u, ok := profiles[id]; return u, ok }})
	defer api.Close()

	bin, cleanup, err := serveBinary(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()
	const secret = "load-signing-secret"
	cmd := exec.CommandContext(ctx, bin, "serve", "-http-addr", "127.0.0.1:0", "-log-level", "error")
	cmd.Env = append(os.Environ(), "SMART90_DATABASE_URL="+dbURL+"&pool_max_conns=16", "SMART90_REDIS_URL=",
		"SLACK_BOT_TOKEN=xoxb-load", "SLACK_SIGNING_SECRET="+secret, "SLACK_API_URL="+api.URL, "SLACK_APP_TOKEN=")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("serve did not start: %w", err)
	}
	go io.Copy(io.Discard, stdout)
	m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("unexpected start-up line %q", line)
	}
	events := "http://" + m[1] + "/slack/events"

	transport := &http.Transport{MaxIdleConnsPerHost: c.SlackConc}
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	lat := make([]time.Duration, len(clients))
	var failed atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c.SlackConc {
		wg.Go(func() {
			// Signed when sent, as Slack does (a signature is good for
			// five minutes).
			signer := slacktest.Signer{Secret: secret}
			for i := int(next.Add(1)) - 1; i < len(clients); i = int(next.Add(1)) - 1 {
				req, _ := signer.Request(ctx, events, "application/x-www-form-urlencoded", bodies[i])
				t0 := time.Now()
				resp, err := hc.Do(req)
				lat[i] = time.Since(t0)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	// Replies go out after the acks; give them a moment, then stop.
	deadline := time.Now().Add(30 * time.Second)
	for api.Count("chat.postMessage") < len(clients) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	var stored int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM check_ins WHERE status = 'complete'`).Scan(&stored); err != nil {
		return err
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	rate := float64(len(clients)) / took.Seconds()
	ceiling, err := pgbenchInsert(ctx, c)
	fmt.Fprintln(out, "| measure | value |")
	fmt.Fprintln(out, "| --- | ---: |")
	fmt.Fprintf(out, "| events acknowledged | %d of %d (%d failed) |\n", len(clients)-int(failed.Load()), len(clients), failed.Load())
	fmt.Fprintf(out, "| rate | %.0f events/s (%.2fs) |\n", rate, took.Seconds())
	fmt.Fprintf(out, "| ack latency p50 / p99 / max | %.1f / %.1f / %.1f ms |\n", ms(pct(0.50)), ms(pct(0.99)), ms(lat[len(lat)-1]))
	fmt.Fprintf(out, "| answers stored | %d of %d |\n", stored, len(clients))
	fmt.Fprintf(out, "| confirmations sent after the ack | %d |\n", api.Count("chat.postMessage"))
	if err != nil {
		fmt.Fprintf(out, "| pgbench single-row insert ceiling | not measured: %v |\n\n", err)
	} else {
		fmt.Fprintf(out, "| pgbench single-row insert ceiling (%d clients) | %.0f inserts/s; events at %.0f%% of it |\n\n", c.SlackConc, ceiling, 100*rate/ceiling)
	}
	if stored != len(clients) {
		return fmt.Errorf("%d of %d answers stored", stored, len(clients))
	}
	return nil
}

// submission is the check-in modal's view_submission, form-encoded as
// Slack posts it.
func submission(user, value string, i int) string {
	state := map[string]any{"values": map[string]any{
		"moved":    map[string]any{"moved": map[string]any{"type": "plain_text_input", "value": "moved " + strconv.Itoa(i)}},
		"priority": map[string]any{"priority": map[string]any{"type": "plain_text_input", "value": "the priority"}},
		"stuck":    map[string]any{"stuck": map[string]any{"type": "plain_text_input", "value": "no"}},
		"energy":   map[string]any{"energy": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "4"}}},
	}}
	b, _ := json.Marshal(map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": user, "name": user, "team_id": "T1"},
		"view": map[string]any{"callback_id": bot.FormCheckin, "private_metadata": value, "state": state}})
	return url.Values{"payload": {string(b)}}.Encode()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// pgbenchInsert measures single-row inserts per second on the same
// server with pgbench, as many clients as the Slack run had in flight.
func pgbenchInsert(ctx context.Context, c config) (float64, error) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		return 0, fmt.Errorf("pgbench is not installed")
	}
	conn, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	table := "smart90_load_insert_" + loadtest.RandomHex(4)
	if _, err := conn.Exec(ctx, "CREATE TABLE "+table+" (id bigserial PRIMARY KEY, a bigint NOT NULL, b text NOT NULL, at timestamptz NOT NULL DEFAULT now())"); err != nil {
		return 0, err
	}
	defer conn.Exec(context.Background(), "DROP TABLE "+table)
	dir, err := os.MkdirTemp("", "pgbench")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "insert.sql")
	os.WriteFile(script, []byte("INSERT INTO "+table+" (a, b) VALUES (:client_id, 'answer');\n"), 0o600)
	outb, err := exec.CommandContext(ctx, "pgbench", "-n", "-c", strconv.Itoa(c.SlackConc), "-j", "2", "-T", strconv.Itoa(max(1, int(c.PgbenchTime.Seconds()))), "-f", script, c.DatabaseURL).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v: %s", err, outb)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(outb)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps: %s", outb)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
