package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// period is a stretch of a client's days with what happened in it: the
// basis of digests, briefs, history and the at-risk rules.
type period struct {
	from, to Date // inclusive, client-local; to is clamped to today
	expected int  // check-ins that were due (workdays in the cycle, not paused, not "off")
	answered int  // expected check-ins answered
	// early counts answers given before their check-in was due (the
	// evening before), up to the period's requested end; extra counts
	// answers for days nothing was due (a day off the schedule). Neither
	// is in expected or answered: a rate never counts what was not asked.
	early, extra int
	energy       []int
	streak       int // answered expected days in a row, ending at the period's end
	silent       int // expected days in a row without an answer, ending at the period's end
	// silentFrom and silentTo are the first and last of those silent days;
	// silentBefore says the silence goes back further than the days loaded.
	silentFrom, silentTo Date
	silentBefore         bool
}

// rate is the share of expected check-ins answered, in percent (100 when none were due).
func (p period) rate() int {
	if p.expected == 0 {
		return 100
	}
	return p.answered * 100 / p.expected
}

// counts says the check-ins in words that claim nothing that did not
// happen: "check-ins 4/5 (80%)", "no check-ins due · 1 early answer" —
// never "0/0 (100%)".
func (p period) counts() string {
	s := "no check-ins due"
	if p.expected > 0 {
		s = fmt.Sprintf("check-ins %d/%d (%d%%)", p.answered, p.expected, p.rate())
	}
	if p.early > 0 {
		s += " · " + plural(p.early, "early answer")
	}
	if p.extra > 0 {
		s += " · " + plural(p.extra, "answer") + " on a day off"
	}
	return s
}

func (p period) energyAvg() string {
	if len(p.energy) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", p.energyMean())
}

func (p period) energyMean() float64 {
	if len(p.energy) == 0 {
		return 0
	}
	sum := 0
	for _, e := range p.energy {
		sum += e
	}
	return float64(sum) / float64(len(p.energy))
}

// insight loads what the rules need about one engagement up to asOf.
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
		rocks: h.Rocks, history: h.RockHistory, reviews: h.Reviews, sessions: h.Sessions}
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

// period summarises from..to. Days after today (as of in.asOf) count only
// the early answers given for them.
func (in *insight) period(from, to Date) period {
	today := DateOf(in.asOf.In(in.loc))
	end := to
	if end.After(today) {
		end = today
	}
	p := period{from: from, to: end}
	for d := from; !d.After(to); d = d.AddDays(1) {
		c := in.checkins[d]
		if c != nil && c.Energy > 0 && (!d.After(today) || answered(c)) {
			p.energy = append(p.energy, c.Energy)
		}
		switch {
		case in.expectedOn(d):
			p.expected++
			if answered(c) {
				p.answered++
			}
		case !answered(c):
		case At(d, in.e.CheckinTime, in.loc).After(in.asOf):
			p.early++
		default:
			p.extra++
		}
	}
	// Streak and silence count back from the end; an unanswered today
	// does not count yet (there is still time).
	last := end
	if last == today && !answered(in.checkins[today]) {
		last = last.AddDays(-1)
	}
	first := in.e.Start
	if in.checkinsFrom.After(first) {
		first = in.checkinsFrom
	}
	d := last
	for ; !d.Before(first); d = d.AddDays(-1) {
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
			if p.silent == 0 {
				p.silentTo = d
			}
			p.silent++
			p.silentFrom = d
		}
	}
	p.silentBefore = p.streak == 0 && p.silent > 0 && d.Before(first) && first != in.e.Start
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

// minEvidence is how many expected check-ins a week needs before its
// rate is compared with another's: one unanswered Monday after a holiday
// is no trend.
const minEvidence = 3

