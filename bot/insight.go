package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// insight loads what the rules need about one engagement up to asOf.
// The rules themselves live beside it: period.go (check-ins due and
// answered, momentum), atrisk.go (the at-risk rules, the rock needing
// attention) and blockers.go (what the client said, for the brief).
type insight struct {
	e        *Engagement
	client   *Person
	loc      *time.Location
	asOf     time.Time // UTC
	checkins map[Date]*CheckIn
	// checkinsFrom is the first day whose check-in was loaded: streaks
	// and silences count back no further.
	checkinsFrom Date
	rocks        []*Rock
	history      []*RockChange
	reports      []*WeeklyReport

	// The record of which days were check-in days: for a day d with
	// recordFrom <= d < recordTo, the daily deliveries say whether a
	// check-in was expected (see expectedOn); later days (not planned
	// yet) and earlier ones (not loaded) follow the current settings.
	// recordTo is zero when the engagement has no daily delivery in the
	// loaded range (the scheduler never ran for it).
	recordFrom, recordTo Date
	delivered            map[Date]*Delivery
	// Loaded with the history, for the digest and the brief: nil when
	// the insight came without them (then they are read when needed).
	reviews  []*Review
	sessions []*Session
	// off is the client's public holidays: a day the record does not
	// cover is no check-in day when it is one.
	off DaysOff
}

// loadInsight reads what the rules need about one engagement, from from
// (less three weeks, for streaks and silences) up to asOf: one Histories
// read (a single round trip in PostgreSQL).
func (b *Bot) loadInsight(ctx context.Context, e *Engagement, client *Person, from Date, asOf time.Time) (*insight, error) {
	hs, err := b.store.Histories(ctx, []int64{e.ID}, insightWindow(client, from, asOf))
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	h := hs[e.ID]
	if h == nil {
		return nil, Errorf(ENOTFOUND, "That engagement does not exist.")
	}
	return newInsight(e, client, h, from, asOf), nil
}

// insightWindow is what an insight from from up to asOf reads: check-ins,
// reports and scorecard values from three weeks before from (streaks and
// silences count back that far) to four days after asOf's day (an answer
// given the evening before, on Friday Monday's, is an early answer), and
// the rock history and daily deliveries due from two days before that (a
// day's delivery is due within a day or so of it in any zone) up to asOf.
func insightWindow(client *Person, from Date, asOf time.Time) HistoryWindow {
	lo := from.AddDays(-7 * 3)
	since := lo.AddDays(-2).UTC()
	return HistoryWindow{From: lo, To: DateOf(asOf.In(zoneOf(client))).AddDays(4), ScoresFrom: lo,
		RocksSince: since, DueFrom: since, DueTo: asOf.Add(time.Second)}
}

// newInsight is the insight from from up to asOf of an engagement whose
// history h covers insightWindow (a wider one is fine: what is outside
// the window is left out).
func newInsight(e *Engagement, client *Person, h *History, from Date, asOf time.Time) *insight {
	in := &insight{e: e, client: client, loc: zoneOf(client), asOf: asOf, checkins: map[Date]*CheckIn{}, checkinsFrom: from.AddDays(-7 * 3),
		rocks: h.Rocks, history: h.RockHistory, reviews: h.Reviews, sessions: h.Sessions, off: client.DaysOff()}
	to := DateOf(asOf.In(in.loc))
	for _, c := range h.CheckIns {
		if !c.Day.Before(in.checkinsFrom) && !c.Day.After(to.AddDays(4)) {
			in.checkins[c.Day] = c
		}
	}
	for _, w := range h.Reports {
		if !w.Week.Before(from.WeekStart()) && !w.Week.After(to) {
			in.reports = append(in.reports, w)
		}
	}
	in.record(h.Deliveries, h.Daily, from.AddDays(-7*3))
	return in
}

