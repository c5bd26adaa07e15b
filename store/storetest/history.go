package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// The bounds testHistories reads with: the check-ins, reports and
// scorecard values of historyFrom..historyTo, both included, all the rock
// history, and the daily deliveries due in [historyDueFrom, historyDueTo).
var (
	historyFrom    = week(0) // day(-2)
	historyTo      = week(1) // day(5)
	historyDueFrom = at(0)
	historyDueTo   = at(72 * time.Hour)
	historyWindow  = bot.HistoryWindow{From: historyFrom, To: historyTo, ScoresFrom: historyFrom,
		DueFrom: historyDueFrom, DueTo: historyDueTo}
)

// fillHistory stores some of everything a History holds under e, with rows
// on both sides of each of the bounds above. tag keeps the delivery keys
// apart from other engagements' of the same client.
func fillHistory(t testing.TB, s bot.Store, e *bot.Engagement, tag string) {
	t.Helper()
	ctx := t.Context()
	// a and b are created at the same instant, so their first history
	// entries tie on At.
	a := newRock(t, s, e.ID, e.CoachID, tag+" a", at(0))
	b := newRock(t, s, e.ID, e.ClientID, tag+" b", at(0))
	c := newRock(t, s, e.ID, e.CoachID, tag+" c", at(-time.Hour))
	b.Progress, b.UpdatedAt = 40, at(time.Hour)
	must(t, "update rock", s.UpdateRock(ctx, b, e.ClientID, tag+" moving"))

	for i, d := range []bot.Date{day(6), historyFrom, day(1), historyFrom.AddDays(-1), historyTo} {
		ci := &bot.CheckIn{EngagementID: e.ID, Day: d, Moved: tag + " moved " + d.String(), Priority: "p",
			PriorityRockID: a.ID, Stuck: "s", Energy: 1 + i%5, Status: bot.AnswerComplete,
			SubmittedAt: at(time.Duration(i) * time.Hour), UpdatedAt: at(time.Duration(i) * time.Hour)}
		if i == 2 {
			ci.PriorityRockID, ci.Status, ci.SubmittedAt = 0, bot.AnswerOpen, time.Time{}
		}
		must(t, "save check-in", s.SaveCheckIn(ctx, ci))
	}

	for i, w := range []bot.Date{week(2), historyFrom, week(-1), historyTo} {
		r := &bot.WeeklyReport{EngagementID: e.ID, Week: w, Win: tag + " win " + w.String(), Stuck: "st", Ask: "ask",
			Rocks: []bot.RockUpdate{
				{RockID: c.ID, Status: bot.RockOffTrack, Progress: 5 + i, Note: "late"},
				{RockID: a.ID, Status: bot.RockOnTrack, Progress: 20 + i},
			},
			Status: bot.AnswerComplete, SubmittedAt: at(time.Duration(i) * time.Hour), UpdatedAt: at(time.Duration(i) * time.Hour)}
		applyBy := int64(0)
		if i == 1 {
			applyBy = e.CoachID // history entries from a report
		}
		must(t, "save weekly report", s.SaveWeeklyReport(ctx, r, applyBy))
	}
	// The report of historyFrom again, its rock updates replaced by none.
	must(t, "save report without rock updates", s.SaveWeeklyReport(ctx, &bot.WeeklyReport{EngagementID: e.ID, Week: historyFrom,
		Win: tag + " replaced", Status: bot.AnswerSkipped, UpdatedAt: at(5 * time.Hour)}, 0))

	for cycle := 2; cycle >= 1; cycle-- {
		rv := &bot.Review{EngagementID: e.ID, Cycle: cycle, Win: fmt.Sprintf("%s cycle %d", tag, cycle), Change: "ch",
			Rocks: []bot.RockReview{
				{RockID: b.ID, Decision: bot.DecisionCarry, Learned: "slow"},
				{RockID: a.ID, Decision: bot.DecisionDone, Learned: "fast"},
			},
			Status: bot.AnswerComplete, SubmittedAt: at(time.Duration(cycle) * time.Hour), UpdatedAt: at(time.Duration(cycle) * time.Hour)}
		must(t, "save review", s.SaveReview(ctx, rv, 0))
	}

	for i, n := range []int{3, 1, 3, -20} {
		must(t, "create session", s.CreateSession(ctx, &bot.Session{EngagementID: e.ID, Day: day(n),
			Notes: fmt.Sprintf("%s session %d", tag, i), CreatedAt: at(time.Duration(i) * time.Minute)}))
	}

	// Two scorecard numbers, one removed, with values in the bounds and
	// on both sides of them.
	var ms []*bot.Measurable
	for i, name := range []string{tag + " calls", tag + " demos"} {
		m := &bot.Measurable{EngagementID: e.ID, Name: name, Goal: float64(10 + i), Direction: bot.AtLeast, CreatedAt: at(time.Duration(i) * time.Minute)}
		must(t, "create measurable", s.CreateMeasurable(ctx, m))
		ms = append(ms, m)
	}
	ms[1].RemovedAt, ms[1].UpdatedAt = at(time.Hour), at(time.Hour)
	must(t, "remove measurable", s.UpdateMeasurable(ctx, ms[1]))
	for i, wk := range []bot.Date{historyFrom.AddDays(-7), historyFrom, historyTo, historyTo.AddDays(7)} {
		must(t, "save measurable values", s.SaveMeasurableValues(ctx, e.ID, wk, []bot.MeasurableValue{
			{MeasurableID: ms[0].ID, Value: float64(i), UpdatedAt: at(time.Duration(i) * time.Hour)},
			{MeasurableID: ms[1].ID, Value: float64(i) + 0.5, UpdatedAt: at(time.Duration(i) * time.Hour)},
		}))
	}

	for _, d := range []struct {
		kind  bot.DeliveryKind
		due   time.Time
		state bot.DeliveryState
	}{
		{bot.DeliveryDaily, historyDueTo.Add(-time.Microsecond), bot.DeliveryPending},
		{bot.DeliveryDaily, historyDueFrom.Add(-time.Microsecond), bot.DeliverySent}, // before dueFrom
		{bot.DeliveryDaily, historyDueFrom, bot.DeliverySent},
		{bot.DeliveryDaily, historyDueTo, bot.DeliveryPending}, // at dueTo
		{bot.DeliveryDaily, at(24 * time.Hour), bot.DeliveryMissed},
		{bot.DeliveryWeekly, at(time.Hour), bot.DeliverySent},   // not a daily one
		{bot.DeliveryReminder, at(time.Hour), bot.DeliverySent}, // nor this
	} {
		newDelivery(t, s, e.ClientID, e.ID, d.kind, tag+"-"+string(d.kind)+"-"+d.due.Format(time.RFC3339Nano), d.due, d.state)
	}
}

