package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The weekly report's closing questions, after one question per rock and
// one per measurable of the scorecard.
var weeklyQuestions = []string{
	"Biggest win this week?",
	"What got stuck?",
	"What do you want to bring to your coach?",
}

// weeklyRocks returns the rocks a week's report asks about: those still
// open, plus any the report already answered.
func weeklyRocks(rocks []*Rock, w *WeeklyReport) []*Rock {
	var out []*Rock
	for _, r := range rocks {
		if r.Status == RockOnTrack || r.Status == RockOffTrack || updateFor(w, r.ID) != nil {
			out = append(out, r)
		}
	}
	return out
}

func updateFor(w *WeeklyReport, rockID int64) *RockUpdate {
	for i := range w.Rocks {
		if w.Rocks[i].RockID == rockID {
			return &w.Rocks[i]
		}
	}
	return nil
}

// nextWeekly returns the next question: a rock (non-nil), a measurable
// of the scorecard (non-nil), or the index of a closing question; done is
// true when everything is answered.
func nextWeekly(w *WeeklyReport, rocks []*Rock, sc *weekScores) (rock *Rock, m *Measurable, q int, done bool) {
	if w.Status != AnswerOpen {
		return nil, nil, 0, true
	}
	for _, r := range weeklyRocks(rocks, w) {
		if updateFor(w, r.ID) == nil {
			return r, nil, 0, false
		}
	}
	if m := sc.next(); m != nil {
		return nil, m, 0, false
	}
	switch {
	case w.Win == "":
		return nil, nil, 0, false
	case w.Stuck == "":
		return nil, nil, 1, false
	case w.Ask == "":
		return nil, nil, 2, false
	}
	return nil, nil, 0, true
}

// weeklyQuestion renders the next question, numbered.
func weeklyQuestion(w *WeeklyReport, rocks []*Rock, sc *weekScores) string {
	rock, m, q, done := nextWeekly(w, rocks, sc)
	if done {
		return ""
	}
	asked := weeklyRocks(rocks, w)
	total := len(asked) + sc.count() + len(weeklyQuestions)
	if rock != nil {
		n := 1
		for i, r := range asked {
			if r.ID == rock.ID {
				n = i + 1
			}
		}
		return fmt.Sprintf("*%d/%d* Rock %d, *%s* (now %s, %d%%): status, progress and one line — e.g. `on track 60 signed two pilots`.",
			n, total, rock.Position, rock.Title, rock.Status.Label(), rock.Progress)
	}
	if m != nil {
		return fmt.Sprintf("*%d/%d* %s", len(asked)+sc.index(m)+1, total, sc.question(m))
	}
	return fmt.Sprintf("*%d/%d* %s", len(asked)+sc.count()+q+1, total, weeklyQuestions[q])
}

func (b *Bot) loadWeekly(ctx context.Context, e *Engagement, week Date) (*WeeklyReport, error) {
	w, err := b.store.WeeklyReport(ctx, e.ID, week)
	if ErrorCode(err) == ENOTFOUND {
		return &WeeklyReport{EngagementID: e.ID, Week: week, Status: AnswerOpen}, nil
	} else if err != nil {
		return nil, fmt.Errorf("load weekly report: %w", err)
	}
	return w, nil
}

