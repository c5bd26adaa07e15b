package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/sqlite"
)

// env returns a getenv with only the given variables set.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runLoop drives `smart90 chat` with testdata/loop.txt and returns the transcript.
func runLoop(t *testing.T, args []string, getenv func(string) string) string {
	t.Helper()
	return runScript(t, "loop.txt", "2026-11-22T18:00:00Z", args, getenv)
}

// runScript drives `smart90 chat` with testdata/name, the clock starting
// at now, and returns the transcript.
func runScript(t *testing.T, name, now string, args []string, getenv func(string) string) string {
	t.Helper()
	in, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out, errs bytes.Buffer
	// A guard against a hang, not a speed target: two quarters under the
	// race detector on a busy machine take minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	args = append([]string{"chat", "-now", now, "-tz", "UTC", "-files", t.TempDir()}, args...)
	if err := Run(ctx, args, in, &out, &errs, getenv); err != nil {
		t.Fatalf("chat: %v\nstderr:\n%s", err, errs.String())
	}
	t.Logf("stderr:\n%s", errs.String())
	return out.String()
}

func TestChatLoopSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "smart90.db")
	out := runLoop(t, []string{"-sqlite", path}, env(nil))
	checkTranscript(t, out)

	s, err := sqlite.Open(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkStored(t, s)
}

func TestChatLoopPostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	out := runLoop(t, nil, env(map[string]string{"SMART90_DATABASE_URL": url}))
	checkTranscript(t, out)

	s, err := postgres.Open(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkStored(t, s)
}

// section returns the transcript from the first line containing from up
// to the next line containing to.
func section(t *testing.T, out, from, to string) string {
	t.Helper()
	i := strings.Index(out, from)
	if i < 0 {
		t.Fatalf("transcript has no %q:\n%s", from, out)
	}
	rest := out[i:]
	if j := strings.Index(rest[len(from):], to); j >= 0 {
		rest = rest[:len(from)+j]
	}
	return rest
}

