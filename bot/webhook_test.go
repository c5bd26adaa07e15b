package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// hookReceived is one request a receiver got.
type hookReceived struct {
	ID, Type  string
	Timestamp string
	Body      []byte
	VerifyErr error // the library's verification of its signature
}

// hookReceiver is a webhook receiver on loopback: it verifies every
// request's signature with the Standard Webhooks library and answers
// the queued status codes (204 once they run out).
type hookReceiver struct {
	srv *httptest.Server

	mu      sync.Mutex
	secret  string
	strict  bool // Verify (timestamp within 5 minutes of the wall clock) rather than VerifyIgnoringTimestamp
	codes   []int
	headers map[string]string // set on every non-2xx answer
	got     []hookReceived
}

func newHookReceiver(t testing.TB) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		var payload struct{ Type string }
		_ = json.Unmarshal(body, &payload)
		got := hookReceived{ID: r.Header.Get("webhook-id"), Type: payload.Type, Timestamp: r.Header.Get("webhook-timestamp"), Body: body}
		wh, err := standardwebhooks.NewWebhook(rc.secret)
		if err == nil {
			if rc.strict {
				err = wh.Verify(body, r.Header)
			} else {
				err = wh.VerifyIgnoringTimestamp(body, r.Header)
			}
		}
		got.VerifyErr = err
		rc.got = append(rc.got, got)
		code := http.StatusNoContent
		if len(rc.codes) > 0 {
			code, rc.codes = rc.codes[0], rc.codes[1:]
		}
		if code >= 300 {
			for k, v := range rc.headers {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// answer queues status codes for the next requests.
func (rc *hookReceiver) answer(codes ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.codes = append(rc.codes, codes...)
}

// received returns the requests so far.
func (rc *hookReceiver) received() []hookReceived {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookReceived(nil), rc.got...)
}

var secretRE = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

// addHook has coach add a webhook at url and returns its secret.
func addHook(t testing.TB, b *bottest.Bundle, url string) string {
	t.Helper()
	out := b.Command(t, coach, "webhook add "+url)
	has(t, out, "Added webhook", "shown only now")
	secret := secretRE.FindString(bottest.Text(out...))
	if secret == "" {
		t.Fatalf("no secret in the reply to webhook add:\n%s", bottest.Text(out...))
	}
	return secret
}

// hookSetup is a bundle on o whose coach has a webhook at a receiver on
// loopback (the operator allows private targets), and a sender with no
// jitter.
func hookSetup(t testing.TB, o bottest.Options) (*bottest.Bundle, *hookReceiver, *bot.WebhookSender) {
	t.Helper()
	o.WebhookAllowPrivate = true
	b := bottest.SetupWith(t, o)
	b.Command(t, coach, "coach")
	rc := newHookReceiver(t)
	rc.secret = addHook(t, b, rc.srv.URL+"/hook?token=s3cret")
	s := &bot.WebhookSender{Bot: b.Bot, AllowPrivate: true, Jitter: func(time.Duration) time.Duration { return 0 }}
	return b, rc, s
}

// drain runs s until it finds nothing due.
func drain(t testing.TB, s *bot.WebhookSender) int {
	t.Helper()
	total := 0
	for range 100 {
		n, err := s.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("RunOnce: %v", err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("the sender never ran dry")
	return 0
}

// fakeResolver answers every name with its addresses.
type fakeResolver []netip.Addr

func (f fakeResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return f, nil
}

// TestWebhookAddRefusals checks every refusal of `webhook add`: SSRF
// targets, plain http, a channel, a client, bad events, the limit; and
// that nothing is stored for one.
func TestWebhookAddRefusals(t *testing.T) {
	t.Parallel()
	b := bottest.SetupWith(t, bottest.Options{})
	b.Engage(t, coach, ana)
	for _, tc := range []struct{ url, want string }{
		{"https://127.0.0.1/hook", "not on the public internet"},
		{"https://10.1.2.3/hook", "not on the public internet"},
		{"https://169.254.169.254/latest/meta-data", "not on the public internet"},
		{"https://[::1]:8443/hook", "not on the public internet"},
		{"https://[fd00::1]/hook", "not on the public internet"},
		{"https://100.64.0.1/hook", "not on the public internet"},
		{"https://localhost:8443/hook", "not on the public internet"}, // a name that resolves to loopback
		{"https://0.1.2.3:6379/", "not on the public internet"},       // Linux connects 0/8 to this host
		{"https://[::ffff:127.0.0.1]/hook", "not on the public internet"},
		{"https://[::7f00:1]/hook", "not on the public internet"},
		{"https://user:pw@10.0.0.1/hook", "not on the public internet"},
		{"https://[fe80::1%25eth0]/hook", "not on the public internet"},
		{"https://93.184.215.14:99999/hook", "port 99999"},
		{"https://93.184.215.14:0/hook", "port 0"},
		{"http://hooks.example.com/hook", "must start with https://"},
		{"ftp://hooks.example.com/hook", "must start with https://"},
		{"hooks.example.com/hook", "not a web address"},
		{"https://93.184.215.14/hook rock.eaten", `"rock.eaten" is not an event`},
		{"https://93.184.215.14/" + strings.Repeat("a", bot.MaxWebhookURLLen), "the limit is 2000"},
	} {
		out := b.Command(t, coach, "webhook add "+tc.url)
		has(t, out, tc.want)
		lacks(t, out, "Added webhook", "whsec_")
	}
	// Numbers that a C resolver reads as 127.0.0.1 (decimal, octal, hex,
	// short forms) are names to Go's: refused either way.
	for _, u := range []string{"https://2130706433/", "https://017700000001/", "https://0x7f000001/", "https://0177.0.0.1/", "https://127.1/"} {
		lacks(t, b.Command(t, coach, "webhook add "+u), "Added webhook", "whsec_")
	}
	// A host whose DNS answer is private.
	priv := bottest.SetupWith(t, bottest.Options{WebhookResolver: fakeResolver{netip.MustParseAddr("10.0.0.7")}})
	priv.Command(t, coach, "coach")
	has(t, priv.Command(t, coach, "webhook add https://hooks.example.com/in"), "resolves to 10.0.0.7", "not on the public internet")

	// Typed in a channel: refused, with advice to rotate the token.
	out := b.Handle(t, coach, bot.Event{Kind: bot.EventCommand, Text: "webhook add https://93.184.215.14/hook", Channel: "C1"})
	has(t, out, "I did not add it", "Rotate that token")
	// A client gets the coach-only reply.
	has(t, b.Command(t, ana, "webhook add https://93.184.215.14/hook"), "`webhook` is for coaches")
	has(t, b.Command(t, ana, "webhooks"), "`webhooks` is for coaches")
	if ws, err := b.Store.Webhooks(context.Background(), b.Person(t, coach).ID); err != nil || len(ws) != 0 {
		t.Fatalf("after refusals the coach has %d webhooks (%v), want none", len(ws), err)
	}

	// A public address is taken, up to the limit.
	for i := range bot.MaxWebhooks {
		addHook(t, b, "https://93.184.215.14/hook"+strconv.Itoa(i))
	}
	has(t, b.Command(t, coach, "webhook add https://93.184.215.14/one-more"), "the most a coach can have")
	list := b.Command(t, coach, "webhooks")
	has(t, list, "1. 93.184.215.14 — checkin.completed, weekly.completed, rock.changed, client.at_risk, cycle.started", "active")
	lacks(t, list, "/hook", "whsec_") // host only, never the address or the secret
}

// TestWebhookDeliveredSigned: `webhook test` is delivered once, signed
// so that the library's Verify (timestamp checked) accepts it, with the
// Standard Webhooks payload.
func TestWebhookDeliveredSigned(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{Clock: bottest.NewClock(time.Now().UTC().Truncate(time.Second))})
	rc.strict = true
	has(t, b.Command(t, coach, "webhook test 1"), "Sending a `webhook.test` event to webhook 1 (127.0.0.1)")
	if n := drain(t, s); n != 1 {
		t.Errorf("sent %d deliveries, want 1", n)
	}
	got := rc.received()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	if got[0].VerifyErr != nil {
		t.Errorf("the library's Verify refused the request: %v", got[0].VerifyErr)
	}
	if got[0].Timestamp != strconv.FormatInt(b.Clock.Now().Unix(), 10) || !strings.HasPrefix(got[0].ID, "webhook.test:") {
		t.Errorf("headers: id %q, timestamp %q", got[0].ID, got[0].Timestamp)
	}
	var p struct {
		Type      string
		Timestamp string
		Data      map[string]any
	}
	if err := json.Unmarshal(got[0].Body, &p); err != nil || p.Type != bot.WebhookTest || p.Timestamp == "" || p.Data["webhook"] != 1.0 {
		t.Errorf("payload %s (%v)", got[0].Body, err)
	}
	has(t, b.Command(t, coach, "webhooks"), "last delivery", ": ok")
}

// TestWebhookRetries: failures are tried again after 30s, 60s, 120s…
// (Retry-After when longer: 10 minutes after the 429), then delivered once; the injected clock
// moves, nothing sleeps.
func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	rc.answer(500, 502, http.StatusTooManyRequests, 500)
	rc.headers = map[string]string{"Retry-After": "600"}
	b.Command(t, coach, "webhook test 1")
	waits := []time.Duration{30 * time.Second, time.Minute, 10 * time.Minute, 4 * time.Minute}
	if n := drain(t, s); n != 1 {
		t.Fatalf("first run sent %d, want 1", n)
	}
	for i, wait := range waits {
		b.Clock.Advance(wait - time.Second)
		if n := drain(t, s); n != 0 {
			t.Errorf("retry %d went %v early", i+1, time.Second)
		}
		b.Clock.Advance(time.Second)
		if n := drain(t, s); n != 1 {
			t.Errorf("retry %d: sent %d after %v, want 1", i+1, n, wait)
		}
	}
	b.Clock.Advance(24 * time.Hour)
	if n := drain(t, s); n != 0 {
		t.Errorf("after delivery %d more were sent", n)
	}
	got := rc.received()
	if len(got) != 5 {
		t.Fatalf("receiver got %d requests, want 5 (4 failures, 1 success)", len(got))
	}
	for _, g := range got {
		if g.ID != got[0].ID || g.VerifyErr != nil {
			t.Errorf("request %s (verify %v), want every try with id %s and a good signature", g.ID, g.VerifyErr, got[0].ID)
		}
	}
	has(t, b.Command(t, coach, "webhooks"), "active", ": ok")
}

// TestWebhookDisabledAfterThreeDays: a receiver failing for 3 days has
// its webhook turned off and the coach told once; nothing more is sent
// until `webhook enable`.
func TestWebhookDisabledAfterThreeDays(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	rc.answer(slicesRepeat(500, 200)...)
	b.Command(t, coach, "webhook test 1")
	dmsBefore := len(b.Messenger.SentTo("coach"))
	start := b.Clock.Now()
	for b.Clock.Now().Sub(start) <= bot.WebhookGiveUp+time.Hour {
		drain(t, s)
		b.Clock.Advance(time.Hour)
	}
	tries := len(rc.received())
	// 30s, 1m … 32m, then hourly: about 3 days' worth, not more.
	if tries < 70 || tries > 80 {
		t.Errorf("%d tries in 3 days, want about 78", tries)
	}
	var told []string
	for _, m := range b.Messenger.SentTo("coach")[dmsBefore:] {
		told = append(told, m.Msg.Text)
	}
	if len(told) != 1 {
		t.Fatalf("the coach got %d messages, want exactly 1: %q", len(told), told)
	}
	for _, want := range []string{"I turned off your webhook 1 (127.0.0.1)", "failing for 3 days", "answered 500", "`webhook enable 1`"} {
		if !strings.Contains(told[0], want) {
			t.Errorf("the coach's message lacks %q: %s", want, told[0])
		}
	}
	if strings.Contains(told[0], "s3cret") || strings.Contains(told[0], "/hook") {
		t.Errorf("the coach's message shows the address: %s", told[0])
	}
	has(t, b.Command(t, coach, "webhooks"), "turned off since", "failing for 3 days")
	has(t, b.Command(t, coach, "webhook test 1"), "is turned off")
	b.Clock.Advance(24 * time.Hour)
	drain(t, s)
	if n := len(rc.received()); n != tries {
		t.Errorf("%d requests after the webhook was turned off", n-tries)
	}
	has(t, b.Command(t, coach, "webhook enable 1"), "is on again")
	rc.mu.Lock()
	rc.codes = nil
	rc.mu.Unlock()
	b.Command(t, coach, "webhook test 1")
	if n := drain(t, s); n != 1 {
		t.Errorf("after enable: %d sent, want the new test", n)
	}
	if len(b.Messenger.SentTo("coach"))-dmsBefore != 1 {
		t.Error("the coach was told again")
	}
}

func slicesRepeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestWebhookGoneDisablesAtOnce: 410 Gone turns the webhook off on the
// first answer.
func TestWebhookGoneDisablesAtOnce(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	rc.answer(http.StatusGone)
	b.Command(t, coach, "webhook test 1")
	b.Command(t, coach, "webhook test 1") // a second event, same instant: one id
	drain(t, s)
	if n := len(rc.received()); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
	has(t, []bot.Message{lastTo(t, b, "coach")}, "I turned off your webhook 1", "410 Gone")
	has(t, b.Command(t, coach, "webhook test 1"), "is turned off")
}

// TestWebhookRedirectNotFollowed: a 3xx is a failure, not followed.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	rc.answer(http.StatusFound)
	rc.headers = map[string]string{"Location": rc.srv.URL + "/elsewhere"}
	b.Command(t, coach, "webhook test 1")
	drain(t, s)
	if n := len(rc.received()); n != 1 {
		t.Errorf("receiver got %d requests, want 1 (the redirect not followed)", n)
	}
	has(t, b.Command(t, coach, "webhooks"), "answered 302 Found (redirects are not followed")
}

