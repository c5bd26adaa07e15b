package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// Options configures a Server. The zero value is workspace T1, where
// everyone exists.
type Options struct {
	// TeamID and TeamName are the workspace auth.test and oauth.v2.access
	// name: by default "T1" and "Test Team".
	TeamID, TeamName string
	// User answers users.info: id's profile, or false for user_not_found.
	// Nil means everyone exists, named after their id in lower case, in
	// Europe/Paris.
	User func(id string) (User, bool)
	// DM is the channel conversations.open opens with user; nil means "D"
	// and the user's id.
	DM func(user string) string
	// Now stamps each post; nil means Start, and a second more for each
	// later post, so that tests do not depend on the wall clock.
	Now func() time.Time
	// Start is the first post's time when Now is nil; zero means
	// 2026-11-23 08:00 UTC.
	Start time.Time
	// OnPost, when set, is called with each message chat.postMessage
	// posted, outside the server's lock, before the call is answered.
	OnPost func(Post)
	// Forget keeps no record of the calls (Calls returns none, Count
	// still counts), for long runs that would hold millions.
	Forget bool
}

// DefaultStart is when a Server's first post is made unless Options say
// otherwise.
var DefaultStart = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// User is a profile users.info answers with.
type User struct {
	ID          string
	Name        string // the handle
	RealName    string
	DisplayName string
	TZ          string // an IANA zone, "" for none
}

// Call is one Web API call as the server saw it: the method (the path,
// "upload" for a file sent to the upload URL), the bearer token, and each
// form field, or each top-level JSON field for the methods that take JSON
// (views.*), objects as JSON. An upload's form holds "filename" and
// "content".
type Call struct {
	Method string
	Token  string
	Form   map[string]string
}

// Post is a message chat.postMessage posted.
type Post struct {
	Channel  string
	TS       string
	Text     string
	Blocks   string          // the blocks as JSON, "" without
	Metadata json.RawMessage // as chat.postMessage got it; nil without
}

// Server is a fake Slack Web API on loopback. It answers each method the
// smart90 Slack app calls as Slack documents it: auth.test,
// oauth.v2.access, users.info, users.profile.get (with the status
// SetStatus set), conversations.open, chat.postMessage
// (recorded per channel with the message's metadata),
// conversations.history (which shows those posts, newest first, a page at
// a time), files.getUploadURLExternal, the upload URL it hands out,
// files.completeUploadExternal, views.open, views.update and
// views.publish, and, once SocketMode is called, apps.connections.open.
// Handle replaces a method's answer (a failure, a 429, a
// payload the test needs). Any other method is answered unknown_method,
// and fails the test when the server was started with Start. It is safe
// for concurrent use.
type Server struct {
	// URL is the Web API base with its trailing slash, for
	// slack.OptionAPIURL and SLACK_API_URL.
	URL string

	opts Options
	srv  *httptest.Server
	tb   testing.TB // nil outside a test

	mu       sync.Mutex
	calls    []Call
	counts   map[string]int
	handlers map[string]http.HandlerFunc
	posts    map[string][]Post // by channel, oldest first
	nposts   int
	sockets  []*httptest.Server // SocketMode's WebSocket servers
	statuses map[string]Status  // by user, for users.profile.get
}

// Status is a person's status as users.profile.get answers it.
type Status struct {
	Text, Emoji string
	// Expiration is when the status clears, in Unix seconds; 0 for never.
	Expiration int64
}

// SetStatus sets the status users.profile.get answers for user from now
// on; the zero Status clears it.
func (s *Server) SetStatus(user string, st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.statuses == nil {
		s.statuses = map[string]Status{}
	}
	s.statuses[user] = st
}

// NewServer starts a fake Slack Web API; Close stops it.
func NewServer(opts Options) *Server {
	if opts.TeamID == "" {
		opts.TeamID = "T1"
	}
	if opts.TeamName == "" {
		opts.TeamName = "Test Team"
	}
	if opts.Start.IsZero() {
		opts.Start = DefaultStart
	}
	s := &Server{opts: opts, counts: map[string]int{}, handlers: map[string]http.HandlerFunc{}, posts: map[string][]Post{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/"
	return s
}

// Start starts a fake Slack Web API for a test, closed when the test ends;
// a call of a method it does not know fails the test.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := NewServer(opts)
	s.tb = tb
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server; calls still waiting for an answer are cut.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.mu.Lock()
	sockets := s.sockets
	s.mu.Unlock()
	for _, ws := range sockets {
		ws.CloseClientConnections()
		ws.Close()
	}
}

// Client returns slack-go's client for token, pointed at the server.
func (s *Server) Client(token string) *slack.Client {
	return slack.New(token, slack.OptionAPIURL(s.URL))
}

// Handle makes h answer method from now on, instead of the default answer;
// a nil h restores the default. The call is recorded before h runs, and
// r's form is parsed; h may hand a call back to Default.
func (s *Server) Handle(method string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, method)
		return
	}
	s.handlers[method] = h
}

