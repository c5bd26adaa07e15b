// This file holds the client's public holidays: which country's, the
// days they fall on, and the line a prompt carries before them.

package bot

import (
	"fmt"
	"strings"

	"github.com/smart90/smart90/holiday"
)

// DaysOff tells a client's public holidays: the holiday's name on a day
// off ("Whit Monday"), "" on other days. A nil DaysOff has none.
type DaysOff func(d Date) string

// On returns the name of the holiday on d, "" when d is none.
func (off DaysOff) On(d Date) string {
	if off == nil {
		return ""
	}
	return off(d)
}

// HolidayReason is the skip reason of a prompt not sent for a public
// holiday: "public holiday: Whit Monday".
func HolidayReason(name string) string { return "public holiday: " + name }

// HolidayCountry returns the ISO code of the country whose public
// holidays skip p's prompts, and whether it comes from their time zone:
// Country when set, else the zone's country. code is "" when holidays are
// off for p, or no supported country is known.
func (p *Person) HolidayCountry() (code string, fromZone bool) {
	if p.HolidaysOff {
		return "", false
	}
	if p.Country != "" {
		return p.Country, false
	}
	code = holiday.CountryOfZone(p.TimeZone)
	if holiday.CountryName(code) == "" {
		return "", true
	}
	return code, true
}

// DaysOff returns p's public holidays (see HolidayCountry); nil when none.
func (p *Person) DaysOff() DaysOff {
	code, _ := p.HolidayCountry()
	if holiday.CountryName(code) == "" {
		return nil
	}
	return func(d Date) string {
		name, _ := holiday.Lookup(code, d.Year, d.Month, d.Day)
		return name
	}
}

// promptDay reports whether a daily check-in prompt goes out on d: a
// workday of the engagement in it, not paused, not a holiday.
func promptDay(e *Engagement, off DaysOff, d Date) bool {
	return e.Workdays.Has(d.Weekday()) && !e.PausedOn(d) && !d.Before(e.Start) && off.On(d) == ""
}

// noticeDays bounds how far a notice looks ahead: weekday names stay
// unambiguous within a week.
const noticeDays = 6

