package faults

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/adapters/slack/slacktest"
)

// SlackFault is how the fake Slack answers chat.postMessage.
type SlackFault int32

const (
	// SlackOK answers every call.
	SlackOK SlackFault = iota
	// Slack429Half answers every second chat.postMessage with 429 and
	// Retry-After: 1, as Slack's rate limiter does, without posting it.
	Slack429Half
	// Slack5xx answers every chat.postMessage with 503 without posting it.
	Slack5xx
	// SlackHang never answers chat.postMessage: the call hangs until the
	// caller gives up, and nothing is posted.
	SlackHang
)

// Team is the workspace the fake Slack's bot token belongs to.
const Team = "T1"

// SlackFake is a Slack Web API on loopback for smart90 serve
// (slacktest.Server): auth.test, users.info, conversations.open (the DM
// with user U is channel DU), chat.postMessage, which it records per
// channel with each message's metadata, and conversations.history, which
// shows them. It counts the daily prompts each channel got, and its fault
// is switched at run time (SetFault). It is safe for concurrent use.
type SlackFake struct {
	api   *slacktest.Server
	fault atomic.Int32
	calls atomic.Int64 // chat.postMessage calls while faulty, to pick every second one

	mu      sync.Mutex
	prompts map[string]int // channel → daily prompts posted
	first   time.Time      // first prompt posted
	last    time.Time      // last channel's first prompt posted
	changed chan struct{}  // closed and replaced on every prompt
}

// promptRE recognises the daily check-in prompt ("*Cycle 1 · day 3 of
// 90* · …"), as opposed to the replies to answers posted in the same DM.
var promptRE = regexp.MustCompile(`\*Cycle \d+ · day \d+ of \d+\*`)

// NewSlackFake starts a fake Slack that knows the given users (id →
// display name); Close stops it.
func NewSlackFake(users map[string]string) *SlackFake {
	f := &SlackFake{prompts: map[string]int{}, changed: make(chan struct{})}
	f.api = slacktest.NewServer(slacktest.Options{
		TeamID: Team, TeamName: "Faults",
		// The name and zone smart90 stored, so an answer is not also a
		// rename.
		User: func(id string) (slacktest.User, bool) {
			name, ok := users[id]
			return slacktest.User{ID: id, Name: id, DisplayName: name, TZ: "UTC"}, ok
		},
		// A real time stamp, so that conversations.history's oldest works.
		Now:    time.Now,
		OnPost: f.posted,
		Forget: true, // a run makes hundreds of thousands of calls
	})
	f.api.Handle("chat.postMessage", f.postMessage)
	return f
}

// URL is the Web API base, for SLACK_API_URL.
func (f *SlackFake) URL() string { return f.api.URL }

// Close stops the server; calls still hanging are cut.
func (f *SlackFake) Close() { f.api.Close() }

// SetFault switches how chat.postMessage is answered from now on.
func (f *SlackFake) SetFault(s SlackFault) { f.fault.Store(int32(s)) }

// Prompts returns how many daily prompts each DM channel got.
func (f *SlackFake) Prompts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.prompts))
	for k, v := range f.prompts {
		out[k] = v
	}
	return out
}

// Progress returns how many channels got at least one prompt, when the
// first prompt and the last channel's first prompt arrived, and a channel
// closed at the next prompt.
func (f *SlackFake) Progress() (channels int, first, last time.Time, next <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.prompts), f.first, f.last, f.changed
}

