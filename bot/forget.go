// This file holds `forget-me`: deleting everything smart90 keeps about a
// person, after they confirm, and telling those it concerns.

package bot

import (
	"context"
	"fmt"
	"strings"
)

// cmdForgetMe asks for confirmation before deleting the person's data.
func (b *Bot) cmdForgetMe(ctx context.Context, r *request, rest string) ([]Message, error) {
	if rest == "confirm" {
		return b.forgetMe(ctx, r)
	}
	clients, err := b.coachedClients(ctx, r)
	if err != nil {
		return nil, err
	}
	text := "*Delete all your smart90 data?* Your rocks, their history, check-ins, weekly reports and settings are deleted for good. " +
		"Coaches keep nothing of yours. `export` first if you want a copy. This cannot be undone."
	if len(clients) > 0 {
		names := make([]string, len(clients))
		for i, c := range clients {
			names[i] = c.person.DisplayName
		}
		each := "Each of them is told, keeps their own rocks and history, and can be invited by another coach."
		if len(names) == 1 {
			each = "They are told, keep their own rocks and history, and can be invited by another coach."
		}
		text += fmt.Sprintf("\n\nYou coach %s: that coaching ends first, and your session notes go with your data. %s", joinNames(names), each)
	}
	return []Message{{
		Text: text,
		Buttons: []Button{
			{ActionID: ActionForgetConfirm, Label: "Delete my data", Style: StyleDanger},
			{ActionID: ActionForgetCancel, Label: "Keep it"},
		},
		Ephemeral: true,
	}}, nil
}

// forgetMe deletes the person's data once confirmed, ending the coaching
// they give and telling their clients and their coach.
func (b *Bot) forgetMe(ctx context.Context, r *request) ([]Message, error) {
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("load engagement: %w", err)
	}
	clients, err := b.coachedClients(ctx, r)
	if err != nil {
		return nil, err
	}
	// DeletePerson ends the engagements the person coaches, in the same
	// transaction as the deletion; the clients are told once it is done.
	if err := b.store.DeletePerson(ctx, r.me.ID); err != nil {
		return nil, fmt.Errorf("forget person: %w", err)
	}
	for _, c := range clients {
		if err := b.state.Delete(ctx, convKey(c.person)); err != nil {
			b.log.WarnContext(ctx, "end conversation", "err", err)
		}
		if c.eng.Status == EngagementInvited {
			b.notify(ctx, r.inst, c.person, fmt.Sprintf("%s withdrew their invitation to smart90.", r.me.DisplayName))
			continue
		}
		b.notify(ctx, r.inst, c.person, fmt.Sprintf("%s left smart90, so your coaching with them has ended and your check-ins and weekly reports have stopped. "+
			"Your rocks and history are yours and kept: `export` gives you a copy, `forget-me` deletes them. Another coach can invite you.", r.me.DisplayName))
	}
	for _, key := range []string{convKey(r.me), notesKey(r.me)} {
		if err := b.state.Delete(ctx, key); err != nil {
			b.log.WarnContext(ctx, "forget conversation", "err", err)
		}
	}
	if e != nil && e.CoachID != 0 {
		if coach, err := b.store.Person(ctx, e.CoachID); err == nil {
			b.notify(ctx, r.inst, coach, fmt.Sprintf("%s deleted their smart90 data and left your client list.", r.me.DisplayName))
		}
	}
	return reply("Done: everything smart90 kept about you is deleted. If you talk to me again, you start fresh."), nil
}

// coached is one live engagement the actor coaches, with its client.
type coached struct {
	eng    *Engagement
	person *Person
}

// coachedClients returns the live engagements the actor coaches, with
// their clients.
func (b *Bot) coachedClients(ctx context.Context, r *request) ([]coached, error) {
	if !r.me.IsCoach {
		return nil, nil
	}
	es, err := b.store.EngagementsForCoach(ctx, r.me.ID, EngagementInvited, EngagementActive, EngagementPaused)
	if err != nil {
		return nil, fmt.Errorf("load clients: %w", err)
	}
	out := make([]coached, 0, len(es))
	for _, e := range es {
		p, err := b.store.Person(ctx, e.ClientID)
		if err != nil {
			return nil, fmt.Errorf("load client: %w", err)
		}
		out = append(out, coached{e, p})
	}
	return out, nil
}

// joinNames is "Ana", "Ana and Bob", "Ana, Bob and Cy".
func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
