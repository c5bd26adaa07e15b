// Package scheduler turns schedules into deliveries and sends them.
//
// Planning: every person has one schedule per kind (daily check-in, weekly
// report, digest) holding when their next delivery is due, kept by the
// store (bot.ScheduleStore). A tick takes the schedules that are due, with
// an indexed query, creates their deliveries and moves each schedule to its
// next due instant, computed in the person's time zone. Creating a delivery
// is idempotent — its key (person, kind, period) is unique — so any number
// of replicas may tick.
//
// Sending: senders claim due deliveries under a lease (on PostgreSQL with
// FOR UPDATE SKIP LOCKED), hand them to the bot, and record the outcome:
// sent with the platform's message reference, skipped when no longer
// needed, retried with backoff and jitter when the failure is transient,
// failed — and the person's schedule suspended — when it is permanent, and
// missed when it is older than the grace window after downtime.
package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
)

// Deliverer sends one delivery (bot.Bot implements it). See bot.Bot.Deliver
// for the contract. It must be safe for concurrent use.
type Deliverer interface {
	Deliver(ctx context.Context, d *bot.Delivery) (ref string, needed bool, err error)
}

// UndeliverableNotifier is implemented by a Deliverer that wants to tell
// someone (the client's coach) that a delivery failed for good and the
// person's schedule is suspended.
type UndeliverableNotifier interface {
	Undeliverable(ctx context.Context, d *bot.Delivery, cause error)
}

// Config configures a Scheduler.
type Config struct {
	Store     bot.Store // required
	Deliverer Deliverer // required
	Clock     bot.Clock // default bot.SystemClock
	Logger    *slog.Logger
	Metrics   *Metrics // nil: not measured
	// Grace is how late a prompt may still be sent after downtime; older
	// due deliveries are recorded as missed (default 3h).
	Grace time.Duration
	// Lease is how long a claimed delivery is reserved for its sender
	// (default 2m); a crashed sender's work is picked up after it.
	Lease time.Duration
	// Batch is how many deliveries one claim takes (default 100).
	Batch int
	// PlanBatch is how many schedules one planning transaction takes
	// (default 1000).
	PlanBatch int
	// Planners is how many planning transactions Plan runs at once
	// (default 2): each takes its own schedules, as planners on several
	// replicas do, so the database's work of one overlaps another's
	// round trips and commit.
	Planners int
	// Workers is how many deliveries are sent at once (default 8).
	Workers int
	// Drainers is how many claim-and-send loops Drain runs at once
	// (default 2, at most Workers, which they share): one claims while
	// another still records its batch's outcomes.
	Drainers int
	// MaxAttempts is how many times a transiently failing delivery is tried
	// before it is recorded as failed (default 5).
	MaxAttempts int
	// RetryBase is the first retry's delay; each later one doubles it, up
	// to RetryMax, with jitter (defaults 30s and 30m).
	RetryBase, RetryMax time.Duration
	// SendTimeout bounds one send, and one write of outcomes, including
	// after shutdown began (default 30s). Lease must be at least three
	// times as long; a claim with less than two SendTimeouts of lease left
	// is given back unsent.
	SendTimeout time.Duration
	// Sleep waits d or until ctx is done, between tries of an outcome
	// write that failed (default a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Scheduler plans and sends prompts. It is safe for concurrent use, and
// any number of Schedulers may share one store.
type Scheduler struct {
	store     bot.Store
	deliver   Deliverer
	clock     bot.Clock
	log       *slog.Logger
	metrics   *Metrics
	grace     time.Duration
	lease     time.Duration
	batch     int
	planBatch int
	planners  int
	workers   int
	drainers  int
	maxTry    int
	retryBase time.Duration
	retryMax  time.Duration
	sendLimit time.Duration

	sleep func(ctx context.Context, d time.Duration) error

	jitterMu sync.Mutex
	jitter   *rand.Rand

	// claimMu makes writing the held outcomes and claiming one step.
	claimMu sync.Mutex
	// held are outcomes not written yet, by delivery ID (see hold).
	heldMu sync.Mutex
	held   map[int64]*held
}

// New returns a Scheduler, validating cfg and filling defaults.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Deliverer == nil {
		return nil, errors.New("scheduler: Store and Deliverer are required")
	}
	for _, v := range []time.Duration{cfg.Grace, cfg.Lease, cfg.RetryBase, cfg.RetryMax, cfg.SendTimeout} {
		if v < 0 {
			return nil, fmt.Errorf("scheduler: durations must not be negative, got %v", v)
		}
	}
	if cfg.Batch < 0 || cfg.PlanBatch < 0 || cfg.Planners < 0 || cfg.Workers < 0 || cfg.Drainers < 0 || cfg.MaxAttempts < 0 {
		return nil, errors.New("scheduler: Batch, PlanBatch, Planners, Workers, Drainers and MaxAttempts must not be negative")
	}
	s := &Scheduler{
		store:     cfg.Store,
		deliver:   cfg.Deliverer,
		clock:     cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{}),
		log:       cmp.Or(cfg.Logger, slog.Default()),
		metrics:   cfg.Metrics,
		grace:     cmp.Or(cfg.Grace, 3*time.Hour),
		lease:     cmp.Or(cfg.Lease, 2*time.Minute),
		batch:     cmp.Or(cfg.Batch, 100),
		planBatch: cmp.Or(cfg.PlanBatch, 1000),
		planners:  cmp.Or(cfg.Planners, 2),
		workers:   cmp.Or(cfg.Workers, 8),
		drainers:  cmp.Or(cfg.Drainers, 2),
		maxTry:    cmp.Or(cfg.MaxAttempts, 5),
		retryBase: cmp.Or(cfg.RetryBase, 30*time.Second),
		retryMax:  cmp.Or(cfg.RetryMax, 30*time.Minute),
		sendLimit: cmp.Or(cfg.SendTimeout, 30*time.Second),
		sleep:     cfg.Sleep,
		jitter:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		held:      map[int64]*held{},
	}
	if s.lease < 3*s.sendLimit {
		// A send and the write of its outcome must fit in the lease with
		// room to spare, or another sender could take it meanwhile.
		return nil, fmt.Errorf("scheduler: Lease (%v) must be at least 3 × SendTimeout (%v)", s.lease, s.sendLimit)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(nil)
	}
	if s.sleep == nil {
		s.sleep = bot.Sleep
	}
	return s, nil
}

