// Package ics reads a coach's calendar: it fetches the secret iCalendar
// (ICS) address their calendar service publishes (Fetch) and expands its
// events into the occurrences of a time window (Occurrences), with
// recurrence rules, exceptions, moved and cancelled occurrences, time
// zones and all-day events.
//
// The address is a secret: anyone who has it reads the calendar. No error
// of this package contains it; they say "the calendar address" instead,
// in words a coach reads.
package ics
