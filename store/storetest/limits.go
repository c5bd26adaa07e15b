package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// testRockLimitConcurrent: many creations at once, as 30 concurrent
// `rocks add` are, leave exactly MaxRocks live rocks, numbered without
// gaps or repeats.
func testRockLimitConcurrent(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	const n = 30
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			r := &bot.Rock{EngagementID: f.Eng.ID, Title: "rock", Status: bot.RockOnTrack, CreatedAt: at(time.Duration(i) * time.Second)}
			errs[i] = s.CreateRock(ctx, r, f.Client.ID, "")
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch bot.ErrorCode(err) {
		case "":
			ok++
		case bot.ECONFLICT:
		default:
			t.Errorf("CreateRock %d: %v, want nil or ECONFLICT", i, err)
		}
	}
	if ok != bot.MaxRocks {
		t.Errorf("%d concurrent CreateRock calls: %d succeeded, want exactly %d", n, ok, bot.MaxRocks)
	}
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	if len(rocks) != bot.MaxRocks {
		t.Fatalf("Rocks: %d stored, want %d", len(rocks), bot.MaxRocks)
	}
	for i, r := range rocks {
		if r.Position != i+1 {
			t.Errorf("rock %d has Position %d, want %d", i, r.Position, i+1)
		}
	}
	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	if len(hist) != bot.MaxRocks {
		t.Errorf("RockHistory: %d entries, want %d (a refused rock leaves none)", len(hist), bot.MaxRocks)
	}
}

// testRockLimitLive: only rocks on or off track count towards MaxRocks;
// finishing or dropping one frees its place, and making one live again
// counts like a new one.
func testRockLimitLive(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	var rocks []*bot.Rock
	for i := range bot.MaxRocks {
		rocks = append(rocks, newRock(t, s, f.Eng.ID, f.Client.ID, "live", at(time.Duration(i)*time.Minute)))
	}
	create := func(status bot.RockStatus) error {
		return s.CreateRock(ctx, &bot.Rock{EngagementID: f.Eng.ID, Title: "one more", Status: status, CreatedAt: at(time.Hour)}, f.Client.ID, "")
	}
	wantCode(t, "CreateRock of an on-track rock beyond MaxRocks", create(bot.RockOnTrack), bot.ECONFLICT)
	wantCode(t, "CreateRock of an off-track rock beyond MaxRocks", create(bot.RockOffTrack), bot.ECONFLICT)
	must(t, "CreateRock of a dropped rock beyond MaxRocks", create(bot.RockDropped))

	rocks[0].Status, rocks[0].Progress, rocks[0].UpdatedAt = bot.RockDone, 100, at(2*time.Hour)
	must(t, "finish a rock", s.UpdateRock(ctx, rocks[0], f.Client.ID, ""))
	must(t, "CreateRock after one is done", create(bot.RockOnTrack))
	wantCode(t, "CreateRock beyond MaxRocks again", create(bot.RockOnTrack), bot.ECONFLICT)

	rocks[1].Status, rocks[1].UpdatedAt = bot.RockDropped, at(3*time.Hour)
	must(t, "drop a rock", s.UpdateRock(ctx, rocks[1], f.Client.ID, ""))
	// Back on track while MaxRocks others are live: refused, unchanged.
	rocks[0].Status, rocks[0].UpdatedAt = bot.RockOnTrack, at(4*time.Hour)
	rocks[0].Progress = 100
	must(t, "CreateRock after one is dropped", create(bot.RockOffTrack))
	wantCode(t, "UpdateRock making a done rock live beyond MaxRocks", s.UpdateRock(ctx, rocks[0], f.Client.ID, ""), bot.ECONFLICT)
	got, err := s.Rock(ctx, rocks[0].ID)
	must(t, "Rock", err)
	if got.Status != bot.RockDone {
		t.Errorf("a refused UpdateRock stored status %s, want done", got.Status)
	}
	// A live rock's own update is never refused.
	rocks[2].Progress, rocks[2].UpdatedAt = 50, at(5*time.Hour)
	must(t, "update a live rock at MaxRocks", s.UpdateRock(ctx, rocks[2], f.Client.ID, "halfway"))

	// A weekly report applying a dropped rock's revival is refused whole.
	w := &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0), Win: "w", Status: bot.AnswerComplete,
		Rocks:       []bot.RockUpdate{{RockID: rocks[1].ID, Status: bot.RockOnTrack, Progress: 20}},
		SubmittedAt: at(6 * time.Hour), UpdatedAt: at(6 * time.Hour)}
	wantCode(t, "SaveWeeklyReport reviving a rock beyond MaxRocks", s.SaveWeeklyReport(ctx, w, f.Client.ID), bot.ECONFLICT)
	_, err = s.WeeklyReport(ctx, f.Eng.ID, week(0))
	wantCode(t, "WeeklyReport after a refused one", err, bot.ENOTFOUND)
	if got, err := s.Rock(ctx, rocks[1].ID); err != nil || got.Status != bot.RockDropped {
		t.Errorf("a rock after a refused weekly report: %+v, %v; want it dropped", got, err)
	}
	// Not applied, the same report is only the client's words.
	must(t, "SaveWeeklyReport not applied", s.SaveWeeklyReport(ctx, w, 0))
	// Finishing one rock and reviving another in one report is fine.
	w.Rocks = append(w.Rocks, bot.RockUpdate{RockID: rocks[3].ID, Status: bot.RockDone, Progress: 100})
	must(t, "SaveWeeklyReport trading a rock for another", s.SaveWeeklyReport(ctx, w, f.Client.ID))

	// Another engagement counts its own.
	_, e2 := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	newRock(t, s, e2.ID, f.Coach.ID, "theirs", at(0))
}

