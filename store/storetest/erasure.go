package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// Table is one table of a store's database as the erasure test sees it.
type Table struct {
	Name string
	// PersonColumns are the table's columns whose foreign key refers to
	// people.
	PersonColumns []string
	// Rows holds every row: each column's value, by column name, as text
	// (bytes as they are, NULL as "").
	Rows []map[string]string
}

// Dump lists every table of a store's database with its rows. It finds
// the tables and their foreign keys through the database's catalog
// (information_schema, sqlite_master), never a list of its own, so that a
// table a later migration adds is covered without changing the test.
type Dump func(ctx context.Context) ([]Table, error)

// RunErasure runs the test that DeletePerson leaves nothing of a person in
// any table of the database: no reference to their id, no row holding
// their name, user id or anything they wrote. open returns a fresh, empty,
// migrated store and the Dump of its database, and registers its cleanup.
func RunErasure(t *testing.T, open func(t testing.TB) (bot.Store, Dump)) {
	t.Run("Erasure", func(t *testing.T) {
		t.Parallel()
		s, dump := open(t)
		testErasure(t, s, dump)
	})
}

// Fiona's words: each unique, so that a row holding one is hers.
const (
	fionaID   = "UFIONA7F3A"
	fionaName = "Fiona Forgetful"
)

var fionaWords = []string{
	fionaID, fionaName,
	"fiona-rock-title", "fiona-done-when", "fiona-rock-note", "fiona-moved", "fiona-priority", "fiona-stuck",
	"fiona-win", "fiona-weekly-stuck", "fiona-ask", "fiona-weekly-note", "fiona-session-notes",
	"fiona-coached-session", "fiona-digest-channel", "fiona-address-data",
	"fiona-review-win", "fiona-review-change", "fiona-review-learned",
	"fiona-measurable-name", "fiona-measurable-unit", "fiona-token-name",
	"fiona-webhook-url", "fiona-webhook-payload",
}

