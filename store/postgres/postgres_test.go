package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/storetest"
)

// TestStore runs the store conformance suite, each test on a schema of its
// own.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) bot.Store { return pgtest.New(t) }, capabilities)
	storetest.RunErasure(t, func(t testing.TB) (bot.Store, storetest.Dump) {
		db := pgtest.New(t)
		return db, func(ctx context.Context) ([]storetest.Table, error) { return dump(ctx, db) }
	})
}

// capabilities is what PostgreSQL guarantees beyond the bot.Store
// contract: replicas share one database.
var capabilities = storetest.Capabilities{
	Replicas: func(t testing.TB, n int) []bot.Store {
		var stores []bot.Store
		for _, db := range pgtest.Replicas(t, n) {
			stores = append(stores, db)
		}
		return stores
	},
}

// dump lists every table of the schema the pool uses, from
// information_schema.
func dump(ctx context.Context, db *postgres.DB) ([]storetest.Table, error) {
	rows, _ := db.Pool().Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		ORDER BY table_name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	rows, _ = db.Pool().Query(ctx, `
		SELECT kcu.table_name, kcu.column_name
		FROM information_schema.referential_constraints rc
		JOIN information_schema.key_column_usage kcu
			ON kcu.constraint_schema = rc.constraint_schema AND kcu.constraint_name = rc.constraint_name
		JOIN information_schema.constraint_column_usage ccu
			ON ccu.constraint_schema = rc.unique_constraint_schema AND ccu.constraint_name = rc.unique_constraint_name
		WHERE rc.constraint_schema = current_schema() AND ccu.table_name = 'people'`)
	fks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var fk [2]string
		err := r.Scan(&fk[0], &fk[1])
		return fk, err
	})
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	var tables []storetest.Table
	for _, name := range names {
		tb := storetest.Table{Name: name}
		for _, fk := range fks {
			if fk[0] == name {
				tb.PersonColumns = append(tb.PersonColumns, fk[1])
			}
		}
		rows, err := db.Pool().Query(ctx, `SELECT * FROM `+pgx.Identifier{name}.Sanitize())
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
			row := map[string]string{}
			for i, f := range rows.FieldDescriptions() {
				row[f.Name] = text(vals[i])
			}
			tb.Rows = append(tb.Rows, row)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		tables = append(tables, tb)
	}
	return tables, nil
}

// text is a column's value as the erasure test reads it.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}
