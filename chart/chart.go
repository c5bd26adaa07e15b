package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of every chart, in pixels: readable in a chat window without
// opening it.
const (
	Width  = 800
	Height = 400
)

const dpi = 96

// Point is one value on one day.
type Point struct {
	Day   time.Time // the calendar day (its year, month and day; the zone is ignored)
	Value float64
}

// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2002).
var (
	orange        = rgb(0xE6, 0x9F, 0x00)
	skyBlue       = rgb(0x56, 0xB4, 0xE9)
	bluishGreen   = rgb(0x00, 0x9E, 0x73)
	yellow        = rgb(0xF0, 0xE4, 0x42)
	blue          = rgb(0x00, 0x72, 0xB2)
	vermillion    = rgb(0xD5, 0x5E, 0x00)
	reddishPurple = rgb(0xCC, 0x79, 0xA7)
	black         = rgb(0x00, 0x00, 0x00)
	lightGrey     = rgb(0xE4, 0xE4, 0xE4)
	gridGrey      = rgb(0xD8, 0xD8, 0xD8)
	midGrey       = rgb(0x88, 0x88, 0x88)
)

// series are the colours of lines in the order they are handed out.
var series = []color.RGBA{blue, vermillion, bluishGreen, reddishPurple, orange, skyBlue, black, yellow}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, size), Handler: plot.DefaultTextHandler}
}

// newPlot is a plot with the house look: sans-serif text sized for chat,
// a title and axis labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 14)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
		a.Tick.Length = vg.Points(4)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	return p
}

// newLegend is a legend drawn to the right of the plot, so it never hides
// the data.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle = textStyle(10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(4)
	return &l
}

// render draws p with legend at its right and note (when not "") in the
// middle of its data area, as a PNG of Width×Height pixels.
func render(p *plot.Plot, legend *plot.Legend, note string) ([]byte, error) {
	w, h := vg.Length(Width)*vg.Inch/dpi, vg.Length(Height)*vg.Inch/dpi
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	c := draw.Crop(draw.New(img), vg.Points(6), -vg.Points(10), vg.Points(6), -vg.Points(4))
	if legend != nil {
		lw := legend.Rectangle(c).Size().X
		if lw > 0 {
			// The legend sits level with the data area, below the title.
			top := p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
			legend.Draw(draw.Crop(c, c.Size().X-lw, 0, 0, -top-vg.Points(4)))
			c = draw.Crop(c, 0, -lw-vg.Points(12), 0, 0)
		}
	}
	p.Draw(c)
	if note != "" {
		dc := p.DataCanvas(c)
		sty := textStyle(13)
		sty.Color = midGrey
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(sty, dc.Center(), note)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img.Image()); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// dayNum is the day's number counted from 1970-01-01, a Thursday: the x
// of a date on a time axis.
func dayNum(t time.Time) float64 {
	y, m, d := t.Date()
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dayOf(n float64) time.Time { return time.Unix(int64(math.Round(n))*86400, 0).UTC() }

// dayTicks marks Mondays, every week or every few weeks as the span
// needs, labelled "2 Mar".
type dayTicks struct{}

func (dayTicks) Ticks(min, max float64) []plot.Tick {
	step := 7
	switch span := max - min; {
	case span > 400:
		step = 91
	case span > 200:
		step = 28
	case span > 100:
		step = 14
	}
	first := math.Ceil(min)
	for int64(first+3)%7 != 0 { // day 0 is a Thursday, day 4 a Monday
		first++
	}
	var ts []plot.Tick
	for d, i := first, 0; d <= max; d, i = d+7, i+1 {
		t := plot.Tick{Value: d}
		if i%(step/7) == 0 {
			t.Label = dayOf(d).Format("2 Jan")
		}
		ts = append(ts, t)
	}
	return ts
}

// dayAxis sets p's x axis to the days from..to (at least a week); with
// no days (zero times) it is an unlabelled week.
func dayAxis(p *plot.Plot, from, to time.Time) {
	if from.IsZero() || to.IsZero() {
		p.X.Min, p.X.Max = 0, 7
		p.X.Tick.Marker = plot.ConstantTicks(nil)
		return
	}
	lo, hi := dayNum(from), dayNum(to)
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi-lo < 6 {
		hi = lo + 6
	}
	p.X.Min, p.X.Max = lo-0.5, hi+0.5
	p.X.Tick.Marker = dayTicks{}
}

// span is the first and last day of points, or zero times when none.
func span(ps []Point) (from, to time.Time) {
	for i, pt := range ps {
		if i == 0 || dayNum(pt.Day) < dayNum(from) {
			from = pt.Day
		}
		if i == 0 || dayNum(pt.Day) > dayNum(to) {
			to = pt.Day
		}
	}
	return from, to
}

// clip shortens s to n runes with an ellipsis: a legend entry stays on
// the picture.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
