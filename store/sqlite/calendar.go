package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/smart90/smart90/bot"
)

const calendarColumns = `coach_id, url, etag, last_modified, next_fetch_at, lease_until, last_sync_at,
	failing_since, last_error, reported, created_at, updated_at`

const calendarNotFound = "That coach has no calendar connected."

func scanCalendar(s scanner) (*bot.Calendar, error) {
	var c bot.Calendar
	if err := s.Scan(&c.CoachID, &c.URL, &c.ETag, &c.LastModified, instant{&c.NextFetchAt}, instant{&c.LeaseUntil},
		instant{&c.LastSyncAt}, instant{&c.FailingSince}, &c.LastError, &c.Reported,
		instant{&c.CreatedAt}, instant{&c.UpdatedAt}); err != nil {
		return nil, err
	}
	return &c, nil
}

// PutCalendar implements bot.CalendarStore.
func (db *DB) PutCalendar(ctx context.Context, c *bot.Calendar) error {
	created := db.stamp(c.CreatedAt)
	updated := db.stamp(c.UpdatedAt, created)
	stored, err := scanCalendar(db.db.QueryRowContext(ctx, `
		INSERT INTO calendars (coach_id, url, next_fetch_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (coach_id) DO UPDATE SET url = excluded.url, etag = '', last_modified = '',
			next_fetch_at = excluded.next_fetch_at, lease_until = NULL, last_sync_at = NULL,
			failing_since = NULL, last_error = '', reported = 0, updated_at = excluded.updated_at
		RETURNING `+calendarColumns,
		c.CoachID, c.URL, unixMicro(c.NextFetchAt), unixMicro(created), unixMicro(updated)))
	if err != nil {
		return failure{op: "put calendar", missing: "That person does not exist."}.wrap(err)
	}
	*c = *stored
	return nil
}

