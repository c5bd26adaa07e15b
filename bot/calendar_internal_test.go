package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/ics"
)

func TestMatchClient(t *testing.T) {
	t.Parallel()
	clients := []calendarClient{
		{eng: &Engagement{ID: 1}, email: "ana@example.com", name: "ana lópez", first: "ana"},
		{eng: &Engagement{ID: 2}, email: "", name: "bob", first: ""},
		{eng: &Engagement{ID: 3}, email: "zoe@example.com", name: "zoë weber", first: "zoë"},
	}
	tests := []struct {
		summary   string
		attendees []string
		want      int64 // 0: no session
	}{
		{"Coaching", []string{"ana@example.com"}, 1},
		{"Coaching with Bob", []string{"ana@example.com"}, 1},           // an attendee wins over the title
		{"Coaching", []string{"ana@example.com", "zoe@example.com"}, 0}, // two clients attend
		{"Session: Bob", nil, 2},                                        // the name, case-insensitive
		{"Bobsleigh training", nil, 0},                                  // not as a whole word
		{"1:1 Ana López", nil, 1},                                       // the whole name
		{"Zoë/Ana sync", nil, 0},                                        // two names
		{"ZOË – quarterly review", nil, 3},                              // the first name, not ASCII
		{"Dentist", []string{"someone@example.com"}, 0},
	}
	for _, tt := range tests {
		got := matchClient(clients, ics.Event{Summary: tt.summary, Attendees: tt.attendees})
		var id int64
		if got != nil {
			id = got.eng.ID
		}
		if id != tt.want {
			t.Errorf("matchClient(%q, %v) = engagement %d, want %d", tt.summary, tt.attendees, id, tt.want)
		}
	}
}

func TestEventUID(t *testing.T) {
	t.Parallel()
	rid := time.Date(2027, 3, 28, 8, 0, 0, 0, time.UTC)
	if got := eventUID(ics.Event{UID: "abc@google.com", RecurrenceID: rid}); got != "abc@google.com/20270328T080000Z" {
		t.Errorf("eventUID of an occurrence = %q", got)
	}
	if got := eventUID(ics.Event{UID: "abc@google.com"}); got != "abc@google.com" {
		t.Errorf("eventUID of a single event = %q", got)
	}
	long := eventUID(ics.Event{UID: strings.Repeat("x", 300), RecurrenceID: rid})
	if len(long) > MaxIDLen || !strings.HasPrefix(long, "sha256:") || !strings.HasSuffix(long, "/20270328T080000Z") {
		t.Errorf("eventUID of a long UID = %q, want a hash and the occurrence", long)
	}
}
