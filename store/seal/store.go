package seal

import (
	"context"
	"fmt"
	"time"

	"github.com/smart90/smart90/bot"
)

var _ bot.Store = (*sealedStore)(nil)

// sealedStore is a bot.Store that seals Installation.BotToken on the way in
// and opens it on the way out; every other method is the wrapped store's.
type sealedStore struct {
	bot.Store
	sl *Sealer
}

// Store returns s with the installations' bot tokens sealed by sl: callers
// give and get plaintext tokens, s stores only sealed ones. A token is
// bound to its installation (platform and external id), so one copied to
// another installation's row does not open. Reading a token that does not
// open (another key, or a plaintext token from before encryption) is an
// error, never a garbled or unprotected token.
func Store(s bot.Store, sl *Sealer) bot.Store {
	if s == nil || sl == nil {
		panic("seal: Store needs a store and a Sealer")
	}
	return &sealedStore{Store: s, sl: sl}
}

// tokenContext binds a token to its installation. Platform names hold no
// colon, so the first one separates the two.
func tokenContext(platform bot.Platform, externalID string) string {
	return string(platform) + ":" + externalID
}

// UpsertInstallation implements bot.InstallationStore. The wrapped store
// gets a copy of inst with the token sealed, so inst never holds the
// sealed token; on success inst is filled with the stored row and the
// plaintext token.
func (s *sealedStore) UpsertInstallation(ctx context.Context, inst *bot.Installation) error {
	key := tokenContext(inst.Platform, inst.ExternalID)
	sealed, err := s.sl.Seal(string(inst.BotToken), key)
	if err != nil {
		return fmt.Errorf("upsert installation %s: seal bot token: %w", key, err)
	}
	stored := *inst
	stored.BotToken = bytesOrNil(sealed)
	if err := s.Store.UpsertInstallation(ctx, &stored); err != nil {
		return err
	}
	if err := s.open(&stored); err != nil {
		return fmt.Errorf("upsert installation %s: %w", key, err)
	}
	*inst = stored
	return nil
}

// Installation implements bot.InstallationStore.
func (s *sealedStore) Installation(ctx context.Context, id int64) (*bot.Installation, error) {
	inst, err := s.Store.Installation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.open(inst); err != nil {
		return nil, fmt.Errorf("load installation %d: %w", id, err)
	}
	return inst, nil
}

