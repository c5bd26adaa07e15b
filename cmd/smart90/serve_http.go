// serve's HTTP side: health, readiness and metrics, beside the platforms'
// routes.

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	slackadapter "github.com/smart90/smart90/adapters/slack"
	"github.com/smart90/smart90/api"
)

// readiness reports whether to send this replica inbound traffic: 200
// while the database answers, 503 with what failed when it does not, and
// 503 once the service is stopping, so a load balancer stops sending it
// work. Redis (nil when not used) is reported but never makes the replica
// unready: without it sends are paced per replica and events
// de-duplicated in the database, and taking every replica out of the load
// balancer would drop the platforms' requests the database could serve.
func readiness(stopping *atomic.Bool, database, redis func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status := map[string]string{"database": "ok"}
		ok := !stopping.Load()
		if !ok {
			status["service"] = "stopping"
		}
		if err := database(ctx); err != nil {
			status["database"], ok = "unreachable", false
		}
		if redis != nil {
			status["redis"] = "ok"
			// The cause is logged, not shown: this route is as public as
			// /slack/events, and network errors name internal addresses.
			if err := redis(ctx); err != nil {
				status["redis"] = "degraded: unreachable; sends are paced per replica"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(status)
	})
}

// routes builds the HTTP routes: health, readiness and metrics, the
// /privacy and /terms pages, the read-only API under /api/v1/, and the
// routes of each configured platform's adapter.
func (s *server) routes(slackOut *slackadapter.Messenger, teams *teamsParts) error {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	s.mux.Handle("GET /readyz", readiness(&s.stopping, s.store.Ping, s.redisOK))
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	if err := pageRoutes(s.mux, s.cfg.Pages); err != nil {
		return err
	}
	// The API paces each token with the limiter sends use: shared
	// through Redis, with its per-replica fallback.
	apiHandler, err := api.New(api.Config{Store: s.store, Limiter: s.coord.Limiter, Clock: s.clock, Logger: s.log,
		Rate: s.cfg.APIRate, Burst: s.cfg.APIBurst})
	if err != nil {
		return err
	}
	s.mux.Handle("/api/v1/", apiHandler)
	if slackOut != nil {
		if err := s.slackRoutes(slackOut); err != nil {
			return err
		}
	}
	if teams != nil {
		return s.teamsRoutes(teams)
	}
	return nil
}
