package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"
)

// MigrationsDownAndUp checks that every migration p holds undoes its Up
// with its Down: after each Up then Down the schema (as schema describes
// it: tables, columns, constraints, indexes) is the one before the Up,
// and after migrating all the way down and up again it is the one first
// migrated. A missing or wrong Down leaves an object behind, or takes one
// away, and fails here. p starts at version 0.
func MigrationsDownAndUp(t *testing.T, p *goose.Provider, schema func() []string) {
	t.Helper()
	ctx := t.Context()
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
