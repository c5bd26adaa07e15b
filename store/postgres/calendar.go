package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/smart90/smart90/bot"
)

const calendarColumns = `coach_id, url, etag, last_modified, next_fetch_at, lease_until, last_sync_at,
	failing_since, last_error, reported, created_at, updated_at`

const calendarNotFound = "That coach has no calendar connected."

func scanCalendar(r row) (*bot.Calendar, error) {
	var c bot.Calendar
	if err := r.Scan(&c.CoachID, &c.URL, &c.ETag, &c.LastModified, timeDest{&c.NextFetchAt}, timeDest{&c.LeaseUntil},
		timeDest{&c.LastSyncAt}, timeDest{&c.FailingSince}, &c.LastError, &c.Reported,
		timeDest{&c.CreatedAt}, timeDest{&c.UpdatedAt}); err != nil {
		return nil, err
	}
	return &c, nil
}

// PutCalendar implements bot.CalendarStore.
func (db *DB) PutCalendar(ctx context.Context, c *bot.Calendar) error {
	created := db.orNow(c.CreatedAt)
	updated := cmp.Or(instant(c.UpdatedAt), created)
	stored, err := scanCalendar(db.pool.QueryRow(ctx, `
		INSERT INTO calendars (coach_id, url, next_fetch_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (coach_id) DO UPDATE SET url = excluded.url, etag = '', last_modified = '',
			next_fetch_at = excluded.next_fetch_at, lease_until = NULL, last_sync_at = NULL,
			failing_since = NULL, last_error = '', reported = false, updated_at = excluded.updated_at
		RETURNING `+calendarColumns,
		c.CoachID, c.URL, instant(c.NextFetchAt), created, updated))
	if err != nil {
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return bot.Errorf(bot.ENOTFOUND, "That person does not exist.")
		}
		return wrap(err, fmt.Sprintf("put calendar of coach %d", c.CoachID))
	}
	*c = *stored
	return nil
}

// Calendar implements bot.CalendarStore.
func (db *DB) Calendar(ctx context.Context, coachID int64) (*bot.Calendar, error) {
	c, err := scanCalendar(db.pool.QueryRow(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE coach_id = $1`, coachID))
	if err != nil {
		return nil, notFound(err, calendarNotFound, fmt.Sprintf("load calendar of coach %d", coachID))
	}
	return c, nil
}

// DeleteCalendar implements bot.CalendarStore.
func (db *DB) DeleteCalendar(ctx context.Context, coachID int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM calendars WHERE coach_id = $1`, coachID)
	if err != nil {
		return wrap(err, fmt.Sprintf("delete calendar of coach %d", coachID))
	}
	if tag.RowsAffected() == 0 {
		return bot.Errorf(bot.ENOTFOUND, "%s", calendarNotFound)
	}
	return nil
}

// ClaimCalendars implements bot.CalendarStore in one statement, as
// ClaimDeliveries does (see there for why the CTE is MATERIALIZED).
func (db *DB) ClaimCalendars(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.Calendar, error) {
	if limit <= 0 {
		return []*bot.Calendar{}, nil
	}
	rows, _ := db.pool.Query(ctx, `
		WITH picked AS MATERIALIZED (
			SELECT coach_id FROM calendars
			WHERE next_fetch_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
			ORDER BY next_fetch_at, coach_id
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		UPDATE calendars c SET lease_until = $2
		FROM picked
		WHERE c.coach_id = picked.coach_id
		RETURNING `+prefixed("c", calendarColumns),
		instant(now), instant(now.Add(lease)), limit)
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Calendar, error) { return scanCalendar(r) })
	if err != nil {
		return nil, wrap(err, "claim calendars")
	}
	slices.SortFunc(cs, func(a, b *bot.Calendar) int {
		return cmp.Or(a.NextFetchAt.Compare(b.NextFetchAt), cmp.Compare(a.CoachID, b.CoachID))
	})
	return cs, nil
}

