package teamstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Call is one request the fake connector received.
type Call struct {
	// Op is "CreateConversation", "SendToConversation" or "GetMember".
	Op string
	// Conversation is the conversation an activity was sent to (decoded
	// from the path, e.g. "19:abc@thread.tacv2;messageid=17").
	Conversation string
	// Body is the decoded JSON body.
	Body map[string]any
	// ID is the conversation or activity id the connector answered with.
	ID string
}

// Text returns the texts of the activity's Adaptive Card TextBlocks, one
// per line, so tests can look for what a person would read.
func (c Call) Text() string {
	var lines []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "TextBlock" {
				if s, ok := v["text"].(string); ok {
					lines = append(lines, s)
				}
			}
			for _, k := range []string{"attachments", "content", "body", "items", "columns", "card"} {
				walk(v[k])
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(c.Body)
	return strings.Join(lines, "\n")
}

// Failure is an answer the fake gives instead of success.
type Failure struct {
	Status     int
	Code       string // the error body's code, e.g. "BotNotInConversationRoster"
	RetryAfter string // the Retry-After header, if any
}

// Connector is a fake Bot Connector service (REST v3) on loopback. Every
// request must carry a token Valid accepts. It is safe for concurrent use.
type Connector struct {
	URL string // the service URL, with a trailing slash

	// Valid checks a bearer token (TokenServer.Valid); nil accepts any.
	Valid func(token string) bool
	// Fail, when set, may answer a call with a failure instead.
	Fail func(c Call) *Failure
	// Members are the Entra object ids of the people GetMember knows, by
	// Teams id; others are not found.
	Members map[string]string

	mu    sync.Mutex
	calls []Call
	n     int
}

// NewConnector starts a fake connector, closed with the test.
func NewConnector(t testing.TB) *Connector {
	t.Helper()
	c := &Connector{}
	srv := httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(srv.Close)
	c.URL = srv.URL + "/"
	return c
}

// Calls returns the calls so far, in order (failed ones included, with
// no ID).
func (c *Connector) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Reset forgets the calls so far.
func (c *Connector) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = nil
}

func (c *Connector) serve(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || c.Valid != nil && !c.Valid(token) {
		http.Error(w, `{"error":{"code":"Unauthorized"}}`, http.StatusUnauthorized)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if conv, member, ok := strings.Cut(strings.TrimPrefix(path, "v3/conversations/"), "/members/"); r.Method == http.MethodGet && ok {
		c.record(Call{Op: "GetMember", Conversation: conv, ID: member})
		aad, known := c.Members[member]
		if !known {
			http.Error(w, `{"error":{"code":"MemberNotFoundInConversation"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"id": member, "aadObjectId": aad})
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	call := Call{}
	if err := json.Unmarshal(body, &call.Body); err != nil {
		http.Error(w, `{"error":{"code":"BadArgument"}}`, http.StatusBadRequest)
		return
	}
	switch {
	case path == "v3/conversations":
		call.Op = "CreateConversation"
	case strings.HasPrefix(path, "v3/conversations/") && strings.HasSuffix(path, "/activities"):
		call.Op = "SendToConversation"
		call.Conversation = strings.TrimSuffix(strings.TrimPrefix(path, "v3/conversations/"), "/activities")
	default:
		http.Error(w, `{"error":{"code":"NotFound"}}`, http.StatusNotFound)
		return
	}
	if c.Fail != nil {
		if f := c.Fail(call); f != nil {
			c.record(call)
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			fmt.Fprintf(w, `{"error":{"code":%q,"message":"fake failure"}}`, f.Code)
			return
		}
	}
	c.mu.Lock()
	c.n++
	n := c.n
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if call.Op == "CreateConversation" {
		member := ""
		if ms, ok := call.Body["members"].([]any); ok && len(ms) > 0 {
			member, _ = ms[0].(map[string]any)["id"].(string)
		}
		call.ID = "a:chat-" + member
		c.record(call)
		json.NewEncoder(w).Encode(map[string]string{"id": call.ID})
		return
	}
	call.ID = fmt.Sprintf("17000000000%02d", n)
	c.record(call)
	json.NewEncoder(w).Encode(map[string]string{"id": call.ID})
}

func (c *Connector) record(call Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}
