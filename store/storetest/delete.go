package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// engagementData is everything stored under one engagement.
type engagementData struct {
	Eng        *bot.Engagement
	Rocks      []*bot.Rock
	History    []*bot.RockChange
	CheckIns   []*bot.CheckIn
	Reports    []*bot.WeeklyReport
	Sessions   []*bot.Session
	Deliveries []*bot.Delivery
}

// populate stores some of everything under an engagement: two rocks (one
// created by the coach, one by the client), an update, check-ins, a weekly
// report applied by the coach, sessions, and the client's deliveries.
// tag keeps the delivery keys apart from other engagements' of the client.
func populate(t testing.TB, s bot.Store, e *bot.Engagement, tag string) engagementData {
	t.Helper()
	ctx := t.Context()
	r1 := newRock(t, s, e.ID, e.CoachID, tag+" first", at(0))
	r2 := newRock(t, s, e.ID, e.ClientID, tag+" second", at(time.Minute))
	r1.Progress, r1.UpdatedAt = 30, at(time.Hour)
	must(t, "update rock", s.UpdateRock(ctx, r1, e.ClientID, "moving"))
	for n := range 2 {
		c := &bot.CheckIn{EngagementID: e.ID, Day: day(n), Moved: tag, Priority: "p", PriorityRockID: r1.ID, Energy: 3,
			Status: bot.AnswerComplete, SubmittedAt: at(time.Duration(n) * 24 * time.Hour), UpdatedAt: at(time.Duration(n) * 24 * time.Hour)}
		must(t, "save check-in", s.SaveCheckIn(ctx, c))
	}
	w := &bot.WeeklyReport{EngagementID: e.ID, Week: week(0), Rocks: []bot.RockUpdate{
		{RockID: r1.ID, Status: bot.RockOnTrack, Progress: 30},
		{RockID: r2.ID, Status: bot.RockOffTrack, Progress: 5, Note: "slipping"},
	}, Win: tag, Status: bot.AnswerComplete, SubmittedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)}
	must(t, "save weekly report", s.SaveWeeklyReport(ctx, w, e.CoachID))
	for n := range 2 {
		must(t, "create session", s.CreateSession(ctx, &bot.Session{EngagementID: e.ID, Day: day(n), Notes: tag, CreatedAt: at(time.Duration(n) * time.Hour)}))
	}
	newDelivery(t, s, e.ClientID, e.ID, bot.DeliveryDaily, tag+"-daily", at(-time.Hour), bot.DeliverySent)
	newDelivery(t, s, e.ClientID, e.ID, bot.DeliveryWeekly, tag+"-weekly", at(time.Hour), bot.DeliveryPending)
	return load(t, s, e.ID)
}

// load reads everything stored under an engagement.
func load(t testing.TB, s bot.Store, engagementID int64) engagementData {
	t.Helper()
	ctx := t.Context()
	var d engagementData
	var err error
	d.Eng, err = s.Engagement(ctx, engagementID)
	must(t, "Engagement", err)
	d.Rocks, err = s.Rocks(ctx, engagementID)
	must(t, "Rocks", err)
	d.History, err = s.RockHistory(ctx, engagementID, time.Time{})
	must(t, "RockHistory", err)
	d.CheckIns, err = s.CheckIns(ctx, engagementID, day(-1000), day(1000))
	must(t, "CheckIns", err)
	d.Reports, err = s.WeeklyReports(ctx, engagementID, day(-1000), day(1000))
	must(t, "WeeklyReports", err)
	for _, w := range d.Reports {
		slices.SortFunc(w.Rocks, func(a, b bot.RockUpdate) int { return cmp.Compare(a.RockID, b.RockID) })
	}
	d.Sessions, err = s.Sessions(ctx, engagementID)
	must(t, "Sessions", err)
	d.Deliveries, err = s.Deliveries(ctx, engagementID, at(-1000*time.Hour), at(1000*time.Hour))
	must(t, "Deliveries", err)
	if len(d.Rocks) == 0 || len(d.History) == 0 || len(d.CheckIns) == 0 || len(d.Reports) == 0 || len(d.Sessions) == 0 || len(d.Deliveries) == 0 {
		t.Fatalf("engagement %d lacks data the test stored: %+v", engagementID, d)
	}
	return d
}

