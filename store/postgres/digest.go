package postgres

import (
	"context"
	"fmt"

	"github.com/smart90/smart90/bot"
)

const digestColumns = `id, coach_id, week, channel, parent_ref, summary, posted_at`

func scanDigest(r row) (*bot.Digest, error) {
	var d bot.Digest
	err := r.Scan(&d.ID, &d.CoachID, dateDest{&d.Week}, &d.Channel, &d.ParentRef, &d.Summary, timeDest{&d.PostedAt})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// CreateDigest implements bot.DigestStore. A zero PostedAt is the current
// time.
func (db *DB) CreateDigest(ctx context.Context, d *bot.Digest) error {
	if err := d.Validate(); err != nil {
		return err
	}
	stored, err := scanDigest(db.pool.QueryRow(ctx, `
		INSERT INTO digests (coach_id, week, channel, parent_ref, summary, posted_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+digestColumns,
		d.CoachID, dateArg(d.Week), d.Channel, d.ParentRef, d.Summary, db.orNow(d.PostedAt)))
	if err != nil {
		return wrap(err, fmt.Sprintf("create digest of coach %d for %s", d.CoachID, d.Week))
	}
	*d = *stored
	return nil
}

// LatestDigest implements bot.DigestStore.
func (db *DB) LatestDigest(ctx context.Context, coachID int64) (*bot.Digest, error) {
	d, err := scanDigest(db.pool.QueryRow(ctx,
		`SELECT `+digestColumns+` FROM digests WHERE coach_id = $1 ORDER BY week DESC LIMIT 1`, coachID))
	if err != nil {
		return nil, notFound(err, "No digest has been posted yet.", fmt.Sprintf("load latest digest of coach %d", coachID))
	}
	return d, nil
}
