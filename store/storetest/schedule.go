package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// sched returns a schedule as Schedules and PlanSchedules return it: with
// its person, engagement (0 for none) and installation's status as the
// store holds them now.
func sched(t testing.TB, s bot.Store, personID int64, kind bot.DeliveryKind, engagementID int64, nextAt time.Time, period string, updated time.Time) *bot.Schedule {
	t.Helper()
	ctx := t.Context()
	p, err := s.Person(ctx, personID)
	must(t, "Person", err)
	inst, err := s.Installation(ctx, p.InstallationID)
	must(t, "Installation", err)
	var e *bot.Engagement
	if engagementID != 0 {
		e, err = s.Engagement(ctx, engagementID)
		must(t, "Engagement", err)
	}
	return &bot.Schedule{PersonID: personID, Kind: kind, EngagementID: engagementID, NextAt: nextAt, Period: period,
		UpdatedAt: updated, Person: p, Engagement: e, Active: inst.Status == bot.InstallationActive}
}

// marked returns a schedule marked at when: due then, to be recomputed.
func marked(t testing.TB, s bot.Store, personID int64, kind bot.DeliveryKind, engagementID int64, when time.Time) *bot.Schedule {
	t.Helper()
	return sched(t, s, personID, kind, engagementID, when, "", when)
}

// wantSchedules checks a person's schedules are want, which it sorts by
// Kind as Schedules must.
func wantSchedules(t testing.TB, s bot.Store, what string, personID int64, want ...*bot.Schedule) {
	t.Helper()
	got, err := s.Schedules(t.Context(), personID)
	must(t, what+": Schedules", err)
	slices.SortFunc(want, func(a, b *bot.Schedule) int { return cmp.Compare(a.Kind, b.Kind) })
	same(t, what, got, want)
}

// laterPeriod is the Period planAway gives the schedules it moves.
const laterPeriod = "later"

// planAway plans every schedule due by now to next (Period laterPeriod),
// creating nothing, and returns how many it took.
func planAway(t testing.TB, s bot.Store, now, next time.Time) int {
	t.Helper()
	n, err := s.PlanSchedules(t.Context(), now, 1000, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		for _, sc := range scheds {
			sc.NextAt, sc.Period = next, laterPeriod
		}
		return nil, nil
	})
	must(t, "PlanSchedules", err)
	return n
}

// schedKey names a schedule.
type schedKey struct {
	personID int64
	kind     bot.DeliveryKind
}

func keyOf(sc *bot.Schedule) schedKey { return schedKey{sc.PersonID, sc.Kind} }

