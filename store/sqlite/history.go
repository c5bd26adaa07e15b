package sqlite

import (
	"context"
	"time"

	"github.com/smart90/smart90/bot"
)

// Histories implements bot.HistoryStore with the single-engagement reads,
// one engagement after another: SQLite is in-process, so a read costs no
// round trip. The reads are separate, as the calls would be: a write
// committed meanwhile may show in some and not in others, and an
// engagement found missing by its first reads is left out.
func (db *DB) Histories(ctx context.Context, ids []int64, w bot.HistoryWindow) (map[int64]*bot.History, error) {
	out := make(map[int64]*bot.History, len(ids))
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		h, err := db.history(ctx, id, w)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, nil
}

// history reads one engagement's History; ENOTFOUND when the engagement
// or its client is missing.
func (db *DB) history(ctx context.Context, id int64, w bot.HistoryWindow) (*bot.History, error) {
	e, err := db.Engagement(ctx, id)
	if err != nil {
		return nil, err
	}
	var h bot.History
	if h.Client, err = db.Person(ctx, e.ClientID); err != nil {
		return nil, err
	}
	if h.CheckIns, err = db.CheckIns(ctx, id, w.From, w.To); err != nil {
		return nil, err
	}
	if h.Rocks, err = db.Rocks(ctx, id); err != nil {
		return nil, err
	}
	all, err := db.RockHistory(ctx, id, time.Time{})
	if err != nil {
		return nil, err
	}
	h.RockHistory = bot.RockHistorySince(all, w.RocksSince)
	if h.Reports, err = db.WeeklyReports(ctx, id, w.From, w.To); err != nil {
		return nil, err
	}
	if h.Reviews, err = db.Reviews(ctx, id); err != nil {
		return nil, err
	}
	if h.Sessions, err = db.Sessions(ctx, id); err != nil {
		return nil, err
	}
	ds, err := db.Deliveries(ctx, id, w.DueFrom, w.DueTo)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Kind == bot.DeliveryDaily {
			h.Deliveries = append(h.Deliveries, d)
		}
	}
	if h.Measurables, err = db.Measurables(ctx, id); err != nil {
		return nil, err
	}
	if h.Values, err = db.MeasurableValues(ctx, id, w.ScoresFrom, w.To); err != nil {
		return nil, err
	}
	scheds, err := db.Schedules(ctx, e.ClientID)
	if err != nil {
		return nil, err
	}
	for _, s := range scheds {
		if s.Kind == bot.DeliveryDaily {
			s.Person, s.Engagement = nil, nil
			h.Daily = s
		}
	}
	return &h, nil
}
