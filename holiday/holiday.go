package holiday

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/au"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/us"

	"github.com/smart90/smart90/adapters/zones"
)

// day is one holiday of a country, with its English name ("" when the
// library's name is English already).
type day struct {
	h  *cal.Holiday
	en string
}

// country is one country's national holidays.
type country struct {
	name string // in English: "Germany"
	days []day
	// observed names a substitute day as the country does: "observed"
	// in North America, "substitute day" (the default) elsewhere.
	observed string
}

// named lists holidays whose library names are English.
func named(hs ...*cal.Holiday) []day {
	out := make([]day, len(hs))
	for i, h := range hs {
		out[i] = day{h: h}
	}
	return out
}

// India's national gazetted holidays: the three every state keeps.
var (
	inRepublicDay = &cal.Holiday{Name: "Republic Day", Type: cal.ObservancePublic,
		Month: time.January, Day: 26, Func: cal.CalcDayOfMonth, StartYear: 1950}
	inIndependenceDay = &cal.Holiday{Name: "Independence Day", Type: cal.ObservancePublic,
		Month: time.August, Day: 15, Func: cal.CalcDayOfMonth, StartYear: 1947}
	inGandhiJayanti = &cal.Holiday{Name: "Gandhi Jayanti", Type: cal.ObservancePublic,
		Month: time.October, Day: 2, Func: cal.CalcDayOfMonth, StartYear: 1950}
)

