package holiday_test

import (
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/holiday"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		country string
		day     string // YYYY-MM-DD
		want    string // "" for no holiday
	}{
		// Germany: the nationwide days, moveable feasts from Easter.
		{"DE", "2026-01-01", "New Year's Day"},
		{"DE", "2026-04-03", "Good Friday"},
		{"DE", "2026-04-06", "Easter Monday"},
		{"DE", "2026-05-14", "Ascension Day"},
		{"DE", "2026-05-25", "Whit Monday"},
		{"DE", "2026-06-04", ""}, // Corpus Christi: some states only
		{"DE", "2026-10-31", ""}, // Reformation Day: some states only
		{"DE", "2026-12-24", ""}, // Christmas Eve is no public holiday
		{"DE", "2026-12-25", "Christmas Day"},
		{"DE", "2026-12-26", "Boxing Day"},
		{"DE", "2027-03-26", "Good Friday"},
		{"DE", "2027-03-29", "Easter Monday"},
		{"DE", "2027-05-06", "Ascension Day"},
		{"DE", "2027-05-17", "Whit Monday"},
		{"DE", "2027-05-18", ""},
		{"DE", "2027-10-03", "German Unity Day"}, // a Sunday: no substitute in Germany
		{"DE", "2027-10-04", ""},
		// United Kingdom (England and Wales): substitute days.
		{"GB", "2026-04-03", "Good Friday"},
		{"GB", "2026-04-06", "Easter Monday"},
		{"GB", "2026-05-04", "Early May bank holiday"},
		{"GB", "2026-05-25", "Spring bank holiday"},
		{"GB", "2026-08-31", "Summer bank holiday"},
		{"GB", "2026-12-25", "Christmas Day"},
		{"GB", "2026-12-26", ""}, // a Saturday: observed on Monday
		{"GB", "2026-12-28", "Boxing Day (substitute day)"},
		{"GB", "2027-01-01", "New Year's Day"},
		{"GB", "2027-03-26", "Good Friday"},
		{"GB", "2027-12-25", ""},
		{"GB", "2027-12-27", "Christmas Day (substitute day)"},
		{"GB", "2027-12-28", "Boxing Day (substitute day)"},
		// United States: nth-weekday rules and observed days.
		{"US", "2026-05-25", "Memorial Day"},
		{"US", "2026-07-03", "Independence Day (observed)"},
		{"US", "2026-07-04", ""},
		{"US", "2026-11-26", "Thanksgiving Day"},
		{"US", "2026-11-27", ""}, // the day after is no federal holiday
		{"US", "2027-05-31", "Memorial Day"},
		{"US", "2027-07-05", "Independence Day (observed)"},
		{"US", "2027-11-25", "Thanksgiving Day"},
		{"US", "2027-12-24", "Christmas Day (observed)"},
		{"US", "2027-12-31", "New Year's Day (observed)"}, // New Year's Day 2028 is a Saturday
		// France: Easter Monday and Whit Monday, no Good Friday.
		{"FR", "2026-04-03", ""},
		{"FR", "2026-04-06", "Easter Monday"},
		{"FR", "2026-05-08", "Victory in Europe Day"},
		{"FR", "2026-05-14", "Ascension Day"},
		{"FR", "2026-05-25", "Whit Monday"},
		{"FR", "2026-07-14", "Bastille Day"},
		{"FR", "2027-05-06", "Ascension Day"},
		{"FR", "2027-05-17", "Whit Monday"},
		{"FR", "2027-11-11", "Armistice Day"},
		// India: the three national gazetted holidays; lunar festivals are not covered.
		{"IN", "2026-01-26", "Republic Day"},
		{"IN", "2026-08-15", "Independence Day"},
		{"IN", "2026-10-02", "Gandhi Jayanti"},
		{"IN", "2026-11-08", ""}, // Diwali
		{"IN", "2027-01-26", "Republic Day"},
		{"IN", "2027-08-15", "Independence Day"},
		{"IN", "2027-10-02", "Gandhi Jayanti"},
		// Australia: the days every state keeps.
		{"AU", "2026-01-26", "Australia Day"},
		{"AU", "2026-04-03", "Good Friday"},
		{"AU", "2026-04-06", "Easter Monday"},
		{"AU", "2026-06-08", ""}, // King's Birthday: not the same day in every state
		{"AU", "2026-12-25", "Christmas Day"},
		{"AU", "2026-12-28", "Boxing Day (substitute day)"},
		{"AU", "2027-01-26", "Australia Day"},
		{"AU", "2027-03-26", "Good Friday"},
		{"AU", "2027-03-29", "Easter Monday"},
		{"AU", "2027-04-26", ""},
		{"AU", "2027-12-27", "Christmas Day (substitute day)"},
		{"AU", "2027-12-28", "Boxing Day (substitute day)"},
		// Others, and none.
		{"NL", "2027-04-27", "King's Day"},
		{"IE", "2027-03-17", "St Patrick's Day"},
		{"CH", "2026-08-01", "Swiss National Day"},
		{"CH", "2026-03-19", ""}, // St Joseph's Day: some cantons only
		{"XX", "2026-12-25", ""},
		{"", "2026-12-25", ""},
	} {
		d, err := time.Parse(time.DateOnly, tc.day)
		if err != nil {
			t.Fatal(err)
		}
		name, ok := holiday.Lookup(tc.country, d.Year(), d.Month(), d.Day())
		if name != tc.want || ok != (tc.want != "") {
			t.Errorf("Lookup(%s, %s) = %q, %v; want %q", tc.country, tc.day, name, ok, tc.want)
		}
	}
}

