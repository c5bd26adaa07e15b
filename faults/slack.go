package faults

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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

// SlackFake is a Slack Web API on loopback for smart90 serve: auth.test,
// users.info, conversations.open (the DM with user U is channel DU),
// chat.postMessage, which it records per channel with each message's
// metadata, and conversations.history, which shows them. Its fault is switched at
// run time (SetFault). It is safe for concurrent use.
type SlackFake struct {
	srv   *httptest.Server
	fault atomic.Int32
	calls atomic.Int64 // chat.postMessage calls while faulty, to pick every second one
	ts    atomic.Int64

	mu      sync.Mutex
	names   map[string]string   // user → display name, for users.info
	posted  map[string][]string // channel → texts, in order
	history map[string][]posted // channel → messages, oldest first, for conversations.history
	prompts map[string]int      // channel → daily prompts posted
	first   time.Time           // first prompt posted
	last    time.Time           // last channel's first prompt posted
	changed chan struct{}       // closed and replaced on every prompt
}

// posted is a message the fake accepted, as conversations.history shows it.
type posted struct {
	ts       string
	text     string
	metadata json.RawMessage // nil when posted without
}

// promptRE recognises the daily check-in prompt ("*Cycle 1 · day 3 of
// 90* · …"), as opposed to the replies to answers posted in the same DM.
var promptRE = regexp.MustCompile(`\*Cycle \d+ · day \d+ of \d+\*`)

// NewSlackFake starts a fake Slack that knows the given users (id →
// display name); Close stops it.
func NewSlackFake(users map[string]string) *SlackFake {
	f := &SlackFake{names: users, posted: map[string][]string{}, history: map[string][]posted{}, prompts: map[string]int{}, changed: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// URL is the Web API base, for SLACK_API_URL.
func (f *SlackFake) URL() string { return f.srv.URL + "/" }

// Close stops the server; calls still hanging are cut.
func (f *SlackFake) Close() {
	f.srv.CloseClientConnections()
	f.srv.Close()
}

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

func (f *SlackFake) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/auth.test":
		fmt.Fprintf(w, `{"ok":true,"team":"Faults","team_id":%q,"user_id":"UBOT"}`, Team)
	case "/users.info":
		u := r.PostForm.Get("user")
		f.mu.Lock()
		name, ok := f.names[u]
		f.mu.Unlock()
		if !ok {
			io.WriteString(w, `{"ok":false,"error":"user_not_found"}`)
			return
		}
		// The name and zone smart90 stored, so an answer is not also a
		// rename.
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{
			"id": u, "name": u, "tz": "UTC", "profile": map[string]any{"display_name": name}}})
	case "/conversations.open":
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, r.PostForm.Get("users"))
	case "/chat.postMessage":
		f.postMessage(w, r)
	case "/conversations.history":
		f.conversationHistory(w, r)
	default:
		io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

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
	channel := r.PostForm.Get("channel")
	text := r.PostForm.Get("text")
	if text == "" {
		text = r.PostForm.Get("blocks")
	}
	// A real time stamp, so that conversations.history's oldest works;
	// the sequence keeps every ts unique and in order.
	now := time.Now()
	ts := fmt.Sprintf("%d.%06d", now.Unix(), f.ts.Add(1)%1000000)
	p := posted{ts: ts, text: text}
	if md := r.PostForm.Get("metadata"); md != "" {
		p.metadata = json.RawMessage(md)
	}
	f.mu.Lock()
	f.posted[channel] = append(f.posted[channel], text)
	f.history[channel] = append(f.history[channel], p)
	if promptRE.MatchString(text) {
		now := time.Now()
		if f.first.IsZero() {
			f.first = now
		}
		if f.prompts[channel] == 0 {
			f.last = now
		}
		f.prompts[channel]++
		close(f.changed)
		f.changed = make(chan struct{})
	}
	f.mu.Unlock()
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, channel, ts)
}

// conversationHistory answers as Slack does: the channel's messages newest
// first, from oldest on (inclusive when asked), limit at a time with a
// cursor to the next page, metadata only when include_all_metadata is set.
func (f *SlackFake) conversationHistory(w http.ResponseWriter, r *http.Request) {
	q := r.PostForm
	oldest, _ := strconv.ParseFloat(q.Get("oldest"), 64)
	f.mu.Lock()
	all := f.history[q.Get("channel")]
	var msgs []map[string]any
	for i := len(all) - 1; i >= 0; i-- {
		p := all[i]
		ts, _ := strconv.ParseFloat(p.ts, 64)
		if ts < oldest || ts == oldest && q.Get("inclusive") != "1" {
			continue
		}
		m := map[string]any{"type": "message", "user": "UBOT", "text": p.text, "ts": p.ts}
		if p.metadata != nil && q.Get("include_all_metadata") == "1" {
			m["metadata"] = p.metadata
		}
		msgs = append(msgs, m)
	}
	f.mu.Unlock()
	from, _ := strconv.Atoi(q.Get("cursor"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	from = min(max(from, 0), len(msgs))
	to := min(from+limit, len(msgs))
	next := ""
	if to < len(msgs) {
		next = strconv.Itoa(to)
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs[from:to], "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
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
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(s.secret))
	io.WriteString(mac, "v0:"+ts+":")
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
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
