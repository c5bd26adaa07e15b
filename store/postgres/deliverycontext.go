package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/smart90/smart90/bot"
)

// DeliveryContexts implements bot.DeliveryStore in one round trip whatever
// the batch: a pgx batch of four statements (the people with their
// installations, the engagements, their rocks, the check-ins of the days
// asked), each reading every row the batch needs with = ANY or unnest.
func (db *DB) DeliveryContexts(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
	if len(ds) == 0 {
		return map[int64]*bot.DeliveryContext{}, nil
	}
	var (
		personIDs, engagementIDs []int64
		seenP, seenE             = map[int64]bool{}, map[int64]bool{}
		ciEngagements            []int64
		ciDays                   []pgtype.Date
	)
	for _, d := range ds {
		if !seenP[d.PersonID] {
			seenP[d.PersonID] = true
			personIDs = append(personIDs, d.PersonID)
		}
		if d.EngagementID != 0 && !seenE[d.EngagementID] {
			seenE[d.EngagementID] = true
			engagementIDs = append(engagementIDs, d.EngagementID)
		}
		if day, ok := d.CheckInDay(); ok {
			ciEngagements, ciDays = append(ciEngagements, d.EngagementID), append(ciDays, dateArg(day))
		}
	}

	var (
		reads = bot.NewDeliveryReads()
		b     pgx.Batch
	)
	b.Queue(`
		SELECT `+prefixed("p", personColumns)+`, `+prefixed("i", installationColumns)+`
		FROM people p JOIN installations i ON i.id = p.installation_id
		WHERE p.id = ANY ($1)`, personIDs).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			p, inst := &bot.Person{}, &bot.Installation{}
			if err := rows.Scan(append(personDest(p), installationDest(inst)...)...); err != nil {
				return err
			}
			noToken(inst)
			reads.People[p.ID], reads.Installations[inst.ID] = p, inst
		}
		return rows.Err()
	})
	if len(engagementIDs) > 0 {
		b.Queue(`SELECT `+engagementColumns+` FROM engagements WHERE id = ANY ($1)`, engagementIDs).Query(func(rows pgx.Rows) error {
			es, err := collectEngagements(rows)
			for _, e := range es {
				reads.Engagements[e.ID] = e
			}
			return err
		})
		b.Queue(`SELECT `+rockColumns+` FROM rocks WHERE engagement_id = ANY ($1) ORDER BY engagement_id, position`,
			engagementIDs).Query(func(rows pgx.Rows) error {
			rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Rock, error) { return scanRock(r) })
			for _, r := range rs {
				reads.Rocks[r.EngagementID] = append(reads.Rocks[r.EngagementID], r)
			}
			return err
		})
	}
	if len(ciEngagements) > 0 {
		b.Queue(`
			SELECT `+prefixed("c", checkInColumns)+`
			FROM check_ins c JOIN unnest($1::bigint[], $2::date[]) AS k (engagement_id, day)
				ON c.engagement_id = k.engagement_id AND c.day = k.day`,
			ciEngagements, ciDays).Query(func(rows pgx.Rows) error {
			cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.CheckIn, error) { return scanCheckIn(r) })
			for _, c := range cs {
				reads.CheckIns[bot.CheckInKey{EngagementID: c.EngagementID, Day: c.Day}] = c
			}
			return err
		})
	}
	if err := db.pool.SendBatch(ctx, &b).Close(); err != nil {
		return nil, wrap(err, fmt.Sprintf("load the context of %d deliveries", len(ds)))
	}

	return reads.Contexts(ds), nil
}
