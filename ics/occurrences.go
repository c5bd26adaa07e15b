package ics

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// Event is one occurrence of a calendar event.
type Event struct {
	// UID is the event's UID, shared by every occurrence of a recurring
	// event.
	UID string
	// RecurrenceID is the original start of an occurrence of a recurring
	// event, in UTC (where the rule put it, even when the occurrence was
	// moved); zero for an event that does not recur.
	RecurrenceID time.Time
	// Start and End are when the occurrence starts and ends; an all-day
	// event starts and ends at midnight in the default zone.
	Start, End time.Time
	// AllDay says the event has dates, not times: a holiday or a trip,
	// not a meeting.
	AllDay  bool
	Summary string
	// Attendees are the attendees' e-mail addresses, lower case, without
	// the organizer's.
	Attendees []string
}

// maxSteps bounds how many occurrences one rule may generate before the
// window ends, so that a rule repeating every second since 1970 cannot
// stall a read: such an event is skipped.
const maxSteps = 100_000

// Occurrences returns the occurrences of body's events that start in
// [from, to), by start then UID. It expands recurrence rules (RRULE,
// RDATE, EXDATE), applies overrides of single occurrences (RECURRENCE-ID:
// moved, or cancelled with STATUS:CANCELLED) and leaves out cancelled
// events. Times with a TZID are read in that zone (IANA or Windows
// names), floating times and dates in floating.
//
// A file that is not iCalendar is an error in words; one event it
// cannot read (no UID, a broken start or rule) is skipped.
func Occurrences(body []byte, from, to time.Time, floating *time.Location) ([]Event, error) {
	if floating == nil {
		floating = time.UTC
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("the calendar file is empty")
	}
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		// The decoder's words quote the file, which may be any page the
		// address answers with: they stay out of what the coach reads.
		return nil, errors.New("the calendar file is not valid iCalendar (is it the address in iCal format?)")
	}
	z := &zoneResolver{floating: floating}

	// Overrides of single occurrences, by UID and original start.
	type key struct {
		uid string
		at  int64
	}
	overrides := map[key]*ical.Component{}
	var masters []*ical.Component
	dropped := map[string]bool{} // UIDs of cancelled events
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		uid := text(c, ical.PropUID)
		if uid == "" {
			continue
		}
		if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
			at, _, err := z.parseTime(rid, rid.Value)
			if err != nil {
				continue
			}
			overrides[key{uid, at.Unix()}] = c
			continue
		}
		if cancelled(c) {
			dropped[uid] = true
			continue
		}
		masters = append(masters, c)
	}

	var out []Event
	for _, c := range masters {
		ev, dur, err := z.event(c)
		if err != nil {
			continue
		}
		starts, recurring, err := z.starts(c, ev.Start, to)
		if err != nil {
			continue
		}
		for _, start := range starts {
			if recurring {
				if o, ok := overrides[key{ev.UID, start.Unix()}]; ok {
					delete(overrides, key{ev.UID, start.Unix()})
					if cancelled(o) {
						continue
					}
					moved, mdur, err := z.event(o)
					if err != nil {
						continue
					}
					moved.UID, moved.RecurrenceID = ev.UID, start.UTC()
					moved.End = moved.Start.Add(mdur)
					if in(moved.Start, from, to) {
						out = append(out, moved)
					}
					continue
				}
			}
			if !in(start, from, to) {
				continue
			}
			e := ev
			e.Start, e.End = start, start.Add(dur)
			if recurring {
				e.RecurrenceID = start.UTC()
			}
			out = append(out, e)
		}
	}
	// An override moved into the window from an original start after it
	// (the expansion stops at to).
	for k, o := range overrides {
		if cancelled(o) || dropped[k.uid] {
			continue
		}
		moved, mdur, err := z.event(o)
		if err != nil || !in(moved.Start, from, to) {
			continue
		}
		moved.RecurrenceID = time.Unix(k.at, 0).UTC()
		moved.End = moved.Start.Add(mdur)
		out = append(out, moved)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].UID < out[j].UID
	})
	return out, nil
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// event reads c's own fields: UID, start, summary, attendees, and its
// length.
func (z *zoneResolver) event(c *ical.Component) (Event, time.Duration, error) {
	ev := Event{UID: text(c, ical.PropUID), Summary: text(c, ical.PropSummary)}
	p := c.Props.Get(ical.PropDateTimeStart)
	if p == nil {
		return ev, 0, errors.New("no start")
	}
	start, allDay, err := z.parseTime(p, p.Value)
	if err != nil {
		return ev, 0, err
	}
	ev.Start, ev.AllDay = start, allDay
	var dur time.Duration
	switch {
	case c.Props.Get(ical.PropDateTimeEnd) != nil:
		e := c.Props.Get(ical.PropDateTimeEnd)
		end, _, err := z.parseTime(e, e.Value)
		if err != nil {
			return ev, 0, err
		}
		dur = end.Sub(start)
	case c.Props.Get(ical.PropDuration) != nil:
		d, err := c.Props.Get(ical.PropDuration).Duration()
		if err != nil {
			return ev, 0, err
		}
		dur = d
	case allDay:
		dur = 24 * time.Hour
	}
	if dur < 0 {
		dur = 0
	}
	ev.End = start.Add(dur)
	organizer := ""
	if o := c.Props.Get(ical.PropOrganizer); o != nil {
		organizer = email(o)
	}
	for i := range c.Props.Values(ical.PropAttendee) {
		a := &c.Props.Values(ical.PropAttendee)[i]
		if m := email(a); m != "" && m != organizer {
			ev.Attendees = append(ev.Attendees, m)
		}
	}
	return ev, dur, nil
}

