package ics

import (
	"strings"
	"time"

	"github.com/smart90/smart90/adapters/zones"
)

// zoneResolver resolves TZIDs to locations, remembering each answer (a
// large calendar names the same few zones thousands of times).
type zoneResolver struct {
	floating *time.Location
	seen     map[string]*time.Location
}

// resolve returns the location a TZID names: an IANA name, a Windows
// name, or an IANA name at the end of a path ("/mozilla.org/20071231_1/
// Europe/Berlin"). A TZID none of these know is read as floating time,
// in the default zone: an hour off at worst, rather than a lost event.
func (z *zoneResolver) resolve(tzid string) *time.Location {
	if loc, ok := z.seen[tzid]; ok {
		return loc
	}
	loc := lookupZone(tzid)
	if loc == nil {
		loc = z.floating
	}
	if z.seen == nil {
		z.seen = map[string]*time.Location{}
	}
	z.seen[tzid] = loc
	return loc
}

func lookupZone(tzid string) *time.Location {
	name := strings.Trim(strings.TrimSpace(tzid), `"`)
	if name == "" || strings.ToLower(name) == "local" {
		return nil
	}
	if iana, ok := zones.FromWindows(name); ok {
		name = iana
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	// A path ending in an IANA name: try its last two, then three, parts.
	parts := strings.Split(name, "/")
	for n := 2; n <= 3 && n <= len(parts); n++ {
		if loc, err := time.LoadLocation(strings.Join(parts[len(parts)-n:], "/")); err == nil {
			return loc
		}
	}
	return nil
}
