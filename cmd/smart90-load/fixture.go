package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
)

// openFresh opens a migrated store in a fresh schema (freshSchema), with
// extra appended to its URL (pool settings); cleanup closes the store and
// drops the schema. dbURL is the schema's URL, for other processes.
func openFresh(ctx context.Context, c config, log *slog.Logger, extra string) (db *postgres.DB, dbURL string, cleanup func(), err error) {
	dbURL, drop, err := freshSchema(ctx, c.DatabaseURL)
	if err != nil {
		return nil, "", nil, err
	}
	if db, err = postgres.Open(ctx, dbURL+extra, log); err != nil {
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

// freshSchema creates an empty schema and returns a URL that uses it and a
// func that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	schema := "smart90_load_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
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

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// zones whose local check-in times fall in the same UTC minute.
var zones = []string{"UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Kathmandu", "Pacific/Kiritimati", "Australia/Lord_Howe"}

// seed creates a coach and n active clients of one workspace, spread over
// several zones, each with a daily check-in at the local time of due, every
// day, and no reminder.
func seed(ctx context.Context, s bot.Store, n int, due time.Time, workspace string) error {
	return seedOn(ctx, s, n, due, bot.PlatformConsole, workspace)
}

// seedOn is seed for a workspace of the given platform.
func seedOn(ctx context.Context, s bot.Store, n int, due time.Time, platform bot.Platform, workspace string) error {
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

// fixedClock is a clock the load test sets.
type fixedClock struct{ now atomic.Int64 }

func (c *fixedClock) Now() time.Time   { return time.Unix(0, c.now.Load()).UTC() }
func (c *fixedClock) Set(t time.Time)  { c.now.Store(t.UnixNano()) }
func newClock(t time.Time) *fixedClock { c := &fixedClock{}; c.Set(t); return c }

// deletePrefix deletes the Redis keys under prefix, the scenario's own.
func deletePrefix(url, prefix string) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		return
	}
	rdb := goredis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}
