package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/smart90/smart90/bot"
)

const deliveryColumns = `id, person_id, engagement_id, kind, period, due_at, state, attempts,
	last_error, lease_until, message_ref, parts_sent, sent_at, created_at, updated_at, skip_reason`

func scanDelivery(s scanner) (*bot.Delivery, error) {
	var d bot.Delivery
	err := s.Scan(&d.ID, &d.PersonID, ref{&d.EngagementID}, &d.Kind, &d.Period, instant{&d.DueAt},
		&d.State, &d.Attempts, &d.LastError, instant{&d.LeaseUntil}, &d.MessageRef, &d.PartsSent,
		instant{&d.SentAt}, instant{&d.CreatedAt}, instant{&d.UpdatedAt}, &d.SkipReason)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

const deliveryNotFound = "Delivery not found."

// CreateDelivery implements bot.DeliveryStore. An empty State is stored as
// pending. The insert and the read back share one transaction, and the
// unique key makes concurrent callers agree on one row.
func (db *DB) CreateDelivery(ctx context.Context, d *bot.Delivery) (bool, error) {
	f := failure{op: "create delivery", missing: "Person or engagement not found."}
	created := db.stamp(d.CreatedAt)
	updated := db.stamp(d.UpdatedAt, created)
	state := d.State
	if state == "" {
		state = bot.DeliveryPending
	}
	var inserted bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (person_id, engagement_id, kind, period, due_at, state, attempts,
				last_error, lease_until, message_ref, parts_sent, sent_at, created_at, updated_at, skip_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (person_id, kind, period) DO NOTHING`,
			d.PersonID, nullID(d.EngagementID), d.Kind, d.Period, unixMicro(d.DueAt), state,
			d.Attempts, d.LastError, micros(d.LeaseUntil), d.MessageRef, d.PartsSent, micros(d.SentAt),
			micros(created), micros(updated), d.SkipReason)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		inserted = n == 1
		got, err := scanDelivery(tx.QueryRowContext(ctx,
			`SELECT `+deliveryColumns+` FROM deliveries WHERE person_id = ? AND kind = ? AND period = ?`,
			d.PersonID, d.Kind, d.Period))
		if err != nil {
			return err
		}
		*d = *got
		return nil
	})
	if err != nil {
		return false, f.wrap(err)
	}
	return inserted, nil
}

// Delivery implements bot.DeliveryStore.
func (db *DB) Delivery(ctx context.Context, id int64) (*bot.Delivery, error) {
	f := failure{op: "load delivery", missing: deliveryNotFound}
	d, err := scanDelivery(db.db.QueryRowContext(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	return d, f.wrap(err)
}

// DeliveryByKey implements bot.DeliveryStore.
func (db *DB) DeliveryByKey(ctx context.Context, personID int64, kind bot.DeliveryKind, period string) (*bot.Delivery, error) {
	f := failure{op: "load delivery", missing: deliveryNotFound}
	d, err := scanDelivery(db.db.QueryRowContext(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE person_id = ? AND kind = ? AND period = ?`,
		personID, kind, period))
	return d, f.wrap(err)
}

// ClaimDeliveries implements bot.DeliveryStore. The transaction begins
// IMMEDIATE, so it holds the write lock from the first read: concurrent
// claimers queue behind it and then see its leases.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.Delivery, error) {
	if limit <= 0 {
		return []*bot.Delivery{}, nil
	}
	at, until := unixMicro(now), unixMicro(now.Add(lease))
	var out []*bot.Delivery
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+deliveryColumns+` FROM deliveries
			WHERE state = ? AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY due_at, id LIMIT ?`, bot.DeliveryPending, at, at, limit)
		if out, err = collect(rows, err, scanDelivery); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `
				UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ?`,
				until, d.ID); err != nil {
				return err
			}
			d.LeaseUntil = time.UnixMicro(until).UTC()
			d.Attempts++
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: "claim deliveries"}.wrap(err)
	}
	return out, nil
}

// UpdateDelivery implements bot.DeliveryStore.
func (db *DB) UpdateDelivery(ctx context.Context, d *bot.Delivery) error {
	f := failure{op: "update delivery", missing: deliveryNotFound}
	updated := db.stamp(d.UpdatedAt)
	res, err := db.db.ExecContext(ctx, `
		UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, lease_until = ?,
			message_ref = ?, parts_sent = ?, sent_at = ?, due_at = ?, updated_at = ?, skip_reason = ?
		WHERE id = ?`,
		d.State, d.Attempts, d.LastError, micros(d.LeaseUntil), d.MessageRef, d.PartsSent, micros(d.SentAt),
		unixMicro(d.DueAt), micros(updated), d.SkipReason, d.ID)
	if err == nil {
		err = checkAffected(res, deliveryNotFound)
	}
	if err != nil {
		return f.wrap(err)
	}
	d.UpdatedAt = updated
	d.DueAt, d.LeaseUntil, d.SentAt = utc(d.DueAt), utc(d.LeaseUntil), utc(d.SentAt)
	return nil
}

// UpdateDeliveries implements bot.DeliveryStore in one write transaction,
// fenced by the claimed leases.
func (db *DB) UpdateDeliveries(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error) {
	if len(ds) != len(claimed) {
		return nil, fmt.Errorf("update deliveries: %d deliveries but %d leases", len(ds), len(claimed))
	}
	if len(ds) == 0 {
		return nil, nil
	}
	f := failure{op: "update deliveries", missing: deliveryNotFound}
	updated := make([]time.Time, len(ds))
	stored := make([]bool, len(ds))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `
			UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, lease_until = ?,
				message_ref = ?, parts_sent = ?, sent_at = ?, due_at = ?, updated_at = ?, skip_reason = ?
			WHERE id = ? AND lease_until IS ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, d := range ds {
			updated[i] = db.stamp(d.UpdatedAt)
			res, err := stmt.ExecContext(ctx, d.State, d.Attempts, d.LastError, micros(d.LeaseUntil), d.MessageRef,
				d.PartsSent, micros(d.SentAt), unixMicro(d.DueAt), micros(updated[i]), d.SkipReason, d.ID, micros(claimed[i]))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			stored[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, f.wrap(err)
	}
	var lost []int64
	for i, d := range ds {
		if !stored[i] {
			lost = append(lost, d.ID)
			continue
		}
		d.UpdatedAt = updated[i]
		d.DueAt, d.LeaseUntil, d.SentAt = utc(d.DueAt), utc(d.LeaseUntil), utc(d.SentAt)
	}
	return lost, nil
}

// LatestDelivery implements bot.DeliveryStore.
func (db *DB) LatestDelivery(ctx context.Context, personID int64, kind bot.DeliveryKind) (*bot.Delivery, error) {
	f := failure{op: "load latest delivery", missing: deliveryNotFound}
	d, err := scanDelivery(db.db.QueryRowContext(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries
		WHERE person_id = ? AND kind = ? AND state NOT IN (?, ?, ?)
		ORDER BY due_at DESC, id DESC LIMIT 1`,
		personID, kind, bot.DeliveryPending, bot.DeliverySkipped, bot.DeliveryMissed))
	return d, f.wrap(err)
}

// Deliveries implements bot.DeliveryStore.
func (db *DB) Deliveries(ctx context.Context, engagementID int64, from, to time.Time) ([]*bot.Delivery, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries
		WHERE engagement_id = ? AND due_at >= ? AND due_at < ?
		ORDER BY due_at, id`, engagementID,
		unixMicro(from), unixMicro(to))
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, failure{op: "list deliveries"}.wrap(err)
	}
	return out, nil
}
