package redis_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/store/coordtest"
	"github.com/smart90/smart90/store/redis"
)

// defaultURL is the test server used when SMART90_TEST_REDIS_URL is unset.
const defaultURL = "redis://127.0.0.1:6379/0"

func TestCoord(t *testing.T) {
	t.Parallel()
	coordtest.Run(t, func(t testing.TB) coordtest.Coord {
		c := open(t)
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
	a, b := open(t), open(t)
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

// open returns a Client under a fresh random key prefix; t.Cleanup deletes
// every key under it and closes the client. Without a reachable server the
// test is skipped, except in CI (CI=true), where it fails: a CI run that
// silently skipped Redis would prove nothing.
func open(t testing.TB) *redis.Client {
	t.Helper()
	url := cmp.Or(os.Getenv("SMART90_TEST_REDIS_URL"), defaultURL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	prefix := "smart90test:" + randomHex(t, 8) + ":"
	c, err := redis.Open(ctx, url, redis.WithKeyPrefix(prefix))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is required in CI: %v", err)
		}
		t.Skipf("skipping: Redis is not reachable at %s (set SMART90_TEST_REDIS_URL): %v", url, err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close client: %v", err)
		}
		deletePrefix(t, url, prefix)
	})
	return c
}

// deletePrefix deletes every key under prefix (SCAN, then DEL in batches).
func deletePrefix(t testing.TB, url, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o, err := goredis.ParseURL(url)
	if err != nil {
		t.Errorf("clean up %s: %v", prefix, err)
		return
	}
	rdb := goredis.NewClient(o)
	defer rdb.Close()
	// The prefix is hex and colons, so it needs no glob escaping.
	iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 100 {
			if err := rdb.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("clean up %s: %v", prefix, err)
				return
			}
			keys = keys[:0]
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("clean up %s: %v", prefix, err)
		return
	}
	if len(keys) > 0 {
		if err := rdb.Del(ctx, keys...).Err(); err != nil {
			t.Errorf("clean up %s: %v", prefix, err)
		}
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
