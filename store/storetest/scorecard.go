package storetest

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// newMeasurable stores a live "at least" measurable created at created.
func newMeasurable(t testing.TB, s bot.Store, engagementID int64, name string, goal float64, created time.Time) *bot.Measurable {
	t.Helper()
	m := &bot.Measurable{EngagementID: engagementID, Name: name, Goal: goal, Direction: bot.AtLeast, Unit: "/ week", CreatedAt: created}
	if err := s.CreateMeasurable(t.Context(), m); err != nil {
		t.Fatalf("create measurable %q: %v", name, err)
	}
	return m
}

// measurables returns an engagement's measurables, failing on an error.
func measurables(t testing.TB, s bot.Store, engagementID int64) []*bot.Measurable {
	t.Helper()
	ms, err := s.Measurables(t.Context(), engagementID)
	must(t, "Measurables", err)
	return ms
}

// values returns an engagement's values of weeks from..to, failing on an error.
func values(t testing.TB, s bot.Store, engagementID int64, from, to bot.Date) []bot.MeasurableValue {
	t.Helper()
	vs, err := s.MeasurableValues(t.Context(), engagementID, from, to)
	must(t, "MeasurableValues", err)
	return vs
}

func testCreateMeasurable(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, other := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	newMeasurable(t, s, other.ID, "someone else's", 1, at(0))

	calls := &bot.Measurable{EngagementID: f.Eng.ID, Name: "Sales calls", Goal: 15, Direction: bot.AtLeast, Unit: "/ week", CreatedAt: at(0)}
	must(t, "CreateMeasurable", s.CreateMeasurable(ctx, calls))
	churn := &bot.Measurable{EngagementID: f.Eng.ID, Name: "Churn", Goal: 2.5, Direction: bot.AtMost, Unit: "%",
		CreatedAt: at(time.Minute), UpdatedAt: at(time.Hour)}
	must(t, "CreateMeasurable", s.CreateMeasurable(ctx, churn))

	want := []*bot.Measurable{
		{ID: calls.ID, EngagementID: f.Eng.ID, Position: 1, Name: "Sales calls", Goal: 15, Direction: bot.AtLeast, Unit: "/ week",
			CreatedAt: at(0), UpdatedAt: at(0)},
		{ID: churn.ID, EngagementID: f.Eng.ID, Position: 2, Name: "Churn", Goal: 2.5, Direction: bot.AtMost, Unit: "%",
			CreatedAt: at(time.Minute), UpdatedAt: at(time.Hour)},
	}
	if calls.ID == 0 || churn.ID == 0 || calls.ID == churn.ID {
		t.Errorf("IDs %d and %d, want two new non-zero IDs", calls.ID, churn.ID)
	}
	same(t, "the created measurables", []*bot.Measurable{calls, churn}, want)
	same(t, "Measurables", measurables(t, s, f.Eng.ID), want)

	// Positions are per engagement, and a removed measurable keeps its own.
	churn.RemovedAt, churn.UpdatedAt = at(2*time.Hour), at(2*time.Hour)
	must(t, "UpdateMeasurable", s.UpdateMeasurable(ctx, churn))
	next := newMeasurable(t, s, f.Eng.ID, "Demos", 3, at(3*time.Hour))
	if next.Position != 3 {
		t.Errorf("a measurable after a removed one has Position %d, want 3 (positions are never reused)", next.Position)
	}

	err := s.CreateMeasurable(ctx, &bot.Measurable{EngagementID: missingID, Name: "x", Goal: 1, Direction: bot.AtLeast, CreatedAt: at(0)})
	wantCode(t, "CreateMeasurable in a missing engagement", err, bot.ENOTFOUND)
	wantNone(t, "Measurables of a missing engagement", measurables(t, s, missingID), nil)
}

