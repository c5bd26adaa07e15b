package postgres_test

// These tests cover what only PostgreSQL has: migrations, schemas, and
// row locks between replicas (pools) sharing one database. The behaviour
// every store shares, replicas' included, is checked by store/storetest,
// run in postgres_test.go.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/storetest"
)

func TestMigrateTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	var versions int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("list migrations: %v, %d files", err, len(files))
	}
	if versions != len(files) {
		t.Errorf("goose_db_version has %d applied versions, want one per migration (%d)", versions, len(files))
	}
}

// TestConcurrentMigrateAppliesEachOnce: replicas starting together on an
// empty database (as a Deployment's pods do) all migrate without error,
// and each migration is applied once: the advisory lock lets one replica
// migrate while the others wait, then find nothing left to do.
//
// To make the replicas meet, a transaction holds goose's version table
// until every replica is waiting to read it, or until the one that waits
// there holds the advisory lock (the others then wait for that lock).
// Without the lock all of them read "nothing applied" and collide on the
// first migration.
func TestConcurrentMigrateAppliesEachOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	u := pgtest.URL(t)
	const n = 4
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		db, err := postgres.Open(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	sqlDB := stdlib.OpenDBFromPool(dbs[0].Pool())
	defer sqlDB.Close()
	versions, err := database.NewStore(database.DialectPostgres, "goose_db_version")
	if err != nil {
		t.Fatal(err)
	}
	if err := versions.CreateVersionTable(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	if err := versions.Insert(ctx, sqlDB, database.InsertRequest{Version: 0}); err != nil {
		t.Fatal(err)
	}

	blocker, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Close(context.Background())
	tx, err := blocker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE goose_db_version IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for _, db := range dbs {
		go func() { errs <- db.Migrate(ctx) }()
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var waiting, holding int
		err := tx.QueryRow(ctx, `
			SELECT count(*), count(*) FILTER (WHERE EXISTS (
				SELECT 1 FROM pg_locks a WHERE a.pid = w.pid AND a.locktype = 'advisory' AND a.granted))
			FROM pg_locks w
			WHERE w.relation = 'goose_db_version'::regclass AND NOT w.granted`).Scan(&waiting, &holding)
		if err != nil {
			t.Fatal(err)
		}
		if waiting == n || holding > 0 {
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("replicas waiting on the version table: %d of %d, none holding the advisory lock: %v", waiting, n, ctx.Err())
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := <-errs; err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}

	var applied, distinct int
	err = dbs[0].Pool().QueryRow(ctx,
		`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("list migrations: %v, %d files", err, len(files))
	}
	if applied != len(files) || distinct != len(files) {
		t.Errorf("goose_db_version records %d applications of %d versions; want each of the %d migrations once", applied, distinct, len(files))
	}
}

func TestCleanupDropsSchema(t *testing.T) {
	t.Parallel()
	var schema string
	t.Run("use", func(t *testing.T) {
		db := pgtest.New(t)
		if err := db.Pool().QueryRow(t.Context(), `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
	})
	if schema == "" || schema == "public" {
		t.Fatalf("pgtest used schema %q, want a schema of its own", schema)
	}
	db := pgtest.New(t)
	var exists bool
	err := db.Pool().QueryRow(t.Context(),
		`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("schema %s still exists after its test ended", schema)
	}
}

func seedClient(t *testing.T, db *postgres.DB) *bot.Person {
	t.Helper()
	ctx := t.Context()
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local", Status: bot.InstallationActive}
	if err := db.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	p := &bot.Person{InstallationID: inst.ID, ExternalID: "ana", DisplayName: "Ana"}
	if err := db.EnsurePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMigrationSeedsSchedules migrates a database that has people and
// engagements from before schedules existed: every live engagement's client
// gets daily and weekly schedules pointing at it, every coach a digest
// schedule, all marked at the migration's instant.
func TestMigrationSeedsSchedules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := postgres.Open(ctx, pgtest.URL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sqlDB := stdlib.OpenDBFromPool(db.Pool())
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var ids struct{ coach, active, paused, ended, loner, activeEng, pausedEng int64 }
	err = db.Pool().QueryRow(ctx, `
		WITH i AS (
			INSERT INTO installations (platform, external_id, status, created_at, updated_at)
			VALUES ('slack', 'T1', 'active', now(), now()) RETURNING id),
		p AS (
			INSERT INTO people (installation_id, external_id, is_coach, digest_weekday, digest_time, created_at, updated_at)
			SELECT i.id, x, x = 'coach', 1, 420, now(), now() FROM i, unnest(ARRAY['coach', 'active', 'paused', 'ended', 'loner']) x
			RETURNING id, external_id)
		SELECT (SELECT id FROM p WHERE external_id = 'coach'), (SELECT id FROM p WHERE external_id = 'active'),
			(SELECT id FROM p WHERE external_id = 'paused'), (SELECT id FROM p WHERE external_id = 'ended'),
			(SELECT id FROM p WHERE external_id = 'loner')`).
		Scan(&ids.coach, &ids.active, &ids.paused, &ids.ended, &ids.loner)
	if err != nil {
		t.Fatal(err)
	}
	engagement := func(client int64, status bot.EngagementStatus) int64 {
		t.Helper()
		var id int64
		err := db.Pool().QueryRow(ctx, `
			INSERT INTO engagements (coach_id, client_id, status, checkin_time, workdays, weekly_weekday, weekly_time,
				cycle_days, invited_at, updated_at)
			VALUES ($1, $2, $3, 540, 62, 5, 900, 90, now(), now()) RETURNING id`, ids.coach, client, status).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	ids.activeEng = engagement(ids.active, bot.EngagementActive)
	ids.pausedEng = engagement(ids.paused, bot.EngagementPaused)
	engagement(ids.ended, bot.EngagementEnded)

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
	check(ids.coach, map[bot.DeliveryKind]int64{bot.DeliveryDigest: 0})
	check(ids.active, map[bot.DeliveryKind]int64{bot.DeliveryDaily: ids.activeEng, bot.DeliveryWeekly: ids.activeEng})
	check(ids.paused, map[bot.DeliveryKind]int64{bot.DeliveryDaily: ids.pausedEng, bot.DeliveryWeekly: ids.pausedEng})
	check(ids.ended, nil)
	check(ids.loner, nil)
	if d := time.Since(mark).Abs(); d > time.Hour {
		t.Errorf("seeded schedules are marked at %s, %s from now; want the migration's instant", mark, d)
	}
}

// TestPlanSchedulesHoldsThePerson checks a plan key-share locks the people
// whose schedules it took. Without it, a DeletePerson could lock the person
// while the plan held their schedules, then wait for those schedules (its
// cascade) while the plan waited for the person (its deliveries' foreign
// key): a deadlock that PostgreSQL breaks by failing one of them.
func TestPlanSchedulesHoldsThePerson(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbs := pgtest.Replicas(t, 2)
	client := seedClient(t, dbs[0])
	e := &bot.Engagement{ClientID: client.ID, Status: bot.EngagementActive, CheckinTime: bot.DefaultCheckinTime,
		Workdays: bot.MonToFri, WeeklyWeekday: time.Friday, WeeklyTime: bot.DefaultWeeklyTime, CycleDays: 90,
		UpdatedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	if err := dbs[0].CreateEngagement(ctx, e); err != nil {
		t.Fatal(err)
	}

	deleted := make(chan error, 1)
	n, err := dbs[0].PlanSchedules(ctx, e.UpdatedAt, 10, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		var one int
		err := dbs[1].Pool().QueryRow(ctx, `SELECT 1 FROM people WHERE id = $1 FOR UPDATE NOWAIT`, client.ID).Scan(&one)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55P03" { // lock_not_available
			t.Errorf("locking the person of a schedule being planned: %v, want lock_not_available", err)
		}
		go func() { deleted <- dbs[1].DeletePerson(ctx, client.ID) }()
		var ds []*bot.Delivery
		for _, sc := range scheds {
			sc.NextAt, sc.Period = e.UpdatedAt.Add(24*time.Hour), "2026-11-26"
			ds = append(ds, &bot.Delivery{PersonID: sc.PersonID, EngagementID: sc.EngagementID, Kind: sc.Kind,
				Period: "2026-11-25", DueAt: e.UpdatedAt})
		}
		return ds, nil
	})
	if err != nil || n != 2 {
		t.Fatalf("PlanSchedules while a deletion waits: %d, %v; want 2 and no error", n, err)
	}
	if err := <-deleted; err != nil {
		t.Fatalf("DeletePerson after the plan: %v", err)
	}
	if got, err := dbs[0].Schedules(ctx, client.ID); err != nil || len(got) != 0 {
		t.Errorf("Schedules of the deleted person: %d, %v; want none", len(got), err)
	}
}

// TestWithClock: an instant a caller leaves zero comes from the clock the
// DB was opened with, not from the wall clock.
func TestWithClock(t *testing.T) {
	t.Parallel()
	storetest.ClockIsUsed(t, func(t testing.TB, now func() time.Time) bot.Store {
		db, err := postgres.Open(t.Context(), pgtest.URL(t), nil, postgres.WithClock(now))
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
