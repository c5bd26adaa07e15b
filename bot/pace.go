package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrThrottled is returned (wrapped) by a paced Messenger that sent nothing
// because the rate limiter had no room before the send's deadline, or could
// not be asked: the send never reached the platform, so it is not a failed
// attempt.
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
	// OnPause is told each time a platform's Retry-After pauses key for d,
	// with the limiter's error if the pause could not be recorded (logs).
	OnPause func(key string, d time.Duration, err error)
	// Sleep waits d or until ctx is done (default a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Pace returns a Messenger that sends through m no faster than the
// installation's rate, counted across every replica that shares the
// limiter: chat platforms throttle per app and workspace, and it is
// cheaper to wait here than to be told 429.
//
// Nothing is sent that the limiter did not admit: when it has no room
// before ctx's deadline, or cannot be asked at all, Send returns an error
// wrapping ErrThrottled. A send that fails with an error carrying a
// Retry-After (a *RetryAfterError in its chain asking a wait, as a 429
// gives) pauses the installation's sends through
// Limiter.Pause for exactly that long, on every replica, before the error
// is returned: the platform throttles the workspace, not only the message
// that was refused. The Messenger returned is a SentChecker, paced like a
// send, that forwards to m's (ErrCannotCheck when m has none).
func Pace(m Messenger, cfg PaceConfig) (Messenger, error) {
	if cfg.Limiter == nil {
		return nil, fmt.Errorf("pace: a Limiter is required")
	}
	cfg.Burst = cmp.Or(cfg.Burst, max(int(cfg.Rate), 1))
	if err := CheckRate(cfg.Rate, cfg.Burst); err != nil {
		return nil, err
	}
	if cfg.Sleep == nil {
		cfg.Sleep = Sleep
	}
	return &paced{next: m, cfg: cfg}, nil
}

type paced struct {
	next Messenger
	cfg  PaceConfig
}

var (
	_ SentChecker   = (*paced)(nil)
	_ ProfileReader = (*paced)(nil)
	_ StatusReader  = (*paced)(nil)
)

// Status forwards to the paced Messenger's StatusReader, unpaced like a
// profile read (the reader keeps what it read); ErrNoStatus when it has none.
func (p *paced) Status(ctx context.Context, inst *Installation, userID string) (Status, error) {
	sr, ok := p.next.(StatusReader)
	if !ok {
		return Status{}, ErrNoStatus
	}
	return sr.Status(ctx, inst, userID)
}

// Profile forwards to the paced Messenger's ProfileReader, unpaced: a
// profile read is not a send, and the reader keeps what it read.
func (p *paced) Profile(ctx context.Context, inst *Installation, u UserRef) (UserRef, error) {
	pr, ok := p.next.(ProfileReader)
	if !ok {
		return u, ErrNoProfiles
	}
	return pr.Profile(ctx, inst, u)
}

// pauseTimeout bounds recording a pause after the send's own context may
// have run out (a send that hung until its deadline, then got a 429).
const pauseTimeout = 5 * time.Second

func (p *paced) Send(ctx context.Context, to Destination, m Message) (string, error) {
	key := paceKey(to)
	if err := p.admit(ctx, key); err != nil {
		return "", err
	}
	ref, err := p.next.Send(ctx, to, m)
	p.honour(ctx, key, err)
	return ref, err
}

// Sent forwards to the paced Messenger's SentChecker, paced like a send
// (a look is a Web API call under the same workspace's limits); it returns
// ErrCannotCheck when that Messenger has no such capability.
func (p *paced) Sent(ctx context.Context, to Destination, m Message, since time.Time) (Receipt, error) {
	chk, ok := p.next.(SentChecker)
	if !ok {
		return Receipt{}, ErrCannotCheck
	}
	key := paceKey(to)
	if err := p.admit(ctx, key); err != nil {
		return Receipt{}, err
	}
	got, err := chk.Sent(ctx, to, m, since)
	p.honour(ctx, key, err)
	return got, err
}

// paceKey is the limiter key of a destination's installation.
func paceKey(to Destination) string {
	if to.Installation == nil {
		return "send"
	}
	return "send:" + string(to.Installation.Platform) + ":" + to.Installation.ExternalID
}

// admit waits until the limiter has room for one call under key.
func (p *paced) admit(ctx context.Context, key string) error {
	for {
		wait, err := p.cfg.Limiter.Reserve(ctx, key, p.cfg.Rate, p.cfg.Burst)
		if err != nil {
			// Sending unpaced could break the platform's limit for every
			// replica; the send is given back instead.
			return fmt.Errorf("%w: the rate limiter could not be asked: %w", ErrThrottled, err)
		}
		if wait <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return fmt.Errorf("%w (%s would wait %v)", ErrThrottled, key, wait)
		}
		if p.cfg.OnWait != nil {
			p.cfg.OnWait(wait)
		}
		if err := p.cfg.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w: %w", ErrThrottled, err)
		}
	}
}

// honour pauses key for as long as a call's error asks (a 429).
func (p *paced) honour(ctx context.Context, key string, err error) {
	if d := RetryAfter(err); d > 0 {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pauseTimeout)
		perr := p.cfg.Limiter.Pause(pctx, key, d)
		cancel()
		if p.cfg.OnPause != nil {
			p.cfg.OnPause(key, d, perr)
		}
	}
}

// Sleep waits d or until ctx is done, and returns ctx's error then: the
// default wait of Pace and the scheduler, which tests replace.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
