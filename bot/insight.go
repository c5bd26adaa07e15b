package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// period is a stretch of a client's days with what happened in it: the
// basis of digests, briefs, history and the at-risk rules.
type period struct {
	from, to Date // inclusive, client-local
	expected int  // check-ins that were due (workdays in the cycle, not paused, not "off")
	answered int
	energy   []int
	blockers []string // "Tue: legal review"
	streak   int      // answered expected days in a row, ending at the period's end
	silent   int      // expected days in a row without an answer, ending at the period's end
}

// rate is the share of expected check-ins answered, in percent (100 when none were due).
func (p period) rate() int {
	if p.expected == 0 {
		return 100
	}
	return p.answered * 100 / p.expected
}

func (p period) energyAvg() string {
	if len(p.energy) == 0 {
		return "–"
	}
	sum := 0
	for _, e := range p.energy {
		sum += e
	}
	return fmt.Sprintf("%.1f", float64(sum)/float64(len(p.energy)))
}

// insight loads what the rules need about one engagement up to asOf.
type insight struct {
	e        *Engagement
	client   *Person
	loc      *time.Location
	asOf     time.Time // UTC
	checkins map[Date]*CheckIn
	rocks    []*Rock
	history  []*RockChange
	reports  []*WeeklyReport

	// The record of which days were check-in days: for a day d with
	// recordFrom <= d < recordTo, the daily deliveries say whether a
	// check-in was expected (see expectedOn); later days (not planned
	// yet) and earlier ones (not loaded) follow the current settings.
	// recordTo is zero when the engagement has no daily delivery in the
	// loaded range (the scheduler never ran for it).
	recordFrom, recordTo Date
	delivered            map[Date]*Delivery
}

func (b *Bot) loadInsight(ctx context.Context, e *Engagement, client *Person, from Date, asOf time.Time) (*insight, error) {
	in := &insight{e: e, client: client, loc: zoneOf(client), asOf: asOf, checkins: map[Date]*CheckIn{}}
	to := DateOf(asOf.In(in.loc))
	cs, err := b.store.CheckIns(ctx, e.ID, from.AddDays(-7*3), to)
	if err != nil {
		return nil, fmt.Errorf("load check-ins: %w", err)
	}
	for _, c := range cs {
		in.checkins[c.Day] = c
	}
	if in.rocks, err = b.store.Rocks(ctx, e.ID); err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	if in.history, err = b.store.RockHistory(ctx, e.ID, time.Time{}); err != nil {
		return nil, fmt.Errorf("load rock history: %w", err)
	}
	if in.reports, err = b.store.WeeklyReports(ctx, e.ID, from.WeekStart(), to); err != nil {
		return nil, fmt.Errorf("load weekly reports: %w", err)
	}
	if err := b.loadRecord(ctx, in, from.AddDays(-7*3)); err != nil {
		return nil, err
	}
	return in, nil
}

// loadRecord loads which days from first on were check-in days when they
// came: the engagement's daily deliveries. The scheduler creates one for
// every day a check-in falls due, under the settings of that moment, so
// past days keep the rules that held then: a change of workdays, zone or
// check-in time applies from the moment it is made.
//
// The record reaches up to the day the scheduler plans next (the client's
// daily schedule), or the day after the last delivery when that is later
// (or the schedule is another engagement's): a day before it with no
// delivery was not a check-in day, even if today's settings would make it
// one (the time moved past it, the zone moved on).
func (b *Bot) loadRecord(ctx context.Context, in *insight, first Date) error {
	// A day's delivery is due within a day or so of that day in any zone.
	ds, err := b.store.Deliveries(ctx, in.e.ID, first.AddDays(-2).UTC(), in.asOf.Add(time.Second))
	if err != nil {
		return fmt.Errorf("load deliveries: %w", err)
	}
	in.recordFrom, in.delivered = first, map[Date]*Delivery{}
	var last Date
	for _, d := range ds {
		if d.Kind != DeliveryDaily || d.DueAt.After(in.asOf) {
			continue
		}
		day, err := ParseDate(d.Period)
		if err != nil {
			continue
		}
		in.delivered[day] = d
		if day.After(last) {
			last = day
		}
	}
	if last.IsZero() {
		return nil // no record: the current settings decide
	}
	in.recordTo = last.AddDays(1)
	scheds, err := b.store.Schedules(ctx, in.e.ClientID)
	if err != nil {
		return fmt.Errorf("load schedules: %w", err)
	}
	for _, sc := range scheds {
		if sc.Kind != DeliveryDaily || sc.EngagementID != in.e.ID {
			continue
		}
		next, err := ParseDate(sc.Period)
		switch {
		case sc.NextAt.IsZero():
			// Nothing is planned (paused, ended, suspended): nothing falls due
			// until a change marks the schedule.
			next = DateOf(in.asOf.In(in.loc)).AddDays(1)
		case err != nil:
			// Marked by a change at NextAt: the scheduler plans the first
			// check-in due from then on, under the settings now.
			var ok bool
			if next, _, ok = in.e.NextDaily(sc.NextAt.Add(-time.Nanosecond), in.loc); !ok {
				next = DateOf(in.asOf.In(in.loc)).AddDays(1)
			}
		}
		if next.After(in.recordTo) {
			in.recordTo = next
		}
	}
	return nil
}

