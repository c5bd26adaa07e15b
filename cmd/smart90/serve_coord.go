// What replicas share in memory (Redis, or in-process for one replica),
// and the metrics and logs that say how it is doing.

package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/redis"
)

// coordination is what replicas share in memory: conversation state, the
// outbound rate limiter, and the one-time OAuth install states (Deduper).
// Inbound events are de-duplicated in the database (bot.EventLog), which
// keeps its records when Redis restarts or is down.
type coordination struct {
	State   bot.ConversationState
	Deduper bot.Deduper
	Limiter bot.RateLimiter
	Ping    func(context.Context) error // nil when there is nothing to reach
	Close   func() error
	// Fallback paces this replica at its share of the rate while Redis
	// does not answer; nil for in-process coordination, which has no
	// share to keep.
	Fallback *inproc.Fallback
}

// openCoordination returns the in-process implementations when url is
// empty. Otherwise it returns Redis's, with the rate limiter behind an
// in-process fallback, and it starts even when Redis does not answer:
// Redis is an optimisation, and a replica that restarts during a Redis
// outage still serves (degraded, as /readyz says). Only a URL that cannot
// be read is an error.
func openCoordination(ctx context.Context, url, prefix string, clock bot.Clock, m *coordMetrics, log *slog.Logger) (*coordination, error) {
	if url == "" {
		return &coordination{State: inproc.NewState(clock), Deduper: inproc.NewDeduper(clock),
			Limiter: inproc.NewRateLimiter(clock), Close: func() error { return nil }}, nil
	}
	c, err := redis.New(url, redis.WithKeyPrefix(prefix))
	if err != nil {
		return nil, fmt.Errorf("open Redis: %w", err)
	}
	m.redisUp.Set(1)
	if err := c.Ping(ctx); err != nil {
		m.redisUp.Set(0)
		log.Error("Redis does not answer; serving without it until it does (sends paced per replica)", "err", err)
	}
	fb, err := inproc.NewFallback(inproc.FallbackConfig{Primary: c, Clock: clock,
		OnSwitch: func(primary bool, err error) {
			if primary {
				m.localPacing.Set(0)
				log.Info("rate limiter: Redis answers again; sends paced across replicas")
				return
			}
			m.localPacing.Set(1)
			log.Warn("rate limiter: Redis does not answer; each replica paces its share of the rate", "err", err)
		}})
	if err != nil {
		return nil, err
	}
	return &coordination{State: c, Deduper: c, Limiter: fb, Ping: c.Ping, Close: c.Close, Fallback: fb}, nil
}

// coordMetrics are the metrics of coordination between replicas.
type coordMetrics struct {
	redisUp      prometheus.Gauge
	localPacing  prometheus.Gauge
	liveReplicas prometheus.Gauge
	pauses       prometheus.Counter
}

// newCoordMetrics registers the coordination metrics with reg; the Redis
// ones only when Redis is used, so that a single replica's metrics do not
// report a Redis it does not have as down.
func newCoordMetrics(reg prometheus.Registerer, redis bool) *coordMetrics {
	m := &coordMetrics{
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{Name: "smart90_redis_up",
			Help: "1 when Redis answered the last check, 0 when it did not (the service goes on without it, degraded)."}),
		localPacing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "smart90_rate_limiter_local",
			Help: "1 while this replica paces sends in-process at its share of the rate because Redis does not answer."}),
		liveReplicas: prometheus.NewGauge(prometheus.GaugeOpts{Name: "smart90_replicas_live",
			Help: "Replicas with a live heartbeat in the database, as this replica last saw them."}),
		pauses: prometheus.NewCounter(prometheus.CounterOpts{Name: "smart90_rate_limit_pauses_total",
			Help: "Times a platform's Retry-After paused a workspace's sends."}),
	}
	reg.MustRegister(m.liveReplicas, m.pauses)
	if redis {
		reg.MustRegister(m.redisUp, m.localPacing)
	}
	return m
}

// redisCheck wraps ping (nil when Redis is not used) so that every check
// sets smart90_redis_up and logs when Redis goes away or comes back.
func redisCheck(ping func(context.Context) error, m *coordMetrics, log *slog.Logger) func(context.Context) error {
	if ping == nil {
		return nil
	}
	var mu sync.Mutex
	up := true
	return func(ctx context.Context) error {
		err := ping(ctx)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil && ctx.Err() != nil:
			// The caller gave up (a probe's client went away): no news.
		case err != nil:
			m.redisUp.Set(0)
			if up {
				log.Warn("Redis does not answer; serving degraded", "err", err)
			}
			up = false
		default:
			m.redisUp.Set(1)
			if !up {
				log.Info("Redis answers again")
			}
			up = true
		}
		return err
	}
}

// onPause logs and counts the pauses a platform's Retry-After asks for.
func onPause(m *coordMetrics, log *slog.Logger) func(key string, d time.Duration, err error) {
	return func(key string, d time.Duration, err error) {
		m.pauses.Inc()
		if err != nil {
			log.Warn("platform asked to wait; the pause holds on this replica only", "key", key, "retry_after", d, "err", err)
			return
		}
		log.Info("platform asked to wait; workspace paused", "key", key, "retry_after", d)
	}
}
