// This file holds the period: what happened over a stretch of a client's
// days (check-ins due and answered, energy, streaks and silences), and the
// momentum line that compares the last week with the client's usual.

package bot

import (
	"fmt"
	"strings"
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

// energyAvg is the mean energy to one decimal, "–" when none was given.
func (p period) energyAvg() string {
	if len(p.energy) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", p.energyMean())
}

// energyMean is the mean energy answered, 0 when none was given.
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
