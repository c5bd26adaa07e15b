package sqlite

import (
	"context"

	"github.com/smart90/smart90/bot"
)

// CreateSession implements bot.SessionStore.
func (db *DB) CreateSession(ctx context.Context, s *bot.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	f := failure{op: "create session", missing: engagementNotFound}
	created := db.stamp(s.CreatedAt)
	err := db.db.QueryRowContext(ctx, `
		INSERT INTO sessions (engagement_id, day, notes, created_at) VALUES (?, ?, ?, ?)
		RETURNING id`, s.EngagementID, s.Day.String(), s.Notes, micros(created)).Scan(&s.ID)
	if err != nil {
		return f.wrap(err)
	}
	s.CreatedAt = created
	return nil
}

// Sessions implements bot.SessionStore.
func (db *DB) Sessions(ctx context.Context, engagementID int64) ([]*bot.Session, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, engagement_id, day, notes, created_at FROM sessions
		WHERE engagement_id = ? ORDER BY day, id`, engagementID)
	out, err := collect(rows, err, func(s scanner) (*bot.Session, error) {
		var x bot.Session
		if err := s.Scan(&x.ID, &x.EngagementID, date{&x.Day}, &x.Notes, instant{&x.CreatedAt}); err != nil {
			return nil, err
		}
		return &x, nil
	})
	if err != nil {
		return nil, failure{op: "list sessions"}.wrap(err)
	}
	return out, nil
}
