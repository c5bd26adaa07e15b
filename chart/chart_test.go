package chart_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smart90/smart90/chart"
	"github.com/smart90/smart90/chart/charttest"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

// Golden pictures are compared by their decoded pixels, not their bytes:
// an encoder change that keeps the picture is no failure.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range cases() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.Chart.PNG()
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			golden := filepath.Join("testdata", tc.Name)
			if *update {
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (go test ./chart -update writes it): %v", err)
			}
			diff, err := charttest.Diff(want, b)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("%s differs from %s: %s (go test ./chart -update rewrites it)", tc.Name, golden, diff)
			}
		})
	}
}

// cases are the README's examples and data that says little: none, one
// point, all zero. Each must still be a chart that says so.
func cases() []chart.Example {
	day := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	cs := chart.Examples()
	return append(cs,
		chart.Example{Name: "empty-checkins.png", Chart: chart.Calendar{Title: "Ben · check-ins, cycle 1", From: day, To: day.AddDate(0, 0, 89)}},
		chart.Example{Name: "empty-energy.png", Chart: chart.Energy{Title: "Ben · energy"}},
		chart.Example{Name: "one-energy.png", Chart: chart.Energy{Title: "Ben · energy", Points: []chart.Point{{Day: day, Value: 4}}}},
		chart.Example{Name: "empty-rocks.png", Chart: chart.Progress{Title: "Ben · rocks", From: day, To: day.AddDate(0, 0, 3)}},
		chart.Example{Name: "zero-rocks.png", Chart: chart.Progress{Title: "Ben · rocks", From: day, To: day.AddDate(0, 0, 20), Rocks: []chart.Rock{
			{Title: "Hire", Points: []chart.Point{{Day: day, Value: 0}}}, {Title: "Ship", Points: []chart.Point{{Day: day, Value: 0}}}}}},
		chart.Example{Name: "empty-scorecard.png", Chart: chart.Scorecard{Title: "Ben · demos", Name: "Demos", Goal: 3, AtLeast: true}},
		chart.Example{Name: "zero-scorecard.png", Chart: chart.Scorecard{Title: "Ben · churned accounts", Name: "Churned", Goal: 0, Weeks: []chart.Point{{Day: day, Value: 0}, {Day: day.AddDate(0, 0, 7), Value: 0}}}},
	)
}

func BenchmarkCalendar(b *testing.B)  { benchmark(b, chart.Examples()[0].Chart) }
func BenchmarkEnergy(b *testing.B)    { benchmark(b, chart.Examples()[1].Chart) }
func BenchmarkProgress(b *testing.B)  { benchmark(b, chart.Examples()[2].Chart) }
func BenchmarkScorecard(b *testing.B) { benchmark(b, chart.Examples()[3].Chart) }

func benchmark(b *testing.B, c chart.Chart) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}
