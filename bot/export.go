package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// exportData is everything a person can export: theirs alone.
type exportData struct {
	ExportedAt  time.Time          `json:"exported_at"`
	Person      exportPerson       `json:"person"`
	Engagements []exportEngagement `json:"engagements"`
}

type exportPerson struct {
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	IsCoach  bool   `json:"is_coach"`
}

type exportEngagement struct {
	Status      EngagementStatus `json:"status"`
	Start       string           `json:"start"`
	Cycles      []exportCycle    `json:"cycles"`
	CheckinTime string           `json:"checkin_time"`
	Workdays    string           `json:"workdays"`
	Rocks       []*Rock          `json:"rocks"`
	RockHistory []*RockChange    `json:"rock_history"`
	CheckIns    []*CheckIn       `json:"check_ins"`
	Weekly      []*WeeklyReport  `json:"weekly_reports"`
	Reviews     []*Review        `json:"quarterly_reviews"`
}

type exportCycle struct {
	N     int    `json:"n"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// exportCycles lists e's cycles up to the one holding last.
func exportCycles(e *Engagement, last Date) []exportCycle {
	var out []exportCycle
	for n := 1; n <= e.CycleOn(last).N; n++ {
		c := e.CycleN(n)
		out = append(out, exportCycle{N: c.N, Start: c.Start.String(), End: c.End().String()})
	}
	return out
}

// cmdExport sends the person's own data as JSON and CSV files.
func (b *Bot) cmdExport(ctx context.Context, r *request, _ string) ([]Message, error) {
	es, err := b.store.EngagementsForClient(ctx, r.me.ID)
	if err != nil {
		return nil, fmt.Errorf("load engagements: %w", err)
	}
	data := exportData{ExportedAt: r.now, Person: exportPerson{r.me.DisplayName, r.me.TimeZone, r.me.IsCoach}}
	var checkins, rocks bytes.Buffer
	cw, rw := csv.NewWriter(&checkins), csv.NewWriter(&rocks)
	_ = cw.Write([]string{"day", "status", "moved_forward", "priority", "priority_rock", "stuck", "energy"})
	_ = rw.Write([]string{"number", "title", "done_when", "due", "status", "progress", "created_at"})
	for _, e := range es {
		if e.Status == EngagementInvited || e.Status == EngagementDeclined {
			continue
		}
		last := r.today()
		if !e.EndedAt.IsZero() {
			last = DateOf(e.EndedAt.In(zoneOf(r.me)))
		}
		x := exportEngagement{Status: e.Status, Start: e.Start.String(), Cycles: exportCycles(e, last), CheckinTime: e.CheckinTime.String(), Workdays: e.Workdays.String()}
		if x.Rocks, err = b.store.Rocks(ctx, e.ID); err != nil {
			return nil, fmt.Errorf("load rocks: %w", err)
		}
		if x.RockHistory, err = b.store.RockHistory(ctx, e.ID, time.Time{}); err != nil {
			return nil, fmt.Errorf("load rock history: %w", err)
		}
		if x.CheckIns, err = b.store.CheckIns(ctx, e.ID, Date{1, 1, 1}, Date{9999, 12, 31}); err != nil {
			return nil, fmt.Errorf("load check-ins: %w", err)
		}
		if x.Weekly, err = b.store.WeeklyReports(ctx, e.ID, Date{1, 1, 1}, Date{9999, 12, 31}); err != nil {
			return nil, fmt.Errorf("load weekly reports: %w", err)
		}
		if x.Reviews, err = b.store.Reviews(ctx, e.ID); err != nil {
			return nil, fmt.Errorf("load reviews: %w", err)
		}
		for _, c := range x.CheckIns {
			energy := ""
			if c.Energy > 0 {
				energy = strconv.Itoa(c.Energy)
			}
			_ = cw.Write([]string{c.Day.String(), string(c.Status), c.Moved, c.Priority, rockTitle(x.Rocks, c.PriorityRockID), c.Stuck, energy})
		}
		for _, rk := range x.Rocks {
			_ = rw.Write([]string{strconv.Itoa(rk.Position), rk.Title, rk.DoneWhen, rk.Due.String(), rk.Status.Label(), strconv.Itoa(rk.Progress), rk.CreatedAt.Format(time.RFC3339)})
		}
		data.Engagements = append(data.Engagements, x)
	}
	cw.Flush()
	rw.Flush()
	js, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	day := r.today().String()
	return []Message{{
		Text: "Here is everything smart90 keeps about you: your rocks, their history, your check-ins and weekly reports.",
		Files: []File{
			{Name: "smart90-" + day + ".json", ContentType: "application/json", Data: js},
			{Name: "smart90-checkins-" + day + ".csv", ContentType: "text/csv", Data: checkins.Bytes()},
			{Name: "smart90-rocks-" + day + ".csv", ContentType: "text/csv", Data: rocks.Bytes()},
		},
		Ephemeral: true,
	}}, nil
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
