package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testCreateRock(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, other := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)

	// The Position given is ignored: the first rock is 1.
	r1 := &bot.Rock{EngagementID: f.Eng.ID, Position: 7, Title: "Ship v2", DoneWhen: "v2 live for 100 customers",
		Due: bot.Date{Year: 2027, Month: 2, Day: 28}, Status: bot.RockOnTrack, Progress: 10, CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, "create rock", s.CreateRock(ctx, r1, f.Coach.ID, "set at kickoff"))
	if r1.ID == 0 {
		t.Fatal("CreateRock did not fill ID")
	}
	if r1.Position != 1 {
		t.Errorf("CreateRock filled Position %d, want 1", r1.Position)
	}
	want1 := &bot.Rock{ID: r1.ID, EngagementID: f.Eng.ID, Position: 1, Title: "Ship v2", DoneWhen: "v2 live for 100 customers",
		Due: bot.Date{Year: 2027, Month: 2, Day: 28}, Status: bot.RockOnTrack, Progress: 10, CreatedAt: at(0), UpdatedAt: at(0)}
	got, err := s.Rock(ctx, r1.ID)
	must(t, "Rock", err)
	same(t, "Rock", got, want1)

	// No due date, another status; then a third.
	r2 := &bot.Rock{EngagementID: f.Eng.ID, Title: "Hire a CTO", DoneWhen: "offer signed", Status: bot.RockOffTrack,
		CreatedAt: at(time.Minute), UpdatedAt: at(2 * time.Minute)}
	must(t, "create rock", s.CreateRock(ctx, r2, f.Client.ID, ""))
	want2 := &bot.Rock{ID: r2.ID, EngagementID: f.Eng.ID, Position: 2, Title: "Hire a CTO", DoneWhen: "offer signed",
		Status: bot.RockOffTrack, CreatedAt: at(time.Minute), UpdatedAt: at(2 * time.Minute)}
	o1 := newRock(t, s, other.ID, f.Coach.ID, "Other's first", at(3*time.Minute))
	r3 := newRock(t, s, f.Eng.ID, f.Coach.ID, "Run a marathon", at(4*time.Minute))
	o2 := newRock(t, s, other.ID, f.Coach.ID, "Other's second", at(5*time.Minute))

	rocks, err := s.Rocks(ctx, f.Eng.ID)
	must(t, "Rocks", err)
	want3 := *r3
	want3.Position = 3
	same(t, "Rocks", rocks, []*bot.Rock{want1, want2, &want3})
	// Positions count per engagement.
	rocks, err = s.Rocks(ctx, other.ID)
	must(t, "Rocks", err)
	if len(rocks) != 2 || rocks[0].ID != o1.ID || rocks[0].Position != 1 || rocks[1].ID != o2.ID || rocks[1].Position != 2 {
		t.Errorf("Rocks of a second engagement: %s, want rocks %d and %d at positions 1 and 2", show(rocks), o1.ID, o2.ID)
	}
	_, none := newClient(t, s, f, "UCLIENT3", bot.EngagementActive)
	rocks, err = s.Rocks(ctx, none.ID)
	must(t, "Rocks", err)
	same(t, "Rocks of an engagement without rocks", rocks, nil)

	// Each creation is the rock's first history entry.
	hist, err := s.RockHistory(ctx, f.Eng.ID, time.Time{})
	must(t, "RockHistory", err)
	sameHistory(t, "RockHistory after CreateRock", hist, []*bot.RockChange{
		change(want1, f.Coach.ID, at(0), "set at kickoff"),
		change(want2, f.Client.ID, at(time.Minute), ""),
		change(&want3, f.Coach.ID, at(4*time.Minute), "created Run a marathon"),
	})
}

