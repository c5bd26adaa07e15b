// Package loadtest holds the fixtures and measurements that the load tools
// share: cmd/smart90-load (BENCHMARKS.md's scenarios) and the bench module
// (smart90 against other queues on the same PostgreSQL, a separate Go
// module so that the product binary never links them). It seeds clients
// due in the same minute into a fresh PostgreSQL schema, and times
// Scheduler.Plan and Scheduler.Drain over them.
//
// It is for measuring, not for production: nothing in cmd/smart90 imports
// it.
package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
)

// OpenFresh opens a migrated store in a fresh schema (FreshSchema) of the
// PostgreSQL at base, with extra appended to its URL (pool settings, as
// "&pool_max_conns=16") and the store opened with opts; cleanup closes the
// store and drops the schema. dbURL is the schema's URL, for other
// processes and pools.
func OpenFresh(ctx context.Context, base string, log *slog.Logger, extra string, opts ...postgres.Option) (db *postgres.DB, dbURL string, cleanup func(), err error) {
	dbURL, drop, err := FreshSchema(ctx, base)
	if err != nil {
		return nil, "", nil, err
	}
	if db, err = postgres.Open(ctx, dbURL+extra, log, opts...); err != nil {
		drop()
		return nil, "", nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, "", nil, err
	}
	return db, dbURL, func() { db.Close(); drop() }, nil
}

// FreshSchema creates an empty schema and returns a URL that uses it (its
// search_path) and a func that drops it.
func FreshSchema(ctx context.Context, base string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	schema := "smart90_load_" + RandomHex(6)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, drop, nil
}

// RandomHex returns n random bytes in hex, for names no other run uses.
func RandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// zones whose local check-in times fall in the same UTC minute.
var zones = []string{"UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Kathmandu", "Pacific/Kiritimati", "Australia/Lord_Howe"}

// Seed creates a coach and n active clients of one console workspace,
// spread over several zones, each with a daily check-in at the local time
// of due, every day, and no reminder.
func Seed(ctx context.Context, s bot.Store, n int, due time.Time, workspace string) error {
	return SeedOn(ctx, s, n, due, bot.PlatformConsole, workspace)
}

// SeedOn is Seed for a workspace of the given platform.
func SeedOn(ctx context.Context, s bot.Store, n int, due time.Time, platform bot.Platform, workspace string) error {
	marked := due.Add(-time.Hour)
	inst := &bot.Installation{Platform: platform, ExternalID: workspace, Status: bot.InstallationActive, CreatedAt: marked}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		return err
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "coach", DisplayName: "coach", TimeZone: "UTC", CreatedAt: marked}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				loc, _ := time.LoadLocation(zones[i%len(zones)])
				local := due.In(loc)
				p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprintf("U%07d", i), DisplayName: fmt.Sprintf("client %d", i),
					TimeZone: loc.String(), CreatedAt: marked}
				if err := s.EnsurePerson(ctx, p); err != nil {
					errs <- err
					return
				}
				e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive,
					CheckinTime: bot.ClockTime(local.Hour()*60 + local.Minute()), Workdays: 0x7f,
					WeeklyWeekday: (local.Weekday() + 3) % 7, WeeklyTime: 15 * 60,
					Start: bot.DateOf(local).AddDays(-2), CycleDays: 90, InvitedAt: marked, AcceptedAt: marked, UpdatedAt: marked}
				if err := s.CreateEngagement(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Clock is a bot.Clock the load test sets. It is safe for concurrent use.
type Clock struct{ now atomic.Int64 }

// NewClock returns a Clock set to t.
func NewClock(t time.Time) *Clock { c := &Clock{}; c.Set(t); return c }

// Now implements bot.Clock.
func (c *Clock) Now() time.Time { return time.Unix(0, c.now.Load()).UTC() }

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) { c.now.Store(t.UnixNano()) }

// Discard is the fake adapter: a bot.Messenger that accepts every message.
type Discard struct{ n atomic.Int64 }

var _ bot.Messenger = (*Discard)(nil)

// Send implements bot.Messenger.
func (d *Discard) Send(context.Context, bot.Destination, bot.Message) (string, error) {
	return "m" + strconv.FormatInt(d.n.Add(1), 10), nil
}

// Sent reports how many messages Send accepted.
func (d *Discard) Sent() int64 { return d.n.Load() }

// Noop is a scheduler.Deliverer that sends nothing and reports every
// delivery sent: the scheduler and the store alone.
type Noop struct{}

// Deliver implements scheduler.Deliverer.
func (Noop) Deliver(context.Context, *bot.Delivery) (string, bool, error) { return "ref", true, nil }

// NopState is a bot.ConversationState that keeps nothing.
type NopState struct{}

// Get implements bot.ConversationState.
func (NopState) Get(context.Context, string) (string, error) { return "", nil }

// Set implements bot.ConversationState.
func (NopState) Set(context.Context, string, string, time.Duration) error { return nil }

// Delete implements bot.ConversationState.
func (NopState) Delete(context.Context, string) error { return nil }