func checkTranscript(t *testing.T, out string) {
	t.Helper()
	want := func(part, s string) {
		t.Helper()
		if !strings.Contains(part, s) {
			t.Errorf("missing %q in:\n%s", s, part)
		}
	}
	// The check-ins: one by plain replies, one by form.
	mon := section(t, out, "clock → Mon 2026-11-23", "clock →")
	want(mon, "*Cycle 1 · day 2 of 90* · Monday 2026-11-23")
	want(mon, "• #1 priority: review the copy with design (rock 1, Launch the pricing page)")
	want(mon, "• Energy: 4/5")
	want(mon, "smart90 → ana (DM) [m3] · Mon 2026-11-23 09:00 CET:")
	tue := section(t, out, "clock → Tue 2026-11-24", "clock →")
	want(tue, "Saved — thank you!")
	want(tue, "• #1 priority: screen five CTO candidates (rock 2, Hire a CTO)")

	// From Wednesday to Friday 15:00 the clock stops wherever a prompt is
	// due: Thursday's and Friday's check-ins and reminders arrive in order,
	// each at its local time, before the weekly prompt.
	fri := section(t, out, "clock → Fri 2026-11-27", "ana> on track 40")
	last := -1
	for _, s := range []string{
		"smart90 → ana (DM) [m6] · Thu 2026-11-26 09:00 CET:\n    *Cycle 1 · day 5 of 90* · Thursday 2026-11-26",
		"smart90 → ana (DM) [m7] · Thu 2026-11-26 11:00 CET:\n    *Cycle 1 · day 5 of 90* · Thursday 2026-11-26\n    A gentle reminder",
		"smart90 → ana (DM) [m8] · Fri 2026-11-27 09:00 CET:\n    *Cycle 1 · day 6 of 90* · Friday 2026-11-27",
		"smart90 → ana (DM) [m9] · Fri 2026-11-27 11:00 CET:\n    *Cycle 1 · day 6 of 90* · Friday 2026-11-27\n    A gentle reminder",
		"smart90 → ana (DM) [m10] · Fri 2026-11-27 15:00 CET:",
	} {
		i := strings.Index(fri, s)
		if i <= last {
			t.Errorf("want %q after the previous prompt in:\n%s", s, fri)
		}
		last = max(last, i)
	}

	// The digest: a parent in #coaching and a thread reply for Ana.
	digest := section(t, out, "smart90 → #coaching [", "coach> /smart90 clients")
	for _, s := range []string{
		"*Weekly digest · week of 2026-11-23* for @coach",
		"1 client · 1 reported",
		"Rocks off track: 1 (ana: Hire a CTO)",
		"At risk: nobody",
		"↳ thread m",
		"*ana* · check-ins 2/4 (50%) · streak 0 · energy 3.5",
		"• 2. Hire a CTO — off track · 10% (was on track · 0%)\n        – Fri 27 Nov: no strong candidates yet",
		"• 3. Close 3 pilots — on track · 33% (was 0%)",
		// Tuesday's answer reports on Monday's priority, for rock 1.
		"*What moved*\n    Rock 1, Launch the pricing page\n    • Tue 24 Nov: design approved the copy\n    Not linked to a rock\n    • Mon 23 Nov: shipped the pricing draft",
		"*#1 priorities*\n    • Mon 23 Nov: review the copy with design (rock 1)\n    • Tue 24 Nov: screen five CTO candidates (rock 2)",
		"*Win*: signed the first pilot",
		"*For you*: how to find CTO candidates faster",
		"*Stuck*\n    • legal review is slow — Mon 23 Nov\n    • the CTO search — Fri 27 Nov",
	} {
		want(digest, s)
	}
	want(section(t, out, "coach> /smart90 clients", "coach> /smart90 brief"), "this week no check-ins due")

	brief := section(t, out, "coach> /smart90 brief @ana", "coach> /smart90 session")
	for _, s := range []string{
		"*Brief: ana* — since the cycle started",
		"*Momentum*: check-ins 1/3 (33%) · energy 3.0 · too early for a 4-week usual",
		"*Needs attention*: rock 2, Hire a CTO — off track for 3 days (since Fri 27 Nov), 10% done with 11% of its time gone",
		"*Open with*: their ask from the week of Mon 23 Nov — how to find CTO candidates faster",
		"Check-ins 2/4 (50%)",
		"• week of Mon 23 Nov: signed the first pilot",
		"• legal review is slow — Mon 23 Nov",
		"• week of Mon 23 Nov: how to find CTO candidates faster",
		"• Tue 24 Nov: screen five CTO candidates (rock 2)",
	} {
		want(brief, s)
	}
	want(out, "Logged a session with ana on 2026-11-30.")
}

