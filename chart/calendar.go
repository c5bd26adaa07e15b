package chart

import (
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// State is what happened on a day of the check-in calendar.
type State int

// Day states, in the legend's order.
const (
	// Unknown is a day not told: drawn empty (a day still to come).
	Unknown   State = iota
	Answered        // the check-in was answered
	Skipped         // the person said "skip today"
	Missed          // a check-in was due and not answered
	Off             // the person said they were off
	Paused          // within a planned pause
	NoCheckin       // not a check-in day (a weekend, before the start)
)

func (s State) label() string {
	return [...]string{"", "answered", "skipped", "missed", "off", "paused", "no check-in"}[s]
}

func (s State) color() color.Color {
	return [...]color.Color{color.White, bluishGreen, orange, vermillion, skyBlue, reddishPurple, lightGrey}[s]
}

// Day is one day of a check-in calendar.
type Day struct {
	Day   time.Time // the calendar day (its year, month and day)
	State State
}

// Calendar is a check-in calendar: a column per week (Monday to Sunday,
// top to bottom) from From to To, each day coloured by its state.
type Calendar struct {
	Title    string
	From, To time.Time // the days shown (a cycle)
	Days     []Day     // days outside From..To are left out; days not listed are empty
}

// PNG draws the calendar.
func (c Calendar) PNG() ([]byte, error) {
	from, to := dayNum(c.From), dayNum(c.To)
	if to < from {
		from, to = to, from
	}
	// Columns start on Mondays (day 4 is a Monday).
	monday := from - float64((int64(from)+3)%7)
	weeks := int((to-monday)/7) + 1
	if weeks > 60 {
		weeks, to = 60, monday+60*7-1
	}
	p := newPlot(c.Title, "week of", "")
	cells := &cells{}
	present := map[State]bool{}
	for _, d := range c.Days {
		n := dayNum(d.Day)
		if n < from || n > to || d.State == Unknown {
			continue
		}
		k := n - monday
		cells.c = append(cells.c, cell{x: float64(int(k) / 7), y: float64(6 - int(k)%7), s: d.State})
		present[d.State] = true
	}
	p.Add(cells)
	p.X.Min, p.X.Max = -0.5, float64(weeks)-0.5
	p.Y.Min, p.Y.Max = -0.5, 6.5
	p.X.Padding, p.Y.Padding = 0, 0
	var xt []plot.Tick
	for w := 0; w < weeks; w++ {
		t := plot.Tick{Value: float64(w)}
		if weeks <= 16 || w%2 == 0 {
			t.Label = dayOf(monday + float64(7*w)).Format("2 Jan")
		}
		xt = append(xt, t)
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	var yt []plot.Tick
	for i, name := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		yt = append(yt, plot.Tick{Value: float64(6 - i), Label: name})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	l := newLegend()
	for s := Answered; s <= NoCheckin; s++ {
		if present[s] {
			l.Add(s.label(), swatch{s.color()})
		}
	}
	note := ""
	if len(cells.c) == 0 {
		note = "No check-ins yet"
	}
	return render(p, l, note)
}

type cell struct {
	x, y float64
	s    State
}

// cells draws each day as a square with a white gap around it.
type cells struct{ c []cell }

func (cs *cells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, cl := range cs.c {
		x0, x1 := tx(cl.x-0.5), tx(cl.x+0.5)
		y0, y1 := ty(cl.y-0.5), ty(cl.y+0.5)
		gap := vg.Points(1.5)
		pts := []vg.Point{{X: x0 + gap, Y: y0 + gap}, {X: x1 - gap, Y: y0 + gap}, {X: x1 - gap, Y: y1 - gap}, {X: x0 + gap, Y: y1 - gap}}
		c.FillPolygon(cl.s.color(), c.ClipPolygonXY(pts))
	}
}

// swatch is a legend thumbnail: a square of a colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	side := c.Max.Y - c.Min.Y
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X + side, Y: c.Min.Y}, {X: c.Min.X + side, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.c, pts)
}
