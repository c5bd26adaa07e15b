package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/smart90/smart90/chart"
	"github.com/smart90/smart90/chart/charttest"
)

// TestChartDemoIsCurrent: the charts committed under docs/ are what
// `smart90 chart-demo` draws now, pixel for pixel; after a change to the
// charts, run `go run ./cmd/smart90 chart-demo -out docs` and commit.
func TestChartDemoIsCurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := Run(context.Background(), []string{"chart-demo", "-out", dir}, nil, io.Discard, io.Discard, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	for _, e := range chart.Examples() {
		name := "chart-" + e.Name
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatalf("docs/%s: %v (go run ./cmd/smart90 chart-demo -out docs writes it)", name, err)
		}
		if diff, err := charttest.Diff(want, got); err != nil || diff != "" {
			t.Errorf("docs/%s is out of date: %s %v (go run ./cmd/smart90 chart-demo -out docs)", name, diff, err)
		}
	}
}