// atRisk applies DESIGN's rules for the week starting at week, each only
// on enough evidence, and says in one line what it saw: engagement falling
// (the "week two fade": this week against the week before, each with at
// least minEvidence expected check-ins, pauses and days off excluded, so
// the current week counts only once it has them), silence for silentDays
// expected check-ins in a row, or a rock off track two weeks running.
func (in *insight) atRisk(week Date, silentDays int) []string {
	var why []string
	this := in.period(week, week.AddDays(6))
	prev := in.period(week.AddDays(-7), week.AddDays(-1))
	if this.expected >= minEvidence && prev.expected >= minEvidence && prev.rate()-this.rate() >= 30 {
		why = append(why, fmt.Sprintf("check-ins falling: %d of %d answered this week, %d of %d the week before",
			this.answered, this.expected, prev.answered, prev.expected))
	}
	switch {
	case this.silent < silentDays:
	case this.silentBefore:
		why = append(why, fmt.Sprintf("silent for all %d check-ins due since %s", this.silent, shortDay(this.silentFrom)))
	default:
		why = append(why, fmt.Sprintf("silent for %d check-ins in a row, %s to %s", this.silent, shortDay(this.silentFrom), shortDay(this.silentTo)))
	}
	// Two checkpoints a week apart: the end of the week (or now, mid-week)
	// and seven days before.
	endThis := minTime(week.AddDays(7).In(in.loc), in.asOf)
	endPrev := endThis.AddDate(0, 0, -7)
	for _, r := range in.rocks {
		a, b := in.rockAt(r.ID, endThis), in.rockAt(r.ID, endPrev)
		if a != nil && b != nil && a.Status == RockOffTrack && b.Status == RockOffTrack {
			why = append(why, fmt.Sprintf("rock %d off track two weeks running, since %s", r.Position, shortDay(in.offTrackSince(r.ID, endThis))))
		}
	}
	return why
}

// offTrackSince returns the day (client-local) from which rock rockID has
// been off track without a break as of t; zero when it is not off track then.
func (in *insight) offTrackSince(rockID int64, t time.Time) Date {
	var since time.Time
	for _, h := range in.history {
		if h.RockID != rockID || h.At.After(t) {
			continue
		}
		switch {
		case h.Status != RockOffTrack:
			since = time.Time{}
		case since.IsZero():
			since = h.At
		}
	}
	if since.IsZero() {
		return Date{}
	}
	return DateOf(since.In(in.loc))
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

// shortDay is a day as a coach reads it in a list: "Tue 24 Nov".
func shortDay(d Date) string {
	if d.IsZero() {
		return "–"
	}
	return fmt.Sprintf("%s %d %s", d.Weekday().String()[:3], d.Day, d.Month.String()[:3])
}

// sameKey is what two things a person typed have in common when they say
// the same: lower case, letters and digits only, single spaces.
// "Budget approval!" and "  budget   approval" are the same blocker.
func sameKey(s string) string {
	var sb strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteRune(r)
			space = false
			continue
		}
		space = true
	}
	return sb.String()
}

// blocker is one thing the client said was stuck, however often they said it.
type blocker struct {
	text        string // the words as first said
	days        int    // days it was said on
	first, last Date
}

// String is "budget approval — Tue 24 Nov" for a blocker said once, and
// "budget approval — 6 days since Tue 24 Nov (last Tue 1 Dec)" otherwise.
func (k *blocker) String() string {
	if k.days == 1 {
		return k.text + " — " + shortDay(k.first)
	}
	return fmt.Sprintf("%s — %d days since %s (last %s)", k.text, k.days, shortDay(k.first), shortDay(k.last))
}

// blockers returns what the client said was stuck from..to, in check-ins
// and in weekly reports (on the day they sent it), each blocker once
// however often it was said (see sameKey), longest-said first (ties: the
// earliest first).
func (in *insight) blockers(from, to Date) []*blocker {
	byKey := map[string]*blocker{}
	var out []*blocker
	add := func(d Date, text string) {
		if isNothing(text) || d.Before(from) || d.After(to) {
			return
		}
		k := sameKey(text)
		bl := byKey[k]
		if bl == nil {
			bl = &blocker{text: strings.TrimSpace(text), first: d}
			byKey[k] = bl
			out = append(out, bl)
		}
		if bl.last != d {
			bl.days++
		}
		if d.Before(bl.first) {
			bl.first = d
		}
		if d.After(bl.last) {
			bl.last = d
		}
	}
	// Days and reports in order, so each blocker keeps its first words.
	type said struct {
		day  Date
		text string
	}
	var all []said
	for d := from; !d.After(to); d = d.AddDays(1) {
		if c := in.checkins[d]; answered(c) {
			all = append(all, said{d, c.Stuck})
		}
	}
	for _, w := range in.reportsBetween(from.WeekStart(), to) {
		all = append(all, said{DateOf(w.SubmittedAt.In(in.loc)), w.Stuck})
	}
	slices.SortStableFunc(all, func(a, b said) int { return a.day.UTC().Compare(b.day.UTC()) })
	for _, s := range all {
		add(s.day, s.text)
	}
	slices.SortStableFunc(out, func(a, b *blocker) int {
		return cmp.Or(b.days-a.days, a.first.UTC().Compare(b.first.UTC()))
	})
	return out
}