// TestWebhookRefusedAtDial: a host that resolved to a public address at
// `webhook add` and to loopback when sending is refused when connecting.
func TestWebhookRefusedAtDial(t *testing.T) {
	t.Parallel()
	b := bottest.SetupWith(t, bottest.Options{WebhookResolver: fakeResolver{netip.MustParseAddr("93.184.215.14")}})
	b.Command(t, coach, "coach")
	var hits int
	var mu sync.Mutex
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { mu.Lock(); hits++; mu.Unlock() }))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	addHook(t, b, "https://localhost:"+port+"/hook")
	b.Command(t, coach, "webhook test 1")
	s := &bot.WebhookSender{Bot: b.Bot} // the operator allows nothing private
	drain(t, s)
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("the loopback receiver got %d requests", hits)
	}
	has(t, b.Command(t, coach, "webhooks"), "refused: the address is not on the public internet")
}

// TestWebhookRemovedGetsNothing: a removed webhook's queued events are
// not sent.
func TestWebhookRemovedGetsNothing(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	b.Command(t, coach, "webhook test 1")
	has(t, b.Command(t, coach, "webhook remove 1"), "Removed webhook 1 (127.0.0.1)")
	if n := drain(t, s); n != 0 || len(rc.received()) != 0 {
		t.Errorf("sent %d, received %d after removal", n, len(rc.received()))
	}
	has(t, b.Command(t, coach, "webhooks"), "You have no webhooks")
	has(t, b.Command(t, coach, "webhook remove 1"), "You have no webhook 1")
}

