package bot_test

import (
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

func TestHome(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	home := func(u bot.UserRef) string {
		t.Helper()
		m, err := b.Bot.Home(t.Context(), bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: u})
		if err != nil {
			t.Fatal(err)
		}
		return m.Text
	}
	has(t, []bot.Message{{Text: home(ana)}}, "Coaches: type `invite @client` to start.")
	b.Engage(t, coach, ana)
	b.Command(t, ana, "rocks add Hire a CTO | signed offer | due 2027-01-31")
	has(t, []bot.Message{{Text: home(ana)}}, "*Cycle 1 · day 1 of 90*", "*Your rocks*", "Hire a CTO")
	has(t, []bot.Message{{Text: home(coach)}}, "*Your clients*", "*Ana*")
}
