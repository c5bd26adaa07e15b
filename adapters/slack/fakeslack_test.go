package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// fakeSlack is a Slack Web API on loopback that slack-go itself talks to
// (through OptionAPIURL). It records every call; Reply, keyed by method,
// decides the answer (by default a published success payload).
type fakeSlack struct {
	URL   string
	mu    sync.Mutex
	calls []call
	Reply map[string]func(w http.ResponseWriter, r *http.Request)
}

// call is one Web API call as the server saw it.
type call struct {
	Method string
	Token  string
	Form   map[string]string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{Reply: map[string]func(http.ResponseWriter, *http.Request){}}
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
			fixture(t, w, "slack_api_chat_postMessage_success.json")
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
