package zones

// FromWindows returns the IANA name of a Windows time zone name ("W.
// Europe Standard Time" → "Europe/Berlin"), as Outlook calendars and
// Microsoft Graph write them, for the zones people are most likely in.
func FromWindows(name string) (string, bool) {
	iana, ok := windows[name]
	return iana, ok
}

// windows maps the Windows time zone names Outlook, Exchange and
// Microsoft Graph write (a calendar's TZID, a status's expiry) to IANA names (CLDR's windowsZones, territory "001"),
// for the zones coaches are most likely in.
var windows = map[string]string{
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
