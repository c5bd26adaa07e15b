package bot

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// FormatScore shows a goal or a value without trailing zeros: 15, 2.5,
// 12500.75.
func FormatScore(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// scorecardUsage is the usage of the scorecard sub-commands.
const scorecardUsage = "`scorecard` — this week's numbers against their goals\n" +
	"`scorecard add <name> >= <goal> [unit]` — e.g. `scorecard add Sales calls >= 15 / week` (or ≥, ≤, <=, at least, at most)\n" +
	"`scorecard edit <n> [name] [>=|<= <goal> [unit]]`\n" +
	"`scorecard set <n> <value> [last|YYYY-MM-DD]` — a week's number (default this week)\n" +
	"`scorecard remove <n>` — its numbers are kept\n" +
	"A coach puts `@client` after `scorecard` to work on a client's scorecard."

// measurableGoal is a measurable's goal as shown: "≥ 15 / week", "≤ 2.5%".
func measurableGoal(m *Measurable) string {
	g := m.Direction.Symbol() + " " + FormatScore(m.Goal)
	switch {
	case m.Unit == "":
		return g
	case strings.HasPrefix(m.Unit, "%"):
		return g + m.Unit
	}
	return g + " " + m.Unit
}

// goalMark is a value's green or red mark against the measurable's goal.
func goalMark(m *Measurable, v float64) string {
	if m.OnGoal(v) {
		return "✅"
	}
	return "❌"
}

// goalOp finds the comparison in a measurable's spec: ≥, >=, ≤, <= or the
// words "at least", "at most".
var goalOp = regexp.MustCompile(`(?i)(>=|=>|≥|<=|=<|≤|\bat\s+least\b|\bat\s+most\b)`)

// scoreNumber reads the number a goal or a value starts with.
var scoreNumber = regexp.MustCompile(`^([+-]?(?:\d+(?:\.\d*)?|\.\d+))`)

// measurableSpec is what `scorecard add` or `edit` was told; for edit,
// parts left out (no name, no goal, no unit) keep their value.
type measurableSpec struct {
	name      string
	hasGoal   bool
	direction Direction
	goal      float64
	unit      string
}

// parseMeasurableSpec reads "<name> >= <goal> [unit]": "Sales calls >= 15
// / week", "Churn at most 2.5%", ">= 20" (a new goal alone).
func parseMeasurableSpec(spec string) (measurableSpec, error) {
	spec = strings.TrimSpace(spec)
	loc := goalOp.FindStringIndex(spec)
	if loc == nil {
		if strings.ContainsAny(spec, "<>=") {
			return measurableSpec{}, Errorf(EINVALID, "Say the goal with >= (at least) or <= (at most), e.g. `scorecard add Sales calls >= 15 / week`.")
		}
		return measurableSpec{name: spec}, nil
	}
	ms := measurableSpec{name: strings.TrimSpace(spec[:loc[0]]), hasGoal: true, direction: AtLeast}
	if op := strings.ToLower(spec[loc[0]:loc[1]]); strings.Contains(op, "<") || strings.Contains(op, "≤") || strings.HasSuffix(op, "most") {
		ms.direction = AtMost
	}
	rest := strings.TrimSpace(spec[loc[1]:])
	num := scoreNumber.FindString(rest)
	if num == "" {
		return measurableSpec{}, Errorf(EINVALID, "I could not read the goal in %q: put a number after %s, e.g. `%s 15`.", rest, spec[loc[0]:loc[1]], spec[loc[0]:loc[1]])
	}
	rest = rest[len(num):]
	if len(rest) > 1 && rest[0] == ',' && rest[1] >= '0' && rest[1] <= '9' {
		return measurableSpec{}, Errorf(EINVALID, "Write the goal without commas: 1500, or 2.5 with a dot.")
	}
	goal, err := parseScore(num)
	if err != nil {
		return measurableSpec{}, err
	}
	ms.goal, ms.unit = goal, strings.TrimSpace(rest)
	return ms, nil
}

// parseScore reads a goal or a value as people type it: 17, -3, 2.5,
// 12%.
func parseScore(s string) (float64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if strings.Contains(s, ",") {
		return 0, Errorf(EINVALID, "Write %q without commas: 1500, or 2.5 with a dot.", s)
	}
	if scoreNumber.FindString(s) != s || s == "" {
		return 0, Errorf(EINVALID, "%q is not a number; write it like 17 or 2.5.", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Abs(v) > MaxMeasurableNumber {
		return 0, Errorf(EINVALID, "%s is too large; numbers go up to %s.", s, FormatScore(MaxMeasurableNumber))
	}
	return v, nil
}

// scorecardTarget resolves whose scorecard a command is about: the
// actor's own, or, for a coach, a client's named by a leading mention.
func (b *Bot) scorecardTarget(ctx context.Context, r *request, rest string) (*Person, *Engagement, string, error) {
	first, more, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if strings.HasPrefix(first, "<@") {
		client, e, err := b.myClient(ctx, r, first, "scorecard")
		return client, e, strings.TrimSpace(more), err
	}
	e, err := b.myEngagement(ctx, r)
	return r.me, e, strings.TrimSpace(rest), err
}

// cmdScorecard lists, adds, edits and removes measurables and records
// their values.
func (b *Bot) cmdScorecard(ctx context.Context, r *request, rest string) ([]Message, error) {
	owner, e, rest, err := b.scorecardTarget(ctx, r, rest)
	if err != nil {
		return nil, err
	}
	sub, args, _ := strings.Cut(rest, " ")
	args = strings.TrimSpace(args)
	switch strings.ToLower(sub) {
	case "", "list":
		return b.listScorecard(ctx, r, owner, e)
	case "add":
		return b.addMeasurable(ctx, r, owner, e, args)
	case "edit":
		return b.editMeasurable(ctx, r, owner, e, args)
	case "remove", "delete", "drop":
		return b.removeMeasurable(ctx, r, owner, e, args)
	case "set":
		return b.setMeasurable(ctx, r, owner, e, args)
	}
	return nil, Errorf(EINVALID, "I don't know `scorecard %s`. Try:\n%s", sub, scorecardUsage)
}

// addMeasurable handles `scorecard add <name> >= <goal> [unit]`.
func (b *Bot) addMeasurable(ctx context.Context, r *request, owner *Person, e *Engagement, args string) ([]Message, error) {
	spec, err := parseMeasurableSpec(args)
	if err != nil {
		return nil, err
	}
	if spec.name == "" || !spec.hasGoal {
		return nil, Errorf(EINVALID, "A number needs a name and a goal, e.g. `scorecard add Sales calls >= 15 / week`.\n%s", scorecardUsage)
	}
	ms, err := b.store.Measurables(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load measurables: %w", err)
	}
	if liveMeasurables(ms) >= MaxMeasurables {
		return nil, Errorf(ECONFLICT, "%s %d numbers on the scorecard; more than %d hides the ones that matter. Remove one first (`scorecard remove <n>`).", possessive(owner, r.me), MaxMeasurables, MaxMeasurables)
	}
	m := &Measurable{EngagementID: e.ID, Name: spec.name, Goal: spec.goal, Direction: spec.direction, Unit: spec.unit, CreatedAt: r.now, UpdatedAt: r.now}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := b.store.CreateMeasurable(ctx, m); err != nil {
		return nil, fmt.Errorf("add measurable: %w", err)
	}
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s added a number to your scorecard: *%s* %s. The weekly report asks for it.", r.me.DisplayName, m.Name, measurableGoal(m)))
	}
	return reply("Added number %d to the scorecard: *%s* %s. The weekly report asks for it; `scorecard set %d <value>` records it any time.", m.Position, m.Name, measurableGoal(m), m.Position), nil
}

// editMeasurable handles `scorecard edit <n> ...`: the parts given
// replace the measurable's, the others are kept.
func (b *Bot) editMeasurable(ctx context.Context, r *request, owner *Person, e *Engagement, args string) ([]Message, error) {
	n, rest, _ := strings.Cut(args, " ")
	m, err := b.measurableByNumber(ctx, e, n)
	if err != nil {
		return nil, err
	}
	spec, err := parseMeasurableSpec(rest)
	if err != nil {
		return nil, err
	}
	if spec.name == "" && !spec.hasGoal {
		return nil, Errorf(EINVALID, "Tell me the new name or goal, e.g. `scorecard edit %d >= 20`.", m.Position)
	}
	if spec.name != "" {
		m.Name = spec.name
	}
	if spec.hasGoal {
		m.Goal, m.Direction = spec.goal, spec.direction
		if spec.unit != "" {
			m.Unit = spec.unit
		}
	}
	m.UpdatedAt = r.now
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := b.store.UpdateMeasurable(ctx, m); err != nil {
		return nil, fmt.Errorf("edit measurable: %w", err)
	}
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s changed number %d of your scorecard: *%s* %s.", r.me.DisplayName, m.Position, m.Name, measurableGoal(m)))
	}
	return reply("Number %d: *%s* %s.", m.Position, m.Name, measurableGoal(m)), nil
}

// removeMeasurable handles `scorecard remove <n>`: the measurable leaves
// the scorecard, its values stay in the history.
func (b *Bot) removeMeasurable(ctx context.Context, r *request, owner *Person, e *Engagement, args string) ([]Message, error) {
	m, err := b.measurableByNumber(ctx, e, strings.TrimSpace(args))
	if err != nil {
		return nil, err
	}
	m.RemovedAt, m.UpdatedAt = r.now, r.now
	if err := b.store.UpdateMeasurable(ctx, m); err != nil {
		return nil, fmt.Errorf("remove measurable: %w", err)
	}
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s removed *%s* from your scorecard.", r.me.DisplayName, m.Name))
	}
	return reply("Removed number %d, *%s*, from the scorecard. Its numbers so far are kept in the history.", m.Position, m.Name), nil
}