func checkStored(t *testing.T, s bot.Store) {
	t.Helper()
	ctx := context.Background()
	inst, err := s.InstallationByExternalID(ctx, bot.PlatformConsole, "local")
	if err != nil {
		t.Fatal(err)
	}
	ana, err := s.PersonByExternalID(ctx, inst.ID, "ana")
	if err != nil {
		t.Fatal(err)
	}
	coach, err := s.PersonByExternalID(ctx, inst.ID, "coach")
	if err != nil {
		t.Fatal(err)
	}
	if !coach.IsCoach || coach.DigestChannel != "coaching" || ana.TimeZone != "Europe/Paris" {
		t.Errorf("people: coach %+v, ana %+v", coach, ana)
	}
	e, err := s.LiveEngagementForClient(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.CoachID != coach.ID || e.Status != bot.EngagementActive || e.Start != (bot.Date{Year: 2026, Month: 11, Day: 22}) {
		t.Errorf("engagement: %+v", e)
	}
	rocks, err := s.Rocks(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rocks) != 3 || rocks[1].Title != "Hire a CTO" || rocks[1].Status != bot.RockOffTrack || rocks[1].Progress != 10 ||
		rocks[1].Due != (bot.Date{Year: 2027, Month: 1, Day: 31}) || rocks[2].Progress != 33 {
		t.Errorf("rocks: %+v %+v %+v", rocks[0], rocks[1], rocks[2])
	}
	checkins, err := s.CheckIns(ctx, e.ID, bot.Date{Year: 2026, Month: 11, Day: 23}, bot.Date{Year: 2026, Month: 11, Day: 29})
	if err != nil {
		t.Fatal(err)
	}
	if len(checkins) != 3 {
		t.Fatalf("check-ins: got %d, want 3 (Mon, Tue, Wed off)", len(checkins))
	}
	mon, tue, wed := checkins[0], checkins[1], checkins[2]
	if mon.Status != bot.AnswerComplete || mon.Moved != "shipped the pricing draft" || mon.PriorityRockID != rocks[0].ID || mon.Stuck != "legal review is slow" || mon.Energy != 4 {
		t.Errorf("Monday: %+v", mon)
	}
	if tue.Status != bot.AnswerComplete || tue.Moved != "design approved the copy" || tue.PriorityRockID != rocks[1].ID || tue.Energy != 3 {
		t.Errorf("Tuesday: %+v", tue)
	}
	if wed.Status != bot.AnswerOff {
		t.Errorf("Wednesday: %+v", wed)
	}
	w, err := s.WeeklyReport(ctx, e.ID, bot.Date{Year: 2026, Month: 11, Day: 23})
	if err != nil {
		t.Fatal(err)
	}
	if w.Status != bot.AnswerComplete || len(w.Rocks) != 3 || w.Win != "signed the first pilot" || w.Ask != "how to find CTO candidates faster" ||
		w.Rocks[1].Status != bot.RockOffTrack || w.Rocks[1].Note != "no strong candidates yet" {
		t.Errorf("weekly report: %+v", w)
	}
	// The clock went from Wednesday to Friday afternoon in one :at: the
	// console played the time through, so Thursday's prompt and reminder
	// went out on time instead of being missed past the grace window.
	for _, kind := range []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryReminder} {
		thu, err := s.DeliveryByKey(ctx, ana.ID, kind, "2026-11-26")
		if err != nil || thu.State != bot.DeliverySent || !thu.SentAt.Equal(thu.DueAt) {
			t.Errorf("Thursday's %s, due while the clock went to Friday: %+v, %v", kind, thu, err)
		}
	}
	d, err := s.LatestDigest(ctx, coach.ID)
	if err != nil || d.Week != (bot.Date{Year: 2026, Month: 11, Day: 23}) || d.Channel != "coaching" || !strings.Contains(d.Summary, "1 reported") {
		t.Errorf("digest: %+v, %v", d, err)
	}
	sessions, err := s.Sessions(ctx, e.ID)
	if err != nil || len(sessions) != 1 || sessions[0].Day != (bot.Date{Year: 2026, Month: 11, Day: 30}) {
		t.Errorf("sessions: %+v, %v", sessions, err)
	}
}

