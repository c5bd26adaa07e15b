package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

var team = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T123", BotToken: []byte("xoxb-team-token"), Status: bot.InstallationActive}

func TestSendDirectMessage(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	msg := bot.Message{Text: "*Cycle 1 · day 3 of 90*\nGood morning!", Buttons: []bot.Button{{ActionID: "checkin.answer", Label: "Answer", Value: "7"}}}
	for i := range 2 {
		ref, err := m.Send(t.Context(), bot.Destination{Installation: team, UserID: "U061F7AUR"}, msg)
		if err != nil {
			t.Fatal(err)
		}
		// "<channel>:<ts>" of the message posted in the DM.
		if want := fmt.Sprintf("D069C7QFK:%d.%06d", fakeStart.Unix()+int64(i), i+1); ref != want {
			t.Errorf("ref = %q, want %q", ref, want)
		}
	}
	// The DM is opened once, then reused.
	if got, want := f.Methods(), []string{"conversations.open", "chat.postMessage", "chat.postMessage"}; !slices.Equal(got, want) {
		t.Fatalf("calls = %v, want %v", got, want)
	}
	calls := f.Calls()
	if calls[0].Form["users"] != "U061F7AUR" || calls[0].Token != "xoxb-team-token" {
		t.Errorf("conversations.open = %+v", calls[0])
	}
	post := calls[1]
	if post.Form["channel"] != "D069C7QFK" || !strings.Contains(post.Form["text"], "Cycle 1 · day 3 of 90") ||
		!strings.Contains(post.Form["blocks"], `"action_id":"checkin.answer"`) || post.Form["thread_ts"] != "" {
		t.Errorf("chat.postMessage = %+v", post.Form)
	}
}

func TestSendThreadReplyAndChannel(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL, BotToken: "xoxb-single"})
	noToken := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive}
	if _, err := m.Send(t.Context(), bot.Destination{Installation: noToken, Channel: "C0COACH"}, bot.Message{Text: "digest"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Send(t.Context(), bot.Destination{Installation: noToken, ThreadRef: "C0COACH:1700000000.000100"}, bot.Message{Text: "Ana"}); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0].Form["channel"] != "C0COACH" || calls[1].Form["channel"] != "C0COACH" ||
		calls[1].Form["thread_ts"] != "1700000000.000100" || calls[0].Token != "xoxb-single" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		fixture string
		status  int
		header  map[string]string
		code    string        // bot error code, "" for transient
		after   time.Duration // Retry-After
	}{
		{"channel not found", "slack_api_conversations_open_error_channel_not_found.json", 200, nil, bot.ENOTFOUND, 0},
		{"user not found", "slack_api_users_info_error_user_not_found.json", 200, nil, bot.ENOTFOUND, 0},
		{"not in channel", "slack_api_conversations_rename_error_not_in_channel.json", 200, nil, bot.EFORBIDDEN, 0},
		{"rate limited", "", 429, map[string]string{"Retry-After": "30"}, "", 30 * time.Second},
		{"server error", "", 503, nil, "", 0},
		{"other API error", "slack_api_chat_postMessage_error_too_many_attachments.json", 200, nil, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSlack(t)
			f.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if tt.fixture != "" {
					fixture(t, w, tt.fixture)
					return
				}
				w.WriteHeader(tt.status)
			})
			m := NewMessenger(MessengerConfig{APIURL: f.URL})
			ref, err := m.Send(t.Context(), bot.Destination{Installation: team, Channel: "C1"}, bot.Message{Text: "hi"})
			if err == nil {
				t.Fatal("no error")
			}
			// Nothing went out: the error as it is, no reference.
			if ref != "" || errors.As(err, new(*bot.PartialSendError)) {
				t.Errorf("Send = %q, %v; want no reference and no partial send", ref, err)
			}
			// One call: slack-go does not retry a 429 (or anything) itself.
			if n := len(f.Calls()); n != 1 {
				t.Errorf("%d calls (%v), want 1", n, f.Methods())
			}
			if got := bot.ErrorCode(err); tt.code != "" && got != tt.code {
				t.Errorf("code = %q (%v), want %q", got, err, tt.code)
			}
			if tt.code == "" && (bot.ErrorCode(err) == bot.EFORBIDDEN || bot.ErrorCode(err) == bot.ENOTFOUND) {
				t.Errorf("transient failure classified as permanent: %v", err)
			}
			var ra *bot.RetryAfterError
			if errors.As(err, &ra) != (tt.after > 0) || tt.after > 0 && (ra.RetryAfter() != tt.after || ra.Method != "chat.postMessage") {
				t.Errorf("retry after: %v (%v), want %v", ra, err, tt.after)
			}
		})
	}
}

