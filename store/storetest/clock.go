package storetest

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// ClockIsUsed checks that an instant a caller leaves zero comes from the
// clock a store was opened with (its WithClock option), not from the wall
// clock. open returns a fresh, migrated store reading the time from now.
func ClockIsUsed(t *testing.T, open func(t testing.TB, now func() time.Time) bot.Store) {
	t.Helper()
	ctx := t.Context()
	when := time.Date(2031, 2, 3, 4, 5, 6, 7000, time.UTC)
	s := open(t, func() time.Time { return when })
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local", Status: bot.InstallationActive}
	must(t, "UpsertInstallation", s.UpsertInstallation(ctx, inst))
	got, err := s.Installation(ctx, inst.ID)
	must(t, "Installation", err)
	if !got.CreatedAt.Equal(when) || !got.UpdatedAt.Equal(when) {
		t.Errorf("installation stored at %s and %s, want the clock's %s", got.CreatedAt, got.UpdatedAt, when)
	}
}
