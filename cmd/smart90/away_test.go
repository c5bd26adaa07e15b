package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestChatAway plays testdata/away.txt: Ana sets an out-of-office status
// for the week of 2026-12-14. None of that week's prompts reach her, each
// is recorded as skipped with its reason, the coach's digest does not call
// her silent or count the days as missed, her streak survives the week,
// and her prompts come again once the status has expired. Bob's "In a Zoom
// meeting" is not out of office: his prompts come all week.
func TestChatAway(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "smart90.db")
	out := runScript(t, "away.txt", "2026-12-07T07:00:00Z", []string{"-sqlite", db, "-charts=false"}, env(nil))
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

	want(out, "(ana's status: :palm_tree: Skiing, back on the 21st, until the end of 2026-12-18, Europe/Paris)")
	away := section(t, out, "ana> :at 2026-12-19 12:00", "ana> :at 2026-12-21 09:05")
	wantNot(away, "smart90 → ana (DM)")
	for _, day := range []string{"Mon 2026-12-14", "Tue 2026-12-15", "Wed 2026-12-16", "Thu 2026-12-17", "Fri 2026-12-18"} {
		want(away, "· "+day+" 09:00 EST:") // Bob's, all week
	}
	want(away, "· Fri 2026-12-18 15:00 EST:\n    *Weekly accountability*")

	// Back: Monday's check-in comes, after the digest of her week away.
	back := section(t, out, "ana> :at 2026-12-21 09:05", "ana> :click Answer")
	if !regexp.MustCompile(`smart90 → ana \(DM\) \[m\d+\] · Mon 2026-12-21 09:00 CET:\n    \*Cycle 1 · day 15 of 90\*`).MatchString(back) {
		t.Errorf("no check-in for Ana on Monday 2026-12-21:\n%s", back)
	}
	digest := section(t, out, "*Weekly digest · week of 2026-12-14* for @coach", "smart90 → ana (DM)")
	wantNot(digest, "*ana* · check-ins 0/", "ana (silent", "silent: ana", "silent: bob, ana")
	want(digest, "bob (silent for 10 check-ins in a row")
	// Why nothing was asked of her, in the digest's first message.
	want(digest, "no prompts this week: ana (off: out of office (Mon–Fri))")
	// Five check-ins, a week away, one more: the streak holds.
	want(section(t, out, "coach> /smart90 clients", "\n\n"), "*ana* — Cycle 1 · day 15 of 90 · this week 1/1 check-ins · streak 6")

	// What is stored: each of Ana's prompts that week skipped, with why.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT d.kind, d.period, d.state, d.skip_reason FROM deliveries d JOIN people p ON p.id = d.person_id
		WHERE p.external_id = 'ana' AND d.period >= '2026-12-14' AND d.period < '2026-12-21' OR p.external_id = 'ana' AND d.period = '2026-W51'
		ORDER BY d.period, d.kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var kind, period, state, reason string
		if err := rows.Scan(&kind, &period, &state, &reason); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s", kind, period, state, reason))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	wantRows := []string{"daily 2026-12-14 skipped out of office", "daily 2026-12-15 skipped out of office", "daily 2026-12-16 skipped out of office",
		"daily 2026-12-17 skipped out of office", "daily 2026-12-18 skipped out of office", "weekly 2026-W51 skipped out of office"}
	if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("Ana's deliveries of the week away:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
}

// TestChatAwayWords: SMART90_AWAY_WORDS replaces the default list: a palm
// tree no longer skips prompts, a sloth does.
func TestChatAwayWords(t *testing.T) {
	t.Parallel()
	script := `:as coach Europe/London
/smart90 invite @ana
/smart90 invite @bob
:as ana Europe/Paris
:click Accept
/smart90 rocks add Launch the pricing page
:as bob Europe/Paris
:click Accept
/smart90 rocks add Raise the seed round
:status ana :palm_tree: Vacation
:status bob :sloth:
:at 2026-12-08 09:05
`
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"chat", "-now", "2026-12-07T12:00:00Z", "-tz", "UTC", "-files", t.TempDir(), "-sqlite", filepath.Join(t.TempDir(), "smart90.db"), "-charts=false"}
	if err := Run(ctx, args, strings.NewReader(script), &stdout, &stderr, env(map[string]string{"SMART90_AWAY_WORDS": " :sloth: , gone fishing ,"})); err != nil {
		t.Fatalf("chat: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	if !regexp.MustCompile(`smart90 → ana \(DM\) \[m\d+\] · Tue 2026-12-08 09:00 CET:`).MatchString(out) {
		t.Errorf("Ana's palm tree skipped her check-in with SMART90_AWAY_WORDS=:sloth::\n%s", out)
	}
	if regexp.MustCompile(`smart90 → bob \(DM\) \[m\d+\] · Tue 2026-12-08 09:00 CET:`).MatchString(out) {
		t.Errorf("Bob's sloth did not skip his check-in:\n%s", out)
	}
}
