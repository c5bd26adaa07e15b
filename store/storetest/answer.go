package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testSaveCheckIn(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	rock := newRock(t, s, f.Eng.ID, f.Client.ID, "Ship v2", at(0))

	c := &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(0), Moved: "drafted the spec", Priority: "ship", PriorityRockID: rock.ID,
		Stuck: "legal review", Energy: 4, Status: bot.AnswerOpen, UpdatedAt: at(0)}
	must(t, "save check-in", s.SaveCheckIn(ctx, c))
	if c.ID == 0 {
		t.Fatal("SaveCheckIn did not fill ID")
	}
	want := &bot.CheckIn{ID: c.ID, EngagementID: f.Eng.ID, Day: day(0), Moved: "drafted the spec", Priority: "ship", PriorityRockID: rock.ID,
		Stuck: "legal review", Energy: 4, Status: bot.AnswerOpen, UpdatedAt: at(0)}
	same(t, "check-in filled by SaveCheckIn", c, want)
	got, err := s.CheckIn(ctx, f.Eng.ID, day(0))
	must(t, "CheckIn", err)
	same(t, "CheckIn", got, want)

	// The same day again replaces every field in the same row.
	c2 := &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(0), Moved: "spec done", Status: bot.AnswerComplete,
		SubmittedAt: at(10 * time.Minute), UpdatedAt: at(10 * time.Minute)}
	must(t, "save check-in again", s.SaveCheckIn(ctx, c2))
	want2 := &bot.CheckIn{ID: c.ID, EngagementID: f.Eng.ID, Day: day(0), Moved: "spec done", Status: bot.AnswerComplete,
		SubmittedAt: at(10 * time.Minute), UpdatedAt: at(10 * time.Minute)}
	same(t, "check-in filled by a second SaveCheckIn", c2, want2)
	got, err = s.CheckIn(ctx, f.Eng.ID, day(0))
	must(t, "CheckIn", err)
	same(t, "CheckIn after a second save", got, want2)
	all, err := s.CheckIns(ctx, f.Eng.ID, day(-1), day(1))
	must(t, "CheckIns", err)
	same(t, "CheckIns after a second save", all, []*bot.CheckIn{want2})

	// Another engagement's check-in on the same day is another row.
	oc := &bot.CheckIn{EngagementID: otherEng.ID, Day: day(0), Status: bot.AnswerOff, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "save another engagement's check-in", s.SaveCheckIn(ctx, oc))
	if oc.ID == 0 || oc.ID == c.ID {
		t.Errorf("another engagement's check-in got ID %d, want a new one", oc.ID)
	}
	got, err = s.CheckIn(ctx, f.Eng.ID, day(0))
	must(t, "CheckIn", err)
	same(t, "CheckIn after another engagement's", got, want2)
}

func testCheckInPriorityRock(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	theirs := newRock(t, s, otherEng.ID, f.Coach.ID, "Theirs", at(0))
	mine := newRock(t, s, f.Eng.ID, f.Coach.ID, "Mine", at(0))

	c := &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(0), Priority: "theirs", PriorityRockID: theirs.ID, Status: bot.AnswerOpen, UpdatedAt: at(0)}
	wantCode(t, "SaveCheckIn with another engagement's rock", s.SaveCheckIn(ctx, c), bot.EINVALID)
	_, err := s.CheckIn(ctx, f.Eng.ID, day(0))
	wantCode(t, "CheckIn after a refused save", err, bot.ENOTFOUND)

	ok := &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(1), Priority: "mine", PriorityRockID: mine.ID, Status: bot.AnswerComplete,
		SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "save check-in with the engagement's rock", s.SaveCheckIn(ctx, ok))
	want := *ok
	bad := want
	bad.ID, bad.PriorityRockID, bad.Priority, bad.UpdatedAt = 0, theirs.ID, "theirs", at(2*time.Hour)
	wantCode(t, "SaveCheckIn replacing a check-in with another engagement's rock", s.SaveCheckIn(ctx, &bad), bot.EINVALID)
	if err := s.SaveCheckIn(ctx, &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(1), PriorityRockID: missingID, Status: bot.AnswerOpen, UpdatedAt: at(3 * time.Hour)}); err == nil {
		t.Error("SaveCheckIn with a rock that does not exist: no error")
	}
	got, err := s.CheckIn(ctx, f.Eng.ID, day(1))
	must(t, "CheckIn", err)
	same(t, "CheckIn after refused saves", got, &want)
}

