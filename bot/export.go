package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The export is its own schema, documented in README ("Your data"): every
// key snake_case, days as "YYYY-MM-DD", instants as RFC 3339 in UTC, a
// rock named by its number as people see it. The domain types carry no
// json tags: what is stored may change without changing what a person's
// file says.

// exportVersion numbers the schema; it grows when a key changes meaning
// or goes away (new keys may come without it).
const exportVersion = 1

// exportData is everything a person can export: theirs alone.
type exportData struct {
	Version     int                `json:"version"`
	ExportedAt  exportInstant      `json:"exported_at"`
	Person      exportPerson       `json:"person"`
	Engagements []exportEngagement `json:"engagements"`
	// Coaching is, for a coach, the clients they coach or coached with
	// the sessions they logged and their own notes of them.
	Coaching []exportCoaching `json:"coaching,omitempty"`
}

type exportPerson struct {
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	IsCoach  bool   `json:"is_coach"`
	// EveningTime is when `checkin` starts answering the next workday;
	// null when never.
	EveningTime *string       `json:"evening_time"`
	Digest      *exportDigest `json:"digest,omitempty"` // a coach's
}

type exportDigest struct {
	Channel string `json:"channel"` // a platform channel id; "" for a direct message
	Weekday string `json:"weekday"`
	Time    string `json:"time"`
}

// exportEngagement is one coaching engagement of the person as a client.
type exportEngagement struct {
	Coach       *string            `json:"coach"` // null once the coach deleted their data
	Status      EngagementStatus   `json:"status"`
	InvitedAt   exportInstant      `json:"invited_at"`
	AcceptedAt  exportInstant      `json:"accepted_at"`
	EndedAt     exportInstant      `json:"ended_at"`
	Start       Date               `json:"start"`
	CycleDays   int                `json:"cycle_days"`
	Cycles      []exportCycle      `json:"cycles"`
	Schedule    exportSchedule     `json:"schedule"`
	Rocks       []exportRock       `json:"rocks"`
	RockHistory []exportRockChange `json:"rock_history"`
	CheckIns    []exportCheckIn    `json:"check_ins"`
	Weekly      []exportWeekly     `json:"weekly_reports"`
	Reviews     []exportReview     `json:"quarterly_reviews"`
	Scorecard   []exportMeasurable `json:"scorecard"`
	Sessions    []exportSessionDay `json:"sessions"`
}

// exportMeasurable is one number of the weekly scorecard with its values.
type exportMeasurable struct {
	Number    int                 `json:"number"`
	Name      string              `json:"name"`
	Direction Direction           `json:"direction"`
	Goal      float64             `json:"goal"`
	Unit      string              `json:"unit"`
	RemovedAt exportInstant       `json:"removed_at"`
	Values    []exportMeasureWeek `json:"values"`
}

type exportMeasureWeek struct {
	Week  Date    `json:"week"`
	Value float64 `json:"value"`
}

type exportCycle struct {
	N     int  `json:"n"`
	Start Date `json:"start"`
	End   Date `json:"end"`
}

type exportSchedule struct {
	CheckinTime     string `json:"checkin_time"`
	Workdays        string `json:"workdays"`
	WeeklyDay       string `json:"weekly_day"`
	WeeklyTime      string `json:"weekly_time"`
	ReminderMinutes int    `json:"reminder_minutes"` // 0 = no reminder
	PauseFrom       Date   `json:"pause_from"`
	PauseTo         Date   `json:"pause_to"`
}

type exportRock struct {
	Number    int           `json:"number"`
	Title     string        `json:"title"`
	DoneWhen  string        `json:"done_when"`
	Due       Date          `json:"due"`
	Status    RockStatus    `json:"status"`
	Progress  int           `json:"progress"`
	CreatedAt exportInstant `json:"created_at"`
	UpdatedAt exportInstant `json:"updated_at"`
}

type exportRockChange struct {
	Rock     int           `json:"rock"`
	At       exportInstant `json:"at"`
	By       *string       `json:"by"` // "client", "coach", or null once that person deleted their data
	Title    string        `json:"title"`
	DoneWhen string        `json:"done_when"`
	Due      Date          `json:"due"`
	Status   RockStatus    `json:"status"`
	Progress int           `json:"progress"`
	Note     string        `json:"note"`
}

type exportCheckIn struct {
	Day          Date          `json:"day"`
	Status       AnswerStatus  `json:"status"`
	MovedForward string        `json:"moved_forward"`
	Priority     string        `json:"priority"`
	PriorityRock *int          `json:"priority_rock"`
	Stuck        string        `json:"stuck"`
	Energy       *int          `json:"energy"`
	SubmittedAt  exportInstant `json:"submitted_at"`
}

