// Package llm asks a language model that the operator runs for the short
// written summary a brief carries: any server with an OpenAI-compatible
// chat completions endpoint, such as Ollama, vLLM or llama.cpp's server.
//
// It is plain net/http and encoding/json rather than the openai-go SDK:
// one request and three fields of its answer, a bound on the answer's
// size, no retries (the brief waits for at most one attempt) and errors
// that name the status but never echo a body, which could quote the
// facts sent.
package llm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

// Instruction is the system message sent before the facts: what the model
// is asked to write, and what not.
const Instruction = "You summarise a coaching client's recent period for their coach. " +
	"Write at most 3 sentences of plain text. " +
	"Use only the facts below; do not guess or add anything. " +
	"Give no advice. Name no one but the client."

// Request parameters: a low temperature for a summary that sticks to the
// facts, and a bound on its length (3 sentences fit well inside).
const (
	temperature = 0.2
	maxTokens   = 200
)

// MaxResponse bounds a response's body: a summary is a few hundred bytes,
// and a server that sends more is not answering the question.
const MaxResponse = 1 << 20

// Config says which endpoint and model to use.
type Config struct {
	// URL is the API's base, up to and including its version, e.g.
	// http://127.0.0.1:11434/v1 for Ollama; requests go to
	// {URL}/chat/completions.
	URL string
	// Model is the model's name as the server knows it ("llama3.2").
	Model string
	// Key, when set, is sent as a bearer token. It is a secret: never
	// logged, never in an error.
	Key string
	// HTTP sends the requests; nil uses a client of its own with a
	// one-minute bound. The caller's context bounds each call anyway.
	HTTP *http.Client
}

// Client asks one model on one endpoint. It is safe for concurrent use.
type Client struct {
	endpoint string
	host     string
	model    string
	key      string
	http     *http.Client
}

var _ bot.Summarizer = (*Client)(nil)

// New returns a Client for cfg, or an error when the URL is not an http
// or https URL or the model is missing.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The parse error would repeat the URL, which may hold a secret.
		return nil, errors.New("the model's URL must be an http:// or https:// URL such as http://127.0.0.1:11434/v1")
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("the model's name is missing")
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	return &Client{
		endpoint: strings.TrimRight(cfg.URL, "/") + "/chat/completions",
		host:     u.Host,
		model:    strings.TrimSpace(cfg.Model),
		key:      cfg.Key,
		http:     hc,
	}, nil
}

// Host is the endpoint's host and port, which logs may name.
func (c *Client) Host() string { return c.host }

// Model is the configured model's name.
func (c *Client) Model() string { return c.model }

// ChatRequest is the body of a chat completions request, as sent.
type ChatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens"`
	Stream      bool      `json:"stream"`
}

// Message is one message of a chat: its role ("system", "user",
// "assistant") and its text.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatResponse is what is read of a chat completions response.
type chatResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// Summarize asks the model to summarise facts and returns its text,
// trimmed, and the model's name as the server gave it (else the
// configured one). It fails on a transport error, a status other than
// 2xx, a body over MaxResponse, malformed JSON or an empty answer, and
// returns when ctx is done. No error holds the facts, the answer or the
// key.
func (c *Client) Summarize(ctx context.Context, facts string) (summary, model string, err error) {
	body, err := json.Marshal(ChatRequest{
		Model:       c.model,
		Messages:    []Message{{Role: "system", Content: Instruction}, {Role: "user", Content: facts}},
		Temperature: temperature,
		MaxTokens:   maxTokens,
		Stream:      false,
	})
	if err != nil {
		return "", "", fmt.Errorf("encode chat request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", "", fmt.Errorf("build chat request to %s: %w", c.host, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// A *url.Error repeats the whole URL; the host is enough.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", "", fmt.Errorf("post chat request to %s: %w", c.host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponse)) // lets the connection be reused
		return "", "", fmt.Errorf("chat request to %s: status %s", c.host, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return "", "", fmt.Errorf("read chat response from %s: %w", c.host, err)
	}
	if len(data) > MaxResponse {
		return "", "", fmt.Errorf("chat response from %s: over %d bytes", c.host, MaxResponse)
	}
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		// A syntax error quotes one character of the body at most.
		return "", "", fmt.Errorf("decode chat response from %s: malformed JSON: %w", c.host, err)
	}
	if len(cr.Choices) == 0 || cr.Choices[0].Message.Content == nil {
		return "", "", fmt.Errorf("chat response from %s: no answer", c.host)
	}
	text := strings.TrimSpace(dropThinking(*cr.Choices[0].Message.Content))
	if text == "" {
		return "", "", fmt.Errorf("chat response from %s: an empty answer", c.host)
	}
	return text, cmp.Or(strings.TrimSpace(cr.Model), c.model), nil
}

// dropThinking removes the reasoning a "thinking" model (DeepSeek-R1,
// Qwen3) may put before its answer between <think> and </think>: the
// coach is shown the answer, not the model's notes to itself. An
// unclosed block is all thinking: the answer was cut off.
func dropThinking(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "<think>") {
		return s
	}
	_, after, ok := strings.Cut(t, "</think>")
	if !ok {
		return ""
	}
	return after
}
