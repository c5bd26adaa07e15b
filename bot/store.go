package bot

import (
	"context"
	"time"
)

// Store is everything smart90 keeps. Implementations (store/postgres,
// store/sqlite) are safe for concurrent use and pass store/storetest.
//
// Common contract, for every method:
//   - A missing row is an *Error with code ENOTFOUND.
//   - A broken uniqueness rule is an *Error with code ECONFLICT.
//   - A text over its limit (MaxIDLen, MaxAnswerLen…: the Validate
//     methods of the types stored), or holding a NUL byte or invalid
//     UTF-8, is an *Error with code EINVALID, and nothing is stored; a
//     lookup by such an id is EINVALID too.
//   - Instants come back in UTC, rounded to the nearest microsecond; Dates
//     round-trip.
//   - List methods return an empty slice, never ENOTFOUND.
//   - Each method is atomic: it stores all of its change or none of it.
//   - Create* methods fill in ID and CreatedAt/UpdatedAt (from the given
//     value when it is non-zero, so callers with a Clock control time),
//     with the values as stored;
//     Update* methods set UpdatedAt the same way.
type Store interface {
	InstallationStore
	PersonStore
	EngagementStore
	RockStore
	AnswerStore
	ReviewStore
	HistoryStore
	ScorecardStore
	SessionStore
	CalendarStore
	DeliveryStore
	ScheduleStore
	DigestStore
	AddressStore
	EventLog
	ReplicaStore
	WebhookStore
	TokenStore

	// Ping checks the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// InstallationStore keeps installations.
type InstallationStore interface {
	// UpsertInstallation creates the installation keyed by (Platform,
	// ExternalID) or updates its Name, Status and BotToken, and fills inst
	// with the stored row (ID, CreatedAt...). When it changes Status it
	// marks the schedules of every person of the installation (see
	// ScheduleStore) from inst.UpdatedAt.
	UpsertInstallation(ctx context.Context, inst *Installation) error
	// Installation returns an installation by ID.
	Installation(ctx context.Context, id int64) (*Installation, error)
	// InstallationByExternalID returns an installation by platform and key.
	InstallationByExternalID(ctx context.Context, platform Platform, externalID string) (*Installation, error)
	// ListInstallations returns every installation, by ID, at most limit
	// rows (no limit when limit <= 0) after afterID (keyset pagination).
	ListInstallations(ctx context.Context, afterID int64, limit int) ([]*Installation, error)
}

// PersonStore keeps people.
type PersonStore interface {
	// EnsurePerson returns the person keyed by (InstallationID, ExternalID),
	// creating it from p when missing. When it exists, a non-empty
	// DisplayName in p replaces the stored one, a non-empty TimeZone fills a
	// stored empty one; nothing else changes. p is filled with the stored row.
	// Creating a person who IsCoach creates their digest schedule, marked
	// from CreatedAt; a change to a stored person marks their schedules
	// from UpdatedAt (see ScheduleStore).
	EnsurePerson(ctx context.Context, p *Person) error
	// Person returns a person by ID.
	Person(ctx context.Context, id int64) (*Person, error)
	// Recipient returns a person by ID with their installation, in one
	// read (a prompt needs both).
	Recipient(ctx context.Context, personID int64) (*Person, *Installation, error)
	// PersonByExternalID returns a person by installation and platform user id.
	PersonByExternalID(ctx context.Context, installationID int64, externalID string) (*Person, error)
	// UpdatePerson stores every field of p except its keys and CreatedAt,
	// and marks the person's schedules (see ScheduleStore) for
	// recomputation from p.UpdatedAt, creating the digest schedule when p
	// IsCoach.
	UpdatePerson(ctx context.Context, p *Person) error
	// ListCoaches returns every coach (IsCoach) of active installations, by ID.
	ListCoaches(ctx context.Context) ([]*Person, error)
	// DeletePerson deletes a person and everything that is theirs, in one
	// transaction: engagements where they are the client, with their rocks,
	// history, check-ins, weekly reports, reviews, scorecards, sessions and
	// deliveries; their own
	// deliveries, schedules, digests, API tokens and address ("person:<ExternalID>");
	// their webhooks with their deliveries, and every webhook delivery
	// about them (WebhookDelivery.ClientID), sent or not.
	// Engagements where they are the coach are ended and keep the client's
	// data, with CoachID 0, and their logged sessions are deleted. Rock
	// history entries they made keep the change with ByPersonID 0.
	//
	// Afterwards no row of any table refers to the person or holds their
	// name or words: a digest Summary may quote its week's clients, so the
	// Summary of every digest of a coach the person was a client of, from
	// the week before that engagement's invitation on, is emptied (the
	// digest itself, the coach's record, stays).
	DeletePerson(ctx context.Context, id int64) error
}

// EngagementStore keeps engagements.
type EngagementStore interface {
	// CreateEngagement stores a new engagement. ECONFLICT when the client
	// already has a live (invited, active or paused) engagement. When e is
	// live it marks the client's daily and weekly schedules (see
	// ScheduleStore), pointed at e, for recomputation from e.UpdatedAt.
	CreateEngagement(ctx context.Context, e *Engagement) error
	// Engagement returns an engagement by ID.
	Engagement(ctx context.Context, id int64) (*Engagement, error)
	// EngagementWithRocks returns an engagement by ID and its rocks by
	// Position, in one round trip where the store can (a prompt needs
	// both).
	EngagementWithRocks(ctx context.Context, id int64) (*Engagement, []*Rock, error)
	// LiveEngagementForClient returns the client's live engagement.
	LiveEngagementForClient(ctx context.Context, clientID int64) (*Engagement, error)
	// EngagementsForCoach returns the coach's engagements in any of the
	// given statuses (all statuses when none is given), by ID.
	EngagementsForCoach(ctx context.Context, coachID int64, statuses ...EngagementStatus) ([]*Engagement, error)
	// EngagementsForClient returns every engagement of the client, by ID.
	EngagementsForClient(ctx context.Context, clientID int64) ([]*Engagement, error)
	// ListEngagements returns every engagement in any of the given statuses
	// (all statuses when none is given), by ID, at most limit rows after afterID (keyset pagination).
	ListEngagements(ctx context.Context, afterID int64, limit int, statuses ...EngagementStatus) ([]*Engagement, error)
	// UpdateEngagement stores every field of e except ID, CoachID, ClientID
	// and InvitedAt. ECONFLICT when it would make a second live engagement.
	// When e is live it marks the client's daily and weekly schedules,
	// pointed at e, for recomputation from e.UpdatedAt; otherwise it marks
	// only the client's schedules that point at e.
	UpdateEngagement(ctx context.Context, e *Engagement) error
}

// RockStore keeps rocks and their history.
type RockStore interface {
	// CreateRock stores a new rock at the next Position of its engagement
	// (1 for the first; positions are never reused) and its first history
	// entry (by byPersonID, at r.CreatedAt, with note), in one transaction,
	// and fills in r.ID, r.Position, CreatedAt and UpdatedAt.
	//
	// The limits hold however many callers create rocks at once, on any
	// replicas (creations for one engagement are serialized): ECONFLICT
	// when r is live (RockStatus.Live) and the engagement already has
	// MaxRocks live rocks, or when MaxRocksPerCycle rocks were created
	// (CreatedAt) since the day before the engagement's CycleStart, done
	// and dropped ones included (the day covers every time zone). EINVALID
	// when r or note breaks a limit of Rock.Validate or CheckNote.
	CreateRock(ctx context.Context, r *Rock, byPersonID int64, note string) error
	// Rock returns a rock by ID.
	Rock(ctx context.Context, id int64) (*Rock, error)
	// Rocks returns an engagement's rocks by Position.
	Rocks(ctx context.Context, engagementID int64) ([]*Rock, error)
	// UpdateRock stores r's Title, DoneWhen, Due, Status and Progress and a
	// history entry with the new state (by byPersonID, at r.UpdatedAt, with
	// note), in one transaction. ECONFLICT when it makes a done or dropped
	// rock live again while the engagement has MaxRocks live rocks;
	// EINVALID as for CreateRock.
	UpdateRock(ctx context.Context, r *Rock, byPersonID int64, note string) error
	// RockHistory returns an engagement's rock history entries at or after
	// since, oldest first (ties by ID).
	RockHistory(ctx context.Context, engagementID int64, since time.Time) ([]*RockChange, error)
}

// AnswerStore keeps daily check-ins and weekly reports.
type AnswerStore interface {
	// SaveCheckIn creates or replaces the check-in keyed by (EngagementID,
	// Day) and fills c with the stored row. PriorityRockID must be 0 or one
	// of the engagement's rocks, otherwise EINVALID.
	SaveCheckIn(ctx context.Context, c *CheckIn) error
	// CheckIn returns one day's check-in.
	CheckIn(ctx context.Context, engagementID int64, day Date) (*CheckIn, error)
	// CheckIns returns the check-ins with from <= Day <= to, by Day.
	CheckIns(ctx context.Context, engagementID int64, from, to Date) ([]*CheckIn, error)
	// SaveWeeklyReport creates or replaces the report keyed by
	// (EngagementID, Week), with its rock updates (replaced as a whole), and
	// fills w with the stored row. When applyBy is non-zero, each rock
	// update whose status or progress differs from the rock's current
	// state is also applied to the rock with a history entry (by applyBy,
	// at w.UpdatedAt, with the update's note). All in one transaction;
	// a rock update naming another engagement's rock is EINVALID, and
	// ECONFLICT when the applied updates make done or dropped rocks live
	// again beyond MaxRocks live rocks.
	SaveWeeklyReport(ctx context.Context, w *WeeklyReport, applyBy int64) error
	// WeeklyReport returns one week's report.
	WeeklyReport(ctx context.Context, engagementID int64, week Date) (*WeeklyReport, error)
	// WeeklyReports returns the reports with from <= Week <= to, by Week.
	WeeklyReports(ctx context.Context, engagementID int64, from, to Date) ([]*WeeklyReport, error)
}

// ReviewStore keeps quarterly reviews.
type ReviewStore interface {
	// SaveReview creates or replaces the review keyed by (EngagementID,
	// Cycle), with its rock lines (replaced as a whole), and fills rv with
	// the stored row. When applyBy is non-zero each rock line's decision
	// is also applied to its rock, with a history entry (by applyBy, at
	// rv.UpdatedAt, with the line's Learned as note) where the rock
	// changes: done makes it done at 100%, drop makes it dropped, carry
	// makes a done or dropped rock on track again and leaves a live one
	// as it is. All in one transaction: EINVALID when rv breaks a limit of
	// Review.Validate, a line names another engagement's rock or two lines
	// name the same rock; ECONFLICT when carrying rocks over makes more
	// than MaxRocks live; ENOTFOUND when the engagement does not exist.
	SaveReview(ctx context.Context, rv *Review, applyBy int64) error
	// Review returns the review of one cycle.
	Review(ctx context.Context, engagementID int64, cycle int) (*Review, error)
	// Reviews returns an engagement's reviews, by Cycle.
	Reviews(ctx context.Context, engagementID int64) ([]*Review, error)
}

// History is what a digest or a brief reads about one engagement.
type History struct {
	Client      *Person
	CheckIns    []*CheckIn        // by Day
	Rocks       []*Rock           // by Position
	RockHistory []*RockChange     // oldest first (ties by ID)
	Reports     []*WeeklyReport   // by Week
	Reviews     []*Review         // by Cycle
	Sessions    []*Session        // by Day, then ID
	Deliveries  []*Delivery       // the daily check-ins' deliveries, by DueAt
	Measurables []*Measurable     // the scorecard, removed ones included, by Position
	Values      []MeasurableValue // by Week, then the measurable's Position
	// Daily is the client's daily schedule as Schedules returns it, but
	// without Person and Engagement; nil when the client has none.
	Daily *Schedule
}

// A HistoryWindow bounds what Histories reads of each engagement.
type HistoryWindow struct {
	// From and To bound the check-ins (by Day) and weekly reports (by
	// Week), both included.
	From, To Date
	// ScoresFrom is the first week of scorecard values read, up to To.
	ScoresFrom Date
	// RocksSince is where the rock history read starts: its entries at or
	// after it, and before it only what gives each rock's state from then
	// on (see RockHistorySince). Zero reads it all.
	RocksSince time.Time
	// DueFrom and DueTo bound the daily deliveries read by DueAt:
	// DueFrom <= DueAt < DueTo.
	DueFrom, DueTo time.Time
}

// HistoryStore reads many engagements' histories at once: a coach's digest
// costs the same few round trips whether the coach has 3 clients or 30.
type HistoryStore interface {
	// Histories returns the History of each engagement of ids that exists
	// (missing ones are left out of the map, not an error) within w: its
	// client; its check-ins, weekly reports, scorecard values, rock
	// history and daily deliveries within w's bounds; and every rock,
	// review, session and measurable. The number of round trips does not
	// grow with len(ids). No ids is an empty map.
	Histories(ctx context.Context, ids []int64, w HistoryWindow) (map[int64]*History, error)
}

// RockHistorySince is the part of an engagement's rock history hist
// (oldest first, ties by ID) that a History read from since holds: every
// entry at or after since and, of each rock's entries before it, the last
// one (the rock's state at since) and the first of the run of entries
// with the last one's status that ends there (when that status began, for
// "off track since 3 Mar"). Nothing is left out when since is zero.
func RockHistorySince(hist []*RockChange, since time.Time) []*RockChange {
	if since.IsZero() {
		return hist
	}
	// Before since, per rock: the index of its last entry and of the
	// first of the run that ends with it.
	last := map[int64]int{}
	runStart := map[int64]int{}
	for i, c := range hist {
		if !c.At.Before(since) {
			continue
		}
		if j, ok := last[c.RockID]; !ok || hist[j].Status != c.Status {
			runStart[c.RockID] = i
		}
		last[c.RockID] = i
	}
	out := make([]*RockChange, 0, len(hist))
	for i, c := range hist {
		l, ok := last[c.RockID]
		if !c.At.Before(since) || ok && (l == i || runStart[c.RockID] == i) {
			out = append(out, c)
		}
	}
	return out
}

// ScorecardStore keeps each engagement's weekly scorecard: the numbers
// (measurables) a client holds against a goal, and their values by week.
// DeletePerson deletes a client's with their engagements.
type ScorecardStore interface {
	// CreateMeasurable stores a new measurable at the next Position of its
	// engagement (1 for the first; positions are never reused) and fills
	// in ID, Position, CreatedAt and UpdatedAt.
	//
	// The limits hold however many callers create measurables at once, on
	// any replicas (creations for one engagement are serialized):
	// ECONFLICT when m is live and the engagement already has
	// MaxMeasurables live measurables, or when it has MaxMeasurablesKept
	// in all, removed ones included. EINVALID when m breaks a limit of
	// Measurable.Validate; ENOTFOUND when the engagement does not exist.
	CreateMeasurable(ctx context.Context, m *Measurable) error
	// UpdateMeasurable stores m's Name, Goal, Direction, Unit and
	// RemovedAt, and fills m with the stored row. ECONFLICT when it makes
	// a removed measurable live again while the engagement has
	// MaxMeasurables live ones; EINVALID as for CreateMeasurable;
	// ENOTFOUND when the measurable does not exist.
	UpdateMeasurable(ctx context.Context, m *Measurable) error
	// Measurables returns an engagement's measurables, removed ones
	// included, by Position.
	Measurables(ctx context.Context, engagementID int64) ([]*Measurable, error)
	// SaveMeasurableValues replaces the engagement's values of week, as a
	// whole, with values (none deletes them): each value's Week is set to
	// week and its UpdatedAt filled as for Update* methods. EINVALID when
	// week is zero, a value breaks MeasurableValue.Validate, names a
	// measurable of another engagement, or two name the same measurable;
	// nothing is stored then.
	SaveMeasurableValues(ctx context.Context, engagementID int64, week Date, values []MeasurableValue) error
	// MeasurableValues returns the engagement's values with from <= Week
	// <= to, by Week, then the measurable's Position.
	MeasurableValues(ctx context.Context, engagementID int64, from, to Date) ([]MeasurableValue, error)
}

// SessionStore keeps coaching sessions: logged, booked or from a calendar.
type SessionStore interface {
	// CreateSession logs a session.
	CreateSession(ctx context.Context, s *Session) error
	// Sessions returns an engagement's sessions by Day, then ID.
	Sessions(ctx context.Context, engagementID int64) ([]*Session, error)
	// Session returns a session by ID.
	Session(ctx context.Context, id int64) (*Session, error)
	// UpdateSession stores s's Day, Start, Minutes, Notes and CancelledAt,
	// sets UpdatedAt (from s.UpdatedAt when non-zero) and fills s with the
	// stored row. EINVALID as Session.Validate says; ENOTFOUND when the
	// session does not exist.
	UpdateSession(ctx context.Context, s *Session) error
	// CoachSessions returns the sessions, cancelled ones included, of all
	// the coach's engagements (ended ones too) with from <= Start < to, by
	// Start, then ID. Sessions logged without a start are never in it.
	CoachSessions(ctx context.Context, coachID int64, from, to time.Time) ([]*Session, error)
}

// CalendarStore keeps coaches' connected calendars and the sessions read
// from them. Replicas share it: ClaimCalendars gives each due calendar to
// one of them per lease.
type CalendarStore interface {
	// PutCalendar connects the coach's calendar, or replaces the one
	// connected: it stores c.URL and c.NextFetchAt and clears the
	// validators, the lease and the failure state (LastSyncAt,
	// FailingSince, LastError, Reported). CreatedAt is kept on a
	// replace. c is filled with the stored row. ENOTFOUND when the coach
	// does not exist.
	PutCalendar(ctx context.Context, c *Calendar) error
	// Calendar returns the coach's calendar (ENOTFOUND when none is
	// connected).
	Calendar(ctx context.Context, coachID int64) (*Calendar, error)
	// DeleteCalendar disconnects the coach's calendar (ENOTFOUND when
	// none is connected). Its sessions stay; see SyncCalendarSessions.
	DeleteCalendar(ctx context.Context, coachID int64) error
	// ClaimCalendars leases at most limit calendars whose NextFetchAt is
	// at or before now and whose lease is free (zero or at or before
	// now) until now+lease, by NextFetchAt then CoachID: concurrent
	// claimers, on any replicas, never get the same calendar.
	ClaimCalendars(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Calendar, error)
	// UpdateCalendar stores c's ETag, LastModified, NextFetchAt,
	// LeaseUntil, LastSyncAt, FailingSince, LastError, Reported and
	// UpdatedAt (never its URL). ENOTFOUND when it was disconnected.
	UpdateCalendar(ctx context.Context, c *Calendar) error
	// SyncCalendarSessions makes the coach's calendar sessions (Source
	// SessionCalendar) those of ss, in one transaction: each session of
	// ss is created, or updated by (EngagementID, UID) when its Day,
	// Start or Minutes differ or it was cancelled; every calendar
	// session of the coach's engagements starting at or after from whose
	// UID is not in ss, and not cancelled, gets CancelledAt now (its
	// event was deleted, cancelled or no longer names the client). It
	// returns the created, changed and cancelled sessions as stored, by
	// Start then ID. Changes are stamped now. An engagement of ss that is
	// not the coach's is EINVALID, and nothing is stored. When ss is not
	// empty and the coach's calendar is not connected (it was
	// disconnected while being read) it is ENOTFOUND and nothing is
	// stored: a read never brings back what `calendar off` cancelled.
	SyncCalendarSessions(ctx context.Context, coachID int64, now, from time.Time, ss []*Session) (changed []*Session, err error)
}

// DeliveryStore keeps deliveries: the record that a prompt or digest is
// due, was sent, or failed.
type DeliveryStore interface {
	// CreateDelivery stores d unless a delivery with the same (PersonID,
	// Kind, Period) exists; either way d is filled with the stored row and
	// created says which happened. Safe to call from many replicas at once.
	CreateDelivery(ctx context.Context, d *Delivery) (created bool, err error)
	// Delivery returns a delivery by ID.
	Delivery(ctx context.Context, id int64) (*Delivery, error)
	// DeliveryByKey returns the delivery with that key.
	DeliveryByKey(ctx context.Context, personID int64, kind DeliveryKind, period string) (*Delivery, error)
	// ClaimDeliveries claims up to limit pending deliveries with DueAt <= now
	// whose lease is unset or expired, oldest DueAt first, setting their
	// LeaseUntil to now+lease and incrementing Attempts. Concurrent callers
	// never claim the same delivery while its lease holds.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Delivery, error)
	// UpdateDelivery stores d's State, Attempts, LastError, LeaseUntil,
	// MessageRef, PartsSent, SentAt and DueAt.
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// UpdateDeliveries stores senders' outcomes in one round trip: each of
	// ds as UpdateDelivery does, but only where the stored LeaseUntil still
	// equals claimed[i], the lease the sender's claim set. A sender whose
	// lease ran out, and whose delivery another sender claimed since, so
	// cannot overwrite that sender's outcome. Deliveries that are gone or
	// held under another lease are left alone and their IDs returned in
	// lost; the others are stored and filled with the stored rows.
	UpdateDeliveries(ctx context.Context, ds []*Delivery, claimed []time.Time) (lost []int64, err error)
	// LatestDelivery returns the person's delivery of that kind with the
	// greatest DueAt that is not pending, skipped or missed, i.e. the last
	// prompt they actually received.
	LatestDelivery(ctx context.Context, personID int64, kind DeliveryKind) (*Delivery, error)
	// Deliveries returns an engagement's deliveries with from <= DueAt < to, by DueAt.
	Deliveries(ctx context.Context, engagementID int64, from, to time.Time) ([]*Delivery, error)
	// DeliveryContexts reads what sending each of ds needs (see
	// DeliveryContext), by delivery ID, in a number of queries that does
	// not grow with len(ds): a sender's claimed batch at once instead of
	// three reads per send. Each context holds its own copies, so a
	// sender may change one without touching another. A delivery whose
	// person is gone, or whose engagement (when EngagementID is set) is
	// gone, is left out. Reads may see different instants, as Recipient,
	// EngagementWithRocks and CheckIn called one after the other would.
	DeliveryContexts(ctx context.Context, ds []*Delivery) (map[int64]*DeliveryContext, error)
}

// ScheduleStore keeps each person's schedules: when their next daily
// check-in, weekly report prompt or digest is due. It is the scheduler's
// index: a tick finds due work by NextAt without scanning every client.
//
// The store itself marks schedules when what they depend on changes
// (CreateEngagement, UpdateEngagement, UpdatePerson, and UpsertInstallation
// for every person of the installation): a marked schedule has NextAt set to
// the instant of the change, Period "" and Suspended "", so the next plan
// recomputes it from that instant. DeletePerson deletes the person's
// schedules and marks those of the engagements it ends. Nothing else but
// PlanSchedules and SuspendSchedules changes a schedule. Schedule.UpdatedAt is the instant of
// the last mark, plan (its now) or suspension.
type ScheduleStore interface {
	// PlanSchedules takes up to limit schedules with a non-zero NextAt <=
	// now, earliest NextAt first, with their Person, Engagement (nil when
	// EngagementID is 0) and Active (whether the
	// person's installation is active), and calls plan with them, in one
	// transaction. plan sets each schedule's NextAt and Period (and may
	// leave them as they are) and returns the deliveries to create; the
	// store then creates them as CreateDelivery does (an existing key is
	// left alone) and stores every taken schedule's NextAt and Period.
	// When plan returns an error nothing is stored and the error is
	// returned. plan is not called when nothing is due; the deliveries are
	// created but not filled in (a zero CreatedAt is now).
	//
	// Concurrent callers, on any replicas, never take the same schedule at
	// once (PostgreSQL skips rows another transaction holds). plan must not
	// call the store. It returns how many schedules were taken.
	PlanSchedules(ctx context.Context, now time.Time, limit int, plan func([]*Schedule) ([]*Delivery, error)) (int, error)
	// Schedules returns a person's schedules, by Kind, with Person,
	// Engagement and Active loaded as for PlanSchedules.
	Schedules(ctx context.Context, personID int64) ([]*Schedule, error)
	// SuspendSchedules stops the person's schedules of the given kinds (all
	// when none is given) after a permanent failure: NextAt becomes zero,
	// Period "", Suspended reason and UpdatedAt at. A later mark resumes them. Suspending
	// a person without schedules is not an error.
	SuspendSchedules(ctx context.Context, personID int64, at time.Time, reason string, kinds ...DeliveryKind) error
}

// DigestStore keeps posted digests.
type DigestStore interface {
	// CreateDigest records a posted digest. ECONFLICT when the coach already
	// has one for that week.
	CreateDigest(ctx context.Context, d *Digest) error
	// LatestDigest returns the coach's digest with the latest Week.
	LatestDigest(ctx context.Context, coachID int64) (*Digest, error)
}

// Address is how a platform reaches a person or a channel outside a
// request: for Teams, a conversation reference (service URL, conversation
// id, tenant, user and bot ids), which must be kept from the activities
// that carry it because a proactive message cannot be sent without it.
// The data is opaque to the core; the adapter that writes it reads it.
type Address struct {
	InstallationID int64
	// Key names what the address reaches, in the adapter's words, e.g.
	// PersonAddressKey("29:1abc…") for a person's 1:1 chat or
	// "channel:19:…" for a channel. A person's key belongs to that person
	// of the installation: DeletePerson deletes it with the rest of their
	// data.
	Key       string
	Data      []byte
	UpdatedAt time.Time
}

// PersonAddressPrefix starts the key of a person's Address; the rest is
// their ExternalID. Stores find a person's address by it when they delete
// the person.
const PersonAddressPrefix = "person:"

// PersonAddressKey is the Address key of the person with this platform id.
func PersonAddressKey(externalID string) string { return PersonAddressPrefix + externalID }

// AddressStore keeps addresses.
type AddressStore interface {
	// PutAddress creates or replaces the address keyed by (InstallationID,
	// Key) and sets UpdatedAt (from a.UpdatedAt when non-zero).
	PutAddress(ctx context.Context, a *Address) error
	// Address returns the address under (installationID, key).
	Address(ctx context.Context, installationID int64, key string) (*Address, error)
	// DeleteAddress deletes the address under (installationID, key);
	// deleting a missing address is not an error.
	DeleteAddress(ctx context.Context, installationID int64, key string) error
}

// ReplicaStore keeps which replicas of the service are alive, so that each
// paces itself at its share of a workspace's send rate while the shared
// rate limiter (Redis) cannot be reached.
type ReplicaStore interface {
	// Heartbeat records replica id as alive until now+ttl and returns how
	// many replicas' records are live at now, id's included (at least 1).
	Heartbeat(ctx context.Context, id string, now time.Time, ttl time.Duration) (live int, err error)
	// LeaveReplica deletes id's record (a graceful stop); a missing id is
	// not an error.
	LeaveReplica(ctx context.Context, id string) error
}

// TokenStore keeps people's API tokens (see APIToken). DeletePerson
// deletes a person's.
type TokenStore interface {
	// CreateAPIToken stores a new token and fills in ID and CreatedAt.
	// The limits hold however many callers create tokens at once, on any
	// replicas (creations for one person are serialized): ECONFLICT when
	// the person already has MaxAPITokens live tokens or MaxAPITokensKept
	// in all, or when a token with the same Hash exists. EINVALID when t
	// breaks APIToken.Validate; ENOTFOUND when the person does not exist.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByHash returns the token with that hash, revoked or not.
	APITokenByHash(ctx context.Context, hash []byte) (*APIToken, error)
	// APITokens returns the person's tokens, revoked ones included, by ID.
	APITokens(ctx context.Context, personID int64) ([]*APIToken, error)
	// RevokeAPIToken sets RevokedAt of the person's token id to at.
	// ENOTFOUND when the person has no such token (another person's
	// included); revoking a revoked token keeps its first RevokedAt and
	// is not an error.
	RevokeAPIToken(ctx context.Context, personID, id int64, at time.Time) error
	// TouchAPIToken sets LastUsedAt of token id to at, unless the stored
	// one is within TouchEvery before at (or later): a token used many
	// times a minute costs one write a minute. A missing token is not an
	// error.
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
}
