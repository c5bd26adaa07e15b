package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/smart90/smart90/bot"
)

const deliveryColumns = `id, person_id, engagement_id, kind, period, due_at, state, attempts, last_error,
	lease_until, message_ref, parts_sent, sent_at, created_at, updated_at, skip_reason`

func scanDelivery(r row) (*bot.Delivery, error) {
	var d bot.Delivery
	err := r.Scan(&d.ID, &d.PersonID, idDest{&d.EngagementID}, &d.Kind, &d.Period, timeDest{&d.DueAt},
		&d.State, &d.Attempts, &d.LastError, timeDest{&d.LeaseUntil}, &d.MessageRef, &d.PartsSent, timeDest{&d.SentAt},
		timeDest{&d.CreatedAt}, timeDest{&d.UpdatedAt}, &d.SkipReason)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func collectDeliveries(rows pgx.Rows) ([]*bot.Delivery, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Delivery, error) { return scanDelivery(r) })
}

// CreateDelivery implements bot.DeliveryStore. Replicas scheduling the same
// prompt race on the unique key: one insert wins, the others insert nothing
// and read the winner's row. An empty State is stored as pending; a zero
// UpdatedAt becomes CreatedAt.
func (db *DB) CreateDelivery(ctx context.Context, d *bot.Delivery) (created bool, err error) {
	createdAt := db.orNow(d.CreatedAt)
	updatedAt := d.UpdatedAt
	if updatedAt.IsZero() {
		updatedAt = createdAt
	}
	state := d.State
	if state == "" {
		state = bot.DeliveryPending
	}
	// The row read after a lost race can vanish before it is read (its
	// person deleted); then the insert is worth another try.
	for range 3 {
		stored, err := scanDelivery(db.pool.QueryRow(ctx, `
			INSERT INTO deliveries (person_id, engagement_id, kind, period, due_at, state, attempts, last_error,
				lease_until, message_ref, parts_sent, sent_at, created_at, updated_at, skip_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (person_id, kind, period) DO NOTHING
			RETURNING `+deliveryColumns,
			d.PersonID, idArg(d.EngagementID), d.Kind, d.Period, timeArg(d.DueAt), state, d.Attempts,
			d.LastError, timeArg(d.LeaseUntil), d.MessageRef, d.PartsSent, timeArg(d.SentAt), createdAt, timeArg(updatedAt),
			d.SkipReason))
		if err == nil {
			*d = *stored
			return true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return false, wrap(err, fmt.Sprintf("create %s delivery %s of person %d", d.Kind, d.Period, d.PersonID))
		}
		stored, err = db.DeliveryByKey(ctx, d.PersonID, d.Kind, d.Period)
		if err == nil {
			*d = *stored
			return false, nil
		}
		if bot.ErrorCode(err) != bot.ENOTFOUND {
			return false, err
		}
	}
	return false, fmt.Errorf("create %s delivery %s of person %d: row keeps vanishing", d.Kind, d.Period, d.PersonID)
}

// Delivery implements bot.DeliveryStore.
func (db *DB) Delivery(ctx context.Context, id int64) (*bot.Delivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "That delivery does not exist.", fmt.Sprintf("load delivery %d", id))
	}
	return d, nil
}