func testScheduleMarkEngagement(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)

	// A live engagement created marks its client's daily and weekly
	// schedules, pointed at it, from its UpdatedAt.
	wantSchedules(t, s, "client after CreateEngagement", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, f.Eng.UpdatedAt),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, f.Eng.UpdatedAt))
	c3, invited := newClient(t, s, f, "UINVITED", bot.EngagementInvited)
	wantSchedules(t, s, "client after CreateEngagement of an invitation", c3.ID,
		marked(t, s, c3.ID, bot.DeliveryDaily, invited.ID, invited.UpdatedAt),
		marked(t, s, c3.ID, bot.DeliveryWeekly, invited.ID, invited.UpdatedAt))

	// One created not live points nothing at itself.
	past, _ := newClient(t, s, f, "UPAST", bot.EngagementEnded)
	wantSchedules(t, s, "client after CreateEngagement of an ended engagement", past.ID)
	newEngagement(t, s, coach2.ID, f.Client.ID, bot.EngagementDeclined)
	wantSchedules(t, s, "client after CreateEngagement of a declined engagement", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, f.Eng.UpdatedAt),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, f.Eng.UpdatedAt))

	if n := planAway(t, s, at(0), at(100*time.Hour)); n != 6 {
		t.Fatalf("PlanSchedules took %d schedules, want 6 (2 digests, 2 clients' daily and weekly)", n)
	}
	wantSchedules(t, s, "client after a plan", f.Client.ID,
		sched(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(100*time.Hour), laterPeriod, at(0)),
		sched(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(100*time.Hour), laterPeriod, at(0)))

	// A live update marks the stored client's schedules (ClientID is not
	// stored), and no one else's.
	e := *f.Eng
	e.ClientID, e.CoachID = coach2.ID, coach2.ID
	e.Status, e.PauseFrom, e.UpdatedAt = bot.EngagementPaused, day(1), at(time.Hour)
	must(t, "pause engagement", s.UpdateEngagement(ctx, &e))
	wantSchedules(t, s, "client after UpdateEngagement", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(time.Hour)))
	wantSchedules(t, s, "the ClientID given to UpdateEngagement", coach2.ID,
		sched(t, s, coach2.ID, bot.DeliveryDigest, 0, at(100*time.Hour), laterPeriod, at(0)))
	wantSchedules(t, s, "another client after UpdateEngagement", c3.ID,
		sched(t, s, c3.ID, bot.DeliveryDaily, invited.ID, at(100*time.Hour), laterPeriod, at(0)),
		sched(t, s, c3.ID, bot.DeliveryWeekly, invited.ID, at(100*time.Hour), laterPeriod, at(0)))

	// Ending it marks the schedules pointing at it.
	planAway(t, s, at(time.Hour), at(100*time.Hour))
	ended := e
	ended.ClientID, ended.CoachID = f.Client.ID, f.Coach.ID
	ended.Status, ended.EndedAt, ended.UpdatedAt = bot.EngagementEnded, at(2*time.Hour), at(2*time.Hour)
	must(t, "end engagement", s.UpdateEngagement(ctx, &ended))
	wantSchedules(t, s, "client after their engagement ended", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(2*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(2*time.Hour)))

	// A new live engagement takes the schedules over.
	next := engagement(coach2.ID, f.Client.ID, bot.EngagementActive)
	next.InvitedAt, next.AcceptedAt, next.UpdatedAt = at(3*time.Hour), at(3*time.Hour), at(3*time.Hour)
	must(t, "create engagement", s.CreateEngagement(ctx, next))
	wantSchedules(t, s, "client after a new engagement", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, next.ID, at(3*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, next.ID, at(3*time.Hour)))

	// Updating the old one, not live, touches no schedule: none points at it.
	planAway(t, s, at(3*time.Hour), at(100*time.Hour))
	declined := ended
	declined.Status, declined.UpdatedAt = bot.EngagementDeclined, at(4*time.Hour)
	must(t, "update the ended engagement", s.UpdateEngagement(ctx, &declined))
	wantSchedules(t, s, "client after an update of an engagement no schedule points at", f.Client.ID,
		sched(t, s, f.Client.ID, bot.DeliveryDaily, next.ID, at(100*time.Hour), laterPeriod, at(3*time.Hour)),
		sched(t, s, f.Client.ID, bot.DeliveryWeekly, next.ID, at(100*time.Hour), laterPeriod, at(3*time.Hour)))

	// A conflicting update stores no mark either.
	revive := declined
	revive.Status, revive.EndedAt, revive.UpdatedAt = bot.EngagementActive, time.Time{}, at(5*time.Hour)
	wantCode(t, "revive an engagement while another is live", s.UpdateEngagement(ctx, &revive), bot.ECONFLICT)
	wantSchedules(t, s, "client after a conflicting update", f.Client.ID,
		sched(t, s, f.Client.ID, bot.DeliveryDaily, next.ID, at(100*time.Hour), laterPeriod, at(3*time.Hour)),
		sched(t, s, f.Client.ID, bot.DeliveryWeekly, next.ID, at(100*time.Hour), laterPeriod, at(3*time.Hour)))
}