// testRockLimitCycle: a cycle keeps at most MaxRocksPerCycle rocks,
// dropped ones included; rocks of earlier cycles do not count.
func testRockLimitCycle(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	// The fixture's cycle started on day(-10); these are from before it.
	before := f.Eng.Start.AddDays(-2).UTC()
	for i := range 3 {
		r := &bot.Rock{EngagementID: f.Eng.ID, Title: "last cycle", Status: bot.RockDropped, CreatedAt: before.Add(time.Duration(i) * time.Second)}
		must(t, "create an earlier cycle's rock", s.CreateRock(ctx, r, f.Client.ID, ""))
	}
	// The first local day of the cycle, in a zone ahead of UTC, is still
	// the day before in UTC: it counts.
	first := f.Eng.Start.AddDays(-1).UTC().Add(12 * time.Hour)
	for i := range bot.MaxRocksPerCycle {
		r := &bot.Rock{EngagementID: f.Eng.ID, Title: "churn", Status: bot.RockDropped, CreatedAt: first.Add(time.Duration(i) * time.Second)}
		must(t, "create a dropped rock", s.CreateRock(ctx, r, f.Client.ID, ""))
	}
	r := &bot.Rock{EngagementID: f.Eng.ID, Title: "one too many", Status: bot.RockOnTrack, CreatedAt: at(0)}
	wantCode(t, "CreateRock beyond MaxRocksPerCycle", s.CreateRock(ctx, r, f.Client.ID, ""), bot.ECONFLICT)
	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	if want := 3 + bot.MaxRocksPerCycle; len(rocks) != want {
		t.Errorf("Rocks: %d, want %d", len(rocks), want)
	}

	// The next cycle starts afresh, from its first hour in the earliest
	// zone (UTC+14), without anything having to run at the rollover.
	r.CreatedAt = f.Eng.CycleN(2).Start.UTC().Add(-14 * time.Hour)
	must(t, "CreateRock in the next cycle", s.CreateRock(ctx, r, f.Client.ID, ""))
}

