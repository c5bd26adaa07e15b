package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/smart90/smart90/bot"
)

// me is the caller and the token they use.
type me struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	IsCoach  bool   `json:"is_coach"`
	Token    token  `json:"token"`
}

type token struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Prefix    string  `json:"prefix"`
	CreatedAt instant `json:"created_at"`
}

func (h *handler) me(_ context.Context, c *caller, _ *http.Request) (any, http.Header, error) {
	return me{ID: c.me.ID, Name: c.me.DisplayName, TimeZone: c.me.TimeZone, IsCoach: c.me.IsCoach,
		Token: token{ID: c.token.ID, Name: c.token.Name, Prefix: c.token.Prefix, CreatedAt: instant(c.token.CreatedAt)}}, nil, nil
}

// client is a person whose data the caller may read, with the engagement
// it is read through.
type client struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	TimeZone   string      `json:"time_zone"`
	Engagement *engagement `json:"engagement,omitempty"`
}

type engagement struct {
	ID         int64    `json:"id"`
	Status     string   `json:"status"`
	CoachID    int64    `json:"coach_id,omitzero"`
	Start      bot.Date `json:"start,omitzero"`
	CycleDays  int      `json:"cycle_days"`
	Cycle      *cycle   `json:"cycle,omitempty"`
	InvitedAt  instant  `json:"invited_at,omitzero"`
	AcceptedAt instant  `json:"accepted_at,omitzero"`
	EndedAt    instant  `json:"ended_at,omitzero"`
	PauseFrom  bot.Date `json:"pause_from,omitzero"`
	PauseTo    bot.Date `json:"pause_to,omitzero"`
}

type cycle struct {
	EngagementID int64    `json:"engagement_id"`
	N            int      `json:"n"`
	Start        bot.Date `json:"start"`
	End          bot.Date `json:"end"`
	Days         int      `json:"days"`
	// Day is today's number in the cycle; 0 (left out) for a cycle that
	// is not today's.
	Day int `json:"day,omitzero"`
}

// scope is what the caller may read of one client: the client and the
// engagements, oldest first; the last is the current one.
type scope struct {
	client      *bot.Person
	engagements []*bot.Engagement
	coach       bool // read by their coach, not by the client
}

// scope resolves the {id} of the request as chat does: a person reads
// their own data (every engagement as a client that was accepted, like
// `export`), a coach the client of a live engagement they coach (like
// `history @client`). Anyone else is not_found.
func (h *handler) scope(ctx context.Context, c *caller, r *http.Request) (*scope, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, notFound
	}
	if id == c.me.ID {
		es, err := h.ownEngagements(ctx, c.me.ID)
		if err != nil {
			return nil, err
		}
		return &scope{client: c.me, engagements: es}, nil
	}
	if !c.me.IsCoach {
		return nil, notFound
	}
	es, err := h.store.EngagementsForCoach(ctx, c.me.ID, bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused)
	if err != nil {
		return nil, fmt.Errorf("load engagements of coach %d: %w", c.me.ID, err)
	}
	i := slices.IndexFunc(es, func(e *bot.Engagement) bool { return e.ClientID == id })
	if i < 0 {
		return nil, notFound
	}
	p, err := h.store.Person(ctx, id)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, fmt.Errorf("load client %d: %w", id, err)
	}
	return &scope{client: p, engagements: es[i : i+1], coach: true}, nil
}

// ownEngagements are a person's engagements as a client, as `export`
// gives them: those never accepted (invited, declined) left out.
func (h *handler) ownEngagements(ctx context.Context, personID int64) ([]*bot.Engagement, error) {
	es, err := h.store.EngagementsForClient(ctx, personID)
	if err != nil {
		return nil, fmt.Errorf("load engagements of client %d: %w", personID, err)
	}
	return slices.DeleteFunc(es, func(e *bot.Engagement) bool {
		return e.Status == bot.EngagementInvited || e.Status == bot.EngagementDeclined
	}), nil
}

// today is the client's local day.
func (s *scope) today(c *caller) bot.Date { return localDay(s.client, c) }

// localDay is the person's local day at the request.
func localDay(p *bot.Person, c *caller) bot.Date {
	return bot.DateOf(c.now.In(bot.Zone(p.TimeZone)))
}

// clientOf writes the client with the engagement e (nil for none).
func clientOf(p *bot.Person, e *bot.Engagement, today bot.Date) client {
	out := client{ID: p.ID, Name: p.DisplayName, TimeZone: p.TimeZone}
	if e == nil {
		return out
	}
	x := &engagement{ID: e.ID, Status: string(e.Status), CoachID: e.CoachID, CycleDays: e.CycleN(1).Days,
		InvitedAt: instant(e.InvitedAt), AcceptedAt: instant(e.AcceptedAt), EndedAt: instant(e.EndedAt),
		PauseFrom: e.PauseFrom, PauseTo: e.PauseTo}
	if !e.AcceptedAt.IsZero() {
		x.Start = e.Start
		if e.Status.Live() && !today.Before(e.Start) {
			cy := e.CycleOn(today)
			x.Cycle = &cycle{EngagementID: e.ID, N: cy.N, Start: cy.Start, End: cy.End(), Days: cy.Days, Day: cy.Day(today)}
		}
	}
	out.Engagement = x
	return out
}

// clients lists the clients the caller may read: themselves when they
// have been a client, then, for a coach, the clients of their live
// engagements, by engagement.
func (h *handler) clients(ctx context.Context, c *caller, _ *http.Request) (any, http.Header, error) {
	out := list[client]{Data: []client{}}
	own, err := h.ownEngagements(ctx, c.me.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(own) > 0 {
		out.Data = append(out.Data, clientOf(c.me, own[len(own)-1], localDay(c.me, c)))
	}
	if c.me.IsCoach {
		es, err := h.store.EngagementsForCoach(ctx, c.me.ID, bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused)
		if err != nil {
			return nil, nil, fmt.Errorf("load engagements of coach %d: %w", c.me.ID, err)
		}
		for _, e := range es {
			if e.ClientID == c.me.ID {
				continue
			}
			p, err := h.store.Person(ctx, e.ClientID)
			if err != nil {
				return nil, nil, fmt.Errorf("load client %d: %w", e.ClientID, err)
			}
			out.Data = append(out.Data, clientOf(p, e, localDay(p, c)))
		}
	}
	return out, nil, nil
}

// client is one client.
func (h *handler) client(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	var e *bot.Engagement
	if len(s.engagements) > 0 {
		e = s.engagements[len(s.engagements)-1]
	}
	return clientOf(s.client, e, s.today(c)), nil, nil
}

// cycles lists the cycles of the client's engagements that have begun,
// up to today (or the engagement's end).
func (h *handler) cycles(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	today := s.today(c)
	out := list[cycle]{Data: []cycle{}}
	for _, e := range s.engagements {
		if e.AcceptedAt.IsZero() || today.Before(e.Start) {
			continue
		}
		last := today
		if !e.EndedAt.IsZero() {
			last = bot.DateOf(e.EndedAt.In(bot.Zone(s.client.TimeZone)))
		}
		for n := 1; ; n++ {
			cy := e.CycleN(n)
			if cy.Start.After(last) {
				break
			}
			x := cycle{EngagementID: e.ID, N: n, Start: cy.Start, End: cy.End(), Days: cy.Days}
			if e.Status.Live() && cy.Contains(today) {
				x.Day = cy.Day(today)
			}
			out.Data = append(out.Data, x)
		}
	}
	return out, nil, nil
}
