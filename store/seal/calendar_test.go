package seal_test

import (
	"bytes"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/seal"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

const secretURL = "https://calendar.google.com/calendar/ical/coach%40example.com/private-0123abcd/basic.ics"

// TestCalendarSealed checks a calendar's address is sealed at rest and
// plaintext through the decorator, on both stores.
func TestCalendarSealed(t *testing.T) {
	t.Parallel()
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		db, path := sqlitetest.NewFile(t)
		sdb, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sdb.Close() })
		testCalendarSealed(t, db, func(t testing.TB, coachID int64) []byte {
			var b []byte
			if err := sdb.QueryRowContext(t.Context(), `SELECT url FROM calendars WHERE coach_id = ?`, coachID).Scan(&b); err != nil {
				t.Fatalf("read raw url: %v", err)
			}
			return b
		})
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		db := pgtest.New(t)
		testCalendarSealed(t, db, func(t testing.TB, coachID int64) []byte {
			var b []byte
			if err := db.Pool().QueryRow(t.Context(), `SELECT url FROM calendars WHERE coach_id = $1`, coachID).Scan(&b); err != nil {
				t.Fatalf("read raw url: %v", err)
			}
			return b
		})
	})
}

func testCalendarSealed(t *testing.T, db bot.Store, raw func(t testing.TB, coachID int64) []byte) {
	ctx := t.Context()
	s := seal.Store(db, newSealer(t))
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme", Status: bot.InstallationActive, CreatedAt: at}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "U1", DisplayName: "Coach", TimeZone: "UTC", IsCoach: true, CreatedAt: at}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		t.Fatal(err)
	}
	c := &bot.Calendar{CoachID: coach.ID, URL: []byte(secretURL), NextFetchAt: at, CreatedAt: at}
	if err := s.PutCalendar(ctx, c); err != nil {
		t.Fatal(err)
	}
	if string(c.URL) != secretURL {
		t.Errorf("after PutCalendar the caller's URL is %q, want the plaintext", c.URL)
	}
	stored := raw(t, coach.ID)
	if bytes.Contains(stored, []byte("private-0123abcd")) || !bytes.HasPrefix(stored, []byte("v1:")) {
		t.Errorf("the database holds %q, want a sealed value without the address", stored)
	}
	got, err := s.Calendar(ctx, coach.ID)
	if err != nil || string(got.URL) != secretURL {
		t.Errorf("Calendar = %v, %v; want the plaintext URL", got, err)
	}
	cs, err := s.ClaimCalendars(ctx, at, time.Minute, 10)
	if err != nil || len(cs) != 1 || string(cs[0].URL) != secretURL {
		t.Errorf("ClaimCalendars = %v, %v; want the calendar with the plaintext URL", cs, err)
	}
	c.LastError, c.NextFetchAt, c.UpdatedAt = "the calendar address answered 404 Not Found", at.Add(15*time.Minute), at.Add(time.Minute)
	if err := s.UpdateCalendar(ctx, c); err != nil || string(c.URL) != secretURL {
		t.Errorf("UpdateCalendar = %v, URL %q; want the plaintext URL", err, c.URL)
	}
	if b := raw(t, coach.ID); !bytes.Equal(b, stored) {
		t.Errorf("UpdateCalendar changed the stored address to %q", b)
	}
	// Another key does not open it, and says so.
	if _, err := seal.Store(db, newSealer(t)).Calendar(ctx, coach.ID); !errors.Is(err, seal.ErrMismatch) {
		t.Errorf("Calendar with another key: %v, want ErrMismatch", err)
	}
}
