package bot_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// TestHistoryStaysTrue: a change of workdays, zone, check-in time or pause
// applies from the moment it is made. The days already past keep the
// rules that held then, as the deliveries the scheduler made record them;
// without such a record (the scheduler never ran) the current settings
// decide, as they always did. Ana (Paris, 09:00, mon-fri) answers nothing
// in the week of Monday 2026-11-23; her coach's `clients` counts the
// check-ins that were expected of her.
func TestHistoryStaysTrue(t *testing.T) {
	t.Parallel()
	paris := func(day, clock string) time.Time { return bottest.Day(day, clock, "Europe/Paris") }
	tokyo := func(day, clock string) time.Time { return bottest.Day(day, clock, "Asia/Tokyo") }
	type step struct {
		at   time.Time
		say  string // ana's command then
		want string // in its reply
	}
	tests := []struct {
		name      string
		scheduler bool // runs through the week, every half hour
		steps     []step
		end       time.Time // when the coach asks
		want      string
	}{
		{name: "no change", scheduler: true, end: paris("2026-11-27", "12:00"),
			want: "this week 0/5 check-ins"},
		{name: "days changed on Wednesday: Tuesday still counts", scheduler: true,
			steps: []step{{paris("2026-11-25", "10:00"), "settings days mon,wed,fri", "This applies from now on"}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/4 check-ins"}, // Mon Tue Wed Fri, not Thu
		{name: "days changed on Wednesday before its check-in", scheduler: true,
			steps: []step{{paris("2026-11-25", "08:00"), "settings days mon,thu", "Saved."}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/3 check-ins"}, // Mon Tue Thu
		{name: "zone moved east past Wednesday's check-in", scheduler: true,
			steps: []step{{paris("2026-11-25", "08:00"), "settings tz Asia/Tokyo", "Time zone: Asia/Tokyo"}},
			end:   tokyo("2026-11-27", "12:00"),
			want:  "this week 0/4 check-ins"}, // Wednesday 09:00 had passed in Tokyo: never asked
		{name: "zone moved east, asked that day", scheduler: true,
			steps: []step{{paris("2026-11-25", "08:00"), "settings tz Asia/Tokyo", "Time zone: Asia/Tokyo"}},
			end:   tokyo("2026-11-25", "18:00"),
			want:  "this week 0/2 check-ins"}, // the scheduler plans Thursday next: Wednesday is past
		{name: "zone moved west", scheduler: true,
			steps: []step{{paris("2026-11-24", "10:00"), "settings tz America/New_York", "Time zone: America/New_York"}},
			end:   bottest.Day("2026-11-27", "12:00", "America/New_York"),
			want:  "this week 0/4 check-ins"}, // Tuesday asked once, in Paris; Thursday is Thanksgiving in New York
		{name: "check-in time moved before now", scheduler: true,
			steps: []step{{paris("2026-11-25", "08:00"), "settings time 07:30", "Daily check-in: 07:30"}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/4 check-ins"}, // Wednesday 07:30 had passed: never asked
		{name: "check-in time moved before now, asked that day", scheduler: true,
			steps: []step{{paris("2026-11-25", "08:00"), "settings time 07:30", "Daily check-in: 07:30"}},
			end:   paris("2026-11-25", "12:00"),
			want:  "this week 0/2 check-ins"},
		{name: "check-in time moved after today's", scheduler: true,
			steps: []step{{paris("2026-11-25", "10:00"), "settings time 11:00", "Daily check-in: 11:00"}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/5 check-ins"}, // Wednesday asked at 09:00, once
		{name: "pause planned ahead", scheduler: true,
			steps: []step{{paris("2026-11-24", "10:00"), "pause 2026-11-26 2026-11-30", "Paused from 2026-11-26"}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/3 check-ins"},
		{name: "pause ended early: the paused days stay off", scheduler: true,
			steps: []step{
				{paris("2026-11-24", "10:00"), "pause 2026-11-25 2026-11-30", "Paused from 2026-11-25"},
				{paris("2026-11-26", "12:00"), "resume", "Welcome back!"},
			},
			end:  paris("2026-11-27", "12:00"),
			want: "this week 0/3 check-ins"}, // Mon Tue Fri
		{name: "pause backdated over asked days", scheduler: true,
			steps: []step{{paris("2026-11-25", "10:00"), "pause 2026-11-23 2026-11-25", "Paused from 2026-11-23"}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/2 check-ins"}, // those days don't count against her
		{name: "no record: today's settings", end: paris("2026-11-27", "12:00"),
			want: "this week 0/5 check-ins"},
		{name: "no record: days changed on Wednesday",
			steps: []step{{paris("2026-11-25", "10:00"), "settings days mon,wed,fri", "Saved."}},
			end:   paris("2026-11-27", "12:00"),
			want:  "this week 0/3 check-ins"}, // as before: nothing tells what was asked
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			b.Engage(t, coach, ana)
			s, err := scheduler.New(scheduler.Config{Store: b.Store, Deliverer: b.Bot, Clock: b.Clock})
			if err != nil {
				t.Fatal(err)
			}
			// play moves the clock to until, running the scheduler every
			// half hour on the way when the case has it.
			play := func(until time.Time) {
				t.Helper()
				for tt.scheduler && b.Clock.Now().Add(30*time.Minute).Before(until) {
					b.Clock.Advance(30 * time.Minute)
					if err := s.Tick(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				b.Clock.Set(until)
				if tt.scheduler {
					if err := s.Tick(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, st := range tt.steps {
				play(st.at)
				has(t, b.Command(t, ana, st.say), st.want)
			}
			play(tt.end)
			has(t, b.Command(t, coach, "clients"), tt.want)
		})
	}
}