// wantGone checks nothing of an engagement's data can be found.
func wantGone(t testing.TB, s bot.Store, d engagementData) {
	t.Helper()
	ctx := t.Context()
	id := d.Eng.ID
	_, err := s.Engagement(ctx, id)
	wantCode(t, "Engagement of a deleted client", err, bot.ENOTFOUND)
	rocks, err := s.Rocks(ctx, id)
	wantNone(t, "Rocks of a deleted client", rocks, err)
	for _, r := range d.Rocks {
		_, err := s.Rock(ctx, r.ID)
		wantCode(t, "Rock of a deleted client", err, bot.ENOTFOUND)
	}
	hist, err := s.RockHistory(ctx, id, time.Time{})
	wantNone(t, "RockHistory of a deleted client", hist, err)
	for _, c := range d.CheckIns {
		_, err := s.CheckIn(ctx, id, c.Day)
		wantCode(t, "CheckIn of a deleted client", err, bot.ENOTFOUND)
	}
	checkIns, err := s.CheckIns(ctx, id, day(-1000), day(1000))
	wantNone(t, "CheckIns of a deleted client", checkIns, err)
	for _, w := range d.Reports {
		_, err := s.WeeklyReport(ctx, id, w.Week)
		wantCode(t, "WeeklyReport of a deleted client", err, bot.ENOTFOUND)
	}
	reports, err := s.WeeklyReports(ctx, id, day(-1000), day(1000))
	wantNone(t, "WeeklyReports of a deleted client", reports, err)
	sessions, err := s.Sessions(ctx, id)
	wantNone(t, "Sessions of a deleted client", sessions, err)
	for _, dl := range d.Deliveries {
		_, err := s.Delivery(ctx, dl.ID)
		wantCode(t, "Delivery of a deleted client", err, bot.ENOTFOUND)
		_, err = s.DeliveryByKey(ctx, dl.PersonID, dl.Kind, dl.Period)
		wantCode(t, "DeliveryByKey of a deleted client", err, bot.ENOTFOUND)
	}
	deliveries, err := s.Deliveries(ctx, id, at(-1000*time.Hour), at(1000*time.Hour))
	wantNone(t, "Deliveries of a deleted client", deliveries, err)
}

func testDeleteClient(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)

	// The client has an ended engagement and a live one, both with data.
	old := populate(t, s, f.Eng, "old")
	ended := *old.Eng
	ended.Status, ended.EndedAt, ended.UpdatedAt = bot.EngagementEnded, at(3*time.Hour), at(3*time.Hour)
	must(t, "end engagement", s.UpdateEngagement(ctx, &ended))
	old.Eng = &ended
	live := populate(t, s, newEngagement(t, s, f.Coach.ID, f.Client.ID, bot.EngagementActive), "live")

	// Another client of the same coach, and the coach's digest, stay.
	c2, e2 := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	keep := populate(t, s, e2, "other")
	digest := &bot.Digest{CoachID: f.Coach.ID, Week: week(0), Summary: "2 clients", PostedAt: at(0)}
	must(t, "create digest", s.CreateDigest(ctx, digest))
	coachDelivery := newDelivery(t, s, f.Coach.ID, 0, bot.DeliveryDigest, "2026-W48", at(0), bot.DeliverySent)

	must(t, "delete client", s.DeletePerson(ctx, f.Client.ID))

	_, err := s.Person(ctx, f.Client.ID)
	wantCode(t, "Person of a deleted client", err, bot.ENOTFOUND)
	_, err = s.PersonByExternalID(ctx, f.Inst.ID, f.Client.ExternalID)
	wantCode(t, "PersonByExternalID of a deleted client", err, bot.ENOTFOUND)
	wantGone(t, s, old)
	wantGone(t, s, live)
	_, err = s.LiveEngagementForClient(ctx, f.Client.ID)
	wantCode(t, "LiveEngagementForClient of a deleted client", err, bot.ENOTFOUND)
	engs, err := s.EngagementsForClient(ctx, f.Client.ID)
	wantNone(t, "EngagementsForClient of a deleted client", engs, err)
	_, err = s.LatestDelivery(ctx, f.Client.ID, bot.DeliveryDaily)
	wantCode(t, "LatestDelivery of a deleted client", err, bot.ENOTFOUND)

	same(t, "another client's data after a client's deletion", load(t, s, e2.ID), keep)
	got, err := s.Person(ctx, c2.ID)
	must(t, "Person", err)
	same(t, "another client after a client's deletion", got, c2)
	got, err = s.Person(ctx, f.Coach.ID)
	must(t, "Person", err)
	same(t, "their coach after a client's deletion", got, f.Coach)
	// The coach's digest of the client's weeks stays, without its summary,
	// which may have quoted the client.
	gotDigest, err := s.LatestDigest(ctx, f.Coach.ID)
	must(t, "LatestDigest", err)
	scrubbed := *digest
	scrubbed.Summary = ""
	same(t, "their coach's digest after a client's deletion", gotDigest, &scrubbed)
	gotDelivery, err := s.Delivery(ctx, coachDelivery.ID)
	must(t, "Delivery", err)
	same(t, "their coach's delivery after a client's deletion", gotDelivery, coachDelivery)
	all, err := s.ListEngagements(ctx, 0, 100)
	must(t, "ListEngagements", err)
	same(t, "ListEngagements after a client's deletion", all, []*bot.Engagement{keep.Eng})

	wantCode(t, "DeletePerson of a deleted person", s.DeletePerson(ctx, f.Client.ID), bot.ENOTFOUND)
}

