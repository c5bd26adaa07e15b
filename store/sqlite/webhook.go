package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

const webhookColumns = `id, coach_id, url, secret, events, disabled_at, disabled_reason, created_at, updated_at`

const webhookDeliveryColumns = `id, webhook_id, client_id, event_id, type, payload, due_at, lease_until, attempts, state,
	last_error, first_failed_at, delivered_at, created_at, updated_at`

const webhookNotFound = "You have no such webhook."

func scanWebhook(s scanner) (*bot.Webhook, error) {
	var w bot.Webhook
	var events string
	if err := s.Scan(&w.ID, &w.CoachID, &w.URL, &w.Secret, &events, instant{&w.DisabledAt}, &w.DisabledReason,
		instant{&w.CreatedAt}, instant{&w.UpdatedAt}); err != nil {
		return nil, err
	}
	w.Events = []string{}
	if events != "" {
		w.Events = strings.Split(events, ",")
	}
	return &w, nil
}

func scanWebhookDelivery(s scanner) (*bot.WebhookDelivery, error) {
	var d bot.WebhookDelivery
	if err := s.Scan(&d.ID, &d.WebhookID, ref{&d.ClientID}, &d.EventID, &d.Type, &d.Payload, instant{&d.DueAt},
		instant{&d.LeaseUntil}, &d.Attempts, &d.State, &d.LastError, instant{&d.FirstFailedAt}, instant{&d.DeliveredAt},
		instant{&d.CreatedAt}, instant{&d.UpdatedAt}); err != nil {
		return nil, err
	}
	return &d, nil
}

// PutWebhook implements bot.WebhookStore. The transaction is IMMEDIATE,
// so counting and adding are one step for callers at once.
func (db *DB) PutWebhook(ctx context.Context, w *bot.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	created := db.stamp(w.CreatedAt)
	updated := db.stamp(w.UpdatedAt, created)
	var stored *bot.Webhook
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhooks WHERE coach_id = ?`, w.CoachID).Scan(&n); err != nil {
			return err
		}
		if n >= bot.MaxWebhooks {
			return bot.Errorf(bot.ECONFLICT, "You have %d webhooks, the most a coach can have; remove one first (`webhook remove <n>`).", n)
		}
		var err error
		stored, err = scanWebhook(tx.QueryRowContext(ctx, `
			INSERT INTO webhooks (coach_id, url, secret, events, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			RETURNING `+webhookColumns,
			w.CoachID, w.URL, w.Secret, strings.Join(w.Events, ","), unixMicro(created), unixMicro(updated)))
		return err
	})
	if err != nil {
		return failure{op: "put webhook", missing: "That person does not exist."}.wrap(err)
	}
	*w = *stored
	return nil
}

// Webhooks implements bot.WebhookStore.
func (db *DB) Webhooks(ctx context.Context, coachID int64) ([]*bot.Webhook, error) {
	var ws []*bot.Webhook
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE coach_id = ? ORDER BY id`, coachID)
		if ws, err = collect(rows, err, scanWebhook); err != nil {
			return err
		}
		for _, w := range ws {
			d, err := scanWebhookDelivery(tx.QueryRowContext(ctx, `
				SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries
				WHERE webhook_id = ? AND (attempts > 0 OR state <> ?)
				ORDER BY updated_at DESC, id DESC LIMIT 1`, w.ID, bot.WebhookPending))
			switch {
			case err == sql.ErrNoRows:
			case err != nil:
				return err
			default:
				w.Last = d
			}
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: "list webhooks"}.wrap(err)
	}
	return ws, nil
}