// cmdWeekly starts (or shows, for editing) this week's report.
func (b *Bot) cmdWeekly(ctx context.Context, r *request, value string) ([]Message, error) {
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	week, err := b.weeklyWeek(ctx, r, e, value)
	if err != nil {
		return nil, err
	}
	if c, ok := e.reviewWeek(week); ok {
		// The cycle's last week has the quarterly review for its report.
		return b.openReview(ctx, r, e, c)
	}
	w, err := b.loadWeekly(ctx, e, week)
	if err != nil {
		return nil, err
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	sc, err := b.loadWeekScores(ctx, e, week)
	if err != nil {
		return nil, err
	}
	if w.Status != AnswerOpen {
		which := "this week's"
		if week != r.today().WeekStart() {
			which = "the report for the week of " + week.String() + ","
		}
		m := Message{Text: "You already wrote " + which + " report:\n" + weeklySummary(w, rocks) + sc.summary() + "\nChange anything with the form.", Form: weeklyForm(e, w, rocks, sc), Ephemeral: true}
		m.Buttons = []Button{{ActionID: ActionAnswerWeekly, Label: "Edit", Value: target{DeliveryWeekly, e.ID, week}.String(), OpensForm: true}}
		return []Message{m}, nil
	}
	if err := b.state.Set(ctx, convKey(r.me), target{DeliveryWeekly, e.ID, w.Week}.String(), b.convTT); err != nil {
		return nil, fmt.Errorf("start weekly report: %w", err)
	}
	return []Message{b.weeklyPrompt(e, w, rocks, sc, zoneOf(r.me), r.me.DaysOff())}, nil
}

// weeklyWeek is the week `weekly` (or a report's Answer or Edit button,
// whose value names its week) opens: the button's week; last week's while
// its report is still open or on Monday before noon (people write Friday's
// report over the weekend or first thing on Monday); else this week's.
func (b *Bot) weeklyWeek(ctx context.Context, r *request, e *Engagement, value string) (Date, error) {
	this := r.today().WeekStart()
	if t, ok := parseTarget(value); ok && t.kind == DeliveryWeekly && t.eng == e.ID {
		if err := answerable(t, e, r.today(), zoneOf(r.me), r.me.DaysOff()); err != nil {
			return Date{}, err
		}
		return t.day, nil
	}
	last := this.AddDays(-7)
	if last.Before(e.Start.WeekStart()) {
		return this, nil
	}
	if r.local().Weekday() == time.Monday && r.local().Hour() < 12 {
		return last, nil
	}
	latest, err := b.latestPeriod(ctx, r.me, DeliveryWeekly)
	if err != nil || latest != last {
		return this, err
	}
	w, err := b.loadWeekly(ctx, e, last)
	if err != nil {
		return Date{}, err
	}
	if w.Status == AnswerOpen {
		return last, nil
	}
	return this, nil
}

// weeklyPrompt is the weekly accountability message; off is the client's
// public holidays, which move the report's day (and so its cycle day).
func (b *Bot) weeklyPrompt(e *Engagement, w *WeeklyReport, rocks []*Rock, sc *weekScores, loc *time.Location, off DaysOff) Message {
	day, _, _ := e.WeeklyOn(w.Week, off)
	text := fmt.Sprintf("*Weekly accountability* · week of %s (%s)\nYour rocks:\n%s\n\nReply here, one message per question, or answer them all at once in the form.\n%s",
		w.Week, e.CycleOn(day).Label(day), rockList(promptRocks(rocks, e.CycleOn(day), loc)), weeklyQuestion(w, rocks, sc))
	return Message{
		Text:    text,
		Form:    weeklyForm(e, w, rocks, sc),
		Buttons: []Button{{ActionID: ActionAnswerWeekly, Label: "Answer", Value: target{DeliveryWeekly, e.ID, w.Week}.String(), Style: StylePrimary, OpensForm: true}},
	}
}

// weeklyForm is the whole report as one form, pre-filled for editing.
func weeklyForm(e *Engagement, w *WeeklyReport, rocks []*Rock, sc *weekScores) *Form {
	f := &Form{FormID: FormWeekly, Value: target{DeliveryWeekly, e.ID, w.Week}.String(), Title: "Weekly report", SubmitLabel: "Save"}
	for _, r := range weeklyRocks(rocks, w) {
		st, prog, note := r.Status, r.Progress, ""
		if u := updateFor(w, r.ID); u != nil {
			st, prog, note = u.Status, u.Progress, u.Note
		}
		id := "rock_" + strconv.FormatInt(r.ID, 10)
		sf, pf := statusField(st), progressField(prog)
		sf.ID, sf.Label = id+"_status", fmt.Sprintf("%d. %s — status", r.Position, r.Title)
		pf.ID = id + "_progress"
		f.Fields = append(f.Fields, sf, pf, Field{ID: id + "_note", Label: "One line on it", Kind: FieldText, Initial: note, Optional: true, MaxLen: 2000})
	}
	if sc != nil {
		f.Fields = append(f.Fields, sc.fields()...)
	}
	f.Fields = append(f.Fields,
		Field{ID: "win", Label: weeklyQuestions[0], Kind: FieldLongText, Initial: w.Win, MaxLen: 2000},
		Field{ID: "stuck", Label: weeklyQuestions[1], Kind: FieldLongText, Initial: w.Stuck, Optional: true, MaxLen: 2000},
		Field{ID: "ask", Label: weeklyQuestions[2], Kind: FieldLongText, Initial: w.Ask, Optional: true, MaxLen: 2000},
	)
	return f
}

// answerWeekly records one plain reply to the report's next question.
func (b *Bot) answerWeekly(ctx context.Context, r *request, e *Engagement, w *WeeklyReport, text string) ([]Message, error) {
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	if err := b.checkLen("the weekly report", text); err != nil {
		return nil, err
	}
	sc, err := b.loadWeekScores(ctx, e, w.Week)
	if err != nil {
		return nil, err
	}
	rock, m, q, _ := nextWeekly(w, rocks, sc)
	if m != nil {
		// A measurable's value is the scorecard's, not the report's: the
		// report itself is stored with its next answer.
		if err := b.answerMeasurable(ctx, r, e, sc, m, text); err != nil {
			return nil, err
		}
		if _, _, _, done := nextWeekly(w, rocks, sc); !done {
			return []Message{{Text: weeklyQuestion(w, rocks, sc)}}, nil
		}
	}
	switch {
	case m != nil:
	case rock != nil:
		u, err := parseRockUpdate(text, rock)
		if err != nil {
			return nil, Errorf(EINVALID, "%s Try e.g. `on track 60 signed two pilots`.", ErrorMessage(err))
		}
		w.Rocks = append(w.Rocks, u)
	case q == 0:
		w.Win = text
	case q == 1:
		w.Stuck = text
	default:
		w.Ask = text
	}
	w.UpdatedAt = r.now
	if _, _, _, done := nextWeekly(w, rocks, sc); done {
		w.Status, w.SubmittedAt = AnswerComplete, r.now
	}
	if err := b.store.SaveWeeklyReport(ctx, w, r.me.ID); err != nil {
		return nil, fmt.Errorf("save weekly report: %w", err)
	}
	after := b.rocksAfterSave(ctx, e, rocks)
	b.emitRockChanges(ctx, e, r.me, rocks, after)
	rocks = after
	if w.Status == AnswerOpen {
		return []Message{{Text: weeklyQuestion(w, rocks, sc)}}, nil
	}
	b.emitWeekly(ctx, e, r.me, w)
	b.endConversation(ctx, r, target{DeliveryWeekly, e.ID, w.Week})
	return []Message{{Text: "Report saved — your coach will see it in the digest. Have a good weekend!\n" + weeklySummary(w, rocks) + sc.summary()}}, nil
}

// submitWeekly handles the weekly form.
func (b *Bot) submitWeekly(ctx context.Context, r *request) ([]Message, error) {
	t, e, err := b.ownTarget(ctx, r, r.ev.Value, DeliveryWeekly)
	if err != nil {
		return nil, err
	}
	w, err := b.loadWeekly(ctx, e, t.day)
	if err != nil {
		return nil, err
	}
	if err := b.stillOpen(ctx, r, t, w.Status == AnswerComplete); err != nil {
		return nil, err
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	sc, err := b.loadWeekScores(ctx, e, t.day)
	if err != nil {
		return nil, err
	}
	v := r.ev.Values
	var updates []RockUpdate
	for _, rock := range weeklyRocks(rocks, w) {
		id := "rock_" + strconv.FormatInt(rock.ID, 10)
		st, err := ParseRockStatus(v[id+"_status"])
		if err != nil {
			return nil, Errorf(EINVALID, "Rock %d: %s Nothing was saved.", rock.Position, ErrorMessage(err))
		}
		prog, ok := parsePercent(strings.TrimSpace(v[id+"_progress"]))
		if !ok {
			return nil, Errorf(EINVALID, "Rock %d: progress is a percentage from 0 to 100. Nothing was saved.", rock.Position)
		}
		note := strings.TrimSpace(v[id+"_note"])
		if err := b.checkLen(fmt.Sprintf("rock %d", rock.Position), note); err != nil {
			return nil, err
		}
		updates = append(updates, RockUpdate{RockID: rock.ID, Status: st, Progress: prog, Note: note})
	}
	win, stuck, ask := strings.TrimSpace(v["win"]), strings.TrimSpace(v["stuck"]), strings.TrimSpace(v["ask"])
	if win == "" {
		return nil, Errorf(EINVALID, "Please name your biggest win — even a small one. Nothing was saved.")
	}
	for i, s := range []string{win, stuck, ask} {
		if err := b.checkLen(weeklyQuestions[i], s); err != nil {
			return nil, err
		}
	}
	scores, err := sc.formValues(v, r.now)
	if err != nil {
		return nil, err
	}
	if sc.count() > 0 {
		// Checked whole above, so a refused form stores nothing.
		if err := b.store.SaveMeasurableValues(ctx, e.ID, t.day, scores); err != nil {
			return nil, fmt.Errorf("save scorecard values: %w", err)
		}
		sc.vals = scores
	}
	edit := w.Status == AnswerComplete
	w.Rocks, w.Win, w.Stuck, w.Ask = updates, win, stuck, ask
	w.Status, w.UpdatedAt = AnswerComplete, r.now
	if w.SubmittedAt.IsZero() {
		w.SubmittedAt = r.now
	}
	if err := b.store.SaveWeeklyReport(ctx, w, r.me.ID); err != nil {
		return nil, fmt.Errorf("save weekly report: %w", err)
	}
	b.endConversation(ctx, r, t)
	after := b.rocksAfterSave(ctx, e, rocks)
	b.emitRockChanges(ctx, e, r.me, rocks, after)
	b.emitWeekly(ctx, e, r.me, w)
	rocks = after
	verb := "Report saved — your coach will see it in the digest."
	if edit {
		verb = "Updated your weekly report."
	}
	return []Message{{Text: verb + "\n" + weeklySummary(w, rocks) + sc.summary(), Ephemeral: true}}, nil
}

// rocksAfterSave reads the rocks again after a saved report applied its
// updates to them; if that read fails it keeps the rocks read before. The
// report is stored by then: an error now would tell the platform to
// deliver the answer again, and the retry would apply it to the next
// question.
func (b *Bot) rocksAfterSave(ctx context.Context, e *Engagement, before []*Rock) []*Rock {
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		b.log.WarnContext(ctx, "reload rocks after a saved weekly report; showing them as they were", "engagement", e.ID, "err", err)
		return before
	}
	return rocks
}

// weeklySummary shows a report's answers.
func weeklySummary(w *WeeklyReport, rocks []*Rock) string {
	var sb strings.Builder
	for _, u := range w.Rocks {
		if t := rockTitle(rocks, u.RockID); t != "" {
			fmt.Fprintf(&sb, "• %s: %s, %d%%", capitalize(t), u.Status.Label(), u.Progress)
			if u.Note != "" {
				sb.WriteString(" — " + u.Note)
			}
			sb.WriteString("\n")
		}
	}
	fmt.Fprintf(&sb, "• Win: %s\n• Stuck: %s\n• For your coach: %s", w.Win, orNothing(w.Stuck), orNothing(w.Ask))
	return sb.String()
}
