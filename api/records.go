package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/smart90/smart90/bot"
)

type rock struct {
	ID           int64    `json:"id"`
	EngagementID int64    `json:"engagement_id"`
	Number       int      `json:"number"`
	Title        string   `json:"title"`
	DoneWhen     string   `json:"done_when"`
	Due          bot.Date `json:"due,omitzero"`
	Status       string   `json:"status"`
	Progress     int      `json:"progress"`
	CreatedAt    instant  `json:"created_at"`
	UpdatedAt    instant  `json:"updated_at"`
}

// rocks lists the client's rocks, by engagement, then number.
func (h *handler) rocks(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	out := list[rock]{Data: []rock{}}
	for _, e := range s.engagements {
		rs, err := h.store.Rocks(ctx, e.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("load rocks of engagement %d: %w", e.ID, err)
		}
		for _, x := range rs {
			out.Data = append(out.Data, rock{ID: x.ID, EngagementID: e.ID, Number: x.Position, Title: x.Title, DoneWhen: x.DoneWhen,
				Due: x.Due, Status: string(x.Status), Progress: x.Progress, CreatedAt: instant(x.CreatedAt), UpdatedAt: instant(x.UpdatedAt)})
		}
	}
	return out, nil, nil
}

type checkIn struct {
	Day          bot.Date `json:"day"`
	EngagementID int64    `json:"engagement_id"`
	Cycle        int      `json:"cycle"`
	Status       string   `json:"status"`
	MovedForward string   `json:"moved_forward"`
	Priority     string   `json:"priority"`
	PriorityRock int      `json:"priority_rock,omitzero"`
	Stuck        string   `json:"stuck"`
	Energy       int      `json:"energy,omitzero"`
	SubmittedAt  instant  `json:"submitted_at,omitzero"`
	UpdatedAt    instant  `json:"updated_at"`
}

// rockNumbers maps the engagement's rock IDs to their numbers.
func (h *handler) rockNumbers(ctx context.Context, engagementID int64) (map[int64]int, error) {
	rs, err := h.store.Rocks(ctx, engagementID)
	if err != nil {
		return nil, fmt.Errorf("load rocks of engagement %d: %w", engagementID, err)
	}
	n := make(map[int64]int, len(rs))
	for _, x := range rs {
		n[x.ID] = x.Position
	}
	return n, nil
}

// checkIns lists the client's check-ins, by day, a page at a time.
func (h *handler) checkIns(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	return pagedRows(ctx, h, c, r, "check-ins", h.store.CheckIns,
		func(e *bot.Engagement, number map[int64]int, x *bot.CheckIn) (bot.Date, checkIn) {
			return x.Day, checkIn{Day: x.Day, EngagementID: e.ID, Cycle: e.CycleOn(x.Day).N,
				Status: string(x.Status), MovedForward: x.Moved, Priority: x.Priority, PriorityRock: number[x.PriorityRockID],
				Stuck: x.Stuck, Energy: x.Energy, SubmittedAt: instant(x.SubmittedAt), UpdatedAt: instant(x.UpdatedAt)}
		})
}