// countries are the countries whose holidays are known, by ISO 3166 code.
// It is never written after init.
var countries = map[string]country{
	"AT": {name: "Austria", days: []day{{at.Neujahr, "New Year's Day"}, {at.HeiligeDreiKoenige, "Epiphany"}, {at.Ostermontag, "Easter Monday"},
		{at.TagderArbeit, "Labour Day"}, {at.ChristiHimmelfahrt, "Ascension Day"}, {at.Pfingstmontag, "Whit Monday"},
		{at.Fronleichnam, "Corpus Christi"}, {at.MariaHimmelfahrt, "Assumption Day"}, {at.Nationalfeiertag, "National Day"},
		{at.Allerheiligen, "All Saints' Day"}, {at.MariaEmpfaengnis, "Immaculate Conception"}, {at.Christtag, "Christmas Day"},
		{at.Stefanitag, "St Stephen's Day"}}},
	"AU": {name: "Australia", days: named(au.NewYear, au.AustraliaDay, au.GoodFriday, au.EasterMonday, au.AnzacDay, au.ChristmasDay, au.BoxingDay)},
	"CA": {name: "Canada", days: named(ca.Holidays...), observed: "observed"},
	"CH": {name: "Switzerland", days: []day{{ch.Neujahr, "New Year's Day"}, {ch.Auffahrt, "Ascension Day"},
		{ch.Bundesfeiertag, "Swiss National Day"}, {ch.Weihnachtstag, "Christmas Day"}}},
	"DE": {name: "Germany", days: []day{{de.Neujahr, "New Year's Day"}, {de.Karfreitag, "Good Friday"}, {de.Ostermontag, "Easter Monday"},
		{de.TagderArbeit, "Labour Day"}, {de.ChristiHimmelfahrt, "Ascension Day"}, {de.Pfingstmontag, "Whit Monday"},
		{de.DeutschenEinheit, "German Unity Day"}, {de.Weihnachtstag, "Christmas Day"}, {de.ZweiterWeihnachtsfeiertag, "Boxing Day"}}},
	"ES": {name: "Spain", days: []day{{es.AñoNuevo, "New Year's Day"}, {es.Reyes, "Epiphany"}, {es.ViernesSanto, "Good Friday"},
		{es.Trabajador, "Labour Day"}, {es.Asunción, "Assumption Day"}, {es.FiestaNacionalDeEspaña, "National Day"},
		{es.TodosLosSantos, "All Saints' Day"}, {es.Constitucion, "Constitution Day"},
		{es.InmaculadaConcepcion, "Immaculate Conception"}, {es.Navidad, "Christmas Day"}}},
	"FR": {name: "France", days: []day{{fr.NouvelAn, "New Year's Day"}, {fr.LundiDePâques, "Easter Monday"}, {fr.FêteDuTravail, "Labour Day"},
		{fr.FêteDeLaVictoire, "Victory in Europe Day"}, {fr.Ascension, "Ascension Day"}, {fr.LundiDePentecôte, "Whit Monday"},
		{fr.FêteNationale, "Bastille Day"}, {fr.Assomption, "Assumption Day"}, {fr.Toussaint, "All Saints' Day"},
		{fr.Armistice1918, "Armistice Day"}, {fr.Noël, "Christmas Day"}}},
	"GB": {name: "United Kingdom", days: []day{{gb.NewYear, ""}, {gb.GoodFriday, ""}, {gb.EasterMonday, ""},
		{gb.EarlyMay, "Early May bank holiday"}, {gb.VEDay, ""}, {gb.CoronationDay, ""}, {gb.SpringHoliday, "Spring bank holiday"},
		{gb.SpringHoliday2022, "Spring bank holiday"}, {gb.PlatinumJubilee, ""}, {gb.SummerHoliday, "Summer bank holiday"},
		{gb.ChristmasDay, ""}, {gb.BoxingDay, ""}}},
	"IE": {name: "Ireland", days: []day{{ie.NewYear, ""}, {ie.ExtraPublicHoliday2022, ""}, {ie.SaintBrigidDay, "St Brigid's Day"},
		{ie.SaintPatrickDay, "St Patrick's Day"}, {ie.EasterMonday, ""}, {ie.FirstMondayMay, "May bank holiday"},
		{ie.FirstMondayJune, "June bank holiday"}, {ie.FirstMondayAugust, "August bank holiday"},
		{ie.LastMondayInOctober, "October bank holiday"}, {ie.ChristmasDay, ""}, {ie.SaintStephenDay, "St Stephen's Day"}}},
	"IN": {name: "India", days: named(inRepublicDay, inIndependenceDay, inGandhiJayanti)},
	"IT": {name: "Italy", days: []day{{it.Capodanno, "New Year's Day"}, {it.Epifania, "Epiphany"}, {it.Pasquetta, "Easter Monday"},
		{it.FestaDellaLiberazione, "Liberation Day"}, {it.FestaDelLavoro, "Labour Day"}, {it.FestaDellaRepubblica, "Republic Day"},
		{it.Assunzione, "Assumption Day"}, {it.SanFrancescoDAssisi, "St Francis' Day"}, {it.TuttiISanti, "All Saints' Day"},
		{it.Immacolata, "Immaculate Conception"}, {it.Natale, "Christmas Day"}, {it.SantoStefano, "St Stephen's Day"}}},
	"NL": {name: "Netherlands", days: []day{{nl.Nieuwjaar, "New Year's Day"}, {nl.GoedeVrijdag, "Good Friday"}, {nl.TweedePaasdag, "Easter Monday"},
		{nl.Koningsdag, "King's Day"}, {nl.BevrijdingsDag, "Liberation Day"}, {nl.Hemelvaart, "Ascension Day"},
		{nl.TweedePinksterDag, "Whit Monday"}, {nl.EersteKerstdag, "Christmas Day"}, {nl.TweedeKerstdag, "Boxing Day"}}},
	"NZ": {name: "New Zealand", days: named(nz.Holidays...)},
	"US": {name: "United States", days: named(us.Holidays...), observed: "observed"},
}

