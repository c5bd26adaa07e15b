package bot_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func TestParseWeekdays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		count    int
	}{
		{"mon-fri", "mon-fri", 5},
		{"Mon,Wed,Fri", "mon,wed,fri", 3},
		{"mon-wed,fri", "mon-wed,fri", 4},
		{"sat-mon", "mon,sat,sun", 3},
		{"tuesday", "tue", 1},
		{"mon,tue", "mon,tue", 2},
		{"sun", "sun", 1},
	}
	for _, tt := range tests {
		w, err := bot.ParseWeekdays(tt.in)
		if err != nil {
			t.Errorf("ParseWeekdays(%q): %v", tt.in, err)
			continue
		}
		if w.String() != tt.want || w.Count() != tt.count {
			t.Errorf("ParseWeekdays(%q) = %s (%d days), want %s (%d)", tt.in, w, w.Count(), tt.want, tt.count)
		}
	}
	for _, bad := range []string{"", "mo", "funday", "mon-", "mon,,fri"} {
		if _, err := bot.ParseWeekdays(bad); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("ParseWeekdays(%q) err = %v, want EINVALID", bad, err)
		}
	}
	if !bot.MonToFri.Has(time.Monday) || bot.MonToFri.Has(time.Sunday) {
		t.Error("MonToFri membership")
	}
}

func TestParseClockTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"09:00": "09:00", "9:30": "09:30", "23:59": "23:59", "00:00": "00:00"} {
		ct, err := bot.ParseClockTime(in)
		if err != nil || ct.String() != want {
			t.Errorf("ParseClockTime(%q) = %s, %v; want %s", in, ct, err, want)
		}
	}
	for _, bad := range []string{"24:00", "9", "09:60", "9:5", "nine", "-1:00", ""} {
		if _, err := bot.ParseClockTime(bad); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("ParseClockTime(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	d, err := bot.ParseDate("2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	if d.Weekday() != time.Wednesday || d.WeekStart() != (bot.Date{Year: 2026, Month: 11, Day: 23}) || d.ISOWeek() != "2026-W48" {
		t.Errorf("%s: weekday %s, week start %s, ISO week %s", d, d.Weekday(), d.WeekStart(), d.ISOWeek())
	}
	if got := d.AddDays(7); got.String() != "2026-12-02" || got.Sub(d) != 7 {
		t.Errorf("AddDays(7) = %s, Sub = %d", got, got.Sub(d))
	}
	if jan := (bot.Date{Year: 2027, Month: 1, Day: 1}); jan.ISOWeek() != "2026-W53" || jan.WeekStart().String() != "2026-12-28" {
		t.Errorf("2027-01-01: ISO week %s, week start %s", jan.ISOWeek(), jan.WeekStart())
	}
	if _, err := bot.ParseDate("2026-02-30"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("ParseDate(2026-02-30) err = %v", err)
	}
	if (bot.Date{}).String() != "" || !(bot.Date{}).IsZero() {
		t.Error("zero Date")
	}
}

func TestLoadZone(t *testing.T) {
	t.Parallel()
	if _, err := bot.LoadZone("Asia/Kathmandu"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus", "../etc/passwd"} {
		if _, err := bot.LoadZone(bad); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("LoadZone(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	e := bot.Errorf(bot.ENOTFOUND, "Rock %d not found.", 3)
	wrapped := &wrapErr{e}
	if bot.ErrorCode(wrapped) != bot.ENOTFOUND || bot.ErrorMessage(wrapped) != "Rock 3 not found." {
		t.Errorf("wrapped: %s %q", bot.ErrorCode(wrapped), bot.ErrorMessage(wrapped))
	}
	other := &wrapErr{nil}
	if bot.ErrorCode(other) != bot.EINTERNAL || bot.ErrorMessage(other) == "" || bot.ErrorCode(nil) != "" {
		t.Error("internal errors")
	}
}

type wrapErr struct{ err error }

func (w *wrapErr) Error() string { return "wrapped" }
func (w *wrapErr) Unwrap() error { return w.err }
