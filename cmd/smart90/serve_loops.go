// serve's background loops: the replica heartbeat, the Redis check and
// the pruning of expired inbound events.

package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
)

// Background loops' periods.
const (
	// heartbeatEvery is how often a replica says it is alive, and
	// heartbeatTTL how long that lasts: a replica that died stops counting
	// towards the live replicas (and the others' share of the rate rises)
	// after at most heartbeatTTL.
	heartbeatEvery = 10 * time.Second
	heartbeatTTL   = 30 * time.Second
	// redisCheckEvery is how often smart90_redis_up is refreshed between
	// readiness probes.
	redisCheckEvery = 5 * time.Second
	// pruneEvery is how often the inbound events whose record expired are
	// deleted (they are kept a day; a few minutes late costs nothing).
	pruneEvery = 5 * time.Minute
	// calendarsEvery is how often a replica looks for coaches' calendars
	// due to be read (each is read every bot.CalendarEvery).
	calendarsEvery = time.Minute
	// webhooksEvery is how often a replica looks for webhook events due:
	// a first try within seconds, retries at their backoff.
	webhooksEvery = 5 * time.Second
)

// loops are the background loops of serve; stop ends them.
type loops struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	store     bot.ReplicaStore
	replicaID string
	log       *slog.Logger
}

// startLoops starts the background loops until ctx is done or stop: the
// replica's heartbeat (the live count sets fb's share of the rate; fb is
// nil without Redis), redisOK (nil without Redis) behind smart90_redis_up,
// and pruning expired inbound events.
func startLoops(ctx context.Context, store bot.Store, fb *inproc.Fallback, redisOK func(context.Context) error,
	m *coordMetrics, clock bot.Clock, log *slog.Logger) *loops {
	ctx, cancel := context.WithCancel(ctx)
	l := &loops{cancel: cancel, store: store, replicaID: rand.Text(), log: log}
	beat := func(ctx context.Context) {
		live, err := store.Heartbeat(ctx, l.replicaID, clock.Now().UTC(), heartbeatTTL)
		if err != nil {
			// The last count stands: the database being down stops
			// sending anyway.
			log.WarnContext(ctx, "replica heartbeat", "err", err)
			return
		}
		m.liveReplicas.Set(float64(live))
		if fb != nil {
			fb.SetLive(live)
		}
	}
	l.wg.Go(func() { every(ctx, heartbeatEvery, beat) })
	if redisOK != nil {
		l.wg.Go(func() {
			every(ctx, redisCheckEvery, func(ctx context.Context) {
				ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				_ = redisOK(ctx) // logged and counted by redisOK
			})
		})
	}
	l.wg.Go(func() {
		every(ctx, pruneEvery, func(ctx context.Context) {
			n, err := store.PruneEvents(ctx, clock.Now().UTC())
			switch {
			case err != nil:
				log.WarnContext(ctx, "prune inbound events", "err", err)
			case n > 0:
				log.DebugContext(ctx, "pruned inbound events", "n", n)
			}
		})
	})
	return l
}

// stop ends the loops and takes the replica out of the live count, so that
// the others' share of the rate rises at once rather than when its
// heartbeat runs out.
func (l *loops) stop(ctx context.Context) {
	l.cancel()
	l.wg.Wait()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := l.store.LeaveReplica(ctx, l.replicaID); err != nil {
		l.log.Warn("leave the replicas", "err", err)
	}
}

// readCalendars runs cs every calendarsEvery until ctx is done: it reads
// the calendars due, which replicas share through the store's claims.
func (l *loops) readCalendars(ctx context.Context, cs *bot.CalendarSyncer) {
	l.wg.Go(func() {
		every(ctx, calendarsEvery, func(ctx context.Context) {
			if _, err := cs.RunOnce(ctx); err != nil && ctx.Err() == nil {
				l.log.WarnContext(ctx, "read calendars", "err", err)
			}
		})
	})
}

// sendWebhooks runs ws every webhooksEvery until ctx is done: it sends
// the webhook events due, which replicas share through the store's
// claims.
func (l *loops) sendWebhooks(ctx context.Context, ws *bot.WebhookSender) {
	l.wg.Go(func() {
		every(ctx, webhooksEvery, func(ctx context.Context) {
			if _, err := ws.RunOnce(ctx); err != nil && ctx.Err() == nil {
				l.log.WarnContext(ctx, "send webhooks", "err", err)
			}
		})
	})
}

// every runs f now and then every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
