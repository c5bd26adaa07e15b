package redis_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/coordtest"
	"github.com/smart90/smart90/store/inproc"
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

// TestUnreachableFails: with nothing listening every call fails (and
// returns: the context has no deadline, so only the client's own bounds
// end a call), and New, unlike Open, still gives a client that works once
// Redis is there.
func TestUnreachableFails(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "redis://" + ln.Addr().String() + "/0"
	ln.Close()
	ctx := context.Background()
	if _, err := redis.Open(ctx, url); err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	c, err := redis.New(url)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer c.Close()
	calls := map[string]func() error{
		"Ping":    func() error { return c.Ping(ctx) },
		"Get":     func() error { _, err := c.Get(ctx, "conv:1"); return err },
		"Set":     func() error { return c.Set(ctx, "conv:1", "v", time.Minute) },
		"Delete":  func() error { return c.Delete(ctx, "conv:1") },
		"Seen":    func() error { _, err := c.Seen(ctx, "Ev1", time.Minute); return err },
		"Reserve": func() error { _, err := c.Reserve(ctx, "T1", 10, 1); return err },
		"Pause":   func() error { return c.Pause(ctx, "T1", time.Second) },
	}
	for name, call := range calls {
		if err := returns(t, call); err == nil {
			t.Errorf("%s on a closed port: no error", name)
		} else if !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("%s on a closed port: %v, want connection refused", name, err)
		}
	}
	if _, err := redis.New("http://127.0.0.1:6379"); err == nil {
		t.Error("New of a non-Redis URL succeeded")
	}
}

// TestSilentServerTimesOut: a server that accepts connections and never
// answers (a cut network, a frozen Redis) ends a call with a timeout, not
// a hang, though the caller set no deadline.
func TestSilentServerTimesOut(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read
			mu.Unlock()
		}
	}()
	c, err := redis.New("redis://"+ln.Addr().String()+"/0", redis.WithTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, call := range map[string]func() error{
		"Seen":    func() error { _, err := c.Seen(context.Background(), "Ev1", time.Minute); return err },
		"Reserve": func() error { _, err := c.Reserve(context.Background(), "T1", 10, 1); return err },
	} {
		err := returns(t, call)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("%s on a silent server: %v, want a timeout", name, err)
		}
	}
}

// returns runs call and returns its error; a call that has not returned
// after a minute (a client with no bounds) fails the test rather than
// hanging it.
func returns(t *testing.T, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("the call did not return")
		return nil
	}
}

// TestFallbackOverRedis: the in-process fallback in front of a real Redis
// shares Redis's limit while it answers, paces alone while the connection
// is cut, and shares it again by itself once Redis is reachable.
func TestFallbackOverRedis(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url, prefix := redistest.Prefix(t)
	proxy := redistest.NewProxy(t, url)
	direct := redistest.Open(t, url, prefix) // another replica, never cut off
	clock := bottest.NewClock(time.Now())    // the fallback's probe interval; Redis keeps its own time
	fb, err := inproc.NewFallback(inproc.FallbackConfig{Primary: redistest.Open(t, proxy.URL(), prefix), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	shared := func(key string) bool {
		t.Helper()
		if w, err := fb.Reserve(ctx, key, 1, 1); err != nil || w != 0 {
			t.Fatalf("Reserve %s: wait %v, %v; want admitted", key, w, err)
		}
		// The other replica finds the burst of 1 used up only if the
		// fallback counted it in Redis.
		w, err := direct.Reserve(ctx, key, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		return w > 0
	}
	if !shared("T1") {
		t.Fatal("with Redis up, the fallback's send was not counted in Redis")
	}

	proxy.Cut()
	if shared("T2") {
		t.Fatal("with Redis cut off, the fallback's send was counted in Redis")
	}
	if fb.Primary() {
		t.Error("Primary() = true with Redis cut off")
	}
	if w, err := fb.Reserve(ctx, "T2", 1, 1); err != nil || w == 0 {
		t.Errorf("second send in-process within the interval: wait %v, %v; want a wait", w, err)
	}

	proxy.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; !fb.Primary(); i++ {
		if time.Now().After(deadline) {
			t.Fatal("the fallback did not go back to Redis within 10s of it being reachable")
		}
		clock.Advance(inproc.DefaultProbe) // a probe is due
		if _, err := fb.Reserve(ctx, fmt.Sprint("probe", i), 1, 1); err != nil {
			t.Fatal(err)
		}
		if !fb.Primary() {
			time.Sleep(50 * time.Millisecond) // go-redis re-dials in the background
		}
	}
	if !shared("T3") {
		t.Error("after Redis came back, the fallback's send was not counted in Redis")
	}
}
