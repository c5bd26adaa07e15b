package teams

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
)

// failNth makes the connector fail the n-th SendToConversation (from 1)
// with f, and nothing else.
func failNth(h *teamsBundle, n int, f *teamstest.Failure) {
	var mu sync.Mutex
	sends := 0
	h.conn.Fail = func(c teamstest.Call) *teamstest.Failure {
		if c.Op != "SendToConversation" {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if sends++; sends == n {
			return f
		}
		return nil
	}
}

// posted is what the connector accepted: one line per activity, its text
// or, for a file's consent card, "offer <name>".
func posted(h *teamsBundle) []string {
	var out []string
	for _, c := range h.conn.Calls() {
		if c.Op != "SendToConversation" || c.ID == "" {
			continue
		}
		atts, _ := c.Body["attachments"].([]any)
		if len(atts) == 1 {
			if a, _ := atts[0].(map[string]any); a["contentType"] == contentTypeFileConsent {
				out = append(out, "offer "+a["name"].(string))
				continue
			}
		}
		out = append(out, c.Text())
	}
	return out
}

var lineNo = regexp.MustCompile(`line (\d+)\b`)

// TestSendPartialResume: a message of three cards whose second is
// throttled returns a *bot.PartialSendError (one card out, the first's
// reference, the 429 with its operation and Retry-After inside); the retry
// with SkipParts posts the second and third, so every card reached Teams
// exactly once, in order.
func TestSendPartialResume(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.say(t, anaID, "Ana", "help") // Ana's chat is known
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	msg := bot.Message{Text: "Weekly digest"}
	for i := range 400 {
		msg.Sections = append(msg.Sections, fmt.Sprintf("line %d %s", i, strings.Repeat("x", 60)))
	}
	if n := len(Cards(msg, nil)); n != 3 {
		t.Fatalf("the message renders as %d cards, want 3", n)
	}
	h.conn.Reset()
	failNth(h, 2, &teamstest.Failure{Status: 429, Code: "Throttled", RetryAfter: "2"})
	to := bot.Destination{Installation: inst, UserID: anaID}

	ref, err := h.messenger.Send(context.Background(), to, msg)
	var partial *bot.PartialSendError
	want := "a:chat-29:ana|" + h.conn.Calls()[0].ID
	if !errors.As(err, &partial) || partial.Sent != 1 || partial.Ref != want || ref != partial.Ref {
		t.Fatalf("Send = %q, %v; want a partial send of 1 card, ref %s", ref, err, want)
	}
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.Method != "SendToConversation" || ra.RetryAfter() != 2*time.Second {
		t.Errorf("the failure inside: %v; want SendToConversation's 429 asking for 2s", err)
	}

	to.SkipParts = partial.Sent
	ref, err = h.messenger.Send(context.Background(), to, msg)
	if want := "a:chat-29:ana|" + h.conn.Calls()[2].ID; err != nil || ref != want {
		t.Fatalf("resumed Send = %q, %v; want %s, the first card posted now", ref, err, want)
	}
	// What Teams accepted: each line once, in order, the heading first.
	var got, lines []string
	for i, text := range posted(h) {
		if i == 0 && !strings.HasPrefix(text, "Weekly digest") {
			t.Errorf("the first card posted is not the message's start: %.40q", text)
		}
		for _, m := range lineNo.FindAllStringSubmatch(text, -1) {
			got = append(got, m[1])
		}
	}
	for i := range 400 {
		lines = append(lines, strconv.Itoa(i))
	}
	if !slices.Equal(got, lines) {
		t.Errorf("lines posted %v, want 0…399 once each in order", got)
	}
	if n := len(h.conn.Calls()); n != 4 {
		t.Errorf("%d connector calls, want 4: three cards and the throttled one, no retry inside the connector", n)
	}
}

// TestSendPartialFiles: files offered in a 1:1 chat are parts after the
// text. The first offer failing reports the text as sent and keeps no
// data for the offer nobody saw; the retry offers both files, once each.
func TestSendPartialFiles(t *testing.T) {
	t.Parallel()
	var state bot.ConversationState
	h := setup(t, func(h *teamsBundle, mc *MessengerConfig) {
		state = inproc.NewState(h.Clock)
		mc.Files = state
	})
	h.say(t, anaID, "Ana", "help")
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	h.conn.Reset()
	failNth(h, 2, &teamstest.Failure{Status: 503, Code: "ServiceUnavailable"})
	msg := bot.Message{Text: "Your data, as JSON and CSV.", Files: []bot.File{
		{Name: "smart90.json", Data: []byte(`{"rocks":[]}`)}, {Name: "checkins.csv", Data: []byte("day,moved\n")}}}
	to := bot.Destination{Installation: inst, UserID: anaID}

	_, err = h.messenger.Send(context.Background(), to, msg)
	var partial *bot.PartialSendError
	if !errors.As(err, &partial) || partial.Sent != 1 {
		t.Fatalf("Send: %v; want a partial send of the text only", err)
	}
	if code := bot.ErrorCode(err); errors.As(err, new(*bot.RetryAfterError)) || code == bot.EFORBIDDEN || code == bot.ENOTFOUND {
		t.Errorf("the failure inside: %v; want a transient 503 without Retry-After", err)
	}
	// Both offers were kept before sending; the one that failed and the
	// one never sent are forgotten.
	failed := h.conn.Calls()[1]
	key := failed.Body["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)["acceptContext"].(map[string]any)["key"].(string)
	if v, err := state.Get(context.Background(), key); err != nil || v != "" {
		t.Errorf("the offer that did not go out is still kept: %q, %v", v, err)
	}

	to.SkipParts = partial.Sent
	if _, err := h.messenger.Send(context.Background(), to, msg); err != nil {
		t.Fatalf("resumed Send: %v", err)
	}
	got := posted(h)
	if want := []string{"Your data, as JSON and CSV.", "offer smart90.json", "offer checkins.csv"}; !slices.Equal(got, want) {
		t.Errorf("posted %q, want %q", got, want)
	}
	to.SkipParts = 3
	h.conn.Reset()
	if ref, err := h.messenger.Send(context.Background(), to, msg); err != nil || ref != "" || len(h.conn.Calls()) != 0 {
		t.Errorf("Send with every part skipped = %q, %v, %d calls; want nothing sent", ref, err, len(h.conn.Calls()))
	}
}

// TestSendImages: a message's images follow its card, each in a message
// of its own as an inline image (image/png, the PNG as a data URI, named
// with its title), each a part: a retry after a failed image posts only
// the images that did not go out.
func TestSendImages(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.say(t, anaID, "Ana", "help")
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	h.conn.Reset()
	failNth(h, 3, &teamstest.Failure{Status: 503, Code: "ServiceUnavailable"})
	pngs := [][]byte{[]byte("\x89PNG calendar"), []byte("\x89PNG energy")}
	msg := bot.Message{Text: "*Ana* · check-ins 5/5", Images: []bot.Image{
		{Name: "ana-checkins.png", Title: "Ana · check-ins, cycle 1", PNG: pngs[0]},
		{Name: "ana-energy.png", Title: "Ana · energy, cycle 1", PNG: pngs[1]}}}
	to := bot.Destination{Installation: inst, UserID: anaID}

	_, err = h.messenger.Send(context.Background(), to, msg)
	var partial *bot.PartialSendError
	if !errors.As(err, &partial) || partial.Sent != 2 {
		t.Fatalf("Send: %v; want a partial send of the card and the first image", err)
	}
	to.SkipParts = partial.Sent
	if _, err := h.messenger.Send(context.Background(), to, msg); err != nil {
		t.Fatalf("resumed Send: %v", err)
	}
	var got []string
	for _, c := range h.conn.Calls() {
		if c.Op != "SendToConversation" || c.ID == "" {
			continue
		}
		atts, _ := c.Body["attachments"].([]any)
		if len(atts) != 1 {
			t.Fatalf("a message with %d attachments, want 1", len(atts))
		}
		a := atts[0].(map[string]any)
		if a["contentType"] != "image/png" {
			got = append(got, c.Text())
			continue
		}
		data, ok := strings.CutPrefix(a["contentUrl"].(string), "data:image/png;base64,")
		b, err := base64.StdEncoding.DecodeString(data)
		if !ok || err != nil || !slices.ContainsFunc(pngs, func(p []byte) bool { return bytes.Equal(p, b) }) {
			t.Errorf("image %v: contentUrl is not one of the PNGs as a data URI (%v)", a["name"], err)
		}
		got = append(got, "image "+a["name"].(string))
	}
	if want := []string{"**Ana** · check-ins 5/5", "image Ana · check-ins, cycle 1", "image Ana · energy, cycle 1"}; !slices.Equal(got, want) {
		t.Errorf("posted %q, want %q", got, want)
	}
}
