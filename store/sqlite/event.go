package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/smart90/smart90/bot"
)

// Inbound event states as stored.
const (
	eventHandling = "handling"
	eventDone     = "done"
)

// BeginEvent implements bot.EventLog. SQLite has one writer at a time, so
// the read and the write in one transaction cannot interleave with another
// caller's.
func (db *DB) BeginEvent(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error) {
	state := bot.EventNew
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var stored string
		var expires int64
		err := tx.QueryRowContext(ctx, `SELECT state, expires_at FROM inbound_events WHERE key = ?`, key).
			Scan(&stored, &expires)
		switch {
		case err == nil && expires > unixMicro(now) && stored == eventDone:
			state = bot.EventDone
			return nil
		case err == nil && expires > unixMicro(now):
			state = bot.EventHandling
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO inbound_events (key, state, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
			key, eventHandling, unixMicro(now.Add(hold)))
		return err
	})
	if err != nil {
		return 0, failure{op: "begin inbound event " + key}.wrap(err)
	}
	return state, nil
}

// FinishEvent implements bot.EventLog.
func (db *DB) FinishEvent(ctx context.Context, key string, now time.Time, keep time.Duration) error {
	_, err := db.db.ExecContext(ctx, `
		INSERT INTO inbound_events (key, state, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
		key, eventDone, unixMicro(now.Add(keep)))
	return failure{op: "finish inbound event " + key}.wrap(err)
}

// ReleaseEvent implements bot.EventLog.
func (db *DB) ReleaseEvent(ctx context.Context, key string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM inbound_events WHERE key = ?`, key)
	return failure{op: "release inbound event " + key}.wrap(err)
}

// PruneEvents implements bot.EventLog.
func (db *DB) PruneEvents(ctx context.Context, now time.Time) (int, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM inbound_events WHERE expires_at <= ?`, unixMicro(now))
	if err != nil {
		return 0, failure{op: "prune inbound events"}.wrap(err)
	}
	n, err := res.RowsAffected()
	return int(n), failure{op: "prune inbound events"}.wrap(err)
}

// Heartbeat implements bot.ReplicaStore.
func (db *DB) Heartbeat(ctx context.Context, id string, now time.Time, ttl time.Duration) (int, error) {
	live := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO replicas (id, expires_at) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
			id, unixMicro(now.Add(ttl))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM replicas WHERE expires_at <= ? AND id <> ?`,
			unixMicro(now), id); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT 1 + count(*) FROM replicas WHERE expires_at > ? AND id <> ?`,
			unixMicro(now), id).Scan(&live)
	})
	if err != nil {
		return 0, failure{op: "record replica heartbeat"}.wrap(err)
	}
	return live, nil
}

// LeaveReplica implements bot.ReplicaStore.
func (db *DB) LeaveReplica(ctx context.Context, id string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM replicas WHERE id = ?`, id)
	return failure{op: "delete replica record"}.wrap(err)
}
