package ics

import (
	"strings"
	"time"
)

// windowsZones maps the Windows time zone names Outlook and Exchange
// write as TZID to IANA names (CLDR's windowsZones, territory "001"),
// for the zones coaches are most likely in.
var windowsZones = map[string]string{
	"Dateline Standard Time":         "Etc/GMT+12",
	"Hawaiian Standard Time":         "Pacific/Honolulu",
	"Alaskan Standard Time":          "America/Anchorage",
	"Pacific Standard Time":          "America/Los_Angeles",
	"US Mountain Standard Time":      "America/Phoenix",
	"Mountain Standard Time":         "America/Denver",
	"Central Standard Time":          "America/Chicago",
	"Canada Central Standard Time":   "America/Regina",
	"Central America Standard Time":  "America/Guatemala",
	"Central Standard Time (Mexico)": "America/Mexico_City",
	"Eastern Standard Time":          "America/New_York",
	"SA Pacific Standard Time":       "America/Bogota",
	"Atlantic Standard Time":         "America/Halifax",
	"Newfoundland Standard Time":     "America/St_Johns",
	"E. South America Standard Time": "America/Sao_Paulo",
	"Argentina Standard Time":        "America/Buenos_Aires",
	"UTC":                            "Etc/UTC",
	"Coordinated Universal Time":     "Etc/UTC",
	"GMT Standard Time":              "Europe/London",
	"Greenwich Standard Time":        "Atlantic/Reykjavik",
	"W. Europe Standard Time":        "Europe/Berlin",
	"Central Europe Standard Time":   "Europe/Budapest",
	"Central European Standard Time": "Europe/Warsaw",
	"Romance Standard Time":          "Europe/Paris",
	"E. Europe Standard Time":        "Europe/Chisinau",
	"FLE Standard Time":              "Europe/Kiev",
	"GTB Standard Time":              "Europe/Bucharest",
	"South Africa Standard Time":     "Africa/Johannesburg",
	"Israel Standard Time":           "Asia/Jerusalem",
	"Turkey Standard Time":           "Europe/Istanbul",
	"Russian Standard Time":          "Europe/Moscow",
	"Arabian Standard Time":          "Asia/Dubai",
	"India Standard Time":            "Asia/Calcutta",
	"SE Asia Standard Time":          "Asia/Bangkok",
	"China Standard Time":            "Asia/Shanghai",
	"Singapore Standard Time":        "Asia/Singapore",
	"Tokyo Standard Time":            "Asia/Tokyo",
	"Korea Standard Time":            "Asia/Seoul",
	"W. Australia Standard Time":     "Australia/Perth",
	"AUS Central Standard Time":      "Australia/Darwin",
	"E. Australia Standard Time":     "Australia/Brisbane",
	"AUS Eastern Standard Time":      "Australia/Sydney",
	"New Zealand Standard Time":      "Pacific/Auckland",
}

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
	if iana, ok := windowsZones[name]; ok {
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