// wantHistory reads an engagement's History with the single-engagement
// methods, as Histories must give it.
func wantHistory(t testing.TB, s bot.Store, e *bot.Engagement) *bot.History {
	t.Helper()
	ctx := t.Context()
	var h bot.History
	var err error
	h.Client, err = s.Person(ctx, e.ClientID)
	must(t, "Person", err)
	h.CheckIns, err = s.CheckIns(ctx, e.ID, historyFrom, historyTo)
	must(t, "CheckIns", err)
	h.Rocks, err = s.Rocks(ctx, e.ID)
	must(t, "Rocks", err)
	h.RockHistory, err = s.RockHistory(ctx, e.ID, time.Time{})
	must(t, "RockHistory", err)
	h.Reports, err = s.WeeklyReports(ctx, e.ID, historyFrom, historyTo)
	must(t, "WeeklyReports", err)
	h.Reviews, err = s.Reviews(ctx, e.ID)
	must(t, "Reviews", err)
	h.Sessions, err = s.Sessions(ctx, e.ID)
	must(t, "Sessions", err)
	h.Measurables, err = s.Measurables(ctx, e.ID)
	must(t, "Measurables", err)
	h.Values, err = s.MeasurableValues(ctx, e.ID, historyWindow.ScoresFrom, historyTo)
	must(t, "MeasurableValues", err)
	ds, err := s.Deliveries(ctx, e.ID, historyDueFrom, historyDueTo)
	must(t, "Deliveries", err)
	for _, d := range ds {
		if d.Kind == bot.DeliveryDaily {
			h.Deliveries = append(h.Deliveries, d)
		}
	}
	scheds, err := s.Schedules(ctx, e.ClientID)
	must(t, "Schedules", err)
	for _, sc := range scheds {
		if sc.Kind == bot.DeliveryDaily {
			sc.Person, sc.Engagement = nil, nil
			h.Daily = sc
		}
	}
	return &h
}

