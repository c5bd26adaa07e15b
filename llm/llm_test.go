package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smart90/smart90/llm"
	"github.com/smart90/smart90/llm/llmtest"
)

const facts = "Check-ins 4/5 (80%) · streak 0 · energy 3.5\n*Wins*\n• week of Mon 23 Nov: first pilot signed\n"

func newClient(t *testing.T, s *llmtest.Server, key string) *llm.Client {
	t.Helper()
	c, err := llm.New(llm.Config{URL: s.URL, Model: "llama3.2", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSummarize: one POST to {URL}/chat/completions with the model, the
// instruction and the facts, nothing else; the answer trimmed and the
// model the server named.
func TestSummarize(t *testing.T) {
	t.Parallel()
	s := llmtest.New(t, llmtest.Options{Content: "\n  Ana signed her first pilot.  \n", Model: "llama3.2:3b"})
	text, model, err := newClient(t, s, "").Summarize(context.Background(), facts)
	if err != nil {
		t.Fatal(err)
	}
	if text != "Ana signed her first pilot." || model != "llama3.2:3b" {
		t.Errorf("Summarize = %q, %q", text, model)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/chat/completions" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s (%s)", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	if h := r.Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization %q without a key", h)
	}
	want := llm.ChatRequest{Model: "llama3.2", Messages: []llm.Message{{Role: "system", Content: llm.Instruction}, {Role: "user", Content: facts}},
		Temperature: 0.2, MaxTokens: 200, Stream: false}
	if d := cmp.Diff(want, r.Body); d != "" {
		t.Errorf("request body (-want +got):\n%s", d)
	}
	// "stream": false is written, not left to the server's default.
	if !strings.Contains(string(r.Raw), `"stream":false`) {
		t.Errorf("body %s lacks \"stream\":false", r.Raw)
	}
	for _, w := range []string{"3 sentences", "only the facts", "no advice", "no one but the client"} {
		if !strings.Contains(llm.Instruction, w) {
			t.Errorf("instruction %q lacks %q", llm.Instruction, w)
		}
	}
}

// TestSummarizeKey: a key is a bearer token, and no error repeats it.
func TestSummarizeKey(t *testing.T) {
	t.Parallel()
	const key = "sk-very-secret"
	s := llmtest.New(t, llmtest.Options{})
	if _, _, err := newClient(t, s, key).Summarize(context.Background(), facts); err != nil {
		t.Fatal(err)
	}
	if h := s.Requests()[0].Header.Get("Authorization"); h != "Bearer "+key {
		t.Errorf("Authorization %q", h)
	}
	denied := llmtest.New(t, llmtest.Options{Respond: func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "key "+r.Header.Get("Authorization")+" refused", http.StatusUnauthorized)
	}})
	_, _, err := newClient(t, denied, key).Summarize(context.Background(), facts)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), key) {
		t.Errorf("refused key: err = %v", err)
	}
}