func testCheckIns(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	byDay := map[int]*bot.CheckIn{}
	for _, n := range []int{2, -3, 0, 3, -1, 1, -2} {
		c := &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(n), Moved: day(n).String(), Energy: n + 4, Status: bot.AnswerComplete,
			SubmittedAt: at(time.Duration(n) * 24 * time.Hour), UpdatedAt: at(time.Duration(n) * 24 * time.Hour)}
		must(t, "save check-in", s.SaveCheckIn(ctx, c))
		byDay[n] = c
		o := &bot.CheckIn{EngagementID: otherEng.ID, Day: day(n), Status: bot.AnswerSkipped, UpdatedAt: at(0)}
		must(t, "save another engagement's check-in", s.SaveCheckIn(ctx, o))
	}
	days := func(from, to int) []*bot.CheckIn {
		var rows []*bot.CheckIn
		for n := from; n <= to; n++ {
			rows = append(rows, byDay[n])
		}
		return rows
	}
	for _, c := range []struct {
		name     string
		from, to bot.Date
		want     []*bot.CheckIn
	}{
		{"inner range", day(-1), day(1), days(-1, 1)},
		{"one day", day(2), day(2), days(2, 2)},
		{"whole range", day(-3), day(3), days(-3, 3)},
		{"range beyond the rows", day(-30), day(30), days(-3, 3)},
		{"range before the rows", day(-30), day(-4), nil},
		{"empty range", day(1), day(-1), nil},
	} {
		got, err := s.CheckIns(ctx, f.Eng.ID, c.from, c.to)
		must(t, "CheckIns "+c.name, err)
		same(t, "CheckIns "+c.name, got, c.want)
	}
}

// sameReport compares reports, with rock updates in any order: the
// contract does not say which.
func sameReport(t testing.TB, what string, got, want *bot.WeeklyReport) {
	t.Helper()
	sorted := func(w *bot.WeeklyReport) *bot.WeeklyReport {
		if w == nil {
			return nil
		}
		c := *w
		c.Rocks = slices.Clone(c.Rocks)
		slices.SortFunc(c.Rocks, func(a, b bot.RockUpdate) int { return cmp.Compare(a.RockID, b.RockID) })
		return &c
	}
	same(t, what, sorted(got), sorted(want))
}

func testSaveWeeklyReport(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	a := newRock(t, s, f.Eng.ID, f.Coach.ID, "A", at(0))
	b := newRock(t, s, f.Eng.ID, f.Coach.ID, "B", at(0))
	histBefore, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)

	w := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0),
		Rocks: []bot.RockUpdate{{RockID: b.ID, Status: bot.RockOnTrack, Progress: 50}, {RockID: a.ID, Status: bot.RockOffTrack, Progress: 20, Note: "blocked on legal"}},
		Win:   "signed Acme", Stuck: "legal", Ask: "an intro to counsel", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "save weekly report", s.SaveWeeklyReport(ctx, w, 0))
	if w.ID == 0 {
		t.Fatal("SaveWeeklyReport did not fill ID")
	}
	want := &bot.WeeklyReport{ID: w.ID, EngagementID: f.Eng.ID, Week: week(0),
		Rocks: []bot.RockUpdate{{RockID: a.ID, Status: bot.RockOffTrack, Progress: 20, Note: "blocked on legal"}, {RockID: b.ID, Status: bot.RockOnTrack, Progress: 50}},
		Win:   "signed Acme", Stuck: "legal", Ask: "an intro to counsel", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	sameReport(t, "report filled by SaveWeeklyReport", w, want)
	got, err := s.WeeklyReport(ctx, f.Eng.ID, week(0))
	must(t, "WeeklyReport", err)
	sameReport(t, "WeeklyReport", got, want)

	// applyBy 0 leaves the rocks and their history alone.
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	same(t, "Rocks after SaveWeeklyReport with applyBy 0", rocks, []*bot.Rock{a, b})
	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	same(t, "RockHistory after SaveWeeklyReport with applyBy 0", hist, histBefore)

	// The same week again replaces the report and its rock updates as a whole.
	w2 := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0), Rocks: []bot.RockUpdate{{RockID: b.ID, Status: bot.RockDone, Progress: 100, Note: "done!"}},
		Status: bot.AnswerOpen, UpdatedAt: at(2 * time.Hour)}
	must(t, "save weekly report again", s.SaveWeeklyReport(ctx, w2, 0))
	want2 := &bot.WeeklyReport{ID: w.ID, EngagementID: f.Eng.ID, Week: week(0), Rocks: []bot.RockUpdate{{RockID: b.ID, Status: bot.RockDone, Progress: 100, Note: "done!"}},
		Status: bot.AnswerOpen, UpdatedAt: at(2 * time.Hour)}
	sameReport(t, "report filled by a second SaveWeeklyReport", w2, want2)
	got, err = s.WeeklyReport(ctx, f.Eng.ID, week(0))
	must(t, "WeeklyReport", err)
	sameReport(t, "WeeklyReport after a second save", got, want2)

	w3 := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0), Win: "rest", Status: bot.AnswerSkipped, SubmittedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour)}
	must(t, "save weekly report without rock updates", s.SaveWeeklyReport(ctx, w3, 0))
	want3 := &bot.WeeklyReport{ID: w.ID, EngagementID: f.Eng.ID, Week: week(0), Win: "rest", Status: bot.AnswerSkipped, SubmittedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour)}
	got, err = s.WeeklyReport(ctx, f.Eng.ID, week(0))
	must(t, "WeeklyReport", err)
	sameReport(t, "WeeklyReport without rock updates", got, want3)
	all, err := s.WeeklyReports(ctx, f.Eng.ID, week(-1), week(1))
	must(t, "WeeklyReports", err)
	if len(all) != 1 {
		t.Errorf("WeeklyReports after saving one week three times: %d rows, want 1", len(all))
	}
	rocks, err = s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	same(t, "Rocks after saves with applyBy 0", rocks, []*bot.Rock{a, b})
}

