package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// cmdHistory: a client's last weeks at a glance.
func (b *Bot) cmdHistory(ctx context.Context, r *request, rest string) ([]Message, error) {
	weeks := 4
	if s := strings.TrimSpace(rest); s != "" {
		n, err := strconv.Atoi(s)
		if weeks = n; err != nil || weeks < 1 || weeks > 52 {
			return nil, usageError("Weeks is a number from 1 to 52.", "history")
		}
	}
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	today := r.today()
	first := today.WeekStart().AddDays(-7 * (weeks - 1))
	in, err := b.loadInsight(ctx, e, r.me, first, r.now)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Your last %d weeks* (%s)\n", weeks, e.CycleOn(today).Label(today))
	for wk := today.WeekStart(); !wk.Before(first); wk = wk.AddDays(-7) {
		if wk.AddDays(6).Before(e.Start) {
			break
		}
		p := in.period(wk, wk.AddDays(6))
		fmt.Fprintf(&sb, "• Week of %s: check-ins %d/%d · energy %s", wk, p.answered, p.expected, p.energyAvg())
		for _, w := range in.reportsBetween(wk, wk) {
			fmt.Fprintf(&sb, " · win: %s", w.Win)
		}
		sb.WriteString("\n")
	}
	sb.WriteString("*Rocks now*\n" + rockList(in.rocks))
	return []Message{{Text: sb.String(), Ephemeral: true}}, nil
}
