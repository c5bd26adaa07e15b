package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Weeks `history` shows when not told, and at most.
const (
	historyWeeks    = 8
	maxHistoryWeeks = 52
)

// historyClip is how much of a typed win or blocker a week's line quotes:
// a week is one line, and the whole answer is in the digest and `export`.
const historyClip = 80

// cmdHistory: a client's last weeks, one line each, oldest first and
// across cycles — for the client (`history [weeks]`) or their coach
// (`history @client [weeks]`).
func (b *Bot) cmdHistory(ctx context.Context, r *request, rest string) ([]Message, error) {
	words := strings.Fields(rest)
	who := ""
	if len(words) > 0 {
		// A coach's first word that is no number names the client, so
		// that `history ana` says it wants a mention, not a number.
		if _, err := strconv.Atoi(words[0]); err != nil && (strings.HasPrefix(words[0], "<@") || r.me.IsCoach) {
			who, words = words[0], words[1:]
		}
	}
	weeks := historyWeeks
	switch len(words) {
	case 0:
	case 1:
		n, err := strconv.Atoi(words[0])
		if err != nil || n < 1 || n > maxHistoryWeeks {
			return nil, usageError(fmt.Sprintf("Weeks is a number from 1 to %d.", maxHistoryWeeks), "history")
		}
		weeks = n
	default:
		return nil, usageError("Say how many weeks as one number, after the client if you are their coach.", "history")
	}
	client, e := r.me, (*Engagement)(nil)
	var err error
	if who != "" {
		if client, e, err = b.myClient(ctx, r, who, "history"); err != nil {
			return nil, err
		}
		if e.Status == EngagementInvited {
			return reply("%s has not accepted your invitation yet.", client.DisplayName), nil
		}
	} else if e, err = b.myEngagement(ctx, r); err != nil {
		return nil, err
	}
	text, err := b.history(ctx, e, client, weeks, r.now, who != "")
	if err != nil {
		return nil, err
	}
	return []Message{{Text: text, Ephemeral: true}}, nil
}

// history renders the client's last weeks as of now: a line per week,
// oldest first, from the week the engagement started at the earliest,
// with a line where a cycle starts and the rocks named below. forCoach
// words the heading for the coach.
func (b *Bot) history(ctx context.Context, e *Engagement, client *Person, weeks int, now time.Time, forCoach bool) (string, error) {
	loc := zoneOf(client)
	today := DateOf(now.In(loc))
	last := today.WeekStart()
	first := last.AddDays(-7 * (weeks - 1))
	all := false
	if start := e.Start.WeekStart(); first.Before(start) {
		first, all = start, true
	}
	in, err := b.loadInsight(ctx, e, client, first, now)
	if err != nil {
		return "", err
	}
	byCycle := map[int]*Review{}
	for _, rv := range finished(in.reviews) {
		byCycle[rv.Cycle] = rv
	}

	n := last.Sub(first)/7 + 1
	var sb strings.Builder
	head := "*Your last " + plural(n, "week") + "*"
	if n == 1 {
		head = "*Your week*"
	}
	if forCoach {
		head = fmt.Sprintf("*History: %s* — last %s", client.DisplayName, plural(n, "week"))
	}
	fmt.Fprintf(&sb, "%s (%s", head, e.CycleOn(today).Label(today))
	if all && n < weeks {
		fmt.Fprintf(&sb, "; every week since %s", e.Start)
	}
	sb.WriteString(")\n")

	shown := map[int64]bool{}
	cycle := 0
	for wk := first; !wk.After(last); wk = wk.AddDays(7) {
		// A week belongs to the cycle holding its Thursday, as an ISO
		// week belongs to the year holding its Thursday: a cycle that
		// starts on a Saturday begins with the next week's line.
		if c := e.CycleOn(wk.AddDays(3)); c.N != cycle {
			if cycle != 0 || !c.Start.Before(wk) {
				fmt.Fprintf(&sb, "— Cycle %d starts %s —\n", c.N, c.Start)
			}
			cycle = c.N
		}
		sb.WriteString("• " + in.historyLine(wk, byCycle, shown) + "\n")
	}
	var named []string
	for _, r := range in.rocks {
		if shown[r.ID] {
			line := fmt.Sprintf("%d. %s — now %s", r.Position, r.Title, r.Status.Label())
			if r.Status.Live() {
				line += fmt.Sprintf(" · %d%%", r.Progress)
			}
			named = append(named, line)
		}
	}
	if len(named) > 0 {
		sb.WriteString("*Rocks*\n" + strings.Join(named, "\n"))
	} else {
		sb.WriteString("_No rocks in these weeks._")
	}
	score, err := b.scorecardLines(ctx, e, today.WeekStart())
	if err != nil {
		return "", err
	}
	if len(score) > 0 {
		sb.WriteString("\n*Scorecard* (this week, with its 4- and 13-week averages)\n" + bullets(score))
	}
	return sb.String(), nil
}