// TestWebhookEventsFromTheFlows: each event type comes from the real
// flows, once, with the person's words as JSON strings; a forgotten
// client's queued events are not sent.
func TestWebhookEventsFromTheFlows(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	e := b.Engage(t, coach, ana)                                 // cycle.started
	b.Clock.Advance(time.Minute)                                 //
	b.Command(t, ana, "rocks add Launch <@U1> the pricing page") // rock.changed (created)
	b.Command(t, ana, "rocks add Hire a CTO")                    // rock.changed
	answer(t, b, mon23, `shipped "the draft" <b>`, "legal", "4") // checkin.completed
	// The same form again at the same instant: the same event.
	f := lastTo(t, b, "ana").Form
	b.Submit(t, ana, f.FormID, f.Value, map[string]string{"moved": `shipped "the draft" <b>`, "priority": "focus " + mon23.String(), "stuck": "legal", "energy": "4"})
	fridayPrompt(t, b)
	for _, a := range []string{"on track 40", "off track 10", "a win", "nothing", "candidate sources"} {
		b.Say(t, ana, a) // weekly.completed, and rock.changed ×2
	}
	b.Engage(t, coach, bob) // cycle.started
	b.Clock.Set(bottest.Day("2026-11-30", "07:00", "Europe/London"))
	for range 2 { // a digest sent twice marks Bob at risk once
		if _, err := b.Bot.SendDigest(context.Background(), b.Person(t, coach), mon23); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, s)
	count := map[string]int{}
	ids := map[string]bool{}
	for _, g := range rc.received() {
		count[g.Type]++
		if ids[g.ID] {
			t.Errorf("event %s received twice", g.ID)
		}
		ids[g.ID] = true
		if g.VerifyErr != nil {
			t.Errorf("event %s: %v", g.ID, g.VerifyErr)
		}
		if g.Type == bot.WebhookCheckInCompleted {
			var p struct {
				Data struct {
					Client       struct{ Name string }
					EngagementID int64 `json:"engagement_id"`
					Moved        string
					Energy       int
				}
			}
			if err := json.Unmarshal(g.Body, &p); err != nil || p.Data.Moved != `shipped "the draft" <b>` || p.Data.Client.Name != "Ana" ||
				p.Data.EngagementID != e.ID || p.Data.Energy != 4 {
				t.Errorf("check-in payload %s (%v)", g.Body, err)
			}
			sameKeys(t, "docs/webhooks.md's example", docExample(t), g.Body)
		}
	}
	want := map[string]int{bot.WebhookCycleStarted: 2, bot.WebhookRockChanged: 4, bot.WebhookCheckInCompleted: 1,
		bot.WebhookWeeklyCompleted: 1, bot.WebhookClientAtRisk: 1}
	for typ, n := range want {
		if count[typ] != n {
			t.Errorf("%s received %d times, want %d (all: %v)", typ, count[typ], n, count)
		}
	}

	// Ana answers again, then forgets herself before it is sent.
	before := len(rc.received())
	answer(t, b, tue24, "called Sam", "no", "3")
	out := b.Command(t, ana, "forget-me")
	confirm := button(t, out[0], bot.ActionForgetConfirm)
	b.Click(t, ana, confirm.ActionID, confirm.Value)
	drain(t, s)
	for _, g := range rc.received()[before:] {
		if strings.Contains(string(g.Body), "Ana") || strings.Contains(string(g.Body), "called Sam") {
			t.Errorf("an event about a forgotten client was sent: %s", g.Body)
		}
	}
}