func testWeeklyReportApply(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	a := newRock(t, s, f.Eng.ID, f.Coach.ID, "A", at(0))
	b := newRock(t, s, f.Eng.ID, f.Coach.ID, "B", at(0))
	c := newRock(t, s, f.Eng.ID, f.Coach.ID, "C", at(0))
	created, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)

	w := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0), Rocks: []bot.RockUpdate{
		{RockID: a.ID, Status: bot.RockOffTrack, Progress: a.Progress, Note: "legal"}, // status differs
		{RockID: b.ID, Status: b.Status, Progress: b.Progress, Note: "same"},          // no change
		{RockID: c.ID, Status: c.Status, Progress: 40, Note: "progress"},              // progress differs
	}, Status: bot.AnswerComplete, SubmittedAt: at(5 * time.Hour), UpdatedAt: at(5 * time.Hour)}
	must(t, "save weekly report applied", s.SaveWeeklyReport(ctx, w, f.Client.ID))

	// The rocks' UpdatedAt on applying is the store's choice; the rest is not.
	wantA, wantB, wantC := *a, *b, *c
	wantA.Status, wantC.Progress = bot.RockOffTrack, 40
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	if len(rocks) == 3 {
		wantA.UpdatedAt, wantC.UpdatedAt = rocks[0].UpdatedAt, rocks[2].UpdatedAt
	}
	same(t, "Rocks after SaveWeeklyReport applied", rocks, []*bot.Rock{&wantA, &wantB, &wantC})

	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	if len(hist) != 5 {
		t.Fatalf("RockHistory after applying two changed rock updates: %s, want 5 entries", show(hist))
	}
	same(t, "RockHistory creation entries after applying", hist[:3], created)
	applied := sortByID(hist[3:], func(c *bot.RockChange) int64 { return c.RockID })
	sameHistory(t, "RockHistory entries applied by SaveWeeklyReport", applied, []*bot.RockChange{
		change(&wantA, f.Client.ID, at(5*time.Hour), "legal"),
		change(&wantC, f.Client.ID, at(5*time.Hour), "progress"),
	})

	// Saving the same report again changes no rock, so adds no history.
	w.UpdatedAt = at(6 * time.Hour)
	must(t, "save weekly report applied again", s.SaveWeeklyReport(ctx, w, f.Coach.ID))
	again, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	same(t, "RockHistory after applying a report with no changes", again, hist)
	rocksAgain, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	same(t, "Rocks after applying a report with no changes", rocksAgain, rocks)
}

