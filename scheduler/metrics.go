package scheduler

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/smart90/smart90/bot"
)

// Metrics are the scheduler's Prometheus metrics, labelled by delivery
// kind (daily, weekly, reminder, digest).
type Metrics struct {
	Due         *prometheus.CounterVec   // deliveries planned to be sent
	Sent        *prometheus.CounterVec   // deliveries the platform accepted
	Skipped     *prometheus.CounterVec   // deliveries no longer needed when due
	Failed      *prometheus.CounterVec   // deliveries that failed for good
	Missed      *prometheus.CounterVec   // deliveries past the grace window
	Retried     *prometheus.CounterVec   // transient failures that will be retried
	Lateness    *prometheus.HistogramVec // seconds from due to sent
	SendLatency *prometheus.HistogramVec // seconds one send took
	// RateLimitWait is the time senders waited for the per-workspace
	// outbound rate limiter, per wait.
	RateLimitWait prometheus.Histogram
}

// NewMetrics returns the metrics, registered with reg unless reg is nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "smart90", Name: name, Help: help}, []string{"kind"})
	}
	m := &Metrics{
		Due:     counter("deliveries_due_total", "Deliveries planned to be sent, by kind."),
		Sent:    counter("deliveries_sent_total", "Deliveries the chat platform accepted, by kind."),
		Skipped: counter("deliveries_skipped_total", "Deliveries no longer needed when due (answered, paused), by kind."),
		Failed:  counter("deliveries_failed_total", "Deliveries that failed for good, by kind."),
		Missed:  counter("deliveries_missed_total", "Deliveries recorded as missed: due longer ago than the grace window, by kind."),
		Retried: counter("deliveries_retried_total", "Transient send failures that will be retried, by kind."),
		Lateness: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "smart90", Name: "delivery_lateness_seconds",
			Help:    "Time from a delivery's due instant to its sending, by kind.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 10800},
		}, []string{"kind"}),
		SendLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "smart90", Name: "delivery_send_seconds",
			Help:    "Time one send took, rendering and the platform call included, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"kind"}),
		RateLimitWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "smart90", Name: "ratelimit_wait_seconds",
			Help:    "Time a send waited for the per-workspace outbound rate limiter, per wait.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}),
	}
	// Every kind is exported from the start, at zero, so that rates and
	// alerts work before the first delivery of a kind.
	for _, k := range []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryWeekly, bot.DeliveryReminder, bot.DeliveryDigest} {
		for _, c := range []*prometheus.CounterVec{m.Due, m.Sent, m.Skipped, m.Failed, m.Missed, m.Retried} {
			c.WithLabelValues(string(k))
		}
	}
	if reg != nil {
		reg.MustRegister(m.Due, m.Sent, m.Skipped, m.Failed, m.Missed, m.Retried, m.Lateness, m.SendLatency, m.RateLimitWait)
	}
	return m
}
