package sqlite

import (
	"context"
	"time"

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

const sessionNotFound = "Session not found."

// Session implements bot.SessionStore.
func (db *DB) Session(ctx context.Context, id int64) (*bot.Session, error) {
	s, err := scanSession(db.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id))
	if err != nil {
		return nil, failure{op: "load session", missing: sessionNotFound}.wrap(err)
	}
	return s, nil
}

// UpdateSession implements bot.SessionStore.
func (db *DB) UpdateSession(ctx context.Context, s *bot.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	got, err := scanSession(db.db.QueryRowContext(ctx, `
		UPDATE sessions SET day = ?, start_at = ?, minutes = ?, notes = ?, cancelled_at = ?, updated_at = ?
		WHERE id = ?
		RETURNING `+sessionColumns,
		s.Day.String(), micros(s.Start), s.Minutes, s.Notes, micros(s.CancelledAt), micros(db.stamp(s.UpdatedAt)), s.ID))
	if err != nil {
		return failure{op: "update session", missing: sessionNotFound}.wrap(err)
	}
	*s = *got
	return nil
}

// CoachSessions implements bot.SessionStore.
func (db *DB) CoachSessions(ctx context.Context, coachID int64, from, to time.Time) ([]*bot.Session, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+prefixed("s", sessionColumns)+` FROM sessions s
		JOIN engagements e ON e.id = s.engagement_id
		WHERE e.coach_id = ? AND s.start_at >= ? AND s.start_at < ?
		ORDER BY s.start_at, s.id`, coachID, unixMicro(from), unixMicro(to))
	out, err := collect(rows, err, scanSession)
	if err != nil {
		return nil, failure{op: "list coach's sessions"}.wrap(err)
	}
	return out, nil
}
