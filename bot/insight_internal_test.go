package bot

import (
	"strings"
	"testing"
	"time"
)

// The rules below work on an insight built by hand: no store, no clock.

var (
	nov23 = Date{Year: 2026, Month: 11, Day: 23}
	dec01 = Date{Year: 2026, Month: 12, Day: 1}
)

func TestSameKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b string }{
		{"budget approval", "Budget approval"},
		{"budget approval", "  budget   approval  "},
		{"budget approval", "Budget approval!"},
		{"budget approval", "budget-approval."},
		{"legal review (slow)", "legal review, slow"},
		{"Ämter-Termin", "ämter termin"},
	}
	for _, tt := range tests {
		if sameKey(tt.a) != sameKey(tt.b) {
			t.Errorf("sameKey(%q) = %q, sameKey(%q) = %q; want the same", tt.a, sameKey(tt.a), tt.b, sameKey(tt.b))
		}
	}
	for _, pair := range [][2]string{{"budget approval", "budget approvals"}, {"legal", "legal review"}, {"v2", "v 2"}} {
		if sameKey(pair[0]) == sameKey(pair[1]) {
			t.Errorf("sameKey(%q) == sameKey(%q); want them apart", pair[0], pair[1])
		}
	}
}

// stuckInsight is a client whose check-ins from nov23 on said stuck[i]
// on day i ("" for no check-in that day).
func stuckInsight(stuck []string, reports ...*WeeklyReport) *insight {
	in := &insight{e: &Engagement{Start: nov23.AddDays(-1), CheckinTime: 9 * 60}, loc: time.UTC,
		asOf: dec01.AddDays(7).UTC(), checkins: map[Date]*CheckIn{}, reports: reports}
	for i, s := range stuck {
		if s != "" {
			in.checkins[nov23.AddDays(i)] = &CheckIn{Day: nov23.AddDays(i), Stuck: s, Status: AnswerComplete}
		}
	}
	return in
}

