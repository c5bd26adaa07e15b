package bot

import (
	"context"
	"fmt"
)

// Undeliverable tells the coach that a delivery failed for good — the
// client left the workspace, the app was removed, the digest channel was
// archived — and that the scheduler put the person's prompts on hold, so
// nobody waits for check-ins that cannot arrive. It logs what it cannot
// send: the failure itself is already recorded.
func (b *Bot) Undeliverable(ctx context.Context, d *Delivery, cause error) {
	p, err := b.store.Person(ctx, d.PersonID)
	if err != nil {
		b.log.WarnContext(ctx, "undeliverable: load recipient", "person", d.PersonID, "err", err)
		return
	}
	inst, err := b.store.Installation(ctx, p.InstallationID)
	if err != nil || inst.Status != InstallationActive {
		return // nobody left there to tell
	}
	why := ErrorMessage(cause)
	if d.Kind == DeliveryBrief || d.Kind == DeliveryNotes {
		return // the coach is the one who can't be reached: nobody else to tell
	}
	if d.Kind == DeliveryDigest {
		b.notify(ctx, inst, p, fmt.Sprintf("I couldn't post your weekly digest: %s\n"+
			"Your digests are on hold until you choose where they go again with `digest #channel` (or `digest dm`).", why))
		return
	}
	e, err := b.store.Engagement(ctx, d.EngagementID)
	if err != nil || e.CoachID == 0 {
		return
	}
	coach, err := b.store.Person(ctx, e.CoachID)
	if err != nil {
		b.log.WarnContext(ctx, "undeliverable: load coach", "person", e.CoachID, "err", err)
		return
	}
	b.notify(ctx, inst, coach, fmt.Sprintf("I can't reach *%s* any more: %s\n"+
		"Their check-ins are on hold. When they are back, they can type `resume` to me.", p.DisplayName, why))
}

// onHold returns why the person's prompts are on hold after a failed
// delivery, or "".
func (b *Bot) onHold(ctx context.Context, personID int64, kinds ...DeliveryKind) (string, error) {
	ss, err := b.store.Schedules(ctx, personID)
	if err != nil {
		return "", fmt.Errorf("load schedules: %w", err)
	}
	for _, s := range ss {
		if s.Suspended == "" {
			continue
		}
		for _, k := range kinds {
			if s.Kind == k {
				return s.Suspended, nil
			}
		}
	}
	return "", nil
}
