package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/smart90/smart90/chart"
)

// clientCharts draws a client's cycle as of asOf from their history h
// (see chartsOf), for the coach's digest reply and brief; none when
// charts are off.
func (b *Bot) clientCharts(e *Engagement, client *Person, h *History, asOf time.Time) ([]Image, error) {
	if !b.charts {
		return nil, nil
	}
	return drawCharts(chartsOf(e, client, h, asOf))
}

// drawCharts draws charts as PNG images.
func drawCharts(cs []namedChart) ([]Image, error) {
	imgs := make([]Image, 0, len(cs))
	for _, c := range cs {
		png, err := c.chart.PNG()
		if err != nil {
			return nil, fmt.Errorf("draw %s: %w", c.name, err)
		}
		imgs = append(imgs, Image{Name: c.name, Title: c.title, PNG: png})
	}
	return imgs, nil
}

// namedChart is a chart's data with its file name and title.
type namedChart struct {
	name, title string
	chart       chart.Chart
}

// chartsOf is the charts of the cycle holding asOf's day, from a history
// that covers the cycle (see insightWindow).
func chartsOf(e *Engagement, client *Person, h *History, asOf time.Time) []namedChart {
	loc := zoneOf(client)
	today := DateOf(asOf.In(loc))
	c := e.CycleOn(today)
	if today.After(c.End()) {
		today = c.End()
	}
	in := newInsight(e, client, h, c.Start, asOf)
	name := fmt.Sprintf("%s-cycle%d", slug(client.DisplayName), c.N)
	who := client.DisplayName
	cal := chart.Calendar{
		Title: fmt.Sprintf("%s · check-ins, cycle %d (%s)", who, c.N, c.Label(today)),
		From:  c.Start.UTC(), To: c.End().UTC(),
	}
	energy := chart.Energy{Title: fmt.Sprintf("%s · energy, cycle %d", who, c.N), From: c.Start.UTC(), To: today.UTC()}
	for d := c.Start; !d.After(today); d = d.AddDays(1) {
		cal.Days = append(cal.Days, chart.Day{Day: d.UTC(), State: in.dayState(d, today)})
		if ci := in.checkins[d]; answered(ci) && ci.Energy > 0 {
			energy.Points = append(energy.Points, chart.Point{Day: d.UTC(), Value: float64(ci.Energy)})
		}
	}
	progress := chart.Progress{Title: fmt.Sprintf("%s · rocks, cycle %d", who, c.N), From: c.Start.UTC(), To: today.UTC()}
	start := c.Start.In(loc)
	for _, r := range in.rocks {
		if r.Status == RockDropped {
			continue
		}
		rk := chart.Rock{Title: r.Title}
		if h := in.rockAt(r.ID, start); h != nil {
			rk.Points = append(rk.Points, chart.Point{Day: c.Start.UTC(), Value: float64(h.Progress)})
		}
		for _, h := range in.history {
			if h.RockID == r.ID && h.At.After(start) && !h.At.After(asOf) {
				rk.Points = append(rk.Points, chart.Point{Day: DateOf(h.At.In(loc)).UTC(), Value: float64(h.Progress)})
			}
		}
		progress.Rocks = append(progress.Rocks, rk)
	}
	out := []namedChart{
		{name + "-checkins.png", cal.Title, cal},
		{name + "-energy.png", energy.Title, energy},
		{name + "-rocks.png", progress.Title, progress},
	}
	// Each live scorecard number with values this cycle, against its goal.
	for _, m := range h.Measurables {
		if !m.Live() {
			continue
		}
		sc := chart.Scorecard{Title: fmt.Sprintf("%s · %s %s, cycle %d", who, m.Name, measurableGoal(m), c.N),
			Name: m.Name, Goal: m.Goal, AtLeast: m.Direction != AtMost}
		for _, v := range h.Values {
			if v.MeasurableID == m.ID && !v.Week.Before(c.Start.WeekStart()) && !v.Week.After(today) {
				sc.Weeks = append(sc.Weeks, chart.Point{Day: v.Week.UTC(), Value: v.Value})
			}
		}
		if len(sc.Weeks) > 0 {
			out = append(out, namedChart{fmt.Sprintf("%s-score%d.png", name, m.Position), sc.Title, sc})
		}
	}
	return out
}

// dayState is what day d of the calendar shows, as of today: an
// unanswered check-in due today is not missed yet.
func (in *insight) dayState(d, today Date) chart.State {
	c := in.checkins[d]
	switch {
	case d.After(today):
		return chart.Unknown
	case answered(c):
		return chart.Answered
	case c != nil && c.Status == AnswerOff:
		return chart.Off
	case in.e.PausedOn(d):
		return chart.Paused
	case c != nil && c.Status == AnswerSkipped:
		return chart.Skipped
	case !in.expectedOn(d):
		return chart.NoCheckin
	case d == today:
		return chart.Unknown
	}
	return chart.Missed
}

// slug is a name as a file name's ASCII start: "ana", "jose-maria".
func slug(name string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			sb.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if sb.Len() >= 24 {
			break
		}
	}
	if sb.Len() == 0 {
		return "client"
	}
	return sb.String()
}
