package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The quarterly review, asked in a cycle's last week in place of that
// week's report (see Cycle.ReviewDay): one question per rock, then these.
var reviewQuestions = []string{
	"The quarter's biggest win?",
	"What will you change next quarter?",
}

// Button and form of the quarterly review.
const (
	ActionAnswerReview = "review.answer"
	FormReview         = "review.submit"
)

// kindReview names the quarterly review as a conversation target; its
// day is the first day of the cycle reviewed. No delivery has this kind:
// the review goes out as the weekly delivery of the cycle's last week.
const kindReview DeliveryKind = "review"

// reviewWeek reports whether the weekly prompt of the week starting at
// week is a quarterly review, and of which cycle.
func (e *Engagement) reviewWeek(week Date) (Cycle, bool) {
	day := e.WeeklyDay(week)
	c := e.CycleOn(day)
	return c, !day.Before(e.Start) && c.ReviewDay(e.WeeklyWeekday) == day
}

// reviewRocks returns the rocks a review asks about: those still live,
// plus any the review already answered.
func reviewRocks(rocks []*Rock, rv *Review) []*Rock {
	var out []*Rock
	for _, r := range rocks {
		if r.Status.Live() || reviewLine(rv, r.ID) != nil {
			out = append(out, r)
		}
	}
	return out
}

func reviewLine(rv *Review, rockID int64) *RockReview {
	for i := range rv.Rocks {
		if rv.Rocks[i].RockID == rockID {
			return &rv.Rocks[i]
		}
	}
	return nil
}

// nextReview returns the review's next question: a rock (non-nil), or the
// index of a closing question; done is true when all are answered.
func nextReview(rv *Review, rocks []*Rock) (rock *Rock, q int, done bool) {
	if rv.Status != AnswerOpen {
		return nil, 0, true
	}
	for _, r := range reviewRocks(rocks, rv) {
		if reviewLine(rv, r.ID) == nil {
			return r, 0, false
		}
	}
	switch {
	case rv.Win == "":
		return nil, 0, false
	case rv.Change == "":
		return nil, 1, false
	}
	return nil, 0, true
}

// reviewQuestion renders the review's next question, numbered.
func reviewQuestion(rv *Review, rocks []*Rock) string {
	rock, q, done := nextReview(rv, rocks)
	if done {
		return ""
	}
	asked := reviewRocks(rocks, rv)
	total := len(asked) + len(reviewQuestions)
	if rock != nil {
		n := 1
		for i, r := range asked {
			if r.ID == rock.ID {
				n = i + 1
			}
		}
		return fmt.Sprintf("*%d/%d* Rock %d, *%s* (%s, %d%%): `done`, `carry` it into next quarter or `drop` it — and one line on what you learned, e.g. `carry the pilots need an internal champion`.",
			n, total, rock.Position, rock.Title, rock.Status.Label(), rock.Progress)
	}
	return fmt.Sprintf("*%d/%d* %s", len(asked)+q+1, total, reviewQuestions[q])
}

// parseDecision reads "done …", "carry …" or "drop …": the decision and
// the line on what was learned.
func parseDecision(text string) (RockDecision, string, error) {
	word, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(strings.Trim(word, ".,:;!")) {
	case "done", "finished", "complete", "completed":
		return DecisionDone, rest, nil
	case "carry", "keep", "continue":
		if w, r, _ := strings.Cut(rest, " "); strings.EqualFold(w, "over") || strings.EqualFold(w, "on") {
			rest = strings.TrimSpace(r)
		}
		return DecisionCarry, rest, nil
	case "drop", "dropped", "stop":
		return DecisionDrop, rest, nil
	}
	return "", "", Errorf(EINVALID, "Start with `done`, `carry` or `drop`, then one line on what you learned — e.g. `drop it was never ours to own`.")
}

func (d RockDecision) label() string {
	switch d {
	case DecisionDone:
		return "done"
	case DecisionCarry:
		return "carried over"
	}
	return "dropped"
}

func (b *Bot) loadReview(ctx context.Context, e *Engagement, cycle int) (*Review, error) {
	rv, err := b.store.Review(ctx, e.ID, cycle)
	if ErrorCode(err) == ENOTFOUND {
		return &Review{EngagementID: e.ID, Cycle: cycle, Status: AnswerOpen}, nil
	} else if err != nil {
		return nil, fmt.Errorf("load review: %w", err)
	}
	return rv, nil
}