// maxMovedGap is how far back (in days) a "what moved" answer looks for
// the priority it reports on: a weekend and a day off.
const maxMovedGap = 4

// movedByRock returns the "what moved forward yesterday?" answers given
// from..to, grouped: a line per group title ("Rock 2, Hire a CTO", or
// "Not linked to a rock") followed by its answers ("• Tue 24 Nov: sent two
// proposals"), rocks by position, the unlinked last; "" when nothing moved.
//
// How an answer finds its rock: the client names a rock only for the
// day's #1 priority, and "what moved" reports on the day before. So an
// answer is grouped under the rock that the previous answered check-in's
// priority served (PriorityRockID), looking back at most maxMovedGap days
// (Friday's priority for Monday's answer). It is the best link the data
// holds: what moved is most often what was set as the priority. With no
// such check-in, or a priority that served no rock, the answer is unlinked.
func (in *insight) movedByRock(from, to Date) string {
	groups := map[int64][]string{}
	for d := from; !d.After(to); d = d.AddDays(1) {
		c := in.checkins[d]
		if !answered(c) || isNothing(c.Moved) {
			continue
		}
		var rock int64
		for back := d.AddDays(-1); d.Sub(back) <= maxMovedGap; back = back.AddDays(-1) {
			if p := in.checkins[back]; answered(p) {
				rock = p.PriorityRockID
				break
			}
		}
		if rockTitle(in.rocks, rock) == "" {
			rock = 0
		}
		groups[rock] = append(groups[rock], shortDay(d)+": "+c.Moved)
	}
	if len(groups) == 0 {
		return ""
	}
	var sb strings.Builder
	for _, r := range in.rocks {
		if g := groups[r.ID]; len(g) > 0 {
			fmt.Fprintf(&sb, "%s\n%s\n", capitalize(rockTitle(in.rocks, r.ID)), bullets(g))
		}
	}
	if g := groups[0]; len(g) > 0 {
		fmt.Fprintf(&sb, "Not linked to a rock\n%s\n", bullets(g))
	}
	return strings.TrimRight(sb.String(), "\n")
}

// priorities lists the #1 priorities set from..to, with the rock each
// served: "Tue 24 Nov: screen five CTO candidates (rock 2)".
func (in *insight) priorities(from, to Date) []string {
	var out []string
	for d := from; !d.After(to); d = d.AddDays(1) {
		c := in.checkins[d]
		if !answered(c) || isNothing(c.Priority) {
			continue
		}
		line := shortDay(d) + ": " + c.Priority
		for _, r := range in.rocks {
			if r.ID == c.PriorityRockID {
				line += fmt.Sprintf(" (rock %d)", r.Position)
			}
		}
		out = append(out, line)
	}
	return out
}

// momentum compares the last seven days to today with the client's own
// four weeks before them: "check-ins 4/5 (80%, usual 60%) · energy 3.8
// (usual 3.1) ↑". A side with too little to compare (fewer than
// minEvidence expected check-ins, or energy answers) is shown without its
// usual, and only what is compared counts for the arrow.
func (in *insight) momentum(today Date) string {
	cur := in.period(today.AddDays(-6), today)
	base := in.period(today.AddDays(-34), today.AddDays(-7))
	score, compared := 0, false
	var parts []string
	switch {
	case cur.expected == 0:
		parts = append(parts, "no check-ins due in the last 7 days")
	case base.expected >= minEvidence:
		parts = append(parts, fmt.Sprintf("check-ins %d/%d (%d%%, usual %d%%)", cur.answered, cur.expected, cur.rate(), base.rate()))
		if cur.expected >= minEvidence {
			compared = true
			score += sign(cur.rate()-base.rate(), 10)
		}
	default:
		parts = append(parts, fmt.Sprintf("check-ins %d/%d (%d%%)", cur.answered, cur.expected, cur.rate()))
	}
	switch {
	case len(cur.energy) == 0:
		parts = append(parts, "energy –")
	case len(base.energy) >= minEvidence:
		parts = append(parts, fmt.Sprintf("energy %s (usual %s)", cur.energyAvg(), base.energyAvg()))
		if len(cur.energy) >= 2 {
			compared = true
			score += sign(int(10*cur.energyMean()-10*base.energyMean()), 3)
		}
	default:
		parts = append(parts, "energy "+cur.energyAvg())
	}
	s := strings.Join(parts, " · ")
	switch {
	case !compared && base.expected < minEvidence:
		s += " · too early for a 4-week usual"
	case !compared:
	case score > 0:
		s += " ↑"
	case score < 0:
		s += " ↓"
	default:
		s += " →"
	}
	return s
}

