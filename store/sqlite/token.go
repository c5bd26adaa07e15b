package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/smart90/smart90/bot"
)

const tokenColumns = `id, person_id, name, prefix, hash, created_at, last_used_at, revoked_at`

const tokenNotFound = "That token does not exist."

func scanToken(s scanner) (*bot.APIToken, error) {
	var t bot.APIToken
	err := s.Scan(&t.ID, &t.PersonID, &t.Name, &t.Prefix, &t.Hash,
		instant{&t.CreatedAt}, instant{&t.LastUsedAt}, instant{&t.RevokedAt})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateAPIToken implements bot.TokenStore; the write lock, taken when
// the transaction begins, serializes creations, so the counts hold.
func (db *DB) CreateAPIToken(ctx context.Context, t *bot.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	f := failure{op: "create token", missing: personNotFound, conflict: "That token already exists."}
	created := db.stamp(t.CreatedAt)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, t.PersonID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound(personNotFound)
		}
		var live, all int
		if err := tx.QueryRowContext(ctx, `
			SELECT count(*) FILTER (WHERE revoked_at IS NULL), count(*) FROM api_tokens WHERE person_id = ?`,
			t.PersonID).Scan(&live, &all); err != nil {
			return err
		}
		if err := bot.CheckAPITokenCounts(live, all); err != nil {
			return err
		}
		got, err := scanToken(tx.QueryRowContext(ctx, `
			INSERT INTO api_tokens (person_id, name, prefix, hash, created_at, last_used_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			RETURNING `+tokenColumns,
			t.PersonID, t.Name, t.Prefix, t.Hash, micros(created), micros(t.LastUsedAt), micros(t.RevokedAt)))
		if err != nil {
			return err
		}
		*t = *got
		return nil
	}))
}

// APITokenByHash implements bot.TokenStore.
func (db *DB) APITokenByHash(ctx context.Context, hash []byte) (*bot.APIToken, error) {
	t, err := scanToken(db.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, failure{op: "load token by hash", missing: tokenNotFound}.wrap(err)
	}
	return t, nil
}

// APITokens implements bot.TokenStore.
func (db *DB) APITokens(ctx context.Context, personID int64) ([]*bot.APIToken, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE person_id = ? ORDER BY id`, personID)
	out, err := collect(rows, err, scanToken)
	if err != nil {
		return nil, failure{op: "list tokens"}.wrap(err)
	}
	return out, nil
}

// RevokeAPIToken implements bot.TokenStore.
func (db *DB) RevokeAPIToken(ctx context.Context, personID, id int64, at time.Time) error {
	res, err := db.db.ExecContext(ctx, `
		UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?)
		WHERE id = ? AND person_id = ?`, micros(db.stamp(at)), id, personID)
	if err != nil {
		return failure{op: "revoke token"}.wrap(err)
	}
	return checkAffected(res, tokenNotFound)
}

// TouchAPIToken implements bot.TokenStore.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	at = db.stamp(at)
	_, err := db.db.ExecContext(ctx, `
		UPDATE api_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`, micros(at), id, unixMicro(at.Add(-bot.TouchEvery)))
	return failure{op: "touch token"}.wrap(err)
}
