package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
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
	CycleStart  string           `json:"cycle_start"`
	CycleEnd    string           `json:"cycle_end"`
	CheckinTime string           `json:"checkin_time"`
	Workdays    string           `json:"workdays"`
	Rocks       []*Rock          `json:"rocks"`
	RockHistory []*RockChange    `json:"rock_history"`
	CheckIns    []*CheckIn       `json:"check_ins"`
	Weekly      []*WeeklyReport  `json:"weekly_reports"`
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
		x := exportEngagement{Status: e.Status, CycleStart: e.CycleStart.String(), CycleEnd: e.CycleEnd().String(), CheckinTime: e.CheckinTime.String(), Workdays: e.Workdays.String()}
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
	return []Message{{
		Text: "*Delete all your smart90 data?* Your rocks, their history, check-ins, weekly reports and settings are deleted for good. " +
			"Coaches keep nothing of yours. `export` first if you want a copy. This cannot be undone.",
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
	if err := b.store.DeletePerson(ctx, r.me.ID); err != nil {
		return nil, fmt.Errorf("forget person: %w", err)
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
