// What a run measured, and how it reads as broken promises.

package faults

import (
	"fmt"
	"time"
)

// Result is what a run measured.
type Result struct {
	Scenario Scenario
	Clients  int
	// SentOnce, Lost and Duplicated count clients whose prompt the fake
	// Slack received once, never, or more than once; Extra is how many
	// prompts beyond the first the duplicated ones got.
	SentOnce, Lost, Duplicated, Extra int
	// Failed counts what a human must fix: deliveries failed or
	// suspended, and schedules put on hold.
	Failed int
	// Pending counts deliveries still waiting when the run stopped.
	Pending int
	Answers AnswerTally
	// Drain is from the first prompt to the last client's first prompt;
	// Drained is false when some client never got theirs.
	Drain   time.Duration
	Drained bool
	// Notes are what else went wrong (a replica that exited on its own),
	// and examples of what the counts count.
	Notes []string
}

// AnswerTally counts the answers clients sent in their DM: Sent is every
// answer sent (each once, however many times Slack retried it), Acked
// those acknowledged with a 2xx. Of the acknowledged ones, StoredOnce are
// stored exactly once in their field of the check-in, Lost nowhere,
// Duplicated in more than one field, Misplaced in one but the wrong one.
// Unacked ones (Slack gave up) may be stored or not, but never twice.
type AnswerTally struct {
	Sent, Acked, StoredOnce, Lost, Duplicated, Misplaced int
}

// Problems lists, in words, how the run broke smart90's promise; none
// when it held.
func (r *Result) Problems() []string {
	var p []string
	if r.SentOnce != r.Clients {
		p = append(p, fmt.Sprintf("%d of %d clients got their prompt exactly once: %d never, %d more than once (%d extra prompts)",
			r.SentOnce, r.Clients, r.Lost, r.Duplicated, r.Extra))
	}
	if r.Failed > 0 {
		p = append(p, fmt.Sprintf("%d deliveries or schedules failed or on hold: a human must fix them", r.Failed))
	}
	if r.Pending > 0 {
		p = append(p, fmt.Sprintf("%d deliveries still pending when the run stopped", r.Pending))
	}
	a := r.Answers
	if a.StoredOnce != a.Acked || a.Duplicated > 0 {
		p = append(p, fmt.Sprintf("of %d acknowledged answers (%d sent) %d stored exactly once: %d lost, %d duplicated, %d in the wrong field",
			a.Acked, a.Sent, a.StoredOnce, a.Lost, a.Duplicated, a.Misplaced))
	}
	return append(p, r.Notes...)
}
