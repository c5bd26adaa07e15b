package bot_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

func TestSettingsChange(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	out := b.Command(t, ana, "settings time 08:30 days mon-thu weekly thu 16:00 tz America/New_York reminder 90m")
	has(t, out, "Saved.", "Time zone: America/New_York", "Daily check-in: 08:30 on mon-thu", "Weekly report: Thursday 16:00", "Reminder: once, 1h30m after")
	e := b.Engagement(t, ana)
	if e.CheckinTime != 8*60+30 || e.Workdays.String() != "mon-thu" || e.WeeklyWeekday != time.Thursday || e.WeeklyTime != 16*60 || e.ReminderDelay != 90*time.Minute {
		t.Errorf("engagement = %s %s %s %s %s", e.CheckinTime, e.Workdays, e.WeeklyWeekday, e.WeeklyTime, e.ReminderDelay)
	}
	if p := b.Person(t, ana); p.TimeZone != "America/New_York" {
		t.Errorf("zone = %q", p.TimeZone)
	}
	has(t, b.Command(t, ana, "settings reminder off"), "Reminder: off")
	if e := b.Engagement(t, ana); e.ReminderDelay != 0 || e.CheckinTime != 8*60+30 {
		t.Errorf("reminder off changed more: %+v", e)
	}

	// The form is the same words.
	form := b.Command(t, ana, "settings")[0].Form
	if form == nil || form.FormID != bot.FormSettings {
		t.Fatalf("settings form = %+v", form)
	}
	has(t, b.Submit(t, ana, form.FormID, "", map[string]string{"tz": "Asia/Tokyo", "time": "07:45", "days": "mon-fri", "weekly": "fri 15:00", "reminder": "2h"}), "Saved.")
	if e := b.Engagement(t, ana); e.CheckinTime != 7*60+45 || e.Workdays != bot.MonToFri || e.ReminderDelay != 2*time.Hour {
		t.Errorf("after the form: %+v", e)
	}
	if p := b.Person(t, ana); p.TimeZone != "Asia/Tokyo" {
		t.Errorf("zone = %q", p.TimeZone)
	}

	// A coach sets their digest.
	has(t, b.Command(t, coach, "settings digest tue 08:15 tz Europe/Dublin"), "Digest: Tuesday 08:15")
	if p := b.Person(t, coach); p.DigestWeekday != time.Tuesday || p.DigestTime != 8*60+15 || p.TimeZone != "Europe/Dublin" {
		t.Errorf("coach = %+v", p)
	}
}

func TestSettingsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		by   bot.UserRef
		text string
		want string
	}{
		{"invalid tz", ana, "settings time 07:00 tz Mars/Olympus", `"Mars/Olympus" is not a time zone`},
		{"local tz", ana, "settings tz Local", "A time zone is needed"},
		{"invalid time", ana, "settings days mon-wed time 25:00", `"25:00" is not a time of day`},
		{"time without minutes", ana, "settings time 9", `"9" is not a time of day`},
		{"invalid days", ana, "settings time 07:00 days funday", `"funday" is not a day`},
		{"invalid weekly day", ana, "settings weekly someday 15:00", `"someday" is not a day`},
		{"weekly without time", ana, "settings weekly fri", "`weekly` needs a value"},
		{"time without value", ana, "settings time", "`time` needs a value"},
		{"reminder too short", ana, "settings reminder 5m", "15m to 12h"},
		{"unknown setting", ana, "settings colour blue", `I don't know the setting "colour"`},
		{"digest for a client", ana, "settings tz Asia/Tokyo digest mon 07:00", "The digest setting is for coaches"},
		{"check-in time for a coach", coach, "settings tz Asia/Tokyo time 08:00", "Check-in times are for clients"},
		{"evening in the morning", ana, "settings evening 09:00", "from 12:00 to 23:59"},
		{"evening not a time", ana, "settings evening late", "from 12:00 to 23:59"},
		{"evening without value", ana, "settings evening", "`evening` needs a value"},
		{"evening for a coach", coach, "settings evening 18:00", "Check-in times are for clients"},
		{"a client's evening", coach, "settings <@ana> evening off reminder off", "you can set the reminder only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			before := b.Engage(t, coach, ana)
			anaBefore, coachBefore := b.Person(t, ana), b.Person(t, coach)
			out := b.Command(t, tt.by, tt.text)
			has(t, out, tt.want)
			lacks(t, out, "Saved")
			if e := b.Engagement(t, ana); *e != *before {
				t.Errorf("engagement changed:\n%+v\n%+v", e, before)
			}
			if p := b.Person(t, ana); *p != *anaBefore {
				t.Errorf("ana changed:\n%+v\n%+v", p, anaBefore)
			}
			if p := b.Person(t, coach); *p != *coachBefore {
				t.Errorf("coach changed:\n%+v\n%+v", p, coachBefore)
			}
		})
	}
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	has(t, b.Command(t, ana, "pause 2026-12-21 2027-01-03"), "Paused from 2026-12-21 to 2027-01-03", "`resume` ends it early")
	e := b.Engagement(t, ana)
	from, to := bot.Date{Year: 2026, Month: 12, Day: 21}, bot.Date{Year: 2027, Month: 1, Day: 3}
	if e.PauseFrom != from || e.PauseTo != to || !e.PausedOn(bot.Date{Year: 2026, Month: 12, Day: 25}) || e.PausedOn(mon23) {
		t.Errorf("pause = %s..%s", e.PauseFrom, e.PauseTo)
	}
	has(t, b.Command(t, ana, "settings"), "Paused: 2026-12-21 to 2027-01-03")

	for text, want := range map[string]string{
		"pause 2027-01-03 2026-12-21": "The last day comes before the first",
		"pause 2026-11-01 2026-11-02": "That pause is already over",
		"pause 2026-12-01 2028-01-01": "A pause can last a year at most",
		"pause 2026-12-01":            "Tell me the first and the last day",
		"pause 2026-12-01 soon":       `"soon" is not a date`,
		"pause 1/12/2026 2026-12-03":  `"1/12/2026" is not a date`,
	} {
		out := b.Command(t, ana, text)
		has(t, out, want, "Usage: `pause YYYY-MM-DD YYYY-MM-DD`")
		if got := b.Engagement(t, ana); got.PauseFrom != from || got.PauseTo != to {
			t.Errorf("%s: pause changed to %s..%s", text, got.PauseFrom, got.PauseTo)
		}
	}

	// Before the pause starts, resume asks instead of cancelling it.
	out := b.Command(t, ana, "resume")
	has(t, out, "Your pause from 2026-12-21 to 2027-01-03 has not started yet", "Cancel the pause?")
	lacks(t, out, "Welcome back")
	keep := button(t, out[0], bot.ActionPauseKeep)
	has(t, b.Click(t, ana, bot.ActionPauseKeep, keep.Value), "Kept your pause from 2026-12-21 to 2027-01-03")
	if got := b.Engagement(t, ana); got.PauseFrom != from || got.PauseTo != to {
		t.Fatalf("kept pause changed to %s..%s", got.PauseFrom, got.PauseTo)
	}

	b.Clock.Set(bottest.Day("2026-12-22", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "resume"), "Welcome back")
	if e := b.Engagement(t, ana); !e.PauseFrom.IsZero() || !e.PauseTo.IsZero() || e.Status != bot.EngagementActive {
		t.Errorf("after resume: %s..%s %s", e.PauseFrom, e.PauseTo, e.Status)
	}
	has(t, b.Command(t, ana, "resume"), "You are not paused")
	has(t, b.Command(t, coach, "pause 2026-12-21 2027-01-03"), "That is for clients")
}

func TestResumeBeforeAPlannedPause(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	b.Command(t, ana, "pause 2026-12-21 2027-01-03")
	asked := b.Command(t, ana, "resume")
	cancel := button(t, asked[0], bot.ActionPauseCancel)

	// A button for a pause that changed since does nothing to the new one.
	b.Command(t, ana, "pause 2026-12-28 2027-01-03")
	has(t, b.Click(t, ana, bot.ActionPauseCancel, cancel.Value), "That question is out of date")
	if e := b.Engagement(t, ana); e.PauseFrom != (bot.Date{Year: 2026, Month: 12, Day: 28}) {
		t.Fatalf("a stale button changed the pause to %s..%s", e.PauseFrom, e.PauseTo)
	}

	cancel = button(t, b.Command(t, ana, "resume")[0], bot.ActionPauseCancel)
	has(t, b.Click(t, ana, bot.ActionPauseCancel, cancel.Value), "Cancelled your pause from 2026-12-28 to 2027-01-03")
	if e := b.Engagement(t, ana); !e.PauseFrom.IsZero() || !e.PauseTo.IsZero() {
		t.Errorf("after cancelling: %s..%s", e.PauseFrom, e.PauseTo)
	}
	has(t, b.Command(t, ana, "resume"), "You are not paused")

	// A pause that is over is not one to resume from.
	b.Command(t, ana, "pause 2026-11-23 2026-11-24")
	b.Clock.Set(bottest.Day("2026-11-26", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "resume"), "You are not paused")
}

