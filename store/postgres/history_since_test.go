package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// TestRockHistorySinceMatchesGo compares the PostgreSQL read of a rock
// history from RocksSince with bot.RockHistorySince on random histories:
// entries at shared instants, written out of order, statuses flapping,
// rocks created before and after since, since on an entry's instant.
func TestRockHistorySinceMatchesGo(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	base := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive, CreatedAt: base, UpdatedAt: base}
	if err := db.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	person := func(id string, coach bool) *bot.Person {
		p := &bot.Person{InstallationID: inst.ID, ExternalID: id, DisplayName: id, IsCoach: coach, TimeZone: "UTC",
			DigestWeekday: bot.DefaultDigestWeekday, DigestTime: bot.DefaultDigestTime, CreatedAt: base, UpdatedAt: base}
		if err := db.EnsurePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	coach := person("UCOACH", true)
	rng := rand.New(rand.NewPCG(1, 2))
	statuses := []bot.RockStatus{bot.RockOnTrack, bot.RockOffTrack, bot.RockDone, bot.RockDropped}
	for round := range 40 {
		client := person(fmt.Sprintf("UC%d", round), false)
		e := &bot.Engagement{CoachID: coach.ID, ClientID: client.ID, Status: bot.EngagementActive,
			CheckinTime: bot.DefaultCheckinTime, Workdays: bot.MonToFri, WeeklyWeekday: bot.DefaultWeeklyWeekday,
			WeeklyTime: bot.DefaultWeeklyTime, ReminderDelay: bot.DefaultReminderDelay, Start: bot.Date{Year: 2026, Month: 11, Day: 16},
			CycleDays: bot.DefaultCycleDays, InvitedAt: base, AcceptedAt: base, UpdatedAt: base}
		if err := db.CreateEngagement(ctx, e); err != nil {
			t.Fatal(err)
		}
		slot := func() time.Time { return base.Add(time.Duration(rng.IntN(8)) * time.Hour) }
		for k := range 1 + rng.IntN(4) {
			r := &bot.Rock{EngagementID: e.ID, Title: fmt.Sprintf("rock %d", k), DoneWhen: "done", Due: bot.Date{Year: 2027, Month: 1, Day: 1},
				Status: statuses[rng.IntN(len(statuses))], Progress: 1}
			r.CreatedAt = slot()
			r.UpdatedAt = r.CreatedAt
			if err := db.CreateRock(ctx, r, client.ID, "created"); err != nil {
				t.Fatal(err)
			}
			for range rng.IntN(7) {
				r.Status, r.Progress, r.UpdatedAt = statuses[rng.IntN(len(statuses))], r.Progress+1, slot()
				if err := db.UpdateRock(ctx, r, client.ID, "x"); err != nil {
					t.Fatal(err)
				}
			}
		}
		all, err := db.RockHistory(ctx, e.ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for s := range 9 {
			since := base.Add(time.Duration(s) * time.Hour)
			got, err := db.Histories(ctx, []int64{e.ID}, bot.HistoryWindow{From: bot.Date{Year: 2026, Month: 11, Day: 1}, To: bot.Date{Year: 2026, Month: 12, Day: 1},
				ScoresFrom: bot.Date{Year: 2026, Month: 11, Day: 1}, RocksSince: since, DueFrom: base, DueTo: base.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			ids := func(cs []*bot.RockChange) []int64 {
				var out []int64
				for _, c := range cs {
					out = append(out, c.ID)
				}
				return out
			}
			g, w := ids(got[e.ID].RockHistory), ids(bot.RockHistorySince(all, since))
			if !slices.Equal(g, w) {
				desc := ""
				for _, c := range all {
					desc += fmt.Sprintf("\n  id %d rock %d at +%v %s", c.ID, c.RockID, c.At.Sub(base), c.Status)
				}
				t.Errorf("round %d since +%v: PostgreSQL %v, RockHistorySince %v; history:%s", round, since.Sub(base), g, w, desc)
			}
		}
	}
}
