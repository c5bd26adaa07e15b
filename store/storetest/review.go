package storetest

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// sameReview compares reviews with their rock lines in RockID order: the
// contract keeps the lines, not their order.
func sameReview(t testing.TB, what string, got, want *bot.Review) {
	t.Helper()
	sorted := func(rv *bot.Review) *bot.Review {
		if rv == nil {
			return nil
		}
		c := *rv
		c.Rocks = slices.Clone(c.Rocks)
		slices.SortFunc(c.Rocks, func(a, b bot.RockReview) int { return cmp.Compare(a.RockID, b.RockID) })
		return &c
	}
	same(t, what, sorted(got), sorted(want))
}

func testSaveReview(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	a := newRock(t, s, f.Eng.ID, f.Coach.ID, "A", at(0))
	b := newRock(t, s, f.Eng.ID, f.Coach.ID, "B", at(0))
	histBefore, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)

	rv := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{
		{RockID: b.ID, Decision: bot.DecisionCarry, Learned: "hiring takes a quarter"},
		{RockID: a.ID, Decision: bot.DecisionDone, Learned: "ship small"},
	}, Win: "v2 shipped", Change: "fewer meetings", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "save review", s.SaveReview(ctx, rv, 0))
	if rv.ID == 0 {
		t.Fatal("SaveReview did not fill ID")
	}
	want := &bot.Review{ID: rv.ID, EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{
		{RockID: a.ID, Decision: bot.DecisionDone, Learned: "ship small"},
		{RockID: b.ID, Decision: bot.DecisionCarry, Learned: "hiring takes a quarter"},
	}, Win: "v2 shipped", Change: "fewer meetings", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	sameReview(t, "review filled by SaveReview", rv, want)
	got, err := s.Review(ctx, f.Eng.ID, 1)
	must(t, "Review", err)
	sameReview(t, "Review", got, want)

	// applyBy 0 leaves the rocks and their history alone.
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	same(t, "Rocks after SaveReview with applyBy 0", rocks, []*bot.Rock{a, b})
	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	same(t, "RockHistory after SaveReview with applyBy 0", hist, histBefore)

	// The same cycle again replaces the review and its lines as a whole.
	rv2 := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{{RockID: b.ID, Decision: bot.DecisionDrop}},
		Win: "still v2", Status: bot.AnswerOpen, UpdatedAt: at(2 * time.Hour)}
	must(t, "save review again", s.SaveReview(ctx, rv2, 0))
	want2 := &bot.Review{ID: rv.ID, EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{{RockID: b.ID, Decision: bot.DecisionDrop}},
		Win: "still v2", Status: bot.AnswerOpen, UpdatedAt: at(2 * time.Hour)}
	sameReview(t, "review filled by a second SaveReview", rv2, want2)
	got, err = s.Review(ctx, f.Eng.ID, 1)
	must(t, "Review", err)
	sameReview(t, "Review after a second save", got, want2)
	rv3 := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Change: "rest", Status: bot.AnswerComplete, SubmittedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour)}
	must(t, "save review without rock lines", s.SaveReview(ctx, rv3, 0))
	want3 := &bot.Review{ID: rv.ID, EngagementID: f.Eng.ID, Cycle: 1, Change: "rest", Status: bot.AnswerComplete, SubmittedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour)}
	got, err = s.Review(ctx, f.Eng.ID, 1)
	must(t, "Review", err)
	sameReview(t, "Review without rock lines", got, want3)

	// Reviews lists one engagement's, by cycle, each with its lines.
	byCycle := map[int]*bot.Review{1: want3}
	for _, n := range []int{3, 2} {
		r := &bot.Review{EngagementID: f.Eng.ID, Cycle: n, Rocks: []bot.RockReview{{RockID: a.ID, Decision: bot.DecisionCarry, Learned: "cycle " + strings.Repeat("I", n)}},
			Status: bot.AnswerComplete, SubmittedAt: at(time.Duration(n) * 24 * time.Hour), UpdatedAt: at(time.Duration(n) * 24 * time.Hour)}
		must(t, "save review", s.SaveReview(ctx, r, 0))
		byCycle[n] = r
	}
	must(t, "save another engagement's review", s.SaveReview(ctx, &bot.Review{EngagementID: otherEng.ID, Cycle: 2, Win: "other",
		Status: bot.AnswerOpen, UpdatedAt: at(0)}, 0))
	all, err := s.Reviews(ctx, f.Eng.ID)
	must(t, "Reviews", err)
	same(t, "Reviews", all, []*bot.Review{byCycle[1], byCycle[2], byCycle[3]})
	_, none := newClient(t, s, f, "UCLIENT3", bot.EngagementActive)
	all, err = s.Reviews(ctx, none.ID)
	must(t, "Reviews", err)
	same(t, "Reviews of an engagement without reviews", all, nil)

	_, err = s.Review(ctx, f.Eng.ID, 4)
	wantCode(t, "Review of a cycle without a review", err, bot.ENOTFOUND)
	_, err = s.Review(ctx, none.ID, 1)
	wantCode(t, "Review of an engagement without reviews", err, bot.ENOTFOUND)
	for _, applyBy := range []int64{0, f.Client.ID} {
		err = s.SaveReview(ctx, &bot.Review{EngagementID: missingID, Cycle: 1, Win: "w", Status: bot.AnswerOpen, UpdatedAt: at(0)}, applyBy)
		wantCode(t, "SaveReview of a missing engagement", err, bot.ENOTFOUND)
	}
}

