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