func testScheduleMarkPerson(t *testing.T, s bot.Store) {
	ctx := t.Context()
	inst := newInstallation(t, s, bot.PlatformSlack, "T1")

	// Creating a coach creates their digest schedule, marked from CreatedAt.
	coach := person(inst.ID, "UCOACH", true)
	coach.CreatedAt, coach.UpdatedAt = at(-50*time.Hour), at(-49*time.Hour)
	must(t, "create coach", s.EnsurePerson(ctx, coach))
	wantSchedules(t, s, "coach created", coach.ID, marked(t, s, coach.ID, bot.DeliveryDigest, 0, at(-50*time.Hour)))
	client := newPerson(t, s, inst.ID, "UCLIENT", false)
	wantSchedules(t, s, "client created", client.ID)
	e := newEngagement(t, s, coach.ID, client.ID, bot.EngagementActive)
	if n := planAway(t, s, at(0), at(100*time.Hour)); n != 3 {
		t.Fatalf("PlanSchedules took %d schedules, want 3", n)
	}
	planned := func(personID int64, kind bot.DeliveryKind, engagementID int64, planAt time.Time) *bot.Schedule {
		return sched(t, s, personID, kind, engagementID, at(100*time.Hour), laterPeriod, planAt)
	}

	// EnsurePerson changing nothing marks nothing.
	must(t, "ensure person", s.EnsurePerson(ctx, &bot.Person{InstallationID: inst.ID, ExternalID: "UCLIENT",
		DisplayName: client.DisplayName, TimeZone: "Asia/Tokyo", UpdatedAt: at(time.Hour)}))
	wantSchedules(t, s, "client after EnsurePerson changed nothing", client.ID,
		planned(client.ID, bot.DeliveryDaily, e.ID, at(0)), planned(client.ID, bot.DeliveryWeekly, e.ID, at(0)))

	// A change marks the person's schedules from UpdatedAt.
	must(t, "rename person", s.EnsurePerson(ctx, &bot.Person{InstallationID: inst.ID, ExternalID: "UCLIENT",
		DisplayName: "Renamed", UpdatedAt: at(2 * time.Hour)}))
	wantSchedules(t, s, "client after EnsurePerson renamed them", client.ID,
		marked(t, s, client.ID, bot.DeliveryDaily, e.ID, at(2*time.Hour)),
		marked(t, s, client.ID, bot.DeliveryWeekly, e.ID, at(2*time.Hour)))
	wantSchedules(t, s, "coach after EnsurePerson renamed a client", coach.ID, planned(coach.ID, bot.DeliveryDigest, 0, at(0)))
	zoneless := person(inst.ID, "UZONELESS", true)
	zoneless.TimeZone = ""
	must(t, "create coach without a zone", s.EnsurePerson(ctx, zoneless))
	planAway(t, s, at(2*time.Hour), at(100*time.Hour))
	must(t, "give a zone", s.EnsurePerson(ctx, &bot.Person{InstallationID: inst.ID, ExternalID: "UZONELESS",
		TimeZone: "Asia/Tokyo", UpdatedAt: at(3 * time.Hour)}))
	wantSchedules(t, s, "coach after EnsurePerson gave them a zone", zoneless.ID,
		marked(t, s, zoneless.ID, bot.DeliveryDigest, 0, at(3*time.Hour)))

	// UpdatePerson marks every schedule of the person.
	planAway(t, s, at(3*time.Hour), at(100*time.Hour))
	p, err := s.Person(ctx, client.ID)
	must(t, "Person", err)
	p.TimeZone, p.UpdatedAt = "America/Chicago", at(4*time.Hour)
	must(t, "update person", s.UpdatePerson(ctx, p))
	wantSchedules(t, s, "client after UpdatePerson", client.ID,
		marked(t, s, client.ID, bot.DeliveryDaily, e.ID, at(4*time.Hour)),
		marked(t, s, client.ID, bot.DeliveryWeekly, e.ID, at(4*time.Hour)))
	wantSchedules(t, s, "coach after UpdatePerson of a client", coach.ID, planned(coach.ID, bot.DeliveryDigest, 0, at(0)))

	// A client made coach gets a digest schedule too.
	p.IsCoach, p.UpdatedAt = true, at(5*time.Hour)
	must(t, "make client a coach", s.UpdatePerson(ctx, p))
	wantSchedules(t, s, "client made coach", client.ID,
		marked(t, s, client.ID, bot.DeliveryDaily, e.ID, at(5*time.Hour)),
		marked(t, s, client.ID, bot.DeliveryDigest, 0, at(5*time.Hour)),
		marked(t, s, client.ID, bot.DeliveryWeekly, e.ID, at(5*time.Hour)))

	// A coach no longer coach keeps the schedule, marked.
	c, err := s.Person(ctx, coach.ID)
	must(t, "Person", err)
	c.IsCoach, c.UpdatedAt = false, at(6*time.Hour)
	must(t, "make coach a client", s.UpdatePerson(ctx, c))
	wantSchedules(t, s, "coach made client", coach.ID, marked(t, s, coach.ID, bot.DeliveryDigest, 0, at(6*time.Hour)))
}

