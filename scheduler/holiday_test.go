package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// tickDays runs the scheduler at 08:00, 10:00 and 14:00 UTC (09:00, 11:00
// and 15:00 in Paris in winter) on each day of December 2026 from..to.
func (b *bundle) tickDays(t *testing.T, from, to int) {
	t.Helper()
	for day := from; day <= to; day++ {
		for _, hm := range []string{"08:00", "10:00", "14:00"} {
			b.tickAt(t, fmt.Sprintf("2026-12-%02d %s", day, hm))
		}
	}
}

// TestHolidaySkippedWeeklyMoved: Christmas Day 2026 is a Friday in
// France. Ana's check-in that day is recorded skipped with its reason and
// without a reminder, and her Friday weekly report comes on Thursday,
// still filed under its week.
func TestHolidaySkippedWeeklyMoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	b.clock.Set(time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC))
	b.tickDays(t, 21, 27)
	want := []string{"daily 2026-12-21", "daily 2026-12-22", "daily 2026-12-23", "daily 2026-12-24", "digest 2026-W51",
		"reminder 2026-12-21", "reminder 2026-12-22", "reminder 2026-12-23", "reminder 2026-12-24", "weekly 2026-W52"}
	// Sorted: Monday's digest and check-in go out in the same tick, by
	// concurrent senders, in either order.
	got := b.del.kinds()
	slices.Sort(got)
	if !equal(got, want) {
		t.Fatalf("deliveries = %v\nwant %v", got, want)
	}
	fri, err := b.store.DeliveryByKey(ctx, b.ana.ID, bot.DeliveryDaily, "2026-12-25")
	must(t, err)
	if fri.State != bot.DeliverySkipped || fri.SkipReason != "public holiday: Christmas Day" {
		t.Errorf("Christmas Day: %s %q, want skipped for the public holiday", fri.State, fri.SkipReason)
	}
	if _, err := b.store.DeliveryByKey(ctx, b.ana.ID, bot.DeliveryReminder, "2026-12-25"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("a reminder for Christmas Day: %v", err)
	}
	wk, err := b.store.DeliveryByKey(ctx, b.ana.ID, bot.DeliveryWeekly, "2026-W52")
	must(t, err)
	if thu := time.Date(2026, 12, 24, 14, 0, 0, 0, time.UTC); !wk.DueAt.Equal(thu) || wk.SkipReason != "" {
		t.Errorf("weekly report due %s %q, want Thursday 15:00 Paris", wk.DueAt, wk.SkipReason)
	}
}

// TestHolidayCountryAndOff: a country set in the settings wins over the
// zone's (Boxing Day's substitute, Monday 28 December, is a holiday in
// the United Kingdom, not in France); holidays off plans every workday.
func TestHolidayCountryAndOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		country     string
		off         bool
		fri, mon    bot.DeliveryState
		weeklyMoved bool
	}{
		{"zone: France", "", false, bot.DeliverySkipped, bot.DeliverySent, true},
		{"country GB", "GB", false, bot.DeliverySkipped, bot.DeliverySkipped, true},
		{"holidays off", "GB", true, bot.DeliverySent, bot.DeliverySent, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.ana.Country, b.ana.HolidaysOff = tc.country, tc.off
			must(t, b.store.UpdatePerson(ctx, b.ana))
			b.clock.Set(time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC))
			b.tickDays(t, 21, 28)
			for day, want := range map[string]bot.DeliveryState{"2026-12-25": tc.fri, "2026-12-28": tc.mon} {
				d, err := b.store.DeliveryByKey(ctx, b.ana.ID, bot.DeliveryDaily, day)
				must(t, err)
				if d.State != want {
					t.Errorf("%s: %s %q, want %s", day, d.State, d.SkipReason, want)
				}
			}
			wk, err := b.store.DeliveryByKey(ctx, b.ana.ID, bot.DeliveryWeekly, "2026-W52")
			must(t, err)
			if moved := wk.DueAt.Day() == 24; moved != tc.weeklyMoved {
				t.Errorf("weekly report due %s, moved %v, want %v", wk.DueAt, moved, tc.weeklyMoved)
			}
		})
	}
}

// TestHolidayWeekWithoutWorkday: a client who works Fridays only has no
// day for the weekly report of Christmas week: it is recorded skipped,
// with its reason.
func TestHolidayWeekWithoutWorkday(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	b.eng.Workdays = 1 << time.Friday
	must(t, b.store.UpdateEngagement(ctx, b.eng))
	b.clock.Set(time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC))
	b.tickDays(t, 21, 27)
	if got := b.del.kinds(); !equal(got, []string{"digest 2026-W51"}) {
		t.Fatalf("deliveries = %v, want the coach's digest only", got)
	}
	wk, err := b.store.DeliveryByKey(ctx, b.ana.ID, bot.DeliveryWeekly, "2026-W52")
	must(t, err)
	if wk.State != bot.DeliverySkipped || wk.SkipReason != "public holiday: Christmas Day" {
		t.Errorf("weekly report: %s %q, want skipped for the public holiday", wk.State, wk.SkipReason)
	}
}
