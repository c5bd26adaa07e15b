package postgres

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const sessionColumns = `id, engagement_id, day, notes, created_at, start_at, minutes, source, uid, cancelled_at, updated_at`

func scanSession(r row) (*bot.Session, error) {
	var s bot.Session
	if err := r.Scan(&s.ID, &s.EngagementID, dateDest{&s.Day}, &s.Notes, timeDest{&s.CreatedAt},
		timeDest{&s.Start}, &s.Minutes, &s.Source, &s.UID, timeDest{&s.CancelledAt}, timeDest{&s.UpdatedAt}); err != nil {
		return nil, err
	}
	return &s, nil
}

// CreateSession implements bot.SessionStore.
func (db *DB) CreateSession(ctx context.Context, s *bot.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	created := db.orNow(s.CreatedAt)
	stored, err := scanSession(db.pool.QueryRow(ctx, `
		INSERT INTO sessions (engagement_id, day, notes, created_at, start_at, minutes, source, uid, cancelled_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING `+sessionColumns,
		s.EngagementID, dateArg(s.Day), s.Notes, created, timeArg(s.Start), s.Minutes,
		string(sessionSource(s.Source)), s.UID, timeArg(s.CancelledAt), timeArg(cmp.Or(s.UpdatedAt, created))))
	if err != nil {
		return wrap(err, fmt.Sprintf("create session of engagement %d", s.EngagementID))
	}
	*s = *stored
	return nil
}

// Sessions implements bot.SessionStore.
func (db *DB) Sessions(ctx context.Context, engagementID int64) ([]*bot.Session, error) {
	rows, _ := db.pool.Query(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE engagement_id = $1 ORDER BY day, id`, engagementID)
	ss, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Session, error) { return scanSession(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list sessions of engagement %d", engagementID))
	}
	return ss, nil
}

// Session implements bot.SessionStore.
func (db *DB) Session(ctx context.Context, id int64) (*bot.Session, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "Session not found.", fmt.Sprintf("load session %d", id))
	}
	return s, nil
}

// UpdateSession implements bot.SessionStore.
func (db *DB) UpdateSession(ctx context.Context, s *bot.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	stored, err := scanSession(db.pool.QueryRow(ctx, `
		UPDATE sessions SET day = $2, start_at = $3, minutes = $4, notes = $5, cancelled_at = $6, updated_at = $7
		WHERE id = $1
		RETURNING `+sessionColumns,
		s.ID, dateArg(s.Day), timeArg(s.Start), s.Minutes, s.Notes, timeArg(s.CancelledAt), db.orNow(s.UpdatedAt)))
	if err != nil {
		return notFound(err, "Session not found.", fmt.Sprintf("update session %d", s.ID))
	}
	*s = *stored
	return nil
}

// CoachSessions implements bot.SessionStore.
func (db *DB) CoachSessions(ctx context.Context, coachID int64, from, to time.Time) ([]*bot.Session, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+prefixed("s", sessionColumns)+` FROM sessions s
		JOIN engagements e ON e.id = s.engagement_id
		WHERE e.coach_id = $1 AND s.start_at >= $2 AND s.start_at < $3
		ORDER BY s.start_at, s.id`, coachID, instant(from), instant(to))
	ss, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Session, error) { return scanSession(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list sessions of coach %d", coachID))
	}
	return ss, nil
}

// sessionSource is s, or logged when empty.
func sessionSource(s bot.SessionSource) bot.SessionSource {
	if s == "" {
		return bot.SessionLogged
	}
	return s
}
