// Package zones is the list of time zones smart90's pickers offer and
// their search, one list for every platform: each zone the tz database
// assigns to a country (zone.tab, one or more per country, since people
// look for their own city), with the country's name, plus UTC. It is
// generated (gen.go) and checked against Go's own tzdata, so every name
// loads with time.LoadLocation in a binary that embeds time/tzdata, even
// in a container without /usr/share/zoneinfo.
package zones

import (
	"slices"
	"strings"
)

//go:generate go run gen.go

// A Zone is one IANA time zone a person can pick.
type Zone struct {
	Name        string // the IANA name: "America/New_York"
	Country     string // ISO 3166 code: "US"; "" for UTC
	CountryName string // "United States"; "" for UTC
	Comment     string // zone.tab's note where a country has several: "Eastern (most areas)"
}

// City is the zone's place as a person reads it: "New York" for
// America/New_York, "Buenos Aires" for America/Argentina/Buenos_Aires.
func (z Zone) City() string {
	return strings.ReplaceAll(z.Name[strings.LastIndexByte(z.Name, '/')+1:], "_", " ")
}

// Label is how a picker shows the zone: its IANA name with spaces, and
// the country where the name does not say it: "America/New York (United
// States)", "Europe/Paris (France)", "UTC".
func (z Zone) Label() string {
	name := strings.ReplaceAll(z.Name, "_", " ")
	if z.CountryName == "" {
		return name
	}
	return name + " (" + z.CountryName + ")"
}

// All returns every zone, sorted by Name. The slice is the caller's.
func All() []Zone { return slices.Clone(all) }

// Lookup returns the zone named name, if the list has it.
func Lookup(name string) (Zone, bool) {
	i, ok := slices.BinarySearchFunc(all, name, func(z Zone, n string) int { return strings.Compare(z.Name, n) })
	if !ok {
		return Zone{}, false
	}
	return all[i], true
}

// Search returns at most limit zones matching query, best first: the city
// or the whole name is the query ("paris" → Europe/Paris), then the city
// starts with it, then the country is it ("france", "fr", "japan"), then a
// word of the name or the country starts with it ("york", "united"), then
// the name contains it. Case is ignored and spaces read as "_" ("new
// york"). Within each rank, zones stay in name order. An empty query
// matches every zone.
func Search(query string, limit int) []Zone {
	if limit <= 0 {
		return nil
	}
	q := strings.ToLower(strings.Join(strings.Fields(query), "_"))
	var ranked [5][]Zone
	for _, z := range all {
		if r, ok := rank(z, q); ok {
			ranked[r] = append(ranked[r], z)
		}
	}
	var out []Zone
	for _, zs := range ranked {
		out = append(out, zs[:min(len(zs), limit-len(out))]...)
		if len(out) == limit {
			break
		}
	}
	return out
}

// rank reports whether z matches the lower-case query q (spaces as "_"),
// and how well: 0 best, 4 worst.
func rank(z Zone, q string) (int, bool) {
	name := strings.ToLower(z.Name)
	city := name[strings.LastIndexByte(name, '/')+1:]
	country := strings.ToLower(strings.ReplaceAll(z.CountryName, " ", "_"))
	words := func(s string) bool {
		return slices.ContainsFunc(strings.FieldsFunc(s, isSep), func(w string) bool { return strings.HasPrefix(w, q) })
	}
	switch {
	case city == q || name == q:
		return 0, true
	case strings.HasPrefix(city, q):
		return 1, true
	case q != "" && (country == q || strings.ToLower(z.Country) == q):
		return 2, true
	case strings.HasPrefix(name, q) || words(name) || words(country):
		return 3, true
	case strings.Contains(name, q):
		return 4, true
	}
	return 0, false
}

// isSep reports whether r separates the words of a zone or country name.
func isSep(r rune) bool { return r == '/' || r == '_' || r == '-' || r == ',' || r == '(' || r == ')' }
