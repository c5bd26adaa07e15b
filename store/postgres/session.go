package postgres

import (
	"cmp"
	"context"
	"fmt"

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

// sessionSource is s, or logged when empty.
func sessionSource(s bot.SessionSource) bot.SessionSource {
	if s == "" {
		return bot.SessionLogged
	}
	return s
}