func testReviewApply(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	done := newRock(t, s, f.Eng.ID, f.Coach.ID, "to be done", at(0))
	dropped := newRock(t, s, f.Eng.ID, f.Coach.ID, "to be dropped", at(0))
	live := newRock(t, s, f.Eng.ID, f.Coach.ID, "carried while live", at(0))
	revived := newRock(t, s, f.Eng.ID, f.Coach.ID, "carried after a drop", at(0))
	reopened := newRock(t, s, f.Eng.ID, f.Coach.ID, "carried after done", at(0))
	finished := newRock(t, s, f.Eng.ID, f.Coach.ID, "done already", at(0))
	revived.Status, revived.Progress, revived.UpdatedAt = bot.RockDropped, 30, at(time.Hour)
	must(t, "drop a rock", s.UpdateRock(ctx, revived, f.Client.ID, ""))
	for _, r := range []*bot.Rock{reopened, finished} {
		r.Status, r.Progress, r.UpdatedAt = bot.RockDone, 100, at(time.Hour)
		must(t, "finish a rock", s.UpdateRock(ctx, r, f.Client.ID, ""))
	}
	live.Status, live.Progress, live.UpdatedAt = bot.RockOffTrack, 60, at(time.Hour)
	must(t, "put a rock off track", s.UpdateRock(ctx, live, f.Client.ID, ""))
	before, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)

	rv := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{
		{RockID: done.ID, Decision: bot.DecisionDone, Learned: "small steps"},
		{RockID: dropped.ID, Decision: bot.DecisionDrop, Learned: "not ours to do"},
		{RockID: live.ID, Decision: bot.DecisionCarry, Learned: "needs another quarter"},
		{RockID: revived.ID, Decision: bot.DecisionCarry, Learned: "back on it"},
		{RockID: reopened.ID, Decision: bot.DecisionCarry, Learned: "not really done"},
		{RockID: finished.ID, Decision: bot.DecisionDone, Learned: "as it was"},
	}, Win: "focus", Status: bot.AnswerComplete, SubmittedAt: at(5 * time.Hour), UpdatedAt: at(5 * time.Hour)}
	must(t, "save review applied", s.SaveReview(ctx, rv, f.Client.ID))

	// done is done at 100%; drop keeps the progress; carry makes a done or
	// dropped rock on track again with its progress, and leaves a live one
	// (even off track) and an already done rock marked done as they are.
	// The rocks' UpdatedAt on applying is the store's choice.
	wantDone, wantDropped, wantLive, wantRevived, wantReopened, wantFinished := *done, *dropped, *live, *revived, *reopened, *finished
	wantDone.Status, wantDone.Progress = bot.RockDone, 100
	wantDropped.Status = bot.RockDropped
	wantRevived.Status = bot.RockOnTrack
	wantReopened.Status = bot.RockOnTrack
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	if len(rocks) == 6 {
		wantDone.UpdatedAt, wantDropped.UpdatedAt = rocks[0].UpdatedAt, rocks[1].UpdatedAt
		wantRevived.UpdatedAt, wantReopened.UpdatedAt = rocks[3].UpdatedAt, rocks[4].UpdatedAt
	}
	same(t, "Rocks after SaveReview applied", rocks, []*bot.Rock{&wantDone, &wantDropped, &wantLive, &wantRevived, &wantReopened, &wantFinished})

	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	if len(hist) != len(before)+4 {
		t.Fatalf("RockHistory after applying a review that changes four rocks: %s, want %d entries", show(hist), len(before)+4)
	}
	same(t, "RockHistory entries before applying", hist[:len(before)], before)
	applied := sortByID(hist[len(before):], func(c *bot.RockChange) int64 { return c.RockID })
	sameHistory(t, "RockHistory entries applied by SaveReview", applied, []*bot.RockChange{
		change(&wantDone, f.Client.ID, at(5*time.Hour), "small steps"),
		change(&wantDropped, f.Client.ID, at(5*time.Hour), "not ours to do"),
		change(&wantRevived, f.Client.ID, at(5*time.Hour), "back on it"),
		change(&wantReopened, f.Client.ID, at(5*time.Hour), "not really done"),
	})

	// Saving the same review again changes no rock, so adds no history.
	rv.UpdatedAt = at(6 * time.Hour)
	must(t, "save review applied again", s.SaveReview(ctx, rv, f.Coach.ID))
	again, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	same(t, "RockHistory after applying a review with no changes", again, hist)
	rocksAgain, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	same(t, "Rocks after applying a review with no changes", rocksAgain, rocks)
}