func TestSendWithoutToken(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	_, err := m.Send(t.Context(), bot.Destination{Installation: &bot.Installation{ExternalID: "T9"}, UserID: "U1"}, bot.Message{Text: "hi"})
	if bot.ErrorCode(err) != bot.EFORBIDDEN || len(f.Calls()) != 0 {
		t.Errorf("err = %v, calls %v; want EFORBIDDEN and no call", err, f.Methods())
	}
}

// postOK answers chat.postMessage with a new ts per call (1700000000.000001,
// …), counting the calls, failing those fail says with its status and
// Retry-After.
func postOK(t *testing.T, fail func(n int) (status int, retryAfter string)) func(http.ResponseWriter, *http.Request) {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		if status, after := fail(i); status != 0 {
			if after != "" {
				w.Header().Set("Retry-After", after)
			}
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostFormValue("channel"), i)
	}
}

var lineNo = regexp.MustCompile(`line (\d+)\b`)

// TestSendPartialResume: a digest of three Slack messages whose second is
// throttled returns a *bot.PartialSendError (one part out, the first's
// reference, the 429 with its method and Retry-After inside); the retry
// with SkipParts posts the second and third, so every part reached Slack
// exactly once, in order.
func TestSendPartialResume(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	f.Handle("chat.postMessage", postOK(t, func(n int) (int, string) {
		if n == 2 {
			return http.StatusTooManyRequests, "2"
		}
		return 0, ""
	}))
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	msg := bot.Message{Text: "*Weekly digest*"}
	for i := range 120 {
		msg.Sections = append(msg.Sections, fmt.Sprintf("line %d", i))
	}
	if n := len(Split(msg)); n != 3 {
		t.Fatalf("the digest renders as %d messages, want 3", n)
	}
	to := bot.Destination{Installation: team, Channel: "C0COACH"}

	ref, err := m.Send(t.Context(), to, msg)
	var partial *bot.PartialSendError
	if !errors.As(err, &partial) || partial.Sent != 1 || partial.Ref != "C0COACH:1700000000.000001" || ref != partial.Ref {
		t.Fatalf("Send = %q, %v; want a partial send of 1 part, ref C0COACH:1700000000.000001", ref, err)
	}
	// The core's contract: the scheduler and a pacer outside the adapter
	// read the wait and the throttled method from it.
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.Method != "chat.postMessage" || ra.RetryAfter() != 2*time.Second || bot.RetryAfter(err) != 2*time.Second {
		t.Errorf("the failure inside: %v; want chat.postMessage's 429 asking for 2s", err)
	}
	if code := bot.ErrorCode(err); code == bot.EFORBIDDEN || code == bot.ENOTFOUND {
		t.Errorf("a throttled part classified as permanent: %v", err)
	}

	to.SkipParts = partial.Sent
	ref, err = m.Send(t.Context(), to, msg)
	if err != nil || ref != "C0COACH:1700000000.000003" {
		t.Fatalf("resumed Send = %q, %v; want the ref of the first part posted now, C0COACH:1700000000.000003", ref, err)
	}

	// What Slack accepted (every post but the throttled second): each line
	// once, in order, the heading first.
	var got []string
	for i, c := range f.Calls() {
		if c.Method != "chat.postMessage" || i == 1 {
			continue
		}
		if c.Form["channel"] != "C0COACH" {
			t.Errorf("posted to %q", c.Form["channel"])
		}
		if len(got) == 0 && !strings.Contains(c.Form["blocks"], "Weekly digest") {
			t.Errorf("the first message posted is not the digest's start: %s", c.Form["blocks"])
		}
		for _, m := range lineNo.FindAllStringSubmatch(c.Form["blocks"], -1) {
			got = append(got, m[1])
		}
	}
	var want []string
	for i := range 120 {
		want = append(want, strconv.Itoa(i))
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines posted %v, want 0…119 once each in order", got)
	}
	if n := len(f.Calls()); n != 4 {
		t.Errorf("%d Web API calls (%v), want 4: three parts and the throttled one, no retry inside slack-go", n, f.Methods())
	}
}

