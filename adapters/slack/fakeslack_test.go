package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSlack is a Slack Web API on loopback that slack-go itself talks to
// (through OptionAPIURL). It records every call; Reply, keyed by method,
// decides the answer (by default a published success payload). Messages
// chat.postMessage posts by default are kept per channel, with their
// metadata, for conversations.history.
type fakeSlack struct {
	URL   string
	mu    sync.Mutex
	calls []call
	Reply map[string]func(w http.ResponseWriter, r *http.Request)
	// Start is the time of the first default post; each later one is a
	// second after the one before.
	Start time.Time
	posts map[string][]post // by channel, oldest first
}

// post is a message the fake posted.
type post struct {
	TS       string
	Text     string
	Metadata json.RawMessage // as chat.postMessage got it; nil without
}

// fakeStart is when a fakeSlack's first post is made, unless a test sets
// Start: a fixed time, so that tests do not depend on the wall clock.
var fakeStart = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// call is one Web API call as the server saw it.
type call struct {
	Method string
	Token  string
	Form   map[string]string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{Reply: map[string]func(http.ResponseWriter, *http.Request){}, Start: fakeStart, posts: map[string][]post{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := strings.TrimPrefix(r.URL.Path, "/")
		if name, ok := strings.CutPrefix(method, "upload/"); ok {
			// The upload URL files.getUploadURLExternal handed out.
			r.ParseMultipartForm(1 << 20)
			body := ""
			if fh, _, err := r.FormFile("file"); err == nil {
				b, _ := io.ReadAll(fh)
				body = string(b)
			} else {
				b, _ := io.ReadAll(r.Body)
				body = string(b)
			}
			f.mu.Lock()
			f.calls = append(f.calls, call{Method: "upload", Form: map[string]string{"filename": name, "content": body}})
			f.mu.Unlock()
			io.WriteString(w, "OK")
			return
		}
		c := call{Method: method, Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), Form: map[string]string{}}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			// views.* take JSON: each top-level field, objects as JSON.
			var body map[string]json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
				t.Errorf("%s: bad JSON body: %v", method, err)
			}
			for k, v := range body {
				var s string
				if json.Unmarshal(v, &s) == nil {
					c.Form[k] = s
				} else {
					c.Form[k] = string(v)
				}
			}
		} else if err := r.ParseForm(); err != nil {
			t.Errorf("%s: bad form: %v", method, err)
		}
		for k := range r.PostForm {
			c.Form[k] = r.PostForm.Get(k)
		}
		if c.Token == "" { // slack-go sends it as a form field
			c.Token = c.Form["token"]
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		reply := f.Reply[method]
		f.mu.Unlock()
		if reply != nil {
			reply(w, r)
			return
		}
		switch method {
		case "chat.postMessage":
			f.post(w, c.Form)
		case "conversations.history":
			f.history(t, w, c.Form)
		case "conversations.open":
			fixture(t, w, "slack_api_conversations_open_success.json")
		case "files.getUploadURLExternal":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"upload_url":%q,"file_id":"F%s"}`, f.URL+"upload/"+c.Form["filename"], c.Form["filename"])
		case "files.completeUploadExternal":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"files":[{"id":"F1","title":"export"}]}`)
		case "views.publish":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"view":{"id":"VHOME"}}`)
		case "users.info":
			// Everyone is in Paris and named after their id, lower case.
			id := c.Form["user"]
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{
				"id": id, "name": strings.ToLower(id), "tz": "Europe/Paris",
				"profile": map[string]any{"display_name": strings.ToLower(id), "real_name": strings.ToLower(id)}}})
		default:
			t.Errorf("unexpected Web API call %s", method)
			http.Error(w, "unknown method", http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/"
	return f
}

// post posts a message to its channel, and answers as Slack does.
func (f *fakeSlack) post(w http.ResponseWriter, form map[string]string) {
	ch := form["channel"]
	f.mu.Lock()
	n := 0
	for _, ps := range f.posts {
		n += len(ps)
	}
	at := f.Start.Add(time.Duration(n) * time.Second)
	p := post{TS: fmt.Sprintf("%d.%06d", at.Unix(), n+1), Text: form["text"]}
	if md := form["metadata"]; md != "" {
		p.Metadata = json.RawMessage(md)
	}
	f.posts[ch] = append(f.posts[ch], p)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": ch, "ts": p.TS,
		"message": map[string]any{"type": "message", "text": p.Text, "ts": p.TS}})
}

// history answers conversations.history as Slack does: the channel's
// messages newest first, from oldest (inclusive or not) on, limit at a
// time with a cursor to the next page; metadata only when asked for.
func (f *fakeSlack) history(t *testing.T, w http.ResponseWriter, form map[string]string) {
	f.mu.Lock()
	all := f.posts[form["channel"]]
	f.mu.Unlock()
	var msgs []map[string]any
	oldest := form["oldest"]
	for i := len(all) - 1; i >= 0; i-- {
		p := all[i]
		if oldest != "" && (tsBefore(p.TS, oldest) || p.TS == oldest && form["inclusive"] != "1") {
			continue
		}
		m := map[string]any{"type": "message", "user": "UBOT", "text": p.Text, "ts": p.TS}
		if p.Metadata != nil && form["include_all_metadata"] == "1" {
			m["metadata"] = p.Metadata
		}
		msgs = append(msgs, m)
	}
	from, _ := strconv.Atoi(form["cursor"])
	limit, _ := strconv.Atoi(form["limit"])
	if limit <= 0 {
		limit = 100
	}
	from = min(from, len(msgs))
	to := min(from+limit, len(msgs))
	next := ""
	if to < len(msgs) {
		next = strconv.Itoa(to)
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs[from:to], "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}}); err != nil {
		t.Errorf("conversations.history: %v", err)
	}
}

// tsBefore reports whether Slack timestamp a is before b.
func tsBefore(a, b string) bool {
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	return x < y
}

// Calls returns the calls made so far.
func (f *fakeSlack) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// Methods returns the methods called, in order.
func (f *fakeSlack) Methods() []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, c.Method)
	}
	return out
}

// fixture writes one of the published payloads in ../../testdata/fixtures.
func fixture(t testing.TB, w http.ResponseWriter, name string) {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
