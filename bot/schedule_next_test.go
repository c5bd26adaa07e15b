package bot_test

import (
	"cmp"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// The expected instants below are worked out by hand from the tz rules
// (zdump -v), not from At: a table that asks the code for its answers
// pins nothing.

// everyDay makes a daily check-in fall on the Sundays clocks change.
const everyDay = bot.MonToFri | 1<<time.Saturday | 1<<time.Sunday

func ymd(y int, m time.Month, d int) bot.Date { return bot.Date{Year: y, Month: m, Day: d} }

func hm(h, m int) bot.ClockTime { return bot.ClockTime(h*60 + m) }

// utcMinute parses "2006-01-02 15:04" as UTC.
func utcMinute(tb testing.TB, s string) time.Time {
	tb.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// nextEngagement is an active engagement with the default schedule (09:00
// Monday to Friday, weekly report Friday 15:00), its 90-day cycle starting
// on cycle (2026-11-23, a Monday, when ""), accepted the day before.
func nextEngagement(tb testing.TB, cycle string) *bot.Engagement {
	tb.Helper()
	start, err := bot.ParseDate(cmp.Or(cycle, "2026-11-23"))
	if err != nil {
		tb.Fatal(err)
	}
	return &bot.Engagement{
		Status: bot.EngagementActive, CheckinTime: bot.DefaultCheckinTime, Workdays: bot.MonToFri,
		WeeklyWeekday: bot.DefaultWeeklyWeekday, WeeklyTime: bot.DefaultWeeklyTime,
		Start: start, CycleDays: bot.DefaultCycleDays,
		AcceptedAt: start.UTC().AddDate(0, 0, -1),
	}
}

// nextCase is one row of the Next* tables: in zone, asked at at (UTC),
// the next delivery is for period and due at due (UTC), or none (ok false).
type nextCase struct {
	name   string
	zone   string
	cycle  string // the engagement's CycleStart; "" = 2026-11-23
	change func(e *bot.Engagement)
	at     string
	period string
	due    string
	ok     bool
}

// checkNext asks next after at and compares with the row's period, due
// and ok; for a due it also asks a nanosecond before it, which must give
// the same answer.
func checkNext(t *testing.T, at, wantPeriod, wantDue string, wantOK bool, next func(time.Time) (bot.Date, time.Time, bool)) {
	t.Helper()
	period, due, ok := next(utcMinute(t, at))
	if ok != wantOK {
		t.Fatalf("after %s: ok = %v (%s due %s), want %v", at, ok, period, due.UTC(), wantOK)
	}
	if !ok {
		return
	}
	want := utcMinute(t, wantDue)
	if period.String() != wantPeriod || !due.Equal(want) {
		t.Fatalf("after %s: got %s due %s, want %s due %s", at, period, due.UTC(), wantPeriod, want)
	}
	if p, d, ok := next(want.Add(-time.Nanosecond)); !ok || p != period || !d.Equal(due) {
		t.Errorf("just before the due: got %s due %s ok %v, want %s due %s", p, d.UTC(), ok, period, want)
	}
}

func TestNextDaily(t *testing.T) {
	t.Parallel()
	at := func(h, m int) func(e *bot.Engagement) {
		return func(e *bot.Engagement) { e.CheckinTime, e.Workdays = hm(h, m), everyDay }
	}
	pause := func(from, to bot.Date) func(e *bot.Engagement) {
		return func(e *bot.Engagement) { e.PauseFrom, e.PauseTo = from, to }
	}
	status := func(s bot.EngagementStatus) func(e *bot.Engagement) {
		return func(e *bot.Engagement) { e.Status = s }
	}
	tests := []nextCase{
		// Europe/London: GMT; BST from 2027-03-28 01:00 UTC (01:00–02:00
		// local does not exist); GMT again from 2026-10-25 01:00 UTC
		// (01:00–02:00 local happens twice).
		{"London just before", "Europe/London", "", nil, "2026-11-25 08:59", "2026-11-25", "2026-11-25 09:00", true},
		{"London at the due → next day", "Europe/London", "", nil, "2026-11-25 09:00", "2026-11-26", "2026-11-26 09:00", true},
		{"London Friday evening → Monday", "Europe/London", "", nil, "2026-11-27 18:00", "2026-11-30", "2026-11-30 09:00", true},
		{"London weekend workdays", "Europe/London", "", func(e *bot.Engagement) { e.Workdays = 1<<time.Saturday | 1<<time.Sunday }, "2026-11-27 18:00", "2026-11-28", "2026-11-28 09:00", true},
		{"London Saturday before the spring gap, GMT", "Europe/London", "2027-03-01", at(1, 30), "2027-03-27 01:29", "2027-03-27", "2027-03-27 01:30", true},
		{"London spring gap → end of gap", "Europe/London", "2027-03-01", at(1, 30), "2027-03-27 23:00", "2027-03-28", "2027-03-28 01:00", true},
		{"London spring gap, a minute before", "Europe/London", "2027-03-01", at(1, 30), "2027-03-28 00:59", "2027-03-28", "2027-03-28 01:00", true},
		{"London spring gap, at the due → next day BST", "Europe/London", "2027-03-01", at(1, 30), "2027-03-28 01:00", "2027-03-29", "2027-03-29 00:30", true},
		{"London Saturday before the autumn repeat, BST", "Europe/London", "2026-10-01", at(1, 30), "2026-10-24 00:00", "2026-10-24", "2026-10-24 00:30", true},
		{"London Friday GMT → Monday BST", "Europe/London", "2027-03-01", nil, "2027-03-26 09:00", "2027-03-29", "2027-03-29 08:00", true},
		{"London autumn repeat → first occurrence", "Europe/London", "2026-10-01", at(1, 30), "2026-10-24 23:00", "2026-10-25", "2026-10-25 00:30", true},
		{"London autumn repeat, at the first → not the second", "Europe/London", "2026-10-01", at(1, 30), "2026-10-25 00:30", "2026-10-26", "2026-10-26 01:30", true},
		{"London autumn repeat, between the two", "Europe/London", "2026-10-01", at(1, 30), "2026-10-25 01:15", "2026-10-26", "2026-10-26 01:30", true},
		{"London Friday BST → Monday GMT", "Europe/London", "2026-10-01", nil, "2026-10-23 08:00", "2026-10-26", "2026-10-26 09:00", true},

		// America/New_York: EDT from 2027-03-14 07:00 UTC (02:00–03:00
		// local does not exist); EST from 2026-11-01 06:00 UTC (01:00–02:00
		// local happens twice).
		{"New York spring gap → end of gap", "America/New_York", "2027-03-01", at(2, 30), "2027-03-13 12:00", "2027-03-14", "2027-03-14 07:00", true},
		{"New York spring gap, a minute before", "America/New_York", "2027-03-01", at(2, 30), "2027-03-14 06:59", "2027-03-14", "2027-03-14 07:00", true},
		{"New York spring gap, at the due → next day EDT", "America/New_York", "2027-03-01", at(2, 30), "2027-03-14 07:00", "2027-03-15", "2027-03-15 06:30", true},
		{"New York autumn repeat → first occurrence (EDT)", "America/New_York", "2026-10-01", at(1, 30), "2026-10-31 12:00", "2026-11-01", "2026-11-01 05:30", true},
		{"New York autumn repeat, a minute before", "America/New_York", "2026-10-01", at(1, 30), "2026-11-01 05:29", "2026-11-01", "2026-11-01 05:30", true},
		{"New York autumn repeat, at the first → next day EST", "America/New_York", "2026-10-01", at(1, 30), "2026-11-01 05:30", "2026-11-02", "2026-11-02 06:30", true},
		{"New York Friday just before", "America/New_York", "", nil, "2026-11-27 13:59", "2026-11-27", "2026-11-27 14:00", true},
		{"New York Friday evening (Saturday UTC) → Monday", "America/New_York", "", nil, "2026-11-28 02:00", "2026-11-30", "2026-11-30 14:00", true},

		// Australia/Lord_Howe moves by 30 minutes: +10:30 → +11 at
		// 2026-10-03 15:30 UTC (02:00–02:30 local does not exist), +11 →
		// +10:30 at 2027-04-03 15:00 UTC (01:30–02:00 local happens twice).
		{"Lord Howe gap → end of gap", "Australia/Lord_Howe", "2026-10-01", at(2, 15), "2026-10-03 12:00", "2026-10-04", "2026-10-03 15:30", true},
		{"Lord Howe gap, at the due → next day +11", "Australia/Lord_Howe", "2026-10-01", at(2, 15), "2026-10-03 15:30", "2026-10-05", "2026-10-04 15:15", true},
		{"Lord Howe repeat → first occurrence (+11)", "Australia/Lord_Howe", "2027-03-15", at(1, 45), "2027-04-03 14:44", "2027-04-04", "2027-04-03 14:45", true},
		{"Lord Howe repeat, at the first → next day +10:30", "Australia/Lord_Howe", "2027-03-15", at(1, 45), "2027-04-03 14:45", "2027-04-05", "2027-04-04 15:15", true},
		{"Lord Howe repeat, between the two → next day", "Australia/Lord_Howe", "2027-03-15", at(1, 45), "2027-04-03 15:10", "2027-04-05", "2027-04-04 15:15", true},

		// Asia/Kathmandu is +05:45.
		{"Kathmandu just before", "Asia/Kathmandu", "", nil, "2026-11-25 03:14", "2026-11-25", "2026-11-25 03:15", true},
		{"Kathmandu at the due → next day", "Asia/Kathmandu", "", nil, "2026-11-25 03:15", "2026-11-26", "2026-11-26 03:15", true},
		{"Kathmandu Saturday 00:15 local → Monday", "Asia/Kathmandu", "", nil, "2026-11-27 18:30", "2026-11-30", "2026-11-30 03:15", true},

		// Pacific/Apia went from -10 to +14 at 2011-12-30 10:00 UTC: local
		// Thursday 2011-12-29 23:59:59 was followed by Saturday 2011-12-31
		// 00:00, so Friday 2011-12-30 never happened there. DailyDue gives
		// that Friday's check-in at the first instant after the gap.
		// Since 2021 Apia is +13 all year.
		{"Apia Thursday evening → skipped Friday at the first valid instant", "Pacific/Apia", "2011-12-01", nil, "2011-12-30 06:00", "2011-12-30", "2011-12-30 10:00", true},
		{"Apia a minute before the date line move", "Pacific/Apia", "2011-12-01", nil, "2011-12-30 09:59", "2011-12-30", "2011-12-30 10:00", true},
		{"Apia at the skipped Friday's due → Monday +14", "Pacific/Apia", "2011-12-01", nil, "2011-12-30 10:00", "2012-01-02", "2012-01-01 19:00", true},
		{"Apia every day, Thursday morning", "Pacific/Apia", "2011-12-01", at(9, 0), "2011-12-29 18:00", "2011-12-29", "2011-12-29 19:00", true},
		{"Apia every day, after the skipped Friday → Saturday", "Pacific/Apia", "2011-12-01", at(9, 0), "2011-12-30 10:00", "2011-12-31", "2011-12-30 19:00", true},
		{"Apia today +13", "Pacific/Apia", "", nil, "2026-11-24 19:59", "2026-11-25", "2026-11-24 20:00", true},

		// Pacific/Kiritimati is +14: its day starts at 10:00 UTC the day before.
		{"Kiritimati just before", "Pacific/Kiritimati", "", nil, "2026-11-24 18:00", "2026-11-25", "2026-11-24 19:00", true},
		{"Kiritimati at the due → next day", "Pacific/Kiritimati", "", nil, "2026-11-24 19:00", "2026-11-26", "2026-11-25 19:00", true},
		{"Kiritimati Friday evening → Monday, a Sunday in UTC", "Pacific/Kiritimati", "", nil, "2026-11-27 06:00", "2026-11-30", "2026-11-29 19:00", true},
		{"Kiritimati Monday morning, a Sunday in UTC", "Pacific/Kiritimati", "", nil, "2026-11-29 18:00", "2026-11-30", "2026-11-29 19:00", true},
		{"Kiritimati pause is by local day", "Pacific/Kiritimati", "", pause(ymd(2026, 11, 25), ymd(2026, 11, 25)), "2026-11-24 12:00", "2026-11-26", "2026-11-25 19:00", true},

		// Pauses run from PauseFrom to PauseTo inclusive; PauseTo zero is
		// until resumed.
		{"pause skips its days", "Europe/London", "", pause(ymd(2026, 11, 25), ymd(2026, 11, 26)), "2026-11-24 09:00", "2026-11-27", "2026-11-27 09:00", true},
		{"pause to Friday → Monday", "Europe/London", "", pause(ymd(2026, 11, 25), ymd(2026, 11, 27)), "2026-11-24 09:00", "2026-11-30", "2026-11-30 09:00", true},
		{"asked during the pause", "Europe/London", "", pause(ymd(2026, 11, 25), ymd(2026, 11, 26)), "2026-11-25 12:00", "2026-11-27", "2026-11-27 09:00", true},
		{"the day before the pause", "Europe/London", "", pause(ymd(2026, 11, 25), ymd(2026, 11, 26)), "2026-11-24 08:00", "2026-11-24", "2026-11-24 09:00", true},
		{"one-day pause", "Europe/London", "", pause(ymd(2026, 11, 25), ymd(2026, 11, 25)), "2026-11-24 09:00", "2026-11-26", "2026-11-26 09:00", true},
		{"open-ended pause → none", "Europe/London", "", pause(ymd(2026, 11, 25), bot.Date{}), "2026-11-24 09:00", "", "", false},
		{"open-ended pause from tomorrow, today still due", "Europe/London", "", pause(ymd(2026, 11, 25), bot.Date{}), "2026-11-24 08:00", "2026-11-24", "2026-11-24 09:00", true},

		// The cycle runs 2026-11-23 to 2027-02-20 (a Saturday) inclusive.
		{"last workday of the cycle", "Europe/London", "", nil, "2027-02-19 08:59", "2027-02-19", "2027-02-19 09:00", true},
		{"after the cycle's last check-in → cycle 2's first", "Europe/London", "", nil, "2027-02-19 09:00", "2027-02-22", "2027-02-22 09:00", true},
		{"months later, in cycle 3", "Europe/London", "", nil, "2027-06-01 09:00", "2027-06-02", "2027-06-02 08:00", true},
		{"last day of the cycle on a workday", "Europe/London", "", func(e *bot.Engagement) { e.Workdays = everyDay }, "2027-02-19 09:00", "2027-02-20", "2027-02-20 09:00", true},
		{"before a Saturday cycle start → its first workday", "Europe/London", "2026-11-28", nil, "2026-11-20 12:00", "2026-11-30", "2026-11-30 09:00", true},
		{"years before the cycle start", "Europe/London", "2026-11-28", nil, "2020-01-01 00:00", "2026-11-30", "2026-11-30 09:00", true},

		// A client who accepts after a day's check-in time starts the next day.
		{"accepted after that day's check-in → skipped", "Europe/London", "", func(e *bot.Engagement) { e.AcceptedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }, "2026-11-25 08:00", "2026-11-26", "2026-11-26 09:00", true},
		{"accepted before that day's check-in", "Europe/London", "", func(e *bot.Engagement) { e.AcceptedAt = time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC) }, "2026-11-25 08:30", "2026-11-25", "2026-11-25 09:00", true},
		{"accepted Friday afternoon → Monday", "Europe/London", "", func(e *bot.Engagement) { e.AcceptedAt = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC) }, "2026-11-20 00:00", "2026-11-30", "2026-11-30 09:00", true},

		{"paused engagement → none", "Europe/London", "", status(bot.EngagementPaused), "2026-11-24 08:00", "", "", false},
		{"invited engagement → none", "Europe/London", "", status(bot.EngagementInvited), "2026-11-24 08:00", "", "", false},
		{"declined engagement → none", "Europe/London", "", status(bot.EngagementDeclined), "2026-11-24 08:00", "", "", false},
		{"ended engagement → none", "Europe/London", "", status(bot.EngagementEnded), "2026-11-24 08:00", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustZone(t, tt.zone)
			e := nextEngagement(t, tt.cycle)
			if tt.change != nil {
				tt.change(e)
			}
			checkNext(t, tt.at, tt.period, tt.due, tt.ok, func(at time.Time) (bot.Date, time.Time, bool) { return e.NextDaily(at, loc) })
			if !tt.ok {
				return
			}
			// The period is the day DailyDue plans, at the same instant.
			day, _ := bot.ParseDate(tt.period)
			if due, ok := e.DailyDue(day, loc); !ok || !due.Equal(utcMinute(t, tt.due)) {
				t.Errorf("DailyDue(%s) = %s %v, disagrees", day, due.UTC(), ok)
			}
		})
	}
}

