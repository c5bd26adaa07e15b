package faults

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	slackadapter "github.com/smart90/smart90/adapters/slack"
)

// TestSlackFake checks the fake Web API the suite counts with: only
// prompts count as prompts, and a message answered 429, 503 or never is
// not recorded as received.
func TestSlackFake(t *testing.T) {
	t.Parallel()
	f := NewSlackFake(map[string]string{"U1": "ana"})
	defer f.Close()
	post := func(ctx context.Context, text string) (int, string) {
		form := url.Values{"channel": {"DU1"}, "text": {text}}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.URL()+"chat.postMessage", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	prompt := "*Cycle 1 · day 3 of 90* · Friday 2026-12-04\nGood morning, ana!"
	if code, _ := post(t.Context(), prompt); code != 200 {
		t.Fatalf("prompt: %d", code)
	}
	if code, _ := post(t.Context(), "*2/4* Today's #1 priority?"); code != 200 {
		t.Fatalf("reply: %d", code)
	}
	if got := f.Prompts()["DU1"]; got != 1 {
		t.Errorf("after a prompt and a reply: %d prompts, want 1", got)
	}

	f.SetFault(Slack429Half)
	var codes []int
	for range 4 {
		code, after := post(t.Context(), prompt)
		if code == http.StatusTooManyRequests && after != "1" {
			t.Errorf("429 with Retry-After %q, want 1", after)
		}
		codes = append(codes, code)
	}
	if slices.Compare(codes, []int{429, 200, 429, 200}) != 0 {
		t.Errorf("429 storm answered %v, want every second call 429", codes)
	}
	f.SetFault(Slack5xx)
	if code, _ := post(t.Context(), prompt); code != http.StatusServiceUnavailable {
		t.Errorf("5xx: %d", code)
	}
	f.SetFault(SlackHang)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if code, err := post(ctx, prompt); code != 0 {
		t.Errorf("hang answered %d %s", code, err)
	}
	if got := f.Prompts()["DU1"]; got != 3 {
		t.Errorf("%d prompts recorded, want 3 (the first and the two not answered 429)", got)
	}
}

// TestEventSender checks the fake "Slack" behind the inbound answers: its
// requests pass smart90's own signature check, and an event not
// acknowledged, or whose acknowledgement is lost, is retried with the same
// event id and Slack's retry headers, at most three times.
func TestEventSender(t *testing.T) {
	t.Parallel()
	type attempt struct{ id, num, reason string }
	var mu sync.Mutex
	var seen []attempt
	failFirst := 0
	h := slackadapter.Verify(secret, nil, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("event: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, attempt{ev.EventID, r.Header.Get("X-Slack-Retry-Num"), r.Header.Get("X-Slack-Retry-Reason")})
		if failFirst > 0 {
			failFirst--
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	s := newEventSender(secret, func() []string { return []string{srv.URL} }, []time.Duration{0, 0, 0})
	check := func(name string, fail int, lose bool, acked bool, want []attempt) {
		t.Helper()
		mu.Lock()
		seen, failFirst = nil, fail
		mu.Unlock()
		s.loseAcks.Store(lose)
		if lose && s.seq.Load()%2 == 0 {
			s.seq.Add(1) // the next event is an even one: its first ack is lost
		}
		d := s.message(t.Context(), "U1", "moved it")
		mu.Lock()
		defer mu.Unlock()
		if d.acked != acked || d.attempts != len(want) {
			t.Errorf("%s: acked %v after %d attempts (%v), want %v after %d", name, d.acked, d.attempts, d.statuses, acked, len(want))
		}
		first := ""
		for i := range seen {
			if i == 0 {
				first = seen[0].id
			}
			if seen[i].id != first || first == "" {
				t.Errorf("%s: attempt %d has event id %q, the first %q", name, i, seen[i].id, first)
			}
			seen[i].id = ""
		}
		if !slices.Equal(seen, want) {
			t.Errorf("%s: attempts %v, want %v (401s mean a bad signature)", name, seen, want)
		}
	}
	check("acknowledged", 0, false, true, []attempt{{}})
	check("two 503s", 2, false, true, []attempt{{}, {"", "1", "http_error"}, {"", "2", "http_error"}})
	check("never", 9, false, false, []attempt{{}, {"", "1", "http_error"}, {"", "2", "http_error"}, {"", "3", "http_error"}})
	check("ack lost", 0, true, true, []attempt{{}, {"", "1", "http_timeout"}})
}
