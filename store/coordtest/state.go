package coordtest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testStateSetGet(t *testing.T, c Coord) {
	ctx := t.Context()
	if v := get(t, c.State, "conv:1"); v != "" {
		t.Fatalf("Get of a missing key = %q, want \"\"", v)
	}
	set(t, c.State, "conv:1", "daily:1:2026-11-25", time.Minute)
	set(t, c.State, "conv:2", "weekly:2:2026-11-23", time.Minute)
	if v := get(t, c.State, "conv:1"); v != "daily:1:2026-11-25" {
		t.Fatalf("Get = %q, want the value set", v)
	}
	set(t, c.State, "conv:1", "weekly:1:2026-11-23", time.Minute)
	if v := get(t, c.State, "conv:1"); v != "weekly:1:2026-11-23" {
		t.Fatalf("Get after a second Set = %q, want the new value", v)
	}
	if v := get(t, c.State, "conv:2"); v != "weekly:2:2026-11-23" {
		t.Fatalf("another key = %q, want its own value", v)
	}
	if err := c.State.Set(ctx, "conv:3", "", time.Minute); err != nil {
		t.Fatalf("Set of an empty value: %v", err)
	}
	if v := get(t, c.State, "conv:3"); v != "" {
		t.Fatalf("empty value read back as %q", v)
	}
}

func testStateExpires(t *testing.T, c Coord) {
	tl := newTimeline(c)
	set(t, c.State, "conv:1", "daily:1:2026-11-25", ttl)
	set(t, c.State, "conv:long", "kept", time.Hour)
	if v := get(t, c.State, "conv:1"); v != "daily:1:2026-11-25" {
		t.Fatalf("Get right after Set = %q", v)
	}
	tl.awaitExpiry(t, ttl, func() bool { return get(t, c.State, "conv:1") == "" })
	if v := get(t, c.State, "conv:long"); v != "kept" {
		t.Fatalf("a key with a longer TTL = %q, want it kept", v)
	}
	// A new Set after expiry starts a fresh lifetime.
	set(t, c.State, "conv:1", "daily:1:2026-11-26", ttl)
	if v := get(t, c.State, "conv:1"); v != "daily:1:2026-11-26" {
		t.Fatalf("Get after re-Set = %q", v)
	}
}

func testStateDelete(t *testing.T, c Coord) {
	ctx := t.Context()
	set(t, c.State, "conv:1", "daily:1:2026-11-25", time.Minute)
	set(t, c.State, "conv:2", "weekly:2:2026-11-23", time.Minute)
	if err := c.State.Delete(ctx, "conv:1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if v := get(t, c.State, "conv:1"); v != "" {
		t.Fatalf("Get after Delete = %q", v)
	}
	if v := get(t, c.State, "conv:2"); v != "weekly:2:2026-11-23" {
		t.Fatalf("Delete removed another key: %q", v)
	}
	if err := c.State.Delete(ctx, "never-set"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func testDedupFirstThenDuplicate(t *testing.T, c Coord) {
	if seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("first Seen = true, want false")
	}
	if !seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("second Seen = false, want true")
	}
	if !seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("third Seen = false, want true")
	}
	if seen(t, c.Deduper, "Ev2", time.Minute) {
		t.Fatal("another key's first Seen = true, want false")
	}
}

func testDedupExpires(t *testing.T, c Coord) {
	tl := newTimeline(c)
	if seen(t, c.Deduper, "Ev1", ttl) {
		t.Fatal("first Seen = true, want false")
	}
	// Duplicates (the retries) must not extend the record: once ttl has
	// passed since the first Seen, the key is new again.
	if !seen(t, c.Deduper, "Ev1", ttl) {
		t.Fatal("second Seen = false, want true")
	}
	tl.awaitExpiry(t, ttl, func() bool { return !seen(t, c.Deduper, "Ev1", ttl) })
	if !seen(t, c.Deduper, "Ev1", ttl) {
		t.Fatal("Seen right after the key was recorded again = false, want true")
	}
}

func testDedupConcurrent(t *testing.T, c Coord) {
	const n = 50
	var fresh, errs atomic.Int32
	release(n, func(int) {
		dup, err := c.Deduper.Seen(t.Context(), "Ev1", time.Minute)
		switch {
		case err != nil:
			t.Errorf("Seen: %v", err)
			errs.Add(1)
		case !dup:
			fresh.Add(1)
		}
	})
	if errs.Load() == 0 && fresh.Load() != 1 {
		t.Fatalf("%d concurrent Seen on one key: %d got false, want exactly 1", n, fresh.Load())
	}
}

func testDedupInvalid(t *testing.T, c Coord) {
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := c.Deduper.Seen(t.Context(), "Ev1", d); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("Seen with ttl %v: err = %v, want code %s", d, err, bot.EINVALID)
		}
	}
	if seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("a refused Seen recorded the key")
	}
}

func get(t testing.TB, s bot.ConversationState, key string) string {
	t.Helper()
	v, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	return v
}

func set(t testing.TB, s bot.ConversationState, key, value string, ttl time.Duration) {
	t.Helper()
	if err := s.Set(context.Background(), key, value, ttl); err != nil {
		t.Fatalf("Set %s: %v", key, err)
	}
}

func seen(t testing.TB, d bot.Deduper, key string, ttl time.Duration) bool {
	t.Helper()
	dup, err := d.Seen(context.Background(), key, ttl)
	if err != nil {
		t.Fatalf("Seen %s: %v", key, err)
	}
	return dup
}
