package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestChatTwoQuarters plays testdata/quarters.txt: one coach in London and
// three clients (Paris, New York, Tokyo) over two full quarters and a few
// days, and checks what each of them sees: the screens on day 85 and day
// 90, the quarterly review answered by replies and by the form, cycle 2's
// first check-in, an early and a late answer, a pause and a settings change
// in the digest, a client ended and invited by another coach, and the
// digest and brief on day 182. It also checks the README's console
// excerpts, which come from this transcript and the one-week loop.
func TestChatTwoQuarters(t *testing.T) {
	t.Parallel()
	out := runScript(t, "quarters.txt", "2027-01-05T07:00:00Z",
		[]string{"-sqlite", filepath.Join(t.TempDir(), "smart90.db"), "-charts=false"}, env(nil))
	loop := runLoop(t, []string{"-sqlite", filepath.Join(t.TempDir(), "loop.db")}, env(nil))
	checkReadme(t, loop, out)

	want := func(part string, ss ...string) {
		t.Helper()
		for _, s := range ss {
			if !strings.Contains(part, s) {
				t.Errorf("missing %q in:\n%s", s, part)
			}
		}
	}
	wantNot := func(part string, ss ...string) {
		t.Helper()
		for _, s := range ss {
			if strings.Contains(part, s) {
				t.Errorf("unexpected %q in:\n%s", s, part)
			}
		}
	}

	// No screen ever counts past the cycle's 90 days.
	for _, m := range regexp.MustCompile(`day (\d+) of 90`).FindAllStringSubmatch(out, -1) {
		if n, _ := strconv.Atoi(m[1]); n < 1 || n > 90 {
			t.Errorf("the transcript says %q", m[0])
		}
	}

	// A late answer by button: on Friday at 08:00 Kenji presses Answer on
	// Thursday's prompt; the answer is Thursday's, and counts in the digest.
	late := section(t, out, "kenji> :click Answer", "# An early answer")
	want(late, "Saved for Thursday 2027-01-07 — thank you!", "• Moved: visited two Osaka buildings")
	// An early answer: Thursday evening Ben answers Friday's; Friday's
	// morning prompt does not come, and the digest counts both days.
	early := section(t, out, "ben> :at 2027-01-07 18:30", "# A settings change")
	want(early, "*Cycle 1 · day 4 of 90* · Friday 2027-01-08", "Saved for Friday 2027-01-08 — thank you! That morning's check-in won't come.")
	wantNot(out, "· Fri 2027-01-08 09:00 EST:", "· Fri 2027-01-08 11:00 EST:")
	week1 := section(t, out, "*Weekly digest · week of 2027-01-04* for @coach", "coach>")
	want(week1, "3 clients · 3 reported", "*ben* · check-ins 2/4 (50%) · streak 2 · energy 4.5", "*kenji* · check-ins 1/3 (33%) · streak 0 · energy 3.0")

	// A settings change mid-week: Kenji's Tuesday, answered before he
	// moved to Mondays, Wednesdays and Fridays, still counts: 1 of 4.
	want(section(t, out, "kenji> /smart90 settings days mon,wed,fri", "kenji> :as coach"),
		"This applies from now on: days already past keep the schedule they had.", "• Daily check-in: 09:00 on mon,wed,fri")
	want(section(t, out, "*Weekly digest · week of 2027-01-11* for @coach", "coach> /smart90 clients"),
		"*kenji* · check-ins 1/4 (25%) · streak 0 · energy 4.0")

	// A pause: planned in one digest, on holiday in the next.
	want(section(t, out, "*Weekly digest · week of 2027-02-08* for @coach", "*Weekly digest · week of 2027-02-15*"),
		"_Holiday planned 2027-02-15 to 2027-02-26._")
	want(section(t, out, "*Weekly digest · week of 2027-02-15* for @coach", "coach> :at 2027-03-01"),
		"3 clients · 0 reported · silent: ben, kenji · no prompts this week: ana (on holiday until 2027-02-26)")
	wantNot(section(t, out, "*Weekly digest · week of 2027-02-15* for @coach", "coach> :at 2027-03-01"), "*ana* · check-ins")
	wantNot(out, "· Mon 2027-02-15 09:00 CET:", "· Fri 2027-02-26 09:00 CET:")

	// Day 85: the coach's screens. Monday 2027-03-29 is Easter Monday in
	// France: Ana was not asked, and it does not count against her.
	day85 := section(t, out, "coach> :at 2027-03-30 12:00", "# Friday 2027-04-02")
	want(day85,
		"*ana* — Cycle 1 · day 85 of 90 · this week 0/1 check-ins · streak 0 · 2 rocks (0 off track)",
		"*kenji* — Cycle 1 · day 85 of 90",
		"*ana's rocks* — Cycle 1 · day 85 of 90, cycle ends 2027-04-04",
		"1. *Launch the pricing page* — done · 100% · due 2027-04-04")

	// Day 88: the quarterly review replaces the weekly report.
	wantNot(out, "*Weekly accountability* · week of 2027-03-29")
	review := section(t, out, "ana> :at 2027-04-02 15:05", "# Day 90")
	want(review,
		"· Fri 2027-04-02 15:00 CEST:\n    *Quarterly review · cycle 1* (2027-01-05 to 2027-04-04)",
		"*1/4* Rock 2, *Hire a CTO* (on track, 0%)",
		"Review saved — your coach will see it in the digest and the brief.",
		"• Rock 2, Hire a CTO: carried over — learned: two finalists left, references next week",
		"• Rock 3, Close 3 pilots: done — learned: the third pilot signed in March",
		"Cycle 2 starts on 2027-04-05 with 1 rock carried over.",
		// Ben, by the form.
		"· Fri 2027-04-02 15:00 EDT:\n    *Quarterly review · cycle 1* (2027-01-05 to 2027-04-04)",
		"• Rock 1, Raise the seed round: done — learned: angels first, funds second",
		"• Rock 3, Hire two engineers: dropped — learned: contractors did it",
		"• Biggest win: the round closed")

	// Day 90: the last day of cycle 1.
	day90 := section(t, out, "coach> :at 2027-04-04 12:00", "# Day 91")
	want(day90,
		"*ana* — Cycle 1 · day 90 of 90 · this week 0/4 check-ins · streak 0 · 1 rock (0 off track)",
		"*ana's rocks* — Cycle 1 · day 90 of 90, cycle ends 2027-04-04",
		"3. *Close 3 pilots* — done · 100% · due 2027-04-04")

	// Day 91: cycle 2 starts; the digest has the reviews, each first
	// check-in says what carried over, an unwritten review is offered.
	day91 := section(t, out, "coach> :at 2027-04-05 07:30", "# Day 120")
	want(day91,
		"*Weekly digest · week of 2027-03-29* for @coach",
		"*Quarterly review · cycle 1*\n    • Rock 2, Hire a CTO: carried over",
		"_Quarterly review of cycle 1 not answered yet (it stays open until 2027-04-18)._",
		"· Mon 2027-04-05 09:00 JST:\n    *Cycle 2 · day 1 of 90* · Monday 2027-04-05\n    Good morning, kenji!\n    *Cycle 2 starts* — 2027-04-05 to 2027-07-03. Carried over from cycle 1: rocks 1, 2, 3 (below), due by 2027-07-03 unless you move them.",
		"Your review of cycle 1 is still open: type `review` for it (five minutes) — until 2027-04-18.",
		"· Mon 2027-04-05 09:00 CEST:\n    *Cycle 2 · day 1 of 90* · Monday 2027-04-05\n    Good morning, ana!\n    *Cycle 2 starts* — 2027-04-05 to 2027-07-03. Carried over from cycle 1: rocks 2 (below), due by 2027-07-03 unless you move them. Set this quarter's rocks",
		"*ana* — Cycle 2 · day 1 of 90",
		"*Your rocks* — Cycle 2 · day 1 of 90, cycle ends 2027-07-03",
		"_2 rocks finished or dropped in earlier cycles: `history` and `export` show them._",
		"*1/5* Rock 1, *Open the Osaka office*")
	wantNot(section(t, out, "*Cycle 2 · day 1 of 90* · Monday 2027-04-05\n    Good morning, ana!", "smart90 →"), "Your review of cycle 1 is still open")

	// Day 120: the coach ends Ben's coaching; Cleo invites him: cycle 1 again.
	switched := section(t, out, "coach> /smart90 end @ben", "# Friday 2027-07-02")
	want(switched,
		"*End your coaching with ben?*",
		"coach ended your coaching on smart90, so your check-ins and weekly reports have stopped.",
		"Ended your coaching with ben, and I've told them.",
		"*cleo invited you to smart90.*",
		"ben accepted your invitation. Cycle 1 starts today, 2027-05-04, and runs to 2027-08-01.",
		"• Daily check-in: 08:30 on mon-fri", "• Reminder: off")
	after := section(t, out, "cleo> :as ben", "\x00")
	if m := regexp.MustCompile(`\*Cycle 2 · day \d+ of 90\* · [^\n]*\n    Good morning, ben!`).FindString(after); m != "" {
		t.Errorf("ben got cycle 2's prompts after he left coach for cleo: %q", m)
	}
	want(after, "*Cycle 1 · day 60 of 90* · Friday 2027-07-02", "*ben* — Cycle 1 · day 63 of 90")

	// Day 182: the coach's digest and brief; Ben now in Cleo's.
	digest := section(t, out, "*Weekly digest · week of 2027-06-28* for @coach", "coach> /smart90 brief")
	want(digest,
		"2 clients · 0 reported · silent: ana, kenji",
		"*Quarterly review · cycle 2*\n    • Rock 2, Hire a CTO: carried over\n    • Rock 4, Expand to Germany: carried over\n    • Biggest win: the first German customer",
		"*Cycle 3 started 2027-07-04* with 2 rocks carried over.",
		"_Quarterly review of cycle 2 not answered yet (it stays open until 2027-07-17)._",
		"*ana* — Cycle 3 · day 2 of 90")
	wantNot(digest, "*ben*")
	want(section(t, out, "*Weekly digest · week of 2027-06-28* for @cleo", "smart90 → #coaching"), "1 client · 0 reported · silent: ben")
	brief := section(t, out, "coach> /smart90 brief @ana", "coach> :as cleo")
	want(brief,
		// Two days into a cycle the brief looks back four weeks, with the
		// review of the cycle just ended.
		"*Brief: ana* — the last 4 weeks (27 days; Cycle 3 · day 2 of 90)",
		"*Quarterly review · cycle 2*",
		"• Biggest win: the first German customer",
		"• 4. Expand to Germany — on track · 0%")
	wantNot(brief, "*Quarterly review · cycle 1*")

	// Prompts go on into cycle 3.
	want(section(t, out, "ana> :at 2027-07-08 09:05", "\x00"), "*Cycle 3 · day 5 of 90* · Thursday 2027-07-08\n    Good morning, ana!")
}
