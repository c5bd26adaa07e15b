package storetest

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testPing(t *testing.T, s bot.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// testNotFound checks every getter, updater and DeletePerson say ENOTFOUND
// for a row that is not there.
func testNotFound(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	rock := newRock(t, s, f.Eng.ID, f.Coach.ID, "Ship v2", at(0))

	calls := []struct {
		name string
		call func() error
	}{
		{"Installation", func() error { _, err := s.Installation(ctx, missingID); return err }},
		{"InstallationByExternalID with an unknown key", func() error {
			_, err := s.InstallationByExternalID(ctx, bot.PlatformSlack, "TNOPE")
			return err
		}},
		{"InstallationByExternalID on another platform", func() error {
			_, err := s.InstallationByExternalID(ctx, bot.PlatformTeams, f.Inst.ExternalID)
			return err
		}},
		{"Person", func() error { _, err := s.Person(ctx, missingID); return err }},
		{"PersonByExternalID with an unknown key", func() error {
			_, err := s.PersonByExternalID(ctx, f.Inst.ID, "UNOPE")
			return err
		}},
		{"PersonByExternalID in another installation", func() error {
			_, err := s.PersonByExternalID(ctx, missingID, f.Client.ExternalID)
			return err
		}},
		{"UpdatePerson", func() error {
			p := *f.Client
			p.ID = missingID
			return s.UpdatePerson(ctx, &p)
		}},
		{"DeletePerson", func() error { return s.DeletePerson(ctx, missingID) }},
		{"Engagement", func() error { _, err := s.Engagement(ctx, missingID); return err }},
		{"LiveEngagementForClient of a person who is no client", func() error {
			_, err := s.LiveEngagementForClient(ctx, f.Coach.ID)
			return err
		}},
		{"UpdateEngagement", func() error {
			e := *f.Eng
			e.ID = missingID
			e.Status = bot.EngagementEnded // so no live-engagement rule is in play
			e.EndedAt = at(time.Hour)
			return s.UpdateEngagement(ctx, &e)
		}},
		{"Rock", func() error { _, err := s.Rock(ctx, missingID); return err }},
		{"UpdateRock", func() error {
			r := *rock
			r.ID = missingID
			r.UpdatedAt = at(time.Hour)
			return s.UpdateRock(ctx, &r, f.Coach.ID, "")
		}},
		{"CheckIn", func() error { _, err := s.CheckIn(ctx, f.Eng.ID, day(0)); return err }},
		{"WeeklyReport", func() error { _, err := s.WeeklyReport(ctx, f.Eng.ID, week(0)); return err }},
		{"Delivery", func() error { _, err := s.Delivery(ctx, missingID); return err }},
		{"DeliveryByKey", func() error {
			_, err := s.DeliveryByKey(ctx, f.Client.ID, bot.DeliveryDaily, day(0).String())
			return err
		}},
		{"UpdateDelivery", func() error {
			return s.UpdateDelivery(ctx, &bot.Delivery{ID: missingID, State: bot.DeliverySent, SentAt: at(0), DueAt: at(0), UpdatedAt: at(0)})
		}},
		{"LatestDelivery", func() error { _, err := s.LatestDelivery(ctx, f.Client.ID, bot.DeliveryDaily); return err }},
		{"LatestDigest", func() error { _, err := s.LatestDigest(ctx, f.Coach.ID); return err }},
	}
	for _, c := range calls {
		wantCode(t, c.name, c.call(), bot.ENOTFOUND)
	}
}

// testInstants gives every instant in a zone other than UTC, 100ns past a
// whole microsecond, and checks each comes back as the same instant, in UTC,
// rounded to the microsecond; Dates at the ends of months and years come back
// as given.
func testInstants(t *testing.T, s bot.Store) {
	ctx := t.Context()
	west := time.FixedZone("UTC-5", -5*60*60)
	east := time.FixedZone("UTC+5:30", 5*60*60+30*60)
	local := func(d time.Duration, loc *time.Location) time.Time {
		return at(d).Add(100 * time.Nanosecond).In(loc)
	}

	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "TZONE", Name: "Zoned", Status: bot.InstallationActive,
		CreatedAt: local(0, west), UpdatedAt: local(time.Hour, east)}
	must(t, "upsert installation", s.UpsertInstallation(ctx, inst))
	wantInst := &bot.Installation{ID: inst.ID, Platform: bot.PlatformSlack, ExternalID: "TZONE", Name: "Zoned", Status: bot.InstallationActive,
		CreatedAt: at(0), UpdatedAt: at(time.Hour)}
	same(t, "installation filled by UpsertInstallation", inst, wantInst)
	gotInst, err := s.Installation(ctx, inst.ID)
	must(t, "Installation", err)
	same(t, "Installation", gotInst, wantInst)

	coach := person(inst.ID, "UZONE", true)
	coach.CreatedAt, coach.UpdatedAt = local(time.Minute, west), local(2*time.Minute, east)
	must(t, "ensure person", s.EnsurePerson(ctx, coach))
	wantCoach := person(inst.ID, "UZONE", true)
	wantCoach.ID, wantCoach.CreatedAt, wantCoach.UpdatedAt = coach.ID, at(time.Minute), at(2*time.Minute)
	same(t, "person filled by EnsurePerson", coach, wantCoach)
	gotCoach, err := s.Person(ctx, coach.ID)
	must(t, "Person", err)
	same(t, "Person", gotCoach, wantCoach)

	client := newPerson(t, s, inst.ID, "UZONECLIENT", false)
	e := engagement(coach.ID, client.ID, bot.EngagementActive)
	e.InvitedAt, e.AcceptedAt, e.UpdatedAt = local(-48*time.Hour, west), local(-47*time.Hour, east), local(-46*time.Hour, west)
	e.Start, e.PauseFrom, e.PauseTo = bot.Date{Year: 2026, Month: 12, Day: 31}, bot.Date{Year: 2028, Month: 2, Day: 29}, bot.Date{Year: 2028, Month: 3, Day: 1}
	must(t, "create engagement", s.CreateEngagement(ctx, e))
	wantE := engagement(coach.ID, client.ID, bot.EngagementActive)
	wantE.ID, wantE.InvitedAt, wantE.AcceptedAt, wantE.UpdatedAt = e.ID, at(-48*time.Hour), at(-47*time.Hour), at(-46*time.Hour)
	wantE.Start, wantE.PauseFrom, wantE.PauseTo = e.Start, e.PauseFrom, e.PauseTo
	gotE, err := s.Engagement(ctx, e.ID)
	must(t, "Engagement", err)
	same(t, "Engagement", gotE, wantE)

	ended := *wantE
	ended.Status, ended.EndedAt, ended.UpdatedAt = bot.EngagementEnded, local(-time.Hour, east), local(-time.Hour, west)
	must(t, "end engagement", s.UpdateEngagement(ctx, &ended))
	wantE.Status, wantE.EndedAt, wantE.UpdatedAt = bot.EngagementEnded, at(-time.Hour), at(-time.Hour)
	gotE, err = s.Engagement(ctx, e.ID)
	must(t, "Engagement", err)
	same(t, "Engagement after UpdateEngagement", gotE, wantE)

	r := &bot.Rock{EngagementID: e.ID, Title: "Zoned", DoneWhen: "in UTC", Due: bot.Date{Year: 2027, Month: 1, Day: 1},
		Status: bot.RockOnTrack, CreatedAt: local(10*time.Minute, east), UpdatedAt: local(10*time.Minute, east)}
	must(t, "create rock", s.CreateRock(ctx, r, coach.ID, ""))
	wantR := &bot.Rock{ID: r.ID, EngagementID: e.ID, Position: 1, Title: "Zoned", DoneWhen: "in UTC", Due: r.Due,
		Status: bot.RockOnTrack, CreatedAt: at(10 * time.Minute), UpdatedAt: at(10 * time.Minute)}
	gotR, err := s.Rock(ctx, r.ID)
	must(t, "Rock", err)
	same(t, "Rock", gotR, wantR)
	hist, err := s.RockHistory(ctx, e.ID, at(10*time.Minute).In(west))
	must(t, "RockHistory", err)
	sameHistory(t, "RockHistory since a zoned instant", hist, []*bot.RockChange{change(wantR, coach.ID, at(10*time.Minute), "")})

	c := &bot.CheckIn{EngagementID: e.ID, Day: bot.Date{Year: 2026, Month: 12, Day: 31}, Energy: 3, Status: bot.AnswerComplete,
		SubmittedAt: local(20*time.Minute, west), UpdatedAt: local(21*time.Minute, east)}
	must(t, "save check-in", s.SaveCheckIn(ctx, c))
	wantC := &bot.CheckIn{ID: c.ID, EngagementID: e.ID, Day: c.Day, Energy: 3, Status: bot.AnswerComplete,
		SubmittedAt: at(20 * time.Minute), UpdatedAt: at(21 * time.Minute)}
	same(t, "check-in filled by SaveCheckIn", c, wantC)
	gotC, err := s.CheckIn(ctx, e.ID, c.Day)
	must(t, "CheckIn", err)
	same(t, "CheckIn", gotC, wantC)

	w := &bot.WeeklyReport{EngagementID: e.ID, Week: week(0), Status: bot.AnswerComplete,
		SubmittedAt: local(30*time.Minute, east), UpdatedAt: local(31*time.Minute, west)}
	must(t, "save weekly report", s.SaveWeeklyReport(ctx, w, 0))
	wantW := &bot.WeeklyReport{ID: w.ID, EngagementID: e.ID, Week: week(0), Status: bot.AnswerComplete,
		SubmittedAt: at(30 * time.Minute), UpdatedAt: at(31 * time.Minute)}
	same(t, "report filled by SaveWeeklyReport", w, wantW)
	gotW, err := s.WeeklyReport(ctx, e.ID, week(0))
	must(t, "WeeklyReport", err)
	same(t, "WeeklyReport", gotW, wantW)

	ses := &bot.Session{EngagementID: e.ID, Day: day(0), Notes: "zoned", CreatedAt: local(40*time.Minute, west),
		Start: local(50*time.Hour, west), Minutes: 60, Source: bot.SessionBooked}
	must(t, "create session", s.CreateSession(ctx, ses))
	gotS, err := s.Sessions(ctx, e.ID)
	must(t, "Sessions", err)
	same(t, "Sessions", gotS, []*bot.Session{{ID: ses.ID, EngagementID: e.ID, Day: day(0), Notes: "zoned", CreatedAt: at(40 * time.Minute),
		UpdatedAt: at(40 * time.Minute), Start: at(50 * time.Hour), Minutes: 60, Source: bot.SessionBooked}})

	d := &bot.Delivery{PersonID: client.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25",
		DueAt: local(50*time.Minute, east), State: bot.DeliverySent, Attempts: 1, LeaseUntil: local(55*time.Minute, west),
		MessageRef: "m1", SentAt: local(51*time.Minute, east), CreatedAt: local(49*time.Minute, west), UpdatedAt: local(51*time.Minute, west)}
	created, err := s.CreateDelivery(ctx, d)
	must(t, "create delivery", err)
	if !created {
		t.Errorf("CreateDelivery into an empty store: created false")
	}
	wantD := &bot.Delivery{ID: d.ID, PersonID: client.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25",
		DueAt: at(50 * time.Minute), State: bot.DeliverySent, Attempts: 1, LeaseUntil: at(55 * time.Minute),
		MessageRef: "m1", SentAt: at(51 * time.Minute), CreatedAt: at(49 * time.Minute), UpdatedAt: at(51 * time.Minute)}
	same(t, "delivery filled by CreateDelivery", d, wantD)
	gotD, err := s.Delivery(ctx, d.ID)
	must(t, "Delivery", err)
	same(t, "Delivery", gotD, wantD)
	gotDs, err := s.Deliveries(ctx, e.ID, at(50*time.Minute).In(west), at(51*time.Minute).In(east))
	must(t, "Deliveries", err)
	same(t, "Deliveries between zoned instants", gotDs, []*bot.Delivery{wantD})

	dg := &bot.Digest{CoachID: coach.ID, Week: week(0), Channel: "C1", ParentRef: "p1", Summary: "s", PostedAt: local(time.Hour, east)}
	must(t, "create digest", s.CreateDigest(ctx, dg))
	gotDg, err := s.LatestDigest(ctx, coach.ID)
	must(t, "LatestDigest", err)
	same(t, "LatestDigest", gotDg, &bot.Digest{ID: dg.ID, CoachID: coach.ID, Week: week(0), Channel: "C1", ParentRef: "p1", Summary: "s", PostedAt: at(time.Hour)})

	// Rounded, not truncated: 600ns past a microsecond is the next one.
	dg = &bot.Digest{CoachID: coach.ID, Week: week(1), PostedAt: at(2 * time.Hour).Add(600 * time.Nanosecond)}
	must(t, "create digest", s.CreateDigest(ctx, dg))
	gotDg, err = s.LatestDigest(ctx, coach.ID)
	must(t, "LatestDigest", err)
	same(t, "LatestDigest posted 600ns past a microsecond", gotDg, &bot.Digest{ID: dg.ID, CoachID: coach.ID, Week: week(1), PostedAt: at(2*time.Hour + time.Microsecond)})
}