// setMeasurable records "<n> <value> [last|this|YYYY-MM-DD]".
func (b *Bot) setMeasurable(ctx context.Context, r *request, owner *Person, e *Engagement, args string) ([]Message, error) {
	words := strings.Fields(args)
	if len(words) < 2 || len(words) > 3 {
		return nil, Errorf(EINVALID, "Tell me the number and its value, e.g. `scorecard set 1 17`, or `scorecard set 1 17 last` for last week.")
	}
	m, err := b.measurableByNumber(ctx, e, words[0])
	if err != nil {
		return nil, err
	}
	v, err := parseScore(words[1])
	if err != nil {
		return nil, err
	}
	this := DateOf(r.now.In(zoneOf(owner))).WeekStart()
	week := this
	if len(words) == 3 {
		switch w := strings.ToLower(words[2]); w {
		case "this", "this-week":
		case "last", "last-week":
			week = this.AddDays(-7)
		default:
			d, err := ParseDate(w)
			if err != nil {
				return nil, Errorf(EINVALID, "%q is not a week: use `last`, or a day of the week as YYYY-MM-DD.", words[2])
			}
			week = d.WeekStart()
		}
	}
	if week.After(this) {
		return nil, Errorf(EINVALID, "The week of %s has not started yet; record a number once its week is under way.", week)
	}
	if first := e.Start.WeekStart(); !e.Start.IsZero() && week.Before(first) {
		return nil, Errorf(EINVALID, "The week of %s is before the coaching started (%s).", week, e.Start)
	}
	if err := b.saveValue(ctx, e, week, m.ID, v, r.now); err != nil {
		return nil, err
	}
	text := fmt.Sprintf("*%s*, week of %s: %s %s (goal %s).", m.Name, week, FormatScore(v), goalMark(m, v), measurableGoal(m))
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s recorded a number on your scorecard: %s", r.me.DisplayName, text))
	}
	return reply("%s", text), nil
}

