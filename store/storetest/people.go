package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testUpsertInstallation(t *testing.T, s bot.Store) {
	ctx := t.Context()
	get := func(what string, want *bot.Installation) {
		t.Helper()
		got, err := s.Installation(ctx, want.ID)
		must(t, what+": Installation", err)
		same(t, what+": Installation", got, want)
		got, err = s.InstallationByExternalID(ctx, want.Platform, want.ExternalID)
		must(t, what+": InstallationByExternalID", err)
		same(t, what+": InstallationByExternalID", got, want)
	}

	// Token bytes are opaque: NUL and bytes that are not UTF-8 survive.
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme", Status: bot.InstallationActive,
		BotToken: []byte{0, 1, 0xfe, 0xff, 'x', 0}, CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "create installation", s.UpsertInstallation(ctx, inst))
	if inst.ID == 0 {
		t.Fatal("UpsertInstallation did not fill ID")
	}
	want := &bot.Installation{ID: inst.ID, Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme", Status: bot.InstallationActive,
		BotToken: []byte{0, 1, 0xfe, 0xff, 'x', 0}, CreatedAt: at(0), UpdatedAt: at(0)}
	same(t, "installation filled on create", inst, want)
	get("created", want)

	// The key is (Platform, ExternalID): the same id on Teams is another one.
	teams := &bot.Installation{Platform: bot.PlatformTeams, ExternalID: "T1", Name: "Acme on Teams", Status: bot.InstallationActive,
		CreatedAt: at(time.Minute), UpdatedAt: at(time.Minute)}
	must(t, "create Teams installation", s.UpsertInstallation(ctx, teams))
	if teams.ID == 0 || teams.ID == inst.ID {
		t.Fatalf("Teams installation with the Slack one's external id got ID %d (Slack one: %d), want a new one", teams.ID, inst.ID)
	}
	wantTeams := &bot.Installation{ID: teams.ID, Platform: bot.PlatformTeams, ExternalID: "T1", Name: "Acme on Teams",
		Status: bot.InstallationActive, CreatedAt: at(time.Minute), UpdatedAt: at(time.Minute)}

	// Upserting again updates Name, Status and BotToken, keeps ID and
	// CreatedAt (even when another is given), and fills the stored row in.
	up := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme Inc", Status: bot.InstallationUninstalled,
		BotToken: []byte("rotated"), CreatedAt: at(time.Hour), UpdatedAt: at(2 * time.Hour)}
	must(t, "update installation", s.UpsertInstallation(ctx, up))
	want.Name, want.Status, want.BotToken, want.UpdatedAt = "Acme Inc", bot.InstallationUninstalled, []byte("rotated"), at(2*time.Hour)
	same(t, "installation filled on update", up, want)
	get("updated", want)

	// A nil token (the token comes from config) replaces a stored one.
	up = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme Inc", Status: bot.InstallationActive,
		UpdatedAt: at(3 * time.Hour)}
	must(t, "update installation with a nil token", s.UpsertInstallation(ctx, up))
	want.Status, want.BotToken, want.UpdatedAt = bot.InstallationActive, nil, at(3*time.Hour)
	same(t, "installation filled on update with a nil token", up, want)
	get("nil token", want)

	up = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme Inc", Status: bot.InstallationActive,
		BotToken: []byte("again"), UpdatedAt: at(4 * time.Hour)}
	must(t, "update installation with a token", s.UpsertInstallation(ctx, up))
	want.BotToken, want.UpdatedAt = []byte("again"), at(4*time.Hour)
	get("token again", want)

	up = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme Inc", Status: bot.InstallationActive,
		BotToken: []byte{}, UpdatedAt: at(5 * time.Hour)}
	must(t, "update installation with an empty token", s.UpsertInstallation(ctx, up))
	want.BotToken, want.UpdatedAt = nil, at(5*time.Hour)
	get("empty token", want)

	get("Teams installation after the Slack one changed", wantTeams)
}