// starts returns the starts of c's occurrences before to: its start,
// or those of its rule, plus RDATEs, less EXDATEs. recurring says c
// has a rule or extra dates.
func (z *zoneResolver) starts(c *ical.Component, start, to time.Time) ([]time.Time, bool, error) {
	var extra, except []time.Time
	for _, name := range []string{ical.PropRecurrenceDates, ical.PropExceptionDates} {
		for i := range c.Props.Values(name) {
			p := &c.Props.Values(name)[i]
			for _, v := range strings.Split(p.Value, ",") {
				if p.Params.Get(ical.ParamValue) == "PERIOD" || strings.Contains(v, "/") {
					v, _, _ = strings.Cut(v, "/")
				}
				t, _, err := z.parseTime(p, v)
				if err != nil {
					return nil, false, err
				}
				if name == ical.PropExceptionDates {
					except = append(except, t)
				} else {
					extra = append(extra, t)
				}
			}
		}
	}
	rp := c.Props.Get(ical.PropRecurrenceRule)
	if rp == nil && len(extra) == 0 {
		return []time.Time{start}, false, nil
	}
	list := []time.Time{start}
	if rp != nil {
		opt, err := rrule.StrToROptionInLocation(rp.Value, start.Location())
		if err != nil {
			return nil, false, err
		}
		opt.Dtstart = start
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, false, err
		}
		list = list[:0]
		next := r.Iterator()
		for steps := 0; ; steps++ {
			t, ok := next()
			if !ok || !t.Before(to) {
				break
			}
			if steps == maxSteps {
				return nil, false, errors.New("too many occurrences")
			}
			list = append(list, t)
		}
		if len(list) == 0 || !list[0].Equal(start) {
			// DTSTART is always the first occurrence (RFC 5545 3.8.5.3).
			list = append([]time.Time{start}, list...)
		}
	}
	list = append(list, extra...)
	skip := map[int64]bool{}
	for _, t := range except {
		skip[t.Unix()] = true
	}
	seen := map[int64]bool{}
	out := list[:0]
	for _, t := range list {
		if skip[t.Unix()] || seen[t.Unix()] {
			continue
		}
		seen[t.Unix()] = true
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, true, nil
}

// parseTime reads value (one of p's values) as a date or a date-time:
// UTC with a Z, in p's TZID, or floating.
func (z *zoneResolver) parseTime(p *ical.Prop, value string) (time.Time, bool, error) {
	value = strings.TrimSpace(value)
	if p.Params.Get(ical.ParamValue) == "DATE" || len(value) == len("20060102") {
		t, err := time.ParseInLocation("20060102", value, z.floating)
		return t, true, err
	}
	if strings.HasSuffix(value, "Z") {
		t, err := time.ParseInLocation("20060102T150405Z", value, time.UTC)
		return t, false, err
	}
	loc := z.floating
	if tzid := p.Params.Get(ical.PropTimezoneID); tzid != "" {
		loc = z.resolve(tzid)
	}
	t, err := time.ParseInLocation("20060102T150405", value, loc)
	return t, false, err
}

func cancelled(c *ical.Component) bool {
	return strings.EqualFold(text(c, ical.PropStatus), "CANCELLED")
}

func text(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		return strings.TrimSpace(p.Value)
	}
	return strings.TrimSpace(s)
}

// email is the lower-case address of an ATTENDEE or ORGANIZER: its
// mailto: value, or its EMAIL parameter.
func email(p *ical.Prop) string {
	v := strings.TrimSpace(p.Value)
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		return strings.ToLower(strings.TrimSpace(v[7:]))
	}
	if e := p.Params.Get("EMAIL"); e != "" {
		return strings.ToLower(strings.TrimSpace(e))
	}
	return ""
}
