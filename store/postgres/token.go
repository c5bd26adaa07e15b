package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const tokenColumns = `id, person_id, name, prefix, hash, created_at, last_used_at, revoked_at`

func scanToken(r row) (*bot.APIToken, error) {
	var t bot.APIToken
	err := r.Scan(&t.ID, &t.PersonID, &t.Name, &t.Prefix, &t.Hash,
		timeDest{&t.CreatedAt}, timeDest{&t.LastUsedAt}, timeDest{&t.RevokedAt})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateAPIToken implements bot.TokenStore. The person's row lock
// serializes creations, so the counts hold across replicas.
func (db *DB) CreateAPIToken(ctx context.Context, t *bot.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	created := db.orNow(t.CreatedAt)
	return db.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM people WHERE id = $1 FOR UPDATE`, t.PersonID).Scan(&one); err != nil {
			return notFound(err, "That person does not exist.", fmt.Sprintf("lock person %d", t.PersonID))
		}
		var live, all int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE revoked_at IS NULL), count(*) FROM api_tokens WHERE person_id = $1`,
			t.PersonID).Scan(&live, &all); err != nil {
			return wrap(err, fmt.Sprintf("count tokens of person %d", t.PersonID))
		}
		if err := bot.CheckAPITokenCounts(live, all); err != nil {
			return err
		}
		stored, err := scanToken(tx.QueryRow(ctx, `
			INSERT INTO api_tokens (person_id, name, prefix, hash, created_at, last_used_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING `+tokenColumns,
			t.PersonID, t.Name, t.Prefix, t.Hash, created, timeArg(t.LastUsedAt), timeArg(t.RevokedAt)))
		if err != nil {
			return wrap(err, fmt.Sprintf("create token of person %d", t.PersonID))
		}
		*t = *stored
		return nil
	})
}

// APITokenByHash implements bot.TokenStore.
func (db *DB) APITokenByHash(ctx context.Context, hash []byte) (*bot.APIToken, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "That token does not exist.", "load token by hash")
	}
	return t, nil
}

// APITokens implements bot.TokenStore.
func (db *DB) APITokens(ctx context.Context, personID int64) ([]*bot.APIToken, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE person_id = $1 ORDER BY id`, personID)
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.APIToken, error) { return scanToken(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list tokens of person %d", personID))
	}
	return ts, nil
}

// RevokeAPIToken implements bot.TokenStore.
func (db *DB) RevokeAPIToken(ctx context.Context, personID, id int64, at time.Time) error {
	var one int
	err := db.pool.QueryRow(ctx, `
		UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3)
		WHERE id = $1 AND person_id = $2 RETURNING 1`, id, personID, db.orNow(at)).Scan(&one)
	if err != nil {
		return notFound(err, "That token does not exist.", fmt.Sprintf("revoke token %d", id))
	}
	return nil
}

// TouchAPIToken implements bot.TokenStore.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	at = db.orNow(at)
	_, err := db.pool.Exec(ctx, `
		UPDATE api_tokens SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`, id, at, at.Add(-bot.TouchEvery))
	if err != nil {
		return wrap(err, fmt.Sprintf("touch token %d", id))
	}
	return nil
}
