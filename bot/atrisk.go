// This file holds the at-risk rules (DESIGN's "week two fade", silence, a
// rock off track two weeks running) and the choice of the rock that most
// needs the coach's attention.

package bot

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

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
