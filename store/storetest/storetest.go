// Package storetest is the conformance suite of bot.Store: one set of tests
// that store/sqlite and store/postgres both run, so the two implementations
// keep exactly the contract written on bot.Store and can replace each other.
//
// A store's own test calls Run with a function that opens a fresh, empty,
// migrated store and registers its cleanup, and with the Capabilities the
// store declares beyond the contract:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) bot.Store { return openTestDB(t) },
//			storetest.Capabilities{Replicas: openTestReplicas})
//	}
//
// Every subtest runs in parallel on its own store. Instants are fixed
// (callers control time through CreatedAt and UpdatedAt, and through the
// now given to ClaimDeliveries and PlanSchedules), so nothing here reads
// the wall clock or sleeps; the concurrency tests release their goroutines
// together and count what each one got.
package storetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"go/token"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smart90/smart90/bot"
)

// Run runs the conformance suite. open returns a fresh, empty, migrated store for one subtest
// and registers its own cleanup with t.Cleanup. caps says what else the
// store guarantees; the suite checks each guarantee declared.
func Run(t *testing.T, open func(t testing.TB) bot.Store, caps Capabilities) {
	tests := []struct {
		name string
		test func(t *testing.T, s bot.Store)
	}{
		{"Ping", testPing},
		{"NotFound", testNotFound},
		{"Instants", testInstants},
		{"FilledInstants", testFilledInstants},

		{"UpsertInstallation", testUpsertInstallation},
		{"ListInstallations", testListInstallations},
		{"EnsurePerson", testEnsurePerson},
		{"UpdatePerson", testUpdatePerson},
		{"ListCoaches", testListCoaches},

		{"CreateEngagement", testCreateEngagement},
		{"CreateEngagementConflict", testCreateEngagementConflict},
		{"UpdateEngagement", testUpdateEngagement},
		{"ListEngagements", testListEngagements},
		{"EngagementsForCoach", testEngagementsForCoach},

		{"Recipient", testRecipient},
		{"EngagementWithRocks", testEngagementWithRocks},

		{"CreateRock", testCreateRock},
		{"UpdateRock", testUpdateRock},
		{"RockHistory", testRockHistory},
		{"RockLimitConcurrent", testRockLimitConcurrent},
		{"RockLimitLive", testRockLimitLive},
		{"RockLimitCycle", testRockLimitCycle},
		{"RockTextLimits", testRockTextLimits},
		{"TextLimits", testTextLimits},

		{"SaveCheckIn", testSaveCheckIn},
		{"CheckInPriorityRock", testCheckInPriorityRock},
		{"CheckIns", testCheckIns},
		{"SaveWeeklyReport", testSaveWeeklyReport},
		{"WeeklyReportApply", testWeeklyReportApply},
		{"WeeklyReportAtomic", testWeeklyReportAtomic},
		{"WeeklyReports", testWeeklyReports},

		{"SaveReview", testSaveReview},
		{"ReviewApply", testReviewApply},
		{"ReviewInvalid", testReviewInvalid},
		{"ReviewRockLimit", testReviewRockLimit},
		{"DeletePersonReviews", testDeletePersonReviews},

		{"CreateMeasurable", testCreateMeasurable},
		{"UpdateMeasurable", testUpdateMeasurable},
		{"MeasurableLimitConcurrent", testMeasurableLimitConcurrent},
		{"MeasurableLimits", testMeasurableLimits},
		{"MeasurableTextLimits", testMeasurableTextLimits},
		{"SaveMeasurableValues", testSaveMeasurableValues},
		{"SaveMeasurableValuesConcurrent", testSaveMeasurableValuesConcurrent},
		{"DeletePersonScorecard", testDeletePersonScorecard},

		{"Sessions", testSessions},
		{"SessionUpdates", testSessionUpdates},
		{"Calendars", testCalendars},
		{"ClaimCalendars", testClaimCalendars},
		{"SyncCalendarSessions", testSyncCalendarSessions},
		{"Histories", testHistories},
		{"HistoriesRocksSince", testHistoriesRocksSince},

		{"CreateDelivery", testCreateDelivery},
		{"CreateDeliveryConcurrent", testCreateDeliveryConcurrent},
		{"ClaimDeliveries", testClaimDeliveries},
		{"ClaimDeliveriesConcurrent", testClaimDeliveriesConcurrent},
		{"ClaimDeliveriesExactBatch", testClaimDeliveriesExactBatch},
		{"UpdateDelivery", testUpdateDelivery},
		{"UpdateDeliveries", testUpdateDeliveries},
		{"LatestDelivery", testLatestDelivery},
		{"Deliveries", testDeliveries},
		{"DeliveryContexts", testDeliveryContexts},

		{"ScheduleMarkEngagement", testScheduleMarkEngagement},
		{"ScheduleMarkPerson", testScheduleMarkPerson},
		{"ScheduleMarkInstallation", testScheduleMarkInstallation},
		{"PlanSchedules", testPlanSchedules},
		{"PlanSchedulesAtomic", testPlanSchedulesAtomic},
		{"PlanSchedulesConcurrent", testPlanSchedulesConcurrent},
		{"Schedules", testSchedules},
		{"SuspendSchedules", testSuspendSchedules},
		{"DeletePersonSchedules", testDeletePersonSchedules},

		{"Digests", testDigests},

		{"Addresses", testAddresses},
		{"PutAddressUnknownInstallation", testPutAddressUnknownInstallation},
		{"DeletePersonAddress", testDeletePersonAddress},

		{"EventLifecycle", testEventLifecycle},
		{"EventRelease", testEventRelease},
		{"EventHoldRunsOut", testEventHoldRunsOut},
		{"EventConcurrent", testEventConcurrent},
		{"PruneEvents", testPruneEvents},
		{"Heartbeat", testHeartbeat},

		{"Webhooks", testWebhooks},
		{"WebhookEnqueue", testWebhookEnqueue},
		{"WebhookClaim", testWebhookClaim},
		{"DeletePersonWebhooks", testDeletePersonWebhooks},
		{"APITokens", testAPITokens},
		{"APITokenLimitConcurrent", testAPITokenLimitConcurrent},
		{"DeletePersonAPITokens", testDeletePersonAPITokens},

		{"DeleteClient", testDeleteClient},
		{"DeleteCoach", testDeleteCoach},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, open(t))
		})
	}
	runCapabilities(t, caps)
}