func TestBlockers(t *testing.T) {
	t.Parallel()
	report := &WeeklyReport{Week: nov23, Stuck: "the CTO search", Status: AnswerComplete,
		SubmittedAt: nov23.AddDays(4).UTC().Add(15 * time.Hour)}
	tests := []struct {
		name    string
		stuck   []string
		reports []*WeeklyReport
		want    []string
	}{
		{name: "nothing stuck", stuck: []string{"no", "nothing", "", "n/a"}},
		{name: "once", stuck: []string{"legal review"}, want: []string{"legal review — Mon 23 Nov"}},
		{
			name:  "the same blocker said six times, written differently",
			stuck: []string{"", "budget approval", "Budget approval!", "budget  approval", "", "", "BUDGET APPROVAL", "budget approval.", "budget approval"},
			want:  []string{"budget approval — 6 days since Tue 24 Nov (last Tue 1 Dec)"},
		},
		{
			name:  "longest said first, then the earliest",
			stuck: []string{"legal review", "hiring", "hiring", "legal review", "hiring", "", "", "payroll"},
			want:  []string{"hiring — 3 days since Tue 24 Nov (last Fri 27 Nov)", "legal review — 2 days since Mon 23 Nov (last Thu 26 Nov)", "payroll — Mon 30 Nov"},
		},
		{
			name:    "a weekly report's stuck joins the check-ins' on its day",
			stuck:   []string{"the CTO search", "", "", "", "The CTO search"},
			reports: []*WeeklyReport{report},
			want:    []string{"the CTO search — 2 days since Mon 23 Nov (last Fri 27 Nov)"},
		},
		{
			name:    "a weekly report's own blocker",
			stuck:   []string{"legal review"},
			reports: []*WeeklyReport{report},
			want:    []string{"legal review — Mon 23 Nov", "the CTO search — Fri 27 Nov"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := blockerLines(stuckInsight(tt.stuck, tt.reports...).blockers(nov23, dec01.AddDays(6)))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("blockers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestCounts: the check-in counts never say more than happened.
func TestCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    period
		want string
	}{
		{"answered", period{expected: 5, answered: 4}, "check-ins 4/5 (80%)"},
		{"nothing due (right after a session)", period{}, "no check-ins due"},
		{"an early answer only", period{early: 1}, "no check-ins due · 1 early answer"},
		{"due and early", period{expected: 1, answered: 1, early: 2}, "check-ins 1/1 (100%) · 2 early answers"},
		{"an answer on a day off", period{expected: 2, answered: 1, extra: 1}, "check-ins 1/2 (50%) · 1 answer on a day off"},
	}
	for _, tt := range tests {
		if got := tt.p.counts(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNeedsAttention(t *testing.T) {
	t.Parallel()
	start := nov23
	today := start.AddDays(45) // half the cycle gone
	at := func(d Date) time.Time { return d.UTC().Add(12 * time.Hour) }
	rock := func(id int64, status RockStatus, progress int) *Rock {
		return &Rock{ID: id, Position: int(id), Title: "rock" + string(rune('A'-1+id)), Status: status, Progress: progress,
			CreatedAt: at(start), Due: start.AddDays(89)}
	}
	change := func(id int64, day Date, status RockStatus) *RockChange {
		return &RockChange{RockID: id, At: at(day), Status: status}
	}
	tests := []struct {
		name    string
		rocks   []*Rock
		history []*RockChange
		want    string // "rock N, …" and why; "" for none
	}{
		{name: "no rocks"},
		{name: "every rock on pace", rocks: []*Rock{rock(1, RockOnTrack, 50), rock(2, RockOnTrack, 45)}},
		{name: "done and dropped rocks never", rocks: []*Rock{rock(1, RockDone, 100), rock(2, RockDropped, 0)}},
		{
			name:  "furthest behind its time",
			rocks: []*Rock{rock(1, RockOnTrack, 40), rock(2, RockOnTrack, 20), rock(3, RockOnTrack, 30)},
			want:  "rock 2, rockB — 20% done with 50% of its time gone",
		},
		{
			name:    "off track beats behind",
			rocks:   []*Rock{rock(1, RockOnTrack, 0), rock(2, RockOffTrack, 60)},
			history: []*RockChange{change(2, start, RockOnTrack), change(2, today.AddDays(-3), RockOffTrack)},
			want:    "rock 2, rockB — off track for 3 days (since Mon 4 Jan), 60% done with 50% of its time gone",
		},
		{
			name:  "off track longest first",
			rocks: []*Rock{rock(1, RockOffTrack, 10), rock(2, RockOffTrack, 50)},
			history: []*RockChange{change(1, start, RockOnTrack), change(1, today.AddDays(-2), RockOffTrack),
				change(2, start, RockOnTrack), change(2, today.AddDays(-20), RockOffTrack), change(2, today.AddDays(-10), RockOffTrack)},
			want: "rock 2, rockB — off track for 20 days (since Fri 18 Dec), 50% done with 50% of its time gone",
		},
		{
			name:  "back on track ends the run",
			rocks: []*Rock{rock(1, RockOffTrack, 10), rock(2, RockOffTrack, 50)},
			history: []*RockChange{change(1, start, RockOnTrack), change(1, today.AddDays(-5), RockOffTrack),
				change(2, today.AddDays(-20), RockOffTrack), change(2, today.AddDays(-10), RockOnTrack), change(2, today.AddDays(-2), RockOffTrack)},
			want: "rock 1, rockA — off track for 5 days (since Sat 2 Jan), 10% done with 50% of its time gone",
		},
		{
			name:    "tied off track: furthest behind",
			rocks:   []*Rock{rock(1, RockOffTrack, 40), rock(2, RockOffTrack, 10)},
			history: []*RockChange{change(1, today.AddDays(-4), RockOffTrack), change(2, today.AddDays(-4), RockOffTrack)},
			want:    "rock 2, rockB — off track for 4 days (since Sun 3 Jan), 10% done with 50% of its time gone",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &insight{e: &Engagement{Start: start, CycleDays: 90}, loc: time.UTC, asOf: at(today),
				rocks: tt.rocks, history: tt.history}
			r, why := in.needsAttention(today)
			got := ""
			if r != nil {
				got = rockTitle(in.rocks, r.ID) + " — " + why
			}
			if got != tt.want {
				t.Errorf("needs attention: %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReviewOpen: a cycle's review may be written in its last two weeks
// and the next cycle's first two, and not a day outside them.
func TestReviewOpen(t *testing.T) {
	t.Parallel()
	c := (&Engagement{Start: Date{2026, 11, 22}, CycleDays: 90}).CycleN(1) // ends Fri 2027-02-19
	for d, want := range map[Date]bool{
		{2027, 2, 5}:  false, // 15 days before the end
		{2027, 2, 6}:  true,  // the last two weeks start
		{2027, 2, 19}: true,  // day 90
		{2027, 3, 5}:  true,  // the next cycle's 14th day
		{2027, 3, 6}:  false,
	} {
		if got := c.reviewOpen(d); got != want {
			t.Errorf("reviewOpen(%s) = %v, want %v", d, got, want)
		}
	}
	if got := c.reviewUntil(); got != (Date{2027, 3, 5}) {
		t.Errorf("reviewUntil = %s, want 2027-03-05", got)
	}
}