type exportWeekly struct {
	Week        Date               `json:"week"`
	Status      AnswerStatus       `json:"status"`
	Rocks       []exportRockUpdate `json:"rocks"`
	Win         string             `json:"win"`
	Stuck       string             `json:"stuck"`
	Ask         string             `json:"ask"`
	SubmittedAt exportInstant      `json:"submitted_at"`
}

type exportRockUpdate struct {
	Rock     int        `json:"rock"`
	Status   RockStatus `json:"status"`
	Progress int        `json:"progress"`
	Note     string     `json:"note"`
}

type exportReview struct {
	Cycle       int                `json:"cycle"`
	Status      AnswerStatus       `json:"status"`
	Rocks       []exportRockReview `json:"rocks"`
	Win         string             `json:"win"`
	Change      string             `json:"change"`
	SubmittedAt exportInstant      `json:"submitted_at"`
}

type exportRockReview struct {
	Rock     int          `json:"rock"`
	Decision RockDecision `json:"decision"`
	Learned  string       `json:"learned"`
}

// exportSessionDay is a session the client's coach logged: its day, not
// the coach's notes, which are the coach's (and in the coach's export).
type exportSessionDay struct {
	Day Date `json:"day"`
}

// exportCoaching is one engagement the person coaches or coached.
type exportCoaching struct {
	Client   *string          `json:"client"` // null once the client deleted their data
	Status   EngagementStatus `json:"status"`
	Start    Date             `json:"start"`
	Sessions []exportSession  `json:"sessions"`
}

type exportSession struct {
	Day   Date   `json:"day"`
	Notes string `json:"notes"`
}

// exportInstant is an instant in an export: RFC 3339 in UTC to the
// second, null when unset.
type exportInstant time.Time

// MarshalJSON writes the instant as "2026-11-25T09:00:00Z", or null.
func (t exportInstant) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// exportCycles lists e's cycles up to the one holding last.
func exportCycles(e *Engagement, last Date) []exportCycle {
	var out []exportCycle
	for n := 1; n <= e.CycleOn(last).N; n++ {
		c := e.CycleN(n)
		out = append(out, exportCycle{N: c.N, Start: c.Start, End: c.End()})
	}
	return out
}

