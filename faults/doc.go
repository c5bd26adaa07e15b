// Package faults is the fault suite: it checks smart90's promise — every
// prompt goes out once, every acknowledged answer is kept, nothing is left
// for a human to fix — while something breaks.
//
// A run (Run) seeds clients whose daily check-in is due now, starts three
// `smart90 serve` processes of the real binary in HTTP mode against
// PostgreSQL and Redis reached through fault-injecting TCP proxies
// (toxiproxy, as a library, in this process) and against a fake Slack Web
// API (SlackFake) that records every chat.postMessage per channel. When
// about 30% of the prompts have arrived it injects one fault (Scenario):
// a replica killed with SIGKILL, PostgreSQL or Redis cut off, a 429 storm,
// hanging or failing API calls. In the database and Redis scenarios some
// clients answer their check-in in their DM meanwhile, message by message,
// as signed message.im events that the fake "Slack" retries (same event
// id, up to three times) when an answer is not acknowledged with a 2xx in
// time. Once everything settled, the run counts prompts received once,
// never, or more than once per client; acknowledged answers stored once,
// lost, duplicated or misplaced; deliveries failed and schedules on hold;
// and the time the fan-out took to drain (Result).
//
// The package's test runs every scenario at CI scale, each a subtest
// (go test ./faults -run 'TestFaults/pg-cut-5s'); `go run
// ./cmd/smart90-load -only faults` runs them with thousands of clients and
// prints the table RELIABILITY.md keeps.
package faults