// at returns the suite's reference instant moved by d. The reference has
// whole microseconds, so a store keeps it exactly.
func at(d time.Duration) time.Time {
	return time.Date(2026, 11, 25, 9, 0, 0, 123456000, time.UTC).Add(d)
}

// day returns the reference day (Wednesday 2026-11-25) moved by n days.
func day(n int) bot.Date {
	return bot.Date{Year: 2026, Month: time.November, Day: 25}.AddDays(n)
}

// week returns the Monday of the reference week moved by n weeks.
func week(n int) bot.Date { return day(-2 + 7*n) }

// missingID is an ID no fresh store has used.
const missingID = 987654321

// fixture is the smallest useful world: an active installation, a coach, a
// client and an active engagement between them.
type fixture struct {
	Inst   *bot.Installation
	Coach  *bot.Person
	Client *bot.Person
	Eng    *bot.Engagement
}

// seed stores a fixture.
func seed(t testing.TB, s bot.Store) fixture {
	t.Helper()
	inst := newInstallation(t, s, bot.PlatformSlack, "T1")
	coach := newPerson(t, s, inst.ID, "UCOACH", true)
	client := newPerson(t, s, inst.ID, "UCLIENT", false)
	eng := newEngagement(t, s, coach.ID, client.ID, bot.EngagementActive)
	return fixture{Inst: inst, Coach: coach, Client: client, Eng: eng}
}

