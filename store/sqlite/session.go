package sqlite

import (
	"context"

	"github.com/smart90/smart90/bot"
)

const sessionColumns = `id, engagement_id, day, notes, created_at, start_at, minutes, source, uid, cancelled_at, updated_at`

func scanSession(s scanner) (*bot.Session, error) {
	var x bot.Session
	if err := s.Scan(&x.ID, &x.EngagementID, date{&x.Day}, &x.Notes, instant{&x.CreatedAt},
		instant{&x.Start}, &x.Minutes, &x.Source, &x.UID, instant{&x.CancelledAt}, instant{&x.UpdatedAt}); err != nil {
		return nil, err
	}
	return &x, nil
}

// CreateSession implements bot.SessionStore.
func (db *DB) CreateSession(ctx context.Context, s *bot.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	f := failure{op: "create session", missing: engagementNotFound}
	created := db.stamp(s.CreatedAt)
	source := s.Source
	if source == "" {
		source = bot.SessionLogged
	}
	got, err := scanSession(db.db.QueryRowContext(ctx, `
		INSERT INTO sessions (engagement_id, day, notes, created_at, start_at, minutes, source, uid, cancelled_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+sessionColumns, s.EngagementID, s.Day.String(), s.Notes, micros(created),
		micros(s.Start), s.Minutes, string(source), s.UID, micros(s.CancelledAt), micros(db.stamp(s.UpdatedAt, created))))
	if err != nil {
		return f.wrap(err)
	}
	*s = *got
	return nil
}

// Sessions implements bot.SessionStore.
func (db *DB) Sessions(ctx context.Context, engagementID int64) ([]*bot.Session, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+sessionColumns+` FROM sessions
		WHERE engagement_id = ? ORDER BY day, id`, engagementID)
	out, err := collect(rows, err, scanSession)
	if err != nil {
		return nil, failure{op: "list sessions"}.wrap(err)
	}
	return out, nil
}