// Calls returns the calls made so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Methods returns the methods called so far, in order.
func (s *Server) Methods() []string {
	var out []string
	for _, c := range s.Calls() {
		out = append(out, c.Method)
	}
	return out
}

// Count returns how many times method was called, whatever the answer.
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// Posts returns the messages posted to channel, oldest first.
func (s *Server) Posts(channel string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts[channel]...)
}

// callKey carries a request's Call to Default.
type callKey struct{}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	c, ok := s.read(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	s.counts[c.Method]++
	if !s.opts.Forget {
		s.calls = append(s.calls, c)
	}
	h := s.handlers[c.Method]
	s.mu.Unlock()
	r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
	if h != nil {
		h(w, r)
		return
	}
	s.Default(w, r)
}

// read decodes a call; false when it answered a malformed one.
func (s *Server) read(w http.ResponseWriter, r *http.Request) (Call, bool) {
	method := strings.TrimPrefix(r.URL.Path, "/")
	if name, ok := strings.CutPrefix(method, "upload/"); ok {
		// The upload URL files.getUploadURLExternal handed out: the file
		// comes as a multipart form, or as the raw body.
		body := ""
		if r.ParseMultipartForm(1<<20) == nil {
			if fh, _, err := r.FormFile("file"); err == nil {
				b, _ := io.ReadAll(fh)
				body = string(b)
			}
		} else {
			b, _ := io.ReadAll(r.Body)
			body = string(b)
		}
		return Call{Method: "upload", Form: map[string]string{"filename": name, "content": body}}, true
	}
	c := Call{Method: method, Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), Form: map[string]string{}}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
			s.fail("%s: bad JSON body: %v", method, err)
			http.Error(w, "bad JSON body", http.StatusBadRequest)
			return Call{}, false
		}
		for k, v := range body {
			var str string
			if json.Unmarshal(v, &str) == nil {
				c.Form[k] = str
			} else {
				c.Form[k] = string(v)
			}
		}
	} else if err := r.ParseForm(); err != nil {
		s.fail("%s: bad form: %v", method, err)
		http.Error(w, "bad form", http.StatusBadRequest)
		return Call{}, false
	}
	for k := range r.PostForm {
		c.Form[k] = r.PostForm.Get(k)
	}
	if c.Token == "" { // slack-go may send it as a form field
		c.Token = c.Form["token"]
	}
	return c, true
}

// fail reports a test error when the server runs in a test.
func (s *Server) fail(format string, args ...any) {
	if s.tb != nil {
		s.tb.Errorf(format, args...)
	}
}