func testEnsurePerson(t *testing.T, s bot.Store) {
	ctx := t.Context()
	inst := newInstallation(t, s, bot.PlatformSlack, "T1")
	other := newInstallation(t, s, bot.PlatformSlack, "T2")
	get := func(what string, want *bot.Person) {
		t.Helper()
		got, err := s.Person(ctx, want.ID)
		must(t, what+": Person", err)
		same(t, what+": Person", got, want)
		got, err = s.PersonByExternalID(ctx, want.InstallationID, want.ExternalID)
		must(t, what+": PersonByExternalID", err)
		same(t, what+": PersonByExternalID", got, want)
	}

	p := &bot.Person{InstallationID: inst.ID, ExternalID: "U1", DisplayName: "Ada", TimeZone: "Europe/London", IsCoach: true,
		DigestChannel: "C42", DigestWeekday: time.Saturday, DigestTime: 8*60 + 30, EveningTime: 18*60 + 30,
		Country: "DE", HolidaysOff: true, Email: "ada@example.com", BriefLead: 30 * time.Minute,
		CreatedAt: at(0), UpdatedAt: at(time.Minute)}
	must(t, "create person", s.EnsurePerson(ctx, p))
	if p.ID == 0 {
		t.Fatal("EnsurePerson did not fill ID")
	}
	want := &bot.Person{ID: p.ID, InstallationID: inst.ID, ExternalID: "U1", DisplayName: "Ada", TimeZone: "Europe/London", IsCoach: true,
		DigestChannel: "C42", DigestWeekday: time.Saturday, DigestTime: 8*60 + 30, EveningTime: 18*60 + 30,
		Country: "DE", HolidaysOff: true, Email: "ada@example.com", BriefLead: 30 * time.Minute,
		CreatedAt: at(0), UpdatedAt: at(time.Minute)}
	same(t, "person filled on create", p, want)
	get("created", want)

	// Empty name and zone change nothing; nor do the other fields given.
	q := &bot.Person{InstallationID: inst.ID, ExternalID: "U1", DigestChannel: "COTHER", DigestWeekday: time.Sunday,
		DigestTime: 1, EveningTime: bot.EveningOff, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "ensure existing person", s.EnsurePerson(ctx, q))
	same(t, "existing person filled by EnsurePerson", q, want)
	get("ensured without a name", want)

	// A name replaces; a zone does not replace a known one. UpdatedAt is
	// left to the store.
	q = &bot.Person{InstallationID: inst.ID, ExternalID: "U1", DisplayName: "Ada L.", TimeZone: "America/New_York",
		CreatedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)}
	must(t, "ensure existing person with a new name", s.EnsurePerson(ctx, q))
	want.DisplayName, want.UpdatedAt = "Ada L.", q.UpdatedAt
	same(t, "renamed person filled by EnsurePerson", q, want)
	get("renamed", want)

	// A zone fills an empty one, once.
	r := &bot.Person{InstallationID: inst.ID, ExternalID: "U2", DisplayName: "Bob", CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "create person without a zone", s.EnsurePerson(ctx, r))
	wantR := &bot.Person{ID: r.ID, InstallationID: inst.ID, ExternalID: "U2", DisplayName: "Bob", CreatedAt: at(0), UpdatedAt: at(0)}
	get("created without a zone", wantR)
	r2 := &bot.Person{InstallationID: inst.ID, ExternalID: "U2", TimeZone: "Asia/Tokyo", UpdatedAt: at(time.Hour)}
	must(t, "ensure person with a zone", s.EnsurePerson(ctx, r2))
	wantR.TimeZone, wantR.UpdatedAt = "Asia/Tokyo", r2.UpdatedAt
	same(t, "person given a zone", r2, wantR)
	get("given a zone", wantR)
	r3 := &bot.Person{InstallationID: inst.ID, ExternalID: "U2", TimeZone: "Europe/Paris", UpdatedAt: at(2 * time.Hour)}
	must(t, "ensure person with another zone", s.EnsurePerson(ctx, r3))
	wantR.UpdatedAt = r3.UpdatedAt
	same(t, "person given another zone", r3, wantR)
	get("given another zone", wantR)

	// The key includes the installation.
	o := &bot.Person{InstallationID: other.ID, ExternalID: "U1", DisplayName: "Other Ada", CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "create person with the same id in another installation", s.EnsurePerson(ctx, o))
	if o.ID == 0 || o.ID == p.ID || o.ID == r.ID {
		t.Fatalf("person in another installation got ID %d, want a new one", o.ID)
	}
	get("other installation", &bot.Person{ID: o.ID, InstallationID: other.ID, ExternalID: "U1", DisplayName: "Other Ada", CreatedAt: at(0), UpdatedAt: at(0)})
	get("first installation after the other's person", want)
}

