package bot

import (
	"context"
	"fmt"
	"time"
)

// ChartData exposes the data of a client's charts to the black-box tests:
// the pictures are checked by what they plot, not by their pixels.
func (b *Bot) ChartData(ctx context.Context, e *Engagement, client *Person, asOf time.Time) ([]any, error) {
	cs, err := b.chartData(ctx, e, client, asOf)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c.chart
	}
	return out, nil
}

// chartData is what clientCharts draws for e's client as of asOf, read
// from the store.
func (b *Bot) chartData(ctx context.Context, e *Engagement, client *Person, asOf time.Time) ([]namedChart, error) {
	c := e.CycleOn(DateOf(asOf.In(zoneOf(client))))
	hs, err := b.store.Histories(ctx, []int64{e.ID}, insightWindow(client, c.Start, asOf))
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	h := hs[e.ID]
	if h == nil {
		return nil, Errorf(ENOTFOUND, "That engagement does not exist.")
	}
	return chartsOf(e, client, h, asOf), nil
}
