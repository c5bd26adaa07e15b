package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/storetest"
)

// TestMigrationsDownAndUp checks every migration's Down undoes its Up
// (storetest.MigrationsDownAndUp) on this database's schema dump.
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
	storetest.MigrationsDownAndUp(t, p, schema)
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
