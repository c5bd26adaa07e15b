package slack

import (
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestOneInstallationReadPerRequest: the core reads the installation (and
// the token in it) once per request, reads the profiles through the
// Messenger with it, and returns it with its replies, which the adapter
// sends with it after the ack: one read, on first contact too.
func TestOneInstallationReadPerRequest(t *testing.T) {
	t.Parallel()
	reads := &bottest.InstallationReads{}
	h := setupHTTP(t, func(s bot.Store) bot.Store { reads.Store = s; return reads })

	dm := func(id string) {
		t.Helper()
		posts := len(h.slack.Calls())
		h.post(t, "application/json", `{"type":"event_callback","team_id":"T1","event_id":"`+id+`","event":{"type":"message","channel":"DANA","user":"UANA","text":"help","ts":"1.`+id+`","channel_type":"im"}}`)
		replied := false
		for _, c := range h.slack.Calls()[posts:] {
			replied = replied || c.Method == "chat.postMessage"
		}
		if !replied {
			t.Fatalf("DM %s: no reply posted", id)
		}
	}
	dm("1") // first contact: the core finds none and creates it
	if got := reads.N.Load(); got != 1 {
		t.Errorf("first contact: %d installation reads, want 1", got)
	}
	reads.N.Store(0)
	dm("2")
	if got := reads.N.Load(); got != 1 {
		t.Errorf("%d installation reads for a DM and its reply, want 1", got)
	}
	reads.N.Store(0)
	h.command(t, "UANA", "help")
	if got := reads.N.Load(); got != 1 {
		t.Errorf("%d installation reads for a slash command, want 1", got)
	}
}