func TestNextWeekly(t *testing.T) {
	t.Parallel()
	on := func(d time.Weekday, h, m int) func(e *bot.Engagement) {
		return func(e *bot.Engagement) { e.WeeklyWeekday, e.WeeklyTime = d, hm(h, m) }
	}
	pause := func(from, to bot.Date) func(e *bot.Engagement) {
		return func(e *bot.Engagement) { e.PauseFrom, e.PauseTo = from, to }
	}
	tests := []nextCase{
		{"first Friday of the cycle", "Europe/London", "", nil, "2026-11-23 00:00", "2026-11-23", "2026-11-27 15:00", true},
		{"a minute before", "Europe/London", "", nil, "2026-11-27 14:59", "2026-11-23", "2026-11-27 15:00", true},
		{"at the due → next week", "Europe/London", "", nil, "2026-11-27 15:00", "2026-11-30", "2026-12-04 15:00", true},
		{"asked on Saturday → next week", "Europe/London", "", nil, "2026-11-28 10:00", "2026-11-30", "2026-12-04 15:00", true},
		{"Sunday prompt is in its Monday's week", "Europe/London", "", on(time.Sunday, 18, 0), "2026-11-23 00:00", "2026-11-23", "2026-11-29 18:00", true},
		{"Monday prompt at the due → next Monday", "Europe/London", "", on(time.Monday, 8, 0), "2026-11-23 08:00", "2026-11-30", "2026-11-30 08:00", true},

		{"paused on that Friday → next week", "Europe/London", "", pause(ymd(2026, 11, 27), ymd(2026, 11, 27)), "2026-11-23 00:00", "2026-11-30", "2026-12-04 15:00", true},
		{"paused only before that Friday", "Europe/London", "", pause(ymd(2026, 11, 23), ymd(2026, 11, 26)), "2026-11-23 00:00", "2026-11-23", "2026-11-27 15:00", true},
		{"open-ended pause → none", "Europe/London", "", pause(ymd(2026, 11, 27), bot.Date{}), "2026-11-23 00:00", "", "", false},

		{"cycle starts after that week's Monday → next week", "Europe/London", "2026-11-25", on(time.Monday, 8, 0), "2026-11-01 00:00", "2026-11-30", "2026-11-30 08:00", true},
		{"cycle starts mid-week before the Friday", "Europe/London", "2026-11-25", nil, "2026-11-01 00:00", "2026-11-23", "2026-11-27 15:00", true},
		{"last Friday of the cycle", "Europe/London", "", nil, "2027-02-19 14:00", "2027-02-15", "2027-02-19 15:00", true},
		{"after the cycle's last prompt → cycle 2's first", "Europe/London", "", nil, "2027-02-19 15:00", "2027-02-22", "2027-02-26 15:00", true},
		{"Saturday prompt on the cycle's last day", "Europe/London", "", on(time.Saturday, 10, 0), "2027-02-19 15:00", "2027-02-15", "2027-02-20 10:00", true},
		{"accepted after Friday's prompt → next week", "Europe/London", "", func(e *bot.Engagement) { e.AcceptedAt = time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC) }, "2026-11-27 12:00", "2026-11-30", "2026-12-04 15:00", true},
		{"paused engagement → none", "Europe/London", "", func(e *bot.Engagement) { e.Status = bot.EngagementPaused }, "2026-11-23 00:00", "", "", false},
		{"ended engagement → none", "Europe/London", "", func(e *bot.Engagement) { e.Status = bot.EngagementEnded }, "2026-11-23 00:00", "", "", false},

		{"New York Friday EDT", "America/New_York", "2026-10-05", nil, "2026-10-30 18:59", "2026-10-26", "2026-10-30 19:00", true},
		{"New York at the due → Friday EST", "America/New_York", "2026-10-05", nil, "2026-10-30 19:00", "2026-11-02", "2026-11-06 20:00", true},
		{"London Sunday in the spring gap → end of gap", "Europe/London", "2027-03-01", on(time.Sunday, 1, 30), "2027-03-27 12:00", "2027-03-22", "2027-03-28 01:00", true},
		{"London at the gap's due → next Sunday BST", "Europe/London", "2027-03-01", on(time.Sunday, 1, 30), "2027-03-28 01:00", "2027-03-29", "2027-04-04 00:30", true},
		{"Lord Howe Sunday repeat → first occurrence", "Australia/Lord_Howe", "2027-03-15", on(time.Sunday, 1, 45), "2027-04-03 00:00", "2027-03-29", "2027-04-03 14:45", true},
		{"Lord Howe at the first → next Sunday +10:30", "Australia/Lord_Howe", "2027-03-15", on(time.Sunday, 1, 45), "2027-04-03 14:45", "2027-04-05", "2027-04-10 15:15", true},
		{"Kathmandu Friday", "Asia/Kathmandu", "", nil, "2026-11-27 09:14", "2026-11-23", "2026-11-27 09:15", true},
		{"Kiritimati Monday, a Sunday in UTC", "Pacific/Kiritimati", "", on(time.Monday, 9, 0), "2026-11-22 18:00", "2026-11-23", "2026-11-22 19:00", true},
		{"Apia skipped Friday 15:00 → first valid instant", "Pacific/Apia", "2011-12-01", nil, "2011-12-30 06:00", "2011-12-26", "2011-12-30 10:00", true},
		{"Apia at the skipped Friday's due → next Friday 15:00 +14", "Pacific/Apia", "2011-12-01", nil, "2011-12-30 10:00", "2012-01-02", "2012-01-06 01:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustZone(t, tt.zone)
			e := nextEngagement(t, tt.cycle)
			if tt.change != nil {
				tt.change(e)
			}
			checkNext(t, tt.at, tt.period, tt.due, tt.ok, func(at time.Time) (bot.Date, time.Time, bool) { return e.NextWeekly(at, loc, nil) })
			if !tt.ok {
				return
			}
			week, _ := bot.ParseDate(tt.period)
			if _, due, ok := e.WeeklyDue(week, loc, nil); !ok || !due.Equal(utcMinute(t, tt.due)) {
				t.Errorf("WeeklyDue(%s) = %s %v, disagrees", week, due.UTC(), ok)
			}
		})
	}
}

