package chart

import (
	"math"
	"time"
)

// Chart is any of this package's charts.
type Chart interface {
	PNG() ([]byte, error)
}

// Example is a named sample chart.
type Example struct {
	Name  string // a file name, "checkins.png"
	Chart Chart
}

// Examples are sample charts of a made-up client, five weeks into a
// ninety-day cycle: the pictures README shows (cmd/smart90 chart-demo
// writes them) and the golden tests draw.
func Examples() []Example {
	start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC) // a Monday
	today := start.AddDate(0, 0, 37)
	end := start.AddDate(0, 0, 89)
	var days []Day
	var energy []Point
	for d := start; !d.After(today); d = d.AddDate(0, 0, 1) {
		i := int(d.Sub(start).Hours() / 24)
		s := Answered
		switch {
		case d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
			s = NoCheckin
		case i >= 21 && i <= 25:
			s = Paused
		case i%9 == 4:
			s = Missed
		case i%13 == 6:
			s = Skipped
		case i == 16:
			s = Off
		}
		days = append(days, Day{Day: d, State: s})
		if s == Answered {
			energy = append(energy, Point{Day: d, Value: math.Round(3 + 1.4*math.Sin(float64(i)/5))})
		}
	}
	rocks := []Rock{
		{Title: "Close three enterprise deals", Points: []Point{{start, 0}, {start.AddDate(0, 0, 7), 10}, {start.AddDate(0, 0, 14), 25}, {start.AddDate(0, 0, 28), 40}, {start.AddDate(0, 0, 35), 55}}},
		{Title: "Hire a head of support", Points: []Point{{start, 0}, {start.AddDate(0, 0, 10), 20}, {start.AddDate(0, 0, 31), 20}}},
		{Title: "Launch the partner programme before the spring conference", Points: []Point{{start, 5}, {start.AddDate(0, 0, 8), 30}, {start.AddDate(0, 0, 17), 60}, {start.AddDate(0, 0, 30), 80}}},
	}
	var calls []Point
	for w, v := range []float64{12, 16, 9, 14, 18, 15} {
		calls = append(calls, Point{Day: start.AddDate(0, 0, 7*w), Value: v})
	}
	return []Example{
		{"checkins.png", Calendar{Title: "Ana · check-ins, cycle 1 (day 38 of 90)", From: start, To: end, Days: days}},
		{"energy.png", Energy{Title: "Ana · energy, cycle 1", From: start, To: today, Points: energy}},
		{"rocks.png", Progress{Title: "Ana · rocks, cycle 1", From: start, To: today, Rocks: rocks}},
		{"scorecard.png", Scorecard{Title: "Ana · sales calls per week", Name: "Sales calls", Goal: 15, AtLeast: true, Weeks: calls}},
	}
}
