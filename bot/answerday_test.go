package bot_test

import (
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestWhichDayCheckinOpens is the table of "which day does this answer
// belong to": what `checkin` opens, by the local clock, what was prompted
// and answered, pauses, cycle boundaries and a zone change mid-week. Ana's
// cycle 1 runs Sunday 2026-11-22 to Friday 2027-02-19 (Paris).
func TestWhichDayCheckinOpens(t *testing.T) {
	t.Parallel()
	type step struct {
		prompt string // a day whose check-in was delivered
		done   string // a day answered in full
	}
	tests := []struct {
		name    string
		setup   []step
		command string   // before `checkin`, e.g. a settings change
		at      string   // "2026-11-23 10:00", Paris unless zone
		zone    string   // the clock's zone when not Paris
		want    []string // in the reply
	}{
		{name: "a workday morning: today", setup: []step{{prompt: "2026-11-23"}}, at: "2026-11-23 10:00",
			want: []string{"*Cycle 1 · day 2 of 90* · Monday 2026-11-23"}},
		{name: "before the prompt's time: today's still", at: "2026-11-23 07:00",
			want: []string{"· Monday 2026-11-23"}},
		{name: "evening, today's open: today", setup: []step{{prompt: "2026-11-23"}}, at: "2026-11-23 18:00",
			want: []string{"· Monday 2026-11-23"}},
		{name: "evening, today's done: the next workday", setup: []step{{prompt: "2026-11-23", done: "2026-11-23"}}, at: "2026-11-23 18:00",
			want: []string{"· Tuesday 2026-11-24"}},
		{name: "16:59, today's done: today's, to edit", setup: []step{{prompt: "2026-11-23", done: "2026-11-23"}}, at: "2026-11-23 16:59",
			want: []string{"You already answered today's check-in"}},
		{name: "Saturday: Friday's open prompt", setup: []step{{prompt: "2026-11-27"}}, at: "2026-11-28 10:00",
			want: []string{"· Friday 2026-11-27"}},
		{name: "Sunday evening, Friday done: Monday", setup: []step{{prompt: "2026-11-27", done: "2026-11-27"}}, at: "2026-11-29 20:00",
			want: []string{"· Monday 2026-11-30"}},
		{name: "evening before a pause: the first day after it", setup: []step{{prompt: "2026-11-23", done: "2026-11-23"}},
			command: "pause 2026-11-24 2026-11-25", at: "2026-11-23 18:00", want: []string{"· Thursday 2026-11-26"}},
		{name: "cycle 2's first day (Saturday): cycle 1's last check-in", setup: []step{{prompt: "2027-02-19"}}, at: "2027-02-20 10:00",
			want: []string{"*Cycle 1 · day 90 of 90* · Friday 2027-02-19"}},
		{name: "day 90's evening, done: cycle 2's first workday", setup: []step{{prompt: "2027-02-19", done: "2027-02-19"}}, at: "2027-02-19 18:00",
			want: []string{"*Cycle 2 · day 3 of 90* · Monday 2027-02-22"}},
		{name: "a year on: cycle 5", at: "2027-11-24 10:00",
			want: []string{"*Cycle 5 · day 8 of 90* · Wednesday 2027-11-24", "due 2028-02-14"}},
		{name: "moved to New York on Wednesday: Wednesday there", setup: []step{{prompt: "2026-11-25"}},
			command: "settings tz America/New_York", at: "2026-11-25 20:00", zone: "America/New_York",
			want: []string{"· Wednesday 2026-11-25"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, e := withRocks(t)
			for _, s := range tt.setup {
				day, err := bot.ParseDate(s.prompt)
				if err != nil {
					t.Fatal(err)
				}
				b.Clock.Set(bottest.Day(s.prompt, "09:00", "Europe/Paris"))
				b.Prompt(t, ana, bot.DeliveryDaily, day)
				if s.done != "" {
					for _, a := range []string{"moved", "1 focus", "no", "4"} {
						b.Say(t, ana, a)
					}
					if c := checkIn(t, b, e, day); c == nil || c.Status != bot.AnswerComplete {
						t.Fatalf("setup: %s not answered: %+v", s.done, c)
					}
				}
			}
			date, clock, _ := strings.Cut(tt.at, " ")
			b.Clock.Set(bottest.Day(date, "06:00", "Europe/Paris"))
			if tt.command != "" {
				b.Command(t, ana, tt.command)
			}
			zone := "Europe/Paris"
			if tt.zone != "" {
				zone = tt.zone
			}
			b.Clock.Set(bottest.Day(date, clock, zone))
			has(t, b.Command(t, ana, "checkin"), tt.want...)
		})
	}
}