// sameHistories compares histories with the rock lines of reports and
// reviews in RockID order: the contract keeps the lines, not their order.
func sameHistories(t testing.TB, what string, got, want map[int64]*bot.History) {
	t.Helper()
	sorted := func(hs map[int64]*bot.History) map[int64]*bot.History {
		out := make(map[int64]*bot.History, len(hs))
		for id, h := range hs {
			if h == nil {
				out[id] = nil
				continue
			}
			c := *h
			c.Reports, c.Reviews = slices.Clone(c.Reports), slices.Clone(c.Reviews)
			for i, w := range c.Reports {
				wc := *w
				wc.Rocks = slices.Clone(wc.Rocks)
				slices.SortFunc(wc.Rocks, func(a, b bot.RockUpdate) int { return cmp.Compare(a.RockID, b.RockID) })
				c.Reports[i] = &wc
			}
			for i, rv := range c.Reviews {
				rc := *rv
				rc.Rocks = slices.Clone(rc.Rocks)
				slices.SortFunc(rc.Rocks, func(a, b bot.RockReview) int { return cmp.Compare(a.RockID, b.RockID) })
				c.Reviews[i] = &rc
			}
			out[id] = &c
		}
		return out
	}
	got, want = sorted(got), sorted(want)
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[id]; !ok {
			t.Errorf("%s: no history of engagement %d", what, id)
			continue
		}
		same(t, fmt.Sprintf("%s: engagement %d", what, id), got[id], want[id])
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: a history of engagement %d, want none", what, id)
		}
	}
}