// dayOffNotice is the line a client's prompt on day carries when the
// next workday(s) are public holidays for them ("Monday is Whit Monday:
// no check-in."), and when this week's or next week's weekly report moves
// for one, or "".
func (b *Bot) dayOffNotice(e *Engagement, p *Person, day Date) string {
	off := p.DaysOff()
	if off == nil {
		return ""
	}
	var lines []string
	if s := holidayLine(e, off, day); s != "" {
		lines = append(lines, s)
	}
	if s := weeklyMoveLine(e, off, day); s != "" {
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

// holidayLine names the holiday workdays between day and the next day a
// check-in is asked: "Friday is Christmas Day and Monday is Boxing Day
// (substitute day): no check-ins."
func holidayLine(e *Engagement, off DaysOff, day Date) string {
	var said []string
	for d := day.AddDays(1); d.Sub(day) <= noticeDays; d = d.AddDays(1) {
		if !e.Workdays.Has(d.Weekday()) || e.PausedOn(d) {
			continue
		}
		name := off.On(d)
		if name == "" {
			break
		}
		said = append(said, fmt.Sprintf("%s is %s", d.Weekday(), name))
	}
	switch len(said) {
	case 0:
		return ""
	case 1:
		return said[0] + ": no check-in."
	}
	return strings.Join(said[:len(said)-1], ", ") + " and " + said[len(said)-1] + ": no check-ins."
}

// weeklyMoveLine says when a week's report moves for a holiday: "Your
// weekly report comes on Thursday this week (Friday is Good Friday)." It
// is said once, on the first check-in of that week, or on the check-in
// before when that first one is the report's own day.
func weeklyMoveLine(e *Engagement, off DaysOff, day Date) string {
	for _, week := range []Date{day.WeekStart(), day.WeekStart().AddDays(7)} {
		moved, name, ok := e.WeeklyOn(week, off)
		if name == "" || e.PausedOn(moved) || moved.Before(e.Start) {
			continue
		}
		first, found := Date{}, false
		for d := week; d.Before(week.AddDays(7)); d = d.AddDays(1) {
			if promptDay(e, off, d) {
				first, found = d, true
				break
			}
		}
		if !found || (ok && first == moved) {
			// Said the check-in before.
			for first, found = week.AddDays(-1), false; week.Sub(first) <= 7; first = first.AddDays(-1) {
				if promptDay(e, off, first) {
					found = true
					break
				}
			}
		}
		if !found || first != day {
			continue
		}
		which := "this week"
		if week != day.WeekStart() {
			which = "next week"
		}
		usual := e.WeeklyDay(week).Weekday()
		if !ok {
			return fmt.Sprintf("No weekly report %s (%s is %s).", which, usual, name)
		}
		return fmt.Sprintf("Your weekly report comes on %s %s (%s is %s).", moved.Weekday(), which, usual, name)
	}
	return ""
}

// offNote says which prompts from..to were not sent for a reason a
// person gave or has (a public holiday, out of office), by the reason's
// category (its words before ':'): "off: public holiday (Fri 25 Dec)",
// "off: out of office (Mon–Fri)"; "" when none. Days in a row, with
// nothing asked between them, read as one span.
func (in *insight) offNote(from, to Date) string {
	type span struct{ first, last Date }
	var order []string
	spans := map[string][]span{}
	open := ""
	for d := from; !d.After(to); d = d.AddDays(1) {
		dl := in.delivered[d]
		if dl == nil {
			continue // nothing asked that day: a run goes on over it
		}
		cat, _, _ := strings.Cut(dl.SkipReason, ":")
		cat = strings.TrimSpace(cat)
		if dl.State != DeliverySkipped || cat == "" {
			open = ""
			continue
		}
		ss := spans[cat]
		if ss == nil {
			order = append(order, cat)
		}
		if open == cat {
			ss[len(ss)-1].last = d
		} else {
			ss = append(ss, span{d, d})
		}
		spans[cat], open = ss, cat
	}
	if len(order) == 0 {
		return ""
	}
	var parts []string
	for _, cat := range order {
		var days []string
		for _, s := range spans[cat] {
			if s.first == s.last {
				days = append(days, shortDay(s.first))
			} else {
				days = append(days, s.first.Weekday().String()[:3]+"–"+s.last.Weekday().String()[:3])
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", cat, strings.Join(days, ", ")))
	}
	return "off: " + strings.Join(parts, "; ")
}

// parseCountry reads `settings country DE`: a supported country's code,
// or "auto" (returned as "") for the time zone's country.
func parseCountry(s string) (string, error) {
	code := strings.ToUpper(s)
	if code == "AUTO" {
		return "", nil
	}
	if code == "UK" {
		code = "GB" // what people write; ISO 3166 says GB
	}
	if holiday.CountryName(code) == "" {
		return "", Errorf(EINVALID, "I don't know the public holidays of %q. I know those of %s. Pick one, e.g. `settings country DE`, or `settings country auto` for your time zone's.",
			clip(s, 20), strings.Join(holiday.Supported(), ", "))
	}
	return code, nil
}

// holidaysText is the settings' line on public holidays: "Germany (from
// your time zone)", "United Kingdom", "off".
func holidaysText(p *Person) string {
	code, fromZone := p.HolidayCountry()
	switch {
	case p.HolidaysOff:
		return "off (`settings holidays on` to skip them again)"
	case code == "":
		return "none known for your time zone (`settings country DE` picks a country)"
	case fromZone:
		return holiday.CountryName(code) + " (from your time zone), no check-in on them"
	}
	return holiday.CountryName(code) + ", no check-in on them"
}