// newInstallation stores an active installation.
func newInstallation(t testing.TB, s bot.Store, platform bot.Platform, externalID string) *bot.Installation {
	t.Helper()
	inst := &bot.Installation{
		Platform:   platform,
		ExternalID: externalID,
		Name:       "Workspace " + externalID,
		Status:     bot.InstallationActive,
		BotToken:   []byte("sealed-" + externalID),
		CreatedAt:  at(-72 * time.Hour),
		UpdatedAt:  at(-72 * time.Hour),
	}
	if err := s.UpsertInstallation(t.Context(), inst); err != nil {
		t.Fatalf("upsert installation %s: %v", externalID, err)
	}
	return inst
}

// person returns an unsaved person with every field set.
func person(installationID int64, externalID string, isCoach bool) *bot.Person {
	return &bot.Person{
		InstallationID: installationID,
		ExternalID:     externalID,
		DisplayName:    "Name of " + externalID,
		TimeZone:       "Europe/London",
		IsCoach:        isCoach,
		DigestWeekday:  bot.DefaultDigestWeekday,
		DigestTime:     bot.DefaultDigestTime,
		CreatedAt:      at(-48 * time.Hour),
		UpdatedAt:      at(-48 * time.Hour),
	}
}

// newPerson stores a person.
func newPerson(t testing.TB, s bot.Store, installationID int64, externalID string, isCoach bool) *bot.Person {
	t.Helper()
	p := person(installationID, externalID, isCoach)
	if err := s.EnsurePerson(t.Context(), p); err != nil {
		t.Fatalf("ensure person %s: %v", externalID, err)
	}
	return p
}

// engagement returns an unsaved engagement with every field set as a
// status of that kind would have it.
func engagement(coachID, clientID int64, status bot.EngagementStatus) *bot.Engagement {
	e := &bot.Engagement{
		CoachID:       coachID,
		ClientID:      clientID,
		Status:        status,
		CheckinTime:   bot.DefaultCheckinTime,
		Workdays:      bot.MonToFri,
		WeeklyWeekday: bot.DefaultWeeklyWeekday,
		WeeklyTime:    bot.DefaultWeeklyTime,
		ReminderDelay: bot.DefaultReminderDelay,
		Start:         day(-10),
		CycleDays:     bot.DefaultCycleDays,
		InvitedAt:     at(-24 * time.Hour),
		UpdatedAt:     at(-24 * time.Hour),
	}
	if status != bot.EngagementInvited && status != bot.EngagementDeclined {
		e.AcceptedAt = at(-23 * time.Hour)
		e.UpdatedAt = e.AcceptedAt
	}
	if !status.Live() {
		e.EndedAt = at(-22 * time.Hour)
		e.UpdatedAt = e.EndedAt
	}
	return e
}

// newEngagement stores an engagement.
func newEngagement(t testing.TB, s bot.Store, coachID, clientID int64, status bot.EngagementStatus) *bot.Engagement {
	t.Helper()
	e := engagement(coachID, clientID, status)
	if err := s.CreateEngagement(t.Context(), e); err != nil {
		t.Fatalf("create %s engagement of client %d: %v", status, clientID, err)
	}
	return e
}

// newClient stores a client of the fixture's installation with an
// engagement with the fixture's coach.
func newClient(t testing.TB, s bot.Store, f fixture, externalID string, status bot.EngagementStatus) (*bot.Person, *bot.Engagement) {
	t.Helper()
	c := newPerson(t, s, f.Inst.ID, externalID, false)
	return c, newEngagement(t, s, f.Coach.ID, c.ID, status)
}