// Recipient implements bot.PersonStore: the installation's token opened.
func (s *sealedStore) Recipient(ctx context.Context, personID int64) (*bot.Person, *bot.Installation, error) {
	p, inst, err := s.Store.Recipient(ctx, personID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.open(inst); err != nil {
		return nil, nil, fmt.Errorf("load recipient %d: %w", personID, err)
	}
	return p, inst, nil
}

// DeliveryContexts implements bot.DeliveryStore: each installation's
// token opened once for the batch. A delivery whose token does not open
// is left out, so that its sender reads it alone (Recipient) and gets the
// error.
func (s *sealedStore) DeliveryContexts(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
	dcs, err := s.Store.DeliveryContexts(ctx, ds)
	if err != nil {
		return nil, err
	}
	type opened struct {
		token []byte
		err   error
	}
	byInst := map[int64]opened{}
	for id, dc := range dcs {
		inst := dc.Installation
		o, ok := byInst[inst.ID]
		if !ok {
			o.err = s.open(inst)
			o.token = inst.BotToken
			byInst[inst.ID] = o
		}
		if o.err != nil {
			delete(dcs, id)
			continue
		}
		inst.BotToken = o.token
	}
	return dcs, nil
}

// InstallationByExternalID implements bot.InstallationStore.
func (s *sealedStore) InstallationByExternalID(ctx context.Context, platform bot.Platform, externalID string) (*bot.Installation, error) {
	inst, err := s.Store.InstallationByExternalID(ctx, platform, externalID)
	if err != nil {
		return nil, err
	}
	if err := s.open(inst); err != nil {
		return nil, fmt.Errorf("load installation %s: %w", tokenContext(platform, externalID), err)
	}
	return inst, nil
}

// ListInstallations implements bot.InstallationStore: the tokens opened.
func (s *sealedStore) ListInstallations(ctx context.Context, afterID int64, limit int) ([]*bot.Installation, error) {
	insts, err := s.Store.ListInstallations(ctx, afterID, limit)
	if err != nil {
		return nil, err
	}
	for _, inst := range insts {
		if err := s.open(inst); err != nil {
			return nil, fmt.Errorf("list installations: installation %d: %w", inst.ID, err)
		}
	}
	return insts, nil
}

// open replaces inst's sealed token with the plaintext one, in place.
func (s *sealedStore) open(inst *bot.Installation) error {
	plain, err := s.sl.Open(string(inst.BotToken), tokenContext(inst.Platform, inst.ExternalID))
	if err != nil {
		return fmt.Errorf("open bot token: %w", err)
	}
	inst.BotToken = bytesOrNil(plain)
	return nil
}

// bytesOrNil keeps the stores' convention that no token is nil.
func bytesOrNil(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// calendarContext binds a calendar's sealed address to its coach.
func calendarContext(coachID int64) string { return fmt.Sprintf("calendar:%d", coachID) }

// PutCalendar implements bot.CalendarStore: the wrapped store gets a copy
// of c with the address sealed; on success c is filled with the stored
// row and the plaintext address.
func (s *sealedStore) PutCalendar(ctx context.Context, c *bot.Calendar) error {
	sealed, err := s.sl.Seal(string(c.URL), calendarContext(c.CoachID))
	if err != nil {
		return fmt.Errorf("put calendar of coach %d: seal address: %w", c.CoachID, err)
	}
	stored := *c
	stored.URL = []byte(sealed)
	if err := s.Store.PutCalendar(ctx, &stored); err != nil {
		return err
	}
	if err := s.openCalendar(&stored); err != nil {
		return fmt.Errorf("put calendar of coach %d: %w", c.CoachID, err)
	}
	*c = stored
	return nil
}

// Calendar implements bot.CalendarStore: the address opened.
func (s *sealedStore) Calendar(ctx context.Context, coachID int64) (*bot.Calendar, error) {
	c, err := s.Store.Calendar(ctx, coachID)
	if err != nil {
		return nil, err
	}
	if err := s.openCalendar(c); err != nil {
		return nil, fmt.Errorf("load calendar of coach %d: %w", coachID, err)
	}
	return c, nil
}

// ClaimCalendars implements bot.CalendarStore: the addresses opened. A
// calendar whose address does not open fails the claim, as a bot token
// does: the key is wrong for every row, not for one.
func (s *sealedStore) ClaimCalendars(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.Calendar, error) {
	cs, err := s.Store.ClaimCalendars(ctx, now, lease, limit)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if err := s.openCalendar(c); err != nil {
			return nil, fmt.Errorf("claim calendars: calendar of coach %d: %w", c.CoachID, err)
		}
	}
	return cs, nil
}

// UpdateCalendar implements bot.CalendarStore; c is filled with the
// stored row, its address opened (the update never changes it).
func (s *sealedStore) UpdateCalendar(ctx context.Context, c *bot.Calendar) error {
	stored := *c
	if err := s.Store.UpdateCalendar(ctx, &stored); err != nil {
		return err
	}
	if err := s.openCalendar(&stored); err != nil {
		return fmt.Errorf("update calendar of coach %d: %w", c.CoachID, err)
	}
	*c = stored
	return nil
}

// openCalendar replaces c's sealed address with the plaintext one.
func (s *sealedStore) openCalendar(c *bot.Calendar) error {
	plain, err := s.sl.Open(string(c.URL), calendarContext(c.CoachID))
	if err != nil {
		return fmt.Errorf("open calendar address: %w", err)
	}
	c.URL = []byte(plain)
	return nil
}

// webhookContext binds a webhook's sealed address and secret to its
// coach and to which of the two it is.
func webhookContext(coachID int64, what string) string {
	return fmt.Sprintf("webhook-%s:%d", what, coachID)
}

// PutWebhook implements bot.WebhookStore: the wrapped store gets a copy
// of w with the address and secret sealed; on success w is filled with
// the stored row in plaintext.
func (s *sealedStore) PutWebhook(ctx context.Context, w *bot.Webhook) error {
	url, err := s.sl.Seal(string(w.URL), webhookContext(w.CoachID, "url"))
	if err != nil {
		return fmt.Errorf("put webhook of coach %d: seal address: %w", w.CoachID, err)
	}
	secret, err := s.sl.Seal(string(w.Secret), webhookContext(w.CoachID, "secret"))
	if err != nil {
		return fmt.Errorf("put webhook of coach %d: seal secret: %w", w.CoachID, err)
	}
	stored := *w
	stored.URL, stored.Secret = []byte(url), []byte(secret)
	if err := s.Store.PutWebhook(ctx, &stored); err != nil {
		return err
	}
	if err := s.openWebhook(&stored); err != nil {
		return fmt.Errorf("put webhook of coach %d: %w", w.CoachID, err)
	}
	*w = stored
	return nil
}

// Webhooks implements bot.WebhookStore: addresses and secrets opened.
func (s *sealedStore) Webhooks(ctx context.Context, coachID int64) ([]*bot.Webhook, error) {
	ws, err := s.Store.Webhooks(ctx, coachID)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if err := s.openWebhook(w); err != nil {
			return nil, fmt.Errorf("list webhooks of coach %d: webhook %d: %w", coachID, w.ID, err)
		}
	}
	return ws, nil
}

// ClaimWebhookDeliveries implements bot.WebhookStore: each delivery's
// webhook opened. One that does not open fails the claim, as a calendar
// does.
func (s *sealedStore) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*bot.WebhookDelivery, error) {
	ds, err := s.Store.ClaimWebhookDeliveries(ctx, now, lease, limit)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Webhook == nil {
			continue
		}
		if err := s.openWebhook(d.Webhook); err != nil {
			return nil, fmt.Errorf("claim webhook deliveries: webhook %d: %w", d.WebhookID, err)
		}
	}
	return ds, nil
}

// openWebhook replaces w's sealed address and secret with plaintext.
func (s *sealedStore) openWebhook(w *bot.Webhook) error {
	url, err := s.sl.Open(string(w.URL), webhookContext(w.CoachID, "url"))
	if err != nil {
		return fmt.Errorf("open webhook address: %w", err)
	}
	secret, err := s.sl.Open(string(w.Secret), webhookContext(w.CoachID, "secret"))
	if err != nil {
		return fmt.Errorf("open webhook secret: %w", err)
	}
	w.URL, w.Secret = []byte(url), []byte(secret)
	return nil
}