func testDeleteCoach(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)

	// The coach has an active, a paused and an ended engagement.
	active := populate(t, s, f.Eng, "active")
	c2, e2 := newClient(t, s, f, "UCLIENT2", bot.EngagementPaused)
	paused := populate(t, s, e2, "paused")
	c3, e3 := newClient(t, s, f, "UCLIENT3", bot.EngagementEnded)
	// Another coach's engagement, digest and delivery stay.
	c4 := newPerson(t, s, f.Inst.ID, "UCLIENT4", false)
	theirs := populate(t, s, newEngagement(t, s, coach2.ID, c4.ID, bot.EngagementActive), "theirs")
	for _, d := range []*bot.Digest{
		{CoachID: f.Coach.ID, Week: week(-1), Summary: "older", PostedAt: at(-7 * 24 * time.Hour)},
		{CoachID: f.Coach.ID, Week: week(0), Summary: "newer", PostedAt: at(0)},
	} {
		must(t, "create digest", s.CreateDigest(ctx, d))
	}
	theirDigest := &bot.Digest{CoachID: coach2.ID, Week: week(0), Summary: "theirs", PostedAt: at(0)}
	must(t, "create digest", s.CreateDigest(ctx, theirDigest))
	myDelivery := newDelivery(t, s, f.Coach.ID, 0, bot.DeliveryDigest, "2026-W48", at(0), bot.DeliverySent)
	theirDelivery := newDelivery(t, s, coach2.ID, 0, bot.DeliveryDigest, "2026-W48", at(0), bot.DeliverySent)
	endedBefore, err := s.Engagement(ctx, e3.ID)
	must(t, "Engagement", err)

	must(t, "delete coach", s.DeletePerson(ctx, f.Coach.ID))

	_, err = s.Person(ctx, f.Coach.ID)
	wantCode(t, "Person of a deleted coach", err, bot.ENOTFOUND)
	_, err = s.PersonByExternalID(ctx, f.Inst.ID, f.Coach.ExternalID)
	wantCode(t, "PersonByExternalID of a deleted coach", err, bot.ENOTFOUND)

	// Their clients keep their data; the engagements end without a coach,
	// the sessions they logged go, and their history entries lose their name.
	for _, before := range []engagementData{active, paused} {
		after := engagementData{}
		after.Eng, err = s.Engagement(ctx, before.Eng.ID)
		must(t, "Engagement of a deleted coach", err)
		want := *before.Eng
		want.Status, want.CoachID = bot.EngagementEnded, 0
		want.EndedAt, want.UpdatedAt = after.Eng.EndedAt, after.Eng.UpdatedAt
		if after.Eng.EndedAt.IsZero() {
			t.Errorf("engagement %d ended by its coach's deletion has no EndedAt", before.Eng.ID)
		}
		same(t, "engagement of a deleted coach", after.Eng, &want)

		rocks, err := s.Rocks(ctx, before.Eng.ID)
		must(t, "Rocks", err)
		same(t, "Rocks of a deleted coach's client", rocks, before.Rocks)
		checkIns, err := s.CheckIns(ctx, before.Eng.ID, day(-1000), day(1000))
		must(t, "CheckIns", err)
		same(t, "CheckIns of a deleted coach's client", checkIns, before.CheckIns)
		reports, err := s.WeeklyReports(ctx, before.Eng.ID, day(-1000), day(1000))
		must(t, "WeeklyReports", err)
		for _, w := range reports {
			slices.SortFunc(w.Rocks, func(a, b bot.RockUpdate) int { return cmp.Compare(a.RockID, b.RockID) })
		}
		same(t, "WeeklyReports of a deleted coach's client", reports, before.Reports)
		deliveries, err := s.Deliveries(ctx, before.Eng.ID, at(-1000*time.Hour), at(1000*time.Hour))
		must(t, "Deliveries", err)
		same(t, "Deliveries of a deleted coach's client", deliveries, before.Deliveries)

		sessions, err := s.Sessions(ctx, before.Eng.ID)
		must(t, "Sessions", err)
		same(t, "Sessions of a deleted coach", sessions, nil)

		hist, err := s.RockHistory(ctx, before.Eng.ID, time.Time{})
		must(t, "RockHistory", err)
		var wantHist []*bot.RockChange
		byCoach, byClient := 0, 0
		for _, c := range before.History {
			w := *c
			switch c.ByPersonID {
			case f.Coach.ID:
				w.ByPersonID = 0
				byCoach++
			case before.Eng.ClientID:
				byClient++
			}
			wantHist = append(wantHist, &w)
		}
		if byCoach == 0 || byClient == 0 {
			t.Fatalf("test setup: history has %d entries by the coach and %d by the client, want some of each", byCoach, byClient)
		}
		same(t, "RockHistory of a deleted coach's client", hist, wantHist)
	}

	got, err := s.Engagement(ctx, e3.ID)
	must(t, "Engagement", err)
	if got.CoachID != 0 || got.Status != bot.EngagementEnded || got.EndedAt.IsZero() {
		t.Errorf("an ended engagement of a deleted coach: CoachID %d, Status %s, EndedAt %s; want 0, ended, set",
			got.CoachID, got.Status, showTime(got.EndedAt))
	}
	if got.ClientID != endedBefore.ClientID {
		t.Errorf("an ended engagement of a deleted coach: ClientID %d, want %d", got.ClientID, endedBefore.ClientID)
	}
	for _, client := range []*bot.Person{f.Client, c2, c3} {
		_, err := s.LiveEngagementForClient(ctx, client.ID)
		wantCode(t, "LiveEngagementForClient of a deleted coach's client", err, bot.ENOTFOUND)
		gotClient, err := s.Person(ctx, client.ID)
		must(t, "Person", err)
		same(t, "a deleted coach's client", gotClient, client)
	}

	_, err = s.LatestDigest(ctx, f.Coach.ID)
	wantCode(t, "LatestDigest of a deleted coach", err, bot.ENOTFOUND)
	_, err = s.Delivery(ctx, myDelivery.ID)
	wantCode(t, "Delivery of a deleted coach", err, bot.ENOTFOUND)
	_, err = s.DeliveryByKey(ctx, f.Coach.ID, bot.DeliveryDigest, "2026-W48")
	wantCode(t, "DeliveryByKey of a deleted coach", err, bot.ENOTFOUND)
	engs, err := s.EngagementsForCoach(ctx, f.Coach.ID)
	wantNone(t, "EngagementsForCoach of a deleted coach", engs, err)

	// Another coach's things are untouched.
	same(t, "another coach's engagement after a coach's deletion", load(t, s, theirs.Eng.ID), theirs)
	gotDigest, err := s.LatestDigest(ctx, coach2.ID)
	must(t, "LatestDigest", err)
	same(t, "another coach's digest", gotDigest, theirDigest)
	gotDelivery, err := s.Delivery(ctx, theirDelivery.ID)
	must(t, "Delivery", err)
	same(t, "another coach's delivery", gotDelivery, theirDelivery)
	coaches, err := s.ListCoaches(ctx)
	must(t, "ListCoaches", err)
	same(t, "ListCoaches after a coach's deletion", coaches, []*bot.Person{coach2})

	// A client freed by the deletion may start again.
	must(t, "create engagement for a deleted coach's client", s.CreateEngagement(ctx, engagement(coach2.ID, f.Client.ID, bot.EngagementInvited)))
}
