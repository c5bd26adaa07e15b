package sqlite

import (
	"context"

	"github.com/smart90/smart90/bot"
)

// CreateDigest implements bot.DigestStore.
func (db *DB) CreateDigest(ctx context.Context, d *bot.Digest) error {
	if err := d.Validate(); err != nil {
		return err
	}
	f := failure{op: "create digest", missing: "Coach not found.",
		conflict: "The digest for that week was already posted."}
	posted := db.stamp(d.PostedAt)
	err := db.db.QueryRowContext(ctx, `
		INSERT INTO digests (coach_id, week, channel, parent_ref, summary, posted_at)
		VALUES (?, ?, ?, ?, ?, ?)
		RETURNING id`,
		d.CoachID, d.Week.String(), d.Channel, d.ParentRef, d.Summary, micros(posted)).Scan(&d.ID)
	if err != nil {
		return f.wrap(err)
	}
	d.PostedAt = posted
	return nil
}

// LatestDigest implements bot.DigestStore.
func (db *DB) LatestDigest(ctx context.Context, coachID int64) (*bot.Digest, error) {
	f := failure{op: "load latest digest", missing: "No digest posted yet."}
	var d bot.Digest
	err := db.db.QueryRowContext(ctx, `
		SELECT id, coach_id, week, channel, parent_ref, summary, posted_at FROM digests
		WHERE coach_id = ? ORDER BY week DESC, id DESC LIMIT 1`, coachID).
		Scan(&d.ID, &d.CoachID, date{&d.Week}, &d.Channel, &d.ParentRef, &d.Summary, instant{&d.PostedAt})
	if err != nil {
		return nil, f.wrap(err)
	}
	return &d, nil
}