func testUpdateRock(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	r := newRock(t, s, f.Eng.ID, f.Coach.ID, "Ship v2", at(0))
	other := newRock(t, s, f.Eng.ID, f.Coach.ID, "Hire", at(0))
	want := *r

	u := *r
	u.Position, u.CreatedAt = 9, at(99*time.Hour) // not stored
	u.Title, u.DoneWhen, u.Due, u.Status, u.Progress, u.UpdatedAt = "Ship v2.1", "v2.1 live", bot.Date{}, bot.RockDone, 100, at(3*time.Hour)
	must(t, "update rock", s.UpdateRock(ctx, &u, f.Client.ID, "shipped"))
	want.Title, want.DoneWhen, want.Due, want.Status, want.Progress, want.UpdatedAt = "Ship v2.1", "v2.1 live", bot.Date{}, bot.RockDone, 100, at(3*time.Hour)
	got, err := s.Rock(ctx, r.ID)
	must(t, "Rock", err)
	same(t, "Rock after UpdateRock", got, &want)

	u = want
	u.Status, u.Progress, u.Due, u.UpdatedAt = bot.RockOffTrack, 60, day(30), at(4*time.Hour)
	must(t, "update rock again", s.UpdateRock(ctx, &u, f.Coach.ID, ""))
	got, err = s.Rock(ctx, r.ID)
	must(t, "Rock", err)
	same(t, "Rock after a second UpdateRock", got, &u)
	got, err = s.Rock(ctx, other.ID)
	must(t, "Rock", err)
	same(t, "another rock", got, other)

	hist, err := s.RockHistory(ctx, f.Eng.ID, at(time.Second))
	must(t, "RockHistory", err)
	sameHistory(t, "RockHistory after UpdateRock", hist, []*bot.RockChange{
		change(&want, f.Client.ID, at(3*time.Hour), "shipped"),
		change(&u, f.Coach.ID, at(4*time.Hour), ""),
	})
}

func testRockHistory(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	update := func(r *bot.Rock, by int64, when time.Time, progress int, note string) *bot.RockChange {
		t.Helper()
		r.Progress, r.UpdatedAt = progress, when
		must(t, "update rock", s.UpdateRock(ctx, r, by, note))
		return change(r, by, when, note)
	}

	// a and b are created at the same instant: ties go by ID.
	a := newRock(t, s, f.Eng.ID, f.Coach.ID, "A", at(0))
	b := newRock(t, s, f.Eng.ID, f.Coach.ID, "B", at(0))
	aCreated, bCreated := change(a, f.Coach.ID, at(0), "created A"), change(b, f.Coach.ID, at(0), "created B")
	o := newRock(t, s, otherEng.ID, f.Coach.ID, "O", at(time.Hour))
	a2 := update(a, f.Client.ID, at(2*time.Hour), 50, "a half")
	b1 := update(b, f.Client.ID, at(time.Hour), 20, "")
	a3 := update(a, f.Coach.ID, at(3*time.Hour), 70, "nearly")

	for _, c := range []struct {
		name  string
		since time.Time
		want  []*bot.RockChange
	}{
		{"zero since", time.Time{}, []*bot.RockChange{aCreated, bCreated, b1, a2, a3}},
		{"since the first instant", at(0), []*bot.RockChange{aCreated, bCreated, b1, a2, a3}},
		{"since an entry's instant", at(time.Hour), []*bot.RockChange{b1, a2, a3}},
		{"since an entry's instant, in another zone", at(time.Hour).In(time.FixedZone("UTC-8", -8*60*60)), []*bot.RockChange{b1, a2, a3}},
		{"since a microsecond after an entry", at(time.Hour + time.Microsecond), []*bot.RockChange{a2, a3}},
		{"since after the last entry", at(4 * time.Hour), nil},
	} {
		got, err := s.RockHistory(ctx, f.Eng.ID, c.since)
		must(t, "RockHistory "+c.name, err)
		sameHistory(t, "RockHistory "+c.name, got, slices.Clone(c.want))
	}
	got, err := s.RockHistory(ctx, otherEng.ID, time.Time{})
	must(t, "RockHistory", err)
	sameHistory(t, "RockHistory of another engagement", got, []*bot.RockChange{change(o, f.Coach.ID, at(time.Hour), "created O")})
	if got, err := s.RockHistory(ctx, f.Eng.ID, time.Time{}); err == nil && len(got) == 5 && got[0].ID > got[1].ID {
		t.Errorf("RockHistory: entries at the same instant not by ID: %d before %d", got[0].ID, got[1].ID)
	}
}