// docExample returns the first JSON block of docs/webhooks.md: the
// example payload.
func docExample(t testing.TB) []byte {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/webhooks.md has no JSON block")
	}
	return []byte(block)
}

// sameKeys fails unless the JSON objects doc and real have the same keys
// at every level, and the same type field.
func sameKeys(t testing.TB, what string, doc, real []byte) {
	t.Helper()
	var d, r map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal(real, &r); err != nil {
		t.Fatal(err)
	}
	var keys func(prefix string, m map[string]any, out map[string]bool)
	keys = func(prefix string, m map[string]any, out map[string]bool) {
		for k, v := range m {
			out[prefix+k] = true
			if sub, ok := v.(map[string]any); ok {
				keys(prefix+k+".", sub, out)
			}
		}
	}
	dk, rk := map[string]bool{}, map[string]bool{}
	keys("", d, dk)
	keys("", r, rk)
	for k := range rk {
		if !dk[k] {
			t.Errorf("%s lacks %s", what, k)
		}
	}
	for k := range dk {
		if !rk[k] {
			t.Errorf("%s has %s, which a real payload lacks", what, k)
		}
	}
	if d["type"] != r["type"] {
		t.Errorf("%s is a %v, the real one a %v", what, d["type"], r["type"])
	}
}

// TestWebhookRetryJitter: the default jitter adds at most a tenth to a
// wait: a first retry comes between 30 and 33 seconds after the failure.
func TestWebhookRetryJitter(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	s.Jitter = nil
	rc.answer(500)
	b.Command(t, coach, "webhook test 1")
	drain(t, s)
	b.Clock.Advance(30*time.Second - time.Millisecond)
	if n := drain(t, s); n != 0 {
		t.Error("retried before 30s")
	}
	b.Clock.Advance(3*time.Second + 2*time.Millisecond)
	if n := drain(t, s); n != 1 {
		t.Errorf("not retried by 33s: %d sent", n)
	}
}

