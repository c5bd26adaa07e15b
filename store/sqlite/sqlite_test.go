package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
	"github.com/smart90/smart90/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) bot.Store {
		return sqlitetest.New(t)
	}, capabilities)
	storetest.RunErasure(t, func(t testing.TB) (bot.Store, storetest.Dump) {
		db, path := sqlitetest.NewFile(t)
		// A second connection to the file reads what the store committed.
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return db, func(ctx context.Context) ([]storetest.Table, error) { return dump(ctx, raw) }
	})
}

// capabilities is what SQLite guarantees beyond the bot.Store contract:
// handles of their own on one file act as replicas sharing a database.
var capabilities = storetest.Capabilities{
	Replicas: func(t testing.TB, n int) []bot.Store {
		var stores []bot.Store
		for _, db := range sqlitetest.Replicas(t, n) {
			stores = append(stores, db)
		}
		return stores
	},
}

// dump lists every table of the database, from sqlite_master.
func dump(ctx context.Context, db *sql.DB) ([]storetest.Table, error) {
	names, err := column(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []storetest.Table
	for _, name := range names {
		tb := storetest.Table{Name: name}
		// foreign_key_list's columns: id, seq, table, from, to, on_update, on_delete, match.
		tb.PersonColumns, err = column(ctx, db, `SELECT "from" FROM pragma_foreign_key_list(?) WHERE "table" = 'people'`, name)
		if err != nil {
			return nil, fmt.Errorf("list foreign keys of %s: %w", name, err)
		}
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`"`)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
			row := map[string]string{}
			for i, c := range cols {
				switch v := vals[i].(type) {
				case nil:
					row[c] = ""
				case []byte:
					row[c] = string(v)
				default:
					row[c] = fmt.Sprint(v)
				}
			}
			tb.Rows = append(tb.Rows, row)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		rows.Close()
		tables = append(tables, tb)
	}
	return tables, nil
}

// column runs a query of one text column.
func column(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