// expectedOn reports whether a check-in was due on d (as of in.asOf).
//
// A day the record covers (see loadRecord) was a check-in day when the
// person was asked: its daily delivery was sent (or is going out now). A
// delivery the bot skipped (already answered, paused, the engagement no
// longer active), one missed while smart90 was down, and one that failed
// or is held did not ask anything: such a day counts only when the person
// answered it all the same (a check-in other than "off" exists). A day
// with no delivery was no check-in day. Other days follow the current
// workdays, check-in time and zone. Either way a day in the planned pause
// or answered "I'm off" is never expected.
func (in *insight) expectedOn(d Date) bool {
	e := in.e
	if d.Before(e.Start) || e.PausedOn(d) {
		return false
	}
	if c := in.checkins[d]; c != nil && c.Status == AnswerOff {
		return false
	}
	if !d.Before(in.recordFrom) && d.Before(in.recordTo) {
		dl := in.delivered[d]
		switch {
		case dl == nil:
			return false
		case dl.State == DeliverySent || dl.State == DeliveryPending:
			return true
		default:
			return in.checkins[d] != nil
		}
	}
	if !e.Workdays.Has(d.Weekday()) {
		return false
	}
	if !e.EndedAt.IsZero() && !At(d, e.CheckinTime, in.loc).Before(e.EndedAt) {
		return false // after the engagement ended
	}
	if !e.AcceptedAt.IsZero() && d.Before(DateOf(e.AcceptedAt.In(in.loc))) {
		return false
	}
	return !At(d, e.CheckinTime, in.loc).After(in.asOf)
}

func answered(c *CheckIn) bool { return c != nil && c.Status == AnswerComplete }

// period summarises from..to (clamped to asOf).
func (in *insight) period(from, to Date) period {
	if today := DateOf(in.asOf.In(in.loc)); to.After(today) {
		to = today
	}
	p := period{from: from, to: to}
	for d := from; !d.After(to); d = d.AddDays(1) {
		c := in.checkins[d]
		if c != nil && c.Energy > 0 {
			p.energy = append(p.energy, c.Energy)
		}
		if c != nil && c.Status == AnswerComplete && !isNothing(c.Stuck) {
			p.blockers = append(p.blockers, fmt.Sprintf("%s: %s", d.Weekday().String()[:3], c.Stuck))
		}
		if !in.expectedOn(d) {
			continue
		}
		p.expected++
		if answered(c) {
			p.answered++
		}
	}
	// Streak and silence count back from the end; an unanswered today
	// does not count yet (there is still time).
	end := to
	if today := DateOf(in.asOf.In(in.loc)); end == today && !answered(in.checkins[today]) {
		end = end.AddDays(-1)
	}
	for d, seen := end, 0; !d.Before(in.e.Start) && seen < 400; d, seen = d.AddDays(-1), seen+1 {
		if !in.expectedOn(d) {
			continue
		}
		if answered(in.checkins[d]) {
			if p.silent > 0 {
				break
			}
			p.streak++
		} else {
			if p.streak > 0 {
				break
			}
			p.silent++
		}
	}
	return p
}

// rockAt returns a rock's state at instant t from its history, or nil when
// it did not exist yet.
func (in *insight) rockAt(rockID int64, t time.Time) *RockChange {
	var last *RockChange
	for _, h := range in.history {
		if h.RockID == rockID && !h.At.After(t) {
			last = h
		}
	}
	return last
}

// rockChanges lists each rock with what changed since instant since.
func (in *insight) rockChanges(since time.Time) []string {
	var out []string
	for _, r := range in.rocks {
		before := in.rockAt(r.ID, since)
		line := fmt.Sprintf("%d. %s — %s · %d%%", r.Position, r.Title, r.Status.Label(), r.Progress)
		switch {
		case before == nil:
			line += " (new)"
		case before.Status != r.Status:
			line += fmt.Sprintf(" (was %s · %d%%)", before.Status.Label(), before.Progress)
		case before.Progress != r.Progress:
			line += fmt.Sprintf(" (was %d%%)", before.Progress)
		default:
			if r.Status == RockDropped || r.Status == RockDone {
				continue
			}
			line += " (no change)"
		}
		out = append(out, line)
	}
	return out
}

// atRisk applies DESIGN's rules for the week starting at week: engagement
// falling (the "week two fade"), a rock off track two weeks running, or
// silence for silentDays expected check-ins.
func (in *insight) atRisk(week Date, silentDays int) []string {
	var why []string
	this := in.period(week, week.AddDays(6))
	prev := in.period(week.AddDays(-7), week.AddDays(-1))
	if this.expected > 0 && prev.expected > 0 && prev.rate()-this.rate() >= 30 {
		why = append(why, fmt.Sprintf("check-ins falling: %d%%, down from %d%%", this.rate(), prev.rate()))
	}
	if this.silent >= silentDays {
		why = append(why, fmt.Sprintf("silent for %d workdays", this.silent))
	}
	// Two checkpoints a week apart: the end of the week (or now, mid-week)
	// and seven days before.
	endThis := minTime(week.AddDays(7).In(in.loc), in.asOf)
	endPrev := endThis.AddDate(0, 0, -7)
	for _, r := range in.rocks {
		a, b := in.rockAt(r.ID, endThis), in.rockAt(r.ID, endPrev)
		if a != nil && b != nil && a.Status == RockOffTrack && b.Status == RockOffTrack {
			why = append(why, fmt.Sprintf("rock %d off track two weeks running", r.Position))
		}
	}
	return why
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// reportsBetween returns the weekly reports with from <= Week <= to.
func (in *insight) reportsBetween(from, to Date) []*WeeklyReport {
	var out []*WeeklyReport
	for _, w := range in.reports {
		if !w.Week.Before(from) && !w.Week.After(to) && w.Status == AnswerComplete {
			out = append(out, w)
		}
	}
	return out
}

func bullets(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return "• " + strings.Join(items, "\n• ")
}
