package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/smart90/smart90/bot"
)

const webhookColumns = `id, coach_id, url, secret, events, disabled_at, disabled_reason, created_at, updated_at`

const webhookDeliveryColumns = `id, webhook_id, client_id, event_id, type, payload, due_at, lease_until, attempts, state,
	last_error, first_failed_at, delivered_at, created_at, updated_at`

const webhookNotFound = "You have no such webhook."

func webhookDest(w *bot.Webhook, events *string) []any {
	return []any{&w.ID, &w.CoachID, &w.URL, &w.Secret, events, timeDest{&w.DisabledAt}, &w.DisabledReason,
		timeDest{&w.CreatedAt}, timeDest{&w.UpdatedAt}}
}

func scanWebhook(r row) (*bot.Webhook, error) {
	var w bot.Webhook
	var events string
	if err := r.Scan(webhookDest(&w, &events)...); err != nil {
		return nil, err
	}
	w.Events = splitEvents(events)
	return &w, nil
}

// splitEvents reads the events column: types joined by commas.
func splitEvents(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func webhookDeliveryDest(d *bot.WebhookDelivery) []any {
	return []any{&d.ID, &d.WebhookID, idDest{&d.ClientID}, &d.EventID, &d.Type, &d.Payload, timeDest{&d.DueAt},
		timeDest{&d.LeaseUntil}, &d.Attempts, &d.State, &d.LastError, timeDest{&d.FirstFailedAt}, timeDest{&d.DeliveredAt},
		timeDest{&d.CreatedAt}, timeDest{&d.UpdatedAt}}
}

func scanWebhookDelivery(r row) (*bot.WebhookDelivery, error) {
	var d bot.WebhookDelivery
	if err := r.Scan(webhookDeliveryDest(&d)...); err != nil {
		return nil, err
	}
	return &d, nil
}

// PutWebhook implements bot.WebhookStore. The coach's row is locked
// while the webhooks are counted, so the limit holds for callers at once.
func (db *DB) PutWebhook(ctx context.Context, w *bot.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	created := db.orNow(w.CreatedAt)
	updated := cmp.Or(instant(w.UpdatedAt), created)
	var stored *bot.Webhook
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM people WHERE id = $1 FOR UPDATE`, w.CoachID).Scan(&n); err != nil {
			return notFound(err, "That person does not exist.", "lock coach")
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM webhooks WHERE coach_id = $1`, w.CoachID).Scan(&n); err != nil {
			return err
		}
		if n >= bot.MaxWebhooks {
			return bot.Errorf(bot.ECONFLICT, "You have %d webhooks, the most a coach can have; remove one first (`webhook remove <n>`).", n)
		}
		var err error
		stored, err = scanWebhook(tx.QueryRow(ctx, `
			INSERT INTO webhooks (coach_id, url, secret, events, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING `+webhookColumns,
			w.CoachID, w.URL, w.Secret, strings.Join(w.Events, ","), created, updated))
		return err
	})
	if err != nil {
		return wrap(err, fmt.Sprintf("put webhook of coach %d", w.CoachID))
	}
	*w = *stored
	return nil
}

// Webhooks implements bot.WebhookStore in two round trips.
func (db *DB) Webhooks(ctx context.Context, coachID int64) ([]*bot.Webhook, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE coach_id = $1 ORDER BY id`, coachID)
	ws, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Webhook, error) { return scanWebhook(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list webhooks of coach %d", coachID))
	}
	if len(ws) == 0 {
		return ws, nil
	}
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	rows, _ = db.pool.Query(ctx, `
		SELECT DISTINCT ON (webhook_id) `+webhookDeliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ANY($1) AND (attempts > 0 OR state <> '`+string(bot.WebhookPending)+`')
		ORDER BY webhook_id, updated_at DESC, id DESC`, ids)
	last, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.WebhookDelivery, error) { return scanWebhookDelivery(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list webhook deliveries of coach %d", coachID))
	}
	for _, d := range last {
		for _, w := range ws {
			if w.ID == d.WebhookID {
				w.Last = d
			}
		}
	}
	return ws, nil
}

