// This file holds which day `checkin` answers: today's, the next
// workday's from the person's evening on, or a past day named with
// `checkin mon` or `checkin 2026-11-24`.

package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// checkinDay is the day `checkin` (or a check-in's Answer button, whose
// value names its day) opens.
func (b *Bot) checkinDay(ctx context.Context, r *request, e *Engagement, value string) (Date, error) {
	today := r.today()
	if t, ok := parseTarget(value); ok && t.kind == DeliveryDaily && t.eng == e.ID {
		if err := answerable(t, e, today, zoneOf(r.me), r.me.DaysOff()); err != nil {
			return Date{}, err
		}
		return t.day, nil
	}
	if arg := strings.TrimSpace(value); arg != "" {
		return b.namedDay(r, e, arg)
	}
	loc := zoneOf(r.me)
	if now := r.local(); ClockTime(now.Hour()*60+now.Minute()) >= r.me.Evening() {
		// The evening before: once today's check-in is done (or there is
		// none), `checkin` answers the next workday's, whose prompt then
		// finds it answered and is not sent.
		c, err := b.loadCheckIn(ctx, e, today)
		if err != nil {
			return Date{}, err
		}
		if _, due := e.DailyDue(today, loc); !due || c.Status != AnswerOpen {
			if next, ok := nextWorkday(e, today, loc, r.me.DaysOff()); ok {
				return next, nil
			}
		}
	}
	if _, ok := e.DailyDue(today, loc); ok {
		return today, nil
	}
	// No check-in today: the last one received, if still open and recent
	// (an older one closed when the next arrived, see stillOpen).
	latest, err := b.latestPeriod(ctx, r.me, DeliveryDaily)
	if err != nil || latest.IsZero() || latest.Before(e.Start) || today.Sub(latest) > 4 {
		return today, err
	}
	c, err := b.loadCheckIn(ctx, e, latest)
	if err != nil {
		return Date{}, err
	}
	if c.Status == AnswerOpen {
		return latest, nil
	}
	return today, nil
}

// The evening, from which `checkin` answers the next workday once today's
// is done: people plan tomorrow the evening before. Each person may move
// it (`settings evening 18:30`) or turn it off.
const (
	DefaultEveningTime ClockTime = 17 * 60
	EveningOff         ClockTime = 24 * 60 // no day reaches 24:00: never
)

// Evening returns the local time from which `checkin` answers the next
// workday: p.EveningTime, DefaultEveningTime when that is 0 (people stored
// before the setting existed have 0), EveningOff for never.
func (p *Person) Evening() ClockTime {
	if p.EveningTime <= 0 {
		return DefaultEveningTime
	}
	return p.EveningTime
}

// nextWorkday is the first day after today with a check-in due, within
// the next four days (Friday evening: Monday), and one more for each
// public holiday (off) passed on the way, which asks no check-in
// (Thursday evening before Easter: Tuesday).
func nextWorkday(e *Engagement, today Date, loc *time.Location, off DaysOff) (Date, bool) {
	reach := 4
	for d := today.AddDays(1); d.Sub(today) <= reach; d = d.AddDays(1) {
		if _, ok := e.DailyDue(d, loc); ok {
			if off.On(d) != "" {
				reach++
				continue
			}
			return d, true
		}
	}
	return Date{}, false
}

// namedDay is the day `checkin mon` or `checkin 2026-11-24` names: a
// weekday is the latest such day up to today; either must be today, the
// next workday, or a past day of this week or last week, in the cycle.
func (b *Bot) namedDay(r *request, e *Engagement, arg string) (Date, error) {
	today := r.today()
	day, err := ParseDate(arg)
	if err != nil {
		wd, werr := ParseWeekday(arg)
		if werr != nil {
			return Date{}, Errorf(EINVALID, "I could not read %q as a day; try `checkin mon` or `checkin %s`.", arg, today)
		}
		day = today.AddDays(-((int(today.Weekday()) - int(wd) + 7) % 7))
		if next, ok := nextWorkday(e, today, zoneOf(r.me), r.me.DaysOff()); ok && wd != today.Weekday() && next.Weekday() == wd {
			day = next // "checkin thu" on Wednesday evening
		}
	}
	if next, ok := nextWorkday(e, today, zoneOf(r.me), r.me.DaysOff()); ok && day == next {
		return day, nil
	}
	if day.After(today) || day.Before(today.WeekStart().AddDays(-7)) || day.Before(e.Start) {
		return Date{}, Errorf(EINVALID, "You can answer or change a check-in of this week or last week, from %s; %s is not one.",
			maxDate(today.WeekStart().AddDays(-7), e.Start), day)
	}
	return day, nil
}

// maxDate is the later of a and b.
func maxDate(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

// dayName is "today's" or "Friday 2026-11-27's", for a check-in's day.
func (b *Bot) dayName(r *request, day Date) string {
	if day == r.today() {
		return "today's"
	}
	return fmt.Sprintf("%s %s's", day.Weekday(), day)
}
