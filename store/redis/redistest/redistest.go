// Package redistest gives tests a Redis client under a key prefix of their
// own, deleted when the test ends.
package redistest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/store/redis"
)

// DefaultURL is the test server used when SMART90_TEST_REDIS_URL is unset.
const DefaultURL = "redis://127.0.0.1:6379/0"

// New returns a Client under a fresh random key prefix; t.Cleanup deletes
// every key under it and closes the client. Without a reachable server the
// test is skipped, except in CI (CI=true), where it fails: a CI run that
// silently skipped Redis would prove nothing.
func New(t testing.TB) *redis.Client {
	t.Helper()
	url, prefix := Prefix(t)
	return Open(t, url, prefix)
}

// Prefix returns the test server's URL and a fresh random key prefix, for
// tests that open several clients sharing it (replicas); t.Cleanup deletes
// every key under it. It skips or fails as New does.
func Prefix(t testing.TB) (url, prefix string) {
	t.Helper()
	url = cmp.Or(os.Getenv("SMART90_TEST_REDIS_URL"), DefaultURL)
	prefix = "smart90test:" + randomHex(t, 8) + ":"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := redis.Open(ctx, url)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is required in CI: %v", err)
		}
		t.Skipf("skipping: Redis is not reachable at %s (set SMART90_TEST_REDIS_URL): %v", url, err)
	}
	c.Close()
	t.Cleanup(func() { deletePrefix(t, url, prefix) })
	return url, prefix
}

// Open opens a client on url under prefix, closed by t.Cleanup.
func Open(t testing.TB, url, prefix string) *redis.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := redis.Open(ctx, url, redis.WithKeyPrefix(prefix))
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close client: %v", err)
		}
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
