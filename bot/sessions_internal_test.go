package bot

import (
	"testing"
	"time"
)

// TestParseHoursMinutes: lengths as people type them, and what is not one.
func TestParseHoursMinutes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"45": 45 * time.Minute, "45m": 45 * time.Minute, "90": 90 * time.Minute, "1h": time.Hour, "1H": time.Hour,
		"1h30": 90 * time.Minute, "1h30m": 90 * time.Minute, "2h05": 125 * time.Minute, "0m": 0,
	} {
		if got, ok := parseHoursMinutes(in); !ok || got != want {
			t.Errorf("parseHoursMinutes(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "m", "h", "h30", "1h60", "1h60m", "1.5h", "90s", "-1h", "+45", "1h30mm", "1d", "12345", "1hh", "soon"} {
		if got, ok := parseHoursMinutes(in); ok {
			t.Errorf("parseHoursMinutes(%q) = %v; want it refused", in, got)
		}
	}
}
