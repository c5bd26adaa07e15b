package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// answer sends ana the check-in of day at 09:00 Paris time and has her
// submit its form.
func answer(t *testing.T, b *bottest.Bundle, day bot.Date, moved, stuck string, energy string) {
	t.Helper()
	b.Clock.Set(bottest.Day(day.String(), "09:00", "Europe/Paris"))
	b.Prompt(t, ana, bot.DeliveryDaily, day)
	f := lastTo(t, b, "ana").Form
	has(t, b.Submit(t, ana, f.FormID, f.Value, map[string]string{"moved": moved, "priority": "focus " + day.String(), "stuck": stuck, "energy": energy}), "Saved")
}

// twoDays engages ana with three rocks and has her answer Monday and
// Tuesday; the clock is left on Wednesday 10:00 in Paris.
func twoDays(t *testing.T) (*bottest.Bundle, *bot.Engagement) {
	t.Helper()
	b, e := withRocks(t)
	answer(t, b, mon23, "shipped the draft", "legal review", "4")
	answer(t, b, tue24, "called Sam", "no", "2")
	b.Clock.Set(bottest.Day("2026-11-25", "10:00", "Europe/Paris"))
	return b, e
}

func TestClients(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Meet(bob)
	b.Command(t, coach, "invite <@bob>")
	b.Command(t, ana, "rocks set 2 off-track 10%")
	out := b.Command(t, coach, "clients")
	has(t, out, "*Your clients*",
		"*Ana* — Cycle 1 · day 4 of 90 · this week 2/3 check-ins · streak 2 · 3 rocks (1 off track)",
		"*Bob* — invited 2026-11-25, not accepted yet")
	if es, err := b.Store.EngagementsForCoach(context.Background(), e.CoachID); err != nil || len(es) != 2 {
		t.Errorf("coach has %d engagements (%v), want 2", len(es), err)
	}
	has(t, b.Command(t, coach2, "clients"), "`clients` is for coaches", "type `coach`")
	has(t, b.Command(t, coach2, "coach"), "You are a coach on smart90 now")
	has(t, b.Command(t, coach2, "clients"), "You have no clients yet")
}

func TestBriefAndSession(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	out := b.Command(t, coach, "brief <@ana>")
	has(t, out, "*Brief: Ana* — since the cycle started", "Check-ins 2/3 (66%) · streak 2 · energy 3.0",
		"1. Launch the pricing page — on track · 0% (new)", "legal review", "focus 2026-11-24")
	lacks(t, out, "called Sam: no") // "no" is nothing stuck

	has(t, b.Command(t, coach, "session <@ana> 2026-11-24 pricing and hiring"), "Logged a session with Ana on 2026-11-24")
	ss, err := b.Store.Sessions(context.Background(), e.ID)
	if err != nil || len(ss) != 1 || ss[0].Day != tue24 || ss[0].Notes != "pricing and hiring" {
		t.Fatalf("sessions = %+v (%v)", ss, err)
	}
	has(t, b.Command(t, coach, "brief <@ana>"), "since your session on 2026-11-24", "Check-ins 1/2")

	for text, want := range map[string]string{
		"session <@ana> 2026-12-30":   "can't be logged in the future",
		"session <@ana> 2026-02-30 x": "is not a date",
		"session":                     "Tell me which client",
		"brief":                       "Tell me which client",
		"brief ana":                   `"ana" is not a mention`,
	} {
		has(t, b.Command(t, coach, text), want)
	}
	if ss, _ := b.Store.Sessions(context.Background(), e.ID); len(ss) != 1 {
		t.Errorf("%d sessions after refused ones, want 1", len(ss))
	}
}

func TestBriefOnlyForOwnClients(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	b.Meet(bob)
	b.Command(t, bob, "help")
	b.Command(t, coach2, "invite <@coach>") // coach2 is a coach too, of someone else
	for _, tt := range []struct {
		by   bot.UserRef
		text string
		want string
	}{
		{coach2, "brief <@ana>", "is not one of your clients"},
		{coach2, "session <@ana>", "is not one of your clients"},
		{coach, "brief <@bob>", "is not one of your clients"},
		{ana, "brief <@ana>", "`brief` is for coaches"},
		{bob, "brief <@ana>", "`brief` is for coaches"},
	} {
		out := b.Command(t, tt.by, tt.text)
		has(t, out, tt.want)
		lacks(t, out, "Brief", "shipped the draft", "Logged")
	}
	b.Command(t, coach, "invite <@bob>")
	has(t, b.Command(t, coach, "brief <@bob>"), "Bob has not accepted your invitation yet")
}