// TestSendPartialFiles: files are parts after the text. An export whose
// first file fails to upload reports the text as sent; the retry uploads
// both files and posts no text again; a retry past every part sends
// nothing.
func TestSendPartialFiles(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	var completes atomic.Int32
	f.Handle("files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		if completes.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"files":[{"id":"F1","title":"export"}]}`)
	})
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	msg := bot.Message{Text: "Your data, as JSON and CSV.", Files: []bot.File{
		{Name: "smart90.json", Data: []byte(`{"rocks":[]}`)}, {Name: "checkins.csv", Data: []byte("day,moved\n")}}}
	to := bot.Destination{Installation: team, UserID: "U061F7AUR"}

	ref, err := m.Send(t.Context(), to, msg)
	var partial *bot.PartialSendError
	if !errors.As(err, &partial) || partial.Sent != 1 || partial.Ref != fmt.Sprintf("D069C7QFK:%d.000001", fakeStart.Unix()) {
		t.Fatalf("Send = %q, %v; want a partial send of the text only", ref, err)
	}
	if errors.As(err, new(*bot.RetryAfterError)) || !strings.Contains(err.Error(), "files.completeUploadExternal") {
		t.Errorf("the failure inside: %v; want files.completeUploadExternal's 503, transient", err)
	}

	to.SkipParts = partial.Sent
	if ref, err := m.Send(t.Context(), to, msg); err != nil || ref != "" {
		t.Fatalf("resumed Send = %q, %v; want no error and no message reference (files only)", ref, err)
	}
	to.SkipParts = 3
	if ref, err := m.Send(t.Context(), to, msg); err != nil || ref != "" {
		t.Fatalf("Send with every part skipped = %q, %v; want nothing sent", ref, err)
	}

	var shared []string
	for _, c := range f.Calls() {
		switch c.Method {
		case "chat.postMessage":
			shared = append(shared, "text")
		case "files.completeUploadExternal":
			var files []struct{ Title string }
			if err := json.Unmarshal([]byte(c.Form["files"]), &files); err != nil || len(files) != 1 {
				t.Fatalf("files.completeUploadExternal files=%q", c.Form["files"])
			}
			if c.Form["channel_id"] != "D069C7QFK" {
				t.Errorf("file shared in %q, want the DM", c.Form["channel_id"])
			}
			shared = append(shared, files[0].Title)
		}
	}
	// The first completion failed: the rest is what people saw.
	if want := []string{"text", "smart90.json", "smart90.json", "checkins.csv"}; !slices.Equal(shared, want) {
		t.Errorf("posted and completed %v, want %v (the first smart90.json failed)", shared, want)
	}
}

