package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The daily check-in's questions, in the order plain replies answer them.
var dailyQuestions = []string{
	"What moved forward yesterday?",
	"Today's #1 priority? Start with the rock's number if it serves one, e.g. `2 send the proposal`.",
	"Anything stuck? (`no` if nothing)",
	"Energy today, 1 (drained) to 5 (great)?",
}

// nextDaily returns the index of the first unanswered question, or -1.
func nextDaily(c *CheckIn) int {
	switch {
	case c.Status != AnswerOpen:
		return -1
	case c.Moved == "":
		return 0
	case c.Priority == "":
		return 1
	case c.Stuck == "":
		return 2
	case c.Energy == 0:
		return 3
	}
	return -1
}

// loadCheckIn returns the day's check-in, or a new open one.
func (b *Bot) loadCheckIn(ctx context.Context, e *Engagement, day Date) (*CheckIn, error) {
	c, err := b.store.CheckIn(ctx, e.ID, day)
	if ErrorCode(err) == ENOTFOUND {
		return &CheckIn{EngagementID: e.ID, Day: day, Status: AnswerOpen}, nil
	} else if err != nil {
		return nil, fmt.Errorf("load check-in: %w", err)
	}
	return c, nil
}

// cmdCheckin starts (or shows, for editing) the check-in the person is
// most likely answering: the day a button carries, else today when a
// check-in is expected today, else the last one received if it is still
// open and at most four days old (on Saturday, Friday's), else today.
func (b *Bot) cmdCheckin(ctx context.Context, r *request, value string) ([]Message, error) {
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	day, err := b.checkinDay(ctx, r, e, value)
	if err != nil {
		return nil, err
	}
	c, err := b.loadCheckIn(ctx, e, day)
	if err != nil {
		return nil, err
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	b.carryOver(ctx, e, e.CycleOn(r.today()), rocks, r.me.ID, r.now)
	if c.Status == AnswerSkipped || c.Status == AnswerOff {
		// Skipped or off, then changed their mind: reopen it.
		c.Status, c.SubmittedAt, c.UpdatedAt = AnswerOpen, time.Time{}, r.now
		if err := b.store.SaveCheckIn(ctx, c); err != nil {
			return nil, fmt.Errorf("reopen check-in: %w", err)
		}
	}
	if c.Status != AnswerOpen {
		m := Message{Text: "You already answered " + b.dayName(r, day) + " check-in:\n" + checkInSummary(c, rocks) + "\nChange anything with the form.", Form: checkInForm(e, c, rocks), Ephemeral: true}
		m.Buttons = []Button{{ActionID: ActionAnswerCheckin, Label: "Edit", Value: target{DeliveryDaily, e.ID, day}.String(), OpensForm: true}}
		return []Message{m}, nil
	}
	if err := b.state.Set(ctx, convKey(r.me), target{DeliveryDaily, e.ID, day}.String(), b.convTT); err != nil {
		return nil, fmt.Errorf("start check-in: %w", err)
	}
	return []Message{b.dailyPrompt(e, c, rocks, "", zoneOf(r.me))}, nil
}

// dailyPrompt is the check-in message: the day, the rocks, the next question.
func (b *Bot) dailyPrompt(e *Engagement, c *CheckIn, rocks []*Rock, greeting string, loc *time.Location) Message {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s* · %s %s\n", e.CycleOn(c.Day).Label(c.Day), c.Day.Weekday(), c.Day)
	if greeting != "" {
		sb.WriteString(greeting + "\n")
	}
	sb.WriteString("Your rocks:\n" + rockList(promptRocks(rocks, e.CycleOn(c.Day), loc)) + "\n\n")
	q := max(nextDaily(c), 0)
	fmt.Fprintf(&sb, "Reply here, one message per question, or answer them all at once in the form.\n*%d/%d* %s", q+1, len(dailyQuestions), dailyQuestions[q])
	v := target{DeliveryDaily, e.ID, c.Day}.String()
	return Message{
		Text: sb.String(),
		Form: checkInForm(e, c, rocks),
		Buttons: []Button{
			{ActionID: ActionAnswerCheckin, Label: "Answer", Value: v, Style: StylePrimary, OpensForm: true},
			{ActionID: ActionSkipToday, Label: "Skip today", Value: v},
			{ActionID: ActionOff, Label: "I'm off", Value: v},
		},
	}
}

// checkInForm is the whole check-in as one form, pre-filled for editing.
func checkInForm(e *Engagement, c *CheckIn, rocks []*Rock) *Form {
	opts := []Option{{"0", "None of my rocks"}}
	for _, r := range rocks {
		if !r.Status.Live() && r.ID != c.PriorityRockID {
			continue // a finished rock is no one's priority today
		}
		opts = append(opts, Option{strconv.FormatInt(r.ID, 10), fmt.Sprintf("%d. %s", r.Position, r.Title)})
	}
	energy := ""
	if c.Energy > 0 {
		energy = strconv.Itoa(c.Energy)
	}
	return &Form{
		FormID: FormCheckin, Value: target{DeliveryDaily, e.ID, c.Day}.String(),
		Title: "Daily check-in", SubmitLabel: "Save",
		Fields: []Field{
			{ID: "moved", Label: "What moved forward yesterday?", Kind: FieldLongText, Initial: c.Moved, MaxLen: 2000},
			{ID: "priority", Label: "Today's #1 priority", Kind: FieldText, Initial: c.Priority, MaxLen: 2000},
			{ID: "rock", Label: "Which rock does it serve?", Kind: FieldChoice, Options: opts, Initial: strconv.FormatInt(c.PriorityRockID, 10)},
			{ID: "stuck", Label: "Anything stuck?", Kind: FieldLongText, Initial: c.Stuck, Optional: true, MaxLen: 2000},
			{ID: "energy", Label: "Energy, 1 (drained) to 5 (great)", Kind: FieldChoice, Initial: energy, Options: []Option{
				{"1", "1"}, {"2", "2"}, {"3", "3"}, {"4", "4"}, {"5", "5"},
			}},
		},
	}
}

// answerDaily records one plain reply to the check-in's next question.
func (b *Bot) answerDaily(ctx context.Context, r *request, e *Engagement, c *CheckIn, text string) ([]Message, error) {
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	q := nextDaily(c)
	if err := b.checkLen(dailyQuestions[q], text); err != nil {
		return nil, err
	}
	switch q {
	case 0:
		c.Moved = text
	case 1:
		c.Priority, c.PriorityRockID = splitPriority(text, rocks)
	case 2:
		c.Stuck = text
	case 3:
		n, err := parseEnergy(text)
		if err != nil {
			return nil, err
		}
		c.Energy = n
	}
	c.UpdatedAt = r.now
	if nextDaily(c) < 0 {
		c.Status, c.SubmittedAt = AnswerComplete, r.now
	}
	if err := b.store.SaveCheckIn(ctx, c); err != nil {
		return nil, fmt.Errorf("save check-in: %w", err)
	}
	b.emitCheckIn(ctx, e, r.me, c)
	if n := nextDaily(c); n >= 0 {
		return []Message{{Text: fmt.Sprintf("*%d/%d* %s", n+1, len(dailyQuestions), dailyQuestions[n])}}, nil
	}
	if err := b.state.Delete(ctx, convKey(r.me)); err != nil {
		b.log.WarnContext(ctx, "end conversation", "err", err)
	}
	return []Message{{Text: savedCheckIn(c.Day, r.today()) + "\n" + checkInSummary(c, rocks)}}, nil
}

// savedCheckIn thanks for a finished check-in, naming its day when that is
// not today: a late answer (yesterday's) or an early one (tomorrow's).
func savedCheckIn(day, today Date) string {
	switch {
	case day.Before(today):
		return fmt.Sprintf("Saved for %s %s — thank you!", day.Weekday(), day)
	case day.After(today):
		return fmt.Sprintf("Saved for %s %s — thank you! That morning's check-in won't come.", day.Weekday(), day)
	}
	return "Saved — thank you! Have a focused day."
}

// splitPriority reads "2 send the proposal": a leading rock number links the
// priority to that rock; a bare number takes the rock's title.
func splitPriority(text string, rocks []*Rock) (string, int64) {
	first, rest, _ := strings.Cut(text, " ")
	n, err := strconv.Atoi(strings.TrimRight(strings.TrimPrefix(first, "#"), ".:)"))
	if err != nil {
		return text, 0
	}
	for _, r := range rocks {
		if r.Position == n && r.Status != RockDropped {
			if rest = strings.TrimSpace(strings.TrimLeft(rest, "-–—:, ")); rest == "" {
				rest = r.Title
			}
			return rest, r.ID
		}
	}
	return text, 0
}

// parseEnergy reads 1..5 ("4", "4/5", "4 - tired").
func parseEnergy(s string) (int, error) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil || n < 1 || n > 5 {
		return 0, Errorf(EINVALID, "Energy is a number from 1 (drained) to 5 (great); %q isn't one. Nothing was saved — try again.", s)
	}
	return n, nil
}

