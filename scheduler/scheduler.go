// Package scheduler turns engagements' schedules into deliveries and sends
// them: a tick plans what is due (idempotently: a delivery's key is unique,
// so any number of ticks or replicas create it once), then claims due
// deliveries under a lease and hands them to the bot to send.
package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/smart90/smart90/bot"
)

// Deliverer sends one delivery (bot.Bot implements it). See bot.Bot.Deliver
// for the contract.
type Deliverer interface {
	Deliver(ctx context.Context, d *bot.Delivery) (ref string, needed bool, err error)
}

// Config configures a Scheduler.
type Config struct {
	Store     bot.Store // required
	Deliverer Deliverer // required
	Clock     bot.Clock // default bot.SystemClock
	Logger    *slog.Logger
	// Grace is how late a prompt may still be sent after downtime; older
	// due deliveries are recorded as missed (default 3h).
	Grace time.Duration
	// Lease is how long a claimed delivery is reserved for its sender
	// (default 2m); a crashed sender's work is picked up after it.
	Lease time.Duration
	// Batch is how many deliveries one claim takes (default 100).
	Batch int
	// MaxAttempts is how many times a transiently failing delivery is tried
	// before it is recorded as failed (default 5).
	MaxAttempts int
}

// Scheduler plans and sends prompts. It is safe for concurrent use.
type Scheduler struct {
	store   bot.Store
	deliver Deliverer
	clock   bot.Clock
	log     *slog.Logger
	grace   time.Duration
	lease   time.Duration
	batch   int
	maxTry  int
}

// New returns a Scheduler, validating cfg and filling defaults.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Deliverer == nil {
		return nil, errors.New("scheduler: Store and Deliverer are required")
	}
	return &Scheduler{
		store:   cfg.Store,
		deliver: cfg.Deliverer,
		clock:   cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{}),
		log:     cmp.Or(cfg.Logger, slog.Default()),
		grace:   cmp.Or(cfg.Grace, 3*time.Hour),
		lease:   cmp.Or(cfg.Lease, 2*time.Minute),
		batch:   cmp.Or(cfg.Batch, 100),
		maxTry:  cmp.Or(cfg.MaxAttempts, 5),
	}, nil
}

// Tick plans what is due now and sends it.
func (s *Scheduler) Tick(ctx context.Context) error {
	if err := s.Plan(ctx); err != nil {
		return err
	}
	_, err := s.Drain(ctx)
	return err
}

