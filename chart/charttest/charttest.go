// Package charttest compares chart pictures in tests.
package charttest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// Diff decodes two PNGs and says how their pixels differ: "" when they
// are the same picture, however the bytes were encoded.
func Diff(want, got []byte) (string, error) {
	w, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return "", fmt.Errorf("decode wanted PNG: %w", err)
	}
	g, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return "", fmt.Errorf("decode PNG: %w", err)
	}
	if w.Bounds() != g.Bounds() {
		return fmt.Sprintf("size %v, want %v", g.Bounds().Size(), w.Bounds().Size()), nil
	}
	n, first := 0, image.Point{}
	for y := w.Bounds().Min.Y; y < w.Bounds().Max.Y; y++ {
		for x := w.Bounds().Min.X; x < w.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := w.At(x, y).RGBA()
			r2, g2, b2, a2 := g.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				if n == 0 {
					first = image.Pt(x, y)
				}
				n++
			}
		}
	}
	if n > 0 {
		return fmt.Sprintf("%d pixels differ, the first at %v", n, first), nil
	}
	return "", nil
}
