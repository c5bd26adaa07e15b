package bot_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func date(t testing.TB, s string) bot.Date {
	t.Helper()
	d, err := bot.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestHolidayCountry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p        bot.Person
		code     string
		fromZone bool
	}{
		{bot.Person{TimeZone: "Europe/Berlin"}, "DE", true},
		{bot.Person{TimeZone: "Europe/Berlin", Country: "GB"}, "GB", false},
		{bot.Person{TimeZone: "Europe/Berlin", HolidaysOff: true}, "", false},
		{bot.Person{TimeZone: "Asia/Tokyo"}, "", true}, // Japan is not supported
		{bot.Person{TimeZone: "UTC"}, "", true},
	} {
		code, fromZone := tc.p.HolidayCountry()
		if code != tc.code || fromZone != tc.fromZone {
			t.Errorf("%+v: HolidayCountry() = %q, %v; want %q, %v", tc.p, code, fromZone, tc.code, tc.fromZone)
		}
		if off := tc.p.DaysOff(); (off == nil) != (tc.code == "") {
			t.Errorf("%+v: DaysOff() nil = %v", tc.p, off == nil)
		}
	}
	berlin := &bot.Person{TimeZone: "Europe/Berlin"}
	if got := berlin.DaysOff().On(date(t, "2027-05-17")); got != "Whit Monday" {
		t.Errorf("Berlin on 2027-05-17: %q", got)
	}
	if got := bot.DaysOff(nil).On(date(t, "2027-05-17")); got != "" {
		t.Errorf("nil DaysOff on 2027-05-17: %q", got)
	}
}

func TestWeeklyOn(t *testing.T) {
	t.Parallel()
	de := (&bot.Person{Country: "DE"}).DaysOff()
	gb := (&bot.Person{Country: "GB"}).DaysOff()
	fri := 1 << time.Friday
	for _, tc := range []struct {
		name     string
		weekday  time.Weekday
		workdays bot.Weekdays
		off      bot.DaysOff
		week     string
		day      string
		holiday  string
		ok       bool
	}{
		{"no holiday", time.Friday, bot.MonToFri, de, "2027-03-15", "2027-03-19", "", true},
		{"no holidays at all", time.Friday, bot.MonToFri, nil, "2027-03-22", "2027-03-26", "", true},
		{"Good Friday: Thursday", time.Friday, bot.MonToFri, de, "2027-03-22", "2027-03-25", "Good Friday", true},
		{"Easter Monday: Tuesday, nothing before", time.Monday, bot.MonToFri, de, "2027-03-29", "2027-03-30", "Easter Monday", true},
		{"Ascension Thursday: Wednesday", time.Thursday, bot.MonToFri, de, "2027-05-03", "2027-05-05", "Ascension Day", true},
		{"Christmas: the last workday before", time.Friday, bot.Weekdays(1<<time.Monday | fri), gb, "2026-12-21", "2026-12-21", "Christmas Day", true},
		{"Christmas, Fridays only: none", time.Friday, bot.Weekdays(fri), gb, "2026-12-21", "2026-12-25", "Christmas Day", false},
		{"a weekend weekly off a holiday moves too", time.Saturday, bot.MonToFri, (&bot.Person{Country: "IN"}).DaysOff(), "2026-08-10", "2026-08-14", "Independence Day", true},
	} {
		e := &bot.Engagement{WeeklyWeekday: tc.weekday, Workdays: tc.workdays}
		day, name, ok := e.WeeklyOn(date(t, tc.week), tc.off)
		if day != date(t, tc.day) || name != tc.holiday || ok != tc.ok {
			t.Errorf("%s: WeeklyOn(%s) = %s %q %v; want %s %q %v", tc.name, tc.week, day, name, ok, tc.day, tc.holiday, tc.ok)
		}
	}
}

func TestHolidaySkip(t *testing.T) {
	t.Parallel()
	gb := (&bot.Person{Country: "GB"}).DaysOff()
	e := &bot.Engagement{WeeklyWeekday: time.Friday, Workdays: bot.MonToFri}
	fridays := &bot.Engagement{WeeklyWeekday: time.Friday, Workdays: 1 << time.Friday}
	for _, tc := range []struct {
		e      *bot.Engagement
		kind   bot.DeliveryKind
		period string
		off    bot.DaysOff
		want   string
	}{
		{e, bot.DeliveryDaily, "2026-12-25", gb, "public holiday: Christmas Day"},
		{e, bot.DeliveryDaily, "2026-12-28", gb, "public holiday: Boxing Day (substitute day)"},
		{e, bot.DeliveryDaily, "2026-12-29", gb, ""},
		{e, bot.DeliveryDaily, "2026-12-25", nil, ""},
		{e, bot.DeliveryWeekly, "2026-W52", gb, ""}, // moved to Thursday, not skipped
		{fridays, bot.DeliveryWeekly, "2026-W52", gb, "public holiday: Christmas Day"},
		{e, bot.DeliveryDigest, "2026-W52", gb, ""},
	} {
		if got := tc.e.HolidaySkip(tc.kind, tc.period, tc.off); got != tc.want {
			t.Errorf("HolidaySkip(%s %s) = %q, want %q", tc.kind, tc.period, got, tc.want)
		}
	}
}
