package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/smart90/smart90/chart"
)

// runChartDemo writes the sample charts README shows (docs/chart-*.png);
// a test keeps the committed ones current.
func runChartDemo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chart-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "docs", "the directory to write the charts into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("chart-demo takes no arguments, got %q", fs.Args())
	}
	for _, e := range chart.Examples() {
		png, err := e.Chart.PNG()
		if err != nil {
			return fmt.Errorf("chart-demo: draw %s: %w", e.Name, err)
		}
		name := filepath.Join(*out, "chart-"+e.Name)
		if err := writeFileAtomic(name, func(w io.Writer) error { _, err := io.Copy(w, bytes.NewReader(png)); return err }); err != nil {
			return fmt.Errorf("chart-demo: %w", err)
		}
		fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", name, len(png))
	}
	return nil
}