func TestSupported(t *testing.T) {
	t.Parallel()
	got := holiday.Supported()
	for _, c := range []string{"AT", "AU", "CA", "CH", "DE", "ES", "FR", "GB", "IE", "IN", "IT", "NL", "NZ", "US"} {
		if !slices.Contains(got, c) {
			t.Errorf("Supported() = %v, missing %s", got, c)
		}
	}
	if !slices.IsSorted(got) {
		t.Errorf("Supported() = %v, not sorted", got)
	}
	for _, c := range got {
		if holiday.CountryName(c) == "" {
			t.Errorf("CountryName(%s) is empty", c)
		}
		// Every supported country has a holiday on some day of 2027.
		found := false
		for d := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2027 && !found; d = d.AddDate(0, 0, 1) {
			_, found = holiday.Lookup(c, d.Year(), d.Month(), d.Day())
		}
		if !found {
			t.Errorf("%s has no holiday in 2027", c)
		}
	}
	if got := holiday.CountryName("DE"); got != "Germany" {
		t.Errorf("CountryName(DE) = %q", got)
	}
	if got := holiday.CountryName("XX"); got != "" {
		t.Errorf("CountryName(XX) = %q, want empty", got)
	}
}

func TestCountryOfZone(t *testing.T) {
	t.Parallel()
	// Every old name loads, so a person may have it as their zone.
	for _, zone := range []string{"Asia/Calcutta", "US/Eastern", "Europe/Belfast", "Australia/ACT", "Canada/Eastern", "NZ", "GB", "Eire"} {
		if _, err := time.LoadLocation(zone); err != nil {
			t.Errorf("%s: %v", zone, err)
		}
	}
	for zone, want := range map[string]string{
		"Europe/Berlin": "DE", "Europe/London": "GB", "America/New_York": "US", "Asia/Kolkata": "IN",
		"Australia/Sydney": "AU", "Europe/Paris": "FR", "UTC": "", "": "", "Mars/Olympus": "",
		// Old names profiles still carry.
		"Asia/Calcutta": "IN", "US/Eastern": "US", "Europe/Belfast": "GB", "Australia/ACT": "AU",
		"Canada/Eastern": "CA", "NZ": "NZ", "GB": "GB",
	} {
		if got := holiday.CountryOfZone(zone); got != want {
			t.Errorf("CountryOfZone(%q) = %q, want %q", zone, got, want)
		}
	}
}

// BenchmarkLookup is one day's lookup, as the scheduler does for every
// check-in it plans and the digest for days outside the delivery record.
func BenchmarkLookup(b *testing.B) {
	d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; b.Loop(); i++ {
		day := d.AddDate(0, 0, i%730)
		holiday.Lookup("DE", day.Year(), day.Month(), day.Day())
	}
}
