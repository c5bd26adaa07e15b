package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/smart90/smart90/bot"
)

const reviewColumns = `id, engagement_id, cycle, win, change, status, submitted_at, updated_at`

func scanReview(s scanner) (*bot.Review, error) {
	var rv bot.Review
	err := s.Scan(&rv.ID, &rv.EngagementID, &rv.Cycle, &rv.Win, &rv.Change, &rv.Status,
		instant{&rv.SubmittedAt}, instant{&rv.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &rv, nil
}

const reviewNotFound = "Review not found."

// decide returns what decision d does to rock r (see RockDecision.Apply).
func decide(r *bot.Rock, d bot.RockDecision, learned string) rockMove {
	m := rockMove{rock: r, note: learned}
	m.status, m.progress = d.Apply(r)
	return m
}

// SaveReview implements bot.ReviewStore. Replacing a review keeps its ID.
func (db *DB) SaveReview(ctx context.Context, rv *bot.Review, applyBy int64) error {
	if err := rv.Validate(); err != nil {
		return err
	}
	f := failure{op: "save review", missing: engagementNotFound}
	updated := db.stamp(rv.UpdatedAt)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		moves := make([]rockMove, len(rv.Rocks))
		seen := make(map[int64]bool, len(rv.Rocks))
		for i, l := range rv.Rocks {
			if seen[l.RockID] {
				return &bot.Error{Code: bot.EINVALID, Message: "A rock can appear only once in a review."}
			}
			seen[l.RockID] = true
			r, err := rockOf(ctx, tx, l.RockID, rv.EngagementID)
			if err != nil {
				return err
			}
			moves[i] = decide(r, l.Decision, l.Learned)
		}
		got, err := scanReview(tx.QueryRowContext(ctx, `
			INSERT INTO reviews (engagement_id, cycle, win, change, status, submitted_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id, cycle) DO UPDATE SET
				win = excluded.win,
				change = excluded.change,
				status = excluded.status,
				submitted_at = excluded.submitted_at,
				updated_at = excluded.updated_at
			RETURNING `+reviewColumns,
			rv.EngagementID, rv.Cycle, rv.Win, rv.Change, rv.Status, micros(rv.SubmittedAt), micros(updated)))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM review_rocks WHERE review_id = ?`, got.ID); err != nil {
			return err
		}
		for i, l := range rv.Rocks {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO review_rocks (review_id, position, rock_id, decision, learned)
				VALUES (?, ?, ?, ?, ?)`, got.ID, i, l.RockID, l.Decision, l.Learned); err != nil {
				return err
			}
		}
		if applyBy != 0 {
			if err := applyRockMoves(ctx, tx, rv.EngagementID, applyBy, updated, moves); err != nil {
				return err
			}
		}
		got.Rocks = rv.Rocks
		*rv = *got
		return nil
	}))
}

// Review implements bot.ReviewStore.
func (db *DB) Review(ctx context.Context, engagementID int64, cycle int) (*bot.Review, error) {
	f := failure{op: "load review", missing: reviewNotFound}
	var rv *bot.Review
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		rv, err = scanReview(tx.QueryRowContext(ctx,
			`SELECT `+reviewColumns+` FROM reviews WHERE engagement_id = ? AND cycle = ?`, engagementID, cycle))
		if err != nil {
			return err
		}
		return loadReviewRocks(ctx, tx, []*bot.Review{rv})
	})
	if err != nil {
		return nil, f.wrap(err)
	}
	return rv, nil
}

// Reviews implements bot.ReviewStore.
func (db *DB) Reviews(ctx context.Context, engagementID int64) ([]*bot.Review, error) {
	var out []*bot.Review
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		rows, err := tx.QueryContext(ctx,
			`SELECT `+reviewColumns+` FROM reviews WHERE engagement_id = ? ORDER BY cycle`, engagementID)
		if out, err = collect(rows, err, scanReview); err != nil {
			return err
		}
		return loadReviewRocks(ctx, tx, out)
	})
	if err != nil {
		return nil, failure{op: "list reviews"}.wrap(err)
	}
	return out, nil
}

// loadReviewRocks fills the Rocks of reviews, in the order they were saved.
func loadReviewRocks(ctx context.Context, q queryer, reviews []*bot.Review) error {
	if len(reviews) == 0 {
		return nil
	}
	byID := make(map[int64]*bot.Review, len(reviews))
	args := make([]any, len(reviews))
	for i, rv := range reviews {
		byID[rv.ID] = rv
		args[i] = rv.ID
	}
	rows, err := q.QueryContext(ctx, `
		SELECT review_id, rock_id, decision, learned FROM review_rocks
		WHERE review_id IN (?`+strings.Repeat(", ?", len(reviews)-1)+`)
		ORDER BY review_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var reviewID int64
		var l bot.RockReview
		if err := rows.Scan(&reviewID, &l.RockID, &l.Decision, &l.Learned); err != nil {
			return err
		}
		rv := byID[reviewID]
		rv.Rocks = append(rv.Rocks, l)
	}
	return rows.Err()
}
