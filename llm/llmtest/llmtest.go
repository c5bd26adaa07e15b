// Package llmtest is a fake OpenAI-compatible chat completions endpoint on
// loopback, for tests and local tries of the brief's written summary: it
// records each request and answers with a fixed text, or as a test's
// Respond says.
package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/smart90/smart90/llm"
)

// Request is one request the Server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Raw          []byte          // the body as sent
	Body         llm.ChatRequest // the body decoded
}

// Server is the fake endpoint. Its URL, with "/v1", is what llm.Config.URL
// takes. It is safe for concurrent use.
type Server struct {
	// URL is the API's base: http://127.0.0.1:port/v1.
	URL string

	respond func(w http.ResponseWriter, r *http.Request)
	mu      sync.Mutex
	reqs    []Request
}

// Options says how a Server answers.
type Options struct {
	// Content and Model are the answer's text and model name: by default
	// "Ana checked in on most days." and "fake-model".
	Content, Model string
	// Respond, when set, answers instead (after the request is recorded):
	// a status, a malformed body, a wait.
	Respond func(w http.ResponseWriter, r *http.Request)
}

// New starts a Server, closed at t's cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Content == "" {
		o.Content = "Ana checked in on most days."
	}
	if o.Model == "" {
		o.Model = "fake-model"
	}
	s := &Server{respond: o.Respond}
	if s.respond == nil {
		s.respond = func(w http.ResponseWriter, r *http.Request) { Answer(w, o.Model, o.Content) }
	}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	s.URL = hs.URL + "/v1"
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw}
	_ = json.Unmarshal(raw, &req.Body) // a test reads Raw when it is not JSON
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	s.respond(w, r)
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Answer writes a chat completion with one choice, as OpenAI's API and
// Ollama's compatible endpoint shape it.
func Answer(w http.ResponseWriter, model, content string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id":      "chatcmpl-1",
		"object":  "chat.completion",
		"created": 1764835200,
		"model":   model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content},
			"finish_reason": "stop",
		}},
		"usage": map[string]any{"prompt_tokens": 120, "completion_tokens": 20, "total_tokens": 140},
	})
}