func testScheduleMarkInstallation(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	other := newInstallation(t, s, bot.PlatformTeams, "TENANT")
	theirs := newPerson(t, s, other.ID, "AAD-COACH", true)
	if n := planAway(t, s, at(0), at(100*time.Hour)); n != 4 {
		t.Fatalf("PlanSchedules took %d schedules, want 4", n)
	}
	wantPlanned := func(what string, planAt time.Time) {
		t.Helper()
		wantSchedules(t, s, what+": coach", f.Coach.ID,
			sched(t, s, f.Coach.ID, bot.DeliveryDigest, 0, at(100*time.Hour), laterPeriod, planAt))
		wantSchedules(t, s, what+": client", f.Client.ID,
			sched(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(100*time.Hour), laterPeriod, planAt),
			sched(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(100*time.Hour), laterPeriod, planAt))
	}

	// Another name or token is no status change: nothing is marked.
	up := *f.Inst
	up.Name, up.BotToken, up.UpdatedAt = "Renamed", []byte("rotated"), at(time.Hour)
	must(t, "rename installation", s.UpsertInstallation(ctx, &up))
	wantPlanned("after UpsertInstallation kept the status", at(0))

	// A status change marks every person's schedules from UpdatedAt.
	up.Status, up.UpdatedAt = bot.InstallationUninstalled, at(2*time.Hour)
	must(t, "uninstall", s.UpsertInstallation(ctx, &up))
	uninstalled := []*bot.Schedule{
		marked(t, s, f.Coach.ID, bot.DeliveryDigest, 0, at(2*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(2*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(2*time.Hour)),
	}
	for _, sc := range uninstalled {
		if sc.Active {
			t.Fatalf("schedule of %d in an uninstalled installation: want Active false", sc.PersonID)
		}
	}
	wantSchedules(t, s, "coach after uninstall", f.Coach.ID, uninstalled[0])
	wantSchedules(t, s, "client after uninstall", f.Client.ID, uninstalled[1:]...)
	wantSchedules(t, s, "another installation's coach after uninstall", theirs.ID,
		sched(t, s, theirs.ID, bot.DeliveryDigest, 0, at(100*time.Hour), laterPeriod, at(0)))

	// And back.
	planAway(t, s, at(2*time.Hour), at(100*time.Hour))
	up.Status, up.UpdatedAt = bot.InstallationActive, at(3*time.Hour)
	must(t, "reinstall", s.UpsertInstallation(ctx, &up))
	wantSchedules(t, s, "client after reinstall", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(3*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(3*time.Hour)))
	if sc, err := s.Schedules(ctx, f.Client.ID); err != nil || len(sc) == 0 || !sc[0].Active {
		t.Errorf("Schedules after reinstall: %v, %s; want Active schedules", err, show(sc))
	}
}

func testSchedules(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)

	// None: an empty list, not an error.
	loner := newPerson(t, s, f.Inst.ID, "ULONER", false)
	for _, id := range []int64{loner.ID, missingID} {
		got, err := s.Schedules(ctx, id)
		must(t, "Schedules of a person without schedules", err)
		if len(got) != 0 {
			t.Errorf("Schedules of person %d without schedules: %s, want none", id, show(got))
		}
	}

	// By Kind, each loaded: a client who coaches has all three.
	p := *f.Client
	p.IsCoach, p.UpdatedAt = true, at(time.Hour)
	must(t, "make client a coach", s.UpdatePerson(ctx, &p))
	got, err := s.Schedules(ctx, f.Client.ID)
	must(t, "Schedules", err)
	var kinds []bot.DeliveryKind
	for _, sc := range got {
		kinds = append(kinds, sc.Kind)
	}
	if want := []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryDigest, bot.DeliveryWeekly}; !slices.Equal(kinds, want) {
		t.Errorf("Schedules: kinds %v, want %v", kinds, want)
	}
	same(t, "Schedules", got, []*bot.Schedule{
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryDigest, 0, at(time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(time.Hour)),
	})
	if len(got) == 3 && (got[0].Engagement == nil || got[1].Engagement != nil || got[0].Person == nil || !got[0].Active) {
		t.Errorf("Schedules: %s; want Person, Active and Engagement (none for the digest) loaded", show(got))
	}
}

