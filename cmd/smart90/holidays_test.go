package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatHolidays plays testdata/holidays.txt: Sam in London over
// Christmas 2026 and Lena in Berlin over Whitsun 2027, and checks what
// they and their coach see: the notice on the workday before, no prompt
// on the holiday, the weekly report moved to Thursday, the digest's
// counts and its day off, and the effect of `settings holidays off`.
func TestChatHolidays(t *testing.T) {
	t.Parallel()
	out := runScript(t, "holidays.txt", "2026-12-21T07:00:00Z",
		[]string{"-sqlite", filepath.Join(t.TempDir(), "smart90.db"), "-charts=false"}, env(nil))
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

	// Christmas in London: Monday says the weekly report moves, Thursday
	// says Friday and Monday have no check-in; neither day has a prompt.
	want(section(t, out, "smart90 → sam (DM) [m3] · Mon 2026-12-21 09:00 GMT:", "sam>"),
		"Good morning, sam!\n    Your weekly report comes on Thursday this week (Friday is Christmas Day).\n")
	want(section(t, out, "· Thu 2026-12-24 09:00 GMT:", "sam>"),
		"Good morning, sam!\n    Friday is Christmas Day and Monday is Boxing Day (substitute day): no check-ins.\n")
	want(out, "· Thu 2026-12-24 15:00 GMT:\n    *Weekly accountability* · week of 2026-12-21 (Cycle 1 · day 4 of 90)")
	wantNot(out, "· Fri 2026-12-25 09:00 GMT:", "· Mon 2026-12-28 09:00 GMT:", "· Fri 2026-12-25 15:00 GMT:")
	for _, day := range []string{"Tue 2026-12-22", "Wed 2026-12-23"} {
		wantNot(section(t, out, "· "+day+" 09:00 GMT:", "sam>"), "no check-in", "weekly report comes")
	}

	// The digest counts 4 of 4 and says why Friday was off; the clients
	// line says Monday is.
	digest := section(t, out, "*Weekly digest · week of 2026-12-21* for @coach", "coach>")
	want(digest, "1 client · 1 reported", "*sam* · check-ins 4/4 (100%) · streak 4 · energy 4.2 · off: public holiday (Fri 25 Dec)\n")
	want(digest, "At risk: nobody")
	wantNot(digest, "4/5")
	want(section(t, out, "coach> /smart90 clients", "\n\n"),
		"*sam* — Cycle 1 · day 8 of 90 · this week no check-ins due · streak 4 · 1 rock (0 off track) · off: public holiday (Mon 28 Dec)")

	// Settings: the countries known, another country, holidays off; with
	// them off New Year's Day has its check-in and Friday its report.
	want(section(t, out, "sam> /smart90 settings country XX", "sam>"),
		"I don't know the public holidays of \"XX\". I know those of AT, AU, CA, CH, DE, ES, FR, GB, IE, IN, IT, NL, NZ, US.")
	want(section(t, out, "sam> /smart90 settings country IE", "sam>"), "• Public holidays: Ireland, no check-in on them\n")
	want(section(t, out, "sam> /smart90 settings country auto holidays off", "sam>"),
		"• Public holidays: off (`settings holidays on` to skip them again)\n")
	want(out, "· Fri 2027-01-01 09:00 GMT:\n    *Cycle 1 · day 12 of 90* · Friday 2027-01-01\n    Good morning, sam!\n    Your rocks:",
		"· Fri 2027-01-01 15:00 GMT:\n    *Weekly accountability* · week of 2026-12-28")
	wantNot(section(t, out, "· Thu 2026-12-31 09:00 GMT:", "smart90 →"), "New Year")
	want(section(t, out, "sam> /smart90 settings holidays on", "sam>"),
		"• Public holidays: United Kingdom (from your time zone), no check-in on them\n")
	want(section(t, out, "*Weekly digest · week of 2026-12-28* for @coach", "coach>"),
		"*sam* · check-ins 0/4 (0%) · streak 0 · energy – · off: public holiday (Mon 28 Dec)\n")

	// Whitsun in Berlin, from the zone: Friday's check-in says Monday is
	// Whit Monday, Monday has none, and the digest counts 3 of 4.
	want(section(t, out, "lena> /smart90 settings\n", "lena>"), "• Public holidays: Germany (from your time zone), no check-in on them\n")
	want(section(t, out, "· Fri 2027-05-14 09:00 CEST:", "lena>"), "Good morning, lena!\n    Monday is Whit Monday: no check-in.\n")
	wantNot(out, "· Mon 2027-05-17 09:00 CEST:")
	want(section(t, out, "*Weekly digest · week of 2027-05-17* for @coach", "\x00"),
		"*lena* · check-ins 3/4 (75%) · streak 0 · energy 4.7 · off: public holiday (Mon 17 May)\n")

	// The feature's README text quotes this transcript.
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "holidays.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, part := range strings.Split(string(doc), "```text\n")[1:] {
		excerpt, _, _ := strings.Cut(part, "```")
		if missing := excerptMissing(out, excerpt); missing != "" {
			t.Errorf("docs/holidays.md's excerpt %d: %q is not in the transcript", i+1, missing)
		}
	}
}
