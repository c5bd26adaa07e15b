package redis_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/store/coordtest"
	"github.com/smart90/smart90/store/redis"
	"github.com/smart90/smart90/store/redis/redistest"
)

func TestCoord(t *testing.T) {
	t.Parallel()
	coordtest.Run(t, func(t testing.TB) coordtest.Coord {
		c := redistest.New(t)
		return coordtest.Coord{State: c, Deduper: c, Limiter: c}
	})
}

func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	if _, err := redis.Open(t.Context(), "http://127.0.0.1:6379"); err == nil {
		t.Fatal("Open of a non-Redis URL succeeded")
	}
}

// TestKeyPrefix checks that clients with different prefixes share nothing.
func TestKeyPrefix(t *testing.T) {
	t.Parallel()
	a, b := redistest.New(t), redistest.New(t)
	ctx := t.Context()
	if err := a.Set(ctx, "conv:1", "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "conv:1"); err != nil || v != "" {
		t.Fatalf("other prefix Get = %q, %v; want \"\"", v, err)
	}
	if dup, err := a.Seen(ctx, "Ev1", time.Minute); err != nil || dup {
		t.Fatalf("Seen = %v, %v", dup, err)
	}
	if dup, err := b.Seen(ctx, "Ev1", time.Minute); err != nil || dup {
		t.Fatalf("other prefix Seen = %v, %v; want false", dup, err)
	}
	if err := a.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