func testUpdatePerson(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	other := newInstallation(t, s, bot.PlatformTeams, "TENANT")
	want := *f.Coach

	p := *f.Coach
	p.InstallationID, p.ExternalID, p.CreatedAt = other.ID, "UCHANGED", at(48*time.Hour) // keys and CreatedAt stay
	p.DisplayName, p.TimeZone, p.IsCoach = "Coach Carter", "America/Chicago", false
	p.DigestChannel, p.DigestWeekday, p.DigestTime, p.UpdatedAt = "CDIGEST", time.Saturday, 23*60+59, at(3*time.Hour)
	p.EveningTime = bot.EveningOff
	p.Country, p.HolidaysOff, p.Email, p.BriefLead = "GB", true, "carter@example.com", bot.BriefOff
	must(t, "update person", s.UpdatePerson(ctx, &p))
	want.Country, want.HolidaysOff, want.Email, want.BriefLead = "GB", true, "carter@example.com", bot.BriefOff
	want.DisplayName, want.TimeZone, want.IsCoach = "Coach Carter", "America/Chicago", false
	want.DigestChannel, want.DigestWeekday, want.DigestTime, want.UpdatedAt = "CDIGEST", time.Saturday, 23*60+59, at(3*time.Hour)
	want.EveningTime = bot.EveningOff
	got, err := s.Person(ctx, f.Coach.ID)
	must(t, "Person", err)
	same(t, "Person after UpdatePerson", got, &want)
	got, err = s.PersonByExternalID(ctx, f.Inst.ID, f.Coach.ExternalID)
	must(t, "PersonByExternalID", err)
	same(t, "PersonByExternalID after UpdatePerson", got, &want)
	_, err = s.PersonByExternalID(ctx, other.ID, "UCHANGED")
	wantCode(t, "PersonByExternalID with the keys UpdatePerson must not store", err, bot.ENOTFOUND)

	// Every field is stored, empty ones too.
	p = want
	p.TimeZone, p.DigestChannel, p.IsCoach, p.DigestWeekday, p.DigestTime, p.UpdatedAt = "", "", true, time.Sunday, 0, at(4*time.Hour)
	p.EveningTime = 0
	p.Country, p.HolidaysOff, p.Email, p.BriefLead = "", false, "", 0
	must(t, "update person to empty fields", s.UpdatePerson(ctx, &p))
	got, err = s.Person(ctx, f.Coach.ID)
	must(t, "Person", err)
	same(t, "Person after UpdatePerson to empty fields", got, &p)

	gotClient, err := s.Person(ctx, f.Client.ID)
	must(t, "Person", err)
	same(t, "another person", gotClient, f.Client)
}

func testListCoaches(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)
	newPerson(t, s, f.Inst.ID, "UCLIENT2", false)
	teams := newInstallation(t, s, bot.PlatformTeams, "TENANT")
	coach3 := newPerson(t, s, teams.ID, "AAD-COACH", true)
	gone := newInstallation(t, s, bot.PlatformSlack, "TGONE")
	newPerson(t, s, gone.ID, "UCOACHGONE", true)
	gone.Status, gone.UpdatedAt = bot.InstallationUninstalled, at(0)
	must(t, "uninstall", s.UpsertInstallation(ctx, gone))

	got, err := s.ListCoaches(ctx)
	must(t, "ListCoaches", err)
	want := sortByID([]*bot.Person{f.Coach, coach2, coach3}, func(p *bot.Person) int64 { return p.ID })
	same(t, "ListCoaches", got, want)

	// A client made coach is listed; a coach made client is not.
	client := *f.Client
	client.IsCoach, client.UpdatedAt = true, at(time.Hour)
	must(t, "make client a coach", s.UpdatePerson(ctx, &client))
	c2 := *coach2
	c2.IsCoach, c2.UpdatedAt = false, at(time.Hour)
	must(t, "make coach a client", s.UpdatePerson(ctx, &c2))
	got, err = s.ListCoaches(ctx)
	must(t, "ListCoaches", err)
	same(t, "ListCoaches after UpdatePerson", got, sortByID([]*bot.Person{f.Coach, &client, coach3}, func(p *bot.Person) int64 { return p.ID }))
}

