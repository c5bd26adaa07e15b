// This file holds the scorecard as the weekly report asks for it: the
// week's measurables one question at a time in a chat, or as fields of the
// weekly form, with the skips a plain reply may make.

package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// weekScores is a week's scorecard as the weekly report asks for it.
type weekScores struct {
	week  Date
	asked []*Measurable // the live measurables and any with a value this week, by Position
	vals  []MeasurableValue
	// skipped are the measurables passed over in plain replies ("skip")
	// this week: nothing is stored for them, so the conversation state
	// remembers them for as long as a conversation lasts.
	skipped []int64
}

// scoreSkipKey is the conversation-state key of a week's skipped measurables.
func scoreSkipKey(e *Engagement, week Date) string {
	return fmt.Sprintf("scoreskip:%d:%s", e.ID, week)
}

// loadWeekScores reads e's scorecard of week, and the measurables the
// person skipped in plain replies.
func (b *Bot) loadWeekScores(ctx context.Context, e *Engagement, week Date) (*weekScores, error) {
	ms, err := b.store.Measurables(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load measurables: %w", err)
	}
	s := &weekScores{week: week}
	if len(ms) == 0 {
		return s, nil
	}
	if s.vals, err = b.store.MeasurableValues(ctx, e.ID, week, week); err != nil {
		return nil, fmt.Errorf("load scorecard values: %w", err)
	}
	for _, m := range ms {
		if _, ok := weekValue(s.vals, m.ID, week); ok || m.Live() {
			s.asked = append(s.asked, m)
		}
	}
	if len(s.asked) > 0 {
		skipped, err := b.state.Get(ctx, scoreSkipKey(e, week))
		if err != nil {
			b.log.WarnContext(ctx, "load skipped measurables; asking for them again", "engagement", e.ID, "err", err)
		}
		for _, f := range strings.Split(skipped, ",") {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				s.skipped = append(s.skipped, id)
			}
		}
	}
	return s, nil
}

// next returns the next measurable to ask for: the first with neither a
// value nor a skip; nil when none is left.
func (s *weekScores) next() *Measurable {
	if s == nil {
		return nil
	}
	for _, m := range s.asked {
		if _, ok := weekValue(s.vals, m.ID, s.week); !ok && !slices.Contains(s.skipped, m.ID) {
			return m
		}
	}
	return nil
}

// count is how many measurables the report asks for.
func (s *weekScores) count() int {
	if s == nil {
		return 0
	}
	return len(s.asked)
}

// index is m's 0-based place among the measurables asked.
func (s *weekScores) index(m *Measurable) int {
	return max(slices.IndexFunc(s.asked, func(x *Measurable) bool { return x.ID == m.ID }), 0)
}

// question asks for m's value.
func (s *weekScores) question(m *Measurable) string {
	return fmt.Sprintf("Scorecard: *%s* this week (goal %s)? Reply with the number, e.g. `17`, or `skip`.", m.Name, measurableGoal(m))
}

// summary shows the week's values, one bullet each, after a saved report.
func (s *weekScores) summary() string {
	if s.count() == 0 {
		return ""
	}
	var sb strings.Builder
	for _, m := range s.asked {
		fmt.Fprintf(&sb, "\n• %s: %s (goal %s)", capitalize(m.Name), shownScore(m, s.vals, s.week), measurableGoal(m))
	}
	return sb.String()
}

// measurableField is the weekly form's field of measurable m.
func measurableField(m *Measurable) string { return "measurable_" + strconv.FormatInt(m.ID, 10) }

// fields are the weekly form's fields: one per measurable, pre-filled
// with the week's value. A text field, because the platforms' number
// inputs take whole numbers only.
func (s *weekScores) fields() []Field {
	var out []Field
	for _, m := range s.asked {
		f := Field{ID: measurableField(m), Label: fmt.Sprintf("%s (goal %s)", m.Name, measurableGoal(m)), Kind: FieldText,
			Hint: "A number, e.g. 17", Optional: true, MaxLen: 32}
		if v, ok := weekValue(s.vals, m.ID, s.week); ok {
			f.Initial = FormatScore(v)
		}
		out = append(out, f)
	}
	return out
}

// formValues reads the weekly form's values: an empty field records no
// value. Every field is read before anything is stored; a bad one is an
// error naming it.
func (s *weekScores) formValues(v map[string]string, now time.Time) ([]MeasurableValue, error) {
	var out []MeasurableValue
	for _, m := range s.asked {
		text := strings.TrimSpace(v[measurableField(m)])
		if text == "" {
			continue
		}
		n, err := parseScore(text)
		if err != nil {
			return nil, Errorf(EINVALID, "%s: %s Nothing was saved.", capitalize(m.Name), ErrorMessage(err))
		}
		out = append(out, MeasurableValue{MeasurableID: m.ID, Value: n, UpdatedAt: now})
	}
	return out, nil
}

// scoreSkipWords pass over a measurable in a plain reply.
var scoreSkipWords = map[string]bool{"skip": true, "-": true, "—": true, "n/a": true, "na": true, "pass": true}

// answerMeasurable records a plain reply to the weekly report's question
// on m: its value, or a skip.
func (b *Bot) answerMeasurable(ctx context.Context, r *request, e *Engagement, s *weekScores, m *Measurable, text string) error {
	if scoreSkipWords[strings.ToLower(strings.TrimSpace(text))] {
		s.skipped = append(s.skipped, m.ID)
		ids := make([]string, len(s.skipped))
		for i, id := range s.skipped {
			ids[i] = strconv.FormatInt(id, 10)
		}
		if err := b.state.Set(ctx, scoreSkipKey(e, s.week), strings.Join(ids, ","), b.convTT); err != nil {
			return fmt.Errorf("skip measurable: %w", err)
		}
		return nil
	}
	v, err := parseScore(text)
	if err != nil {
		return Errorf(EINVALID, "%s Reply with the number for *%s*, e.g. `17`, or `skip`.", ErrorMessage(err), m.Name)
	}
	if err := b.saveValue(ctx, e, s.week, m.ID, v, r.now); err != nil {
		return err
	}
	s.vals = append(s.vals, MeasurableValue{MeasurableID: m.ID, Week: s.week, Value: v, UpdatedAt: r.now})
	return nil
}
