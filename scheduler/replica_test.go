package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/redis/redistest"
)

// zones whose local check-in time falls in the same UTC minute, 08:00 UTC
// on Monday 2026-11-23: clients all over the world due at once.
var sameMinute = []struct {
	zone  string
	local bot.ClockTime
}{
	{"Europe/Paris", 9 * 60},
	{"Europe/London", 8 * 60},
	{"America/New_York", 3 * 60},
	{"Asia/Kathmandu", 13*60 + 45},
	{"Pacific/Kiritimati", 22 * 60},
}

// seedClients creates a coach and n active clients whose daily check-in is
// due at 08:00 UTC on Monday 2026-11-23, and returns the clients.
func seedClients(t testing.TB, s bot.Store, n int) []*bot.Person {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "T1", Status: bot.InstallationActive, CreatedAt: start}
	must(t, s.UpsertInstallation(ctx, inst))
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "coach", DisplayName: "coach", TimeZone: "Europe/London",
		DigestWeekday: time.Monday, DigestTime: 7 * 60, CreatedAt: start}
	must(t, s.EnsurePerson(ctx, coach))
	clients := make([]*bot.Person, n)
	for i := range clients {
		z := sameMinute[i%len(sameMinute)]
		p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprintf("U%05d", i), DisplayName: fmt.Sprintf("client%d", i),
			TimeZone: z.zone, CreatedAt: start}
		must(t, s.EnsurePerson(ctx, p))
		e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive, CheckinTime: z.local,
			Workdays: bot.MonToFri, WeeklyWeekday: time.Friday, WeeklyTime: 15 * 60, Start: bot.Date{Year: 2026, Month: 11, Day: 22},
			CycleDays: 90, InvitedAt: start, AcceptedAt: start, UpdatedAt: start}
		must(t, s.CreateEngagement(ctx, e))
		clients[i] = p
	}
	return clients
}

// replica is one scheduler+sender instance: its own pool, clock, bot and
// Redis client, sharing the database, the Redis keys and the recording
// adapter with the others.
type replica struct {
	store *postgres.DB
	clock *bottest.Clock
	sched *scheduler.Scheduler
}

func newReplica(t *testing.T, dbURL, redisURL, prefix string, out bot.Messenger, at time.Time) *replica {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := postgres.Open(ctx, dbURL+"&pool_max_conns=4", log)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	rdb := redistest.Open(t, redisURL, prefix)
	clock := bottest.NewClock(at)
	paced, err := bot.Pace(out, bot.PaceConfig{Limiter: rdb, Rate: 100000})
	must(t, err)
	core, err := bot.New(bot.Config{Store: db, Messenger: paced, State: rdb, Clock: clock, Logger: log})
	must(t, err)
	sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: core, Clock: clock, Logger: log, Batch: 50, PlanBatch: 250})
	must(t, err)
	return &replica{store: db, clock: clock, sched: sched}
}

// stopAfter is a Messenger that cancels a replica's context once it has
// sent n messages: the replica is stopped mid-run.
type stopAfter struct {
	next   bot.Messenger
	n      atomic.Int64
	after  int64
	cancel context.CancelFunc
}

func (s *stopAfter) Send(ctx context.Context, to bot.Destination, m bot.Message) (string, error) {
	ref, err := s.next.Send(ctx, to, m)
	if s.n.Add(1) == s.after {
		s.cancel()
	}
	return ref, err
}

