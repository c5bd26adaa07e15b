package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/smart90/smart90/bot"
)

// Bounds of the days a store is asked for when the caller gives none.
var (
	firstDay = bot.Date{Year: 1, Month: 1, Day: 1}
	lastDay  = bot.Date{Year: 9999, Month: 12, Day: 31}
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

// page is a paginated request's bounds: the days from and to (both
// included), at most limit rows after the cursor's (day, engagement).
type page struct {
	from, to   bot.Date
	limit      int
	afterDay   bot.Date // zero: from the start
	afterEngID int64
}

// parsePage reads from, to, limit and cursor.
func parsePage(r *http.Request) (page, error) {
	q := r.URL.Query()
	p := page{from: firstDay, to: lastDay, limit: DefaultLimit}
	for _, d := range []struct {
		name string
		to   *bot.Date
	}{{"from", &p.from}, {"to", &p.to}} {
		if v := q.Get(d.name); v != "" {
			day, err := bot.ParseDate(v)
			if err != nil {
				return p, badRequest(fmt.Sprintf("%s: %q is not a date; use YYYY-MM-DD.", d.name, v))
			}
			*d.to = day
		}
	}
	if p.to.Before(p.from) {
		return p, badRequest("from is after to.")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return p, badRequest(fmt.Sprintf("limit is a number from 1 to %d, not %q.", MaxLimit, v))
		}
		p.limit = n
	}
	if v := q.Get("cursor"); v != "" {
		day, id, ok := decodeCursor(v)
		if !ok {
			return p, badRequest("That cursor is not one this API gave; start again without it.")
		}
		p.afterDay, p.afterEngID = day, id
	}
	return p, nil
}

// A cursor is the (day, engagement) of the last row of its page, opaque
// to callers: base64url of "YYYY-MM-DD.ID".
func encodeCursor(day bot.Date, engagementID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(day.String() + "." + strconv.FormatInt(engagementID, 10)))
}

func decodeCursor(s string) (bot.Date, int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bot.Date{}, 0, false
	}
	d, id, ok := strings.Cut(string(raw), ".")
	day, err1 := bot.ParseDate(d)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 || day.String() != d {
		return bot.Date{}, 0, false
	}
	return day, n, true
}

// after reports whether the row (day, engagementID) comes after the
// page's cursor.
func (p page) after(day bot.Date, engagementID int64) bool {
	if p.afterDay.IsZero() {
		return true
	}
	return day.After(p.afterDay) || day == p.afterDay && engagementID > p.afterEngID
}

// start is the first day to read: the cursor's day when it is later
// than from.
func (p page) start() bot.Date {
	if p.afterDay.After(p.from) {
		return p.afterDay
	}
	return p.from
}

// keyed is a row of a paginated list with its key.
type keyed[T any] struct {
	day   bot.Date
	engID int64
	row   T
}

// paginate sorts rows by (day, engagement), keeps those after the cursor
// and returns one page with the next cursor and its Link header.
func paginate[T any](r *http.Request, p page, rows []keyed[T]) (list[T], http.Header) {
	slices.SortFunc(rows, func(a, b keyed[T]) int {
		if a.day != b.day {
			if a.day.Before(b.day) {
				return -1
			}
			return 1
		}
		return int(a.engID - b.engID)
	})
	out := list[T]{Data: []T{}}
	var last keyed[T]
	for _, k := range rows {
		if !p.after(k.day, k.engID) {
			continue
		}
		if len(out.Data) == p.limit {
			out.NextCursor = encodeCursor(last.day, last.engID)
			break
		}
		out.Data = append(out.Data, k.row)
		last = k
	}
	if out.NextCursor == "" {
		return out, nil
	}
	q := r.URL.Query()
	q.Set("cursor", out.NextCursor)
	next := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return out, http.Header{"Link": {"<" + next.String() + `>; rel="next"`}}
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
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	p, err := parsePage(r)
	if err != nil {
		return nil, nil, err
	}
	var rows []keyed[checkIn]
	for _, e := range s.engagements {
		cs, err := h.store.CheckIns(ctx, e.ID, p.start(), p.to)
		if err != nil {
			return nil, nil, fmt.Errorf("load check-ins of engagement %d: %w", e.ID, err)
		}
		if len(cs) == 0 {
			continue
		}
		number, err := h.rockNumbers(ctx, e.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range cs {
			rows = append(rows, keyed[checkIn]{x.Day, e.ID, checkIn{Day: x.Day, EngagementID: e.ID, Cycle: e.CycleOn(x.Day).N,
				Status: string(x.Status), MovedForward: x.Moved, Priority: x.Priority, PriorityRock: number[x.PriorityRockID],
				Stuck: x.Stuck, Energy: x.Energy, SubmittedAt: instant(x.SubmittedAt), UpdatedAt: instant(x.UpdatedAt)}})
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
	s, err := h.scope(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	p, err := parsePage(r)
	if err != nil {
		return nil, nil, err
	}
	var rows []keyed[weeklyReport]
	for _, e := range s.engagements {
		ws, err := h.store.WeeklyReports(ctx, e.ID, p.start(), p.to)
		if err != nil {
			return nil, nil, fmt.Errorf("load weekly reports of engagement %d: %w", e.ID, err)
		}
		if len(ws) == 0 {
			continue
		}
		number, err := h.rockNumbers(ctx, e.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range ws {
			w := weeklyReport{Week: x.Week, EngagementID: e.ID, Cycle: e.CycleOn(e.WeeklyDay(x.Week)).N, Status: string(x.Status),
				Rocks: []rockUpdate{}, Win: x.Win, Stuck: x.Stuck, Ask: x.Ask, SubmittedAt: instant(x.SubmittedAt), UpdatedAt: instant(x.UpdatedAt)}
			for _, u := range x.Rocks {
				w.Rocks = append(w.Rocks, rockUpdate{RockID: u.RockID, Rock: number[u.RockID], Status: string(u.Status), Progress: u.Progress, Note: u.Note})
			}
			rows = append(rows, keyed[weeklyReport]{x.Week, e.ID, w})
		}
	}
	out, hdr := paginate(r, p, rows)
	return out, hdr, nil
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