// TestSettingsFormRoundTrip submits the settings form as it comes,
// pre-filled: it must be accepted and change nothing.
func TestSettingsFormRoundTrip(t *testing.T) {
	t.Parallel()
	for _, setup := range []string{"reminder 90m", "reminder off", "reminder 2h days mon,wed,fri", "days sat-mon weekly sun 18:05", "evening 18:30", "evening off"} {
		t.Run(setup, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			b.Engage(t, coach, ana)
			has(t, b.Command(t, ana, "settings "+setup), "Saved.")
			before, me := b.Engagement(t, ana), b.Person(t, ana)
			form := b.Command(t, ana, "settings")[0].Form
			vals := map[string]string{}
			for _, f := range form.Fields {
				vals[f.ID] = f.Initial
			}
			has(t, b.Submit(t, ana, form.FormID, form.Value, vals), "Saved.")
			after := b.Engagement(t, ana)
			after.UpdatedAt = before.UpdatedAt
			if *after != *before {
				t.Errorf("the unchanged form changed the engagement:\n%+v\n%+v", after, before)
			}
			if p := b.Person(t, ana); *p != *me {
				t.Errorf("the unchanged form changed the person:\n%+v\n%+v", p, me)
			}
		})
	}
}

func TestCoachSetsClientReminder(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	b.Meet(bob)
	has(t, b.Command(t, coach, "settings <@ana> reminder off"), "Saved: Ana's reminder is off.")
	if e := b.Engagement(t, ana); e.ReminderDelay != 0 {
		t.Errorf("reminder delay = %v, want off", e.ReminderDelay)
	}
	last, ok := b.Messenger.Last(ana.ExternalID)
	if !ok {
		t.Fatal("Ana was not told")
	}
	has(t, []bot.Message{last.Msg}, "Your coach set your check-in reminder: off.")
	has(t, b.Command(t, coach, "settings <@ana> reminder 90m"), "Saved: Ana's reminder is 1h30m after an unanswered check-in.")
	if e := b.Engagement(t, ana); e.ReminderDelay != 90*time.Minute {
		t.Errorf("reminder delay = %v, want 1h30m", e.ReminderDelay)
	}

	// Only the reminder, only for their own clients; nothing stored otherwise.
	has(t, b.Command(t, coach, "settings <@ana> time 06:00"), "you can set the reminder only")
	has(t, b.Command(t, coach, "settings <@bob> reminder off"), "Bob is not one of your clients.")
	has(t, b.Command(t, ana, "settings <@ana> reminder off"), "`settings @client` is for coaches")
	if e := b.Engagement(t, ana); e.ReminderDelay != 90*time.Minute || e.CheckinTime == 6*60 {
		t.Errorf("engagement changed by a refused command: %+v", e)
	}
}

// TestSettingsEvening: `settings evening` moves or turns off the evening
// from which `checkin` answers the next workday; the default stays 17:00.
func TestSettingsEvening(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	has(t, b.Command(t, ana, "settings"), "Evening: from 17:00")
	if p := b.Person(t, ana); p.EveningTime != 0 || p.Evening() != bot.DefaultEveningTime {
		t.Errorf("a new person's evening = %s (%s), want 0 (17:00)", p.EveningTime, p.Evening())
	}
	out := b.Command(t, ana, "settings evening 18:30")
	has(t, out, "Saved.", "Evening: from 18:30")
	lacks(t, out, "days already past") // not a schedule change
	if p := b.Person(t, ana); p.EveningTime != 18*60+30 {
		t.Errorf("evening = %s, want 18:30", p.EveningTime)
	}
	has(t, b.Command(t, ana, "settings evening OFF"), "Evening: off")
	if p := b.Person(t, ana); p.EveningTime != bot.EveningOff {
		t.Errorf("evening = %d, want off", p.EveningTime)
	}
	form := b.Command(t, ana, "settings")[0].Form
	for _, f := range form.Fields {
		if f.ID == "evening" && f.Initial != "off" {
			t.Errorf("the form's evening = %q, want off", f.Initial)
		}
	}
	// Schedule changes say they apply from now on.
	has(t, b.Command(t, ana, "settings days mon,wed,fri"), "This applies from now on: days already past keep the schedule they had.")
}