// postMessage answers chat.postMessage with the fault, or posts.
func (f *SlackFake) postMessage(w http.ResponseWriter, r *http.Request) {
	switch SlackFault(f.fault.Load()) {
	case Slack429Half:
		if f.calls.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
	case Slack5xx:
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"ok":false,"error":"service_unavailable"}`)
		return
	case SlackHang:
		<-r.Context().Done()
		return
	}
	f.api.Default(w, r)
}

// posted counts a message the fake accepted when it is a daily prompt.
func (f *SlackFake) posted(p slacktest.Post) {
	if !promptRE.MatchString(cmp.Or(p.Text, p.Blocks)) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if f.first.IsZero() {
		f.first = now
	}
	if f.prompts[p.Channel] == 0 {
		f.last = now
	}
	f.prompts[p.Channel]++
	close(f.changed)
	f.changed = make(chan struct{})
}

// eventSender delivers Events API callbacks to smart90 as Slack does:
// signed with the signing secret, to any replica behind the "load
// balancer", and, when one is not acknowledged with a 2xx within three
// seconds, retried with the same event id up to three times.
type eventSender struct {
	secret  string
	targets func() []string // the replicas' /slack/events URLs
	retries []time.Duration // delay before each retry (Slack: at once, 1 min, 5 min)
	client  *http.Client
	next    atomic.Int64
	seq     atomic.Int64
	// loseAcks, while set, makes every second event's first
	// acknowledgement count as lost on its way back to Slack, which then
	// sees a timeout and retries: so the same event id arrives twice while
	// a fault lasts, as it does when a network or a load balancer drops a
	// response.
	loseAcks atomic.Bool
}

// slackAckTimeout is how long Slack waits for an acknowledgement.
const slackAckTimeout = 3 * time.Second

func newEventSender(secret string, targets func() []string, retries []time.Duration) *eventSender {
	return &eventSender{secret: secret, targets: targets, retries: retries,
		client: &http.Client{Timeout: slackAckTimeout}}
}

// delivery is what became of one event.
type delivery struct {
	acked    bool
	attempts int
	statuses []string // each attempt's status code or error, for the report
}

// message sends user's direct message text as one message.im event and
// reports whether an attempt was acknowledged.
func (s *eventSender) message(ctx context.Context, user, text string) delivery {
	n := s.seq.Add(1)
	now := time.Now()
	ts := fmt.Sprintf("%d.%06d", now.Unix(), n%1000000)
	body, _ := json.Marshal(map[string]any{
		"token": "unused", "team_id": Team, "api_app_id": "AFAULTS", "type": "event_callback",
		"event_id": fmt.Sprintf("Ev%s%08d", strings.ToUpper(strconv.FormatInt(now.UnixNano(), 36)), n), "event_time": now.Unix(),
		"event": map[string]any{"type": "message", "channel": "D" + user, "channel_type": "im", "user": user,
			"text": text, "ts": ts, "event_ts": ts},
	})
	var d delivery
	reason := ""
	lose := s.loseAcks.Load() && n%2 == 0
	for try := 0; try <= len(s.retries); try++ {
		if try > 0 {
			select {
			case <-ctx.Done():
				return d
			case <-time.After(s.retries[try-1]):
			}
		}
		d.attempts++
		code, err := s.post(ctx, body, try, reason)
		switch {
		case err == nil && code/100 == 2 && lose && try == 0:
			d.statuses = append(d.statuses, strconv.Itoa(code)+" (lost)")
			reason = "http_timeout"
		case err == nil && code/100 == 2:
			d.statuses = append(d.statuses, strconv.Itoa(code))
			d.acked = true
			return d
		case err == nil:
			d.statuses = append(d.statuses, strconv.Itoa(code))
			reason = "http_error"
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			d.statuses = append(d.statuses, "timeout")
			reason = "http_timeout"
		default:
			d.statuses = append(d.statuses, "unreachable")
			reason = "connection_failed"
		}
	}
	return d
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// post makes one attempt, to the next replica in turn.
func (s *eventSender) post(ctx context.Context, body []byte, retry int, reason string) (int, error) {
	targets := s.targets()
	if len(targets) == 0 {
		return 0, errors.New("no replica")
	}
	url := targets[int(s.next.Add(1))%len(targets)]
	req, err := slacktest.Signer{Secret: s.secret}.Event(ctx, url, body)
	if err != nil {
		return 0, err
	}
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		req.Header.Set("X-Slack-Retry-Reason", reason)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
