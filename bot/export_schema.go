package bot

import "time"

// The export is its own schema, documented in README ("Your data"): every
// key snake_case, days as "YYYY-MM-DD", instants as RFC 3339 in UTC, a
// rock named by its number as people see it. The domain types carry no
// json tags: what is stored may change without changing what a person's
// file says.

// exportVersion numbers the schema; it grows when a key changes meaning
// or goes away (new keys may come without it).
const exportVersion = 1

// exportData is everything a person can export: theirs alone.
type exportData struct {
	Version     int                `json:"version"`
	ExportedAt  exportInstant      `json:"exported_at"`
	Person      exportPerson       `json:"person"`
	Engagements []exportEngagement `json:"engagements"`
	// Coaching is, for a coach, the clients they coach or coached with
	// the sessions they logged and their own notes of them.
	Coaching []exportCoaching `json:"coaching,omitempty"`
}

type exportPerson struct {
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	IsCoach  bool   `json:"is_coach"`
	// EveningTime is when `checkin` starts answering the next workday;
	// null when never.
	EveningTime *string       `json:"evening_time"`
	Digest      *exportDigest `json:"digest,omitempty"` // a coach's
}

type exportDigest struct {
	Channel string `json:"channel"` // a platform channel id; "" for a direct message
	Weekday string `json:"weekday"`
	Time    string `json:"time"`
}

// exportEngagement is one coaching engagement of the person as a client.
type exportEngagement struct {
	Coach       *string            `json:"coach"` // null once the coach deleted their data
	Status      EngagementStatus   `json:"status"`
	InvitedAt   exportInstant      `json:"invited_at"`
	AcceptedAt  exportInstant      `json:"accepted_at"`
	EndedAt     exportInstant      `json:"ended_at"`
	Start       Date               `json:"start"`
	CycleDays   int                `json:"cycle_days"`
	Cycles      []exportCycle      `json:"cycles"`
	Schedule    exportSchedule     `json:"schedule"`
	Rocks       []exportRock       `json:"rocks"`
	RockHistory []exportRockChange `json:"rock_history"`
	CheckIns    []exportCheckIn    `json:"check_ins"`
	Weekly      []exportWeekly     `json:"weekly_reports"`
	Reviews     []exportReview     `json:"quarterly_reviews"`
	Scorecard   []exportMeasurable `json:"scorecard"`
	Sessions    []exportSessionDay `json:"sessions"`
}

// exportMeasurable is one number of the weekly scorecard with its values.
type exportMeasurable struct {
	Number    int                 `json:"number"`
	Name      string              `json:"name"`
	Direction Direction           `json:"direction"`
	Goal      float64             `json:"goal"`
	Unit      string              `json:"unit"`
	RemovedAt exportInstant       `json:"removed_at"`
	Values    []exportMeasureWeek `json:"values"`
}

type exportMeasureWeek struct {
	Week  Date    `json:"week"`
	Value float64 `json:"value"`
}

type exportCycle struct {
	N     int  `json:"n"`
	Start Date `json:"start"`
	End   Date `json:"end"`
}

type exportSchedule struct {
	CheckinTime     string `json:"checkin_time"`
	Workdays        string `json:"workdays"`
	WeeklyDay       string `json:"weekly_day"`
	WeeklyTime      string `json:"weekly_time"`
	ReminderMinutes int    `json:"reminder_minutes"` // 0 = no reminder
	PauseFrom       Date   `json:"pause_from"`
	PauseTo         Date   `json:"pause_to"`
}

type exportRock struct {
	Number    int           `json:"number"`
	Title     string        `json:"title"`
	DoneWhen  string        `json:"done_when"`
	Due       Date          `json:"due"`
	Status    RockStatus    `json:"status"`
	Progress  int           `json:"progress"`
	CreatedAt exportInstant `json:"created_at"`
	UpdatedAt exportInstant `json:"updated_at"`
}

type exportRockChange struct {
	Rock     int           `json:"rock"`
	At       exportInstant `json:"at"`
	By       *string       `json:"by"` // "client", "coach", or null once that person deleted their data
	Title    string        `json:"title"`
	DoneWhen string        `json:"done_when"`
	Due      Date          `json:"due"`
	Status   RockStatus    `json:"status"`
	Progress int           `json:"progress"`
	Note     string        `json:"note"`
}

type exportCheckIn struct {
	Day          Date          `json:"day"`
	Status       AnswerStatus  `json:"status"`
	MovedForward string        `json:"moved_forward"`
	Priority     string        `json:"priority"`
	PriorityRock *int          `json:"priority_rock"`
	Stuck        string        `json:"stuck"`
	Energy       *int          `json:"energy"`
	SubmittedAt  exportInstant `json:"submitted_at"`
}

type exportWeekly struct {
	Week        Date               `json:"week"`
	Status      AnswerStatus       `json:"status"`
	Rocks       []exportRockUpdate `json:"rocks"`
	Win         string             `json:"win"`
	Stuck       string             `json:"stuck"`
	Ask         string             `json:"ask"`
	SubmittedAt exportInstant      `json:"submitted_at"`
}

type exportRockUpdate struct {
	Rock     int        `json:"rock"`
	Status   RockStatus `json:"status"`
	Progress int        `json:"progress"`
	Note     string     `json:"note"`
}

type exportReview struct {
	Cycle       int                `json:"cycle"`
	Status      AnswerStatus       `json:"status"`
	Rocks       []exportRockReview `json:"rocks"`
	Win         string             `json:"win"`
	Change      string             `json:"change"`
	SubmittedAt exportInstant      `json:"submitted_at"`
}

type exportRockReview struct {
	Rock     int          `json:"rock"`
	Decision RockDecision `json:"decision"`
	Learned  string       `json:"learned"`
}

// exportSessionDay is a session the client's coach logged: its day, not
// the coach's notes, which are the coach's (and in the coach's export).
type exportSessionDay struct {
	Day Date `json:"day"`
}

// exportCoaching is one engagement the person coaches or coached.
type exportCoaching struct {
	Client   *string          `json:"client"` // null once the client deleted their data
	Status   EngagementStatus `json:"status"`
	Start    Date             `json:"start"`
	Sessions []exportSession  `json:"sessions"`
}

type exportSession struct {
	Day   Date   `json:"day"`
	Notes string `json:"notes"`
}

// exportInstant is an instant in an export: RFC 3339 in UTC to the
// second, null when unset.
type exportInstant time.Time

// MarshalJSON writes the instant as "2026-11-25T09:00:00Z", or null.
func (t exportInstant) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// exportCycles lists e's cycles up to the one holding last.
func exportCycles(e *Engagement, last Date) []exportCycle {
	var out []exportCycle
	for n := 1; n <= e.CycleOn(last).N; n++ {
		c := e.CycleN(n)
		out = append(out, exportCycle{N: c.N, Start: c.Start, End: c.End()})
	}
	return out
}

// exportOptional is a pointer to v, or nil for the zero value: a JSON null.
func exportOptional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// MarshalJSON writes a Date as "YYYY-MM-DD" (null for the zero Date).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}