// reviewWindow is how many days before a cycle's end the review may be
// started early, and after it a late one may still be written.
const reviewWindow = 14

// reviewOpen reports whether the review of cycle c may be written on d:
// in the cycle's last two weeks or the next one's first two.
func (c Cycle) reviewOpen(d Date) bool {
	return c.End().Sub(d) < reviewWindow && d.Sub(c.End()) <= reviewWindow
}

// reviewUntil is the last day the review of cycle c may be written.
func (c Cycle) reviewUntil() Date { return c.End().AddDays(reviewWindow) }

// reviewCycle is the cycle `review` (or a review's button, whose value
// names its cycle) opens: the current one in its last two weeks, the
// one just ended in the next cycle's first two weeks.
func (b *Bot) reviewCycle(r *request, e *Engagement, value string) (Cycle, error) {
	today := r.today()
	c := e.CycleOn(today)
	if t, ok := parseTarget(value); ok && t.kind == kindReview && t.eng == e.ID {
		if err := answerable(t, e, today, zoneOf(r.me), r.me.DaysOff()); err != nil {
			return Cycle{}, err
		}
		return e.CycleOn(t.day), nil
	}
	switch prev := e.CycleN(c.N - 1); {
	case c.reviewOpen(today):
		return c, nil
	case c.N > 1 && prev.reviewOpen(today):
		return prev, nil
	}
	return Cycle{}, Errorf(EINVALID, "Your review of cycle %d comes in its last week, on %s %s; the cycle ends %s. Until then, `weekly` is the week's report.",
		c.N, c.ReviewDay(e.WeeklyWeekday).Weekday(), c.ReviewDay(e.WeeklyWeekday), c.End())
}

// cmdReview starts (or shows, for editing) the quarterly review.
func (b *Bot) cmdReview(ctx context.Context, r *request, value string) ([]Message, error) {
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	c, err := b.reviewCycle(r, e, value)
	if err != nil {
		return nil, err
	}
	return b.openReview(ctx, r, e, c)
}