// Tick plans what is due now and sends it.
func (s *Scheduler) Tick(ctx context.Context) error {
	if _, err := s.Plan(ctx); err != nil {
		return err
	}
	_, err := s.Drain(ctx)
	return err
}

// Plan creates the deliveries that are due by now — daily check-ins with
// their reminders, weekly reports and digests — and moves each schedule on
// to its next due instant. It returns how many deliveries it planned. A
// schedule left behind by downtime yields every delivery it missed, each
// either still sendable (inside the grace window) or recorded as missed.
// Up to Planners transactions run at once, each until it finds fewer
// than PlanBatch schedules due; Plan returns when all have, or at the
// first error.
func (s *Scheduler) Plan(ctx context.Context) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		total    int
		firstErr error
		wg       sync.WaitGroup
	)
	for range s.planners {
		wg.Go(func() {
			n, err := s.planLoop(ctx)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil && firstErr == nil {
				// The others stop at their next transaction, with an
				// error that follows from this one.
				firstErr = err
				cancel()
			}
		})
	}
	wg.Wait()
	return total, firstErr
}

// planLoop plans batch after batch until one is short, and returns how
// many deliveries it planned.
func (s *Scheduler) planLoop(ctx context.Context) (int, error) {
	total := 0
	for {
		now := s.clock.Now().UTC()
		var planned []*bot.Delivery
		n, err := s.store.PlanSchedules(ctx, now, s.planBatch, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
			planned = planned[:0]
			for _, sc := range scheds {
				planned = s.planSchedule(sc, now, planned)
			}
			return planned, nil
		})
		if err != nil {
			return total, fmt.Errorf("plan schedules: %w", err)
		}
		for _, d := range planned {
			if d.State == bot.DeliveryMissed {
				s.metrics.Missed.WithLabelValues(string(d.Kind)).Inc()
				s.log.WarnContext(ctx, "delivery missed", "kind", d.Kind, "period", d.Period, "person", d.PersonID, "due", d.DueAt)
			} else {
				s.metrics.Due.WithLabelValues(string(d.Kind)).Inc()
			}
		}
		total += len(planned)
		if n < s.planBatch {
			return total, nil
		}
	}
}