// testHistories: each engagement's History is what the single-engagement
// methods give, within the bounds, for the engagements asked for only; a
// missing engagement is left out.
func testHistories(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	// The client of f.Eng also has an ended engagement: both share the
	// client's one daily schedule.
	old := newEngagement(t, s, f.Coach.ID, f.Client.ID, bot.EngagementEnded)
	_, other := newClient(t, s, f, "UCLIENTB", bot.EngagementActive)
	// A client whose only engagement ended has no daily schedule.
	_, bare := newClient(t, s, f, "UCLIENTD", bot.EngagementEnded)
	// Not asked for: its rows must not show in the others'.
	_, unasked := newClient(t, s, f, "UCLIENTC", bot.EngagementActive)
	gone, goneEng := newClient(t, s, f, "UCLIENTE", bot.EngagementActive)
	for _, e := range []struct {
		e   *bot.Engagement
		tag string
	}{{f.Eng, "main"}, {old, "old"}, {other, "other"}, {unasked, "unasked"}, {goneEng, "gone"}} {
		fillHistory(t, s, e.e, e.tag)
	}
	must(t, "delete client", s.DeletePerson(ctx, gone.ID))

	got, err := s.Histories(ctx, []int64{other.ID, missingID, f.Eng.ID, goneEng.ID, bare.ID, old.ID}, historyWindow)
	must(t, "Histories", err)
	want := map[int64]*bot.History{}
	for _, e := range []*bot.Engagement{f.Eng, old, other, bare} {
		want[e.ID] = wantHistory(t, s, e)
	}
	sameHistories(t, "Histories", got, want)

	// Histories agrees with the single-engagement methods; checked against
	// what fillHistory stored, a bound both get wrong shows too.
	h := got[f.Eng.ID]
	if h == nil {
		t.Fatalf("Histories: no history of engagement %d", f.Eng.ID)
	}
	var days, weeks []bot.Date
	for _, c := range h.CheckIns {
		days = append(days, c.Day)
	}
	for _, w := range h.Reports {
		weeks = append(weeks, w.Week)
	}
	same(t, "check-in days", days, []bot.Date{historyFrom, day(1), historyTo})
	same(t, "report weeks", weeks, []bot.Date{historyFrom, historyTo})
	if len(h.Reports) == 2 && (len(h.Reports[0].Rocks) != 0 || len(h.Reports[1].Rocks) != 2) {
		t.Errorf("report rock lines: %s", show(h.Reports))
	}
	var dues []time.Time
	for _, d := range h.Deliveries {
		dues = append(dues, d.DueAt)
		if d.Kind != bot.DeliveryDaily {
			t.Errorf("delivery of kind %q, want only daily ones", d.Kind)
		}
	}
	same(t, "daily deliveries' DueAt", dues, []time.Time{historyDueFrom, at(24 * time.Hour), historyDueTo.Add(-time.Microsecond)})
	if len(h.Rocks) != 3 || len(h.RockHistory) != 6 || len(h.Reviews) != 2 || len(h.Sessions) != 4 {
		t.Errorf("history of %d: %d rocks, %d rock changes, %d reviews, %d sessions; want 3, 6, 2, 4",
			f.Eng.ID, len(h.Rocks), len(h.RockHistory), len(h.Reviews), len(h.Sessions))
	}
	if len(h.RockHistory) > 2 && h.RockHistory[1].At.Equal(h.RockHistory[2].At) && h.RockHistory[1].ID > h.RockHistory[2].ID {
		t.Errorf("rock history entries at the same instant not by ID: %s", show(h.RockHistory))
	}
	if h.Client == nil || h.Client.ID != f.Client.ID {
		t.Errorf("client: %s, want person %d", show(h.Client), f.Client.ID)
	}
	for _, e := range []*bot.Engagement{f.Eng, old, other} {
		if d := got[e.ID]; d != nil && (d.Daily == nil || d.Daily.PersonID != e.ClientID || d.Daily.Kind != bot.DeliveryDaily) {
			t.Errorf("daily schedule of engagement %d: %s, want the client's", e.ID, show(d.Daily))
		}
	}
	if d := got[bare.ID]; d != nil && (d.Daily != nil || len(d.CheckIns)+len(d.Rocks)+len(d.Deliveries) != 0) {
		t.Errorf("history of an engagement without data: %+v", d)
	}
	if d1, d2 := got[f.Eng.ID], got[old.ID]; d1 != nil && d2 != nil && d1.Daily != nil && d1.Daily == d2.Daily {
		t.Errorf("two engagements of one client share a *Schedule; want a copy each")
	}

	// Other bounds move the boundary rows out.
	got, err = s.Histories(ctx, []int64{f.Eng.ID}, bot.HistoryWindow{From: historyFrom.AddDays(1), To: historyTo.AddDays(-1),
		ScoresFrom: historyTo, DueFrom: historyDueFrom.Add(time.Microsecond), DueTo: historyDueTo.Add(-time.Microsecond)})
	must(t, "Histories within narrower bounds", err)
	if h := got[f.Eng.ID]; h == nil {
		t.Errorf("Histories within narrower bounds: no history of engagement %d", f.Eng.ID)
	} else if len(h.CheckIns) != 1 || len(h.Reports) != 0 || len(h.Deliveries) != 1 || len(h.Values) != 0 {
		t.Errorf("Histories within narrower bounds: %d check-ins, %d reports, %d deliveries, %d scorecard values; want 1, 0, 1, 0",
			len(h.CheckIns), len(h.Reports), len(h.Deliveries), len(h.Values))
	}
	// Scorecard values have their own first week.
	got, err = s.Histories(ctx, []int64{f.Eng.ID}, bot.HistoryWindow{From: historyTo, To: historyTo,
		ScoresFrom: historyFrom.AddDays(-7), DueFrom: historyDueFrom, DueTo: historyDueTo})
	must(t, "Histories with earlier scorecard weeks", err)
	if h := got[f.Eng.ID]; h == nil || len(h.Values) != 6 || len(h.Reports) != 1 {
		t.Errorf("Histories with earlier scorecard weeks: %s; want 6 scorecard values (3 weeks × 2) and 1 report", show(h))
	}

	for _, ids := range [][]int64{nil, {}, {missingID, goneEng.ID}} {
		got, err := s.Histories(ctx, ids, historyWindow)
		must(t, fmt.Sprintf("Histories of %v", ids), err)
		if got == nil || len(got) != 0 {
			t.Errorf("Histories of %v: %v, want an empty map", ids, got)
		}
	}
}

