package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// TestMigrationsDownAndUp checks every migration's Down undoes its Up:
// after each Up then Down the schema is the one before the Up, and after
// migrating all the way down and up again it is the one first migrated.
// A missing or wrong Down leaves a table, column, constraint or index
// behind (or takes one away) and fails here.
func TestMigrationsDownAndUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := postgres.Open(ctx, pgtest.URL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sqlDB := stdlib.OpenDBFromPool(db.Pool())
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	schema := func() []string {
		t.Helper()
		s, err := pgSchema(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	empty := schema()
	for _, src := range p.ListSources() {
		before := schema()
		if _, err := p.UpByOne(ctx); err != nil {
			t.Fatalf("up to %d: %v", src.Version, err)
		}
		up := schema()
		if cmp.Equal(up, before) {
			t.Errorf("migration %d changes no schema object", src.Version)
		}
		if _, err := p.Down(ctx); err != nil {
			t.Fatalf("down from %d: %v", src.Version, err)
		}
		if d := cmp.Diff(before, schema()); d != "" {
			t.Errorf("migration %d's Down does not undo its Up (-before +after down):\n%s", src.Version, d)
		}
		if _, err := p.UpByOne(ctx); err != nil {
			t.Fatalf("up to %d again: %v", src.Version, err)
		}
	}
	top := schema()
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if d := cmp.Diff(empty, schema()); d != "" {
		t.Errorf("all the way down leaves (-empty +after):\n%s", d)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if d := cmp.Diff(top, schema()); d != "" {
		t.Errorf("down and up again changes the schema (-first +again):\n%s", d)
	}
}

// pgSchema describes every object of the current schema but goose's own
// table, one sorted line each: columns, constraints, indexes and
// sequences, as the catalog spells them.
func pgSchema(ctx context.Context, db *postgres.DB) ([]string, error) {
	rows, _ := db.Pool().Query(ctx, `
		SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
			|| ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
		UNION ALL
		SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		WHERE c.connamespace = current_schema()::regnamespace AND c.conrelid::regclass::text <> 'goose_db_version'
		UNION ALL
		SELECT 'index ' || indexdef
		FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename <> 'goose_db_version'
		UNION ALL
		SELECT 'sequence ' || sequence_name
		FROM information_schema.sequences
		WHERE sequence_schema = current_schema() AND sequence_name NOT LIKE 'goose_db_version%'
		ORDER BY 1`)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
