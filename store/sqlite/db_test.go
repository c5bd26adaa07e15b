package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/sqlite"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
	"github.com/smart90/smart90/store/storetest"
)

func code(err error) string { return bot.ErrorCode(err) }

func TestOpenCreatesFileAndMigrateTwice(t *testing.T) {
	t.Parallel()
	db, path := sqlitetest.NewFile(t)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A second handle on the same file sees the schema and migrates as a no-op.
	db2, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate from a second handle: %v", err)
	}
}

func TestForeignKeysAreEnforced(t *testing.T) {
	t.Parallel()
	db := sqlitetest.New(t)
	ctx := t.Context()
	// A person in a missing installation breaks a foreign key.
	err := db.EnsurePerson(ctx, &bot.Person{InstallationID: 999, ExternalID: "U1"})
	if code(err) != bot.ENOTFOUND {
		t.Fatalf("EnsurePerson in a missing installation: %v, want not found", err)
	}
	err = db.CreateRock(ctx, &bot.Rock{EngagementID: 999, Title: "x", Status: bot.RockOnTrack}, 0, "")
	if code(err) != bot.ENOTFOUND {
		t.Fatalf("CreateRock in a missing engagement: %v, want not found", err)
	}
}

// fixture is an installation with a coach, a client and their engagement.
type fixture struct {
	db            *sqlite.DB
	coach, client *bot.Person
	eng           *bot.Engagement
}

func setup(t *testing.T) fixture {
	t.Helper()
	db := sqlitetest.New(t)
	ctx := t.Context()
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme", Status: bot.InstallationActive}
	if err := db.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "UC", IsCoach: true, DigestWeekday: time.Monday, DigestTime: bot.DefaultDigestTime}
	client := &bot.Person{InstallationID: inst.ID, ExternalID: "UK", TimeZone: "Europe/London"}
	for _, p := range []*bot.Person{coach, client} {
		if err := db.EnsurePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	eng := &bot.Engagement{CoachID: coach.ID, ClientID: client.ID, Status: bot.EngagementActive,
		CheckinTime: bot.DefaultCheckinTime, Workdays: bot.MonToFri, WeeklyWeekday: time.Friday,
		WeeklyTime: bot.DefaultWeeklyTime, ReminderDelay: bot.DefaultReminderDelay,
		Start: bot.Date{Year: 2026, Month: 11, Day: 23}, CycleDays: 90}
	if err := db.CreateEngagement(ctx, eng); err != nil {
		t.Fatal(err)
	}
	return fixture{db, coach, client, eng}
}

func TestInstantsRoundTripInUTC(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.FixedZone("X", 3600))
	d := &bot.Delivery{PersonID: f.client.ID, EngagementID: f.eng.ID, Kind: bot.DeliveryDaily,
		Period: "2026-03-29", DueAt: at, CreatedAt: at}
	if _, err := f.db.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Delivery(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := at.Round(time.Microsecond).UTC()
	if got.DueAt != want || got.CreatedAt != want || !got.SentAt.IsZero() || !got.LeaseUntil.IsZero() {
		t.Fatalf("got due %v created %v sent %v lease %v, want %v", got.DueAt, got.CreatedAt, got.SentAt, got.LeaseUntil, want)
	}
	if got.State != bot.DeliveryPending {
		t.Fatalf("state %q, want pending", got.State)
	}
	if *got != *d {
		t.Fatalf("stored %+v, filled %+v", got, d)
	}
}