// A newcomer's first session: a command before any :as works, a clock
// move too far is refused, and `:advance 1d` from Monday 08:00 plays the
// day through: the 09:00 check-in and its 11:00 reminder arrive on time
// instead of being missed past the grace window.
func TestChatAdvancePlaysTheDay(t *testing.T) {
	t.Parallel()
	in := strings.NewReader(`/smart90 help
:advance 401d
:advance 2562047h
:time
:as coach Europe/Paris
/smart90 invite @ana
:as ana Europe/Paris
:click Accept
:advance 1d
`)
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{"chat", "-now", "2026-11-23T07:00:00Z", "-tz", "UTC", "-files", t.TempDir(),
		"-sqlite", filepath.Join(t.TempDir(), "smart90.db"), "-log-level", "info"}
	if err := Run(ctx, args, in, &out, &errs, env(nil)); err != nil {
		t.Fatalf("chat: %v\nstderr:\n%s", err, errs.String())
	}
	got := out.String()
	for _, s := range []string{
		"you> /smart90 help\n  (you are you, UTC; :as NAME [Area/City] plays someone else)\n  smart90 → you (only you):\n    *smart90 keeps your quarterly rocks alive",
		"you> :advance 401d\n  console: :advance moves the clock at most 400 days at a time; \"401d\" is more. The clock stays at Mon 2026-11-23 07:00 UTC.\n",
		"you> :advance 2562047h\n  console: :advance moves the clock at most 400 days at a time; \"2562047h\" is more. The clock stays at Mon 2026-11-23 07:00 UTC.\n",
		"you> :time\n  time: Mon 2026-11-23 07:00 UTC\n",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("transcript lacks %q:\n%s", s, got)
		}
	}
	day := section(t, got, "ana> :advance 1d", "\x00")
	last := -1
	for _, s := range []string{
		"  clock → Tue 2026-11-24 07:00 UTC · ana: Tue 2026-11-24 08:00 CET (Europe/Paris)\n",
		"  smart90 → ana (DM) [m3] · Mon 2026-11-23 09:00 CET:\n    *Cycle 1 · day 1 of 90* · Monday 2026-11-23\n    Good morning, ana!",
		"  smart90 → ana (DM) [m4] · Mon 2026-11-23 11:00 CET:\n    *Cycle 1 · day 1 of 90* · Monday 2026-11-23\n    A gentle reminder",
	} {
		i := strings.Index(day, s)
		if i <= last {
			t.Errorf("want %q after the previous line in:\n%s", s, day)
		}
		last = max(last, i)
	}
	if strings.Contains(errs.String(), "missed") {
		t.Errorf("the scheduler missed a prompt:\n%s", errs.String())
	}
}

// The console's default zone is the machine's, read as an IANA name.
func TestMachineZone(t *testing.T) {
	t.Parallel()
	for tz, want := range map[string]string{"Asia/Tokyo": "Asia/Tokyo", ":Europe/Paris": "Europe/Paris"} {
		if got := machineZone(env(map[string]string{"TZ": tz})); got != want {
			t.Errorf("TZ=%s: %q; want %q", tz, got, want)
		}
	}
	for _, tz := range []string{"", "Mars/Base", "Local"} {
		got := machineZone(env(map[string]string{"TZ": tz}))
		if _, err := bot.LoadZone(got); err != nil || got == tz {
			t.Errorf("TZ=%q: %q, %v; want the machine's IANA zone or UTC", tz, got, err)
		}
	}
}

// checkReadme checks that the README's console excerpts are real output:
// each excerpt's lines appear in one of the transcripts, in order, whole,
// and an excerpt that elides nothing appears as one piece.
func checkReadme(t *testing.T, outs ...string) {
	t.Helper()
	checkReadmeSection(t, "## The console", outs...)
}

// checkReadmeSection checks each console excerpt of README's section
// under heading against the transcripts outs, as checkReadme does.
func checkReadmeSection(t *testing.T, heading string, outs ...string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec := section(t, string(readme), heading, "\n## ")
	excerpts := 0
	for _, part := range strings.Split(sec, "```text\n")[1:] {
		excerpt, _, _ := strings.Cut(part, "```")
		excerpts++
		var missing string
		for _, out := range outs {
			if missing = excerptMissing(out, excerpt); missing == "" {
				break
			}
		}
		if missing != "" {
			t.Errorf("README's console excerpt %d: %q is not in a transcript (after the lines before it)", excerpts, missing)
		}
	}
	if heading == "## The console" && excerpts < 2 {
		t.Errorf("README's console section has %d text excerpts; want the check-in and the digest at least", excerpts)
	}
	if excerpts == 0 {
		t.Errorf("README's section %q has no console excerpt", heading)
	}
}

// excerptMissing returns the first line of excerpt that out lacks, whole
// and after the lines before it; "" when out has them all.
func excerptMissing(out, excerpt string) string {
	rest := out
	for line := range strings.Lines(excerpt) {
		i := strings.Index(rest, line)
		if i < 0 || i > 0 && rest[i-1] != '\n' {
			return line
		}
		rest = rest[i+len(line):]
	}
	return ""
}