// DeleteWebhook implements bot.WebhookStore; its deliveries go by cascade.
func (db *DB) DeleteWebhook(ctx context.Context, coachID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1 AND coach_id = $2`, id, coachID)
	if err != nil {
		return wrap(err, fmt.Sprintf("delete webhook %d", id))
	}
	if tag.RowsAffected() == 0 {
		return bot.Errorf(bot.ENOTFOUND, "%s", webhookNotFound)
	}
	return nil
}

// DisableWebhook implements bot.WebhookStore.
func (db *DB) DisableWebhook(ctx context.Context, id int64, at time.Time, reason string) (bool, error) {
	if err := bot.CheckText("reason", reason, bot.MaxTextLen); err != nil {
		return false, err
	}
	when := db.orNow(at)
	disabled := false
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var enabled bool
		if err := tx.QueryRow(ctx, `SELECT disabled_at IS NULL FROM webhooks WHERE id = $1 FOR UPDATE`, id).Scan(&enabled); err != nil {
			return notFound(err, webhookNotFound, "lock webhook")
		}
		if !enabled {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET disabled_at = $2, disabled_reason = $3, updated_at = $2 WHERE id = $1`,
			id, when, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE webhook_deliveries SET state = $3, last_error = $4, updated_at = $2
			WHERE webhook_id = $1 AND state = '`+string(bot.WebhookPending)+`'`,
			id, when, bot.WebhookFailed, reason); err != nil {
			return err
		}
		disabled = true
		return nil
	})
	if err != nil {
		return false, wrap(err, fmt.Sprintf("disable webhook %d", id))
	}
	return disabled, nil
}

// EnableWebhook implements bot.WebhookStore.
func (db *DB) EnableWebhook(ctx context.Context, coachID, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE webhooks SET disabled_at = NULL, disabled_reason = '', updated_at = $3
		WHERE id = $1 AND coach_id = $2`, id, coachID, db.orNow(at))
	if err != nil {
		return wrap(err, fmt.Sprintf("enable webhook %d", id))
	}
	if tag.RowsAffected() == 0 {
		return bot.Errorf(bot.ENOTFOUND, "%s", webhookNotFound)
	}
	return nil
}

// EnqueueWebhookEvent implements bot.WebhookStore in one statement: the
// unique (webhook_id, event_id) makes a second queueing a no-op, on any
// replica.
func (db *DB) EnqueueWebhookEvent(ctx context.Context, coachID int64, ev *bot.WebhookEvent) (int, error) {
	if err := ev.Validate(); err != nil {
		return 0, err
	}
	at := db.orNow(ev.At)
	tag, err := db.pool.Exec(ctx, `
		INSERT INTO webhook_deliveries (webhook_id, client_id, event_id, type, payload, due_at, state, created_at, updated_at)
		SELECT w.id, $2, $3, $4::text, $5, $6, '`+string(bot.WebhookPending)+`', $6, $6
		FROM webhooks w
		WHERE w.coach_id = $1 AND w.disabled_at IS NULL
			AND CASE WHEN $7::bigint = 0 THEN $4::text = ANY (string_to_array(w.events, ',')) ELSE w.id = $7 END
		ON CONFLICT (webhook_id, event_id) DO NOTHING`,
		coachID, idArg(ev.ClientID), ev.ID, ev.Type, ev.Payload, at, ev.WebhookID)
	if err != nil {
		return 0, wrap(err, fmt.Sprintf("queue webhook event %s of coach %d", ev.Type, coachID))
	}
	return int(tag.RowsAffected()), nil
}