// submitCheckIn handles the check-in form: every answer at once.
func (b *Bot) submitCheckIn(ctx context.Context, r *request) ([]Message, error) {
	t, e, c, err := b.ownCheckIn(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := b.stillOpen(ctx, r, t, c.Status == AnswerComplete); err != nil {
		return nil, err
	}
	v := r.ev.Values
	moved, priority, stuck := strings.TrimSpace(v["moved"]), strings.TrimSpace(v["priority"]), strings.TrimSpace(v["stuck"])
	if moved == "" || priority == "" {
		return nil, Errorf(EINVALID, "Please say what moved forward and today's #1 priority; nothing was saved.")
	}
	for q, s := range map[string]string{dailyQuestions[0]: moved, "Today's #1 priority": priority, "Anything stuck?": stuck} {
		if err := b.checkLen(q, s); err != nil {
			return nil, err
		}
	}
	energy, err := parseEnergy(v["energy"])
	if err != nil {
		return nil, err
	}
	// The rocks are read only when the answer names one: the summary
	// shows nothing of them otherwise.
	var rockID int64
	var rocks []*Rock
	if s := strings.TrimSpace(v["rock"]); s != "" && s != "0" {
		rockID, _ = strconv.ParseInt(s, 10, 64)
		if rocks, err = b.store.Rocks(ctx, e.ID); err != nil {
			return nil, fmt.Errorf("load rocks: %w", err)
		}
		if !hasRock(rocks, rockID) {
			return nil, Errorf(EINVALID, "That rock is not one of yours; nothing was saved.")
		}
	}
	edit := c.Status == AnswerComplete
	c.Moved, c.Priority, c.PriorityRockID, c.Stuck, c.Energy = moved, priority, rockID, stuck, energy
	c.Status, c.UpdatedAt = AnswerComplete, r.now
	if c.SubmittedAt.IsZero() {
		c.SubmittedAt = r.now
	}
	if err := b.store.SaveCheckIn(ctx, c); err != nil {
		return nil, fmt.Errorf("save check-in: %w", err)
	}
	b.emitCheckIn(ctx, e, r.me, c)
	b.endConversation(ctx, r, t)
	verb := savedCheckIn(c.Day, r.today())
	if edit {
		verb = "Updated your check-in."
	}
	return []Message{{Text: verb + "\n" + checkInSummary(c, rocks), Ephemeral: true}}, nil
}

// skipOrOff handles "Skip today" and "I'm off".
func (b *Bot) skipOrOff(ctx context.Context, r *request, status AnswerStatus) ([]Message, error) {
	t, _, c, err := b.ownCheckIn(ctx, r)
	if err != nil {
		return nil, err
	}
	if c.Status == AnswerComplete {
		return reply("You already answered the check-in for %s; it stays as it is.", t.day), nil
	}
	if err := b.stillOpen(ctx, r, t, false); err != nil {
		return nil, err
	}
	c.Status, c.UpdatedAt, c.SubmittedAt = status, r.now, r.now
	if err := b.store.SaveCheckIn(ctx, c); err != nil {
		return nil, fmt.Errorf("save check-in: %w", err)
	}
	b.endConversation(ctx, r, t)
	if status == AnswerOff {
		return reply("Enjoy your day off — %s won't count against your streak. Planning a longer break? `pause YYYY-MM-DD YYYY-MM-DD`.", t.day), nil
	}
	return reply("Skipped %s. See you tomorrow.", t.day), nil
}

// ownCheckIn loads the check-in a form or button value names, if it is the
// actor's own.
func (b *Bot) ownCheckIn(ctx context.Context, r *request) (target, *Engagement, *CheckIn, error) {
	t, e, err := b.ownTarget(ctx, r, r.ev.Value, DeliveryDaily)
	if err != nil {
		return target{}, nil, nil, err
	}
	c, err := b.loadCheckIn(ctx, e, t.day)
	return t, e, c, err
}

// hasRock reports whether a rock with id is among rocks.
func hasRock(rocks []*Rock, id int64) bool {
	for _, r := range rocks {
		if r.ID == id {
			return true
		}
	}
	return false
}

// promptRocks are the rocks a prompt lists: cycle c's (see cycleRocks)
// but the dropped ones.
func promptRocks(rocks []*Rock, c Cycle, loc *time.Location) []*Rock {
	in, _ := cycleRocks(rocks, c, loc)
	return liveRocks(in)
}

// liveRocks drops dropped rocks.
func liveRocks(rocks []*Rock) []*Rock {
	var out []*Rock
	for _, r := range rocks {
		if r.Status != RockDropped {
			out = append(out, r)
		}
	}
	return out
}

// rockTitle names the rock with id as "rock 2, Hire a CTO"; "" when
// none of rocks has it.
func rockTitle(rocks []*Rock, id int64) string {
	for _, r := range rocks {
		if r.ID == id {
			return fmt.Sprintf("rock %d, %s", r.Position, r.Title)
		}
	}
	return ""
}

// checkInSummary shows a check-in's answers.
func checkInSummary(c *CheckIn, rocks []*Rock) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "• Moved: %s\n• #1 priority: %s", c.Moved, c.Priority)
	if t := rockTitle(rocks, c.PriorityRockID); t != "" {
		fmt.Fprintf(&sb, " (%s)", t)
	}
	fmt.Fprintf(&sb, "\n• Stuck: %s\n• Energy: %d/5", orNothing(c.Stuck), c.Energy)
	return sb.String()
}

// orNothing shows an answer that says nothing (see isNothing) as "nothing".
func orNothing(s string) string {
	if isNothing(s) {
		return "nothing"
	}
	return s
}

// isNothing reports whether an answer says "nothing".
func isNothing(s string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!")) {
	case "", "no", "nope", "none", "nothing", "n/a", "na", "-", "all good", "nothing stuck":
		return true
	}
	return false
}
