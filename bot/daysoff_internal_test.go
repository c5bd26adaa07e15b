package bot

import (
	"testing"
	"time"
)

func TestDayOffNotice(t *testing.T) {
	t.Parallel()
	berlin := &Person{TimeZone: "Europe/Berlin"}
	london := &Person{TimeZone: "Europe/London"}
	start := Date{2026, 11, 2}
	friday := &Engagement{WeeklyWeekday: time.Friday, Workdays: MonToFri, Start: start}
	monday := &Engagement{WeeklyWeekday: time.Monday, Workdays: MonToFri, Start: start}
	for _, tc := range []struct {
		e    *Engagement
		p    *Person
		day  Date
		want string
	}{
		{friday, berlin, Date{2027, 5, 14}, "Monday is Whit Monday: no check-in."},
		{friday, berlin, Date{2027, 5, 13}, ""},
		{friday, berlin, Date{2027, 5, 18}, ""},
		{friday, &Person{TimeZone: "Europe/Berlin", HolidaysOff: true}, Date{2027, 5, 14}, ""},
		{friday, &Person{TimeZone: "Europe/Berlin", Country: "US"}, Date{2027, 5, 14}, ""},
		{friday, london, Date{2026, 12, 24}, "Friday is Christmas Day and Monday is Boxing Day (substitute day): no check-ins."},
		{friday, london, Date{2026, 12, 21}, "Your weekly report comes on Thursday this week (Friday is Christmas Day)."},
		{friday, london, Date{2026, 12, 22}, ""},
		{friday, berlin, Date{2027, 3, 22}, "Your weekly report comes on Thursday this week (Friday is Good Friday)."},
		{friday, berlin, Date{2027, 3, 25}, "Friday is Good Friday and Monday is Easter Monday: no check-ins."},
		{monday, berlin, Date{2027, 3, 25}, "Friday is Good Friday and Monday is Easter Monday: no check-ins.\n" +
			"Your weekly report comes on Tuesday next week (Monday is Easter Monday)."},
		{monday, berlin, Date{2027, 3, 30}, ""},
		{&Engagement{WeeklyWeekday: time.Friday, Workdays: 1<<time.Thursday | 1<<time.Friday, Start: start}, london, Date{2026, 12, 24},
			// Next week's first check-in is the report's own day: said now.
			"Friday is Christmas Day: no check-in.\nYour weekly report comes on Thursday next week (Friday is New Year's Day)."},
	} {
		if got := (*Bot)(nil).dayOffNotice(tc.e, tc.p, tc.day); got != tc.want {
			t.Errorf("%s %s (weekly %s): dayOffNotice = %q\nwant %q", tc.p.TimeZone, tc.day, tc.e.WeeklyWeekday, got, tc.want)
		}
	}
}
