package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

// reviewColumns reads a review with its rock lines in one statement, so a
// list never mixes a review with another version's lines.
const reviewColumns = `v.id, v.engagement_id, v.cycle, v.win, v.change, v.status, v.submitted_at, v.updated_at,
	(SELECT jsonb_agg(jsonb_build_object('RockID', l.rock_id, 'Decision', l.decision, 'Learned', l.learned)
			ORDER BY l.position)
		FROM review_rocks l WHERE l.review_id = v.id)`

func scanReview(r row) (*bot.Review, error) {
	var rv bot.Review
	err := r.Scan(&rv.ID, &rv.EngagementID, &rv.Cycle, &rv.Win, &rv.Change, &rv.Status,
		timeDest{&rv.SubmittedAt}, timeDest{&rv.UpdatedAt}, &rv.Rocks)
	if err != nil {
		return nil, err
	}
	return &rv, nil
}

// decide returns what decision d does to rock r (see RockDecision.Apply).
func decide(r *bot.Rock, d bot.RockDecision, learned string) rockMove {
	m := rockMove{rock: r, note: learned}
	m.status, m.progress = d.Apply(r)
	return m
}

// SaveReview implements bot.ReviewStore. Replacing a review keeps its ID.
// The rocks it names are locked for the transaction, after the
// engagement's row when it applies decisions (see SaveWeeklyReport).
func (db *DB) SaveReview(ctx context.Context, rv *bot.Review, applyBy int64) error {
	if err := rv.Validate(); err != nil {
		return err
	}
	ids := make([]int64, len(rv.Rocks))
	seen := make(map[int64]bool, len(rv.Rocks))
	for i, l := range rv.Rocks {
		if seen[l.RockID] {
			return bot.Errorf(bot.EINVALID, "A rock can appear only once in a review.")
		}
		seen[l.RockID], ids[i] = true, l.RockID
	}
	updated := db.orNow(rv.UpdatedAt)
	return db.tx(ctx, func(tx pgx.Tx) error {
		if applyBy != 0 {
			if err := lockEngagement(ctx, tx, rv.EngagementID); err != nil {
				return err
			}
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO reviews (engagement_id, cycle, win, change, status, submitted_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (engagement_id, cycle) DO UPDATE
			SET win = EXCLUDED.win, change = EXCLUDED.change, status = EXCLUDED.status,
				submitted_at = EXCLUDED.submitted_at, updated_at = EXCLUDED.updated_at
			RETURNING id`,
			rv.EngagementID, rv.Cycle, rv.Win, rv.Change, rv.Status, timeArg(rv.SubmittedAt), updated).Scan(&id)
		if err != nil {
			return wrap(err, fmt.Sprintf("save review of engagement %d for cycle %d", rv.EngagementID, rv.Cycle))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM review_rocks WHERE review_id = $1`, id); err != nil {
			return wrap(err, fmt.Sprintf("replace rock lines of review %d", id))
		}
		rocks, err := lockRocks(ctx, tx, rv.EngagementID, ids)
		if err != nil {
			return err
		}
		moves := make([]rockMove, len(rv.Rocks))
		for i, l := range rv.Rocks {
			if _, err := tx.Exec(ctx, `
				INSERT INTO review_rocks (review_id, position, engagement_id, rock_id, decision, learned)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				id, i+1, rv.EngagementID, l.RockID, l.Decision, l.Learned); err != nil {
				return wrap(err, fmt.Sprintf("save rock line of review %d", id))
			}
			moves[i] = decide(rocks[i], l.Decision, l.Learned)
		}
		if applyBy != 0 {
			if err := applyRockMoves(ctx, tx, rv.EngagementID, applyBy, updated, moves); err != nil {
				return err
			}
		}
		stored, err := scanReview(tx.QueryRow(ctx, `SELECT `+reviewColumns+` FROM reviews v WHERE v.id = $1`, id))
		if err != nil {
			return wrap(err, fmt.Sprintf("load review %d", id))
		}
		*rv = *stored
		return nil
	})
}

// Review implements bot.ReviewStore.
func (db *DB) Review(ctx context.Context, engagementID int64, cycle int) (*bot.Review, error) {
	rv, err := scanReview(db.pool.QueryRow(ctx,
		`SELECT `+reviewColumns+` FROM reviews v WHERE v.engagement_id = $1 AND v.cycle = $2`, engagementID, cycle))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("There is no review of cycle %d.", cycle),
			fmt.Sprintf("load review of engagement %d for cycle %d", engagementID, cycle))
	}
	return rv, nil
}

// Reviews implements bot.ReviewStore.
func (db *DB) Reviews(ctx context.Context, engagementID int64) ([]*bot.Review, error) {
	rows, _ := db.pool.Query(ctx,
		`SELECT `+reviewColumns+` FROM reviews v WHERE v.engagement_id = $1 ORDER BY v.cycle`, engagementID)
	rvs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Review, error) { return scanReview(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list reviews of engagement %d", engagementID))
	}
	return rvs, nil
}