// TestWebhookCycleTwoStarts: the first daily prompt of cycle 2 tells
// the webhooks the cycle started, once.
func TestWebhookCycleTwoStarts(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	e := b.Engage(t, coach, ana)
	c2 := e.CycleN(2)
	for i := range 3 { // its first three workdays' prompts
		day := c2.Start.AddDays(i)
		b.Clock.Set(bottest.Day(day.String(), "09:00", "Europe/Paris"))
		b.Prompt(t, ana, bot.DeliveryDaily, day)
	}
	drain(t, s)
	var cycles []string
	for _, g := range rc.received() {
		if g.Type == bot.WebhookCycleStarted {
			cycles = append(cycles, string(g.Body))
		}
	}
	slices.Sort(cycles) // received in any order
	if len(cycles) != 2 || !strings.Contains(cycles[0], `"cycle":1,`) || !strings.Contains(cycles[1], `"cycle":2,`) ||
		!strings.Contains(cycles[1], `"start":"`+c2.Start.String()+`"`) {
		t.Errorf("cycle.started events: %q, want cycle 1's and cycle 2's", cycles)
	}
}

// TestWebhookCycleAddedDuringFirstWeek: a coach without a webhook when
// cycle 2's first prompt goes (remembered for a minute, so the week's
// other prompts ask the store nothing) who adds one later that week gets
// the cycle's start from the next prompt.
func TestWebhookCycleAddedDuringFirstWeek(t *testing.T) {
	t.Parallel()
	b := bottest.SetupWith(t, bottest.Options{WebhookAllowPrivate: true})
	e := b.Engage(t, coach, ana)
	c2 := e.CycleN(2)
	prompt := func(i int, at string) {
		day := c2.Start.AddDays(i)
		b.Clock.Set(bottest.Day(day.String(), at, "Europe/Paris"))
		b.Prompt(t, ana, bot.DeliveryDaily, day)
	}
	prompt(0, "09:00") // no webhook yet
	rc := newHookReceiver(t)
	rc.secret = addHook(t, b, rc.srv.URL+"/hook")
	prompt(1, "09:00")
	s := &bot.WebhookSender{Bot: b.Bot, AllowPrivate: true, Jitter: func(time.Duration) time.Duration { return 0 }}
	drain(t, s)
	var cycles []string
	for _, g := range rc.received() {
		if g.Type == bot.WebhookCycleStarted {
			cycles = append(cycles, string(g.Body))
		}
	}
	if len(cycles) != 1 || !strings.Contains(cycles[0], `"cycle":2,`) {
		t.Errorf("cycle.started events: %q, want cycle 2's once", cycles)
	}
}