func testWeeklyReportAtomic(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	a := newRock(t, s, f.Eng.ID, f.Coach.ID, "A", at(0))
	x := newRock(t, s, otherEng.ID, f.Coach.ID, "X", at(0))

	w := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0), Rocks: []bot.RockUpdate{{RockID: a.ID, Status: bot.RockOffTrack, Progress: 20, Note: "first"}},
		Win: "w1", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "save weekly report", s.SaveWeeklyReport(ctx, w, f.Coach.ID))

	type snapshot struct {
		Report    *bot.WeeklyReport
		Rocks     []*bot.Rock
		History   []*bot.RockChange
		Theirs    []*bot.Rock
		TheirHist []*bot.RockChange
	}
	take := func() snapshot {
		t.Helper()
		var sn snapshot
		var err error
		sn.Report, err = s.WeeklyReport(ctx, f.Eng.ID, week(0))
		must(t, "WeeklyReport", err)
		sn.Rocks, err = s.Rocks(ctx, f.Eng.ID)
		must(t, "Rocks", err)
		sn.History, err = s.RockHistory(ctx, f.Eng.ID, time.Time{})
		must(t, "RockHistory", err)
		sn.Theirs, err = s.Rocks(ctx, otherEng.ID)
		must(t, "Rocks", err)
		sn.TheirHist, err = s.RockHistory(ctx, otherEng.ID, time.Time{})
		must(t, "RockHistory", err)
		return sn
	}
	before := take()

	// The valid update comes first, so a store that applies as it goes
	// would have changed rock a before it meets rock x.
	for _, c := range []struct {
		name    string
		week    bot.Date
		applyBy int64
	}{
		{"replacing a report, applied", week(0), f.Coach.ID},
		{"replacing a report, not applied", week(0), 0},
		{"creating a report, applied", week(1), f.Client.ID},
	} {
		bad := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: c.week, Rocks: []bot.RockUpdate{
			{RockID: a.ID, Status: bot.RockDone, Progress: 100, Note: "done"},
			{RockID: x.ID, Status: bot.RockDone, Progress: 100, Note: "not mine"},
		}, Win: "w2", Status: bot.AnswerComplete, SubmittedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)}
		wantCode(t, "SaveWeeklyReport naming another engagement's rock, "+c.name, s.SaveWeeklyReport(ctx, bad, c.applyBy), bot.EINVALID)
		same(t, "store after a refused SaveWeeklyReport, "+c.name, take(), before)
		_, err := s.WeeklyReport(ctx, f.Eng.ID, week(1))
		wantCode(t, "WeeklyReport of a week whose save was refused", err, bot.ENOTFOUND)
	}
}

func testWeeklyReports(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	byWeek := map[int]*bot.WeeklyReport{}
	for _, n := range []int{1, -2, 0, 2, -1} {
		w := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(n), Win: week(n).String(), Status: bot.AnswerComplete,
			SubmittedAt: at(time.Duration(n) * 7 * 24 * time.Hour), UpdatedAt: at(time.Duration(n) * 7 * 24 * time.Hour)}
		must(t, "save weekly report", s.SaveWeeklyReport(ctx, w, 0))
		byWeek[n] = w
		o := &bot.WeeklyReport{EngagementID: otherEng.ID, Week: week(n), Status: bot.AnswerSkipped, UpdatedAt: at(0)}
		must(t, "save another engagement's report", s.SaveWeeklyReport(ctx, o, 0))
	}
	weeks := func(from, to int) []*bot.WeeklyReport {
		var rows []*bot.WeeklyReport
		for n := from; n <= to; n++ {
			rows = append(rows, byWeek[n])
		}
		return rows
	}
	for _, c := range []struct {
		name     string
		from, to bot.Date
		want     []*bot.WeeklyReport
	}{
		{"inner range", week(-1), week(1), weeks(-1, 1)},
		{"one week", week(2), week(2), weeks(2, 2)},
		{"whole range", week(-2), week(2), weeks(-2, 2)},
		{"days inside the first and last weeks", week(-1).AddDays(1), week(1).AddDays(6), weeks(0, 1)},
		{"range after the rows", week(3), week(9), nil},
	} {
		got, err := s.WeeklyReports(ctx, f.Eng.ID, c.from, c.to)
		must(t, "WeeklyReports "+c.name, err)
		same(t, "WeeklyReports "+c.name, got, c.want)
	}
}