// newRock stores an on-track rock created at created by byPersonID and
// returns it as stored.
func newRock(t testing.TB, s bot.Store, engagementID, byPersonID int64, title string, created time.Time) *bot.Rock {
	t.Helper()
	r := &bot.Rock{
		EngagementID: engagementID,
		Title:        title,
		DoneWhen:     title + " is measurably done",
		Due:          day(80),
		Status:       bot.RockOnTrack,
		Progress:     10,
		CreatedAt:    created,
		UpdatedAt:    created,
	}
	if err := s.CreateRock(t.Context(), r, byPersonID, "created "+title); err != nil {
		t.Fatalf("create rock %q: %v", title, err)
	}
	stored, err := s.Rock(t.Context(), r.ID)
	if err != nil {
		t.Fatalf("load rock %q: %v", title, err)
	}
	return stored
}

// change returns the history entry that records r's current state.
func change(r *bot.Rock, byPersonID int64, when time.Time, note string) *bot.RockChange {
	return &bot.RockChange{
		RockID:       r.ID,
		EngagementID: r.EngagementID,
		ByPersonID:   byPersonID,
		At:           when,
		Title:        r.Title,
		DoneWhen:     r.DoneWhen,
		Due:          r.Due,
		Status:       r.Status,
		Progress:     r.Progress,
		Note:         note,
	}
}

// sameHistory compares history entries, whose IDs the store chose: they
// must be set and distinct, and are then taken from got.
func sameHistory(t testing.TB, what string, got, want []*bot.RockChange) {
	t.Helper()
	ids := map[int64]bool{}
	for i, c := range got {
		if c.ID == 0 || ids[c.ID] {
			t.Errorf("%s: entry %d has ID %d, want a new non-zero ID", what, i, c.ID)
		}
		ids[c.ID] = true
		if i < len(want) {
			w := *want[i]
			w.ID = c.ID
			want[i] = &w
		}
	}
	same(t, what, got, want)
}

// sortByID sorts rows of any kind by the ID the store gave them.
func sortByID[T any](rows []*T, id func(*T) int64) []*T {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b *T) int { return cmp.Compare(id(a), id(b)) })
	return rows
}

// must stops the test on an error the test did not expect.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantCode checks err carries the code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := bot.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// wantNone checks a list of rows is gone: empty, or ENOTFOUND when the
// row it hangs off is gone too (the contract allows either).
func wantNone[T any](t testing.TB, what string, rows []T, err error) {
	t.Helper()
	if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("%s: %v, want no rows", what, err)
	} else if len(rows) != 0 {
		t.Errorf("%s: %d rows, want none: %s", what, len(rows), show(rows))
	}
}

// same reports every difference between got and want, with cmp.Diff under
// compare.
func same[T any](t testing.TB, what string, got, want T) bool {
	t.Helper()
	if d := gocmp.Diff(want, got, compare); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
		return false
	}
	return true
}

// compare is how the suite compares what a store returns with what it
// should: instants are Equal and, unless zero, in UTC (a store returns UTC
// whatever zone it was given); nil and empty slices are the same (a store
// may return either for no rows); unexported fields, which no store sets,
// are ignored.
var compare = gocmp.Options{
	gocmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && utcOrZero(a) == utcOrZero(b) }),
	cmpopts.EquateEmpty(),
	gocmp.FilterPath(func(p gocmp.Path) bool {
		f, ok := p.Last().(gocmp.StructField)
		return ok && !token.IsExported(f.Name())
	}, gocmp.Ignore()),
}

// utcOrZero says whether t is the zero time or in UTC.
func utcOrZero(t time.Time) bool { return t.IsZero() || t.Location() == time.UTC }

// show formats a value for a failure message, as indented JSON, so that
// pointers in slices show what they point at.
func show(v any) string {
	b, err := json.MarshalIndent(v, "\t", "  ")
	if err != nil {
		return fmt.Sprintf("%+v (%v)", v, err)
	}
	return string(b)
}

// showTime formats an instant for a failure message, to the nanosecond.
func showTime(t time.Time) string {
	if t.IsZero() {
		return "zero time"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}
