package bot_test

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// TestReminderDue is the reminder rule's table: when a reminder that came
// due is sent, skipped, moved later or asked about again.
func TestReminderDue(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	on := &bot.Engagement{ReminderDelay: 2 * time.Hour}
	off := &bot.Engagement{}
	sent := func(at time.Time) *bot.Delivery { return &bot.Delivery{State: bot.DeliverySent, SentAt: at} }
	state := func(s bot.DeliveryState) *bot.Delivery { return &bot.Delivery{State: s} }
	tests := []struct {
		name  string
		daily *bot.Delivery
		e     *bot.Engagement
		step  bot.ReminderStep
		due   time.Time
	}{
		{"sent on time", sent(now.Add(-2 * time.Hour)), on, bot.ReminderSend, time.Time{}},
		{"sent long ago", sent(now.Add(-5 * time.Hour)), on, bot.ReminderSend, time.Time{}},
		{"sent late", sent(now.Add(-45 * time.Minute)), on, bot.ReminderLater, now.Add(75 * time.Minute)},
		{"reminders off", sent(now.Add(-2 * time.Hour)), off, bot.ReminderSkip, time.Time{}},
		{"engagement gone", sent(now.Add(-2 * time.Hour)), nil, bot.ReminderSkip, time.Time{}},
		{"no check-in", nil, on, bot.ReminderSkip, time.Time{}},
		{"check-in missed", state(bot.DeliveryMissed), on, bot.ReminderSkip, time.Time{}},
		{"check-in failed", state(bot.DeliveryFailed), on, bot.ReminderSkip, time.Time{}},
		{"check-in skipped", state(bot.DeliverySkipped), on, bot.ReminderSkip, time.Time{}},
		{"check-in pending", state(bot.DeliveryPending), on, bot.ReminderWait, time.Time{}},
		{"check-in pending, reminders off", state(bot.DeliveryPending), off, bot.ReminderSkip, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			step, due := bot.ReminderDue(tt.daily, tt.e, now)
			if step != tt.step || !due.Equal(tt.due) {
				t.Errorf("ReminderDue = %v, %v; want %v, %v", step, due, tt.step, tt.due)
			}
		})
	}
}

// TestReminderAt: a reminder is due ReminderDelay after its check-in, and
// there is none when reminders are off or the engagement is gone.
func TestReminderAt(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if due, ok := (&bot.Engagement{ReminderDelay: 90 * time.Minute}).ReminderAt(at); !ok || !due.Equal(at.Add(90*time.Minute)) {
		t.Errorf("ReminderAt with a 90m delay = %v, %v", due, ok)
	}
	for _, e := range []*bot.Engagement{{}, {ReminderDelay: -time.Minute}, nil} {
		if due, ok := e.ReminderAt(at); ok {
			t.Errorf("ReminderAt(%+v) = %v, true; want no reminder", e, due)
		}
	}
}