func testReviewInvalid(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	a := newRock(t, s, f.Eng.ID, f.Coach.ID, "A", at(0))
	b := newRock(t, s, f.Eng.ID, f.Coach.ID, "B", at(0))
	c := newRock(t, s, f.Eng.ID, f.Coach.ID, "C", at(0))
	x := newRock(t, s, otherEng.ID, f.Coach.ID, "X", at(0))
	b.Status, b.UpdatedAt = bot.RockDropped, at(time.Hour)
	must(t, "drop a rock", s.UpdateRock(ctx, b, f.Client.ID, ""))

	rv := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{{RockID: a.ID, Decision: bot.DecisionCarry, Learned: "first"}},
		Win: "w1", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "save review", s.SaveReview(ctx, rv, f.Client.ID))

	type snapshot struct {
		Reviews   []*bot.Review
		Rocks     []*bot.Rock
		History   []*bot.RockChange
		Theirs    []*bot.Rock
		TheirHist []*bot.RockChange
	}
	take := func() snapshot {
		t.Helper()
		var sn snapshot
		var err error
		sn.Reviews, err = s.Reviews(ctx, f.Eng.ID)
		must(t, "Reviews", err)
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

	// Each bad review starts with valid lines that would change rocks a
	// and b, so a store that applies as it goes would have changed them
	// before it meets the bad part.
	long := strings.Repeat("x", bot.MaxAnswerLen+1)
	good := []bot.RockReview{{RockID: a.ID, Decision: bot.DecisionDone, Learned: "done"}, {RockID: b.ID, Decision: bot.DecisionCarry}}
	with := func(lines ...bot.RockReview) []bot.RockReview { return append(slices.Clone(good), lines...) }
	for _, bc := range []struct {
		name  string
		edit  func(rv *bot.Review)
		lines []bot.RockReview
	}{
		{"naming another engagement's rock", nil, with(bot.RockReview{RockID: x.ID, Decision: bot.DecisionDrop})},
		{"naming a missing rock", nil, with(bot.RockReview{RockID: missingID, Decision: bot.DecisionDrop})},
		{"naming a rock twice", nil, with(bot.RockReview{RockID: a.ID, Decision: bot.DecisionDrop})},
		{"with a decision that is none", nil, with(bot.RockReview{RockID: c.ID, Decision: "keep"})},
		{"with an empty decision", nil, []bot.RockReview{{RockID: a.ID, Decision: bot.DecisionDone}, {RockID: b.ID}}},
		{"with an over-long lesson", nil, with(bot.RockReview{RockID: c.ID, Decision: bot.DecisionDrop, Learned: long})},
		{"with an over-long win", func(rv *bot.Review) { rv.Win = long }, good},
		{"with an over-long change", func(rv *bot.Review) { rv.Change = long }, good},
		{"with cycle 0", func(rv *bot.Review) { rv.Cycle = 0 }, good},
		{"with a skipped status", func(rv *bot.Review) { rv.Status = bot.AnswerSkipped }, good},
	} {
		for _, v := range []struct {
			name    string
			cycle   int
			applyBy int64
		}{
			{"replacing a review, applied", 1, f.Coach.ID},
			{"replacing a review, not applied", 1, 0},
			{"creating a review, applied", 2, f.Client.ID},
		} {
			bad := &bot.Review{EngagementID: f.Eng.ID, Cycle: v.cycle, Rocks: bc.lines, Win: "w2", Change: "c2",
				Status: bot.AnswerComplete, SubmittedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)}
			if bc.edit != nil {
				bc.edit(bad)
			}
			what := "SaveReview " + bc.name + ", " + v.name
			wantCode(t, what, s.SaveReview(ctx, bad, v.applyBy), bot.EINVALID)
			same(t, "store after a refused "+what, take(), before)
		}
	}
}