// TestReplicasSendEachPromptOnce runs three replicas against one
// PostgreSQL and one Redis with 2,000 clients due in the same minute. One
// replica is stopped mid-run (gracefully: it releases what it claimed) and
// another crashed earlier holding claimed deliveries (its leases must run
// out). Every client gets their prompt, and nobody gets it twice.
func TestReplicasSendEachPromptOnce(t *testing.T) {
	t.Parallel()
	const n = 2000
	dbURL := pgtest.URL(t)
	redisURL, prefix := redistest.Prefix(t)
	seedLog := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	seedDB, err := postgres.Open(context.Background(), dbURL, seedLog)
	must(t, err)
	t.Cleanup(func() { seedDB.Close() })
	must(t, seedDB.Migrate(context.Background()))
	clients := seedClients(t, seedDB, n)

	rec := &bottest.Messenger{}
	due := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	at := due.Add(20 * time.Second)
	// The coach booked sessions with some clients at 09:00 UTC: their
	// briefs fall due in the same minute as the prompts.
	const booked = 10
	bookSessions(t, seedDB, clients[:booked], due.Add(time.Hour), due.Add(-24*time.Hour))

	// A replica that crashed after planning and claiming a batch.
	crashed := newReplica(t, dbURL, redisURL, prefix, rec, at)
	if _, err := crashed.sched.Plan(context.Background()); err != nil {
		t.Fatal(err)
	}
	held, err := crashed.store.ClaimDeliveries(context.Background(), at, 2*time.Minute, 40)
	must(t, err)
	if len(held) != 40 {
		t.Fatalf("crashed replica claimed %d, want 40", len(held))
	}

	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	stopper := &stopAfter{next: rec, after: 300, cancel: stopB}
	replicas := []*replica{
		newReplica(t, dbURL, redisURL, prefix, rec, at),
		newReplica(t, dbURL, redisURL, prefix, stopper, at),
		newReplica(t, dbURL, redisURL, prefix, rec, at),
	}
	ctxs := []context.Context{context.Background(), ctxB, context.Background()}
	var wg sync.WaitGroup
	for i, r := range replicas {
		wg.Go(func() {
			if err := r.sched.Tick(ctxs[i]); err != nil && ctxs[i].Err() == nil {
				t.Errorf("replica %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ctxB.Err() == nil {
		t.Fatal("replica 1 was never stopped: the test did not test a stop mid-run")
	}
	if got := len(rec.Sent()); got != n+booked-len(held) {
		t.Errorf("before the crashed replica's leases expire: %d sent, want %d", got, n+booked-len(held))
	}
	// Past the crashed replica's lease, the survivors pick its work up.
	for i, r := range []*replica{replicas[0], replicas[2]} {
		r.clock.Set(at.Add(2*time.Minute + time.Second))
		wg.Go(func() {
			if err := r.sched.Tick(context.Background()); err != nil {
				t.Errorf("survivor %d: %v", i, err)
			}
		})
	}
	wg.Wait()

	counts := map[string]int{}
	for _, s := range rec.Sent() {
		counts[s.To.UserID]++
	}
	for _, c := range clients {
		if got := counts[c.ExternalID]; got != 1 {
			t.Errorf("%s (%s) got %d prompts, want 1", c.ExternalID, c.TimeZone, got)
		}
	}
	if len(counts) != n+1 {
		t.Errorf("%d distinct recipients, want %d clients and their coach", len(counts), n)
	}
	// The coach got each brief once.
	briefs := map[string]int{}
	for _, s := range rec.SentTo("coach") {
		// "Your session with client3 is at 09:00 (in 59 minutes)."
		line, _, _ := strings.Cut(s.Msg.Text, " (in ")
		briefs[line]++
	}
	for _, c := range clients[:booked] {
		if line := fmt.Sprintf("Your session with %s is at 09:00", c.DisplayName); briefs[line] != 1 {
			t.Errorf("the brief on %s went out %d times, want once: %v", c.DisplayName, briefs[line], briefs)
		}
	}
	if len(briefs) != booked {
		t.Errorf("the coach got %d different messages, want %d briefs: %v", len(briefs), booked, briefs)
	}
	// Every delivery is recorded as sent, with the adapter's reference.
	var pending, sent int
	err = seedDB.Pool().QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'sent' AND message_ref <> '')
		FROM deliveries WHERE kind = 'daily'`).Scan(&pending, &sent)
	must(t, err)
	if pending != 0 || sent != n {
		t.Errorf("deliveries: %d pending, %d sent with a reference; want 0 and %d", pending, sent, n)
	}
	err = seedDB.Pool().QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'sent' AND message_ref <> '')
		FROM deliveries WHERE kind = 'brief'`).Scan(&pending, &sent)
	must(t, err)
	if pending != 0 || sent != booked {
		t.Errorf("briefs: %d pending, %d sent with a reference; want 0 and %d", pending, sent, booked)
	}
}

// bookSessions books a session of each client with their coach starting
// at start, as the coach does at booked, and plans its brief and notes.
func bookSessions(t testing.TB, s bot.Store, clients []*bot.Person, start, booked time.Time) {
	t.Helper()
	ctx := context.Background()
	clock := bottest.NewClock(booked)
	core, err := bot.New(bot.Config{Store: s, Messenger: &bottest.Messenger{}, State: inproc.NewState(clock), Clock: clock,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	must(t, err)
	for _, c := range clients {
		e, err := s.LiveEngagementForClient(ctx, c.ID)
		must(t, err)
		ses := &bot.Session{EngagementID: e.ID, Day: bot.DateOf(start), Start: start, Minutes: 60, Source: bot.SessionBooked, CreatedAt: booked}
		must(t, s.CreateSession(ctx, ses))
		must(t, core.PlanSessions(ctx, ses))
	}
}

// TestRestartCatchesUpInsideGrace: the service is down across the 08:00
// UTC prompts. Restarted 2h30 later it still sends them; restarted 3h30
// later it records them as missed, and the next day's go out on time.
func TestRestartCatchesUpInsideGrace(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		down   time.Duration
		want   bot.DeliveryState
		nSends int
	}{
		{"inside grace", 2*time.Hour + 30*time.Minute, bot.DeliverySent, 10},
		{"outside grace", 3*time.Hour + 30*time.Minute, bot.DeliveryMissed, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbURL := pgtest.URL(t)
			log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
			first, err := postgres.Open(context.Background(), dbURL, log)
			must(t, err)
			must(t, first.Migrate(context.Background()))
			clients := seedClients(t, first, 10)
			due := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
			del := &deliverer{}
			s1, err := scheduler.New(scheduler.Config{Store: first, Deliverer: del, Clock: bottest.NewClock(due.Add(-time.Hour)), Logger: log})
			must(t, err)
			must(t, s1.Tick(context.Background()))
			first.Close() // down

			second, err := postgres.Open(context.Background(), dbURL, log)
			must(t, err)
			t.Cleanup(func() { second.Close() })
			clock := bottest.NewClock(due.Add(tt.down))
			s2, err := scheduler.New(scheduler.Config{Store: second, Deliverer: del, Clock: clock, Logger: log})
			must(t, err)
			must(t, s2.Tick(context.Background()))
			if got := len(del.kinds()); got != tt.nSends {
				t.Errorf("sent %d after the restart, want %d", got, tt.nSends)
			}
			for _, c := range clients {
				d, err := second.DeliveryByKey(context.Background(), c.ID, bot.DeliveryDaily, "2026-11-23")
				if err != nil {
					t.Fatalf("%s: the prompt due during downtime was dropped: %v", c.ExternalID, err)
				}
				if d.State != tt.want {
					t.Errorf("%s: %s, want %s", c.ExternalID, d.State, tt.want)
				}
			}
			clock.Set(due.Add(24 * time.Hour))
			must(t, s2.Tick(context.Background()))
			if got := len(del.kinds()); got != tt.nSends+10 {
				t.Errorf("sent %d by Tuesday 08:00, want %d", got, tt.nSends+10)
			}
		})
	}
}

// TestReplicasThroughOutcomeWriteFailures: three replicas on one
// PostgreSQL fan out 600 prompts while their outcome writes fail now and
// then (the database restarting, as a managed database's failover does).
// Every write is tried again until it lands; once every lease ran out and
// the replicas drain again, nobody got their prompt twice.
func TestReplicasThroughOutcomeWriteFailures(t *testing.T) {
	t.Parallel()
	const n = 600
	dbURL := pgtest.URL(t)
	redisURL, prefix := redistest.Prefix(t)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	seedDB, err := postgres.Open(context.Background(), dbURL, log)
	must(t, err)
	t.Cleanup(func() { seedDB.Close() })
	must(t, seedDB.Migrate(context.Background()))
	clients := seedClients(t, seedDB, n)

	rec := &bottest.Messenger{}
	at := time.Date(2026, 11, 23, 8, 0, 20, 0, time.UTC)
	var (
		replicas []*replica
		failures []*scheduler.Metrics
	)
	for range 3 {
		r := newReplica(t, dbURL, redisURL, prefix, rec, at)
		faulty := &faultStore{Store: r.store}
		// Calls 1–3 and 8–9 of each replica fail: a restart early in the
		// fan-out and a shorter one later.
		faulty.failing(func(call int) bool { return (call >= 1 && call <= 3) || call == 8 || call == 9 })
		m := scheduler.NewMetrics(nil)
		clock := r.clock
		rdb := redistest.Open(t, redisURL, prefix)
		paced, err := bot.Pace(rec, bot.PaceConfig{Limiter: rdb, Rate: 100000})
		must(t, err)
		core, err := bot.New(bot.Config{Store: faulty, Messenger: paced, State: rdb, Clock: clock, Logger: log})
		must(t, err)
		r.sched, err = scheduler.New(scheduler.Config{Store: faulty, Deliverer: core, Clock: clock, Logger: log, Metrics: m,
			Batch: 50, PlanBatch: 250, Sleep: func(_ context.Context, d time.Duration) error {
				clock.Advance(d)
				return nil
			}})
		must(t, err)
		replicas = append(replicas, r)
		failures = append(failures, m)
	}
	var wg sync.WaitGroup
	for i, r := range replicas {
		wg.Go(func() {
			if err := r.sched.Tick(context.Background()); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	// Past every lease, the replicas drain again: nothing is left to send.
	for i, r := range replicas {
		r.clock.Set(at.Add(10 * time.Minute))
		wg.Go(func() {
			if err := r.sched.Tick(context.Background()); err != nil {
				t.Errorf("replica %d after the leases: %v", i, err)
			}
		})
	}
	wg.Wait()

	counts := map[string]int{}
	for _, s := range rec.Sent() {
		counts[s.To.UserID]++
	}
	for _, c := range clients {
		if got := counts[c.ExternalID]; got != 1 {
			t.Errorf("%s got %d prompts, want 1", c.ExternalID, got)
		}
	}
	var pending, sent int
	err = seedDB.Pool().QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'sent' AND message_ref <> '')
		FROM deliveries WHERE kind = 'daily'`).Scan(&pending, &sent)
	must(t, err)
	if pending != 0 || sent != n {
		t.Errorf("deliveries: %d pending, %d sent with a reference; want 0 and %d", pending, sent, n)
	}
	var failed float64
	for _, m := range failures {
		failed += testutil.ToFloat64(m.OutcomeWriteFailures)
	}
	if failed == 0 {
		t.Error("no outcome write failed: the test tested nothing")
	}
}
