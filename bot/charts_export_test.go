package bot

import (
	"context"
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
