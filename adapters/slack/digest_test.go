package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/scheduler"
)

// TestDigestThread: a week after Ana starts, the coach's digest is posted
// to the coach's channel as a parent message mentioning the coach, with one
// reply per client in its thread.
func TestDigestThread(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	var ts atomic.Int64
	h.slack.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), ts.Add(1))
	})
	ctx := context.Background()
	h.command(t, "UCOACH", "invite <@UANA|ana>")
	h.command(t, "UCOACH", "digest <#C0COACH|coaching>")
	ana := h.person(t, "UANA")
	e, err := h.Store.LiveEngagementForClient(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	user := map[string]any{"id": "UANA", "name": "ana", "team_id": "T1"}
	h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": map[string]any{"id": "T1"}, "trigger_id": "t",
		"actions": []map[string]any{{"block_id": "b", "action_id": "invite.accept", "value": strconv.FormatInt(e.ID, 10), "type": "button"}}})

	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: h.adapter.cfg.Handler.(scheduler.Deliverer), Clock: h.Clock,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	// Tick hourly for eight days: the week's prompts, then Monday's digest.
	for range 8 * 24 {
		h.Clock.Advance(time.Hour)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var parent *call
	var replies []call
	for _, c := range h.slack.Calls() {
		if c.Method != "chat.postMessage" || c.Form["channel"] != "C0COACH" {
			continue
		}
		if c.Form["thread_ts"] == "" {
			if parent != nil {
				t.Errorf("a second parent message in the coach's channel: %v", c.Form["text"])
			}
			parent = &c
		} else {
			replies = append(replies, c)
		}
	}
	if parent == nil || !strings.Contains(parent.Form["blocks"], "Weekly digest") || !strings.Contains(parent.Form["text"], "<@UCOACH>") {
		t.Fatalf("digest parent = %+v", parent)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Form["blocks"], "uana") {
		t.Fatalf("thread replies = %+v", replies)
	}
	// The reply sits in the parent's thread: its ts is the parent's.
	d, err := h.Store.LatestDigest(ctx, h.person(t, "UCOACH").ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(d.ParentRef, "C0COACH:"); replies[0].Form["thread_ts"] != want || d.Channel != "C0COACH" {
		t.Errorf("reply thread_ts %q, digest %+v", replies[0].Form["thread_ts"], d)
	}

	// The reply's charts are uploaded after it, into the same thread, as PNGs
	// titled with what they show.
	var charts []string
	afterReply := false
	for _, c := range h.slack.Calls() {
		switch {
		case c.Method == "chat.postMessage" && c.Form["thread_ts"] != "":
			afterReply = true
		case c.Method == "upload" && afterReply && !strings.HasPrefix(c.Form["content"], "\x89PNG"):
			t.Errorf("uploaded %s is not a PNG", c.Form["filename"])
		case c.Method == "files.completeUploadExternal" && c.Form["channel_id"] == "C0COACH":
			if !afterReply || c.Form["thread_ts"] != replies[0].Form["thread_ts"] {
				t.Errorf("chart shared in thread %q (after the reply: %v), want the reply's thread %q", c.Form["thread_ts"], afterReply, replies[0].Form["thread_ts"])
			}
			var files []struct{ Title string }
			if err := json.Unmarshal([]byte(c.Form["files"]), &files); err != nil || len(files) != 1 {
				t.Fatalf("files.completeUploadExternal files=%q", c.Form["files"])
			}
			charts = append(charts, files[0].Title)
		}
	}
	want := []string{"uana · check-ins, cycle 1", "uana · energy, cycle 1", "uana · rocks, cycle 1"}
	if len(charts) != len(want) {
		t.Fatalf("charts shared in the coach's channel: %q, want %q", charts, want)
	}
	for i := range want {
		if !strings.HasPrefix(charts[i], want[i]) {
			t.Errorf("chart %d titled %q, want %q…", i, charts[i], want[i])
		}
	}
}
