package bot

import (
	"fmt"
	"time"
)

// Platform names a chat platform.
type Platform string

// Platforms smart90 speaks.
const (
	PlatformSlack   Platform = "slack"
	PlatformTeams   Platform = "teams"
	PlatformConsole Platform = "console"
)

// InstallationStatus says whether smart90 may send to an installation.
type InstallationStatus string

// Installation statuses.
const (
	InstallationActive      InstallationStatus = "active"
	InstallationUninstalled InstallationStatus = "uninstalled" // app removed or tokens revoked: send nothing
)

// Installation is smart90 installed into one Slack workspace, one Teams
// tenant, or the local console.
type Installation struct {
	ID         int64
	Platform   Platform
	ExternalID string // Slack team id, Teams tenant id, "local" for the console
	Name       string
	Status     InstallationStatus
	// BotToken is the platform token (an OAuth install's), in plaintext
	// for callers; the store is wrapped by store/seal, which keeps it
	// encrypted at rest (AES-GCM, SMART90_ENCRYPTION_KEY). Empty when the
	// token comes from configuration (single-workspace SLACK_BOT_TOKEN).
	BotToken  []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Person is one platform user: a coach, a client, or both.
type Person struct {
	ID             int64
	InstallationID int64
	ExternalID     string // Slack user id, Teams AAD object id, console name
	DisplayName    string
	TimeZone       string // IANA name; "" until known
	IsCoach        bool
	// DigestChannel is where a coach's weekly digest goes: a platform channel
	// id, or "" for a direct message to the coach.
	DigestChannel string
	DigestWeekday time.Weekday // coach-local day of the digest (default Monday)
	DigestTime    ClockTime    // coach-local time of the digest (default 07:00)
	// EveningTime is the local time from which `checkin` answers the next
	// workday: 0 means DefaultEveningTime (17:00), EveningOff (24:00, which
	// no day reaches) means never; see Person.Evening.
	EveningTime ClockTime
	// Country is the ISO 3166 code of the country whose public holidays
	// skip the person's prompts; "" means the country of their time zone.
	Country string
	// HolidaysOff says public holidays do not skip the person's prompts
	// (`settings holidays off`).
	HolidaysOff bool
	// Email is the person's e-mail address, lower case (`settings email`,
	// or the platform's profile where it gives one); a calendar event
	// names a client by it. "" when unknown.
	Email string
	// BriefLead is how long before each of a coach's sessions their brief
	// arrives by itself: 0 means DefaultBriefLead, BriefOff never.
	BriefLead time.Duration
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultBriefLead is how long before a session its brief arrives when
// the coach did not say.
const DefaultBriefLead = time.Hour

// BriefOff is the BriefLead of a coach who turned the automatic brief off.
const BriefOff time.Duration = -1

// EngagementStatus is where a coach–client relationship stands.
type EngagementStatus string

// Engagement statuses. Invited, active and paused are "live": a client has at
// most one live engagement at a time.
const (
	EngagementInvited  EngagementStatus = "invited"
	EngagementActive   EngagementStatus = "active"
	EngagementPaused   EngagementStatus = "paused" // paused by the client or the coach until resumed
	EngagementDeclined EngagementStatus = "declined"
	EngagementEnded    EngagementStatus = "ended"
)

// Live reports whether s is invited, active or paused.
func (s EngagementStatus) Live() bool {
	return s == EngagementInvited || s == EngagementActive || s == EngagementPaused
}

// Defaults for a new engagement.
const (
	DefaultCheckinTime   ClockTime = 9 * 60
	DefaultWeeklyWeekday           = time.Friday
	DefaultWeeklyTime    ClockTime = 15 * 60
	DefaultReminderDelay           = 2 * time.Hour
	DefaultCycleDays               = 90
	DefaultDigestWeekday           = time.Monday
	DefaultDigestTime    ClockTime = 7 * 60
)

// Engagement is one coach working with one client through 90-day cycles,
// with the client's prompt schedule.
type Engagement struct {
	ID            int64
	CoachID       int64 // 0 once the coach deleted their data
	ClientID      int64
	Status        EngagementStatus
	CheckinTime   ClockTime // client-local time of the daily check-in
	Workdays      Weekdays  // days the daily check-in is sent
	WeeklyWeekday time.Weekday
	WeeklyTime    ClockTime     // client-local time of the weekly report prompt
	ReminderDelay time.Duration // one reminder this long after an unanswered prompt; 0 = off
	Start         Date          // day 1 of cycle 1 (the day the client accepted)
	CycleDays     int           // each cycle's length: 90 by default (13 weeks)
	PauseFrom     Date          // no prompts from this day ...
	PauseTo       Date          // ... to this day inclusive; zero = no pause planned
	InvitedAt     time.Time
	AcceptedAt    time.Time // zero until accepted
	EndedAt       time.Time // zero unless declined or ended
	UpdatedAt     time.Time
}

// Cycle is one of an engagement's numbered cycles: CycleDays days from
// Start, back to back. The next cycle starts on the day after the last
// one ends whatever happened in it; nothing has to run for it to start.
type Cycle struct {
	N     int  // 1-based
	Start Date // its day 1
	Days  int  // its length
}

// End returns the cycle's last day.
func (c Cycle) End() Date { return c.Start.AddDays(c.Days - 1) }

// Day returns the 1-based number of d in the cycle, kept within 1..Days so
// that no screen ever says "day 93 of 90".
func (c Cycle) Day(d Date) int { return min(max(d.Sub(c.Start)+1, 1), c.Days) }

// Label says where d stands: "Cycle 2 · day 14 of 90".
func (c Cycle) Label(d Date) string {
	return fmt.Sprintf("Cycle %d · day %d of %d", c.N, c.Day(d), c.Days)
}

// Contains reports whether d falls in the cycle.
func (c Cycle) Contains(d Date) bool { return !d.Before(c.Start) && !d.After(c.End()) }

// ReviewDay returns the day of the cycle's quarterly review: the weekly
// report's weekday within the cycle's last seven days, which replaces
// that week's report.
func (c Cycle) ReviewDay(weekly time.Weekday) Date {
	last := c.End()
	return last.AddDays(-((int(last.Weekday()) - int(weekly) + 7) % 7))
}

// cycleDays returns the engagement's cycle length (DefaultCycleDays for a
// row that has none).
func (e *Engagement) cycleDays() int {
	if e.CycleDays <= 0 {
		return DefaultCycleDays
	}
	return e.CycleDays
}

// CycleN returns the engagement's nth cycle (n >= 1).
func (e *Engagement) CycleN(n int) Cycle {
	n = max(n, 1)
	return Cycle{N: n, Start: e.Start.AddDays((n - 1) * e.cycleDays()), Days: e.cycleDays()}
}

// CycleOn returns the cycle day d falls in; cycle 1 for a day before
// Start (an invitation not yet accepted).
func (e *Engagement) CycleOn(d Date) Cycle {
	if d.Before(e.Start) {
		return e.CycleN(1)
	}
	return e.CycleN(d.Sub(e.Start)/e.cycleDays() + 1)
}

// PausedOn reports whether d falls in the planned pause.
func (e *Engagement) PausedOn(d Date) bool {
	return !e.PauseFrom.IsZero() && !d.Before(e.PauseFrom) && (e.PauseTo.IsZero() || !d.After(e.PauseTo))
}

// RockStatus is where a rock stands.
type RockStatus string

// Rock statuses.
const (
	RockOnTrack  RockStatus = "on_track"
	RockOffTrack RockStatus = "off_track"
	RockDone     RockStatus = "done"
	RockDropped  RockStatus = "dropped"
)

// Rock is a quarterly priority with a measurable "done".
type Rock struct {
	ID           int64
	EngagementID int64
	Position     int // 1-based number shown to people ("rocks set 2 …"); stable
	Title        string
	DoneWhen     string // what "done" means, measurably
	Due          Date
	Status       RockStatus
	Progress     int // percent, 0..100
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// RockChange is one entry of a rock's history: the state after a change,
// who made it, and an optional note. The first entry records the creation.
type RockChange struct {
	ID           int64
	RockID       int64
	EngagementID int64
	ByPersonID   int64 // 0 once that person deleted their data
	At           time.Time
	Title        string
	DoneWhen     string
	Due          Date
	Status       RockStatus
	Progress     int
	Note         string
}

// AnswerStatus says how a prompt was answered.
type AnswerStatus string

// Answer statuses.
const (
	AnswerOpen     AnswerStatus = "open"     // started, not all questions answered
	AnswerComplete AnswerStatus = "complete" // every question answered
	AnswerSkipped  AnswerStatus = "skipped"  // "Skip today": counted as not reported
	AnswerOff      AnswerStatus = "off"      // "I'm off": not a workday, not counted
)

// CheckIn is a client's answer to one day's check-in.
type CheckIn struct {
	ID             int64
	EngagementID   int64
	Day            Date   // client-local day the check-in is for
	Moved          string // what moved forward yesterday
	Priority       string // today's #1 priority
	PriorityRockID int64  // the rock it serves; 0 = none
	Stuck          string // anything stuck ("" or "nothing")
	Energy         int    // 1..5; 0 = not answered
	Status         AnswerStatus
	SubmittedAt    time.Time // when it became complete/skipped/off; zero while open
	UpdatedAt      time.Time
}

// RockUpdate is one rock's line in a weekly report.
type RockUpdate struct {
	RockID   int64
	Status   RockStatus
	Progress int
	Note     string
}

// WeeklyReport is a client's weekly accountability report.
type WeeklyReport struct {
	ID           int64
	EngagementID int64
	Week         Date // Monday of the client-local ISO week
	Rocks        []RockUpdate
	Win          string // biggest win
	Stuck        string // what got stuck
	Ask          string // what to bring to the coach
	Status       AnswerStatus
	SubmittedAt  time.Time
	UpdatedAt    time.Time
}

// RockDecision is what a quarterly review decides for one rock.
type RockDecision string

// Rock decisions.
const (
	DecisionDone  RockDecision = "done"  // the rock is done (100%)
	DecisionCarry RockDecision = "carry" // it carries over into the next cycle
	DecisionDrop  RockDecision = "drop"  // it is dropped
)

// Apply returns the status and progress decision d gives rock r: done
// makes it done at 100%, drop makes it dropped, carry makes a done or
// dropped rock on track again and leaves a live one as it is.
func (d RockDecision) Apply(r *Rock) (RockStatus, int) {
	switch {
	case d == DecisionDone:
		return RockDone, 100
	case d == DecisionDrop:
		return RockDropped, r.Progress
	case d == DecisionCarry && !r.Status.Live():
		return RockOnTrack, r.Progress
	}
	return r.Status, r.Progress
}

// RockReview is one rock's line in a quarterly review.
type RockReview struct {
	RockID   int64
	Decision RockDecision
	Learned  string // one line on what the client learned from it
}

// Review is a client's quarterly review of one cycle, asked in the
// cycle's last week in place of that week's report: what becomes of each
// rock, the quarter's biggest win and what to change next quarter. The
// next cycle starts on its day whether or not the review was answered.
type Review struct {
	ID           int64
	EngagementID int64
	Cycle        int // the number of the cycle reviewed
	Rocks        []RockReview
	Win          string       // the quarter's biggest win
	Change       string       // what to change next quarter
	Status       AnswerStatus // open or complete
	SubmittedAt  time.Time    // zero while open
	UpdatedAt    time.Time
}

// SessionSource says where a session came from.
type SessionSource string

// Session sources.
const (
	SessionLogged   SessionSource = "logged"   // `session @client [day] [notes]`, after the fact
	SessionBooked   SessionSource = "booked"   // `session @client next YYYY-MM-DD HH:MM [duration]`
	SessionCalendar SessionSource = "calendar" // an event of the coach's connected calendar
)

// Session is a coaching session: logged after the fact, booked ahead, or
// read from the coach's calendar.
type Session struct {
	ID           int64
	EngagementID int64
	Day          Date      // the coach-local day of the session
	Start        time.Time // when it starts; zero for a session logged by day
	Minutes      int       // how long it lasts; 0 when not known
	Source       SessionSource
	// UID identifies a calendar session within the engagement: the
	// event's UID and, for one occurrence of a recurring event, its
	// original start ("uid/20261204T150000Z"). "" for other sources.
	UID string
	// CancelledAt is when the session was cancelled (the calendar dropped
	// or cancelled it, or the coach did); zero while it stands.
	CancelledAt time.Time
	Notes       string // the coach's notes: their own, for their next brief
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// End returns when the session ends: Start plus Minutes (zero when it
// has no start).
func (s *Session) End() time.Time {
	if s.Start.IsZero() {
		return time.Time{}
	}
	return s.Start.Add(time.Duration(s.Minutes) * time.Minute)
}

// Cancelled reports whether the session was cancelled.
func (s *Session) Cancelled() bool { return !s.CancelledAt.IsZero() }

// Calendar is a coach's connected calendar: the secret ICS address their
// calendar service publishes, fetched every CalendarEvery.
type Calendar struct {
	CoachID int64
	// URL is the secret address, in plaintext for callers; the store is
	// wrapped by store/seal, which keeps it encrypted at rest as bot
	// tokens are. Never logged.
	URL []byte
	// ETag and LastModified are the last answer's validators, sent back
	// for a conditional request.
	ETag         string
	LastModified string
	NextFetchAt  time.Time // when the calendar is next fetched
	LeaseUntil   time.Time // a replica's claim on fetching it; zero when unclaimed
	LastSyncAt   time.Time // the last fetch that worked; zero before the first
	// FailingSince is when fetching or reading it started failing, zero
	// while it works; LastError says why, in words for the coach.
	FailingSince time.Time
	LastError    string
	// Reported says the coach was told of the current failure: once per
	// failure, not every fetch.
	Reported  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CalendarEvery is how often a connected calendar is fetched.
const CalendarEvery = 15 * time.Minute

// DeliveryKind is what a delivery sends.
type DeliveryKind string

// Delivery kinds.
const (
	DeliveryDaily    DeliveryKind = "daily"
	DeliveryWeekly   DeliveryKind = "weekly"
	DeliveryReminder DeliveryKind = "reminder"
	DeliveryDigest   DeliveryKind = "digest"
	DeliveryBrief    DeliveryKind = "brief" // a client's brief to their coach before a session; Period SessionPeriod
	DeliveryNotes    DeliveryKind = "notes" // after a session, the coach is asked for a line of notes; Period SessionPeriod
)

// SessionPeriod is the Period of a session's brief and notes deliveries:
// one of each per session, whichever replica plans it.
func SessionPeriod(sessionID int64) string { return fmt.Sprintf("session:%d", sessionID) }

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"   // waiting to be sent
	DeliverySent      DeliveryState = "sent"      // the platform accepted it
	DeliveryFailed    DeliveryState = "failed"    // permanently failed (user gone, app removed)
	DeliveryMissed    DeliveryState = "missed"    // due while we were down, past the grace window
	DeliverySkipped   DeliveryState = "skipped"   // not needed (already answered, paused)
	DeliverySuspended DeliveryState = "suspended" // held until a person fixes something
)

// Delivery is one prompt or digest to one person for one period. The key
// (PersonID, Kind, Period) is unique, so scheduling it twice creates it once.
type Delivery struct {
	ID           int64
	PersonID     int64 // recipient: the client, or the coach for a digest
	EngagementID int64 // 0 for a digest
	Kind         DeliveryKind
	Period       string // "2026-11-25" for a day, "2026-W48" for a week
	DueAt        time.Time
	State        DeliveryState
	Attempts     int
	LastError    string
	// SkipReason says, in a few words a person reads, why a skipped
	// delivery was not sent when it is not plain bookkeeping: "public
	// holiday: Christmas Day", "out of office". The digest shows it
	// ("off: public holiday"); such a day is never counted as missed.
	SkipReason string
	LeaseUntil time.Time // a sender's claim; zero when unclaimed
	MessageRef string    // the platform's reference to the sent message (its first part)
	// PartsSent is how many parts of a message that goes out in several
	// (a long prompt split to fit the platform) reached the platform before
	// a send failed part-way: a retry resumes after them (see
	// PartialSendError). 0 once sent whole, or when nothing went out.
	PartsSent int
	SentAt    time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Schedule is when a person's next delivery of one kind (daily, weekly or
// digest) is due. Reminders have no schedule: each is planned with its
// day's check-in.
type Schedule struct {
	PersonID     int64 // the recipient
	Kind         DeliveryKind
	EngagementID int64 // the client's engagement; 0 for a digest
	// NextAt is when the next delivery is due, or, when Period is "", the
	// instant from which to recompute it (what it depends on changed
	// then). Zero when nothing is planned: the engagement is paused,
	// ended or past its cycle, or the schedule is suspended.
	NextAt time.Time
	// Period is the period of the delivery due at NextAt ("2026-11-25",
	// "2026-W48"), or "" when the schedule must be recomputed.
	Period string
	// Suspended says why the schedule stopped after a permanent failure
	// (the person left, the app was removed); "" when it is not.
	Suspended string
	UpdatedAt time.Time

	// Loaded with the schedule, for planning; not stored by it.
	Person     *Person
	Engagement *Engagement // nil for a digest, or when it is gone
	Active     bool        // the person's installation is active
}

// Digest is one weekly digest posted for a coach.
type Digest struct {
	ID        int64
	CoachID   int64
	Week      Date   // Monday of the week the digest covers
	Channel   string // where it was posted ("" = the coach's DM)
	ParentRef string // platform reference of the parent message
	// Summary is the week's figures ("3 clients · 2 reported · …"),
	// without a client's name or words: a client's deletion leaves
	// nothing of them here (see PersonStore.DeletePerson).
	Summary  string
	PostedAt time.Time
}