// testHistoriesRocksSince: from RocksSince, a History holds the rock
// history entries since then and, of the ones before, each rock's last
// and the first of the run of its last status: what the rules need to say
// a rock's state at any instant from then, and since when it has been
// off track.
func testHistoriesRocksSince(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	since := at(10 * time.Hour)
	type step struct {
		after  time.Duration
		status bot.RockStatus
		keep   bool // in the History read from since
	}
	steps := map[string][]step{
		// Off track since its second entry, then back on track after since.
		"late": {{0, bot.RockOnTrack, false}, {1, bot.RockOffTrack, true}, {2, bot.RockOffTrack, false},
			{3, bot.RockOffTrack, true}, {11, bot.RockOnTrack, true}},
		// On track all along; nothing since.
		"steady": {{0, bot.RockOnTrack, true}, {4, bot.RockOnTrack, false}, {5, bot.RockOnTrack, true}},
		// Off track, on, then off again: the run starts at the last change.
		"wobbly": {{0, bot.RockOffTrack, false}, {1, bot.RockOnTrack, false}, {6, bot.RockOffTrack, true},
			{7, bot.RockOffTrack, false}, {7, bot.RockOffTrack, true}},
		// Created at since: all of it.
		"new": {{10, bot.RockOnTrack, true}, {12, bot.RockOffTrack, true}},
	}
	var want []string
	for _, title := range []string{"late", "steady", "wobbly", "new"} {
		var r *bot.Rock
		for i, st := range steps[title] {
			when := at(st.after * time.Hour)
			if i == 0 {
				r = newRock(t, s, f.Eng.ID, f.Client.ID, title, when)
				if r.Status != st.status {
					r.Status, r.UpdatedAt = st.status, when
					must(t, "update rock", s.UpdateRock(ctx, r, f.Client.ID, ""))
				}
			} else {
				r.Status, r.Progress, r.UpdatedAt = st.status, r.Progress+1, when
				must(t, "update rock", s.UpdateRock(ctx, r, f.Client.ID, fmt.Sprintf("%s %d", title, i)))
			}
			if st.keep {
				want = append(want, fmt.Sprintf("%s %s %d%%", title, st.status, r.Progress))
			}
		}
	}
	all, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	got, err := s.Histories(ctx, []int64{f.Eng.ID}, bot.HistoryWindow{From: historyFrom, To: historyTo, ScoresFrom: historyFrom,
		RocksSince: since, DueFrom: historyDueFrom, DueTo: historyDueTo})
	must(t, "Histories", err)
	h := got[f.Eng.ID]
	if h == nil {
		t.Fatalf("Histories: no history of engagement %d", f.Eng.ID)
	}
	// The same entries as bot.RockHistorySince gives (which the SQLite
	// store uses, and the rules were written against)...
	same(t, "rock history since", h.RockHistory, bot.RockHistorySince(all, since))
	// ...and the ones this test means, oldest first.
	byRock := map[int64]string{}
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	for _, r := range rocks {
		byRock[r.ID] = r.Title
	}
	var kept []string
	for _, c := range h.RockHistory {
		kept = append(kept, fmt.Sprintf("%s %s %d%%", byRock[c.RockID], c.Status, c.Progress))
	}
	slices.Sort(kept)
	slices.Sort(want)
	same(t, "rock history entries kept", kept, want)
}
