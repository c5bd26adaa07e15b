package bot

import (
	"strconv"
	"time"
)

// MaxMeasurables is how many live measurables a scorecard holds: EOS keeps
// a weekly scorecard to a handful of numbers, so the ones that matter
// stand out. Removed measurables do not count; the stores enforce it (see
// ScorecardStore.CreateMeasurable) along with MaxMeasurablesKept.
const MaxMeasurables = 10

// Direction says which side of its goal a measurable's value is on goal.
type Direction string

// Directions.
const (
	AtLeast Direction = "at_least" // on goal when the value is >= the goal
	AtMost  Direction = "at_most"  // on goal when the value is <= the goal
)

// Symbol is the direction as shown: ≥ or ≤.
func (d Direction) Symbol() string {
	if d == AtMost {
		return "≤"
	}
	return "≥"
}

// Measurable is one weekly number of a client's scorecard (EOS's
// "measurables"), with the goal it is held against.
type Measurable struct {
	ID           int64
	EngagementID int64
	Position     int // 1-based number shown to people ("scorecard set 2 17"); stable, never reused
	Name         string
	Goal         float64
	Direction    Direction
	// Unit is what follows the goal as the person typed it, e.g. "/ week",
	// "EUR / week" or "%"; "" for none.
	Unit string
	// RemovedAt is when the measurable left the scorecard; zero while it
	// is live. A removed measurable keeps its values for the history.
	RemovedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Live reports whether the measurable is on the scorecard (not removed).
func (m *Measurable) Live() bool { return m.RemovedAt.IsZero() }

// OnGoal reports whether v meets the measurable's goal.
func (m *Measurable) OnGoal(v float64) bool {
	if m.Direction == AtMost {
		return v <= m.Goal
	}
	return v >= m.Goal
}

// MeasurableValue is a measurable's value for one week.
type MeasurableValue struct {
	MeasurableID int64
	Week         Date // Monday of the client-local week
	Value        float64
	UpdatedAt    time.Time
}

// FormatNumber shows a goal or a value without trailing zeros: 15, 2.5,
// 12500.75.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
