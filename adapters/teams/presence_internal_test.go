package teams

import (
	"testing"
	"time"
)

// TestGraphTime: a status's expiry as Graph gives it, in an IANA zone, a
// Windows one, UTC, or none.
func TestGraphTime(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dateTime, zone string
		want           time.Time
	}{
		{"2026-12-20T17:00:00.0000000", "Pacific Standard Time", time.Date(2026, 12, 21, 1, 0, 0, 0, time.UTC)},
		{"2026-12-20T17:00:00.0000000", "America/Los_Angeles", time.Date(2026, 12, 21, 1, 0, 0, 0, time.UTC)},
		{"2026-07-20T17:00:00.0000000", "W. Europe Standard Time", time.Date(2026, 7, 20, 15, 0, 0, 0, time.UTC)},
		{"2026-12-20T17:00:00", "UTC", time.Date(2026, 12, 20, 17, 0, 0, 0, time.UTC)},
		{"2026-12-20T17:00:00", "", time.Date(2026, 12, 20, 17, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.9999999", "UTC", time.Time{}}, // never expires
		{"not a time", "UTC", time.Time{}},
	} {
		if got := graphTime(c.dateTime, c.zone); !got.Equal(c.want) {
			t.Errorf("graphTime(%q, %q) = %v, want %v", c.dateTime, c.zone, got, c.want)
		}
	}
}
