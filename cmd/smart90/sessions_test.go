package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestChatSessions plays testdata/sessions.txt: a coach in London books
// sessions with a client in Paris; the brief arrives by itself an hour
// before the first, the notes question after it, the coach's one-line
// answer is in the next brief, `sessions` lists them, a cancelled one is
// marked, and the digest names the client with no session booked.
func TestChatSessions(t *testing.T) {
	t.Parallel()
	out := runScript(t, "sessions.txt", "2026-11-30T08:00:00Z",
		[]string{"-sqlite", filepath.Join(t.TempDir(), "smart90.db"), "-charts=false"}, env(nil))
	checkReadmeSection(t, "## Sessions, calendars and days off", out)
	want := func(part string, ss ...string) {
		t.Helper()
		for _, s := range ss {
			if !strings.Contains(part, s) {
				t.Errorf("missing %q in:\n%s", s, part)
			}
		}
	}

	want(section(t, out, "coach> /smart90 session @ana next 2026-12-03 15:00", "# Ana checks in"),
		"Booked a session with ana: Thu 2026-12-03 15:00 (16:00 for ana, Europe/Paris), 60 min.\n    Your brief arrives 1h before, at 14:00.",
		"Upcoming with ana: Thu 2026-12-03 15:00, Thu 2026-12-10 15:00.",
		"*Upcoming*\n    • Thu 2026-12-03 15:00 · ana · 60 min · booked\n    • Thu 2026-12-10 15:00 · ana · 45 min · booked")

	// The brief, once, an hour before; nothing before it.
	if n := strings.Count(out, "Your session with ana is at 15:00"); n != 2 {
		t.Errorf("%d automatic briefs, want one per session that took place (2)", n)
	}
	first := section(t, out, "coach> :at 2026-12-03 14:00", "# After the session")
	want(first, "smart90 → coach (DM) [m7] · Thu 2026-12-03 14:00 GMT:\n    Your session with ana is at 15:00 (in 1 hour).\n    *Brief: ana* — since the cycle started",
		"*Momentum*", "*Open with*", "legal review of the terms")

	// The notes question at the end, and the one reply.
	after := section(t, out, "coach> :at 2026-12-03 16:05", "# The week after")
	want(after, "· Thu 2026-12-03 16:00 GMT:\n    How did your session with ana go? Reply with a line of notes for your next brief — or ignore this.",
		"Saved to your notes for ana's next brief.",
		"*Past*\n    • Thu 2026-12-03 15:00 · ana · booked — Ana wants the CTO offer out before Christmas")
	if n := strings.Count(out, "How did your session with ana go?"); n != 1 {
		t.Errorf("%d notes questions, want 1", n)
	}

	// The next brief starts from the session that took place, with the notes.
	next := section(t, out, "coach> :at 2026-12-10 14:15", "coach> /smart90 session @ana cancel")
	want(next, "· Thu 2026-12-10 14:00 GMT:\n    Your session with ana is at 15:00 (in 1 hour).\n    *Brief: ana* — since your session on 2026-12-03 (7 days;",
		"*Your notes from 2026-12-03*: Ana wants the CTO offer out before Christmas; check the legal review")
	want(section(t, out, "coach> /smart90 session @ana cancel", "# The Monday digest"),
		"Cancelled the session with ana on Thu 2026-12-10 15:00.",
		"• ~Thu 2026-12-10 15:00 · ana · 45 min · booked~ cancelled")

	want(section(t, out, "*Weekly digest · week of 2026-12-07*", "thread m18"), "No session booked: ana")
	want(section(t, out, "thread m18", "coach>"), "_No session booked in the next 21 days._")
	if strings.Contains(section(t, out, "*Weekly digest · week of 2026-11-30*", "*Weekly digest · week of 2026-12-07*"), "No session booked") {
		t.Error("the digest of the week before, with a session booked, says none is")
	}
}
