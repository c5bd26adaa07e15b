package ics_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/ics"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// line is an occurrence in one comparable line.
func line(e ics.Event) string {
	s := fmt.Sprintf("%s %s–%s %q", e.UID, e.Start.UTC().Format("2006-01-02T15:04Z"), e.End.UTC().Format("15:04Z"), e.Summary)
	if !e.RecurrenceID.IsZero() {
		s += " rid=" + e.RecurrenceID.Format("2006-01-02T15:04Z07:00")
	}
	if e.AllDay {
		s += " all-day"
	}
	if len(e.Attendees) > 0 {
		s += " " + strings.Join(e.Attendees, ",")
	}
	return s
}

func TestOccurrences(t *testing.T) {
	t.Parallel()
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	got, err := ics.Occurrences(read(t, "coaching.ics"), from, to, berlin)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`rdate@example.com 2027-03-01T07:00Z–08:00Z "Extra dates" rid=2027-03-01T07:00Z`,
		// 10:00 in Berlin before the DST change is 09:00 UTC.
		`weekly-ana@example.com 2027-03-03T09:00Z–09:50Z "Coaching with Ana" rid=2027-03-03T09:00Z ana.lopez@example.com`,
		// Floating time: 12:00 in the default zone.
		`floating@example.com 2027-03-04T11:00Z–12:00Z "Floating lunch"`,
		// Windows zone names, as Outlook writes them; DURATION.
		`london-dana@example.com 2027-03-08T09:00Z–09:45Z "Dana"`,
		`outlook-carl@example.com 2027-03-09T15:00Z–15:30Z "Carl check-in"`,
		// A date, not a time: midnight in the default zone, for two days.
		`holiday@example.com 2027-03-09T23:00Z–23:00Z "Team offsite" all-day`,
		`weekly-ana@example.com 2027-03-10T09:00Z–09:50Z "Coaching with Ana" rid=2027-03-10T09:00Z ana.lopez@example.com`,
		`rdate@example.com 2027-03-15T07:00Z–08:00Z "Extra dates" rid=2027-03-15T07:00Z`,
		// 17 March is an EXDATE; 24 March moved to the 25th at 14:00.
		`weekly-ana@example.com 2027-03-25T13:00Z–14:00Z "Coaching with Ana (moved)" rid=2027-03-24T09:00Z ana.lopez@example.com`,
		`rdate@example.com 2027-03-29T07:00Z–08:00Z "Extra dates" rid=2027-03-29T07:00Z`,
		// After the DST change (28 March) 10:00 in Berlin is 08:00 UTC.
		`weekly-ana@example.com 2027-03-31T08:00Z–08:50Z "Coaching with Ana" rid=2027-03-31T08:00Z ana.lopez@example.com`,
		// 7 April is cancelled; COUNT=8 ends after the 21st.
		`weekly-ana@example.com 2027-04-14T08:00Z–08:50Z "Coaching with Ana" rid=2027-04-14T08:00Z ana.lopez@example.com`,
		`weekly-ana@example.com 2027-04-21T08:00Z–08:50Z "Coaching with Ana" rid=2027-04-21T08:00Z ana.lopez@example.com`,
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, line(e))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Occurrences:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range got {
		if e.UID == "weekly-ana@example.com" && e.Start.In(berlin).Hour() != 10 && e.Summary == "Coaching with Ana" {
			t.Errorf("%s starts at %s in Berlin, want 10:00 local across DST", e.UID, e.Start.In(berlin))
		}
	}
}

// TestOccurrencesWindow checks the window: [from, to), and an override
// moved into the window from an original start after it.
func TestOccurrencesWindow(t *testing.T) {
	t.Parallel()
	from := time.Date(2027, 3, 25, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 3, 25, 13, 0, 0, 0, time.UTC)
	got, err := ics.Occurrences(read(t, "coaching.ics"), from, to, berlin)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("an occurrence starting at the window's end is in it: %v", got)
	}
	body := []byte(strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0",
		"BEGIN:VEVENT", "UID:m", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT",
		// The third occurrence (15 March) moved to 2 March.
		"BEGIN:VEVENT", "UID:m", "RECURRENCE-ID:20270315T090000Z", "DTSTART:20270302T090000Z", "DTEND:20270302T100000Z", "END:VEVENT",
		"END:VCALENDAR", ""}, "\r\n"))
	got, err = ics.Occurrences(body, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 3, 0, 0, 0, 0, time.UTC), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, line(e))
	}
	want := "m 2027-03-01T09:00Z–10:00Z \"\" rid=2027-03-01T09:00Z\nm 2027-03-02T09:00Z–10:00Z \"\" rid=2027-03-15T09:00Z"
	if strings.Join(lines, "\n") != want {
		t.Errorf("Occurrences:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}
}

func TestOccurrencesMalformed(t *testing.T) {
	t.Parallel()
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, body := range map[string][]byte{
		"unclosed": read(t, "malformed.ics"),
		"empty":    []byte("  \r\n"),
		"html":     []byte("<html><body>Sign in</body></html>"),
	} {
		_, err := ics.Occurrences(body, from, from.AddDate(0, 2, 0), time.UTC)
		if err == nil || !strings.HasPrefix(err.Error(), "the calendar file is") {
			t.Errorf("%s: err = %v, want one in words starting \"the calendar file is\"", name, err)
		}
	}
}

// TestOccurrencesLarge parses a 2 MB calendar: a year of a busy coach's
// meetings, recurring and single, in several zones.
func TestOccurrencesLarge(t *testing.T) {
	t.Parallel()
	body := largeCalendar(2 << 20)
	if len(body) < 2<<20 {
		t.Fatalf("generated %d bytes, want 2 MiB", len(body))
	}
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := ics.Occurrences(body, from, from.AddDate(0, 0, 61), berlin)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 1000 {
		t.Errorf("got %d occurrences from the large calendar, want over 1000", len(got))
	}
}

// BenchmarkOccurrences2MB is one read of a 2 MiB calendar: parsed and
// expanded over the 61 days the syncer reads (BENCHMARKS.md).
func BenchmarkOccurrences2MB(b *testing.B) {
	body := largeCalendar(2 << 20)
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ics.Occurrences(body, from, from.AddDate(0, 0, 61), berlin); err != nil {
			b.Fatal(err)
		}
	}
}

// largeCalendar is a calendar of at least size bytes: single events
// through 2026 and 2027 and a weekly series every 50th event.
func largeCalendar(size int) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//smart90 tests//large//EN\r\n")
	zones := []string{"Europe/Berlin", "America/New_York", "W. Europe Standard Time", "Asia/Tokyo"}
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; b.Len() < size; i++ {
		start := base.Add(time.Duration(i%(2*365*8)) * 3 * time.Hour)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:event-%d@example.com\r\nDTSTAMP:20260101T000000Z\r\n", i)
		fmt.Fprintf(&b, "SUMMARY:Meeting %d with a fairly long title about the quarter's rocks\r\n", i)
		fmt.Fprintf(&b, "DESCRIPTION:Agenda: review the scorecard\\, the rocks and the blockers of the week.\r\n")
		z := zones[i%len(zones)]
		fmt.Fprintf(&b, "DTSTART;TZID=%q:%s\r\nDURATION:PT45M\r\n", z, start.Format("20060102T150405"))
		if i%50 == 0 {
			b.WriteString("RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n")
		}
		fmt.Fprintf(&b, "ORGANIZER:mailto:coach@example.com\r\nATTENDEE;CN=Client %d:mailto:client%d@example.com\r\nEND:VEVENT\r\n", i, i%40)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}
