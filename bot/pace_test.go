package bot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
)

func TestPaceSpacesSendsPerInstallation(t *testing.T) {
	t.Parallel()
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	rec := &bottest.Messenger{}
	var waits []time.Duration
	out, err := bot.Pace(rec, bot.PaceConfig{
		Limiter: inproc.NewRateLimiter(clock), Rate: 2, Burst: 1,
		OnWait: func(d time.Duration) { waits = append(waits, d) },
		Sleep:  func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t1 := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1"}
	t2 := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T2"}
	start := clock.Now()
	var at []time.Duration
	for _, inst := range []*bot.Installation{t1, t1, t1, t2} {
		if _, err := out.Send(t.Context(), bot.Destination{Installation: inst, UserID: "U1"}, bot.Message{Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		at = append(at, clock.Now().Sub(start))
	}
	// T1 at 2/s: now, +500ms, +1s; T2 has its own budget and goes at once.
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, time.Second}
	for i := range want {
		if at[i] != want[i] {
			t.Errorf("send %d at +%v, want +%v", i, at[i], want[i])
		}
	}
	if len(waits) != 2 || len(rec.Sent()) != 4 {
		t.Errorf("waits %v, sent %d; want 2 waits and 4 sends", waits, len(rec.Sent()))
	}
}

type brokenLimiter struct{}

func (brokenLimiter) Reserve(context.Context, string, float64, int) (time.Duration, error) {
	return 0, errors.New("redis: connection refused")
}

func (brokenLimiter) Pause(context.Context, string, time.Duration) error {
	return errors.New("redis: connection refused")
}

func TestPaceDoesNotSendUnthrottled(t *testing.T) {
	t.Parallel()
	rec := &bottest.Messenger{}
	out, err := bot.Pace(rec, bot.PaceConfig{Limiter: brokenLimiter{}, Rate: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Throttled, not failed: the scheduler gives the send back without
	// counting an attempt, so an outage of the limiter uses up no retries.
	if _, err := out.Send(t.Context(), bot.Destination{UserID: "U1"}, bot.Message{Text: "hi"}); !errors.Is(err, bot.ErrThrottled) {
		t.Fatalf("send with a broken limiter: %v, want ErrThrottled", err)
	}
	if len(rec.Sent()) != 0 {
		t.Errorf("sent %d messages", len(rec.Sent()))
	}
	if _, err := bot.Pace(rec, bot.PaceConfig{Limiter: brokenLimiter{}, Rate: 0}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("rate 0: %v, want EINVALID", err)
	}
}

// retryAfterError is a platform's 429, as adapters return it.
func retryAfterError(after time.Duration) *bot.RetryAfterError {
	return &bot.RetryAfterError{Err: errors.New("chat.postMessage: slack rate limit exceeded"), After: after, Method: "chat.postMessage"}
}

type paused struct {
	key string
	d   time.Duration
	err error
}

// TestPaceRetryAfterPausesWorkspace: a 429 with Retry-After: 2 holds that
// workspace's sends for exactly 2 s on every replica sharing the limiter —
// not only the send that got it — while other workspaces go on.
func TestPaceRetryAfterPausesWorkspace(t *testing.T) {
	t.Parallel()
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	shared := inproc.NewRateLimiter(clock) // what every replica asks
	rec := &bottest.Messenger{}
	limited := retryAfterError(2 * time.Second)
	// The 429 came on a later part of a long message.
	rec.Fail("U1", fmt.Errorf("send check-in: %w", &bot.PartialSendError{Ref: "m0", Sent: 1, Err: limited}))
	var pauses []paused
	var waits []time.Duration
	replica := func() bot.Messenger {
		out, err := bot.Pace(rec, bot.PaceConfig{Limiter: shared, Rate: 100,
			OnPause: func(key string, d time.Duration, err error) { pauses = append(pauses, paused{key, d, err}) },
			Sleep: func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				clock.Advance(d)
				return nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := replica(), replica()
	t1 := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1"}
	t2 := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T2"}
	start := clock.Now()

	_, err := a.Send(t.Context(), bot.Destination{Installation: t1, UserID: "U1"}, bot.Message{Text: "hi"})
	var got *bot.RetryAfterError
	if !errors.As(err, &got) || got != limited {
		t.Fatalf("send that got a 429: %v, want the platform's error returned as it was", err)
	}
	// Paused before the error came back: any replica asking now is held.
	if w, err := shared.Reserve(t.Context(), "send:slack:T1", 100, 100); err != nil || w != 2*time.Second {
		t.Fatalf("T1 right after the 429: wait %v, %v; want exactly the 2s asked", w, err)
	}
	if len(pauses) != 1 || pauses[0] != (paused{"send:slack:T1", 2 * time.Second, nil}) {
		t.Errorf("OnPause calls: %v, want one for send:slack:T1, 2s", pauses)
	}

	// Another workspace goes on at once, on either replica.
	if _, err := b.Send(t.Context(), bot.Destination{Installation: t2, UserID: "U2"}, bot.Message{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 0 {
		t.Errorf("T2's send waited %v; another workspace's 429 must not hold it", waits)
	}
	// T1's next send, on the other replica, waits out exactly the pause.
	if _, err := b.Send(t.Context(), bot.Destination{Installation: t1, UserID: "U3"}, bot.Message{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if at := clock.Now().Sub(start); at != 2*time.Second || len(waits) != 1 {
		t.Errorf("T1's next send went at +%v after waits %v, want at +2s after one wait", at, waits)
	}
	if n := len(rec.SentTo("U3")) + len(rec.SentTo("U2")); n != 2 {
		t.Errorf("%d of the 2 later sends went out", n)
	}
}

// A pause the limiter cannot record is reported; the send's own error is
// returned unchanged, and a send error without Retry-After pauses nothing.
func TestPacePauseFails(t *testing.T) {
	t.Parallel()
	rec := &bottest.Messenger{}
	rec.Fail("U1", retryAfterError(time.Second))
	rec.Fail("U2", errors.New("connection reset"))
	var pauses []paused
	lim := pauseFails{inproc.NewRateLimiter(bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)))}
	out, err := bot.Pace(rec, bot.PaceConfig{Limiter: lim, Rate: 10,
		OnPause: func(key string, d time.Duration, err error) { pauses = append(pauses, paused{key, d, err}) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Send(t.Context(), bot.Destination{UserID: "U1"}, bot.Message{Text: "hi"}); !errors.As(err, new(*bot.RetryAfterError)) {
		t.Errorf("send: %v, want the 429", err)
	}
	if len(pauses) != 1 || pauses[0].d != time.Second || pauses[0].err == nil {
		t.Errorf("OnPause calls: %v, want one for 1s with the limiter's error", pauses)
	}
	if _, err := out.Send(t.Context(), bot.Destination{UserID: "U2"}, bot.Message{Text: "hi"}); err == nil || errors.Is(err, bot.ErrThrottled) {
		t.Errorf("send: %v, want the platform's error", err)
	}
	if len(pauses) != 1 {
		t.Errorf("OnPause calls: %v; an error without Retry-After must pause nothing", pauses)
	}
}

type pauseFails struct{ bot.RateLimiter }

func (pauseFails) Pause(context.Context, string, time.Duration) error {
	return errors.New("redis: connection refused")
}
