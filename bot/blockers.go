// This file holds what the client said, gathered for the brief and the
// digest: blockers (each said once however often), what moved forward by
// rock, the #1 priorities, and the question to open a session with.

package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

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