// ClaimWebhookDeliveries implements bot.WebhookStore in one statement,
// as ClaimDeliveries does (see there for the MATERIALIZED CTE).
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.WebhookDelivery, error) {
	if limit <= 0 {
		return []*bot.WebhookDelivery{}, nil
	}
	rows, _ := db.pool.Query(ctx, `
		WITH picked AS MATERIALIZED (
			SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.state = '`+string(bot.WebhookPending)+`' AND d.due_at <= $1
				AND (d.lease_until IS NULL OR d.lease_until <= $1) AND w.disabled_at IS NULL
			ORDER BY d.due_at, d.id
			LIMIT $3
			FOR UPDATE OF d SKIP LOCKED)
		UPDATE webhook_deliveries d SET lease_until = $2, attempts = d.attempts + 1
		FROM picked, webhooks w
		WHERE d.id = picked.id AND w.id = d.webhook_id
		RETURNING `+prefixed("d", webhookDeliveryColumns)+`, `+prefixed("w", webhookColumns),
		instant(now), instant(now.Add(lease)), limit)
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.WebhookDelivery, error) {
		var d bot.WebhookDelivery
		var w bot.Webhook
		var events string
		if err := r.Scan(append(webhookDeliveryDest(&d), webhookDest(&w, &events)...)...); err != nil {
			return nil, err
		}
		w.Events = splitEvents(events)
		d.Webhook = &w
		return &d, nil
	})
	if err != nil {
		return nil, wrap(err, "claim webhook deliveries")
	}
	slices.SortFunc(ds, func(a, b *bot.WebhookDelivery) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	return ds, nil
}

// UpdateWebhookDeliveries implements bot.WebhookStore in one statement
// from arrays, fenced by the claimed leases.
func (db *DB) UpdateWebhookDeliveries(ctx context.Context, ds []*bot.WebhookDelivery, claimed []time.Time) ([]int64, error) {
	if len(ds) != len(claimed) {
		return nil, fmt.Errorf("update webhook deliveries: %d deliveries but %d leases", len(ds), len(claimed))
	}
	if len(ds) == 0 {
		return nil, nil
	}
	n := len(ds)
	ids, states, lastErrors := make([]int64, n), make([]string, n), make([]string, n)
	dues, leases, firsts, delivered, fences := make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n),
		make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
	updated := make([]time.Time, n)
	for i, d := range ds {
		ids[i], states[i], lastErrors[i] = d.ID, string(d.State), d.LastError
		dues[i], leases[i], firsts[i], delivered[i] = timeArg(d.DueAt), timeArg(d.LeaseUntil), timeArg(d.FirstFailedAt), timeArg(d.DeliveredAt)
		updated[i], fences[i] = db.orNow(d.UpdatedAt), timeArg(claimed[i])
	}
	rows, _ := db.pool.Query(ctx, `
		UPDATE webhook_deliveries d
		SET state = u.state, last_error = u.last_error, due_at = u.due_at, lease_until = u.lease_until,
			first_failed_at = u.first_failed_at, delivered_at = u.delivered_at, updated_at = u.updated_at
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[],
			$7::timestamptz[], $8::timestamptz[], $9::timestamptz[])
			AS u (id, state, last_error, due_at, lease_until, first_failed_at, delivered_at, updated_at, claimed)
		WHERE d.id = u.id AND d.lease_until IS NOT DISTINCT FROM u.claimed
		RETURNING `+prefixed("d", webhookDeliveryColumns),
		ids, states, lastErrors, dues, leases, firsts, delivered, updated, fences)
	stored, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.WebhookDelivery, error) { return scanWebhookDelivery(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("update %d webhook deliveries", n))
	}
	byID := make(map[int64]*bot.WebhookDelivery, len(stored))
	for _, d := range stored {
		byID[d.ID] = d
	}
	var lost []int64
	for _, d := range ds {
		if s, ok := byID[d.ID]; ok {
			s.Webhook = d.Webhook
			*d = *s
		} else {
			lost = append(lost, d.ID)
		}
	}
	return lost, nil
}