// sign is 1 when n >= step, -1 when n <= -step, 0 between.
func sign(n, step int) int {
	switch {
	case n >= step:
		return 1
	case n <= -step:
		return -1
	}
	return 0
}

// needsAttention picks the live rock that most needs the coach's
// attention, by a fixed rule, and says why: the one off track longest
// (ties: furthest behind, then the lowest number); with none off track, the one
// furthest behind its time — progress against the share of the time from
// its start (its creation, or the cycle's start for a rock carried over) to its due
// date gone — when it is at least 10 points behind. nil when no rock is.
func (in *insight) needsAttention(today Date) (*Rock, string) {
	type cand struct {
		r        *Rock
		offSince Date
		elapsed  int // percent of its time gone
	}
	c := in.e.CycleOn(today)
	var cands []cand
	for _, r := range in.rocks {
		if !r.Status.Live() {
			continue
		}
		start := DateOf(r.CreatedAt.In(in.loc))
		if start.Before(c.Start) {
			start = c.Start
		}
		due := r.Due
		if !due.After(start) {
			due = c.End()
		}
		elapsed := 100
		if span := due.Sub(start); span > 0 {
			elapsed = min(max(today.Sub(start)*100/span, 0), 100)
		}
		k := cand{r: r, elapsed: elapsed}
		if r.Status == RockOffTrack {
			k.offSince = in.offTrackSince(r.ID, in.asOf)
			if k.offSince.IsZero() {
				k.offSince = today
			}
		}
		cands = append(cands, k)
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.offSince.IsZero() != b.offSince.IsZero() {
			if a.offSince.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.offSince.UTC().Compare(b.offSince.UTC()),
			(b.elapsed-b.r.Progress)-(a.elapsed-a.r.Progress), a.r.Position-b.r.Position)
	})
	if len(cands) == 0 {
		return nil, ""
	}
	k := cands[0]
	behind := fmt.Sprintf("%d%% done with %d%% of its time gone", k.r.Progress, k.elapsed)
	if !k.offSince.IsZero() {
		if n := today.Sub(k.offSince); n > 0 {
			return k.r, fmt.Sprintf("off track for %s (since %s), %s", plural(n, "day"), shortDay(k.offSince), behind)
		}
		return k.r, "off track since today, " + behind
	}
	if k.elapsed-k.r.Progress < 10 {
		return nil, ""
	}
	return k.r, behind
}

// openWith is the question to open the session with: the client's newest
// ask for the coach since from, else what has been stuck longest, else
// the rock that needs attention, else the next step.
func (in *insight) openWith(from, today Date, stuck []*blocker, rock *Rock) string {
	reports := in.reportsBetween(from.WeekStart(), today)
	for i := len(reports) - 1; i >= 0; i-- {
		if w := reports[i]; !isNothing(w.Ask) {
			return fmt.Sprintf("their ask from the week of %s — %s", shortDay(w.Week), w.Ask)
		}
	}
	if len(stuck) > 0 {
		return fmt.Sprintf("what would unblock this? %s", stuck[0])
	}
	if rock != nil {
		return fmt.Sprintf("what would move %s forward before your next session?", rockTitle(in.rocks, rock.ID))
	}
	return "what is the one thing to get done before your next session?"
}

func minDate(a, b Date) Date {
	if a.Before(b) {
		return a
	}
	return b
}
