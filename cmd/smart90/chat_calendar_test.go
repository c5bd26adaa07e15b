package main

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// TestChatCalendar connects a calendar in the console and checks it is
// read on the console's clock: `:advance` brings its sessions in.
func TestChatCalendar(t *testing.T) {
	t.Parallel()
	var reads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reads.Add(1)
		w.Write([]byte(strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0",
			"BEGIN:VEVENT", "UID:weekly-ana@demo", "SUMMARY:Coaching with Ana",
			"DTSTART;TZID=Europe/London:20261124T100000", "DTEND;TZID=Europe/London:20261124T105000",
			"RRULE:FREQ=WEEKLY;COUNT=6", "END:VEVENT", "END:VCALENDAR", ""}, "\r\n")))
	}))
	t.Cleanup(srv.Close)
	script := strings.Join([]string{
		":as coach Europe/London",
		"/smart90 invite @ana",
		":as ana Europe/Paris",
		":click Accept",
		":as coach",
		"/smart90 calendar " + srv.URL + "/cal/private-abc123/basic.ics",
		"/smart90 calendar",
		":advance 20m",
		"/smart90 calendar",
	}, "\n") + "\n"
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"chat", "-now", "2026-11-22T18:00:00Z", "-tz", "UTC", "-files", t.TempDir(), "-sqlite", filepath.Join(t.TempDir(), "smart90.db")}
	if err := Run(ctx, args, strings.NewReader(script), &out, &errs, env(nil)); err != nil {
		t.Fatalf("chat: %v\nstderr:\n%s", err, errs.String())
	}
	text := out.String()
	for _, want := range []string{
		"Connected your calendar (127.0.0.1). I read it every 15 minutes",
		"Last read: not yet · next: Sun 22 Nov 18:00\n    Sessions from it in the next 3 weeks: 0",
		"Last read: Sun 22 Nov 18:",
		"Sessions from it in the next 3 weeks: 3", // 24 November, 1 and 8 December
	} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	if n := reads.Load(); n < 1 || n > 2 {
		t.Errorf("the calendar was fetched %d times in 20 console minutes, want 1 or 2", n)
	}
	if strings.Contains(errs.String(), "private-abc123") {
		t.Errorf("the logs hold the calendar's address:\n%s", errs.String())
	}
}

// TestCalendarsNeedKey checks a server without an encryption key refuses
// to store a calendar's address, in words for the coach.
func TestCalendarsNeedKey(t *testing.T) {
	t.Parallel()
	err := calendarsNeedKey{}.PutCalendar(t.Context(), &bot.Calendar{CoachID: 1, URL: []byte("https://example.com/x.ics")})
	if bot.ErrorCode(err) != bot.EFORBIDDEN || !strings.Contains(bot.ErrorMessage(err), "SMART90_ENCRYPTION_KEY") {
		t.Errorf("PutCalendar without a key = %v, want EFORBIDDEN naming SMART90_ENCRYPTION_KEY", err)
	}
	// A webhook's address and secret, too (docs/webhooks.md).
	err = calendarsNeedKey{}.PutWebhook(t.Context(), &bot.Webhook{CoachID: 1, URL: []byte("https://example.com/hook"), Secret: []byte("whsec_x")})
	if bot.ErrorCode(err) != bot.EFORBIDDEN || !strings.Contains(bot.ErrorMessage(err), "SMART90_ENCRYPTION_KEY") {
		t.Errorf("PutWebhook without a key = %v, want EFORBIDDEN naming SMART90_ENCRYPTION_KEY", err)
	}
}

func TestCalendarMaxBytesConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  string
		want int64
		ok   bool
	}{{"", 4 << 20, true}, {"1048576", 1 << 20, true}, {"lots", 0, false}, {"0", 0, false}, {"1.5", 0, false}} {
		var c serveConfig
		err := c.bind(flag.NewFlagSet("serve", flag.ContinueOnError), env(map[string]string{"SMART90_CALENDAR_MAX_BYTES": tt.env}))
		if (err == nil) != tt.ok || tt.ok && c.CalendarMaxBytes != tt.want {
			t.Errorf("SMART90_CALENDAR_MAX_BYTES=%q: %d, %v; want %d (ok %v)", tt.env, c.CalendarMaxBytes, err, tt.want, tt.ok)
		}
	}
}