// pagedRows is a paginated list of the client's rows by day (check-ins,
// weekly reports): load reads an engagement's rows within the page's days,
// row turns one into its day and its API form, given the engagement's
// rock numbers by rock ID.
func pagedRows[R, T any](ctx context.Context, h *handler, c *caller, r *http.Request, what string,
	load func(ctx context.Context, engagementID int64, from, to bot.Date) ([]R, error),
	row func(e *bot.Engagement, number map[int64]int, x R) (bot.Date, T)) (any, http.Header, error) {
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	p, err := parsePage(r)
	if err != nil {
		return nil, nil, err
	}
	var rows []keyed[T]
	for _, e := range s.engagements {
		xs, err := load(ctx, e.ID, p.start(), p.to)
		if err != nil {
			return nil, nil, fmt.Errorf("load %s of engagement %d: %w", what, e.ID, err)
		}
		if len(xs) == 0 {
			continue
		}
		number, err := h.rockNumbers(ctx, e.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range xs {
			day, v := row(e, number, x)
			rows = append(rows, keyed[T]{day, e.ID, v})
		}
	}
	out, hdr := paginate(r, p, rows)
	return out, hdr, nil
}

type weeklyReport struct {
	Week         bot.Date     `json:"week"`
	EngagementID int64        `json:"engagement_id"`
	Cycle        int          `json:"cycle"`
	Status       string       `json:"status"`
	Rocks        []rockUpdate `json:"rocks"`
	Win          string       `json:"win"`
	Stuck        string       `json:"stuck"`
	Ask          string       `json:"ask"`
	SubmittedAt  instant      `json:"submitted_at,omitzero"`
	UpdatedAt    instant      `json:"updated_at"`
}

type rockUpdate struct {
	RockID   int64  `json:"rock_id"`
	Rock     int    `json:"rock"`
	Status   string `json:"status"`
	Progress int    `json:"progress"`
	Note     string `json:"note"`
}

// weeklyReports lists the client's weekly reports, by week (its Monday),
// a page at a time.
func (h *handler) weeklyReports(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	return pagedRows(ctx, h, c, r, "weekly reports", h.store.WeeklyReports,
		func(e *bot.Engagement, number map[int64]int, x *bot.WeeklyReport) (bot.Date, weeklyReport) {
			w := weeklyReport{Week: x.Week, EngagementID: e.ID, Cycle: e.CycleOn(e.WeeklyDay(x.Week)).N, Status: string(x.Status),
				Rocks: []rockUpdate{}, Win: x.Win, Stuck: x.Stuck, Ask: x.Ask, SubmittedAt: instant(x.SubmittedAt), UpdatedAt: instant(x.UpdatedAt)}
			for _, u := range x.Rocks {
				w.Rocks = append(w.Rocks, rockUpdate{RockID: u.RockID, Rock: number[u.RockID], Status: string(u.Status), Progress: u.Progress, Note: u.Note})
			}
			return x.Week, w
		})
}

type measurable struct {
	ID           int64       `json:"id"`
	EngagementID int64       `json:"engagement_id"`
	Number       int         `json:"number"`
	Name         string      `json:"name"`
	Direction    string      `json:"direction"`
	Goal         float64     `json:"goal"`
	Unit         string      `json:"unit"`
	RemovedAt    instant     `json:"removed_at,omitzero"`
	Values       []weekValue `json:"values"`
}

type weekValue struct {
	Week  bot.Date `json:"week"`
	Value float64  `json:"value"`
}

// scorecard lists the client's measurables, removed ones included, with
// their weekly values, by engagement, then number.
func (h *handler) scorecard(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	out := list[measurable]{Data: []measurable{}}
	for _, e := range s.engagements {
		ms, err := h.store.Measurables(ctx, e.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("load scorecard of engagement %d: %w", e.ID, err)
		}
		if len(ms) == 0 {
			continue
		}
		vs, err := h.store.MeasurableValues(ctx, e.ID, firstDay, lastDay)
		if err != nil {
			return nil, nil, fmt.Errorf("load scorecard values of engagement %d: %w", e.ID, err)
		}
		for _, m := range ms {
			x := measurable{ID: m.ID, EngagementID: e.ID, Number: m.Position, Name: m.Name, Direction: string(m.Direction),
				Goal: m.Goal, Unit: m.Unit, RemovedAt: instant(m.RemovedAt), Values: []weekValue{}}
			for _, v := range vs {
				if v.MeasurableID == m.ID {
					x.Values = append(x.Values, weekValue{Week: v.Week, Value: v.Value})
				}
			}
			out.Data = append(out.Data, x)
		}
	}
	return out, nil, nil
}

type session struct {
	ID           int64    `json:"id"`
	EngagementID int64    `json:"engagement_id"`
	Day          bot.Date `json:"day"`
	Start        instant  `json:"start,omitzero"`
	Minutes      int      `json:"minutes,omitzero"`
	Source       string   `json:"source"`
	CancelledAt  instant  `json:"cancelled_at,omitzero"`
	// Notes are the coach's own: only their coach reads them, as in
	// chat and `export`.
	Notes *string `json:"notes,omitempty"`
}

// sessions lists the client's coaching sessions, by engagement, then day.
func (h *handler) sessions(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error) {
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	out := list[session]{Data: []session{}}
	for _, e := range s.engagements {
		ss, err := h.store.Sessions(ctx, e.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("load sessions of engagement %d: %w", e.ID, err)
		}
		for _, x := range ss {
			y := session{ID: x.ID, EngagementID: e.ID, Day: x.Day, Start: instant(x.Start), Minutes: x.Minutes,
				Source: string(x.Source), CancelledAt: instant(x.CancelledAt)}
			if s.coach {
				y.Notes = &x.Notes
			}
			out.Data = append(out.Data, y)
		}
	}
	return out, nil, nil
}