func testSuspendSchedules(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	suspended := func(sc *bot.Schedule, reason string) *bot.Schedule {
		sc.Suspended = reason
		return sc
	}

	must(t, "suspend daily", s.SuspendSchedules(ctx, f.Client.ID, at(time.Hour), "user_not_found", bot.DeliveryDaily))
	wantSchedules(t, s, "client after the daily schedule was suspended", f.Client.ID,
		suspended(sched(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, time.Time{}, "", at(time.Hour)), "user_not_found"),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, f.Eng.UpdatedAt))
	wantSchedules(t, s, "coach after a client's suspension", f.Coach.ID,
		marked(t, s, f.Coach.ID, bot.DeliveryDigest, 0, f.Coach.CreatedAt))

	// A suspended schedule is never due.
	var kinds []schedKey
	_, err := s.PlanSchedules(ctx, at(2*time.Hour), 10, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		for _, sc := range scheds {
			kinds = append(kinds, keyOf(sc))
		}
		return nil, nil
	})
	must(t, "PlanSchedules", err)
	if slices.Contains(kinds, schedKey{f.Client.ID, bot.DeliveryDaily}) || !slices.Contains(kinds, schedKey{f.Client.ID, bot.DeliveryWeekly}) {
		t.Errorf("PlanSchedules took %v; want the weekly schedule and not the suspended daily one", kinds)
	}

	// No kinds: every kind. Suspending again replaces the reason.
	must(t, "suspend all", s.SuspendSchedules(ctx, f.Client.ID, at(3*time.Hour), "app_removed"))
	wantSchedules(t, s, "client after all schedules were suspended", f.Client.ID,
		suspended(sched(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, time.Time{}, "", at(3*time.Hour)), "app_removed"),
		suspended(sched(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, time.Time{}, "", at(3*time.Hour)), "app_removed"))

	// No schedules: no error.
	loner := newPerson(t, s, f.Inst.ID, "ULONER", false)
	must(t, "suspend a person without schedules", s.SuspendSchedules(ctx, loner.ID, at(0), "gone"))
	must(t, "suspend a missing person", s.SuspendSchedules(ctx, missingID, at(0), "gone", bot.DeliveryDigest))
	wantSchedules(t, s, "person without schedules after a suspension", loner.ID)

	// A later mark resumes them.
	e := *f.Eng
	e.CheckinTime, e.UpdatedAt = 8*60, at(4*time.Hour)
	must(t, "update engagement", s.UpdateEngagement(ctx, &e))
	wantSchedules(t, s, "client after a mark", f.Client.ID,
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(4*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(4*time.Hour)))
}

func testDeletePersonSchedules(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	c2, e2 := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	planAway(t, s, at(0), at(100*time.Hour))

	must(t, "delete client", s.DeletePerson(ctx, f.Client.ID))
	got, err := s.Schedules(ctx, f.Client.ID)
	wantNone(t, "Schedules of a deleted client", got, err)
	wantSchedules(t, s, "their coach after a client's deletion", f.Coach.ID,
		sched(t, s, f.Coach.ID, bot.DeliveryDigest, 0, at(100*time.Hour), laterPeriod, at(0)))
	wantSchedules(t, s, "another client after a client's deletion", c2.ID,
		sched(t, s, c2.ID, bot.DeliveryDaily, e2.ID, at(100*time.Hour), laterPeriod, at(0)),
		sched(t, s, c2.ID, bot.DeliveryWeekly, e2.ID, at(100*time.Hour), laterPeriod, at(0)))

	// A coach's deletion ends their engagements, which marks the schedules
	// pointing at them from the engagements' new UpdatedAt.
	must(t, "delete coach", s.DeletePerson(ctx, f.Coach.ID))
	got, err = s.Schedules(ctx, f.Coach.ID)
	wantNone(t, "Schedules of a deleted coach", got, err)
	ended, err := s.Engagement(ctx, e2.ID)
	must(t, "Engagement", err)
	if ended.Status != bot.EngagementEnded || ended.UpdatedAt.Equal(e2.UpdatedAt) {
		t.Fatalf("engagement of a deleted coach: %s updated %s; want ended, updated", ended.Status, showTime(ended.UpdatedAt))
	}
	wantSchedules(t, s, "a deleted coach's client", c2.ID,
		marked(t, s, c2.ID, bot.DeliveryDaily, e2.ID, ended.UpdatedAt),
		marked(t, s, c2.ID, bot.DeliveryWeekly, e2.ID, ended.UpdatedAt))

	// Planning goes on with what is left.
	if n := planAway(t, s, ended.UpdatedAt, at(100*time.Hour)); n != 2 {
		t.Errorf("PlanSchedules after deletions took %d, want the 2 left", n)
	}
}