// Default answers r as the server does when no Handle replaces its
// method's answer: a handler can fail some calls and pass the others on.
func (s *Server) Default(w http.ResponseWriter, r *http.Request) {
	c, ok := r.Context().Value(callKey{}).(Call)
	if !ok {
		if c, ok = s.read(w, r); !ok {
			return
		}
	}
	f := c.Form
	switch c.Method {
	case "auth.test":
		reply(w, map[string]any{"ok": true, "team": s.opts.TeamName, "team_id": s.opts.TeamID, "user": "smart90", "user_id": "UBOT", "bot_id": "BBOT"})
	case "oauth.v2.access":
		reply(w, map[string]any{"ok": true, "access_token": "xoxb-" + s.opts.TeamID + "-test", "token_type": "bot", "scope": "chat:write",
			"bot_user_id": "UBOT", "app_id": "A1", "team": map[string]any{"id": s.opts.TeamID, "name": s.opts.TeamName}})
	case "users.info":
		s.userInfo(w, f["user"])
	case "users.profile.get":
		s.userProfile(w, f["user"])
	case "conversations.open":
		dm := "D" + f["users"]
		if s.opts.DM != nil {
			dm = s.opts.DM(f["users"])
		}
		reply(w, map[string]any{"ok": true, "channel": map[string]any{"id": dm}})
	case "chat.postMessage":
		s.post(w, f)
	case "conversations.history":
		s.history(w, f)
	case "files.getUploadURLExternal":
		reply(w, map[string]any{"ok": true, "upload_url": s.URL + "upload/" + f["filename"], "file_id": "F" + f["filename"]})
	case "upload":
		io.WriteString(w, "OK")
	case "files.completeUploadExternal":
		files := json.RawMessage(`[]`)
		if json.Valid([]byte(f["files"])) {
			files = json.RawMessage(f["files"])
		}
		reply(w, map[string]any{"ok": true, "files": files})
	case "views.open", "views.update":
		reply(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
	case "views.publish":
		reply(w, map[string]any{"ok": true, "view": map[string]any{"id": "VHOME"}})
	default:
		s.fail("unexpected Web API call %s", c.Method)
		reply(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// reply answers with v as JSON.
func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// userInfo answers users.info for id.
func (s *Server) userInfo(w http.ResponseWriter, id string) {
	u := User{ID: id, Name: strings.ToLower(id), RealName: strings.ToLower(id), DisplayName: strings.ToLower(id), TZ: "Europe/Paris"}
	if s.opts.User != nil {
		var ok bool
		if u, ok = s.opts.User(id); !ok {
			reply(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
	}
	user := map[string]any{"id": u.ID, "name": u.Name, "profile": map[string]any{"display_name": u.DisplayName, "real_name": u.RealName}}
	if u.RealName != "" {
		user["real_name"] = u.RealName
	}
	if u.TZ != "" {
		user["tz"] = u.TZ
	}
	reply(w, map[string]any{"ok": true, "user": user})
}

// userProfile answers users.profile.get for id: the profile users.info
// would give, with the status SetStatus set.
func (s *Server) userProfile(w http.ResponseWriter, id string) {
	u := User{ID: id, RealName: strings.ToLower(id), DisplayName: strings.ToLower(id)}
	if s.opts.User != nil {
		var ok bool
		if u, ok = s.opts.User(id); !ok {
			reply(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
	}
	s.mu.Lock()
	st := s.statuses[id]
	s.mu.Unlock()
	reply(w, map[string]any{"ok": true, "profile": map[string]any{"display_name": u.DisplayName, "real_name": u.RealName,
		"status_text": st.Text, "status_emoji": st.Emoji, "status_expiration": st.Expiration}})
}

// post posts a message to its channel, and answers as Slack does.
func (s *Server) post(w http.ResponseWriter, form map[string]string) {
	p := Post{Channel: form["channel"], Text: form["text"], Blocks: form["blocks"]}
	if md := form["metadata"]; md != "" {
		p.Metadata = json.RawMessage(md)
	}
	s.mu.Lock()
	n := s.nposts
	s.nposts++
	at := s.opts.Start.Add(time.Duration(n) * time.Second)
	if s.opts.Now != nil {
		at = s.opts.Now()
	}
	// The sequence keeps every ts unique, and in order within a second.
	p.TS = fmt.Sprintf("%d.%06d", at.Unix(), (n+1)%1000000)
	s.posts[p.Channel] = append(s.posts[p.Channel], p)
	s.mu.Unlock()
	if s.opts.OnPost != nil {
		s.opts.OnPost(p)
	}
	reply(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS,
		"message": map[string]any{"type": "message", "text": p.Text, "ts": p.TS}})
}

// history answers conversations.history as Slack does: the channel's
// messages newest first, from oldest on (inclusive when asked), limit at a
// time with a cursor to the next page; metadata only when
// include_all_metadata is set.
func (s *Server) history(w http.ResponseWriter, form map[string]string) {
	oldest, _ := strconv.ParseFloat(form["oldest"], 64)
	s.mu.Lock()
	all := s.posts[form["channel"]]
	var msgs []map[string]any
	for i := len(all) - 1; i >= 0; i-- {
		p := all[i]
		ts, _ := strconv.ParseFloat(p.TS, 64)
		if form["oldest"] != "" && (ts < oldest || ts == oldest && form["inclusive"] != "1") {
			continue
		}
		m := map[string]any{"type": "message", "user": "UBOT", "text": p.Text, "ts": p.TS}
		if p.Metadata != nil && form["include_all_metadata"] == "1" {
			m["metadata"] = p.Metadata
		}
		msgs = append(msgs, m)
	}
	s.mu.Unlock()
	from, _ := strconv.Atoi(form["cursor"])
	limit, _ := strconv.Atoi(form["limit"])
	if limit <= 0 {
		limit = 100
	}
	from = min(max(from, 0), len(msgs))
	to := min(from+limit, len(msgs))
	next := ""
	if to < len(msgs) {
		next = strconv.Itoa(to)
	}
	reply(w, map[string]any{"ok": true, "messages": msgs[from:to], "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}