// TestWebhookClockJumpDoesNotDisable: two failures three days apart, with
// no try between them (smart90 was down, or the clock jumped), are not
// three days of failures: the webhook stays on, and the run of failures
// counts from the try after the gap.
func TestWebhookClockJumpDoesNotDisable(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	rc.answer(500, 500, 500)
	b.Command(t, coach, "webhook test 1")
	dmsBefore := len(b.Messenger.SentTo("coach"))
	if n := drain(t, s); n != 1 {
		t.Fatalf("first run sent %d, want 1", n)
	}
	b.Clock.Advance(bot.WebhookGiveUp + time.Hour)
	if n := drain(t, s); n != 1 {
		t.Fatalf("after the jump: sent %d, want the retry", n)
	}
	if n := len(b.Messenger.SentTo("coach")) - dmsBefore; n != 0 {
		t.Errorf("the coach was told %d times after two failures", n)
	}
	has(t, b.Command(t, coach, "webhooks"), "active")
	// It goes on being tried, and is delivered once the receiver answers.
	b.Clock.Advance(bot.WebhookMaxRetry)
	drain(t, s)
	b.Clock.Advance(bot.WebhookMaxRetry)
	if n := drain(t, s); n != 1 {
		t.Errorf("the retry after: sent %d, want 1", n)
	}
	has(t, b.Command(t, coach, "webhooks"), "active", ": ok")
}

