package inproc_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/coordtest"
	"github.com/smart90/smart90/store/inproc"
)

func TestCoord(t *testing.T) {
	t.Parallel()
	coordtest.Run(t, func(testing.TB) coordtest.Coord {
		c := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		return coordtest.Coord{
			State:   inproc.NewState(c),
			Deduper: inproc.NewDeduper(c),
			Limiter: inproc.NewRateLimiter(c),
			Advance: c.Advance,
		}
	})
}