// TestSummarizeModelFallback: a response that does not name its model is
// labelled with the configured one; a trailing slash on the URL is fine.
func TestSummarizeModelFallback(t *testing.T) {
	t.Parallel()
	s := llmtest.New(t, llmtest.Options{Respond: func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"choices":[{"message":{"role":"assistant","content":"Fine."}}]}`)
	}})
	c, err := llm.New(llm.Config{URL: s.URL + "/", Model: " qwen2.5 "})
	if err != nil {
		t.Fatal(err)
	}
	text, model, err := c.Summarize(context.Background(), facts)
	if err != nil || text != "Fine." || model != "qwen2.5" {
		t.Errorf("Summarize = %q, %q, %v", text, model, err)
	}
	if p := s.Requests()[0].Path; p != "/v1/chat/completions" {
		t.Errorf("path %q", p)
	}
}

// TestSummarizeThinking: a reasoning model's <think> block is not the
// answer.
func TestSummarizeThinking(t *testing.T) {
	t.Parallel()
	for content, want := range map[string]string{
		"<think>\nThe user wants…\n</think>\n\nAna is on track.": "Ana is on track.",
		"Ana wrote <think> in a win.":                            "Ana wrote <think> in a win.",
	} {
		s := llmtest.New(t, llmtest.Options{Content: content})
		text, _, err := newClient(t, s, "").Summarize(context.Background(), facts)
		if err != nil || text != want {
			t.Errorf("%q: Summarize = %q, %v; want %q", content, text, err, want)
		}
	}
	s := llmtest.New(t, llmtest.Options{Content: "<think>cut off before the answer"})
	if _, _, err := newClient(t, s, "").Summarize(context.Background(), facts); err == nil {
		t.Error("an answer that is all thinking: no error")
	}
}

// TestSummarizeSlow: a server that does not answer holds the call only
// until the caller's context is done.
func TestSummarizeSlow(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s := llmtest.New(t, llmtest.Options{Respond: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}})
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err := newClient(t, s, "").Summarize(ctx, facts)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}

// TestSummarizeFailures: each way an answer is not a summary is an error
// that names the status, never the body nor the facts.
func TestSummarizeFailures(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("a", llm.MaxResponse)
	for _, tt := range []struct {
		name, want string
		respond    func(w http.ResponseWriter, r *http.Request)
	}{
		{"500", "status 500 Internal Server Error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"the body says first pilot signed"}`, http.StatusInternalServerError)
		}},
		{"404", "status 404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }},
		{"malformed", "malformed JSON", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"choices":[{"message":`) }},
		{"not JSON", "malformed JSON", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>first pilot signed</html>") }},
		{"no choices", "no answer", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"model":"m","choices":[]}`) }},
		{"null content", "no answer", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"message":{"role":"assistant","content":null}}]}`)
		}},
		{"empty", "an empty answer", func(w http.ResponseWriter, r *http.Request) { llmtest.Answer(w, "m", " \n ") }},
		{"oversized", "over 1048576 bytes", func(w http.ResponseWriter, r *http.Request) { llmtest.Answer(w, "m", huge) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := llmtest.New(t, llmtest.Options{Respond: tt.respond})
			text, model, err := newClient(t, s, "").Summarize(context.Background(), facts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Summarize = %q, %q, %v; want an error with %q", text, model, err, tt.want)
			}
			if strings.Contains(err.Error(), "pilot") {
				t.Errorf("error %q repeats the body or the facts", err)
			}
		})
	}
}

// TestSummarizeUnreachable: a refused connection names the host, not the
// URL, which may hold a password.
func TestSummarizeUnreachable(t *testing.T) {
	t.Parallel()
	s := llmtest.New(t, llmtest.Options{})
	url := strings.Replace(s.URL, "127.0.0.1", "user:hunter2@127.0.0.1", 1)
	c, err := llm.New(llm.Config{URL: url, Model: "m", HTTP: &http.Client{Transport: refuse{}}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Summarize(context.Background(), facts)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v", err)
	}
}

// refuse is a transport that fails every request.
type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

// TestNew: the URL and the model are checked once, and the URL's
// password is not repeated.
func TestNew(t *testing.T) {
	t.Parallel()
	for _, cfg := range []llm.Config{
		{URL: "", Model: "m"},
		{URL: "127.0.0.1:11434/v1", Model: "m"},
		{URL: "ftp://models.example/v1", Model: "m"},
		{URL: "http://user:hunter2@[::1/v1", Model: "m"},
		{URL: "http://127.0.0.1:11434/v1", Model: " "},
	} {
		if _, err := llm.New(cfg); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New(%+v) = %v", cfg, err)
		}
	}
	c, err := llm.New(llm.Config{URL: "https://gpu.internal:8000/v1", Model: "mistral"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Host() != "gpu.internal:8000" || c.Model() != "mistral" {
		t.Errorf("host %q model %q", c.Host(), c.Model())
	}
}
