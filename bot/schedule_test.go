package bot_test

import (
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/smart90/smart90/bot"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAt(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name, zone, day, clock string
		want                   time.Time
	}{
		{"London winter", "Europe/London", "2026-11-25", "09:00", utc("2026-11-25 09:00")},
		{"London summer", "Europe/London", "2026-07-01", "09:00", utc("2026-07-01 08:00")},
		{"London spring gap → end of gap", "Europe/London", "2027-03-28", "01:30", utc("2027-03-28 01:00")},
		{"London just after the gap", "Europe/London", "2027-03-28", "02:00", utc("2027-03-28 01:00")},
		{"London autumn repeat → first", "Europe/London", "2026-10-25", "01:30", utc("2026-10-25 00:30")},
		{"New York spring gap", "America/New_York", "2027-03-14", "02:30", utc("2027-03-14 07:00")},
		{"New York autumn repeat → first (EDT)", "America/New_York", "2026-11-01", "01:30", utc("2026-11-01 05:30")},
		{"New York 09:00 after the change", "America/New_York", "2026-11-02", "09:00", utc("2026-11-02 14:00")},
		{"Lord Howe 30-minute gap", "Australia/Lord_Howe", "2026-10-04", "02:15", utc("2026-10-03 15:30")},
		{"Lord Howe 30-minute repeat → first", "Australia/Lord_Howe", "2027-04-04", "01:45", utc("2027-04-03 14:45")},
		{"Lord Howe summer", "Australia/Lord_Howe", "2026-12-01", "09:00", utc("2026-11-30 22:00")},
		{"Kathmandu +05:45", "Asia/Kathmandu", "2026-11-25", "09:00", utc("2026-11-25 03:15")},
		{"Kiritimati +14", "Pacific/Kiritimati", "2026-11-25", "09:00", utc("2026-11-24 19:00")},
		{"Apia +13", "Pacific/Apia", "2026-11-25", "09:00", utc("2026-11-24 20:00")},
		{"Apia skipped day → first instant after", "Pacific/Apia", "2011-12-30", "09:00", utc("2011-12-30 10:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := bot.ParseDate(tt.day)
			if err != nil {
				t.Fatal(err)
			}
			ct, err := bot.ParseClockTime(tt.clock)
			if err != nil {
				t.Fatal(err)
			}
			if got := bot.At(d, ct, mustZone(t, tt.zone)); !got.Equal(tt.want) {
				t.Errorf("At(%s %s %s) = %s, want %s", tt.day, tt.clock, tt.zone, got.UTC(), tt.want)
			}
		})
	}
}

func TestDailyDue(t *testing.T) {
	t.Parallel()
	paris := mustZone(t, "Europe/Paris")
	base := func() *bot.Engagement {
		return &bot.Engagement{
			Status: bot.EngagementActive, CheckinTime: 9 * 60, Workdays: bot.MonToFri,
			Start: bot.Date{Year: 2026, Month: 11, Day: 23}, CycleDays: 90,
			AcceptedAt: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC),
		}
	}
	day := func(d int) bot.Date { return bot.Date{Year: 2026, Month: 11, Day: d} }
	tests := []struct {
		name   string
		change func(e *bot.Engagement)
		day    bot.Date
		want   bool
	}{
		{"workday", nil, day(25), true},
		{"weekend", nil, day(28), false},
		{"custom workdays", func(e *bot.Engagement) { e.Workdays = 1<<time.Saturday | 1<<time.Sunday }, day(28), true},
		{"before the cycle", nil, day(20), false},
		{"first workday of cycle 2", nil, bot.Date{Year: 2027, Month: 2, Day: 22}, true},
		{"a year on, cycle 5", nil, bot.Date{Year: 2027, Month: 11, Day: 24}, true},
		{"last day of the cycle", nil, bot.Date{Year: 2027, Month: 2, Day: 19}, true},
		{"paused", func(e *bot.Engagement) { e.PauseFrom, e.PauseTo = day(24), day(26) }, day(25), false},
		{"day after the pause", func(e *bot.Engagement) { e.PauseFrom, e.PauseTo = day(24), day(26) }, day(27), true},
		{"paused engagement", func(e *bot.Engagement) { e.Status = bot.EngagementPaused }, day(25), false},
		{"ended", func(e *bot.Engagement) { e.Status = bot.EngagementEnded }, day(25), false},
		{"accepted after that day's time", func(e *bot.Engagement) { e.AcceptedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }, day(25), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := base()
			if tt.change != nil {
				tt.change(e)
			}
			due, ok := e.DailyDue(tt.day, paris)
			if ok != tt.want {
				t.Fatalf("DailyDue(%s) ok = %v, want %v", tt.day, ok, tt.want)
			}
			if ok && !due.Equal(bot.At(tt.day, 9*60, paris)) {
				t.Errorf("due = %s", due)
			}
		})
	}
}

func TestWeeklyAndDigestDue(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	e := &bot.Engagement{Status: bot.EngagementActive, WeeklyWeekday: time.Friday, WeeklyTime: 15 * 60,
		Start: bot.Date{Year: 2026, Month: 11, Day: 23}, CycleDays: 90}
	day, due, ok := e.WeeklyDue(bot.Date{Year: 2026, Month: 11, Day: 23}, ny, nil)
	if !ok || day != (bot.Date{Year: 2026, Month: 11, Day: 27}) || !due.Equal(time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("WeeklyDue = %s %s %v", day, due, ok)
	}
	e.PauseFrom, e.PauseTo = bot.Date{Year: 2026, Month: 11, Day: 27}, bot.Date{Year: 2026, Month: 11, Day: 27}
	if _, _, ok := e.WeeklyDue(bot.Date{Year: 2026, Month: 11, Day: 23}, ny, nil); ok {
		t.Error("WeeklyDue on a paused Friday")
	}
	coach := &bot.Person{DigestWeekday: time.Monday, DigestTime: 7 * 60}
	week, due, ok := coach.DigestDue(bot.Date{Year: 2026, Month: 11, Day: 30}, ny)
	if !ok || week != (bot.Date{Year: 2026, Month: 11, Day: 23}) || !due.Equal(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("DigestDue = %s %s %v", week, due, ok)
	}
	if _, _, ok := coach.DigestDue(bot.Date{Year: 2026, Month: 12, Day: 1}, ny); ok {
		t.Error("DigestDue on a Tuesday")
	}
}