// testRockTextLimits: titles, "done when" and notes over their limits, or
// holding NUL or invalid UTF-8, are EINVALID and store nothing.
func testRockTextLimits(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	good := newRock(t, s, f.Eng.ID, f.Client.ID, "good", at(0))
	for _, c := range []struct {
		name            string
		title, doneWhen string
		note            string
	}{
		{"a title over MaxRockTitleLen", strings.Repeat("é", bot.MaxRockTitleLen+1), "", ""},
		{"a done-when over MaxDoneWhenLen", "t", strings.Repeat("x", bot.MaxDoneWhenLen+1), ""},
		{"a note over MaxAnswerLen", "t", "", strings.Repeat("n", bot.MaxAnswerLen+1)},
		{"a title with NUL", "ship\x00it", "", ""},
		{"a done-when with invalid UTF-8", "t", "done \xff\xfe", ""},
		{"a note with NUL", "t", "", "note\x00"},
	} {
		r := &bot.Rock{EngagementID: f.Eng.ID, Title: c.title, DoneWhen: c.doneWhen, Status: bot.RockOnTrack, CreatedAt: at(time.Hour)}
		wantCode(t, "CreateRock with "+c.name, s.CreateRock(ctx, r, f.Client.ID, c.note), bot.EINVALID)
		u := *good
		u.Title, u.DoneWhen, u.UpdatedAt = c.title, c.doneWhen, at(time.Hour)
		wantCode(t, "UpdateRock with "+c.name, s.UpdateRock(ctx, &u, f.Client.ID, c.note), bot.EINVALID)
	}
	// Exactly at the limits is fine.
	r := &bot.Rock{EngagementID: f.Eng.ID, Title: strings.Repeat("é", bot.MaxRockTitleLen), DoneWhen: strings.Repeat("x", bot.MaxDoneWhenLen),
		Status: bot.RockOnTrack, CreatedAt: at(2 * time.Hour)}
	must(t, "CreateRock at the limits", s.CreateRock(ctx, r, f.Client.ID, strings.Repeat("n", bot.MaxAnswerLen)))

	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	if len(rocks) != 2 || rocks[0].Title != "good" {
		t.Errorf("Rocks after refused changes: %s, want the good rock and the one at the limits", show(rocks))
	}
	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	if len(hist) != 2 {
		t.Errorf("RockHistory after refused changes: %d entries, want 2", len(hist))
	}
}