// Plan creates the deliveries that are due by now: daily check-ins,
// weekly reports, reminders and digests. It looks back one day past the
// grace window, so prompts due during downtime are created (and then sent
// or recorded as missed).
func (s *Scheduler) Plan(ctx context.Context) error {
	now := s.clock.Now().UTC()
	for after := int64(0); ; {
		es, err := s.store.ListEngagements(ctx, after, 500, bot.EngagementActive)
		if err != nil {
			return fmt.Errorf("list engagements: %w", err)
		}
		for _, e := range es {
			if err := s.planEngagement(ctx, e, now); err != nil {
				return err
			}
		}
		if len(es) < 500 {
			break
		}
		after = es[len(es)-1].ID
	}
	coaches, err := s.store.ListCoaches(ctx)
	if err != nil {
		return fmt.Errorf("list coaches: %w", err)
	}
	for _, c := range coaches {
		loc := bot.Zone(c.TimeZone)
		for _, day := range s.days(now, loc) {
			week, due, ok := c.DigestDue(day, loc)
			if ok && !due.After(now) && !due.Before(c.CreatedAt) {
				if err := s.create(ctx, &bot.Delivery{PersonID: c.ID, Kind: bot.DeliveryDigest, Period: week.ISOWeek(), DueAt: due}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// days returns the local days to look at: from the earliest a due time may
// still matter (grace plus a day) up to today.
func (s *Scheduler) days(now time.Time, loc *time.Location) []bot.Date {
	today := bot.DateOf(now.In(loc))
	var out []bot.Date
	for d := bot.DateOf(now.Add(-s.grace - 24*time.Hour).In(loc)); !d.After(today); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

func (s *Scheduler) planEngagement(ctx context.Context, e *bot.Engagement, now time.Time) error {
	client, err := s.store.Person(ctx, e.ClientID)
	if err != nil {
		return fmt.Errorf("load client %d: %w", e.ClientID, err)
	}
	loc := bot.Zone(client.TimeZone)
	var weeks []bot.Date
	for _, day := range s.days(now, loc) {
		if len(weeks) == 0 || weeks[len(weeks)-1] != day.WeekStart() {
			weeks = append(weeks, day.WeekStart())
		}
		if due, ok := e.DailyDue(day, loc); ok && !due.After(now) {
			d := &bot.Delivery{PersonID: client.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: day.String(), DueAt: due}
			if err := s.create(ctx, d); err != nil {
				return err
			}
			if err := s.planReminder(ctx, e, d, now); err != nil {
				return err
			}
		}
	}
	for _, week := range weeks {
		if _, due, ok := e.WeeklyDue(week, loc); ok && !due.After(now) && now.Sub(due) <= s.grace+24*time.Hour {
			d := &bot.Delivery{PersonID: client.ID, EngagementID: e.ID, Kind: bot.DeliveryWeekly, Period: week.ISOWeek(), DueAt: due}
			if err := s.create(ctx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// planReminder creates the day's single reminder once the check-in was sent
// and the delay passed; the bot skips it if the client answered meanwhile.
func (s *Scheduler) planReminder(ctx context.Context, e *bot.Engagement, daily *bot.Delivery, now time.Time) error {
	if e.ReminderDelay <= 0 || daily.State != bot.DeliverySent {
		return nil
	}
	due := daily.SentAt.Add(e.ReminderDelay)
	if due.After(now) || now.Sub(due) > s.grace {
		return nil // not yet, or so late that a nudge would confuse
	}
	return s.create(ctx, &bot.Delivery{PersonID: daily.PersonID, EngagementID: e.ID, Kind: bot.DeliveryReminder, Period: daily.Period, DueAt: due})
}

func (s *Scheduler) create(ctx context.Context, d *bot.Delivery) error {
	d.State, d.CreatedAt, d.UpdatedAt = bot.DeliveryPending, s.clock.Now().UTC(), s.clock.Now().UTC()
	if _, err := s.store.CreateDelivery(ctx, d); err != nil {
		return fmt.Errorf("create %s delivery %s: %w", d.Kind, d.Period, err)
	}
	return nil
}

// Drain claims and sends due deliveries until none is left; it returns how
// many it handled.
func (s *Scheduler) Drain(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.clock.Now().UTC()
		ds, err := s.store.ClaimDeliveries(ctx, now, s.lease, s.batch)
		if err != nil {
			return n, fmt.Errorf("claim deliveries: %w", err)
		}
		for _, d := range ds {
			if err := s.send(ctx, d, now); err != nil {
				return n, err
			}
			n++
		}
		if len(ds) < s.batch {
			return n, nil
		}
	}
}

// send delivers one claimed delivery and records the outcome.
func (s *Scheduler) send(ctx context.Context, d *bot.Delivery, now time.Time) error {
	log := s.log.With("delivery", d.ID, "kind", d.Kind, "period", d.Period, "person", d.PersonID)
	d.LeaseUntil, d.UpdatedAt = time.Time{}, now
	switch ref, needed, err := s.deliverLate(ctx, d, now); {
	case err == errMissed:
		d.State = bot.DeliveryMissed
		log.WarnContext(ctx, "delivery missed", "due", d.DueAt, "grace", s.grace)
	case err == nil && !needed:
		d.State = bot.DeliverySkipped
	case err == nil:
		d.State, d.MessageRef, d.SentAt = bot.DeliverySent, ref, now
	case bot.ErrorCode(err) == bot.EFORBIDDEN || bot.ErrorCode(err) == bot.ENOTFOUND:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		log.WarnContext(ctx, "delivery failed for good", "err", err)
	case d.Attempts >= s.maxTry:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		log.ErrorContext(ctx, "delivery failed after retries", "attempts", d.Attempts, "err", err)
	default:
		// Transient: back off exponentially; the lease holds it until then.
		d.LastError = err.Error()
		d.LeaseUntil = now.Add(time.Duration(1<<min(d.Attempts, 10)) * 30 * time.Second)
		log.WarnContext(ctx, "delivery will be retried", "attempts", d.Attempts, "at", d.LeaseUntil, "err", err)
	}
	if err := s.store.UpdateDelivery(ctx, d); err != nil {
		return fmt.Errorf("record delivery %d: %w", d.ID, err)
	}
	return nil
}

var errMissed = errors.New("missed")

func (s *Scheduler) deliverLate(ctx context.Context, d *bot.Delivery, now time.Time) (string, bool, error) {
	if now.Sub(d.DueAt) > s.grace {
		return "", false, errMissed
	}
	return s.deliver.Deliver(ctx, d)
}