func testCreateEngagement(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	get := func(what string, want *bot.Engagement) {
		t.Helper()
		got, err := s.Engagement(ctx, want.ID)
		must(t, what+": Engagement", err)
		same(t, what+": Engagement", got, want)
	}

	// The fixture's engagement: zero PauseFrom, PauseTo and EndedAt.
	want := engagement(f.Coach.ID, f.Client.ID, bot.EngagementActive)
	want.ID = f.Eng.ID
	get("fixture", want)
	if !want.PauseFrom.IsZero() || !want.EndedAt.IsZero() {
		t.Fatal("the fixture engagement should have no pause and no end")
	}

	// Unusual values of every field.
	c2 := newPerson(t, s, f.Inst.ID, "UCLIENT2", false)
	e := &bot.Engagement{CoachID: f.Coach.ID, ClientID: c2.ID, Status: bot.EngagementInvited, CheckinTime: 0,
		Workdays: 1<<time.Sunday | 1<<time.Wednesday | 1<<time.Saturday, WeeklyWeekday: time.Sunday, WeeklyTime: 23*60 + 59,
		ReminderDelay: 0, Start: bot.Date{Year: 2026, Month: 12, Day: 31}, CycleDays: 91,
		PauseFrom: bot.Date{Year: 2028, Month: 2, Day: 29}, PauseTo: bot.Date{Year: 2028, Month: 3, Day: 1},
		InvitedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "create engagement", s.CreateEngagement(ctx, e))
	if e.ID == 0 || e.ID == f.Eng.ID {
		t.Fatalf("CreateEngagement filled ID %d, want a new one", e.ID)
	}
	want2 := *e
	get("invited", &want2)
	live, err := s.LiveEngagementForClient(ctx, c2.ID)
	must(t, "LiveEngagementForClient", err)
	same(t, "LiveEngagementForClient", live, &want2)

	c3 := newPerson(t, s, f.Inst.ID, "UCLIENT3", false)
	e3 := &bot.Engagement{CoachID: f.Coach.ID, ClientID: c3.ID, Status: bot.EngagementPaused, CheckinTime: 7*60 + 5,
		Workdays: bot.MonToFri | 1<<time.Saturday, WeeklyWeekday: time.Saturday, WeeklyTime: 60,
		ReminderDelay: 150 * time.Minute, Start: day(0), CycleDays: 90, PauseFrom: day(5),
		InvitedAt: at(2 * time.Hour), AcceptedAt: at(3 * time.Hour), UpdatedAt: at(4 * time.Hour)}
	must(t, "create paused engagement", s.CreateEngagement(ctx, e3))
	want3 := *e3
	get("paused with no PauseTo", &want3)

	got, err := s.EngagementsForClient(ctx, c2.ID)
	must(t, "EngagementsForClient", err)
	same(t, "EngagementsForClient", got, []*bot.Engagement{&want2})
	got, err = s.EngagementsForClient(ctx, f.Coach.ID)
	must(t, "EngagementsForClient of a coach", err)
	same(t, "EngagementsForClient of a coach", got, nil)
}

func testCreateEngagementConflict(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)

	// One live engagement per client, whatever its live status and coach.
	for _, status := range []bot.EngagementStatus{bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused} {
		c, e := newClient(t, s, f, "U"+string(status), status)
		for _, second := range []bot.EngagementStatus{bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused} {
			dup := engagement(coach2.ID, c.ID, second)
			err := s.CreateEngagement(ctx, dup)
			wantCode(t, fmt.Sprintf("%s engagement for a client with a %s one", second, status), err, bot.ECONFLICT)
		}
		got, err := s.EngagementsForClient(ctx, c.ID)
		must(t, "EngagementsForClient", err)
		same(t, "EngagementsForClient after conflicts", got, []*bot.Engagement{e})
	}

	// Once the live one ends, a new one may start.
	ended := *f.Eng
	ended.Status, ended.EndedAt, ended.UpdatedAt = bot.EngagementEnded, at(time.Hour), at(time.Hour)
	must(t, "end engagement", s.UpdateEngagement(ctx, &ended))
	next := engagement(coach2.ID, f.Client.ID, bot.EngagementInvited)
	must(t, "create engagement after the live one ended", s.CreateEngagement(ctx, next))
	live, err := s.LiveEngagementForClient(ctx, f.Client.ID)
	must(t, "LiveEngagementForClient", err)
	same(t, "LiveEngagementForClient", live, next)

	// A declined invitation is not live either.
	c, _ := newClient(t, s, f, "UDECLINED", bot.EngagementDeclined)
	_, err = s.LiveEngagementForClient(ctx, c.ID)
	wantCode(t, "LiveEngagementForClient with only a declined engagement", err, bot.ENOTFOUND)
	again := engagement(f.Coach.ID, c.ID, bot.EngagementInvited)
	must(t, "create engagement after a declined one", s.CreateEngagement(ctx, again))
	got, err := s.EngagementsForClient(ctx, c.ID)
	must(t, "EngagementsForClient", err)
	if len(got) != 2 {
		t.Errorf("EngagementsForClient after a declined and a new one: %d rows, want 2", len(got))
	}

	// A declined invitation may be recorded beside the live one (a client
	// who declines to switch coach): only live ones conflict.
	beside := engagement(f.Coach.ID, c.ID, bot.EngagementDeclined)
	beside.EndedAt = beside.UpdatedAt
	must(t, "create a declined engagement beside a live one", s.CreateEngagement(ctx, beside))
	live, err = s.LiveEngagementForClient(ctx, c.ID)
	must(t, "LiveEngagementForClient", err)
	same(t, "LiveEngagementForClient beside a declined one", live, again)
}

