package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measureServe runs `smart90 serve -dry-run` on the seeded database, waits
// until it has sent every client's prompt, and reads its peak resident
// memory from /proc.
func measureServe(ctx context.Context, c config, dbURL string, out io.Writer) error {
	bin, cleanup, err := serveBinary(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := exec.CommandContext(ctx, bin, "serve", "-dry-run", "-http-addr", "127.0.0.1:0", "-log-level", "warn",
		"-workers", strconv.Itoa(c.Workers), "-send-rate", "1000000")
	cmd.Env = append(os.Environ(), "SMART90_DATABASE_URL="+dbURL, "SMART90_REDIS_URL=")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("serve did not start: %w", err)
	}
	m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("unexpected start-up line %q", line)
	}
	go io.Copy(io.Discard, stdout)
	metricsURL := "http://" + m[1] + "/metrics"
	sentRE := regexp.MustCompile(`(?m)^smart90_deliveries_sent_total\{kind="daily"\} (\d+)`)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sent := 0
		if resp, err := http.Get(metricsURL); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := sentRE.FindSubmatch(b); m != nil {
				sent, _ = strconv.Atoi(string(m[1]))
			}
		}
		if sent >= c.Clients {
			break
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("serve sent %d of %d in 10 minutes", sent, c.Clients)
		}
		time.Sleep(200 * time.Millisecond)
	}
	took := time.Since(start)
	hwm := statusKB(cmd.Process.Pid, "VmHWM")
	rss := statusKB(cmd.Process.Pid, "VmRSS")
	cmd.Process.Signal(syscall.SIGTERM)
	waitErr := cmd.Wait()
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return waitErr
	}
	fmt.Fprintf(out, "## `smart90 serve -dry-run`: %d clients\n\n", c.Clients)
	fmt.Fprintln(out, "| measure | value |")
	fmt.Fprintln(out, "| --- | ---: |")
	fmt.Fprintf(out, "| start to last prompt sent (plan, bot, store; %d workers) | %.1fs (%.0f prompts/s) |\n", c.Workers, took.Seconds(), float64(c.Clients)/took.Seconds())
	fmt.Fprintf(out, "| peak resident memory (VmHWM) | %.1f MB |\n", float64(hwm)/1024)
	fmt.Fprintf(out, "| resident memory when done (VmRSS) | %.1f MB |\n", float64(rss)/1024)
	exit := "clean"
	if waitErr != nil {
		exit = waitErr.Error()
	}
	fmt.Fprintf(out, "| exit after SIGTERM | %s |\n\n", exit)
	return nil
}

// serveBinary returns the smart90 binary to run: -serve, or one built from
// ./cmd/smart90 into a temporary directory that cleanup removes.
func serveBinary(ctx context.Context, c config) (bin string, cleanup func(), err error) {
	if c.Serve != "" {
		return c.Serve, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "smart90-load")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "smart90")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/smart90/smart90/cmd/smart90")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build smart90 (run inside the repository, or pass -serve): %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// statusKB reads a "kB" field of /proc/<pid>/status.
func statusKB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