// UpdateCalendar implements bot.CalendarStore.
func (db *DB) UpdateCalendar(ctx context.Context, c *bot.Calendar) error {
	stored, err := scanCalendar(db.pool.QueryRow(ctx, `
		UPDATE calendars SET etag = $2, last_modified = $3, next_fetch_at = $4, lease_until = $5, last_sync_at = $6,
			failing_since = $7, last_error = $8, reported = $9, updated_at = $10
		WHERE coach_id = $1
		RETURNING `+calendarColumns,
		c.CoachID, c.ETag, c.LastModified, instant(c.NextFetchAt), timeArg(c.LeaseUntil), timeArg(c.LastSyncAt),
		timeArg(c.FailingSince), c.LastError, c.Reported, db.orNow(c.UpdatedAt)))
	if err != nil {
		return notFound(err, calendarNotFound, fmt.Sprintf("update calendar of coach %d", c.CoachID))
	}
	*c = *stored
	return nil
}

// SyncCalendarSessions implements bot.CalendarStore.
func (db *DB) SyncCalendarSessions(ctx context.Context, coachID int64, now, from time.Time, ss []*bot.Session) ([]*bot.Session, error) {
	if err := bot.CheckCalendarSessions(ss); err != nil {
		return nil, err
	}
	at := db.orNow(now)
	var changed []*bot.Session
	err := db.tx(ctx, func(tx pgx.Tx) error {
		changed = nil
		if len(ss) > 0 {
			// Held until commit: a disconnect waits for this sync, or
			// this sync finds the calendar gone.
			var one int
			if err := tx.QueryRow(ctx, `SELECT 1 FROM calendars WHERE coach_id = $1 FOR SHARE`, coachID).Scan(&one); err != nil {
				return notFound(err, calendarNotFound, "lock calendar")
			}
		}
		rows, _ := tx.Query(ctx, `SELECT id FROM engagements WHERE coach_id = $1`, coachID)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		mine := map[int64]bool{}
		for _, id := range ids {
			mine[id] = true
		}
		keep := map[bot.SessionKey]bool{}
		for _, s := range ss {
			if !mine[s.EngagementID] {
				return bot.Errorf(bot.EINVALID, "Engagement %d is not this coach's.", s.EngagementID)
			}
			keep[bot.SessionKey{EngagementID: s.EngagementID, UID: s.UID}] = true
			got, err := scanSession(tx.QueryRow(ctx, `
				INSERT INTO sessions (engagement_id, day, notes, created_at, start_at, minutes, source, uid, updated_at)
				VALUES ($1, $2, '', $3, $4, $5, $6, $7, $3)
				ON CONFLICT (engagement_id, uid) WHERE uid <> '' DO UPDATE
				SET day = excluded.day, start_at = excluded.start_at, minutes = excluded.minutes,
					cancelled_at = NULL, updated_at = excluded.updated_at
				WHERE sessions.day IS DISTINCT FROM excluded.day OR sessions.start_at IS DISTINCT FROM excluded.start_at
					OR sessions.minutes <> excluded.minutes OR sessions.cancelled_at IS NOT NULL
				RETURNING `+sessionColumns,
				s.EngagementID, dateArg(s.Day), at, timeArg(s.Start), s.Minutes, string(bot.SessionCalendar), s.UID))
			switch {
			case errors.Is(err, pgx.ErrNoRows): // unchanged
			case err != nil:
				return err
			default:
				changed = append(changed, got)
			}
		}
		rows, _ = tx.Query(ctx, `
			SELECT `+sessionColumns+` FROM sessions
			WHERE engagement_id = ANY($1) AND source = $2 AND cancelled_at IS NULL AND start_at >= $3
			FOR UPDATE`, ids, string(bot.SessionCalendar), instant(from))
		live, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Session, error) { return scanSession(r) })
		if err != nil {
			return err
		}
		for _, s := range live {
			if keep[bot.SessionKey{EngagementID: s.EngagementID, UID: s.UID}] {
				continue
			}
			got, err := scanSession(tx.QueryRow(ctx, `
				UPDATE sessions SET cancelled_at = $2, updated_at = $2 WHERE id = $1 RETURNING `+sessionColumns, s.ID, at))
			if err != nil {
				return err
			}
			changed = append(changed, got)
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("sync calendar sessions of coach %d", coachID))
	}
	bot.SortSessions(changed)
	return changed, nil
}