func testUpdateEngagement(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)
	get := func(what string, want *bot.Engagement) {
		t.Helper()
		got, err := s.Engagement(ctx, want.ID)
		must(t, what+": Engagement", err)
		same(t, what+": Engagement", got, want)
	}

	e := *f.Eng
	e.CoachID, e.ClientID, e.InvitedAt = coach2.ID, coach2.ID, at(99*time.Hour) // not stored
	e.Status, e.CheckinTime, e.Workdays, e.WeeklyWeekday, e.WeeklyTime = bot.EngagementPaused, 6*60+45, 1<<time.Monday, time.Monday, 12*60
	e.ReminderDelay, e.Start, e.CycleDays = 45*time.Minute, day(1), 84
	e.PauseFrom, e.PauseTo, e.AcceptedAt, e.UpdatedAt = day(3), day(10), at(2*time.Hour), at(5*time.Hour)
	must(t, "update engagement", s.UpdateEngagement(ctx, &e))
	want := e
	want.CoachID, want.ClientID, want.InvitedAt = f.Eng.CoachID, f.Eng.ClientID, f.Eng.InvitedAt
	get("updated", &want)
	got, err := s.EngagementsForCoach(ctx, coach2.ID)
	must(t, "EngagementsForCoach", err)
	same(t, "EngagementsForCoach of the coach UpdateEngagement must not store", got, nil)

	// Live to live on the same engagement is no conflict; dates clear.
	e = want
	e.Status, e.PauseFrom, e.PauseTo, e.ReminderDelay, e.UpdatedAt = bot.EngagementActive, bot.Date{}, bot.Date{}, 0, at(6*time.Hour)
	must(t, "resume engagement", s.UpdateEngagement(ctx, &e))
	get("resumed", &e)

	// Ending it frees the client for a new engagement.
	e.Status, e.EndedAt, e.UpdatedAt = bot.EngagementEnded, at(7*time.Hour), at(7*time.Hour)
	must(t, "end engagement", s.UpdateEngagement(ctx, &e))
	get("ended", &e)
	ended := e
	newer := newEngagement(t, s, coach2.ID, f.Client.ID, bot.EngagementActive)

	// Reviving the old one would make a second live one: ECONFLICT, no change.
	for _, status := range []bot.EngagementStatus{bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused} {
		revive := ended
		revive.Status, revive.EndedAt, revive.UpdatedAt = status, time.Time{}, at(8*time.Hour)
		wantCode(t, fmt.Sprintf("UpdateEngagement to %s while another is live", status), s.UpdateEngagement(ctx, &revive), bot.ECONFLICT)
	}
	get("after conflicting updates", &ended)
	live, err := s.LiveEngagementForClient(ctx, f.Client.ID)
	must(t, "LiveEngagementForClient", err)
	same(t, "LiveEngagementForClient", live, newer)

	// Ended to declined is fine: neither is live.
	declined := ended
	declined.Status, declined.UpdatedAt = bot.EngagementDeclined, at(9*time.Hour)
	must(t, "update an ended engagement to declined", s.UpdateEngagement(ctx, &declined))
	get("declined", &declined)
}