// record takes, from the engagement's daily deliveries and its client's
// daily schedule, which days from first on were check-in days when they
// came. The scheduler creates a delivery for every day a check-in falls
// due, under the settings of that moment, so past days keep the rules
// that held then: a change of workdays, zone or check-in time applies
// from the moment it is made.
//
// The record reaches up to the day the scheduler plans next (the client's
// daily schedule), or the day after the last delivery when that is later
// (or the schedule is another engagement's): a day before it with no
// delivery was not a check-in day, even if today's settings would make it
// one (the time moved past it, the zone moved on).
func (in *insight) record(ds []*Delivery, daily *Schedule, first Date) {
	in.recordFrom, in.delivered = first, map[Date]*Delivery{}
	var last Date
	for _, d := range ds {
		if d.Kind != DeliveryDaily || d.DueAt.After(in.asOf) || d.DueAt.Before(first.AddDays(-2).UTC()) {
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
		return // no record: the current settings decide
	}
	in.recordTo = last.AddDays(1)
	if daily == nil || daily.EngagementID != in.e.ID {
		return
	}
	next, err := ParseDate(daily.Period)
	switch {
	case daily.NextAt.IsZero():
		// Nothing is planned (paused, ended, suspended): nothing falls due
		// until a change marks the schedule.
		next = DateOf(in.asOf.In(in.loc)).AddDays(1)
	case err != nil:
		// Marked by a change at NextAt: the scheduler plans the first
		// check-in due from then on, under the settings now.
		var ok bool
		if next, _, ok = in.e.NextDaily(daily.NextAt.Add(-time.Nanosecond), in.loc); !ok {
			next = DateOf(in.asOf.In(in.loc)).AddDays(1)
		}
	}
	if next.After(in.recordTo) {
		in.recordTo = next
	}
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
// workdays, check-in time, zone and public holidays. Either way a day in
// the planned pause or answered "I'm off" is never expected; a public
// holiday's delivery is skipped, so it is expected only when answered.
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
	if in.off.On(d) != "" && in.checkins[d] == nil {
		return false // a public holiday asks nothing, as its skipped delivery
	}
	if !e.EndedAt.IsZero() && !At(d, e.CheckinTime, in.loc).Before(e.EndedAt) {
		return false // after the engagement ended
	}
	if !e.AcceptedAt.IsZero() && d.Before(DateOf(e.AcceptedAt.In(in.loc))) {
		return false
	}
	return !At(d, e.CheckinTime, in.loc).After(in.asOf)
}

// answered reports whether c is a complete answer (not skipped, off or half done).
func answered(c *CheckIn) bool { return c != nil && c.Status == AnswerComplete }

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

// rockChanges lists each rock with what changed since instant since, and
// under it the client's own words about it since then: the notes of its
// changes (`rocks set 2 off-track 10 | blocked by budget`) and its lines in
// weekly reports, each said once.
func (in *insight) rockChanges(since time.Time) []string {
	var out []string
	for _, r := range in.rocks {
		before := in.rockAt(r.ID, since)
		line := fmt.Sprintf("%d. %s — %s · %d%%", r.Position, r.Title, r.Status.Label(), r.Progress)
		notes := in.rockNotes(r.ID, since)
		switch {
		case before == nil:
			line += " (new)"
		case before.Status != r.Status:
			line += fmt.Sprintf(" (was %s · %d%%)", before.Status.Label(), before.Progress)
		case before.Progress != r.Progress:
			line += fmt.Sprintf(" (was %d%%)", before.Progress)
		default:
			if (r.Status == RockDropped || r.Status == RockDone) && len(notes) == 0 {
				continue
			}
			line += " (no change)"
		}
		for _, n := range notes {
			line += "\n    – " + n
		}
		out = append(out, line)
	}
	return out
}

// rockNotes returns what the client wrote about a rock from instant since
// to in.asOf, oldest first, each wording once: "Tue 24 Nov: blocked by
// budget". A weekly report's line is usually also the note of the change
// it applied; the same words are shown once.
func (in *insight) rockNotes(rockID int64, since time.Time) []string {
	type note struct {
		at   time.Time
		text string
	}
	var notes []note
	for _, h := range in.history {
		if h.RockID == rockID && h.Note != "" && !h.At.Before(since) && !h.At.After(in.asOf) {
			notes = append(notes, note{h.At, h.Note})
		}
	}
	for _, w := range in.reports {
		if w.Status != AnswerComplete || w.SubmittedAt.Before(since) || w.SubmittedAt.After(in.asOf) {
			continue
		}
		for _, u := range w.Rocks {
			if u.RockID == rockID && !isNothing(u.Note) {
				notes = append(notes, note{w.SubmittedAt, u.Note})
			}
		}
	}
	slices.SortStableFunc(notes, func(a, b note) int { return a.at.Compare(b.at) })
	var out []string
	seen := map[string]bool{}
	for _, n := range notes {
		if k := sameKey(n.text); !seen[k] {
			seen[k] = true
			out = append(out, shortDay(DateOf(n.at.In(in.loc)))+": "+n.text)
		}
	}
	return out
}

// minTime is the earlier of a and b.
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

// bullets shows items as a bulleted list, one a line; "" for none.
func bullets(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return "• " + strings.Join(items, "\n• ")
}

// shortDay is a day as a coach reads it in a list: "Tue 24 Nov".
func shortDay(d Date) string {
	if d.IsZero() {
		return "–"
	}
	return fmt.Sprintf("%s %d %s", d.Weekday().String()[:3], d.Day, d.Month.String()[:3])
}

// minDate is the earlier of a and b.
func minDate(a, b Date) Date {
	if a.Before(b) {
		return a
	}
	return b
}
