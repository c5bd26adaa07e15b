package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrThrottled is returned (wrapped) by a paced Messenger that sent nothing
// because the rate limiter had no room before the send's deadline.
var ErrThrottled = errors.New("throttled: no room under the send rate in time")

// PaceConfig configures Pace.
type PaceConfig struct {
	Limiter RateLimiter // required; shared by every replica
	// Rate is how many messages per second one installation may send, and
	// Burst how many at once after a quiet spell (default Rate, at least 1).
	Rate  float64
	Burst int
	// OnWait is told each time a send waits for the limiter (metrics).
	OnWait func(time.Duration)
	// Sleep waits d or until ctx is done (default a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Pace returns a Messenger that sends through m no faster than the
// installation's rate, counted across every replica that shares the
// limiter: chat platforms throttle per app and workspace, and it is
// cheaper to wait here than to be told 429.
func Pace(m Messenger, cfg PaceConfig) (Messenger, error) {
	if cfg.Limiter == nil {
		return nil, fmt.Errorf("pace: a Limiter is required")
	}
	cfg.Burst = cmp.Or(cfg.Burst, max(int(cfg.Rate), 1))
	if err := CheckRate(cfg.Rate, cfg.Burst); err != nil {
		return nil, err
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return &paced{next: m, cfg: cfg}, nil
}

type paced struct {
	next Messenger
	cfg  PaceConfig
}

func (p *paced) Send(ctx context.Context, to Destination, m Message) (string, error) {
	key := "send"
	if to.Installation != nil {
		key = "send:" + string(to.Installation.Platform) + ":" + to.Installation.ExternalID
	}
	for {
		wait, err := p.cfg.Limiter.Reserve(ctx, key, p.cfg.Rate, p.cfg.Burst)
		if err != nil {
			return "", fmt.Errorf("pace sends: %w", err)
		}
		if wait <= 0 {
			break
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return "", fmt.Errorf("%w (%s would wait %v)", ErrThrottled, key, wait)
		}
		if p.cfg.OnWait != nil {
			p.cfg.OnWait(wait)
		}
		if err := p.cfg.Sleep(ctx, wait); err != nil {
			return "", fmt.Errorf("%w: %w", ErrThrottled, err)
		}
	}
	return p.next.Send(ctx, to, m)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