// exportOptional is a pointer to v, or nil for the zero value: a JSON null.
func exportOptional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// cmdExport sends the person's own data as JSON and CSV files.
func (b *Bot) cmdExport(ctx context.Context, r *request, _ string) ([]Message, error) {
	es, err := b.store.EngagementsForClient(ctx, r.me.ID)
	if err != nil {
		return nil, fmt.Errorf("load engagements: %w", err)
	}
	me := r.me
	data := exportData{Version: exportVersion, ExportedAt: exportInstant(r.now), Engagements: []exportEngagement{},
		Person: exportPerson{Name: me.DisplayName, TimeZone: me.TimeZone, IsCoach: me.IsCoach}}
	if ev := me.Evening(); ev != EveningOff {
		data.Person.EveningTime = exportOptional(ev.String())
	}
	if me.IsCoach {
		data.Person.Digest = &exportDigest{Channel: me.DigestChannel, Weekday: dayNames[me.DigestWeekday], Time: me.DigestTime.String()}
	}
	var checkins, rocks, weekly bytes.Buffer
	cw, rw, ww := csv.NewWriter(&checkins), csv.NewWriter(&rocks), csv.NewWriter(&weekly)
	_ = cw.Write([]string{"day", "status", "moved_forward", "priority", "priority_rock", "stuck", "energy", "cycle"})
	_ = rw.Write([]string{"number", "title", "done_when", "due", "status", "progress", "created_at"})
	_ = ww.Write([]string{"week", "status", "win", "stuck", "ask", "rocks", "cycle"})
	for _, e := range es {
		if e.Status == EngagementInvited || e.Status == EngagementDeclined {
			continue
		}
		x, err := b.exportEngagement(ctx, r, e)
		if err != nil {
			return nil, err
		}
		for _, c := range x.CheckIns {
			energy := ""
			if c.Energy != nil {
				energy = strconv.Itoa(*c.Energy)
			}
			rock := ""
			if c.PriorityRock != nil {
				rock = rockTitle(x.rocks, x.rockID(*c.PriorityRock))
			}
			_ = cw.Write([]string{c.Day.String(), string(c.Status), c.MovedForward, c.Priority, rock, c.Stuck, energy, strconv.Itoa(e.CycleOn(c.Day).N)})
		}
		for _, rk := range x.Rocks {
			_ = rw.Write([]string{strconv.Itoa(rk.Number), rk.Title, rk.DoneWhen, rk.Due.String(), rk.Status.Label(), strconv.Itoa(rk.Progress), time.Time(rk.CreatedAt).UTC().Format(time.RFC3339)})
		}
		for _, w := range x.Weekly {
			lines := make([]string, len(w.Rocks))
			for i, u := range w.Rocks {
				lines[i] = fmt.Sprintf("%d: %s %d%%", u.Rock, u.Status.Label(), u.Progress)
				if u.Note != "" {
					lines[i] += " — " + u.Note
				}
			}
			_ = ww.Write([]string{w.Week.String(), string(w.Status), w.Win, w.Stuck, w.Ask, strings.Join(lines, "; "), strconv.Itoa(e.CycleOn(e.WeeklyDay(w.Week)).N)})
		}
		data.Engagements = append(data.Engagements, x.exportEngagement)
	}
	if me.IsCoach {
		if data.Coaching, err = b.exportCoaching(ctx, me); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	rw.Flush()
	ww.Flush()
	js, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	if err := errors.Join(cw.Error(), rw.Error(), ww.Error()); err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	text := "Here is everything smart90 keeps about you: your rocks, their history, your check-ins, weekly reports and quarterly reviews"
	if me.IsCoach {
		text += ", and the sessions you logged with your notes"
	}
	day := r.today().String()
	return []Message{{
		Text: text + ".",
		Files: []File{
			{Name: "smart90-" + day + ".json", ContentType: "application/json", Data: js},
			{Name: "smart90-checkins-" + day + ".csv", ContentType: "text/csv", Data: checkins.Bytes()},
			{Name: "smart90-rocks-" + day + ".csv", ContentType: "text/csv", Data: rocks.Bytes()},
			{Name: "smart90-weekly-" + day + ".csv", ContentType: "text/csv", Data: weekly.Bytes()},
		},
		Ephemeral: true,
	}}, nil
}

// exported is an engagement's export with its rocks, for the CSVs.
type exported struct {
	exportEngagement
	rocks []*Rock
}

// rockID returns the id of the rock with that number, 0 when none has it.
func (x *exported) rockID(number int) int64 {
	for _, r := range x.rocks {
		if r.Position == number {
			return r.ID
		}
	}
	return 0
}

// exportEngagement loads one engagement of the actor as a client.
func (b *Bot) exportEngagement(ctx context.Context, r *request, e *Engagement) (*exported, error) {
	last := r.today()
	if !e.EndedAt.IsZero() {
		last = DateOf(e.EndedAt.In(zoneOf(r.me)))
	}
	x := &exported{exportEngagement: exportEngagement{
		Status: e.Status, InvitedAt: exportInstant(e.InvitedAt), AcceptedAt: exportInstant(e.AcceptedAt), EndedAt: exportInstant(e.EndedAt),
		Start: e.Start, CycleDays: e.cycleDays(), Cycles: exportCycles(e, last),
		Schedule: exportSchedule{CheckinTime: e.CheckinTime.String(), Workdays: e.Workdays.String(), WeeklyDay: dayNames[e.WeeklyWeekday],
			WeeklyTime: e.WeeklyTime.String(), ReminderMinutes: int(e.ReminderDelay / time.Minute), PauseFrom: e.PauseFrom, PauseTo: e.PauseTo},
		Rocks: []exportRock{}, RockHistory: []exportRockChange{}, CheckIns: []exportCheckIn{}, Weekly: []exportWeekly{},
		Reviews: []exportReview{}, Scorecard: []exportMeasurable{}, Sessions: []exportSessionDay{},
	}}
	if e.CoachID != 0 {
		coach, err := b.store.Person(ctx, e.CoachID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, fmt.Errorf("load coach: %w", err)
		} else if err == nil {
			x.Coach = &coach.DisplayName
		}
	}
	var err error
	if x.rocks, err = b.store.Rocks(ctx, e.ID); err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	number := map[int64]int{}
	for _, rk := range x.rocks {
		number[rk.ID] = rk.Position
		x.Rocks = append(x.Rocks, exportRock{Number: rk.Position, Title: rk.Title, DoneWhen: rk.DoneWhen, Due: rk.Due, Status: rk.Status,
			Progress: rk.Progress, CreatedAt: exportInstant(rk.CreatedAt), UpdatedAt: exportInstant(rk.UpdatedAt)})
	}
	history, err := b.store.RockHistory(ctx, e.ID, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("load rock history: %w", err)
	}
	for _, h := range history {
		var by *string
		switch {
		case h.ByPersonID == 0:
		case h.ByPersonID == e.ClientID:
			by = exportOptional("client")
		case h.ByPersonID == e.CoachID:
			by = exportOptional("coach")
		}
		x.RockHistory = append(x.RockHistory, exportRockChange{Rock: number[h.RockID], At: exportInstant(h.At), By: by, Title: h.Title,
			DoneWhen: h.DoneWhen, Due: h.Due, Status: h.Status, Progress: h.Progress, Note: h.Note})
	}
	checkins, err := b.store.CheckIns(ctx, e.ID, Date{1, 1, 1}, Date{9999, 12, 31})
	if err != nil {
		return nil, fmt.Errorf("load check-ins: %w", err)
	}
	for _, c := range checkins {
		x.CheckIns = append(x.CheckIns, exportCheckIn{Day: c.Day, Status: c.Status, MovedForward: c.Moved, Priority: c.Priority,
			PriorityRock: exportOptional(number[c.PriorityRockID]), Stuck: c.Stuck, Energy: exportOptional(c.Energy), SubmittedAt: exportInstant(c.SubmittedAt)})
	}
	reports, err := b.store.WeeklyReports(ctx, e.ID, Date{1, 1, 1}, Date{9999, 12, 31})
	if err != nil {
		return nil, fmt.Errorf("load weekly reports: %w", err)
	}
	for _, w := range reports {
		xw := exportWeekly{Week: w.Week, Status: w.Status, Rocks: []exportRockUpdate{}, Win: w.Win, Stuck: w.Stuck, Ask: w.Ask, SubmittedAt: exportInstant(w.SubmittedAt)}
		for _, u := range w.Rocks {
			xw.Rocks = append(xw.Rocks, exportRockUpdate{Rock: number[u.RockID], Status: u.Status, Progress: u.Progress, Note: u.Note})
		}
		x.Weekly = append(x.Weekly, xw)
	}
	reviews, err := b.store.Reviews(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load reviews: %w", err)
	}
	for _, rv := range reviews {
		xr := exportReview{Cycle: rv.Cycle, Status: rv.Status, Rocks: []exportRockReview{}, Win: rv.Win, Change: rv.Change, SubmittedAt: exportInstant(rv.SubmittedAt)}
		for _, l := range rv.Rocks {
			xr.Rocks = append(xr.Rocks, exportRockReview{Rock: number[l.RockID], Decision: l.Decision, Learned: l.Learned})
		}
		x.Reviews = append(x.Reviews, xr)
	}
	ms, err := b.store.Measurables(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load scorecard: %w", err)
	}
	values, err := b.store.MeasurableValues(ctx, e.ID, Date{1, 1, 1}, Date{9999, 12, 31})
	if err != nil {
		return nil, fmt.Errorf("load scorecard values: %w", err)
	}
	for _, m := range ms {
		xm := exportMeasurable{Number: m.Position, Name: m.Name, Direction: m.Direction, Goal: m.Goal, Unit: m.Unit,
			RemovedAt: exportInstant(m.RemovedAt), Values: []exportMeasureWeek{}}
		for _, v := range values {
			if v.MeasurableID == m.ID {
				xm.Values = append(xm.Values, exportMeasureWeek{Week: v.Week, Value: v.Value})
			}
		}
		x.Scorecard = append(x.Scorecard, xm)
	}
	sessions, err := b.store.Sessions(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load sessions: %w", err)
	}
	for _, s := range sessions {
		x.Sessions = append(x.Sessions, exportSessionDay{Day: s.Day})
	}
	return x, nil
}

// exportCoaching lists the engagements the coach coaches or coached, with
// the sessions they logged and their notes. What the clients wrote is
// theirs, in their own export.
func (b *Bot) exportCoaching(ctx context.Context, coach *Person) ([]exportCoaching, error) {
	es, err := b.store.EngagementsForCoach(ctx, coach.ID)
	if err != nil {
		return nil, fmt.Errorf("load clients: %w", err)
	}
	out := []exportCoaching{}
	for _, e := range es {
		xc := exportCoaching{Status: e.Status, Start: e.Start, Sessions: []exportSession{}}
		client, err := b.store.Person(ctx, e.ClientID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, fmt.Errorf("load client: %w", err)
		} else if err == nil {
			xc.Client = &client.DisplayName
		}
		sessions, err := b.store.Sessions(ctx, e.ID)
		if err != nil {
			return nil, fmt.Errorf("load sessions: %w", err)
		}
		for _, s := range sessions {
			xc.Sessions = append(xc.Sessions, exportSession{Day: s.Day, Notes: s.Notes})
		}
		out = append(out, xc)
	}
	return out, nil
}

// MarshalJSON writes a Date as "YYYY-MM-DD" (null for the zero Date).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

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
	if err := b.state.Delete(ctx, convKey(r.me)); err != nil {
		b.log.WarnContext(ctx, "forget conversation", "err", err)
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