func testUpdateMeasurable(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	m := newMeasurable(t, s, f.Eng.ID, "Sales calls", 15, at(0))
	keep := newMeasurable(t, s, f.Eng.ID, "Demos", 3, at(0))

	upd := *m
	upd.Name, upd.Goal, upd.Direction, upd.Unit, upd.UpdatedAt = "Calls booked", 12.75, bot.AtMost, "", at(time.Hour)
	upd.Position, upd.CreatedAt = 99, at(-time.Hour) // not stored
	must(t, "UpdateMeasurable", s.UpdateMeasurable(ctx, &upd))
	want := *m
	want.Name, want.Goal, want.Direction, want.Unit, want.UpdatedAt = "Calls booked", 12.75, bot.AtMost, "", at(time.Hour)
	same(t, "the updated measurable", &upd, &want)
	same(t, "Measurables after an update", measurables(t, s, f.Eng.ID), []*bot.Measurable{&want, keep})

	// Removing and restoring.
	want.RemovedAt, want.UpdatedAt = at(2*time.Hour), at(2*time.Hour)
	removed := want
	must(t, "remove", s.UpdateMeasurable(ctx, &removed))
	same(t, "a removed measurable", &removed, &want)
	if removed.Live() {
		t.Errorf("a measurable with RemovedAt set is Live")
	}
	restored := removed
	restored.RemovedAt, restored.UpdatedAt = time.Time{}, at(3*time.Hour)
	must(t, "restore", s.UpdateMeasurable(ctx, &restored))
	want.RemovedAt, want.UpdatedAt = time.Time{}, at(3*time.Hour)
	same(t, "Measurables after removing and restoring", measurables(t, s, f.Eng.ID), []*bot.Measurable{&want, keep})

	gone := *m
	gone.ID = missingID
	wantCode(t, "UpdateMeasurable of a missing measurable", s.UpdateMeasurable(ctx, &gone), bot.ENOTFOUND)
	gone.RemovedAt = at(0)
	wantCode(t, "UpdateMeasurable removing a missing measurable", s.UpdateMeasurable(ctx, &gone), bot.ENOTFOUND)
}

// testMeasurableLimitConcurrent: however many callers add measurables at
// once, at most MaxMeasurables are live, numbered 1 to MaxMeasurables.
func testMeasurableLimitConcurrent(t *testing.T, s bot.Store) {
	f := seed(t, s)
	const n = 30
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			m := &bot.Measurable{EngagementID: f.Eng.ID, Name: fmt.Sprintf("m%d", i), Goal: 1, Direction: bot.AtLeast, CreatedAt: at(time.Duration(i) * time.Second)}
			errs[i] = s.CreateMeasurable(t.Context(), m)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch bot.ErrorCode(err) {
		case "":
			ok++
		case bot.ECONFLICT:
		default:
			t.Errorf("CreateMeasurable %d: %v, want nil or ECONFLICT", i, err)
		}
	}
	if ok != bot.MaxMeasurables {
		t.Errorf("%d concurrent CreateMeasurable calls: %d succeeded, want exactly %d", n, ok, bot.MaxMeasurables)
	}
	ms := measurables(t, s, f.Eng.ID)
	if len(ms) != bot.MaxMeasurables {
		t.Fatalf("Measurables: %d stored, want %d", len(ms), bot.MaxMeasurables)
	}
	for i, m := range ms {
		if m.Position != i+1 {
			t.Errorf("measurable %d has Position %d, want %d", i, m.Position, i+1)
		}
	}
}

// testMeasurableLimits: removed measurables do not count towards
// MaxMeasurables, restoring one counts like adding it, and an engagement
// keeps at most MaxMeasurablesKept in all.
func testMeasurableLimits(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	var ms []*bot.Measurable
	for i := range bot.MaxMeasurables {
		ms = append(ms, newMeasurable(t, s, f.Eng.ID, fmt.Sprintf("m%d", i), 1, at(time.Duration(i)*time.Minute)))
	}
	create := func(removed time.Time) error {
		return s.CreateMeasurable(ctx, &bot.Measurable{EngagementID: f.Eng.ID, Name: "one more", Goal: 1, Direction: bot.AtLeast,
			RemovedAt: removed, CreatedAt: at(time.Hour)})
	}
	wantCode(t, "CreateMeasurable beyond MaxMeasurables", create(time.Time{}), bot.ECONFLICT)
	must(t, "CreateMeasurable of a removed measurable at MaxMeasurables live", create(at(time.Hour)))

	first := ms[0]
	first.RemovedAt, first.UpdatedAt = at(2*time.Hour), at(2*time.Hour)
	must(t, "remove a measurable", s.UpdateMeasurable(ctx, first))
	must(t, "CreateMeasurable after removing one", create(time.Time{}))
	first.RemovedAt, first.UpdatedAt = time.Time{}, at(3*time.Hour)
	wantCode(t, "restoring a measurable beyond MaxMeasurables", s.UpdateMeasurable(ctx, first), bot.ECONFLICT)
	// Editing a live one at the limit is fine.
	second := ms[1]
	second.Goal, second.UpdatedAt = 5, at(3*time.Hour)
	must(t, "edit a live measurable at the limit", s.UpdateMeasurable(ctx, second))

	stored := measurables(t, s, f.Eng.ID)
	live := 0
	for _, m := range stored {
		if m.Live() {
			live++
		}
	}
	if live != bot.MaxMeasurables || stored[0].Live() {
		t.Errorf("%d live measurables (the first live: %v), want %d and the first removed", live, stored[0].Live(), bot.MaxMeasurables)
	}

	for i := len(stored); i < bot.MaxMeasurablesKept; i++ {
		must(t, "CreateMeasurable of a removed measurable", create(at(time.Hour)))
	}
	wantCode(t, "CreateMeasurable beyond MaxMeasurablesKept", create(at(time.Hour)), bot.ECONFLICT)
	if n := len(measurables(t, s, f.Eng.ID)); n != bot.MaxMeasurablesKept {
		t.Errorf("%d measurables kept, want %d", n, bot.MaxMeasurablesKept)
	}
}