// historyLine is one week of history starting at wk (a Monday): check-ins
// answered of those due, energy, each rock at the week's end, and the
// week's win and blocker from its report, or the quarterly review's win in
// a review week. It adds the rocks it names to shown.
func (in *insight) historyLine(wk Date, reviews map[int]*Review, shown map[int64]bool) string {
	e := in.e
	today := DateOf(in.asOf.In(in.loc))
	end := wk.AddDays(6)
	if end.After(today) {
		end = today
	}
	p := in.period(wk, end)
	paused, extra := 0, 0
	for d := wk; !d.After(end); d = d.AddDays(1) {
		if e.PausedOn(d) {
			paused++
		}
		if answered(in.checkins[d]) && !in.expectedOn(d) {
			extra++
		}
	}
	parts := []string{"*Week of " + wk.String() + "*"}
	if wk == today.WeekStart() {
		parts[0] += " (so far)"
	}
	switch {
	case paused == end.Sub(wk)+1:
		parts = append(parts, "paused")
	case p.expected == 0 && extra == 0:
		parts = append(parts, "no check-ins due")
	case p.expected == 0:
		parts = append(parts, fmt.Sprintf("%s, none due", plural(extra, "check-in")))
	default:
		s := fmt.Sprintf("check-ins %d/%d", p.answered, p.expected)
		if extra > 0 {
			s += fmt.Sprintf(" (+%d on days off)", extra)
		}
		parts = append(parts, s)
	}
	if paused > 0 && paused < end.Sub(wk)+1 {
		parts = append(parts, "paused "+plural(paused, "day"))
	}
	if len(p.energy) > 0 {
		parts = append(parts, "energy "+p.energyAvg())
	}

	// Each rock at the week's end (or now), leaving out those finished
	// before the week began.
	from, to := wk.In(in.loc), minTime(wk.AddDays(7).In(in.loc), in.asOf)
	var rocks []string
	for _, r := range in.rocks {
		at := in.rockAt(r.ID, to)
		if at == nil {
			continue
		}
		before := in.rockAt(r.ID, from)
		if before != nil && !before.Status.Live() && !at.Status.Live() {
			continue
		}
		shown[r.ID] = true
		s := fmt.Sprintf("%d %s", r.Position, at.Status.Label())
		if at.Status.Live() {
			s += fmt.Sprintf(" %d%%", at.Progress)
		}
		if before == nil {
			s += " (new)"
		}
		rocks = append(rocks, s)
	}
	if len(rocks) > 0 {
		parts = append(parts, "rocks "+strings.Join(rocks, ", "))
	}

	reports := in.reportsBetween(wk, wk)
	for _, w := range reports {
		parts = append(parts, "win: "+historyQuote(w.Win))
		if !isNothing(w.Stuck) {
			parts = append(parts, "stuck: "+historyQuote(w.Stuck))
		}
	}
	// The day the report came, a holiday considered; a week with no free
	// workday asked for none.
	day, _, free := e.WeeklyOn(wk, in.off)
	due := free && !day.Before(e.Start) && !e.PausedOn(day) && !At(day, e.WeeklyTime, in.loc).After(in.asOf)
	if c, ok := e.reviewWeek(wk); ok {
		switch rv := reviews[c.N]; {
		case rv != nil:
			parts = append(parts, fmt.Sprintf("quarterly review of cycle %d, win: %s", c.N, historyQuote(rv.Win)))
		case due:
			parts = append(parts, fmt.Sprintf("quarterly review of cycle %d not written", c.N))
		}
	} else if len(reports) == 0 && due {
		parts = append(parts, "no weekly report")
	}
	return strings.Join(parts, " · ")
}

// historyQuote is a typed answer cut to historyClip characters.
func historyQuote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if c := clip(s, historyClip); c != s {
		return strings.TrimRight(c, " ") + "…"
	}
	return s
}
