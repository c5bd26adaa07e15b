package main

import (
	"context"

	"github.com/smart90/smart90/bot"
)

// calendarsNeedKey is the store of a server without SMART90_ENCRYPTION_KEY:
// a calendar's address, and a webhook's address and secret, are secrets
// kept only encrypted (store/seal), so without a key no calendar or
// webhook can be added, and the coach is told why.
type calendarsNeedKey struct{ bot.Store }

// PutCalendar implements bot.CalendarStore: always EFORBIDDEN.
func (calendarsNeedKey) PutCalendar(context.Context, *bot.Calendar) error {
	return bot.Errorf(bot.EFORBIDDEN, "Calendars are off on this smart90: a calendar's address is a secret I keep only encrypted, "+
		"and no encryption key is set (SMART90_ENCRYPTION_KEY). Ask whoever runs smart90 to set one; sessions you book with `session` work meanwhile.")
}

// PutWebhook implements bot.WebhookStore: always EFORBIDDEN.
func (calendarsNeedKey) PutWebhook(context.Context, *bot.Webhook) error {
	return bot.Errorf(bot.EFORBIDDEN, "Webhooks are off on this smart90: a webhook's address and signing secret are secrets I keep only encrypted, "+
		"and no encryption key is set (SMART90_ENCRYPTION_KEY). Ask whoever runs smart90 to set one.")
}