// Calendar implements bot.CalendarStore.
func (db *DB) Calendar(ctx context.Context, coachID int64) (*bot.Calendar, error) {
	c, err := scanCalendar(db.db.QueryRowContext(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE coach_id = ?`, coachID))
	if err != nil {
		return nil, failure{op: "load calendar", missing: calendarNotFound}.wrap(err)
	}
	return c, nil
}

// DeleteCalendar implements bot.CalendarStore.
func (db *DB) DeleteCalendar(ctx context.Context, coachID int64) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM calendars WHERE coach_id = ?`, coachID)
	if err == nil {
		err = checkAffected(res, calendarNotFound)
	}
	return failure{op: "delete calendar"}.wrap(err)
}

// ClaimCalendars implements bot.CalendarStore. The transaction begins
// IMMEDIATE (see ClaimDeliveries), so concurrent claimers queue.
func (db *DB) ClaimCalendars(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.Calendar, error) {
	if limit <= 0 {
		return []*bot.Calendar{}, nil
	}
	at, until := unixMicro(now), unixMicro(now.Add(lease))
	var out []*bot.Calendar
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+calendarColumns+` FROM calendars
			WHERE next_fetch_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY next_fetch_at, coach_id LIMIT ?`, at, at, limit)
		if out, err = collect(rows, err, scanCalendar); err != nil {
			return err
		}
		for _, c := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE calendars SET lease_until = ? WHERE coach_id = ?`, until, c.CoachID); err != nil {
				return err
			}
			c.LeaseUntil = time.UnixMicro(until).UTC()
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: "claim calendars"}.wrap(err)
	}
	return out, nil
}

// UpdateCalendar implements bot.CalendarStore.
func (db *DB) UpdateCalendar(ctx context.Context, c *bot.Calendar) error {
	stored, err := scanCalendar(db.db.QueryRowContext(ctx, `
		UPDATE calendars SET etag = ?, last_modified = ?, next_fetch_at = ?, lease_until = ?, last_sync_at = ?,
			failing_since = ?, last_error = ?, reported = ?, updated_at = ?
		WHERE coach_id = ?
		RETURNING `+calendarColumns,
		c.ETag, c.LastModified, unixMicro(c.NextFetchAt), micros(c.LeaseUntil), micros(c.LastSyncAt),
		micros(c.FailingSince), c.LastError, c.Reported, unixMicro(db.stamp(c.UpdatedAt)), c.CoachID))
	if err != nil {
		return failure{op: "update calendar", missing: calendarNotFound}.wrap(err)
	}
	*c = *stored
	return nil
}

// SyncCalendarSessions implements bot.CalendarStore.
func (db *DB) SyncCalendarSessions(ctx context.Context, coachID int64, now, from time.Time, ss []*bot.Session) ([]*bot.Session, error) {
	if err := bot.CheckCalendarSessions(ss); err != nil {
		return nil, err
	}
	at := unixMicro(db.stamp(now))
	var changed []*bot.Session
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		changed = nil
		if len(ss) > 0 {
			// The transaction is IMMEDIATE: a disconnect is wholly before
			// or after it.
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM calendars WHERE coach_id = ?`, coachID).Scan(&one); err != nil {
				return failure{op: "find calendar", missing: calendarNotFound}.wrap(err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM engagements WHERE coach_id = ?`, coachID)
		ids, err := collect(rows, err, func(s scanner) (*int64, error) {
			var id int64
			return &id, s.Scan(&id)
		})
		if err != nil {
			return err
		}
		mine := map[int64]bool{}
		for _, id := range ids {
			mine[*id] = true
		}
		keep := map[bot.SessionKey]bool{}
		for _, s := range ss {
			if !mine[s.EngagementID] {
				return bot.Errorf(bot.EINVALID, "Engagement %d is not this coach's.", s.EngagementID)
			}
			keep[bot.SessionKey{EngagementID: s.EngagementID, UID: s.UID}] = true
			got, err := scanSession(tx.QueryRowContext(ctx, `
				INSERT INTO sessions (engagement_id, day, notes, created_at, start_at, minutes, source, uid, updated_at)
				VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7, ?3)
				ON CONFLICT (engagement_id, uid) WHERE uid <> '' DO UPDATE
				SET day = excluded.day, start_at = excluded.start_at, minutes = excluded.minutes,
					cancelled_at = NULL, updated_at = excluded.updated_at
				WHERE sessions.day IS NOT excluded.day OR sessions.start_at IS NOT excluded.start_at
					OR sessions.minutes <> excluded.minutes OR sessions.cancelled_at IS NOT NULL
				RETURNING `+sessionColumns,
				s.EngagementID, s.Day.String(), at, unixMicro(s.Start), s.Minutes, string(bot.SessionCalendar), s.UID))
			switch {
			case errors.Is(err, sql.ErrNoRows): // unchanged
			case err != nil:
				return err
			default:
				changed = append(changed, got)
			}
		}
		rows, err = tx.QueryContext(ctx, `
			SELECT `+sessionColumns+` FROM sessions
			WHERE engagement_id IN (SELECT id FROM engagements WHERE coach_id = ?)
				AND source = ? AND cancelled_at IS NULL AND start_at >= ?`,
			coachID, string(bot.SessionCalendar), unixMicro(from))
		live, err := collect(rows, err, scanSession)
		if err != nil {
			return err
		}
		for _, s := range live {
			if keep[bot.SessionKey{EngagementID: s.EngagementID, UID: s.UID}] {
				continue
			}
			got, err := scanSession(tx.QueryRowContext(ctx, `
				UPDATE sessions SET cancelled_at = ?, updated_at = ? WHERE id = ? RETURNING `+sessionColumns, at, at, s.ID))
			if err != nil {
				return err
			}
			changed = append(changed, got)
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: "sync calendar sessions"}.wrap(err)
	}
	bot.SortSessions(changed)
	return changed, nil
}
