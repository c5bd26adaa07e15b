// The replicas: `smart90 serve` processes of the real binary, started,
// killed and stopped by the run.

package faults

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// cleanEnv is this process's environment without smart90's, Slack's and
// Teams' settings, so that only what the run sets reaches the replicas.
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "SMART90_") || strings.HasPrefix(kv, "SLACK_") || strings.HasPrefix(kv, "MICROSOFT_")
	})
}

// replica is one running `smart90 serve`.
type replica struct {
	cmd    *exec.Cmd
	addr   string
	log    *os.File
	done   chan struct{}
	waited error
	killed atomic.Bool
}

var listening = regexp.MustCompile(`listening on (\S+)`)

func startReplica(bin string, args, env []string, logPath string) (*replica, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	r := &replica{cmd: cmd, log: logf, done: make(chan struct{})}
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		l, _ := br.ReadString('\n')
		line <- l
		io.Copy(io.Discard, br)
		r.waited = cmd.Wait()
		logf.Close()
		close(r.done)
	}()
	select {
	case l := <-line:
		m := listening.FindStringSubmatch(l)
		if m == nil {
			r.stop()
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("did not start (%q): %s", l, tail(string(b), 20))
		}
		r.addr = m[1]
		return r, nil
	case <-time.After(time.Minute):
		r.stop()
		return nil, errors.New("did not start within a minute")
	}
}

func (r *replica) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

func (r *replica) err() error {
	<-r.done
	return r.waited
}

// kill is kill -9.
func (r *replica) kill() {
	r.killed.Store(true)
	r.cmd.Process.Kill()
	<-r.done
}

// stop stops the replica gracefully, or kills it after 15 s.
func (r *replica) stop() {
	if r.exited() {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
