package scheduler

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/smart90/smart90/bot"
)

// Reasons a claimed delivery is given back unsent (Metrics.Released).
const (
	releaseThrottled = "throttled" // the rate limiter had no room in time
	releaseLease     = "lease"     // too little of the claim's lease left to send safely
	releaseShutdown  = "shutdown"  // claimed, not started when the sender stopped
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

	// Released counts claimed deliveries given back unsent, by kind and
	// reason (throttled, lease, shutdown): no attempt is counted for them.
	Released *prometheus.CounterVec
	// LeaseLost counts outcomes not stored because the delivery's lease
	// ran out and another sender took it over, by kind. A sent outcome
	// lost so may mean a prompt sent twice.
	LeaseLost *prometheus.CounterVec
	// OutcomeWriteFailures counts writes of outcomes that failed (the
	// database unreachable), each try; OutcomeWriteRetries counts the
	// tries after a failure.
	OutcomeWriteFailures, OutcomeWriteRetries prometheus.Counter
	// OutcomesHeld is how many outcomes could not be written within their
	// lease and are kept in memory, to be written later and so that this
	// replica does not send them again.
	OutcomesHeld prometheus.Gauge
	// OutcomesRecalled counts outcomes kept in memory that were recorded
	// when this replica claimed their delivery again, instead of sending
	// it again.
	OutcomesRecalled prometheus.Counter
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
		Released: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "smart90", Name: "deliveries_released_total",
			Help: "Claimed deliveries given back unsent, without counting an attempt, by kind and reason (throttled: no room under the send rate; lease: claimed too long ago; shutdown).",
		}, []string{"kind", "reason"}),
		LeaseLost: counter("delivery_lease_takeovers_total",
			"Delivery outcomes not stored because the lease ran out and another sender took the delivery over, by kind."),
		OutcomeWriteFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "smart90", Name: "delivery_outcome_write_failures_total",
			Help: "Writes of delivery outcomes that failed (each try).",
		}),
		OutcomeWriteRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "smart90", Name: "delivery_outcome_write_retries_total",
			Help: "Writes of delivery outcomes tried again after a failure.",
		}),
		OutcomesHeld: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "smart90", Name: "delivery_outcomes_held",
			Help: "Delivery outcomes that could not be written in time, kept in memory so that they are not sent again.",
		}),
		OutcomesRecalled: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "smart90", Name: "delivery_outcomes_recalled_total",
			Help: "Outcomes kept in memory recorded when their delivery was claimed again, instead of sending it again.",
		}),
	}
	// Every kind is exported from the start, at zero, so that rates and
	// alerts work before the first delivery of a kind.
	for _, k := range []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryWeekly, bot.DeliveryReminder, bot.DeliveryDigest} {
		for _, c := range []*prometheus.CounterVec{m.Due, m.Sent, m.Skipped, m.Failed, m.Missed, m.Retried, m.LeaseLost} {
			c.WithLabelValues(string(k))
		}
		for _, r := range []string{releaseThrottled, releaseLease, releaseShutdown} {
			m.Released.WithLabelValues(string(k), r)
		}
	}
	if reg != nil {
		reg.MustRegister(m.Due, m.Sent, m.Skipped, m.Failed, m.Missed, m.Retried, m.Lateness, m.SendLatency, m.RateLimitWait,
			m.Released, m.LeaseLost, m.OutcomeWriteFailures, m.OutcomeWriteRetries, m.OutcomesHeld, m.OutcomesRecalled)
	}
	return m
}