func testListEngagements(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	all := []*bot.Engagement{f.Eng}
	for i, status := range []bot.EngagementStatus{bot.EngagementInvited, bot.EngagementPaused, bot.EngagementEnded,
		bot.EngagementDeclined, bot.EngagementActive, bot.EngagementEnded} {
		_, e := newClient(t, s, f, fmt.Sprintf("UC%d", i), status)
		all = append(all, e)
	}
	all = sortByID(all, func(e *bot.Engagement) int64 { return e.ID })
	with := func(statuses ...bot.EngagementStatus) []*bot.Engagement {
		var rows []*bot.Engagement
		for _, e := range all {
			if slices.Contains(statuses, e.Status) {
				rows = append(rows, e)
			}
		}
		return rows
	}

	// Pages of two walk every engagement once, by ID.
	var got []*bot.Engagement
	after, pages := int64(0), 0
	for ; pages <= len(all); pages++ {
		page, err := s.ListEngagements(ctx, after, 2)
		must(t, "ListEngagements", err)
		if len(page) > 2 {
			t.Fatalf("ListEngagements with limit 2 returned %d rows", len(page))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	same(t, "ListEngagements pages", got, all)
	if want := (len(all) + 1) / 2; pages != want {
		t.Errorf("ListEngagements took %d non-empty pages of 2 for %d rows, want %d", pages, len(all), want)
	}
	page, err := s.ListEngagements(ctx, 0, len(all)+10)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements with a limit above the count", page, all)
	page, err = s.ListEngagements(ctx, all[2].ID, 3)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements after the third", page, all[3:6])

	// Statuses filter, and the limit counts only matching rows.
	live := with(bot.EngagementActive, bot.EngagementPaused)
	page, err = s.ListEngagements(ctx, 0, 100, bot.EngagementActive, bot.EngagementPaused)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements active or paused", page, live)
	page, err = s.ListEngagements(ctx, 0, 1, bot.EngagementEnded)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements ended, limit 1", page, with(bot.EngagementEnded)[:1])
	page, err = s.ListEngagements(ctx, page[0].ID, 1, bot.EngagementEnded)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements ended, second page", page, with(bot.EngagementEnded)[1:2])
	page, err = s.ListEngagements(ctx, all[len(all)-1].ID, 10)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements after the last", page, nil)
}

func testEngagementsForCoach(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)
	_, invited := newClient(t, s, f, "UC1", bot.EngagementInvited)
	c2, ended := newClient(t, s, f, "UC2", bot.EngagementEnded)
	_, paused := newClient(t, s, f, "UC3", bot.EngagementPaused)
	c4 := newPerson(t, s, f.Inst.ID, "UC4", false)
	theirs := newEngagement(t, s, coach2.ID, c4.ID, bot.EngagementActive)
	byID := func(rows ...*bot.Engagement) []*bot.Engagement {
		return sortByID(rows, func(e *bot.Engagement) int64 { return e.ID })
	}

	got, err := s.EngagementsForCoach(ctx, f.Coach.ID)
	must(t, "EngagementsForCoach", err)
	same(t, "EngagementsForCoach, all statuses", got, byID(f.Eng, invited, ended, paused))
	got, err = s.EngagementsForCoach(ctx, f.Coach.ID, bot.EngagementActive, bot.EngagementPaused)
	must(t, "EngagementsForCoach", err)
	same(t, "EngagementsForCoach active or paused", got, byID(f.Eng, paused))
	got, err = s.EngagementsForCoach(ctx, f.Coach.ID, bot.EngagementInvited)
	must(t, "EngagementsForCoach", err)
	same(t, "EngagementsForCoach invited", got, byID(invited))
	got, err = s.EngagementsForCoach(ctx, f.Coach.ID, bot.EngagementDeclined)
	must(t, "EngagementsForCoach", err)
	same(t, "EngagementsForCoach declined", got, nil)
	got, err = s.EngagementsForCoach(ctx, coach2.ID)
	must(t, "EngagementsForCoach", err)
	same(t, "EngagementsForCoach of another coach", got, byID(theirs))

	again := newEngagement(t, s, coach2.ID, c2.ID, bot.EngagementInvited)
	got, err = s.EngagementsForClient(ctx, c2.ID)
	must(t, "EngagementsForClient", err)
	same(t, "EngagementsForClient", got, byID(ended, again))
}
