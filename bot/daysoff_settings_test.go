package bot_test

import (
	"context"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// TestHolidaySettings: `settings country`, `settings country auto` and
// `settings holidays off|on`, as the settings show them, and a change
// re-plans the check-ins.
func TestHolidaySettings(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	has(t, b.Command(t, ana, "settings"), "• Public holidays: France (from your time zone), no check-in on them\n")
	has(t, b.Command(t, ana, "settings country de"), "Saved. This applies from now on", "• Public holidays: Germany, no check-in on them\n")
	if p := b.Person(t, ana); p.Country != "DE" {
		t.Errorf("stored country %q", p.Country)
	}
	has(t, b.Command(t, ana, "settings country uk"), "Public holidays: United Kingdom")
	has(t, b.Command(t, ana, "settings country XX"), "I don't know the public holidays of \"XX\". I know those of AT, AU, CA, CH, DE, ES, FR, GB, IE, IN, IT, NL, NZ, US.")
	has(t, b.Command(t, ana, "settings holidays off"), "• Public holidays: off (`settings holidays on` to skip them again)\n")
	has(t, b.Command(t, ana, "settings holidays maybe"), "Public holidays are `on`")
	has(t, b.Command(t, ana, "settings holidays on country auto"), "• Public holidays: France (from your time zone), no check-in on them\n")
	has(t, b.Command(t, ana, "settings tz Asia/Tokyo"), "• Public holidays: none known for your time zone (`settings country DE` picks a country)\n")
	has(t, b.Command(t, coach, "settings country DE"), "Check-in times are for clients")
	has(t, b.Command(t, coach, "settings <@ana> country DE"), "For a client you can set the reminder only")
	has(t, b.Command(t, ana, "help"), "[country DE|auto] [holidays on|off]")
}

// TestHolidaySettingReplans: Ana in Paris picks the United Kingdom's
// holidays before Christmas week; Monday 28 December, Boxing Day's
// substitute there, is then skipped, and Friday too.
func TestHolidaySettingReplans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	s, err := scheduler.New(scheduler.Config{Store: b.Store, Deliverer: b.Bot, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	b.Clock.Set(bottest.Day("2026-12-20", "12:00", "Europe/Paris"))
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	has(t, b.Command(t, ana, "settings country GB"), "United Kingdom")
	for _, day := range []string{"2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29"} {
		b.Clock.Set(bottest.Day(day, "09:30", "Europe/Paris"))
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	p := b.Person(t, ana)
	for day, want := range map[string]string{"2026-12-24": "", "2026-12-25": "public holiday: Christmas Day",
		"2026-12-28": "public holiday: Boxing Day (substitute day)", "2026-12-29": ""} {
		d, err := b.Store.DeliveryByKey(ctx, p.ID, bot.DeliveryDaily, day)
		if err != nil {
			t.Fatal(err)
		}
		if d.SkipReason != want || (want == "") != (d.State == bot.DeliverySent) {
			t.Errorf("%s: %s %q, want %q", day, d.State, d.SkipReason, want)
		}
	}
}