// TestSendImagesAfterFiles: images are uploaded after the text and the
// files, into the same thread, each counted as a part, so a retry after a
// failed chart upload sends only what is left.
func TestSendImagesAfterFiles(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	var completes atomic.Int32
	f.Handle("files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		if completes.Add(1) == 2 { // the first image
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"files":[{"id":"F1","title":"x"}]}`)
	})
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	msg := bot.Message{Text: "*Ana* · check-ins 5/5", Files: []bot.File{{Name: "notes.csv", Data: []byte("a\n")}},
		Images: []bot.Image{{Name: "ana-checkins.png", Title: "Ana · check-ins", PNG: []byte("\x89PNG1")}, {Name: "ana-energy.png", Title: "Ana · energy", PNG: []byte("\x89PNG2")}}}
	to := bot.Destination{Installation: team, ThreadRef: "C0COACH:1700000000.000001"}

	_, err := m.Send(t.Context(), to, msg)
	var partial *bot.PartialSendError
	if !errors.As(err, &partial) || partial.Sent != 2 {
		t.Fatalf("Send: %v; want a partial send of the text and the file", err)
	}
	to.SkipParts = partial.Sent
	if _, err := m.Send(t.Context(), to, msg); err != nil {
		t.Fatalf("resumed Send: %v", err)
	}
	var shared []string
	for _, c := range f.Calls() {
		switch c.Method {
		case "chat.postMessage":
			shared = append(shared, "text")
		case "files.completeUploadExternal":
			var files []struct{ Title string }
			if err := json.Unmarshal([]byte(c.Form["files"]), &files); err != nil || len(files) != 1 {
				t.Fatalf("files.completeUploadExternal files=%q", c.Form["files"])
			}
			if c.Form["channel_id"] != "C0COACH" || c.Form["thread_ts"] != "1700000000.000001" {
				t.Errorf("%s shared in %q thread %q, want the thread", files[0].Title, c.Form["channel_id"], c.Form["thread_ts"])
			}
			shared = append(shared, files[0].Title)
		}
	}
	if want := []string{"text", "notes.csv", "Ana · check-ins", "Ana · check-ins", "Ana · energy"}; !slices.Equal(shared, want) {
		t.Errorf("posted and completed %v, want %v (the first chart failed once)", shared, want)
	}
}

// TestSentFindsTheTaggedPrompt: every part of a delivery's message carries
// its metadata; Sent finds the parts in the DM by that tag, not another
// delivery's, not before since; it reads the DM, with the metadata, from
// since on, and looks only in DMs.
func TestSentFindsTheTaggedPrompt(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	to := bot.Destination{Installation: team, UserID: "U061F7AUR"}
	since := fakeStart.Add(-time.Minute)

	other := bot.Message{Text: "*Cycle 1 · day 3 of 90*", Key: "41"}
	if _, err := m.Send(t.Context(), to, other); err != nil {
		t.Fatal(err)
	}
	long := bot.Message{Text: "*Weekly report*", Key: "42", Sections: slices.Repeat([]string{"A line of the report."}, 60)}
	if len(Split(long)) < 2 {
		t.Fatalf("the long message is %d parts; the test needs several", len(Split(long)))
	}
	if got, err := m.Sent(t.Context(), to, long, since); err != nil || got != (bot.Receipt{}) {
		t.Fatalf("Sent before it was posted: %+v, %v; want nothing found", got, err)
	}
	ref, err := m.Send(t.Context(), to, long)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range f.Calls() {
		if c.Method != "chat.postMessage" {
			continue
		}
		var md struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		}
		if err := json.Unmarshal([]byte(c.Form["metadata"]), &md); err != nil || md.EventType != "smart90_delivery" ||
			md.EventPayload["delivery"] == nil || md.EventPayload["part"] == nil {
			t.Errorf("call %d: metadata %q (%v); want smart90_delivery with the delivery and the part", i, c.Form["metadata"], err)
		}
	}

	got, err := m.Sent(t.Context(), to, long, since)
	if err != nil || got.Ref != ref || got.Parts != len(Split(long)) || !got.Whole {
		t.Errorf("Sent = %+v, %v; want all %d parts, first %q", got, err, len(Split(long)), ref)
	}
	// Not another delivery's prompt, nor one posted before since.
	if got, err := m.Sent(t.Context(), to, bot.Message{Text: "*Cycle 1 · day 3 of 90*", Key: "43"}, since); err != nil || got != (bot.Receipt{}) {
		t.Errorf("Sent for another delivery = %+v, %v; want nothing", got, err)
	}
	if got, err := m.Sent(t.Context(), to, other, fakeStart.Add(time.Hour)); err != nil || got != (bot.Receipt{}) {
		t.Errorf("Sent since after it was posted = %+v, %v; want nothing", got, err)
	}
	var hist call
	for _, c := range f.Calls() {
		if c.Method == "conversations.history" {
			hist = c
		}
	}
	if hist.Form["channel"] != "D069C7QFK" || hist.Form["include_all_metadata"] != "1" || hist.Form["oldest"] == "" {
		t.Errorf("conversations.history = %+v; want the DM with metadata, from since", hist.Form)
	}

	// Only the first part went out: a retry sends the rest.
	f2 := newFakeSlack(t)
	m2 := NewMessenger(MessengerConfig{APIURL: f2.URL})
	var posts atomic.Int32
	f2.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if posts.Add(1) > 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		f2.Default(w, r)
	})
	if _, err := m2.Send(t.Context(), to, long); !errors.As(err, new(*bot.PartialSendError)) {
		t.Fatalf("Send with the second part failing: %v; want a partial send", err)
	}
	if got, err := m2.Sent(t.Context(), to, long, since); err != nil || got.Parts != 1 || got.Whole || got.Ref == "" {
		t.Errorf("Sent after a part-way send = %+v, %v; want the first part only", got, err)
	}

	for _, to := range []bot.Destination{{Installation: team, Channel: "C0COACH"}, {Installation: team, ThreadRef: "C0COACH:1.2"}} {
		if _, err := m.Sent(t.Context(), to, long, since); !errors.Is(err, bot.ErrCannotCheck) {
			t.Errorf("Sent to %+v: %v; want ErrCannotCheck (only DMs are read)", to, err)
		}
	}
}

// TestSentPages: a DM with more messages since the prompt than a page
// holds is read page by page, and a look that fails is an error, never
// "not sent".
func TestSentPages(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	to := bot.Destination{Installation: team, UserID: "U061F7AUR"}
	prompt := bot.Message{Text: "*Cycle 1 · day 3 of 90*", Key: "7"}
	ref, err := m.Send(t.Context(), to, prompt)
	if err != nil {
		t.Fatal(err)
	}
	for range historyPage + 5 {
		if _, err := m.Send(t.Context(), to, bot.Message{Text: "Noted."}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := m.Sent(t.Context(), to, prompt, fakeStart)
	if err != nil || got.Ref != ref || !got.Whole {
		t.Errorf("Sent under %d newer messages = %+v, %v; want %q", historyPage+5, got, err, ref)
	}
	f.Handle("conversations.history", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":false,"error":"internal_error"}`)
	})
	if got, err := m.Sent(t.Context(), to, prompt, fakeStart); err == nil || errors.Is(err, bot.ErrCannotCheck) {
		t.Errorf("Sent when Slack fails = %+v, %v; want the error", got, err)
	}
}