// openReview starts the review of cycle c as a conversation, or shows it
// with its form when it is finished.
func (b *Bot) openReview(ctx context.Context, r *request, e *Engagement, c Cycle) ([]Message, error) {
	rv, err := b.loadReview(ctx, e, c.N)
	if err != nil {
		return nil, err
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	t := target{kindReview, e.ID, c.Start}
	if rv.Status != AnswerOpen {
		m := Message{Text: fmt.Sprintf("You already wrote your review of cycle %d:\n%s\nChange anything with the form.", c.N, reviewSummary(rv, rocks)),
			Form: reviewForm(c, rv, rocks, t), Ephemeral: true}
		m.Buttons = []Button{{ActionID: ActionAnswerReview, Label: "Edit", Value: t.String(), OpensForm: true}}
		return []Message{m}, nil
	}
	if err := b.state.Set(ctx, convKey(r.me), t.String(), b.convTT); err != nil {
		return nil, fmt.Errorf("start review: %w", err)
	}
	return []Message{b.reviewPrompt(e, c, rv, rocks)}, nil
}

// reviewPrompt is the quarterly review message.
func (b *Bot) reviewPrompt(e *Engagement, c Cycle, rv *Review, rocks []*Rock) Message {
	t := target{kindReview, e.ID, c.Start}
	text := fmt.Sprintf("*Quarterly review · cycle %d* (%s to %s)\n"+
		"The quarter is nearly done: time to look back before the next one starts on %s. "+
		"For each rock, is it done, does it carry over, or do you drop it — and what did you learn? "+
		"Then the quarter's biggest win, and what you'll change.\nYour rocks:\n%s\n\n"+
		"Reply here, one message per question, or answer them all at once in the form.\n%s",
		c.N, c.Start, c.End(), c.End().AddDays(1), rockList(reviewRocks(rocks, rv)), reviewQuestion(rv, rocks))
	return Message{
		Text:    text,
		Form:    reviewForm(c, rv, rocks, t),
		Buttons: []Button{{ActionID: ActionAnswerReview, Label: "Answer", Value: t.String(), Style: StylePrimary, OpensForm: true}},
	}
}

// reviewForm is the whole review as one form, pre-filled for editing.
func reviewForm(c Cycle, rv *Review, rocks []*Rock, t target) *Form {
	f := &Form{FormID: FormReview, Value: t.String(), Title: fmt.Sprintf("Review of cycle %d", c.N), SubmitLabel: "Save"}
	for _, r := range reviewRocks(rocks, rv) {
		decision, learned := DecisionCarry, ""
		if r.Status == RockDone {
			decision = DecisionDone
		}
		if l := reviewLine(rv, r.ID); l != nil {
			decision, learned = l.Decision, l.Learned
		}
		id := "rock_" + strconv.FormatInt(r.ID, 10)
		f.Fields = append(f.Fields,
			Field{ID: id + "_decision", Label: fmt.Sprintf("%d. %s", r.Position, r.Title), Kind: FieldChoice, Initial: string(decision), Options: []Option{
				{string(DecisionDone), "Done"}, {string(DecisionCarry), "Carry over"}, {string(DecisionDrop), "Drop"},
			}},
			Field{ID: id + "_learned", Label: "What you learned", Kind: FieldText, Initial: learned, Optional: true, MaxLen: MaxAnswerLen})
	}
	f.Fields = append(f.Fields,
		Field{ID: "win", Label: reviewQuestions[0], Kind: FieldLongText, Initial: rv.Win, MaxLen: MaxAnswerLen},
		Field{ID: "change", Label: reviewQuestions[1], Kind: FieldLongText, Initial: rv.Change, MaxLen: MaxAnswerLen},
	)
	return f
}

// answerReview records one plain reply to the review's next question.
func (b *Bot) answerReview(ctx context.Context, r *request, e *Engagement, rv *Review, text string) ([]Message, error) {
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	if err := b.checkLen("the review", text); err != nil {
		return nil, err
	}
	rock, q, _ := nextReview(rv, rocks)
	switch {
	case rock != nil:
		d, learned, err := parseDecision(text)
		if err != nil {
			return nil, err
		}
		rv.Rocks = append(rv.Rocks, RockReview{RockID: rock.ID, Decision: d, Learned: learned})
	case q == 0:
		rv.Win = text
	default:
		rv.Change = text
	}
	rv.UpdatedAt = r.now
	if _, _, done := nextReview(rv, rocks); done {
		rv.Status, rv.SubmittedAt = AnswerComplete, r.now
	}
	if err := b.store.SaveReview(ctx, rv, r.me.ID); err != nil {
		return nil, fmt.Errorf("save review: %w", err)
	}
	after := b.rocksAfterSave(ctx, e, rocks)
	b.emitRockChanges(ctx, e, r.me, rocks, after)
	rocks = after
	if rv.Status == AnswerOpen {
		return []Message{{Text: reviewQuestion(rv, rocks)}}, nil
	}
	b.endConversation(ctx, r, target{kindReview, e.ID, e.CycleN(rv.Cycle).Start})
	return []Message{{Text: b.reviewSaved(e, rv, rocks, r.today(), false)}}, nil
}

// reviewSaved is the reply to a finished review: what was decided, and
// what comes next.
func (b *Bot) reviewSaved(e *Engagement, rv *Review, rocks []*Rock, today Date, edit bool) string {
	next := e.CycleN(rv.Cycle + 1)
	var sb strings.Builder
	if edit {
		fmt.Fprintf(&sb, "Updated your review of cycle %d.\n", rv.Cycle)
	} else {
		fmt.Fprintf(&sb, "Review saved — your coach will see it in the digest and the brief.\n")
	}
	sb.WriteString(reviewSummary(rv, rocks) + "\n\n")
	n := countLive(rocks)
	verb := "starts"
	if !today.Before(next.Start) {
		verb = "started"
	}
	fmt.Fprintf(&sb, "Cycle %d %s on %s with %s carried over. ", next.N, verb, next.Start, plural(n, "rock"))
	if n < 3 {
		fmt.Fprintf(&sb, "Set the new quarter's rocks now: `rocks add <title> | <done when>` (3 to %d in all).", MaxRocks)
	} else {
		sb.WriteString("Add or change rocks for the new quarter with `rocks`.")
	}
	return sb.String()
}

// submitReview handles the review form.
func (b *Bot) submitReview(ctx context.Context, r *request) ([]Message, error) {
	t, e, err := b.ownTarget(ctx, r, r.ev.Value, kindReview)
	if err != nil {
		return nil, err
	}
	c := e.CycleOn(t.day)
	rv, err := b.loadReview(ctx, e, c.N)
	if err != nil {
		return nil, err
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	v := r.ev.Values
	var lines []RockReview
	for _, rock := range reviewRocks(rocks, rv) {
		id := "rock_" + strconv.FormatInt(rock.ID, 10)
		d := RockDecision(strings.TrimSpace(v[id+"_decision"]))
		if d != DecisionDone && d != DecisionCarry && d != DecisionDrop {
			return nil, Errorf(EINVALID, "Rock %d: choose done, carry over or drop. Nothing was saved.", rock.Position)
		}
		learned := strings.TrimSpace(v[id+"_learned"])
		if err := b.checkLen(fmt.Sprintf("rock %d", rock.Position), learned); err != nil {
			return nil, err
		}
		lines = append(lines, RockReview{RockID: rock.ID, Decision: d, Learned: learned})
	}
	win, change := strings.TrimSpace(v["win"]), strings.TrimSpace(v["change"])
	if win == "" || change == "" {
		return nil, Errorf(EINVALID, "Please name the quarter's biggest win and one thing you'll change. Nothing was saved.")
	}
	for i, s := range []string{win, change} {
		if err := b.checkLen(reviewQuestions[i], s); err != nil {
			return nil, err
		}
	}
	edit := rv.Status == AnswerComplete
	rv.Rocks, rv.Win, rv.Change = lines, win, change
	rv.Status, rv.UpdatedAt = AnswerComplete, r.now
	if rv.SubmittedAt.IsZero() {
		rv.SubmittedAt = r.now
	}
	if err := b.store.SaveReview(ctx, rv, r.me.ID); err != nil {
		return nil, fmt.Errorf("save review: %w", err)
	}
	b.endConversation(ctx, r, t)
	after := b.rocksAfterSave(ctx, e, rocks)
	b.emitRockChanges(ctx, e, r.me, rocks, after)
	rocks = after
	return []Message{{Text: b.reviewSaved(e, rv, rocks, r.today(), edit), Ephemeral: true}}, nil
}

// reviewSummary shows a review's answers.
func reviewSummary(rv *Review, rocks []*Rock) string {
	var sb strings.Builder
	for _, l := range rv.Rocks {
		if t := rockTitle(rocks, l.RockID); t != "" {
			fmt.Fprintf(&sb, "• %s: %s", capitalize(t), l.Decision.label())
			if l.Learned != "" {
				sb.WriteString(" — learned: " + l.Learned)
			}
			sb.WriteString("\n")
		}
	}
	fmt.Fprintf(&sb, "• Biggest win: %s\n• To change: %s", rv.Win, rv.Change)
	return sb.String()
}

// cycleBanner opens the first check-in of a new cycle (cycle 2 on): the
// quarter has turned, what carried over, and the ask to set the new
// quarter's rocks; an unanswered review of the cycle just ended is
// offered once more.
func (b *Bot) cycleBanner(ctx context.Context, e *Engagement, day Date, rocks []*Rock) string {
	c := e.CycleOn(day)
	if c.N < 2 {
		return ""
	}
	for d := c.Start; d.Before(day); d = d.AddDays(1) {
		if e.Workdays.Has(d.Weekday()) && !e.PausedOn(d) {
			return "" // not the cycle's first check-in
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Cycle %d starts* — %s to %s. ", c.N, c.Start, c.End())
	var live []*Rock
	for _, r := range rocks {
		if r.Status.Live() {
			live = append(live, r)
		}
	}
	if len(live) > 0 {
		var nums []string
		for _, r := range live {
			nums = append(nums, strconv.Itoa(r.Position))
		}
		fmt.Fprintf(&sb, "Carried over from cycle %d: rocks %s (below), due by %s unless you move them. ", c.N-1, strings.Join(nums, ", "), c.End())
	}
	if len(live) < 3 {
		fmt.Fprintf(&sb, "Set this quarter's rocks: `rocks add <title> | <done when>` (3 to %d in all).", MaxRocks)
	} else {
		sb.WriteString("Add or change this quarter's rocks with `rocks`.")
	}
	if rv, err := b.store.Review(ctx, e.ID, c.N-1); ErrorCode(err) == ENOTFOUND || err == nil && rv.Status == AnswerOpen {
		fmt.Fprintf(&sb, "\nYour review of cycle %d is still open: type `review` for it (five minutes) — until %s.", c.N-1, e.CycleN(c.N-1).reviewUntil())
	}
	return sb.String()
}

// finished keeps the finished reviews.
func finished(all []*Review) []*Review {
	var out []*Review
	for _, rv := range all {
		if rv.Status == AnswerComplete {
			out = append(out, rv)
		}
	}
	return out
}

// reviewDigest is what a client's digest thread says of the quarter in
// the week starting at week: a review finished that week, one still owed,
// and a new cycle that started. replaces is true when the week's prompt
// was the review, so no weekly report was asked; reviewed when a review
// was finished in the week.
func reviewDigest(e *Engagement, in *insight, week Date) (text string, replaces, reviewed bool) {
	reviews := finished(in.reviews)
	var sb strings.Builder
	rc, replaces := e.reviewWeek(week)
	done := false
	for _, rv := range reviews {
		if sub := DateOf(rv.SubmittedAt.In(in.loc)); !sub.Before(week) && sub.Before(week.AddDays(7)) {
			fmt.Fprintf(&sb, "*Quarterly review · cycle %d*\n%s\n", rv.Cycle, reviewSummary(rv, in.rocks))
			reviewed = true
		}
		done = done || rv.Cycle == rc.N
	}
	asOf := DateOf(in.asOf.In(in.loc))
	if replaces && !done && !asOf.Before(rc.ReviewDay(e.WeeklyWeekday)) {
		fmt.Fprintf(&sb, "_Quarterly review of cycle %d not answered yet (it stays open until %s)._\n", rc.N, rc.reviewUntil())
	}
	if c := e.CycleOn(week.AddDays(6)); c.N > 1 && !c.Start.Before(week) && !c.Start.After(asOf) {
		fmt.Fprintf(&sb, "*Cycle %d started %s* with %s carried over.\n", c.N, c.Start, plural(countLive(in.rocks), "rock"))
	}
	return sb.String(), replaces, reviewed
}

// reviewBrief is what a brief says of the quarterly reviews: those
// finished since the brief's start, or the last one early in a cycle.
func reviewBrief(in *insight, since time.Time, today Date) string {
	reviews, e := finished(in.reviews), in.e
	var sb strings.Builder
	c := e.CycleOn(today)
	for i, rv := range reviews {
		last := i == len(reviews)-1
		if !rv.SubmittedAt.Before(since) || last && rv.Cycle == c.N-1 && today.Sub(c.Start) < 21 {
			fmt.Fprintf(&sb, "*Quarterly review · cycle %d*\n%s\n", rv.Cycle, reviewSummary(rv, in.rocks))
		}
	}
	return sb.String()
}

// carryOver moves the due date of the rocks carried into cycle c from an
// earlier one — still live, due before c started — to c's last day: a
// rock carried over is a priority of this quarter, never overdue on its
// first day. It runs wherever a client's rocks are shown in a new cycle,
// so that nothing has to run at the rollover; a failed update is logged
// and leaves the rock as it was, for the next time.
func (b *Bot) carryOver(ctx context.Context, e *Engagement, c Cycle, rocks []*Rock, by int64, now time.Time) {
	if c.N < 2 {
		return
	}
	for _, r := range rocks {
		if !r.Status.Live() || !r.Due.Before(c.Start) {
			continue
		}
		moved := *r
		moved.Due, moved.UpdatedAt = c.End(), now
		if err := b.store.UpdateRock(ctx, &moved, by, fmt.Sprintf("carried over into cycle %d", c.N)); err != nil {
			b.log.WarnContext(ctx, "carry a rock over", "engagement", e.ID, "rock", r.ID, "err", err)
			continue
		}
		*r = moved
	}
}
