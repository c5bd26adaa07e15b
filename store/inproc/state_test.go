package inproc_test

import (
	"context"
	"testing"
	"time"

	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
)

func TestStateExpiresAndDeletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	s := inproc.NewState(c)
	if err := s.Set(ctx, "conv:1", "daily:1:2026-11-25", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx, "conv:1"); v != "daily:1:2026-11-25" {
		t.Fatalf("Get = %q", v)
	}
	if v, _ := s.Get(ctx, "conv:2"); v != "" {
		t.Fatalf("missing key = %q", v)
	}
	c.Advance(59 * time.Minute)
	if v, _ := s.Get(ctx, "conv:1"); v == "" {
		t.Fatal("expired early")
	}
	c.Advance(time.Minute)
	if v, _ := s.Get(ctx, "conv:1"); v != "" {
		t.Fatalf("not expired at its TTL: %q", v)
	}
	_ = s.Set(ctx, "conv:1", "weekly:1:2026-11-23", time.Hour)
	if err := s.Delete(ctx, "conv:1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx, "conv:1"); v != "" {
		t.Fatalf("after Delete = %q", v)
	}
	if err := s.Delete(ctx, "never-set"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}
