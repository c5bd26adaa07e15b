package bot

import (
	"context"
	"fmt"
	"strings"
)

// Home returns what a person sees on the app's home tab (Slack's App Home):
// a client's cycle, rocks, streak and next prompts; a coach's clients at a
// glance; and, for someone new, how to start. ev names the person (its
// Kind and text are ignored).
func (b *Bot) Home(ctx context.Context, ev Event) (Message, error) {
	r, err := b.begin(ctx, ev)
	if err != nil {
		return Message{}, err
	}
	var parts []string
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		e = nil
	case err != nil:
		return Message{}, fmt.Errorf("load engagement: %w", err)
	}
	if e != nil && e.Status != EngagementInvited {
		part, err := b.clientHome(ctx, r, e)
		if err != nil {
			return Message{}, err
		}
		parts = append(parts, part)
	} else if e != nil {
		parts = append(parts, "*You have an invitation.* Type `accept` to me to start your 90 days, or `decline`.")
	}
	if r.me.IsCoach {
		out, err := b.cmdClients(ctx, r, "")
		if err != nil {
			return Message{}, err
		}
		for _, m := range out {
			parts = append(parts, m.Text)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "*smart90 keeps your 90-day priorities alive between coaching sessions.*\n"+
			"Coaches: type `invite @client` to start. Clients: your coach's invitation arrives here.\nType `help` to see everything.")
	}
	return Message{Text: strings.Join(parts, "\n\n")}, nil
}

func (b *Bot) clientHome(ctx context.Context, r *request, e *Engagement) (string, error) {
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return "", fmt.Errorf("load rocks: %w", err)
	}
	today := r.today()
	in, err := b.loadInsight(ctx, e, r.me, today.WeekStart().AddDays(-7), r.now)
	if err != nil {
		return "", err
	}
	p := in.period(today.WeekStart(), today)
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s* · this week %d/%d check-ins · streak %d\n", e.CycleOn(today).Label(today), p.answered, p.expected, p.streak)
	if len(rocks) == 0 {
		sb.WriteString("No rocks yet: type `rocks add <title>` to add your first.\n")
	} else {
		sb.WriteString("*Your rocks*\n" + rockList(rocks) + "\n")
	}
	ss, err := b.store.Schedules(ctx, r.me.ID)
	if err != nil {
		return "", fmt.Errorf("load schedules: %w", err)
	}
	loc := zoneOf(r.me)
	for _, s := range ss {
		switch {
		case s.Suspended != "":
			fmt.Fprintf(&sb, "Prompts are on hold (%s): type `resume`.\n", s.Suspended)
		case s.NextAt.IsZero() || s.Period == "":
		case s.Kind == DeliveryDaily:
			fmt.Fprintf(&sb, "Next check-in: %s\n", s.NextAt.In(loc).Format("Mon 2 Jan 15:04"))
		case s.Kind == DeliveryWeekly:
			fmt.Fprintf(&sb, "Next weekly report: %s\n", s.NextAt.In(loc).Format("Mon 2 Jan 15:04"))
		}
	}
	return strings.TrimRight(sb.String(), "\n"), nil
}