func testMeasurableTextLimits(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	kept := newMeasurable(t, s, f.Eng.ID, "Sales calls", 15, at(0))
	valid := func() *bot.Measurable {
		return &bot.Measurable{EngagementID: f.Eng.ID, Name: "Demos", Goal: 3, Direction: bot.AtLeast, CreatedAt: at(time.Hour)}
	}
	for _, c := range []struct {
		name   string
		change func(m *bot.Measurable)
	}{
		{"an empty name", func(m *bot.Measurable) { m.Name = " " }},
		{"a name over MaxMeasurableNameLen", func(m *bot.Measurable) { m.Name = strings.Repeat("ü", bot.MaxMeasurableNameLen+1) }},
		{"a NUL in the name", func(m *bot.Measurable) { m.Name = "De\x00mos" }},
		{"invalid UTF-8 in the unit", func(m *bot.Measurable) { m.Unit = "\xff" }},
		{"a unit over MaxMeasurableUnitLen", func(m *bot.Measurable) { m.Unit = strings.Repeat("u", bot.MaxMeasurableUnitLen+1) }},
		{"a NaN goal", func(m *bot.Measurable) { m.Goal = math.NaN() }},
		{"an infinite goal", func(m *bot.Measurable) { m.Goal = math.Inf(-1) }},
		{"a goal beyond MaxMeasurableNumber", func(m *bot.Measurable) { m.Goal = 2 * bot.MaxMeasurableNumber }},
		{"no direction", func(m *bot.Measurable) { m.Direction = "" }},
		{"an unknown direction", func(m *bot.Measurable) { m.Direction = "exactly" }},
	} {
		m := valid()
		c.change(m)
		wantCode(t, "CreateMeasurable with "+c.name, s.CreateMeasurable(ctx, m), bot.EINVALID)
		upd := *kept
		c.change(&upd)
		upd.EngagementID, upd.UpdatedAt = f.Eng.ID, at(time.Hour)
		wantCode(t, "UpdateMeasurable with "+c.name, s.UpdateMeasurable(ctx, &upd), bot.EINVALID)
	}
	same(t, "Measurables after refused changes", measurables(t, s, f.Eng.ID), []*bot.Measurable{kept})

	// The limits themselves are fine.
	m := valid()
	m.Name, m.Unit, m.Goal = strings.Repeat("ü", bot.MaxMeasurableNameLen), strings.Repeat("u", bot.MaxMeasurableUnitLen), -bot.MaxMeasurableNumber
	must(t, "CreateMeasurable at the limits", s.CreateMeasurable(ctx, m))
	v := []bot.MeasurableValue{{MeasurableID: m.ID, Value: bot.MaxMeasurableNumber, UpdatedAt: at(0)}}
	must(t, "SaveMeasurableValues at the limit", s.SaveMeasurableValues(ctx, f.Eng.ID, week(0), v))
	same(t, "a value at the limit", values(t, s, f.Eng.ID, week(0), week(0)), []bot.MeasurableValue{
		{MeasurableID: m.ID, Week: week(0), Value: bot.MaxMeasurableNumber, UpdatedAt: at(0)},
	})
}