func TestNextDigest(t *testing.T) {
	t.Parallel()
	on := func(d time.Weekday, h, m int) func(p *bot.Person) {
		return func(p *bot.Person) { p.DigestWeekday, p.DigestTime = d, hm(h, m) }
	}
	joined := func(at time.Time) func(p *bot.Person) { return func(p *bot.Person) { p.CreatedAt = at } }
	// A coach with the default digest (Monday 07:00), unless change says otherwise.
	tests := []struct {
		name, zone string
		change     func(p *bot.Person)
		at         string
		week, due  string
		ok         bool
	}{
		{"Monday digest covers the week before", "Europe/London", nil, "2026-11-25 12:00", "2026-11-23", "2026-11-30 07:00", true},
		{"a minute before", "Europe/London", nil, "2026-11-30 06:59", "2026-11-23", "2026-11-30 07:00", true},
		{"at the due → next Monday", "Europe/London", nil, "2026-11-30 07:00", "2026-11-30", "2026-12-07 07:00", true},
		// The week holding the day before the digest: for a Friday or a
		// Sunday digest, the week the digest falls in.
		{"Friday digest", "Europe/London", on(time.Friday, 17, 0), "2026-11-25 12:00", "2026-11-23", "2026-11-27 17:00", true},
		{"Sunday digest", "Europe/London", on(time.Sunday, 18, 0), "2026-11-25 12:00", "2026-11-23", "2026-11-29 18:00", true},

		{"joined after that Monday's digest → the next one", "Europe/London", joined(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)), "2026-11-20 00:00", "2026-11-30", "2026-12-07 07:00", true},
		{"joined at the digest's instant", "Europe/London", joined(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)), "2026-11-20 00:00", "2026-11-23", "2026-11-30 07:00", true},
		{"joined before asking", "Europe/London", joined(time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)), "2026-11-25 12:00", "2026-11-23", "2026-11-30 07:00", true},
		{"not a coach → none", "Europe/London", func(p *bot.Person) { p.IsCoach = false }, "2026-11-25 12:00", "", "", false},

		{"New York Monday EDT at the due → Monday EST", "America/New_York", nil, "2026-10-26 11:00", "2026-10-26", "2026-11-02 12:00", true},
		{"New York Sunday repeat → first occurrence", "America/New_York", on(time.Sunday, 1, 30), "2026-10-31 12:00", "2026-10-26", "2026-11-01 05:30", true},
		{"New York Sunday repeat, at the first → next Sunday", "America/New_York", on(time.Sunday, 1, 30), "2026-11-01 05:30", "2026-11-02", "2026-11-08 06:30", true},
		{"London Sunday spring gap → end of gap", "Europe/London", on(time.Sunday, 1, 30), "2027-03-27 12:00", "2027-03-22", "2027-03-28 01:00", true},
		{"Lord Howe Sunday gap → end of gap", "Australia/Lord_Howe", on(time.Sunday, 2, 15), "2026-10-03 00:00", "2026-09-28", "2026-10-03 15:30", true},
		{"Kathmandu Monday", "Asia/Kathmandu", nil, "2026-11-29 00:00", "2026-11-23", "2026-11-30 01:15", true},
		{"Kiritimati Monday, a Sunday in UTC", "Pacific/Kiritimati", nil, "2026-11-29 16:00", "2026-11-23", "2026-11-29 17:00", true},
		{"Kiritimati at the due → next Monday", "Pacific/Kiritimati", nil, "2026-11-29 17:00", "2026-11-30", "2026-12-06 17:00", true},
		{"Apia skipped Friday → first valid instant", "Pacific/Apia", on(time.Friday, 9, 0), "2011-12-30 06:00", "2011-12-26", "2011-12-30 10:00", true},
		{"Apia at the skipped Friday's due → next Friday", "Pacific/Apia", on(time.Friday, 9, 0), "2011-12-30 10:00", "2012-01-02", "2012-01-05 19:00", true},
		{"Apia Saturday after the skipped day", "Pacific/Apia", on(time.Saturday, 9, 0), "2011-12-29 00:00", "2011-12-26", "2011-12-30 19:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustZone(t, tt.zone)
			p := &bot.Person{
				IsCoach: true, DigestWeekday: bot.DefaultDigestWeekday, DigestTime: bot.DefaultDigestTime,
				CreatedAt: time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC),
			}
			if tt.change != nil {
				tt.change(p)
			}
			checkNext(t, tt.at, tt.week, tt.due, tt.ok, func(at time.Time) (bot.Date, time.Time, bool) { return p.NextDigest(at, loc) })
		})
	}
}