// testTextLimits: the inputs of the security review — a 100 KB user id, a
// 500,000-character digest channel, NUL bytes and invalid UTF-8 in
// answers — are EINVALID on every store (never an internal error), and
// nothing of them is stored.
func testTextLimits(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	r := newRock(t, s, f.Eng.ID, f.Client.ID, "rock", at(0))
	hugeID := strings.Repeat("U", 100<<10)
	hugeChannel := strings.Repeat("c", 500_000)
	overAnswer := strings.Repeat("ü", bot.MaxAnswerLen+1)

	checkIn := func(moved, stuck string) *bot.CheckIn {
		return &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(0), Moved: moved, Priority: "p", Stuck: stuck, Energy: 3,
			Status: bot.AnswerComplete, SubmittedAt: at(0), UpdatedAt: at(0)}
	}
	weekly := func(win, note string) *bot.WeeklyReport {
		return &bot.WeeklyReport{EngagementID: f.Eng.ID, Week: week(0), Win: win, Status: bot.AnswerComplete,
			Rocks:       []bot.RockUpdate{{RockID: r.ID, Status: bot.RockDone, Progress: 100, Note: note}},
			SubmittedAt: at(0), UpdatedAt: at(0)}
	}
	withChannel := *f.Coach
	withChannel.DigestChannel, withChannel.UpdatedAt = hugeChannel, at(time.Hour)
	withNULName := *f.Coach
	withNULName.DisplayName, withNULName.UpdatedAt = "Co\x00ach", at(time.Hour)

	for _, c := range []struct {
		name string
		call func() error
	}{
		{"UpsertInstallation with a 100 KB id", func() error {
			return s.UpsertInstallation(ctx, &bot.Installation{Platform: bot.PlatformSlack, ExternalID: hugeID, Status: bot.InstallationActive, CreatedAt: at(0)})
		}},
		{"UpsertInstallation with a NUL in the name", func() error {
			return s.UpsertInstallation(ctx, &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T2", Name: "a\x00b", Status: bot.InstallationActive, CreatedAt: at(0)})
		}},
		{"InstallationByExternalID with a 100 KB id", func() error {
			_, err := s.InstallationByExternalID(ctx, bot.PlatformSlack, hugeID)
			return err
		}},
		{"EnsurePerson with a 100 KB user id", func() error { return s.EnsurePerson(ctx, person(f.Inst.ID, hugeID, false)) }},
		{"EnsurePerson with invalid UTF-8 in the name", func() error {
			p := person(f.Inst.ID, "UNEW", false)
			p.DisplayName = "Ana \xc3\x28"
			return s.EnsurePerson(ctx, p)
		}},
		{"PersonByExternalID with a 100 KB user id", func() error {
			_, err := s.PersonByExternalID(ctx, f.Inst.ID, hugeID)
			return err
		}},
		{"UpdatePerson with a 500,000-character digest channel", func() error { return s.UpdatePerson(ctx, &withChannel) }},
		{"UpdatePerson with a NUL in the name", func() error { return s.UpdatePerson(ctx, &withNULName) }},
		{"SaveCheckIn with a NUL in an answer", func() error { return s.SaveCheckIn(ctx, checkIn("shipped\x00it", "")) }},
		{"SaveCheckIn with invalid UTF-8 in an answer", func() error { return s.SaveCheckIn(ctx, checkIn("shipped", "legal \xff")) }},
		{"SaveCheckIn with an answer over MaxAnswerLen", func() error { return s.SaveCheckIn(ctx, checkIn(overAnswer, "")) }},
		{"SaveWeeklyReport with a NUL in a rock note", func() error { return s.SaveWeeklyReport(ctx, weekly("win", "n\x00"), f.Client.ID) }},
		{"SaveWeeklyReport with invalid UTF-8 in the win", func() error { return s.SaveWeeklyReport(ctx, weekly("\xfe", ""), f.Client.ID) }},
		{"CreateSession with a NUL in the notes", func() error {
			return s.CreateSession(ctx, &bot.Session{EngagementID: f.Eng.ID, Day: day(0), Notes: "\x00", CreatedAt: at(0)})
		}},
		{"CreateDigest with a 500,000-character channel", func() error {
			return s.CreateDigest(ctx, &bot.Digest{CoachID: f.Coach.ID, Week: week(0), Channel: hugeChannel, Summary: "s", PostedAt: at(0)})
		}},
		{"CreateDigest with invalid UTF-8 in the summary", func() error {
			return s.CreateDigest(ctx, &bot.Digest{CoachID: f.Coach.ID, Week: week(0), Summary: "\xff", PostedAt: at(0)})
		}},
		{"PutAddress with a 100 KB key", func() error {
			return s.PutAddress(ctx, &bot.Address{InstallationID: f.Inst.ID, Key: bot.PersonAddressKey(hugeID), Data: []byte("{}")})
		}},
		{"Address with a 100 KB key", func() error {
			_, err := s.Address(ctx, f.Inst.ID, bot.PersonAddressKey(hugeID))
			return err
		}},
	} {
		wantCode(t, c.name, c.call(), bot.EINVALID)
	}

	// Nothing of them is stored.
	_, err := s.InstallationByExternalID(ctx, bot.PlatformSlack, "T2")
	wantCode(t, "InstallationByExternalID of a refused installation", err, bot.ENOTFOUND)
	_, err = s.PersonByExternalID(ctx, f.Inst.ID, "UNEW")
	wantCode(t, "PersonByExternalID of a refused person", err, bot.ENOTFOUND)
	coach, err := s.Person(ctx, f.Coach.ID)
	must(t, "Person", err)
	same(t, "a person after refused updates", coach, f.Coach)
	_, err = s.CheckIn(ctx, f.Eng.ID, day(0))
	wantCode(t, "CheckIn after refused saves", err, bot.ENOTFOUND)
	_, err = s.WeeklyReport(ctx, f.Eng.ID, week(0))
	wantCode(t, "WeeklyReport after refused saves", err, bot.ENOTFOUND)
	got, err := s.Rock(ctx, r.ID)
	must(t, "Rock", err)
	same(t, "a rock after a refused weekly report that would apply to it", got, r)
	sessions, err := s.Sessions(ctx, f.Eng.ID)
	wantNone(t, "Sessions after a refused one", sessions, err)
	_, err = s.LatestDigest(ctx, f.Coach.ID)
	wantCode(t, "LatestDigest after refused ones", err, bot.ENOTFOUND)

	// The limits themselves are allowed.
	p := person(f.Inst.ID, strings.Repeat("U", bot.MaxIDLen), false)
	p.DisplayName = strings.Repeat("名", bot.MaxNameLen)
	must(t, "EnsurePerson at the limits", s.EnsurePerson(ctx, p))
	must(t, "SaveCheckIn at the limit", s.SaveCheckIn(ctx, checkIn(strings.Repeat("ü", bot.MaxAnswerLen), "")))
}