func testErasure(t *testing.T, s bot.Store, dump Dump) {
	ctx := t.Context()
	inst := newInstallation(t, s, bot.PlatformSlack, "T1")
	coach := newPerson(t, s, inst.ID, "UCOACH", true)
	keeper := newPerson(t, s, inst.ID, "UKEEPER", false) // Fiona's own client: their data stays

	// Fiona is a client of coach, twice (an ended engagement and a live
	// one), and a coach herself, of keeper.
	fiona := person(inst.ID, fionaID, true)
	fiona.DisplayName, fiona.DigestChannel = fionaName, "fiona-digest-channel"
	must(t, "ensure Fiona", s.EnsurePerson(ctx, fiona))
	ended := engagement(coach.ID, fiona.ID, bot.EngagementEnded)
	must(t, "create Fiona's ended engagement", s.CreateEngagement(ctx, ended))
	live := newEngagement(t, s, coach.ID, fiona.ID, bot.EngagementActive)
	coached := newEngagement(t, s, fiona.ID, keeper.ID, bot.EngagementActive)

	for i, e := range []*bot.Engagement{ended, live} {
		rock := &bot.Rock{EngagementID: e.ID, Title: "fiona-rock-title", DoneWhen: "fiona-done-when", Due: day(80),
			Status: bot.RockOnTrack, CreatedAt: at(0), UpdatedAt: at(0)}
		must(t, "create Fiona's rock", s.CreateRock(ctx, rock, fiona.ID, "fiona-rock-note"))
		byCoach := newRock(t, s, e.ID, coach.ID, "a rock her coach set", at(time.Minute))
		rock.Progress, rock.UpdatedAt = 40, at(time.Hour)
		must(t, "update Fiona's rock", s.UpdateRock(ctx, rock, fiona.ID, "fiona-rock-note"))
		must(t, "save Fiona's check-in", s.SaveCheckIn(ctx, &bot.CheckIn{EngagementID: e.ID, Day: day(i), Moved: "fiona-moved",
			Priority: "fiona-priority", PriorityRockID: rock.ID, Stuck: "fiona-stuck", Energy: 2, Status: bot.AnswerComplete,
			SubmittedAt: at(0), UpdatedAt: at(0)}))
		must(t, "save Fiona's weekly report", s.SaveWeeklyReport(ctx, &bot.WeeklyReport{EngagementID: e.ID, Week: week(0),
			Rocks: []bot.RockUpdate{
				{RockID: rock.ID, Status: bot.RockOffTrack, Progress: 40, Note: "fiona-weekly-note"},
				{RockID: byCoach.ID, Status: bot.RockOnTrack, Progress: 10},
			},
			Win: "fiona-win", Stuck: "fiona-weekly-stuck", Ask: "fiona-ask", Status: bot.AnswerComplete,
			SubmittedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)}, fiona.ID))
		// Her review: applied in the live engagement only, so the ended
		// one's lesson is in review_rocks alone.
		applyBy := fiona.ID
		if e == ended {
			applyBy = 0
		}
		must(t, "save Fiona's review", s.SaveReview(ctx, &bot.Review{EngagementID: e.ID, Cycle: 1,
			Rocks: []bot.RockReview{
				{RockID: rock.ID, Decision: bot.DecisionDone, Learned: "fiona-review-learned"},
				{RockID: byCoach.ID, Decision: bot.DecisionCarry},
			},
			Win: "fiona-review-win", Change: "fiona-review-change", Status: bot.AnswerComplete,
			SubmittedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour)}, applyBy))
		// Her scorecard: a live measurable with a value, and a removed one.
		for j, removed := range []time.Time{{}, at(time.Hour)} {
			m := &bot.Measurable{EngagementID: e.ID, Name: "fiona-measurable-name", Goal: 15, Direction: bot.AtLeast,
				Unit: "fiona-measurable-unit", RemovedAt: removed, CreatedAt: at(time.Duration(j) * time.Minute)}
			must(t, "create Fiona's measurable", s.CreateMeasurable(ctx, m))
			must(t, "save Fiona's measurable values", s.SaveMeasurableValues(ctx, e.ID, week(-j),
				[]bot.MeasurableValue{{MeasurableID: m.ID, Value: 17, UpdatedAt: at(0)}}))
		}
		must(t, "log a session with Fiona", s.CreateSession(ctx, &bot.Session{EngagementID: e.ID, Day: day(i),
			Notes: "fiona-session-notes", CreatedAt: at(0)}))
		tag := strconv.Itoa(i)
		newDelivery(t, s, fiona.ID, e.ID, bot.DeliveryDaily, "2026-11-2"+tag, at(-time.Hour), bot.DeliverySent)
		newDelivery(t, s, fiona.ID, e.ID, bot.DeliveryReminder, "2026-11-2"+tag, at(time.Hour), bot.DeliveryPending)
		newDelivery(t, s, fiona.ID, e.ID, bot.DeliveryWeekly, "2026-W4"+tag, at(time.Hour), bot.DeliveryFailed)
	}

	// As a coach: a rock and a session in keeper's engagement, her digest
	// and its delivery.
	keeperRock := newRock(t, s, coached.ID, fiona.ID, "keeper's rock", at(0))
	must(t, "log Fiona's session with keeper", s.CreateSession(ctx, &bot.Session{EngagementID: coached.ID, Day: day(0),
		Notes: "fiona-coached-session", CreatedAt: at(0)}))
	must(t, "create Fiona's digest", s.CreateDigest(ctx, &bot.Digest{CoachID: fiona.ID, Week: week(0),
		Channel: "fiona-digest-channel", ParentRef: "p-fiona", Summary: "1 client", PostedAt: at(0)}))
	newDelivery(t, s, fiona.ID, 0, bot.DeliveryDigest, "2026-W48", at(0), bot.DeliverySent)

	// Her coach's digests: this week's quotes her (as digests posted
	// before the summary lost its names did); one from long before she
	// was invited stays as it is.
	must(t, "create her coach's digest", s.CreateDigest(ctx, &bot.Digest{CoachID: coach.ID, Week: week(0), Channel: "C1",
		ParentRef: "p1", Summary: "2 clients · silent: " + fionaName + " · stuck: fiona-stuck", PostedAt: at(0)}))
	older := &bot.Digest{CoachID: coach.ID, Week: week(-30), Channel: "C1", ParentRef: "p0", Summary: "1 client · 1 reported", PostedAt: at(-30 * 7 * 24 * time.Hour)}
	must(t, "create her coach's older digest", s.CreateDigest(ctx, older))
	coachDelivery := newDelivery(t, s, coach.ID, 0, bot.DeliveryDigest, "2026-W48", at(0), bot.DeliverySent)

	// Her API token.
	_, hash, prefix, err := bot.NewAPIToken()
	must(t, "NewAPIToken", err)
	must(t, "create Fiona's API token", s.CreateAPIToken(ctx, &bot.APIToken{PersonID: fiona.ID, Name: "fiona-token-name",
		Prefix: prefix, Hash: hash, CreatedAt: at(0)}))

	// Her address, and others' that stay.
	newAddress(t, s, inst.ID, bot.PersonAddressKey(fionaID), []byte(`{"user":"fiona-address-data"}`), at(0))
	newAddress(t, s, inst.ID, bot.PersonAddressKey(coach.ExternalID), []byte(`{"user":"coach"}`), at(0))
	newAddress(t, s, inst.ID, "channel:C1", []byte(`{"channel":"C1"}`), at(0))

	// Her webhook, as a coach, and her coach's, with an event about her
	// that was sent and one still pending; one about keeper stays.
	newWebhook(t, s, fiona.ID, "https://fiona-webhook-url.example/hook")
	newWebhook(t, s, coach.ID, "https://coach-hook.example/hook")
	for i, when := range []time.Time{at(-time.Hour), at(time.Hour)} {
		enqueue(t, s, coach.ID, &bot.WebhookEvent{ID: fmt.Sprintf("fiona-%d", i), Type: bot.WebhookCheckInCompleted, ClientID: fiona.ID,
			At: when, Payload: []byte(`{"data":{"client":{"name":"` + fionaName + `"},"moved":"fiona-webhook-payload"}}`)}, 1)
	}
	enqueue(t, s, coach.ID, &bot.WebhookEvent{ID: "keeper-0", Type: bot.WebhookCheckInCompleted, ClientID: keeper.ID,
		At: at(0), Payload: []byte(`{"data":{"client":{"name":"keeper-webhook-payload"}}}`)}, 1)
	sent, err := s.ClaimWebhookDeliveries(ctx, at(-time.Hour), time.Minute, 1)
	must(t, "ClaimWebhookDeliveries", err)
	sent[0].State, sent[0].DeliveredAt = bot.WebhookDelivered, at(-time.Hour)
	if _, err := s.UpdateWebhookDeliveries(ctx, sent, []time.Time{sent[0].LeaseUntil}); err != nil {
		t.Fatal(err)
	}

	// The test sees what it looks for: before the deletion, every word of
	// Fiona's and her id are somewhere.
	before := dumpAll(t, dump)
	for _, w := range fionaWords {
		if where := find(before, w); len(where) == 0 {
			t.Errorf("before the deletion, %q is in no table: the dump does not see the data", w)
		}
	}
	if where := refs(before, fiona.ID); len(where) == 0 {
		t.Errorf("before the deletion, no column refers to Fiona's id %d: the dump finds no foreign keys to people", fiona.ID)
	}
	for _, name := range []string{"people", "engagements", "rocks", "rock_changes", "check_ins", "weekly_reports",
		"weekly_rock_updates", "reviews", "review_rocks", "measurables", "measurable_values", "sessions", "deliveries", "schedules", "digests", "addresses",
		"webhooks", "webhook_deliveries", "api_tokens"} {
		if !slices.ContainsFunc(before, func(tb Table) bool { return tb.Name == name }) {
			t.Errorf("the dump lacks table %s", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	must(t, "delete Fiona", s.DeletePerson(ctx, fiona.ID))

	after := dumpAll(t, dump)
	for _, w := range fionaWords {
		for _, where := range find(after, w) {
			t.Errorf("after the deletion, %q is still in %s", w, where)
		}
	}
	for _, where := range refs(after, fiona.ID) {
		t.Errorf("after the deletion, %s still refers to Fiona's id %d", where, fiona.ID)
	}

	// What is not hers stays: her coach, her coach's older digest and
	// delivery, her client and their rock.
	for _, w := range []string{coach.DisplayName, keeper.DisplayName, "keeper's rock", "1 client · 1 reported", `{"channel":"C1"}`,
		"https://coach-hook.example/hook", "keeper-webhook-payload"} {
		if len(find(after, w)) == 0 {
			t.Errorf("after the deletion, %q is gone too", w)
		}
	}
	got, err := s.LatestDigest(ctx, coach.ID)
	must(t, "LatestDigest", err)
	if got.Week != week(0) || got.ParentRef != "p1" || got.Summary != "" {
		t.Errorf("her coach's digest of her week after her deletion: %+v, want it kept with an empty summary", got)
	}
	gotDelivery, err := s.Delivery(ctx, coachDelivery.ID)
	must(t, "Delivery", err)
	same(t, "her coach's delivery", gotDelivery, coachDelivery)
	gotRock, err := s.Rock(ctx, keeperRock.ID)
	must(t, "Rock", err)
	same(t, "her client's rock", gotRock, keeperRock)
}

// dumpAll runs dump, failing the test on an error.
func dumpAll(t testing.TB, dump Dump) []Table {
	t.Helper()
	tables, err := dump(t.Context())
	must(t, "dump the database", err)
	return tables
}

// find returns where word occurs: "table.column of row n" for each cell
// that contains it.
func find(tables []Table, word string) []string {
	var out []string
	for _, tb := range tables {
		for i, row := range tb.Rows {
			for col, v := range row {
				if strings.Contains(v, word) {
					out = append(out, fmt.Sprintf("%s.%s of row %d (%.80q)", tb.Name, col, i, v))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// refs returns the cells of person columns that hold id.
func refs(tables []Table, id int64) []string {
	want := strconv.FormatInt(id, 10)
	var out []string
	for _, tb := range tables {
		for i, row := range tb.Rows {
			for _, col := range tb.PersonColumns {
				if row[col] == want {
					out = append(out, fmt.Sprintf("%s.%s of row %d", tb.Name, col, i))
				}
			}
		}
	}
	return out
}
