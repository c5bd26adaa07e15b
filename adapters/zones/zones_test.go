package zones_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the names must load without the OS's zoneinfo

	"github.com/smart90/smart90/adapters/zones"
)

// Every zone loads, the list is sorted without repeats, and each but UTC
// has its country.
func TestAll(t *testing.T) {
	t.Parallel()
	all := zones.All()
	if len(all) < 400 {
		t.Fatalf("%d zones, want the 400-odd of zone.tab", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b zones.Zone) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("zones not sorted by name")
	}
	for i, z := range all {
		if i > 0 && all[i-1].Name == z.Name {
			t.Errorf("%s twice", z.Name)
		}
		if _, err := time.LoadLocation(z.Name); err != nil {
			t.Errorf("%s: %v", z.Name, err)
		}
		if (z.Country == "") != (z.Name == "UTC") || (z.CountryName == "") != (z.Country == "") {
			t.Errorf("%+v: a country is missing or extra", z)
		}
		if got, ok := zones.Lookup(z.Name); !ok || got != z {
			t.Errorf("Lookup(%q) = %+v, %v", z.Name, got, ok)
		}
	}
	if _, ok := zones.Lookup("Mars/Olympus_Mons"); ok {
		t.Error("Lookup found a zone that does not exist")
	}
	all[0].Name = "changed"
	if zones.All()[0].Name == "changed" {
		t.Error("All hands out the package's own slice")
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		limit int
		want  []string // the first results, in order
		none  bool     // nothing matches
	}{
		{query: "paris", limit: 3, want: []string{"Europe/Paris"}},
		{query: "Europe/Paris", limit: 1, want: []string{"Europe/Paris"}},
		{query: "new york", limit: 2, want: []string{"America/New_York"}},
		{query: "  NEW   YORK ", limit: 1, want: []string{"America/New_York"}},
		// The city first, then the cities starting with the query.
		{query: "sydney", limit: 1, want: []string{"Australia/Sydney"}},
		{query: "lon", limit: 2, want: []string{"Arctic/Longyearbyen", "Europe/London"}},
		// A country finds its zones.
		{query: "france", limit: 5, want: []string{"Europe/Paris"}},
		{query: "japan", limit: 5, want: []string{"Asia/Tokyo"}},
		{query: "germany", limit: 5, want: []string{"Europe/Berlin", "Europe/Busingen"}},
		// Cities starting with "de" before the zones of DE (Germany).
		{query: "de", limit: 2, want: []string{"America/Denver", "America/Detroit"}},
		// A word of the name or the country.
		{query: "york", limit: 1, want: []string{"America/New_York"}},
		{query: "utc", limit: 1, want: []string{"UTC"}},
		{query: "zzzz", limit: 5, none: true},
		{query: "paris", limit: 0, none: true},
	}
	for _, tt := range tests {
		got := zones.Search(tt.query, tt.limit)
		if len(got) > tt.limit {
			t.Errorf("Search(%q, %d): %d zones, over the limit", tt.query, tt.limit, len(got))
		}
		if tt.none {
			if len(got) != 0 {
				t.Errorf("Search(%q, %d) = %v, want none", tt.query, tt.limit, got)
			}
			continue
		}
		var names []string
		for _, z := range got {
			names = append(names, z.Name)
		}
		if len(names) < len(tt.want) || !slices.Equal(names[:len(tt.want)], tt.want) {
			t.Errorf("Search(%q, %d) = %v, want it to start with %v", tt.query, tt.limit, names, tt.want)
		}
	}
	if n := len(zones.Search("", 1000)); n != len(zones.All()) {
		t.Errorf("an empty query matched %d zones, want all %d", n, len(zones.All()))
	}
}

func TestCityAndLabel(t *testing.T) {
	t.Parallel()
	for name, want := range map[string][2]string{
		"America/New_York":               {"New York", "America/New York (United States)"},
		"America/Argentina/Buenos_Aires": {"Buenos Aires", "America/Argentina/Buenos Aires (Argentina)"},
		"UTC":                            {"UTC", "UTC"},
	} {
		z, ok := zones.Lookup(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if z.City() != want[0] || z.Label() != want[1] {
			t.Errorf("%s: City %q, Label %q; want %q, %q", name, z.City(), z.Label(), want[0], want[1])
		}
	}
}