// TestWebhookShutdownKeepsOutcome: serve stopping (its context cancelled)
// while a request is under way lets that request finish and records its
// outcome, so the event is not sent again when the lease runs out; a
// delivery not started yet is left for the next claim.
func TestWebhookShutdownKeepsOutcome(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopping := make(chan struct{})
	rc.srv.Config.Handler = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel() // serve stops while the receiver works
			<-stopping
			next.ServeHTTP(w, r)
		})
	}(rc.srv.Config.Handler)
	b.Command(t, coach, "webhook test 1")
	go func() {
		<-ctx.Done()
		close(stopping)
	}()
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce while stopping: %v", err)
	}
	b.Clock.Advance(bot.WebhookLease + time.Minute)
	if n := drain(t, s); n != 0 {
		t.Errorf("after the stop, %d sent again", n)
	}
	if n := len(rc.received()); n != 1 {
		t.Errorf("the receiver got %d requests, want 1", n)
	}
	has(t, b.Command(t, coach, "webhooks"), ": ok")
}

// TestWebhookRemovedWhileLeased: a webhook removed while its delivery is
// under way loses the outcome quietly: no error, no message to the coach
// (a 410 would turn a webhook off and say so), nothing sent again.
func TestWebhookRemovedWhileLeased(t *testing.T) {
	t.Parallel()
	b, rc, s := hookSetup(t, bottest.Options{})
	rc.srv.Config.Handler = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			has(t, b.Command(t, coach, "webhook remove 1"), "Removed webhook 1")
			next.ServeHTTP(w, r)
		})
	}(rc.srv.Config.Handler)
	rc.answer(http.StatusGone)
	b.Command(t, coach, "webhook test 1")
	dmsBefore := len(b.Messenger.SentTo("coach"))
	if _, err := s.RunOnce(context.Background()); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n := len(b.Messenger.SentTo("coach")) - dmsBefore; n != 0 {
		t.Errorf("the coach was told %d times about a webhook they removed", n)
	}
	b.Clock.Advance(bot.WebhookLease + time.Hour)
	if n := drain(t, s); n != 0 || len(rc.received()) != 1 {
		t.Errorf("after removal: %d sent, %d received, want 0 and 1", n, len(rc.received()))
	}
	has(t, b.Command(t, coach, "webhooks"), "You have no webhooks")
}