// DeleteWebhook implements bot.WebhookStore; its deliveries go by cascade.
func (db *DB) DeleteWebhook(ctx context.Context, coachID, id int64) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ? AND coach_id = ?`, id, coachID)
	if err == nil {
		err = checkAffected(res, webhookNotFound)
	}
	return failure{op: "delete webhook"}.wrap(err)
}

// DisableWebhook implements bot.WebhookStore.
func (db *DB) DisableWebhook(ctx context.Context, id int64, at time.Time, reason string) (bool, error) {
	if err := bot.CheckText("reason", reason, bot.MaxTextLen); err != nil {
		return false, err
	}
	when := unixMicro(db.stamp(at))
	disabled := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var enabled bool
		if err := tx.QueryRowContext(ctx, `SELECT disabled_at IS NULL FROM webhooks WHERE id = ?`, id).Scan(&enabled); err != nil {
			return err
		}
		if !enabled {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET disabled_at = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`,
			when, reason, when, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET state = ?, last_error = ?, updated_at = ?
			WHERE webhook_id = ? AND state = ?`, bot.WebhookFailed, reason, when, id, bot.WebhookPending); err != nil {
			return err
		}
		disabled = true
		return nil
	})
	if err != nil {
		return false, failure{op: "disable webhook", missing: webhookNotFound}.wrap(err)
	}
	return disabled, nil
}

// EnableWebhook implements bot.WebhookStore.
func (db *DB) EnableWebhook(ctx context.Context, coachID, id int64, at time.Time) error {
	res, err := db.db.ExecContext(ctx, `
		UPDATE webhooks SET disabled_at = NULL, disabled_reason = '', updated_at = ?
		WHERE id = ? AND coach_id = ?`, unixMicro(db.stamp(at)), id, coachID)
	if err == nil {
		err = checkAffected(res, webhookNotFound)
	}
	return failure{op: "enable webhook"}.wrap(err)
}

// EnqueueWebhookEvent implements bot.WebhookStore in one statement; the
// unique (webhook_id, event_id) makes a second queueing a no-op.
func (db *DB) EnqueueWebhookEvent(ctx context.Context, coachID int64, ev *bot.WebhookEvent) (int, error) {
	if err := ev.Validate(); err != nil {
		return 0, err
	}
	at := unixMicro(db.stamp(ev.At))
	res, err := db.db.ExecContext(ctx, `
		INSERT INTO webhook_deliveries (webhook_id, client_id, event_id, type, payload, due_at, state, created_at, updated_at)
		SELECT w.id, ?, ?, ?, ?, ?, ?, ?, ?
		FROM webhooks w
		WHERE w.coach_id = ? AND w.disabled_at IS NULL
			AND CASE WHEN ? = 0 THEN instr(',' || w.events || ',', ',' || ? || ',') > 0 ELSE w.id = ? END
		ON CONFLICT (webhook_id, event_id) DO NOTHING`,
		nullID(ev.ClientID), ev.ID, ev.Type, ev.Payload, at, bot.WebhookPending, at, at,
		coachID, ev.WebhookID, ev.Type, ev.WebhookID)
	if err != nil {
		return 0, failure{op: fmt.Sprintf("queue webhook event %s", ev.Type), missing: "That person does not exist."}.wrap(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ClaimWebhookDeliveries implements bot.WebhookStore. The transaction
// begins IMMEDIATE (see ClaimDeliveries), so concurrent claimers queue.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.WebhookDelivery, error) {
	if limit <= 0 {
		return []*bot.WebhookDelivery{}, nil
	}
	at, until := unixMicro(now), unixMicro(now.Add(lease))
	var out []*bot.WebhookDelivery
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries d
			WHERE state = ? AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
				AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.disabled_at IS NULL)
			ORDER BY due_at, id LIMIT ?`, bot.WebhookPending, at, at, limit)
		if out, err = collect(rows, err, scanWebhookDelivery); err != nil {
			return err
		}
		hooks := map[int64]*bot.Webhook{}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `
				UPDATE webhook_deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ?`, until, d.ID); err != nil {
				return err
			}
			d.LeaseUntil = time.UnixMicro(until).UTC()
			d.Attempts++
			w, ok := hooks[d.WebhookID]
			if !ok {
				if w, err = scanWebhook(tx.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, d.WebhookID)); err != nil {
					return err
				}
				hooks[d.WebhookID] = w
			}
			copied := *w
			d.Webhook = &copied
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: "claim webhook deliveries"}.wrap(err)
	}
	return out, nil
}

// UpdateWebhookDeliveries implements bot.WebhookStore, fenced by the
// claimed leases, in one transaction.
func (db *DB) UpdateWebhookDeliveries(ctx context.Context, ds []*bot.WebhookDelivery, claimed []time.Time) ([]int64, error) {
	if len(ds) != len(claimed) {
		return nil, fmt.Errorf("update webhook deliveries: %d deliveries but %d leases", len(ds), len(claimed))
	}
	if len(ds) == 0 {
		return nil, nil
	}
	var lost []int64
	stored := make([]*bot.WebhookDelivery, len(ds))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		lost = nil
		for i, d := range ds {
			s, err := scanWebhookDelivery(tx.QueryRowContext(ctx, `
				UPDATE webhook_deliveries SET state = ?, last_error = ?, due_at = ?, lease_until = ?,
					first_failed_at = ?, delivered_at = ?, updated_at = ?
				WHERE id = ? AND lease_until IS ?
				RETURNING `+webhookDeliveryColumns,
				d.State, d.LastError, unixMicro(d.DueAt), micros(d.LeaseUntil), micros(d.FirstFailedAt), micros(d.DeliveredAt),
				unixMicro(db.stamp(d.UpdatedAt)), d.ID, micros(claimed[i])))
			switch {
			case err == sql.ErrNoRows:
				lost = append(lost, d.ID)
			case err != nil:
				return err
			default:
				stored[i] = s
			}
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: fmt.Sprintf("update %d webhook deliveries", len(ds))}.wrap(err)
	}
	for i, s := range stored {
		if s != nil {
			s.Webhook = ds[i].Webhook
			*ds[i] = *s
		}
	}
	return lost, nil
}
