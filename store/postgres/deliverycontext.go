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
	out := make(map[int64]*bot.DeliveryContext, len(ds))
	if len(ds) == 0 {
		return out, nil
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

	type recipient struct {
		p    bot.Person
		inst bot.Installation
	}
	type checkInKey struct {
		engagementID int64
		day          bot.Date
	}
	var (
		people      = map[int64]*recipient{}
		engagements = map[int64]*bot.Engagement{}
		rocks       = map[int64][]*bot.Rock{}
		checkIns    = map[checkInKey]*bot.CheckIn{}
		b           pgx.Batch
	)
	b.Queue(`
		SELECT `+prefixed("p", personColumns)+`, `+prefixed("i", installationColumns)+`
		FROM people p JOIN installations i ON i.id = p.installation_id
		WHERE p.id = ANY ($1)`, personIDs).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			r := &recipient{}
			if err := rows.Scan(append(personDest(&r.p), installationDest(&r.inst)...)...); err != nil {
				return err
			}
			noToken(&r.inst)
			people[r.p.ID] = r
		}
		return rows.Err()
	})
	if len(engagementIDs) > 0 {
		b.Queue(`SELECT `+engagementColumns+` FROM engagements WHERE id = ANY ($1)`, engagementIDs).Query(func(rows pgx.Rows) error {
			es, err := collectEngagements(rows)
			for _, e := range es {
				engagements[e.ID] = e
			}
			return err
		})
		b.Queue(`SELECT `+rockColumns+` FROM rocks WHERE engagement_id = ANY ($1) ORDER BY engagement_id, position`,
			engagementIDs).Query(func(rows pgx.Rows) error {
			rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Rock, error) { return scanRock(r) })
			for _, r := range rs {
				rocks[r.EngagementID] = append(rocks[r.EngagementID], r)
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
				checkIns[checkInKey{c.EngagementID, c.Day}] = c
			}
			return err
		})
	}
	if err := db.pool.SendBatch(ctx, &b).Close(); err != nil {
		return nil, wrap(err, fmt.Sprintf("load the context of %d deliveries", len(ds)))
	}

	for _, d := range ds {
		r, ok := people[d.PersonID]
		if !ok {
			continue
		}
		p, inst := r.p, r.inst
		dc := &bot.DeliveryContext{Person: &p, Installation: &inst}
		if d.EngagementID != 0 {
			e, ok := engagements[d.EngagementID]
			if !ok {
				continue
			}
			ec := *e
			dc.Engagement, dc.Rocks = &ec, make([]*bot.Rock, len(rocks[d.EngagementID]))
			for i, rock := range rocks[d.EngagementID] {
				rc := *rock
				dc.Rocks[i] = &rc
			}
		}
		if day, ok := d.CheckInDay(); ok {
			if c, ok := checkIns[checkInKey{d.EngagementID, day}]; ok {
				cc := *c
				dc.CheckIn = &cc
			}
		}
		out[d.ID] = dc
	}
	return out, nil
}