// Supported returns the ISO 3166 codes of the countries whose holidays
// are known, sorted.
func Supported() []string {
	out := make([]string, 0, len(countries))
	for code := range countries {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// CountryName returns the English name of a supported country ("Germany"
// for "DE"), or "" for a code that is not supported.
func CountryName(code string) string {
	return countries[code].name
}

// CountryOfZone returns the ISO 3166 code of the country an IANA time
// zone belongs to ("DE" for Europe/Berlin), or "" for UTC and names the
// zone list does not have.
func CountryOfZone(zone string) string {
	if code, ok := oldZones[zone]; ok {
		return code
	}
	z, ok := zones.Lookup(zone)
	if !ok {
		return ""
	}
	return z.Country
}

// oldZones are the tz database's old names ("backward" links) still met
// in profiles, with their country, for the countries whose holidays are
// known: the zone list has the current names only.
var oldZones = map[string]string{
	"Asia/Calcutta": "IN",
	"US/Eastern":    "US", "US/Central": "US", "US/Mountain": "US", "US/Pacific": "US",
	"US/Alaska": "US", "US/Hawaii": "US", "US/Arizona": "US", "US/East-Indiana": "US", "US/Michigan": "US",
	"GB": "GB", "GB-Eire": "GB", "Europe/Belfast": "GB",
	"Eire":          "IE",
	"Australia/ACT": "AU", "Australia/Canberra": "AU", "Australia/NSW": "AU", "Australia/Victoria": "AU",
	"Australia/Queensland": "AU", "Australia/West": "AU", "Australia/South": "AU", "Australia/Tasmania": "AU",
	"Australia/North": "AU", "Australia/Yancowinna": "AU", "Australia/LHI": "AU",
	"Canada/Eastern": "CA", "Canada/Central": "CA", "Canada/Mountain": "CA", "Canada/Pacific": "CA",
	"Canada/Atlantic": "CA", "Canada/Newfoundland": "CA", "Canada/Saskatchewan": "CA", "Canada/Yukon": "CA",
	"NZ": "NZ", "NZ-CHAT": "NZ",
}

// Lookup returns the name of the national public holiday observed in
// country on the day y-m-d, and whether there is one. A holiday that
// falls on a weekend and is observed on a workday counts on that workday
// only, named "Boxing Day (substitute day)" ("Independence Day
// (observed)" in the United States and Canada). An unsupported country has none.
//
// Each country's year is worked out once and kept: the scheduler and the
// digest ask for many days of few countries.
func Lookup(country string, y int, m time.Month, d int) (name string, ok bool) {
	if _, known := countries[country]; !known {
		return "", false
	}
	name, ok = yearOf(country, y)[monthDay{m, d}]
	return name, ok
}

type monthDay struct {
	m time.Month
	d int
}

type countryYear struct {
	country string
	y       int
}

// years holds each country's year once worked out (countryYear → map[monthDay]string).
var years sync.Map

// yearOf returns the holidays observed in country in year y, by day.
func yearOf(country string, y int) map[monthDay]string {
	key := countryYear{country, y}
	if v, ok := years.Load(key); ok {
		return v.(map[monthDay]string)
	}
	c := countries[country]
	out := map[monthDay]string{}
	// A substitute day may fall in another year than its holiday: New
	// Year's Day 2028, a Saturday, is observed in the United States on
	// Friday 31 December 2027.
	for _, year := range []int{y, y + 1, y - 1} {
		for _, hd := range c.days {
			actual, observed := hd.h.Calc(year)
			if observed.IsZero() || observed.Year() != y {
				continue
			}
			at := monthDay{observed.Month(), observed.Day()}
			if _, taken := out[at]; taken {
				continue // the first found wins, as before: the year's own, in list order
			}
			name := cmp.Or(hd.en, hd.h.Name)
			if !sameDay(actual, observed) {
				name += " (" + cmp.Or(c.observed, "substitute day") + ")"
			}
			out[at] = name
		}
	}
	v, _ := years.LoadOrStore(key, out)
	return v.(map[monthDay]string)
}

// sameDay reports whether a and b fall on the same calendar day.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
