package bot

import "context"

// ScorecardLines exposes scorecardLines to the tests of package bot_test.
func (b *Bot) ScorecardLines(ctx context.Context, e *Engagement, week Date) ([]string, error) {
	return b.scorecardLines(ctx, e, week)
}
