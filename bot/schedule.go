package bot

import (
	"time"
)

// At returns the instant of wall-clock time t on day d in loc. A wall time
// that does not exist there (skipped by a DST change or a date-line move)
// gives the next valid instant, the end of the gap; an ambiguous one (a DST
// fall-back repeats it) gives its first occurrence.
func At(d Date, t ClockTime, loc *time.Location) time.Time {
	wall := time.Date(d.Year, d.Month, d.Day, t.Hour(), t.Minute(), 0, 0, time.UTC)
	_, offBefore := wall.Add(-48 * time.Hour).In(loc).Zone()
	_, offAfter := wall.Add(48 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{offBefore, offAfter} {
		cand := wall.Add(-time.Duration(off) * time.Second)
		if sameWall(cand.In(loc), wall) && (best.IsZero() || cand.Before(best)) {
			best = cand
		}
	}
	if !best.IsZero() {
		return best
	}
	// A gap: the transition lies between the two readings of the wall
	// time; find the first instant on the far side of it.
	lo := wall.Add(-time.Duration(max(offBefore, offAfter)) * time.Second)
	hi := wall.Add(-time.Duration(min(offBefore, offAfter)) * time.Second)
	_, loOff := lo.In(loc).Zone()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, off := mid.In(loc).Zone(); off == loOff {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func sameWall(local, wall time.Time) bool {
	y, m, d := local.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && local.Hour() == wall.Hour() && local.Minute() == wall.Minute()
}

// DailyDue reports whether e's client gets a daily check-in on day, and at
// which instant: a workday inside the cycle, not paused, on or after the day
// the client accepted.
func (e *Engagement) DailyDue(day Date, loc *time.Location) (time.Time, bool) {
	if e.Status != EngagementActive || !e.Workdays.Has(day.Weekday()) || e.PausedOn(day) ||
		day.Before(e.CycleStart) || day.After(e.CycleEnd()) {
		return time.Time{}, false
	}
	due := At(day, e.CheckinTime, loc)
	if !e.AcceptedAt.IsZero() && due.Before(e.AcceptedAt) {
		return time.Time{}, false // accepted after that day's check-in time
	}
	return due, true
}

// WeeklyDue reports whether e's client gets the weekly report prompt in the
// week starting at week (a Monday), and when.
func (e *Engagement) WeeklyDue(week Date, loc *time.Location) (Date, time.Time, bool) {
	day := week.AddDays((int(e.WeeklyWeekday) + 6) % 7)
	if e.Status != EngagementActive || e.PausedOn(day) || day.Before(e.CycleStart) || day.After(e.CycleEnd()) {
		return day, time.Time{}, false
	}
	due := At(day, e.WeeklyTime, loc)
	if !e.AcceptedAt.IsZero() && due.Before(e.AcceptedAt) {
		return day, time.Time{}, false
	}
	return day, due, true
}

// DigestDue returns when a coach's digest is due on day (if day is their
// digest weekday) and the Monday of the week it covers: the week holding
// the day before (a Monday digest covers the week just ended).
func (p *Person) DigestDue(day Date, loc *time.Location) (week Date, due time.Time, ok bool) {
	if day.Weekday() != p.DigestWeekday {
		return Date{}, time.Time{}, false
	}
	return day.AddDays(-1).WeekStart(), At(day, p.DigestTime, loc), true
}
