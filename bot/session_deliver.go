package bot

import "context"

// deliverSession sends a session's brief (DeliveryBrief, to the coach
// before it) or asks for its notes (DeliveryNotes, after it): not needed
// when the session was cancelled or moved, or the coach turned the brief
// off.
//
// TODO(issue 13, sessions): contract stub, to be written.
func (b *Bot) deliverSession(ctx context.Context, d *Delivery, p *Person, inst *Installation) (ref string, needed bool, err error) {
	return "", false, nil
}

// PlanSessions creates or moves the brief and notes deliveries of
// sessions booked, read from a calendar, moved or cancelled: one of each
// per session, whichever replica plans it.
//
// TODO(issue 13, sessions): contract stub, to be written.
func (b *Bot) PlanSessions(ctx context.Context, ss ...*Session) error {
	return nil
}
