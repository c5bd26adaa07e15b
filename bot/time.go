package bot

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock tells the time. It is injected everywhere so tests and the console
// can move time forward instead of sleeping. Implementations are safe for
// concurrent use.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Date is a calendar day with no time zone: a check-in's day, a rock's due
// date, a cycle's start. The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, Errorf(EINVALID, "%q is not a date; use YYYY-MM-DD, e.g. 2026-12-31.", s)
	}
	return DateOf(t), nil
}

// String formats the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// In returns midnight of d in loc (or the first instant of d when midnight
// does not exist there).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// UTC returns midnight UTC of d; stores use it to hold a Date in a time column.
func (d Date) UTC() time.Time { return d.In(time.UTC) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.UTC().AddDate(0, 0, n)) }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d.UTC().Sub(e.UTC()).Hours() / 24) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.UTC().Before(e.UTC()) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.UTC().After(e.UTC()) }

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday { return d.UTC().Weekday() }

// WeekStart returns the Monday of d's ISO week.
func (d Date) WeekStart() Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// ISOWeek returns the ISO week key of d, e.g. "2026-W48".
func (d Date) ISOWeek() string {
	y, w := d.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ClockTime is a local wall-clock time of day, in minutes after midnight.
type ClockTime int

// ParseClockTime parses HH:MM (24-hour; "9:30" is accepted).
func ParseClockTime(s string) (ClockTime, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, Errorf(EINVALID, "%q is not a time of day; use HH:MM (24-hour), e.g. 09:00.", s)
	}
	return ClockTime(hh*60 + mm), nil
}

// String formats t as HH:MM.
func (t ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// Hour returns the hour of t.
func (t ClockTime) Hour() int { return int(t) / 60 }

// Minute returns the minute of t within its hour.
func (t ClockTime) Minute() int { return int(t) % 60 }

// Weekdays is a set of days of the week, one bit per time.Weekday.
type Weekdays uint8

// MonToFri is the default set of workdays.
const MonToFri Weekdays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekday parses a day name ("mon", "monday", "Fri").
func ParseWeekday(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range dayNames {
		if s == n || len(s) >= 3 && strings.HasPrefix(strings.ToLower(time.Weekday(i).String()), s) {
			return time.Weekday(i), nil
		}
	}
	return 0, Errorf(EINVALID, "%q is not a day; use mon, tue, wed, thu, fri, sat or sun.", s)
}

// ParseWeekdays parses "mon-fri", "mon,wed,fri" or a mix ("mon-wed,fri").
// Ranges run forward and may wrap ("sat-mon").
func ParseWeekdays(s string) (Weekdays, error) {
	var w Weekdays
	for _, part := range strings.Split(strings.ToLower(strings.TrimSpace(s)), ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := ParseWeekday(from)
		if err != nil {
			return 0, err
		}
		b := a
		if isRange {
			if b, err = ParseWeekday(to); err != nil {
				return 0, err
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			w |= 1 << d
			if d == b {
				break
			}
		}
	}
	return w, nil
}

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<d) != 0 }

// Count returns how many days are in the set.
func (w Weekdays) Count() int {
	n := 0
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.Has(d) {
			n++
		}
	}
	return n
}

// String formats the set compactly, Monday first: "mon-fri", "mon,wed,fri".
func (w Weekdays) String() string {
	var parts []string
	order := []time.Weekday{1, 2, 3, 4, 5, 6, 0}
	for i := 0; i < len(order); {
		if !w.Has(order[i]) {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && w.Has(order[j+1]) {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, dayNames[order[i]])
		case j == i+1:
			parts = append(parts, dayNames[order[i]], dayNames[order[j]])
		default:
			parts = append(parts, dayNames[order[i]]+"-"+dayNames[order[j]])
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// LoadZone loads an IANA time zone by name, with a person-safe error.
// Local and "" are refused: a person's zone must be explicit.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, Errorf(EINVALID, "A time zone is needed; use an IANA name such as Europe/London or America/New_York.")
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EINVALID, "%q is not a time zone I know; use an IANA name such as Europe/London or America/New_York.", name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// zones remembers the zones LoadZone loaded, by name: time.LoadLocation
// reads and parses the zone's file on every call, and every event and
// every planned prompt asks for a zone. Only names that loaded are kept,
// so the map holds at most the IANA database (a few hundred names). A
// *time.Location is safe to share.
var zones sync.Map // string → *time.Location

// Zone returns a stored IANA zone, or UTC when it is empty or unknown: a
// schedule must still run for a person whose zone was never set.
func Zone(name string) *time.Location {
	if loc, err := LoadZone(name); err == nil {
		return loc
	}
	return time.UTC
}

// Minutes is d in whole minutes, as stores keep a duration that is
// minutes by nature (a brief's lead): BriefOff and other negative
// durations are -1.
func Minutes(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d / time.Minute)
}

// MinutesScanner scans an integer number of minutes, as Minutes writes
// it, into d.
func MinutesScanner(d *time.Duration) interface{ Scan(any) error } { return minutesScanner{d} }

type minutesScanner struct{ d *time.Duration }

// Scan implements sql.Scanner.
func (s minutesScanner) Scan(v any) error {
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case int32:
		n = int64(v)
	default:
		return fmt.Errorf("scan minutes: unexpected %T", v)
	}
	if n < 0 {
		*s.d = -1
	} else {
		*s.d = time.Duration(n) * time.Minute
	}
	return nil
}