// testFilledInstants leaves CreatedAt and UpdatedAt zero, so the store
// chooses them: they must be set, and what the method filled in must be
// what a getter returns.
func testFilledInstants(t *testing.T, s bot.Store) {
	ctx := t.Context()
	filled := func(what string, filled, stored time.Time) {
		t.Helper()
		if filled.IsZero() || stored.IsZero() {
			t.Errorf("%s: filled in %v, stored %v; want both set", what, filled, stored)
			return
		}
		same(t, what+" as stored, against as filled in", stored, filled)
	}

	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local", Name: "Console", Status: bot.InstallationActive}
	must(t, "upsert installation", s.UpsertInstallation(ctx, inst))
	gotInst, err := s.Installation(ctx, inst.ID)
	must(t, "Installation", err)
	filled("Installation.CreatedAt", inst.CreatedAt, gotInst.CreatedAt)
	filled("Installation.UpdatedAt", inst.UpdatedAt, gotInst.UpdatedAt)

	p := &bot.Person{InstallationID: inst.ID, ExternalID: "ada", DisplayName: "Ada", IsCoach: true}
	must(t, "ensure person", s.EnsurePerson(ctx, p))
	gotP, err := s.Person(ctx, p.ID)
	must(t, "Person", err)
	filled("Person.CreatedAt", p.CreatedAt, gotP.CreatedAt)
	filled("Person.UpdatedAt", p.UpdatedAt, gotP.UpdatedAt)

	client := newPerson(t, s, inst.ID, "bob", false)
	e := engagement(p.ID, client.ID, bot.EngagementActive)
	e.UpdatedAt = time.Time{}
	must(t, "create engagement", s.CreateEngagement(ctx, e))
	gotE, err := s.Engagement(ctx, e.ID)
	must(t, "Engagement", err)
	filled("Engagement.UpdatedAt", e.UpdatedAt, gotE.UpdatedAt)

	r := &bot.Rock{EngagementID: e.ID, Title: "Now", DoneWhen: "then", Status: bot.RockOnTrack}
	must(t, "create rock", s.CreateRock(ctx, r, p.ID, ""))
	gotR, err := s.Rock(ctx, r.ID)
	must(t, "Rock", err)
	filled("Rock.CreatedAt", r.CreatedAt, gotR.CreatedAt)
	filled("Rock.UpdatedAt", r.UpdatedAt, gotR.UpdatedAt)
	u := *gotR
	u.Progress, u.UpdatedAt = 50, time.Time{}
	must(t, "update rock", s.UpdateRock(ctx, &u, p.ID, ""))
	gotR, err = s.Rock(ctx, r.ID)
	must(t, "Rock", err)
	if gotR.UpdatedAt.IsZero() || gotR.UpdatedAt.Location() != time.UTC {
		t.Errorf("Rock.UpdatedAt after UpdateRock with a zero UpdatedAt: %s, want an instant in UTC", showTime(gotR.UpdatedAt))
	}
	hist, err := s.RockHistory(ctx, e.ID, time.Time{})
	must(t, "RockHistory", err)
	if len(hist) != 2 {
		t.Fatalf("RockHistory: %d entries, want 2", len(hist))
	}
	filled("first history entry's At against Rock.CreatedAt", r.CreatedAt, hist[0].At)
	filled("second history entry's At against Rock.UpdatedAt", gotR.UpdatedAt, hist[1].At)

	ses := &bot.Session{EngagementID: e.ID, Day: day(0)}
	must(t, "create session", s.CreateSession(ctx, ses))
	gotS, err := s.Sessions(ctx, e.ID)
	must(t, "Sessions", err)
	if len(gotS) != 1 {
		t.Fatalf("Sessions: %d, want 1", len(gotS))
	}
	filled("Session.CreatedAt", ses.CreatedAt, gotS[0].CreatedAt)

	d := &bot.Delivery{PersonID: client.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: "now", DueAt: at(0), State: bot.DeliveryPending}
	_, err = s.CreateDelivery(ctx, d)
	must(t, "create delivery", err)
	gotD, err := s.Delivery(ctx, d.ID)
	must(t, "Delivery", err)
	filled("Delivery.CreatedAt", d.CreatedAt, gotD.CreatedAt)
	filled("Delivery.UpdatedAt", d.UpdatedAt, gotD.UpdatedAt)
}
