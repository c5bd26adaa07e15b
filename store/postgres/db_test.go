package postgres_test

// These tests cover what only PostgreSQL has: migrations, schemas, and
// several replicas (pools) sharing one database. The behaviour every store
// shares is checked by store/storetest, run in postgres_test.go.

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
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
	if versions != 1 {
		t.Errorf("goose_db_version has %d applied versions, want 1", versions)
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

// replicas opens n DBs on one fresh schema, migrating them all at once as
// replicas starting together would.
func replicas(t *testing.T, n int) []*postgres.DB {
	t.Helper()
	url := pgtest.URL(t)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		db, err := postgres.Open(t.Context(), url, logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Migrate: %v", i, err)
		}
	}
	return dbs
}

func TestReplicasCreateEachDeliveryOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbs := replicas(t, 3)
	client := seedClient(t, dbs[0])

	const periods = 20
	var mu sync.Mutex
	created := map[string]int{}
	ids := map[string]map[int64]bool{}
	var wg sync.WaitGroup
	for _, db := range dbs {
		for range 2 {
			wg.Go(func() {
				for p := range periods {
					d := &bot.Delivery{PersonID: client.ID, Kind: bot.DeliveryDaily, Period: fmt.Sprintf("p%02d", p),
						DueAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), State: bot.DeliveryPending}
					ok, err := db.CreateDelivery(ctx, d)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if ok {
						created[d.Period]++
					}
					if ids[d.Period] == nil {
						ids[d.Period] = map[int64]bool{}
					}
					ids[d.Period][d.ID] = true
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for p := range periods {
		period := fmt.Sprintf("p%02d", p)
		if created[period] != 1 || len(ids[period]) != 1 {
			t.Errorf("period %s: created %d times, %d distinct IDs; want 1 and 1", period, created[period], len(ids[period]))
		}
	}
}

func TestReplicasNeverClaimTheSameDelivery(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbs := replicas(t, 3)
	client := seedClient(t, dbs[0])

	due := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	const total = 60
	for i := range total {
		d := &bot.Delivery{PersonID: client.ID, Kind: bot.DeliveryDaily, Period: fmt.Sprintf("p%02d", i),
			DueAt: due.Add(time.Duration(i) * time.Second), State: bot.DeliveryPending}
		if _, err := dbs[0].CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}

	now := due.Add(time.Hour)
	var mu sync.Mutex
	claims := map[int64]int{}
	var wg sync.WaitGroup
	for _, db := range dbs {
		for range 3 {
			wg.Go(func() {
				for {
					ds, err := db.ClaimDeliveries(ctx, now, time.Minute, 4)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						claims[d.ID]++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(claims) != total {
		t.Errorf("claimed %d deliveries, want %d", len(claims), total)
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times while its lease held", id, n)
		}
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