// maxCatchUp bounds the deliveries one schedule yields in one plan: a
// year of daily check-ins after a very long outage.
const maxCatchUp = 400

// planSchedule appends the deliveries sc has due by now to out and moves
// sc to its next due instant (zero when none is planned).
func (s *Scheduler) planSchedule(sc *bot.Schedule, now time.Time, out []*bot.Delivery) []*bot.Delivery {
	next := s.nextFunc(sc)
	if next == nil {
		sc.NextAt, sc.Period = time.Time{}, ""
		return out
	}
	period, due, ok := sc.Period, sc.NextAt, true
	if period == "" {
		// Marked: the first due at or after the change.
		period, due, ok = next(sc.NextAt.Add(-time.Nanosecond))
	}
	for n := 0; ok && !due.After(now) && n < maxCatchUp; n++ {
		out = s.appendDue(out, sc, period, due, now)
		period, due, ok = next(due)
	}
	if !ok {
		sc.NextAt, sc.Period = time.Time{}, ""
		return out
	}
	sc.NextAt, sc.Period = due, period
	return out
}

// nextFunc returns how sc's next due is found after an instant, or nil when
// nothing may be planned for it now.
func (s *Scheduler) nextFunc(sc *bot.Schedule) func(time.Time) (string, time.Time, bool) {
	if !sc.Active || sc.Person == nil || sc.Suspended != "" {
		return nil
	}
	loc := bot.Zone(sc.Person.TimeZone)
	off := sc.Person.DaysOff()
	switch sc.Kind {
	case bot.DeliveryDigest:
		return func(t time.Time) (string, time.Time, bool) {
			week, due, ok := sc.Person.NextDigest(t, loc)
			return week.ISOWeek(), due, ok
		}
	case bot.DeliveryDaily, bot.DeliveryWeekly:
		e := sc.Engagement
		if e == nil || e.ClientID != sc.PersonID || e.Status != bot.EngagementActive {
			return nil
		}
		if sc.Kind == bot.DeliveryWeekly {
			return func(t time.Time) (string, time.Time, bool) {
				week, due, ok := e.NextWeekly(t, loc, off)
				return week.ISOWeek(), due, ok
			}
		}
		return func(t time.Time) (string, time.Time, bool) {
			day, due, ok := e.NextDaily(t, loc)
			return day.String(), due, ok
		}
	}
	return nil
}

// appendDue appends the delivery for one due period: pending, or missed
// when already past the grace window; a pending daily check-in brings its
// reminder along. A prompt on the client's public holiday is skipped with
// its reason (bot.Engagement.HolidaySkip), and has no reminder.
func (s *Scheduler) appendDue(out []*bot.Delivery, sc *bot.Schedule, period string, due, now time.Time) []*bot.Delivery {
	d := &bot.Delivery{PersonID: sc.PersonID, EngagementID: sc.EngagementID, Kind: sc.Kind, Period: period,
		DueAt: due, State: bot.DeliveryPending, CreatedAt: now, UpdatedAt: now}
	if sc.Engagement != nil && sc.Person != nil {
		if reason := sc.Engagement.HolidaySkip(sc.Kind, period, sc.Person.DaysOff()); reason != "" {
			d.State, d.SkipReason = bot.DeliverySkipped, reason
			return append(out, d)
		}
	}
	if now.Sub(due) > s.grace {
		d.State = bot.DeliveryMissed
		return append(out, d)
	}
	out = append(out, d)
	if sc.Kind != bot.DeliveryDaily {
		return out
	}
	if at, ok := sc.Engagement.ReminderAt(due); ok {
		// Due after the check-in by the core's rule; the sender moves it
		// later when the check-in itself went out late (bot.ReminderDue).
		out = append(out, &bot.Delivery{PersonID: sc.PersonID, EngagementID: sc.EngagementID,
			Kind: bot.DeliveryReminder, Period: period, DueAt: at,
			State: bot.DeliveryPending, CreatedAt: now, UpdatedAt: now})
	}
	return out
}
