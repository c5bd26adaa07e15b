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
// which instant: a workday, not paused, on or after the day the client
// accepted. Cycles follow one another: the last day of one is not the
// end of the prompts.
func (e *Engagement) DailyDue(day Date, loc *time.Location) (time.Time, bool) {
	if e.Status != EngagementActive || !e.Workdays.Has(day.Weekday()) || e.PausedOn(day) ||
		day.Before(e.Start) {
		return time.Time{}, false
	}
	due := At(day, e.CheckinTime, loc)
	if !e.AcceptedAt.IsZero() && due.Before(e.AcceptedAt) {
		return time.Time{}, false // accepted after that day's check-in time
	}
	return due, true
}

// WeeklyDue reports whether e's client gets the weekly report prompt in the
// week starting at week (a Monday), on which day and when, with off the
// client's public holidays (see WeeklyOn). A week whose report has no
// day left (every workday a holiday) is still due, on its usual day: it
// is planned, and skipped (see HolidaySkip).
func (e *Engagement) WeeklyDue(week Date, loc *time.Location, off DaysOff) (Date, time.Time, bool) {
	day, _, _ := e.WeeklyOn(week, off)
	if e.Status != EngagementActive || e.PausedOn(day) || day.Before(e.Start) {
		return day, time.Time{}, false
	}
	due := At(day, e.WeeklyTime, loc)
	if !e.AcceptedAt.IsZero() && due.Before(e.AcceptedAt) {
		return day, time.Time{}, false
	}
	return day, due, true
}

// WeeklyDay returns the usual day of the weekly report in the week
// starting at week (a Monday): its weekday, holidays aside. The report
// belongs to its week whichever day it comes (WeeklyOn).
func (e *Engagement) WeeklyDay(week Date) Date {
	return week.AddDays((int(e.WeeklyWeekday) + 6) % 7)
}

// WeeklyOn returns the day the weekly report of the week starting at
// week comes, with off the client's public holidays. On its usual day
// (WeeklyDay) unless that is a holiday; then on the last workday before
// it in the same week that is not one, or else the first after it.
// holiday names the usual day's holiday ("" when it is none); ok is false
// when no workday of the week is free, and day is the usual day then.
// Every caller that asks which day a week's report comes asks this, so
// the scheduler, the notice and the digest agree.
func (e *Engagement) WeeklyOn(week Date, off DaysOff) (day Date, holiday string, ok bool) {
	usual := e.WeeklyDay(week)
	if holiday = off.On(usual); holiday == "" {
		return usual, "", true
	}
	free := func(d Date) bool { return e.Workdays.Has(d.Weekday()) && off.On(d) == "" }
	for d := usual.AddDays(-1); !d.Before(week); d = d.AddDays(-1) {
		if free(d) {
			return d, holiday, true
		}
	}
	for d := usual.AddDays(1); d.Before(week.AddDays(7)); d = d.AddDays(1) {
		if free(d) {
			return d, holiday, true
		}
	}
	return usual, holiday, false
}

// HolidaySkip returns why the client's delivery of kind for period is
// skipped for a public holiday ("public holiday: Whit Monday"), or "":
// a daily check-in on a holiday, a weekly report whose week has no free
// workday. The scheduler still creates such a delivery, skipped with this
// reason and without a reminder: it is recorded, and never counted as
// missed.
func (e *Engagement) HolidaySkip(kind DeliveryKind, period string, off DaysOff) string {
	if off == nil {
		return ""
	}
	switch kind {
	case DeliveryDaily:
		if name := off.On(periodDate(period)); name != "" {
			return HolidayReason(name)
		}
	case DeliveryWeekly:
		if _, name, ok := e.WeeklyOn(periodDate(period), off); !ok {
			return HolidayReason(name)
		}
	}
	return ""
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

// The Next* methods find the first delivery due strictly after an instant:
// the scheduler keeps only that one per person and kind (a Schedule), so a
// tick finds due work with an indexed query instead of scanning clients.
// Asking for the first due at or after t is asking after t minus a
// nanosecond: stored instants have microsecond precision.

// maxScanDays bounds the search for the next due day, so a schedule that
// can never be due (a pause without end, say) costs a bounded loop. No
// pause is planned that far ahead.
const maxScanDays = 3 * 366

// NextDaily returns the period (day) and instant of e's first daily
// check-in due after t, in loc; ok is false when none is: the engagement
// is not active, or paused for good.
func (e *Engagement) NextDaily(t time.Time, loc *time.Location) (day Date, due time.Time, ok bool) {
	if e.Status != EngagementActive {
		return Date{}, time.Time{}, false
	}
	// The day before t's local day too: At may move a due time across
	// midnight (Pacific/Apia skipped a whole day).
	start := DateOf(t.In(loc)).AddDays(-1)
	if start.Before(e.Start) {
		start = e.Start
	}
	for d, n := start, 0; n < maxScanDays; d, n = d.AddDays(1), n+1 {
		if due, ok := e.DailyDue(d, loc); ok && due.After(t) {
			return d, due, true
		}
	}
	return Date{}, time.Time{}, false
}

// NextWeekly returns the week (its Monday) and instant of e's first weekly
// report prompt due after t, in loc, with off the client's public holidays.
func (e *Engagement) NextWeekly(t time.Time, loc *time.Location, off DaysOff) (week Date, due time.Time, ok bool) {
	if e.Status != EngagementActive {
		return Date{}, time.Time{}, false
	}
	start := DateOf(t.In(loc)).AddDays(-1).WeekStart()
	if start.Before(e.Start.WeekStart()) {
		start = e.Start.WeekStart()
	}
	for w, n := start, 0; n < maxScanDays/7; w, n = w.AddDays(7), n+1 {
		if _, due, ok := e.WeeklyDue(w, loc, off); ok && due.After(t) {
			return w, due, true
		}
	}
	return Date{}, time.Time{}, false
}

// NextDigest returns the week a coach's first digest due after t covers
// (its Monday) and when it is due, in loc. A digest is never due before
// the coach joined.
func (p *Person) NextDigest(t time.Time, loc *time.Location) (week Date, due time.Time, ok bool) {
	if !p.IsCoach {
		return Date{}, time.Time{}, false
	}
	if p.CreatedAt.After(t) {
		t = p.CreatedAt.Add(-time.Nanosecond)
	}
	start := DateOf(t.In(loc)).AddDays(-1)
	for d := start; d.Before(start.AddDays(16)); d = d.AddDays(1) {
		if week, due, ok := p.DigestDue(d, loc); ok && due.After(t) {
			return week, due, true
		}
	}
	return Date{}, time.Time{}, false
}
