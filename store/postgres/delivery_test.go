package postgres_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// TestClaimTakesExactlyTheBatchAfterAnEmptyTable: a fresh database's
// deliveries table is empty, and analysed so (autovacuum does it). After
// five runs pgx's prepared claim is planned once for all parameters; with
// "WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)" that generic plan
// re-ran the subquery for every row of the table, each run skipping the
// rows the statement had just claimed, and one claim of 100 took all 1,000
// due deliveries: one replica hoarded the work, and a crash froze it for a
// whole lease.
func TestClaimTakesExactlyTheBatchAfterAnEmptyTable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	if _, err := db.Pool().Exec(ctx, `ANALYZE deliveries`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	// Enough runs for each of the pool's connections to plan its prepared
	// statement generically.
	for range 40 {
		ds, err := db.ClaimDeliveries(ctx, now, time.Minute, 100)
		if err != nil || len(ds) != 0 {
			t.Fatalf("claim on an empty table: %d rows, %v", len(ds), err)
		}
	}

	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive, CreatedAt: now}
	if err := db.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	p := &bot.Person{InstallationID: inst.ID, ExternalID: "U1", CreatedAt: now}
	if err := db.EnsurePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	const n, batch = 1000, 100
	// Due in the order they were created, as planning creates them: the
	// order in which the bad plan claimed everything.
	if _, err := db.Pool().Exec(ctx, `
		INSERT INTO deliveries (person_id, kind, period, due_at, state, created_at, updated_at)
		SELECT $1, 'digest', 'P' || i, $2::timestamptz - interval '1 minute' + i * interval '1 millisecond', 'pending', $2, $2
		FROM generate_series(1, $3::int) AS i`, p.ID, now, n); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for i := range n / batch {
		ds, err := db.ClaimDeliveries(ctx, now, time.Minute, batch)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != batch {
			t.Fatalf("claim %d of %d due deliveries with a batch of %d: %d rows", i+1, n, batch, len(ds))
		}
		for _, d := range ds {
			if seen[d.ID] {
				t.Fatalf("delivery %s claimed twice while its lease held", d.Period)
			}
			seen[d.ID] = true
		}
	}
}