func TestConcurrentDeliveriesAndClaims(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range 40 {
		wg.Go(func() {
			d := &bot.Delivery{PersonID: f.client.ID, EngagementID: f.eng.ID, Kind: bot.DeliveryDaily,
				Period: time.Date(2026, 11, 1+i%20, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
				DueAt:  now.Add(-time.Duration(i%20) * time.Minute), State: bot.DeliveryPending}
			ok, err := f.db.CreateDelivery(ctx, d)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			if ok {
				created++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if created != 20 {
		t.Fatalf("created %d deliveries, want 20", created)
	}
	claimed := map[int64]int{}
	for range 8 {
		wg.Go(func() {
			ds, err := f.db.ClaimDeliveries(ctx, now, time.Minute, 3)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, d := range ds {
				claimed[d.ID]++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(claimed) != 20 {
		t.Fatalf("claimed %d distinct deliveries, want 20", len(claimed))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
	// Leases hold until they expire.
	if ds, _ := f.db.ClaimDeliveries(ctx, now.Add(59*time.Second), time.Minute, 100); len(ds) != 0 {
		t.Fatalf("claimed %d under lease", len(ds))
	}
	ds, err := f.db.ClaimDeliveries(ctx, now.Add(time.Minute), time.Minute, 100)
	if err != nil || len(ds) != 20 || ds[0].Attempts != 2 || ds[0].DueAt.After(ds[1].DueAt) {
		t.Fatalf("after expiry: %d claimed, err %v", len(ds), err)
	}
}

func TestDeletePerson(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := setup(t)
	r := &bot.Rock{EngagementID: f.eng.ID, Title: "Ship", Status: bot.RockOnTrack}
	if err := f.db.CreateRock(ctx, r, f.coach.ID, "first"); err != nil {
		t.Fatal(err)
	}
	r.Progress = 50
	if err := f.db.UpdateRock(ctx, r, f.client.ID, "half"); err != nil {
		t.Fatal(err)
	}
	day := bot.Date{Year: 2026, Month: 11, Day: 24}
	if err := f.db.SaveCheckIn(ctx, &bot.CheckIn{EngagementID: f.eng.ID, Day: day, PriorityRockID: r.ID, Status: bot.AnswerComplete}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveWeeklyReport(ctx, &bot.WeeklyReport{EngagementID: f.eng.ID, Week: day.WeekStart(),
		Rocks: []bot.RockUpdate{{RockID: r.ID, Status: bot.RockOffTrack, Progress: 60, Note: "slow"}}}, f.client.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateSession(ctx, &bot.Session{EngagementID: f.eng.ID, Day: day}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateDigest(ctx, &bot.Digest{CoachID: f.coach.ID, Week: day.WeekStart()}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateDigest(ctx, &bot.Digest{CoachID: f.coach.ID, Week: day.WeekStart()}); code(err) != bot.ECONFLICT {
		t.Fatalf("second digest: %v", err)
	}
	if _, err := f.db.CreateDelivery(ctx, &bot.Delivery{PersonID: f.coach.ID, Kind: bot.DeliveryDigest, Period: "2026-W48", DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateDelivery(ctx, &bot.Delivery{PersonID: f.client.ID, EngagementID: f.eng.ID, Kind: bot.DeliveryDaily, Period: "2026-11-24", DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	hist, err := f.db.RockHistory(ctx, f.eng.ID, time.Time{})
	if err != nil || len(hist) != 3 || hist[2].Status != bot.RockOffTrack || hist[2].Note != "slow" {
		t.Fatalf("history %v %+v", err, hist)
	}

	// The coach goes: the engagement ends and keeps the client's data.
	if err := f.db.DeletePerson(ctx, f.coach.ID); err != nil {
		t.Fatal(err)
	}
	e, err := f.db.Engagement(ctx, f.eng.ID)
	if err != nil || e.CoachID != 0 || e.Status != bot.EngagementEnded || e.EndedAt.IsZero() {
		t.Fatalf("engagement after coach deletion: %v %+v", err, e)
	}
	if ss, _ := f.db.Sessions(ctx, f.eng.ID); len(ss) != 0 {
		t.Fatalf("%d sessions left", len(ss))
	}
	if _, err := f.db.LatestDigest(ctx, f.coach.ID); code(err) != bot.ENOTFOUND {
		t.Fatalf("digest after coach deletion: %v", err)
	}
	hist, _ = f.db.RockHistory(ctx, f.eng.ID, time.Time{})
	if len(hist) != 3 || hist[0].ByPersonID != 0 || hist[1].ByPersonID != f.client.ID {
		t.Fatalf("history after coach deletion: %+v", hist)
	}
	if c, err := f.db.CheckIn(ctx, f.eng.ID, day); err != nil || c.PriorityRockID != r.ID {
		t.Fatalf("check-in after coach deletion: %v %+v", err, c)
	}

	// The client goes: everything under the engagement goes with them.
	if err := f.db.DeletePerson(ctx, f.client.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Engagement(ctx, f.eng.ID); code(err) != bot.ENOTFOUND {
		t.Fatalf("engagement after client deletion: %v", err)
	}
	if _, err := f.db.Rock(ctx, r.ID); code(err) != bot.ENOTFOUND {
		t.Fatalf("rock after client deletion: %v", err)
	}
	if err := f.db.DeletePerson(ctx, f.client.ID); code(err) != bot.ENOTFOUND {
		t.Fatalf("second DeletePerson: %v", err)
	}
}

func TestWeeklyReportRejectsForeignRock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := setup(t)
	err := f.db.SaveWeeklyReport(ctx, &bot.WeeklyReport{EngagementID: f.eng.ID, Week: bot.Date{Year: 2026, Month: 11, Day: 23},
		Rocks: []bot.RockUpdate{{RockID: 12345, Status: bot.RockDone}}}, 0)
	if code(err) != bot.EINVALID {
		t.Fatalf("got %v, want invalid", err)
	}
	if _, err := f.db.WeeklyReport(ctx, f.eng.ID, bot.Date{Year: 2026, Month: 11, Day: 23}); code(err) != bot.ENOTFOUND {
		t.Fatalf("report stored half-way: %v", err)
	}
	second := &bot.Engagement{CoachID: f.coach.ID, ClientID: f.client.ID, Status: bot.EngagementInvited}
	err = f.db.CreateEngagement(ctx, second)
	var be *bot.Error
	if !errors.As(err, &be) || be.Code != bot.ECONFLICT {
		t.Fatalf("second live engagement: %v", err)
	}
	_ = context.Background
}

// TestMigrationSeedsSchedules migrates a database that has people and
// engagements from before schedules existed: every live engagement's client
// gets daily and weekly schedules pointing at it, every coach a digest
// schedule, all marked at the migration's instant.
func TestMigrationSeedsSchedules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "smart90.db")
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	provider, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	insert := func(query string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := raw.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	inst := insert(`INSERT INTO installations (platform, external_id, status, created_at, updated_at) VALUES ('slack', 'T1', 'active', 0, 0)`)
	person := func(externalID string, coach bool) int64 {
		return insert(`INSERT INTO people (installation_id, external_id, is_coach, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`,
			inst, externalID, coach)
	}
	coach, active, paused, ended, loner := person("coach", true), person("active", false), person("paused", false), person("ended", false), person("loner", false)
	engagement := func(client int64, status bot.EngagementStatus) int64 {
		return insert(`INSERT INTO engagements (coach_id, client_id, status, checkin_time, workdays, weekly_weekday,
			weekly_time, reminder_delay, cycle_days, invited_at, updated_at) VALUES (?, ?, ?, 540, 62, 5, 900, 0, 90, 0, 0)`,
			coach, client, status)
	}
	activeEng, pausedEng := engagement(active, bot.EngagementActive), engagement(paused, bot.EngagementPaused)
	engagement(ended, bot.EngagementEnded)
	raw.Close()

	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	var mark time.Time
	check := func(personID int64, want map[bot.DeliveryKind]int64) {
		t.Helper()
		got, err := db.Schedules(ctx, personID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("person %d: %d schedules, want %d", personID, len(got), len(want))
		}
		for _, s := range got {
			engagementID, ok := want[s.Kind]
			if mark.IsZero() {
				mark = s.NextAt
			}
			if !ok || s.EngagementID != engagementID || s.NextAt.IsZero() || !s.NextAt.Equal(mark) ||
				!s.UpdatedAt.Equal(mark) || s.Period != "" || s.Suspended != "" {
				t.Errorf("person %d: seeded schedule %+v; want %v marked at one instant", personID, s, want)
			}
		}
	}
	check(coach, map[bot.DeliveryKind]int64{bot.DeliveryDigest: 0})
	check(active, map[bot.DeliveryKind]int64{bot.DeliveryDaily: activeEng, bot.DeliveryWeekly: activeEng})
	check(paused, map[bot.DeliveryKind]int64{bot.DeliveryDaily: pausedEng, bot.DeliveryWeekly: pausedEng})
	check(ended, nil)
	check(loner, nil)
	if d := time.Since(mark).Abs(); d > time.Hour {
		t.Errorf("seeded schedules are marked at %s, %s from now; want the migration's instant", mark, d)
	}
}

// TestWithClock: an instant a caller leaves zero comes from the clock the
// DB was opened with, not from the wall clock.
func TestWithClock(t *testing.T) {
	t.Parallel()
	storetest.ClockIsUsed(t, func(t testing.TB, now func() time.Time) bot.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "smart90.db"), nil, sqlite.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return db
	})
}
