package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/smart90/smart90/bot"
)

// DeliveryContexts implements bot.DeliveryStore in four queries whatever
// the batch, in one read transaction: the people with their
// installations, the engagements, their rocks, and the check-ins of the
// engagements on the days asked. Each list of keys is one JSON array
// (json_each), so no batch is too large for SQLite's limit on parameters.
func (db *DB) DeliveryContexts(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
	if len(ds) == 0 {
		return map[int64]*bot.DeliveryContext{}, nil
	}
	var (
		personIDs, engagementIDs, ciEngagements = []int64{}, []int64{}, []int64{}
		days                                    = []string{}
		seenP, seenE, seenC                     = map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
		seenD                                   = map[bot.Date]bool{}
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
			if !seenC[d.EngagementID] {
				seenC[d.EngagementID] = true
				ciEngagements = append(ciEngagements, d.EngagementID)
			}
			if !seenD[day] {
				seenD[day] = true
				days = append(days, day.String())
			}
		}
	}

	reads := bot.NewDeliveryReads()
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+prefixed("p", personColumns)+`, `+prefixed("i", installationColumns)+`
			FROM people p JOIN installations i ON i.id = p.installation_id
			WHERE p.id IN (SELECT value FROM json_each(?))`, jsonArray(personIDs))
		if err != nil {
			return err
		}
		for rows.Next() {
			p, inst := &bot.Person{}, &bot.Installation{}
			if err := rows.Scan(append(personDest(p), installationDest(inst)...)...); err != nil {
				rows.Close()
				return err
			}
			reads.People[p.ID], reads.Installations[inst.ID] = p, inst
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(engagementIDs) == 0 {
			return nil
		}
		ids := jsonArray(engagementIDs)
		rows, err = tx.QueryContext(ctx, `SELECT `+engagementColumns+` FROM engagements
			WHERE id IN (SELECT value FROM json_each(?))`, ids)
		es, err := collect(rows, err, scanEngagement)
		if err != nil {
			return err
		}
		for _, e := range es {
			reads.Engagements[e.ID] = e
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+rockColumns+` FROM rocks
			WHERE engagement_id IN (SELECT value FROM json_each(?)) ORDER BY engagement_id, position`, ids)
		rs, err := collect(rows, err, scanRock)
		if err != nil {
			return err
		}
		for _, r := range rs {
			reads.Rocks[r.EngagementID] = append(reads.Rocks[r.EngagementID], r)
		}
		if len(ciEngagements) == 0 {
			return nil
		}
		// Every asked engagement on every asked day: a batch's days are
		// one or two, and the pairs not asked are dropped below.
		rows, err = tx.QueryContext(ctx, `SELECT `+checkInColumns+` FROM check_ins
			WHERE engagement_id IN (SELECT value FROM json_each(?)) AND day IN (SELECT value FROM json_each(?))`,
			jsonArray(ciEngagements), jsonArray(days))
		cs, err := collect(rows, err, scanCheckIn)
		if err != nil {
			return err
		}
		for _, c := range cs {
			reads.CheckIns[bot.CheckInKey{EngagementID: c.EngagementID, Day: c.Day}] = c
		}
		return nil
	})
	if err != nil {
		return nil, failure{op: fmt.Sprintf("load the context of %d deliveries", len(ds))}.wrap(err)
	}

	return reads.Contexts(ds), nil
}

// jsonArray encodes values as a JSON array, for json_each.
func jsonArray[T any](values []T) string {
	b, _ := json.Marshal(values)
	return string(b)
}
