package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Energy is a person's energy (1 to 5) day by day.
type Energy struct {
	Title    string
	From, To time.Time // the days shown; zero for the span of Points
	Points   []Point   // values outside 1..5 are left out
}

// PNG draws the energy line.
func (e Energy) PNG() ([]byte, error) {
	var pts []Point
	for _, pt := range e.Points {
		if pt.Value >= 1 && pt.Value <= 5 {
			pts = append(pts, pt)
		}
	}
	p := newPlot(e.Title, "day", "energy (1–5)")
	from, to := e.From, e.To
	if from.IsZero() || to.IsZero() {
		from, to = span(pts)
	}
	dayAxis(p, from, to)
	p.Y.Min, p.Y.Max = 1, 5
	var yt []plot.Tick
	for v := 1; v <= 5; v++ {
		yt = append(yt, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	p.Add(grid())
	l := newLegend()
	note := "No energy answers yet"
	if len(pts) > 0 {
		note = ""
		line, dots := lineOf(pts, 0, false)
		p.Add(line, dots)
		l.Add("energy", line, dots)
	}
	return render(p, l, note)
}

// Rock is one rock's progress (0 to 100) at the days it changed.
type Rock struct {
	Title  string
	Points []Point
}

// Progress is each rock's progress over a cycle: a step line per rock,
// holding its value until the next change and up to To.
type Progress struct {
	Title    string
	From, To time.Time // the days shown (a cycle, up to today)
	Rocks    []Rock
}

// PNG draws the rocks' progress.
func (r Progress) PNG() ([]byte, error) {
	p := newPlot(r.Title, "day", "progress")
	from, to := r.From, r.To
	if from.IsZero() || to.IsZero() {
		var all []Point
		for _, rk := range r.Rocks {
			all = append(all, rk.Points...)
		}
		from, to = span(all)
	}
	dayAxis(p, from, to)
	p.Y.Min, p.Y.Max = 0, 100
	var yt []plot.Tick
	for v := 0; v <= 100; v += 25 {
		yt = append(yt, plot.Tick{Value: float64(v), Label: fmt.Sprintf("%d%%", v)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	p.Add(grid())
	l := newLegend()
	any := false
	for i, rk := range r.Rocks {
		var pts []Point
		for _, pt := range rk.Points {
			if n := dayNum(pt.Day); n >= dayNum(from) && n <= dayNum(to) {
				pts = append(pts, Point{Day: pt.Day, Value: math.Max(0, math.Min(100, pt.Value))})
			}
		}
		if len(pts) == 0 {
			continue
		}
		any = true
		sortPoints(pts)
		changes := len(pts)
		// Hold the last value up to the end.
		if last := pts[len(pts)-1]; dayNum(last.Day) < dayNum(to) {
			pts = append(pts, Point{Day: to, Value: last.Value})
		}
		line, dots := lineOf(pts, i, true)
		dots.XYs = dots.XYs[:changes] // a glyph where it changed, not at the end
		p.Add(line, dots)
		l.Add(fmt.Sprintf("%d. %s", i+1, clip(rk.Title, 26)), line, dots)
	}
	note := ""
	if !any {
		note = "No rocks yet"
	}
	return render(p, l, note)
}

// Scorecard is one measurable, week by week, against its goal.
type Scorecard struct {
	Title   string
	Name    string  // what is measured, "Sales calls"
	Goal    float64 // the weekly goal
	AtLeast bool    // the goal is a floor (≥); otherwise a ceiling (≤)
	Weeks   []Point // the week's first day and the week's value
}

// PNG draws the measurable and its goal line.
func (s Scorecard) PNG() ([]byte, error) {
	p := newPlot(s.Title, "week of", s.Name)
	from, to := span(s.Weeks)
	dayAxis(p, from, to)
	hi := math.Max(s.Goal, 0)
	lo := math.Min(s.Goal, 0)
	for _, w := range s.Weeks {
		hi, lo = math.Max(hi, w.Value), math.Min(lo, w.Value)
	}
	if hi == lo {
		hi = lo + 1
	}
	p.Y.Min, p.Y.Max = lo, hi+(hi-lo)*0.1
	p.Add(grid())
	l := newLegend()
	goal, _ := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: s.Goal}, {X: p.X.Max, Y: s.Goal}})
	goal.Color = vermillion
	goal.Width = vg.Points(2)
	goal.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(goal)
	op := "≤"
	if s.AtLeast {
		op = "≥"
	}
	note := "No values yet"
	if len(s.Weeks) > 0 {
		note = ""
		line, dots := lineOf(s.Weeks, 0, false)
		p.Add(line, dots)
		l.Add(clip(s.Name, 28), line, dots)
	}
	l.Add(fmt.Sprintf("goal %s %s", op, trim(s.Goal)), goal)
	return render(p, l, note)
}

func trim(v float64) string { return fmt.Sprintf("%g", math.Round(v*100)/100) }

var glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

// lineOf is the line through pts (sorted by day) and a glyph at each,
// in the i-th series colour and shape, so lines differ by more than hue.
func lineOf(pts []Point, i int, steps bool) (*plotter.Line, *plotter.Scatter) {
	pts = append([]Point(nil), pts...)
	sortPoints(pts)
	xys := make(plotter.XYs, len(pts))
	for j, pt := range pts {
		xys[j] = plotter.XY{X: dayNum(pt.Day), Y: pt.Value}
	}
	line := &plotter.Line{XYs: xys, LineStyle: draw.LineStyle{Color: series[i%len(series)], Width: vg.Points(2)}}
	if steps {
		line.StepStyle = plotter.PostStep
	}
	if i%2 == 1 {
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	dots := &plotter.Scatter{XYs: append(plotter.XYs(nil), xys...), GlyphStyle: draw.GlyphStyle{Color: series[i%len(series)], Radius: vg.Points(3), Shape: glyphs[i%len(glyphs)]}}
	return line, dots
}

// sortPoints orders pts by day, keeping the order of points on one day.
func sortPoints(pts []Point) {
	slices.SortStableFunc(pts, func(a, b Point) int { return cmp.Compare(dayNum(a.Day), dayNum(b.Day)) })
}

// grid draws light horizontal lines at the y ticks.
func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = gridGrey
	return g
}