func TestExport(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	out := b.Command(t, ana, "export")
	has(t, out, "Here is everything smart90 keeps about you")
	files := map[string]bot.File{}
	for _, f := range out[0].Files {
		files[f.Name] = f
	}
	js, ok := files["smart90-2026-11-25.json"]
	if !ok || js.ContentType != "application/json" {
		t.Fatalf("files = %v", out[0].Files)
	}
	var data struct {
		Version    int    `json:"version"`
		ExportedAt string `json:"exported_at"`
		Person     struct {
			Name        string  `json:"name"`
			TimeZone    string  `json:"time_zone"`
			IsCoach     bool    `json:"is_coach"`
			EveningTime *string `json:"evening_time"`
		} `json:"person"`
		Engagements []struct {
			Coach      string  `json:"coach"`
			Status     string  `json:"status"`
			AcceptedAt string  `json:"accepted_at"`
			EndedAt    *string `json:"ended_at"`
			Start      string  `json:"start"`
			Cycles     []struct {
				N     int    `json:"n"`
				Start string `json:"start"`
				End   string `json:"end"`
			} `json:"cycles"`
			Schedule struct {
				CheckinTime     string `json:"checkin_time"`
				Workdays        string `json:"workdays"`
				WeeklyDay       string `json:"weekly_day"`
				ReminderMinutes int    `json:"reminder_minutes"`
			} `json:"schedule"`
			Rocks []struct {
				Number int     `json:"number"`
				Title  string  `json:"title"`
				Due    *string `json:"due"`
				Status string  `json:"status"`
			} `json:"rocks"`
			History []struct {
				Rock int    `json:"rock"`
				By   string `json:"by"`
			} `json:"rock_history"`
			CheckIns []struct {
				Day          string `json:"day"`
				MovedForward string `json:"moved_forward"`
				PriorityRock *int   `json:"priority_rock"`
				Energy       *int   `json:"energy"`
				SubmittedAt  string `json:"submitted_at"`
			} `json:"check_ins"`
			Weekly   []json.RawMessage `json:"weekly_reports"`
			Reviews  []json.RawMessage `json:"quarterly_reviews"`
			Sessions []json.RawMessage `json:"sessions"`
		} `json:"engagements"`
		Coaching []json.RawMessage `json:"coaching"`
	}
	if err := json.Unmarshal(js.Data, &data); err != nil {
		t.Fatalf("export JSON: %v\n%s", err, js.Data)
	}
	if data.Version != 1 || data.ExportedAt != "2026-11-25T09:00:00Z" || data.Person.Name != "Ana" || data.Person.TimeZone != "Europe/Paris" ||
		data.Person.IsCoach || data.Person.EveningTime == nil || *data.Person.EveningTime != "17:00" || len(data.Engagements) != 1 || data.Coaching != nil {
		t.Fatalf("export = %+v", data)
	}
	x := data.Engagements[0]
	if x.Coach != "Cora" || x.Status != "active" || x.AcceptedAt != "2026-11-22T18:00:00Z" || x.EndedAt != nil || x.Start != "2026-11-22" ||
		len(x.Cycles) != 1 || x.Cycles[0].N != 1 || x.Cycles[0].Start != "2026-11-22" || x.Cycles[0].End != "2027-02-19" ||
		x.Schedule.CheckinTime != "09:00" || x.Schedule.Workdays != "mon-fri" || x.Schedule.WeeklyDay != "fri" || x.Schedule.ReminderMinutes != 120 {
		t.Errorf("exported engagement = %+v", x)
	}
	if len(x.Rocks) != 3 || x.Rocks[1].Number != 2 || x.Rocks[1].Title != "Hire a CTO" || x.Rocks[1].Due == nil || *x.Rocks[1].Due != "2027-01-31" ||
		x.Rocks[1].Status != "on_track" {
		t.Errorf("exported rocks = %+v", x.Rocks)
	}
	if len(x.History) != 3 || x.History[2].Rock != 3 || x.History[2].By != "client" {
		t.Errorf("exported rock history = %+v", x.History)
	}
	if len(x.CheckIns) != 2 || x.CheckIns[0].Day != "2026-11-23" || x.CheckIns[0].MovedForward != "shipped the draft" || x.CheckIns[0].PriorityRock != nil ||
		x.CheckIns[1].Energy == nil || *x.CheckIns[1].Energy != 2 || x.CheckIns[0].SubmittedAt != "2026-11-23T08:00:00Z" {
		t.Errorf("exported check-ins = %+v", x.CheckIns)
	}
	if x.Weekly == nil || x.Reviews == nil || x.Sessions == nil || len(x.Weekly)+len(x.Reviews)+len(x.Sessions) != 0 {
		t.Errorf("want empty lists, not null: weekly %v, reviews %v, sessions %v", x.Weekly, x.Reviews, x.Sessions)
	}

	rows := readCSV(t, files["smart90-checkins-2026-11-25.csv"])
	if len(rows) != 3 || rows[0][0] != "day" || rows[0][2] != "moved_forward" || rows[1][0] != "2026-11-23" || rows[1][2] != "shipped the draft" || rows[2][6] != "2" {
		t.Errorf("check-ins CSV = %q", rows)
	}
	rows = readCSV(t, files["smart90-rocks-2026-11-25.csv"])
	if len(rows) != 4 || rows[0][1] != "title" || rows[2][1] != "Hire a CTO" || rows[2][3] != "2027-01-31" {
		t.Errorf("rocks CSV = %q", rows)
	}
	// Export reads; it stores nothing.
	if c := checkIn(t, b, e, mon23); c.Moved != "shipped the draft" {
		t.Errorf("check-in = %+v", c)
	}
}

