package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

// Inbound event states as stored.
const (
	eventHandling = "handling"
	eventDone     = "done"
)

// BeginEvent implements bot.EventLog in one statement: the insert takes a
// key with no record, the update takes one whose record expired, and a
// live record is left alone and read back. Concurrent callers serialize on
// the primary key, so exactly one of them inserts or updates.
func (db *DB) BeginEvent(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error) {
	var state string
	var taken bool
	err := db.pool.QueryRow(ctx, `
		WITH taken AS (
			INSERT INTO inbound_events (key, state, expires_at) VALUES ($1, $2, $4)
			ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at
			WHERE inbound_events.expires_at <= $3
			RETURNING state
		)
		SELECT state, true FROM taken
		UNION ALL
		SELECT state, false FROM inbound_events WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
		key, eventHandling, instant(now), instant(now.Add(hold))).Scan(&state, &taken)
	if errors.Is(err, pgx.ErrNoRows) {
		// Another transaction inserted the key after this statement's
		// snapshot was taken (the insert waited for it, then conflicted):
		// that caller holds it now.
		return bot.EventHandling, nil
	}
	if err != nil {
		return 0, wrap(err, fmt.Sprintf("begin inbound event %q", key))
	}
	return eventState(state, taken), nil
}

// eventState maps a stored record to the state BeginEvent reports.
func eventState(state string, taken bool) bot.EventState {
	switch {
	case taken:
		return bot.EventNew
	case state == eventDone:
		return bot.EventDone
	default:
		return bot.EventHandling
	}
}

// FinishEvent implements bot.EventLog.
func (db *DB) FinishEvent(ctx context.Context, key string, now time.Time, keep time.Duration) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO inbound_events (key, state, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
		key, eventDone, instant(now.Add(keep)))
	if err != nil {
		return wrap(err, fmt.Sprintf("finish inbound event %q", key))
	}
	return nil
}

// ReleaseEvent implements bot.EventLog.
func (db *DB) ReleaseEvent(ctx context.Context, key string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM inbound_events WHERE key = $1`, key); err != nil {
		return wrap(err, fmt.Sprintf("release inbound event %q", key))
	}
	return nil
}

// PruneEvents implements bot.EventLog.
func (db *DB) PruneEvents(ctx context.Context, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM inbound_events WHERE expires_at <= $1`, instant(now))
	if err != nil {
		return 0, wrap(err, "prune inbound events")
	}
	return int(tag.RowsAffected()), nil
}

// Heartbeat implements bot.ReplicaStore: it records id and counts the
// live replicas in one round trip, and clears records long dead.
func (db *DB) Heartbeat(ctx context.Context, id string, now time.Time, ttl time.Duration) (int, error) {
	var live int
	err := db.pool.QueryRow(ctx, `
		WITH beat AS (
			INSERT INTO replicas (id, expires_at) VALUES ($1, $3)
			ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
		), gone AS (
			DELETE FROM replicas WHERE expires_at <= $2 AND id <> $1
		)
		SELECT 1 + count(*) FROM replicas WHERE expires_at > $2 AND id <> $1`,
		id, instant(now), instant(now.Add(ttl))).Scan(&live)
	if err != nil {
		return 0, wrap(err, "record replica heartbeat")
	}
	return live, nil
}

// LeaveReplica implements bot.ReplicaStore.
func (db *DB) LeaveReplica(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM replicas WHERE id = $1`, id); err != nil {
		return wrap(err, "delete replica record")
	}
	return nil
}
