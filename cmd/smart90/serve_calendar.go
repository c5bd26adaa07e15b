package main

import (
	"context"

	"github.com/smart90/smart90/bot"
)

// calendarsNeedKey is the store of a server without SMART90_ENCRYPTION_KEY:
// a calendar's address is a secret kept only encrypted (store/seal), so
// without a key no calendar can be connected, and the coach is told why.
type calendarsNeedKey struct{ bot.Store }

// PutCalendar implements bot.CalendarStore: always EFORBIDDEN.
func (calendarsNeedKey) PutCalendar(context.Context, *bot.Calendar) error {
	return bot.Errorf(bot.EFORBIDDEN, "Calendars are off on this smart90: a calendar's address is a secret I keep only encrypted, "+
		"and no encryption key is set (SMART90_ENCRYPTION_KEY). Ask whoever runs smart90 to set one; sessions you book with `session` work meanwhile.")
}