func readCSV(t *testing.T, f bot.File) [][]string {
	t.Helper()
	if f.ContentType != "text/csv" {
		t.Fatalf("%s is %q", f.Name, f.ContentType)
	}
	rows, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return rows
}

func TestForgetMe(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	out := b.Command(t, ana, "forget-me")
	has(t, out, "Delete all your smart90 data?", "cannot be undone")
	confirm := button(t, out[0], bot.ActionForgetConfirm)
	has(t, b.Click(t, ana, confirm.ActionID, confirm.Value), "everything smart90 kept about you is deleted")

	ctx := context.Background()
	inst, err := b.Store.InstallationByExternalID(ctx, bot.PlatformSlack, bottest.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.PersonByExternalID(ctx, inst.ID, "ana"); code(err) != bot.ENOTFOUND {
		t.Errorf("ana still stored: %v", err)
	}
	if _, err := b.Store.Engagement(ctx, e.ID); code(err) != bot.ENOTFOUND {
		t.Errorf("engagement still stored: %v", err)
	}
	if cs, err := b.Store.CheckIns(ctx, e.ID, mon23, mon30); err != nil || len(cs) != 0 {
		t.Errorf("check-ins left: %d (%v)", len(cs), err)
	}
	if rs, err := b.Store.Rocks(ctx, e.ID); err != nil || len(rs) != 0 {
		t.Errorf("rocks left: %d (%v)", len(rs), err)
	}
	has(t, []bot.Message{lastTo(t, b, "coach")}, "Ana deleted their smart90 data and left your client list")
	has(t, b.Command(t, coach, "clients"), "You have no clients yet")
	// Talking again starts fresh.
	has(t, b.Command(t, ana, "rocks"), "You are not a client yet")
}

func TestForgetMeCancel(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	out := b.Command(t, ana, "forget-me")
	cancel := button(t, out[0], bot.ActionForgetCancel)
	has(t, b.Click(t, ana, cancel.ActionID, cancel.Value), "Kept everything")
	if got := b.Engagement(t, ana); got.ID != e.ID || got.Status != bot.EngagementActive {
		t.Errorf("engagement = %+v", got)
	}
	if c := checkIn(t, b, e, mon23); c == nil {
		t.Error("check-in gone after cancel")
	}
	if n := len(rocksOf(t, b, e)); n != 3 {
		t.Errorf("%d rocks after cancel", n)
	}
}

func TestForgetMeCoach(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Click(t, coach, bot.ActionForgetConfirm, "")
	got, err := b.Store.Engagement(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CoachID != 0 || got.Status != bot.EngagementEnded {
		t.Errorf("client's engagement after the coach left = %s with coach %d", got.Status, got.CoachID)
	}
	if c := checkIn(t, b, e, mon23); c == nil || c.Moved != "shipped the draft" {
		t.Errorf("the client's check-in went with the coach: %+v", c)
	}
}

func TestDigestChannel(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	// Choosing a digest channel does not make a coach: it says how.
	has(t, b.Command(t, coach, "digest <#C42>"), "`digest` is for coaches", "invite a client with `invite @name`, or type `coach`")
	if p := b.Person(t, coach); p.DigestChannel != "" || p.IsCoach {
		t.Errorf("a refused digest stored %+v", p)
	}
	has(t, b.Command(t, coach, "coach"), "You are a coach on smart90 now", "Mondays at 07:00")
	has(t, b.Command(t, coach, "coach"), "You are already a coach")
	has(t, b.Command(t, coach, "digest <#C42>"), "Your weekly digest goes to <#C42>, Monday at 07:00")
	if p := b.Person(t, coach); p.DigestChannel != "C42" || !p.IsCoach {
		t.Errorf("coach = %+v", p)
	}
	has(t, b.Command(t, coach, "digest coaching"), `"coaching" is not a channel`)
	has(t, b.Command(t, coach, "digest dm"), "you, as a direct message")
	if p := b.Person(t, coach); p.DigestChannel != "" {
		t.Errorf("digest channel = %q", p.DigestChannel)
	}
}