func testSaveMeasurableValues(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	calls := newMeasurable(t, s, f.Eng.ID, "Sales calls", 15, at(0))
	churn := newMeasurable(t, s, f.Eng.ID, "Churn", 2, at(0))
	_, other := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	theirs := newMeasurable(t, s, other.ID, "Theirs", 1, at(0))
	must(t, "save another engagement's week", s.SaveMeasurableValues(ctx, other.ID, week(0),
		[]bot.MeasurableValue{{MeasurableID: theirs.ID, Value: 4, UpdatedAt: at(0)}}))

	// Given in any order, listed by week, then position.
	w0 := []bot.MeasurableValue{
		{MeasurableID: churn.ID, Value: 1.25, UpdatedAt: at(time.Hour)},
		{MeasurableID: calls.ID, Value: 17, UpdatedAt: at(time.Hour)},
	}
	must(t, "SaveMeasurableValues", s.SaveMeasurableValues(ctx, f.Eng.ID, week(0), w0))
	same(t, "the saved values", w0, []bot.MeasurableValue{
		{MeasurableID: churn.ID, Week: week(0), Value: 1.25, UpdatedAt: at(time.Hour)},
		{MeasurableID: calls.ID, Week: week(0), Value: 17, UpdatedAt: at(time.Hour)},
	})
	must(t, "SaveMeasurableValues of the week before", s.SaveMeasurableValues(ctx, f.Eng.ID, week(-1),
		[]bot.MeasurableValue{{MeasurableID: calls.ID, Week: week(5), Value: -3, UpdatedAt: at(0)}}))
	before := bot.MeasurableValue{MeasurableID: calls.ID, Week: week(-1), Value: -3, UpdatedAt: at(0)}
	all := []bot.MeasurableValue{
		before,
		{MeasurableID: calls.ID, Week: week(0), Value: 17, UpdatedAt: at(time.Hour)},
		{MeasurableID: churn.ID, Week: week(0), Value: 1.25, UpdatedAt: at(time.Hour)},
	}
	same(t, "MeasurableValues of both weeks", values(t, s, f.Eng.ID, week(-1), week(0)), all)
	same(t, "MeasurableValues of a wider range", values(t, s, f.Eng.ID, week(-10), week(10)), all)
	same(t, "MeasurableValues of the first week", values(t, s, f.Eng.ID, week(-1), week(-1)), all[:1])
	wantNone(t, "MeasurableValues of later weeks", values(t, s, f.Eng.ID, week(1), week(3)), nil)

	// Refused: nothing changes.
	stale := []bot.MeasurableValue{{MeasurableID: calls.ID, Value: 1, UpdatedAt: at(2 * time.Hour)}}
	for _, c := range []struct {
		name string
		week bot.Date
		vals []bot.MeasurableValue
		code string
	}{
		{"another engagement's measurable", week(0), append(stale, bot.MeasurableValue{MeasurableID: theirs.ID, Value: 1}), bot.EINVALID},
		{"a missing measurable", week(0), append(stale, bot.MeasurableValue{MeasurableID: missingID, Value: 1}), bot.EINVALID},
		{"one measurable twice", week(0), append(stale, bot.MeasurableValue{MeasurableID: calls.ID, Value: 2}), bot.EINVALID},
		{"a NaN value", week(0), append(stale, bot.MeasurableValue{MeasurableID: churn.ID, Value: math.NaN()}), bot.EINVALID},
		{"a value beyond MaxMeasurableNumber", week(0), append(stale, bot.MeasurableValue{MeasurableID: churn.ID, Value: math.Inf(1)}), bot.EINVALID},
		{"no week", bot.Date{}, stale, bot.EINVALID},
	} {
		wantCode(t, "SaveMeasurableValues with "+c.name, s.SaveMeasurableValues(ctx, f.Eng.ID, c.week, c.vals), c.code)
	}
	wantCode(t, "SaveMeasurableValues of a missing engagement",
		s.SaveMeasurableValues(ctx, missingID, week(0), nil), bot.ENOTFOUND)
	same(t, "MeasurableValues after refused saves", values(t, s, f.Eng.ID, week(-1), week(0)), all)

	// A week is replaced as a whole; the others stay.
	must(t, "replace the week", s.SaveMeasurableValues(ctx, f.Eng.ID, week(0),
		[]bot.MeasurableValue{{MeasurableID: churn.ID, Value: 3, UpdatedAt: at(3 * time.Hour)}}))
	same(t, "MeasurableValues after a replacement", values(t, s, f.Eng.ID, week(-1), week(0)), []bot.MeasurableValue{
		before, {MeasurableID: churn.ID, Week: week(0), Value: 3, UpdatedAt: at(3 * time.Hour)},
	})
	must(t, "empty the week", s.SaveMeasurableValues(ctx, f.Eng.ID, week(0), nil))
	same(t, "MeasurableValues after emptying a week", values(t, s, f.Eng.ID, week(-1), week(0)), all[:1])
	same(t, "another engagement's values", values(t, s, other.ID, week(0), week(0)), []bot.MeasurableValue{
		{MeasurableID: theirs.ID, Week: week(0), Value: 4, UpdatedAt: at(0)},
	})

	// A removed measurable keeps its values, and may be given more.
	calls.RemovedAt, calls.UpdatedAt = at(4*time.Hour), at(4*time.Hour)
	must(t, "remove a measurable", s.UpdateMeasurable(ctx, calls))
	same(t, "the values of a removed measurable", values(t, s, f.Eng.ID, week(-1), week(0)), all[:1])
	must(t, "a value of a removed measurable", s.SaveMeasurableValues(ctx, f.Eng.ID, week(-1),
		[]bot.MeasurableValue{{MeasurableID: calls.ID, Value: 0, UpdatedAt: at(5 * time.Hour)}}))
	same(t, "a removed measurable's new value", values(t, s, f.Eng.ID, week(-1), week(-1)), []bot.MeasurableValue{
		{MeasurableID: calls.ID, Week: week(-1), Value: 0, UpdatedAt: at(5 * time.Hour)},
	})
}

