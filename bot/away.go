package bot

import "context"

// DefaultAwayWords are the statuses that mean "out of office" by default:
// emoji and words (case-insensitive) of a chat status.
var DefaultAwayWords = []string{":palm_tree:", ":airplane:", ":face_with_thermometer:", "vacation", "holiday", "OOO", "out of office", "sick", "on leave"}

// awayReason says why p gets no prompt on day because they are out of
// office ("out of office"), or "" when they are not or it cannot be told.
//
// TODO(issue 13, out of office): contract stub, to be written.
func (b *Bot) awayReason(ctx context.Context, inst *Installation, p *Person, day Date) string {
	return ""
}
