package bot_test

import (
	"context"
	"errors"
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
	if _, err := out.Send(t.Context(), bot.Destination{UserID: "U1"}, bot.Message{Text: "hi"}); err == nil {
		t.Fatal("sent although the limiter could not be asked")
	}
	if len(rec.Sent()) != 0 {
		t.Errorf("sent %d messages", len(rec.Sent()))
	}
	if _, err := bot.Pace(rec, bot.PaceConfig{Limiter: brokenLimiter{}, Rate: 0}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("rate 0: %v, want EINVALID", err)
	}
}