// saveValue sets one measurable's value of a week, keeping the week's
// others.
func (b *Bot) saveValue(ctx context.Context, e *Engagement, week Date, id int64, v float64, now time.Time) error {
	vals, err := b.store.MeasurableValues(ctx, e.ID, week, week)
	if err != nil {
		return fmt.Errorf("load scorecard values: %w", err)
	}
	vals = slices.DeleteFunc(vals, func(x MeasurableValue) bool { return x.MeasurableID == id })
	vals = append(vals, MeasurableValue{MeasurableID: id, Value: v, UpdatedAt: now})
	if err := b.store.SaveMeasurableValues(ctx, e.ID, week, vals); err != nil {
		return fmt.Errorf("save scorecard values: %w", err)
	}
	return nil
}

// measurableByNumber finds a live measurable by its shown number.
func (b *Bot) measurableByNumber(ctx context.Context, e *Engagement, n string) (*Measurable, error) {
	pos, err := strconv.Atoi(strings.TrimPrefix(n, "#"))
	if err != nil {
		return nil, Errorf(EINVALID, "%q is not a number of the scorecard. Type `scorecard` to see them.", n)
	}
	ms, err := b.store.Measurables(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load measurables: %w", err)
	}
	for _, m := range ms {
		if m.Position == pos && m.Live() {
			return m, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "There is no number %d on the scorecard. Type `scorecard` to see them.", pos)
}

// liveMeasurables counts the measurables on the scorecard.
func liveMeasurables(ms []*Measurable) int {
	n := 0
	for _, m := range ms {
		if m.Live() {
			n++
		}
	}
	return n
}

// weekValue returns the measurable's value of week among vals.
func weekValue(vals []MeasurableValue, id int64, week Date) (float64, bool) {
	for _, v := range vals {
		if v.MeasurableID == id && v.Week == week {
			return v.Value, true
		}
	}
	return 0, false
}

// shownScore is a week's value with its mark, or a dash.
func shownScore(m *Measurable, vals []MeasurableValue, week Date) string {
	if v, ok := weekValue(vals, m.ID, week); ok {
		return FormatScore(v) + " " + goalMark(m, v)
	}
	return "—"
}

// listScorecard shows owner's live measurables with this week's and last
// week's values, and the scorecard's usage.
func (b *Bot) listScorecard(ctx context.Context, r *request, owner *Person, e *Engagement) ([]Message, error) {
	ms, err := b.store.Measurables(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load measurables: %w", err)
	}
	this := DateOf(r.now.In(zoneOf(owner))).WeekStart()
	vals, err := b.store.MeasurableValues(ctx, e.ID, this.AddDays(-7), this)
	if err != nil {
		return nil, fmt.Errorf("load scorecard values: %w", err)
	}
	whose := "Your scorecard"
	if owner.ID != r.me.ID {
		whose = owner.DisplayName + "'s scorecard"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s* — week of %s\n", whose, this)
	for _, m := range ms {
		if m.Live() {
			fmt.Fprintf(&sb, "%d. *%s* %s — this week %s · last week %s\n", m.Position, m.Name, measurableGoal(m),
				shownScore(m, vals, this), shownScore(m, vals, this.AddDays(-7)))
		}
	}
	if liveMeasurables(ms) == 0 {
		fmt.Fprintf(&sb, "No numbers yet. Keep up to %d weekly numbers with a goal, e.g. `scorecard add Sales calls >= 15 / week`.", MaxMeasurables)
	}
	return []Message{{Text: strings.TrimRight(sb.String(), "\n"), Sections: []string{scorecardUsage}, Ephemeral: true}}, nil
}

// scorecardLines shows e's scorecard for week, one line per live
// measurable: its goal, the week's value marked green or red against it,
// and the averages of the trailing 4 and 13 weeks (to week, inclusive)
// over the weeks that have a value, saying how many do when some have
// none: "Sales calls ≥ 15 / week: 17 ✅ · 4 wk avg 14.5 · 13 wk avg 12.1
// (9 of 13 wk)". Two reads, whatever the number of measurables or weeks.
func (b *Bot) scorecardLines(ctx context.Context, e *Engagement, week Date) ([]string, error) {
	ms, err := b.store.Measurables(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load measurables: %w", err)
	}
	if liveMeasurables(ms) == 0 {
		return nil, nil
	}
	week = week.WeekStart()
	vals, err := b.store.MeasurableValues(ctx, e.ID, week.AddDays(-7*12), week)
	if err != nil {
		return nil, fmt.Errorf("load scorecard values: %w", err)
	}
	return scoreLines(ms, vals, week), nil
}

// scoreLines is scorecardLines from measurables and values already read
// (values of the 13 weeks to week at least).
func scoreLines(ms []*Measurable, vals []MeasurableValue, week Date) []string {
	week = week.WeekStart()
	var lines []string
	for _, m := range ms {
		if !m.Live() {
			continue
		}
		line := fmt.Sprintf("%s %s: %s", m.Name, measurableGoal(m), shownScore(m, vals, week))
		for _, n := range []int{4, 13} {
			line += " · " + trailingAvg(m, vals, week, n)
		}
		lines = append(lines, line)
	}
	return lines
}

// trailingAvg is the average of m's values over the n weeks to week: "4 wk
// avg 14.5", "13 wk avg 12.1 (9 of 13 wk)", "4 wk: no numbers".
func trailingAvg(m *Measurable, vals []MeasurableValue, week Date, n int) string {
	from := week.AddDays(-7 * (n - 1))
	sum, count := 0.0, 0
	for _, v := range vals {
		if v.MeasurableID == m.ID && !v.Week.Before(from) && !v.Week.After(week) {
			sum += v.Value
			count++
		}
	}
	if count == 0 {
		return fmt.Sprintf("%d wk: no numbers", n)
	}
	s := fmt.Sprintf("%d wk avg %s", n, FormatScore(math.Round(sum/float64(count)*10)/10))
	if count < n {
		s += fmt.Sprintf(" (%d of %d wk)", count, n)
	}
	return s
}
