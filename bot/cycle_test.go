package bot_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func TestCycleOn(t *testing.T) {
	t.Parallel()
	start := bot.Date{Year: 2026, Month: 11, Day: 23}
	e := &bot.Engagement{Start: start, CycleDays: 90}
	tests := []struct {
		name      string
		day       bot.Date
		n         int
		cycleDay  int
		label     string
		end       bot.Date
		containsD bool
	}{
		{"before the start (invited)", start.AddDays(-3), 1, 1, "Cycle 1 · day 1 of 90", start.AddDays(89), false},
		{"day 1", start, 1, 1, "Cycle 1 · day 1 of 90", start.AddDays(89), true},
		{"day 85", start.AddDays(84), 1, 85, "Cycle 1 · day 85 of 90", start.AddDays(89), true},
		{"day 90, the last", start.AddDays(89), 1, 90, "Cycle 1 · day 90 of 90", start.AddDays(89), true},
		{"day 91 starts cycle 2", start.AddDays(90), 2, 1, "Cycle 2 · day 1 of 90", start.AddDays(179), true},
		{"day 104", start.AddDays(103), 2, 14, "Cycle 2 · day 14 of 90", start.AddDays(179), true},
		{"day 180", start.AddDays(179), 2, 90, "Cycle 2 · day 90 of 90", start.AddDays(179), true},
		{"day 181", start.AddDays(180), 3, 1, "Cycle 3 · day 1 of 90", start.AddDays(269), true},
		{"day 365", start.AddDays(364), 5, 5, "Cycle 5 · day 5 of 90", start.AddDays(449), true},
		// Dates do not move with DST: 2027-03-28 (Europe's spring change)
		// is one day like any other.
		{"across a DST change", bot.Date{Year: 2027, Month: 3, Day: 28}, 2, 36, "Cycle 2 · day 36 of 90", start.AddDays(179), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := e.CycleOn(tt.day)
			if c.N != tt.n || c.Day(tt.day) != tt.cycleDay || c.Label(tt.day) != tt.label || c.End() != tt.end || c.Contains(tt.day) != tt.containsD {
				t.Errorf("CycleOn(%s) = cycle %d day %d %q ending %s contains %v; want %d, %d, %q, %s, %v",
					tt.day, c.N, c.Day(tt.day), c.Label(tt.day), c.End(), c.Contains(tt.day), tt.n, tt.cycleDay, tt.label, tt.end, tt.containsD)
			}
		})
	}
	// Consecutive cycles tile the calendar: no gap, no overlap.
	for n := 1; n < 20; n++ {
		if a, b := e.CycleN(n), e.CycleN(n+1); a.End().AddDays(1) != b.Start || b.N != n+1 {
			t.Fatalf("cycle %d ends %s, cycle %d starts %s", n, a.End(), b.N, b.Start)
		}
	}
	// A day is never shown past the cycle's length.
	for d := start.AddDays(-5); d.Before(start.AddDays(800)); d = d.AddDays(1) {
		if c := e.CycleOn(d); c.Day(d) < 1 || c.Day(d) > 90 {
			t.Fatalf("%s: day %d of 90", d, c.Day(d))
		}
	}
}

func TestCycleReviewDay(t *testing.T) {
	t.Parallel()
	// Cycle 1 of an engagement from Monday 2026-11-23 ends Saturday 2027-02-20.
	c := (&bot.Engagement{Start: bot.Date{Year: 2026, Month: 11, Day: 23}, CycleDays: 90}).CycleN(1)
	for wd, want := range map[time.Weekday]bot.Date{
		time.Friday:   {Year: 2027, Month: 2, Day: 19},
		time.Saturday: {Year: 2027, Month: 2, Day: 20},
		time.Sunday:   {Year: 2027, Month: 2, Day: 14},
		time.Monday:   {Year: 2027, Month: 2, Day: 15},
	} {
		if got := c.ReviewDay(wd); got != want || got.Weekday() != wd || got.After(c.End()) || c.End().Sub(got) > 6 {
			t.Errorf("ReviewDay(%s) = %s, want %s", wd, got, want)
		}
	}
}

func TestCycleRocksSince(t *testing.T) {
	t.Parallel()
	start := bot.Date{Year: 2026, Month: 11, Day: 23}
	tests := []struct {
		name string
		at   time.Time
		want bot.Date // the UTC day whose start is returned
	}{
		{"in cycle 1", time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC), start.AddDays(-1)},
		{"cycle 1's last hours in UTC", time.Date(2027, 2, 20, 9, 0, 0, 0, time.UTC), start.AddDays(-1)},
		// 10:00 UTC on day 90 is already day 91 at UTC+14 (Kiritimati).
		{"cycle 2's first hour in UTC+14", time.Date(2027, 2, 20, 10, 0, 0, 0, time.UTC), start.AddDays(89)},
		{"in cycle 3", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), start.AddDays(179)},
	}
	for _, tt := range tests {
		if got := bot.CycleRocksSince(start, 90, tt.at); !got.Equal(tt.want.UTC()) {
			t.Errorf("%s: CycleRocksSince = %s, want %s", tt.name, got, tt.want.UTC())
		}
	}
	if got := bot.CycleRocksSince(bot.Date{}, 90, time.Now()); !got.IsZero() {
		t.Errorf("no start: %s, want zero", got)
	}
}