// DeliveryByKey implements bot.DeliveryStore.
func (db *DB) DeliveryByKey(ctx context.Context, personID int64, kind bot.DeliveryKind, period string) (*bot.Delivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries
		WHERE person_id = $1 AND kind = $2 AND period = $3`, personID, kind, period))
	if err != nil {
		return nil, notFound(err, "That delivery does not exist.",
			fmt.Sprintf("load %s delivery %s of person %d", kind, period, personID))
	}
	return d, nil
}

// ClaimDeliveries implements bot.DeliveryStore in one statement: the CTE
// locks the rows it picks and skips rows another replica is claiming at
// that moment, and the lease keeps them claimed afterwards.
//
// The CTE is MATERIALIZED so that it runs once. Written as "WHERE id IN
// (SELECT … LIMIT … FOR UPDATE SKIP LOCKED)", the generic plan PostgreSQL
// caches for the prepared statement once the table was seen empty joins
// the subquery as the inner side of a nested loop, re-running it for each
// row, each run skipping the rows this statement already claimed: one
// claim of 100 took every due delivery. The pending state is written into
// the text, not passed, so that even a generic plan can use the partial
// index of pending deliveries.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.Delivery, error) {
	if limit <= 0 {
		return []*bot.Delivery{}, nil
	}
	rows, _ := db.pool.Query(ctx, `
		WITH picked AS MATERIALIZED (
			SELECT id FROM deliveries
			WHERE state = '`+string(bot.DeliveryPending)+`' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
			ORDER BY due_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		UPDATE deliveries d SET lease_until = $2, attempts = d.attempts + 1
		FROM picked
		WHERE d.id = picked.id
		RETURNING `+prefixed("d", deliveryColumns),
		instant(now), instant(now.Add(lease)), limit)
	ds, err := collectDeliveries(rows)
	if err != nil {
		return nil, wrap(err, "claim deliveries")
	}
	// RETURNING keeps no order.
	slices.SortFunc(ds, func(a, b *bot.Delivery) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return ds, nil
}

// UpdateDelivery implements bot.DeliveryStore; d is filled with the stored
// row.
func (db *DB) UpdateDelivery(ctx context.Context, d *bot.Delivery) error {
	stored, err := scanDelivery(db.pool.QueryRow(ctx, `
		UPDATE deliveries
		SET state = $2, attempts = $3, last_error = $4, lease_until = $5, message_ref = $6, sent_at = $7,
			due_at = $8, updated_at = $9, parts_sent = $10, skip_reason = $11
		WHERE id = $1
		RETURNING `+deliveryColumns,
		d.ID, d.State, d.Attempts, d.LastError, timeArg(d.LeaseUntil), d.MessageRef, timeArg(d.SentAt),
		timeArg(d.DueAt), db.orNow(d.UpdatedAt), d.PartsSent, d.SkipReason))
	if err != nil {
		return notFound(err, "That delivery does not exist.", fmt.Sprintf("update delivery %d", d.ID))
	}
	*d = *stored
	return nil
}

// UpdateDeliveries implements bot.DeliveryStore in one statement from
// arrays, fenced by the claimed leases.
func (db *DB) UpdateDeliveries(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error) {
	if len(ds) != len(claimed) {
		return nil, fmt.Errorf("update deliveries: %d deliveries but %d leases", len(ds), len(claimed))
	}
	if len(ds) == 0 {
		return nil, nil
	}
	n := len(ds)
	ids, attempts, parts := make([]int64, n), make([]int32, n), make([]int32, n)
	states, lastErrors, refs, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	leases, sents, dues, fences := make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
	updated := make([]time.Time, n)
	for i, d := range ds {
		ids[i], attempts[i], states[i], lastErrors[i], refs[i] = d.ID, int32(d.Attempts), string(d.State), d.LastError, d.MessageRef
		parts[i], reasons[i] = int32(d.PartsSent), d.SkipReason
		leases[i], sents[i], dues[i], updated[i] = timeArg(d.LeaseUntil), timeArg(d.SentAt), timeArg(d.DueAt), db.orNow(d.UpdatedAt)
		fences[i] = timeArg(claimed[i])
	}
	rows, _ := db.pool.Query(ctx, `
		UPDATE deliveries d
		SET state = u.state, attempts = u.attempts, last_error = u.last_error, lease_until = u.lease_until,
			message_ref = u.message_ref, sent_at = u.sent_at, due_at = u.due_at, updated_at = u.updated_at,
			parts_sent = u.parts_sent, skip_reason = u.skip_reason
		FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::text[],
			$7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::int[], $12::text[])
			AS u (id, state, attempts, last_error, lease_until, message_ref, sent_at, due_at, updated_at, claimed, parts_sent,
				skip_reason)
		WHERE d.id = u.id AND d.lease_until IS NOT DISTINCT FROM u.claimed
		RETURNING `+prefixed("d", deliveryColumns),
		ids, states, attempts, lastErrors, leases, refs, sents, dues, updated, fences, parts, reasons)
	stored, err := collectDeliveries(rows)
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("update %d deliveries", n))
	}
	byID := make(map[int64]*bot.Delivery, len(stored))
	for _, d := range stored {
		byID[d.ID] = d
	}
	var lost []int64
	for _, d := range ds {
		if s, ok := byID[d.ID]; ok {
			*d = *s
		} else {
			lost = append(lost, d.ID)
		}
	}
	return lost, nil
}

// LatestDelivery implements bot.DeliveryStore.
func (db *DB) LatestDelivery(ctx context.Context, personID int64, kind bot.DeliveryKind) (*bot.Delivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries
		WHERE person_id = $1 AND kind = $2 AND state NOT IN ($3, $4, $5)
		ORDER BY due_at DESC, id DESC
		LIMIT 1`, personID, kind, bot.DeliveryPending, bot.DeliverySkipped, bot.DeliveryMissed))
	if err != nil {
		return nil, notFound(err, "Nothing has been sent yet.",
			fmt.Sprintf("load latest %s delivery of person %d", kind, personID))
	}
	return d, nil
}

// Deliveries implements bot.DeliveryStore.
func (db *DB) Deliveries(ctx context.Context, engagementID int64, from, to time.Time) ([]*bot.Delivery, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries
		WHERE engagement_id = $1 AND due_at >= $2 AND due_at < $3
		ORDER BY due_at, id`, engagementID, instant(from), instant(to))
	ds, err := collectDeliveries(rows)
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list deliveries of engagement %d", engagementID))
	}
	return ds, nil
}