// testSaveMeasurableValuesConcurrent: replacements of one week are whole;
// one of them wins.
func testSaveMeasurableValuesConcurrent(t *testing.T, s bot.Store) {
	f := seed(t, s)
	a := newMeasurable(t, s, f.Eng.ID, "a", 1, at(0))
	b := newMeasurable(t, s, f.Eng.ID, "b", 1, at(0))
	const n = 10
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.SaveMeasurableValues(t.Context(), f.Eng.ID, week(0), []bot.MeasurableValue{
				{MeasurableID: a.ID, Value: float64(i), UpdatedAt: at(0)},
				{MeasurableID: b.ID, Value: float64(i), UpdatedAt: at(0)},
			})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		must(t, fmt.Sprintf("SaveMeasurableValues %d", i), err)
	}
	got := values(t, s, f.Eng.ID, week(0), week(0))
	if len(got) != 2 || got[0].Value != got[1].Value {
		t.Errorf("after concurrent replacements the week holds %s, want both values of one save", show(got))
	}
}

func testDeletePersonScorecard(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	for _, e := range []*bot.Engagement{f.Eng, otherEng} {
		m := newMeasurable(t, s, e.ID, "calls", 15, at(0))
		must(t, "save values", s.SaveMeasurableValues(ctx, e.ID, week(0), []bot.MeasurableValue{{MeasurableID: m.ID, Value: 9, UpdatedAt: at(0)}}))
	}
	keptMs, keptVals := measurables(t, s, otherEng.ID), values(t, s, otherEng.ID, week(0), week(0))

	must(t, "delete the client", s.DeletePerson(ctx, f.Client.ID))
	got, err := s.Measurables(ctx, f.Eng.ID)
	wantNone(t, "Measurables of the deleted client's engagement", got, err)
	vals, err := s.MeasurableValues(ctx, f.Eng.ID, week(-10), week(10))
	wantNone(t, "MeasurableValues of the deleted client's engagement", vals, err)
	same(t, "Measurables of another client", measurables(t, s, otherEng.ID), keptMs)
	same(t, "MeasurableValues of another client", values(t, s, otherEng.ID, week(0), week(0)), keptVals)

	// A coach's deletion ends the engagement, which keeps the client's scorecard.
	must(t, "delete the coach", s.DeletePerson(ctx, f.Coach.ID))
	same(t, "Measurables after the coach's deletion", measurables(t, s, otherEng.ID), keptMs)
	same(t, "MeasurableValues after the coach's deletion", values(t, s, otherEng.ID, week(0), week(0)), keptVals)
}
