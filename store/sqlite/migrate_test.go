package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"
)

// TestMigrationsDownAndUp checks every migration's Down undoes its Up:
// after each Up then Down the schema is the one before the Up, and after
// migrating all the way down and up again it is the one first migrated.
// A missing or wrong Down leaves a table, column or index behind (or takes
// one away) and fails here.
func TestMigrationsDownAndUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// One connection with foreign keys on, as the store migrates.
	raw, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "smart90.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	schema := func() []string {
		t.Helper()
		s, err := column(ctx, raw, `
			SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master
			WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'goose_db_version'
			ORDER BY type, name`)
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
		if cmp.Equal(schema(), before) {
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