func testReviewRockLimit(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	var rocks []*bot.Rock
	for i := range bot.MaxRocks {
		rocks = append(rocks, newRock(t, s, f.Eng.ID, f.Client.ID, "live", at(time.Duration(i)*time.Minute)))
	}
	dropped := &bot.Rock{EngagementID: f.Eng.ID, Title: "dropped", Status: bot.RockDropped, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "create a dropped rock", s.CreateRock(ctx, dropped, f.Client.ID, ""))
	done := &bot.Rock{EngagementID: f.Eng.ID, Title: "done", Status: bot.RockDone, Progress: 100, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "create a done rock", s.CreateRock(ctx, done, f.Client.ID, ""))
	storedRocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)

	for _, c := range []struct {
		name  string
		lines []bot.RockReview
	}{
		{"carrying a dropped rock", []bot.RockReview{{RockID: dropped.ID, Decision: bot.DecisionCarry}}},
		{"carrying a done rock", []bot.RockReview{{RockID: done.ID, Decision: bot.DecisionCarry}}},
		{"carrying both while finishing one", []bot.RockReview{
			{RockID: rocks[0].ID, Decision: bot.DecisionDone},
			{RockID: dropped.ID, Decision: bot.DecisionCarry},
			{RockID: done.ID, Decision: bot.DecisionCarry},
		}},
	} {
		rv := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Rocks: c.lines, Win: "w", Status: bot.AnswerComplete,
			SubmittedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)}
		wantCode(t, "SaveReview "+c.name+" beyond MaxRocks live", s.SaveReview(ctx, rv, f.Client.ID), bot.ECONFLICT)
		_, err := s.Review(ctx, f.Eng.ID, 1)
		wantCode(t, "Review after a refused one, "+c.name, err, bot.ENOTFOUND)
		got, err := s.Rocks(ctx, f.Eng.ID)
		must(t, "Rocks", err)
		same(t, "Rocks after a refused review, "+c.name, got, storedRocks)
		gotHist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
		must(t, "RockHistory", err)
		same(t, "RockHistory after a refused review, "+c.name, gotHist, hist)
	}

	// Dropping one live rock makes room for carrying one back; the lines'
	// order does not matter.
	rv := &bot.Review{EngagementID: f.Eng.ID, Cycle: 1, Rocks: []bot.RockReview{
		{RockID: dropped.ID, Decision: bot.DecisionCarry},
		{RockID: rocks[0].ID, Decision: bot.DecisionDrop},
	}, Status: bot.AnswerComplete, SubmittedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour)}
	must(t, "SaveReview carrying one rock while dropping another", s.SaveReview(ctx, rv, f.Client.ID))
	got, err := s.Rock(ctx, dropped.ID)
	must(t, "Rock", err)
	if got.Status != bot.RockOnTrack {
		t.Errorf("a carried dropped rock with room to spare: status %s, want %s", got.Status, bot.RockOnTrack)
	}

	// Not applied, a review carrying beyond the limit is only the client's words.
	rv = &bot.Review{EngagementID: f.Eng.ID, Cycle: 2, Rocks: []bot.RockReview{{RockID: done.ID, Decision: bot.DecisionCarry}},
		Status: bot.AnswerComplete, SubmittedAt: at(4 * time.Hour), UpdatedAt: at(4 * time.Hour)}
	must(t, "SaveReview not applied beyond MaxRocks", s.SaveReview(ctx, rv, 0))
}

func testDeletePersonReviews(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	other, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	mine := newRock(t, s, f.Eng.ID, f.Client.ID, "mine", at(0))
	theirs := newRock(t, s, otherEng.ID, f.Coach.ID, "theirs", at(0))
	for _, c := range []struct {
		eng    *bot.Engagement
		rock   *bot.Rock
		client *bot.Person
	}{{f.Eng, mine, f.Client}, {otherEng, theirs, other}} {
		for cycle := 1; cycle <= 2; cycle++ {
			must(t, "save review", s.SaveReview(ctx, &bot.Review{EngagementID: c.eng.ID, Cycle: cycle,
				Rocks: []bot.RockReview{{RockID: c.rock.ID, Decision: bot.DecisionCarry, Learned: "learned"}},
				Win:   "win", Change: "change", Status: bot.AnswerComplete, SubmittedAt: at(time.Hour), UpdatedAt: at(time.Hour)}, c.client.ID))
		}
	}
	kept, err := s.Reviews(ctx, otherEng.ID)
	must(t, "Reviews", err)

	must(t, "delete the client", s.DeletePerson(ctx, f.Client.ID))
	got, err := s.Reviews(ctx, f.Eng.ID)
	wantNone(t, "Reviews of the deleted client's engagement", got, err)
	_, err = s.Review(ctx, f.Eng.ID, 1)
	wantCode(t, "Review of the deleted client's engagement", err, bot.ENOTFOUND)
	got, err = s.Reviews(ctx, otherEng.ID)
	must(t, "Reviews", err)
	same(t, "Reviews of another client", got, kept)

	// A coach's deletion ends the engagement, which keeps the client's reviews.
	must(t, "delete the coach", s.DeletePerson(ctx, f.Coach.ID))
	got, err = s.Reviews(ctx, otherEng.ID)
	must(t, "Reviews", err)
	same(t, "Reviews of a client after their coach's deletion", got, kept)
}
