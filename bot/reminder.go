package bot

import "time"

// The reminder rule lives here, in one place: the scheduler plans a
// reminder with each daily check-in (ReminderAt) and, when the reminder
// comes due, asks ReminderDue what to do with it; Deliver then sends it
// only while the day's check-in is still unanswered.

// Reminds reports whether e sends a reminder after an unanswered check-in:
// a ReminderDelay of 0 (or less) turns reminders off.
func (e *Engagement) Reminds() bool { return e != nil && e.ReminderDelay > 0 }

// ReminderAt returns when the reminder of a check-in that went out (or is
// planned to go out) at checkin is due: ReminderDelay later. ok is false
// when e sends no reminders, or e is nil (the engagement is gone).
func (e *Engagement) ReminderAt(checkin time.Time) (due time.Time, ok bool) {
	if !e.Reminds() {
		return time.Time{}, false
	}
	return checkin.Add(e.ReminderDelay), true
}

// ReminderStep is what the sender does with a reminder that came due.
type ReminderStep int

// Reminder steps; see ReminderDue.
const (
	// ReminderSend: hand it to Deliver, which sends it unless the check-in
	// was answered meanwhile (then it is not needed: recorded skipped).
	ReminderSend ReminderStep = iota
	// ReminderSkip: not needed; record it skipped without sending.
	ReminderSkip
	// ReminderLater: not due yet; it is due at the instant ReminderDue
	// returns with it.
	ReminderLater
	// ReminderWait: the day's check-in is still pending or being retried;
	// ask again soon.
	ReminderWait
)

// ReminderDue applies the reminder rule to a reminder that came due at
// now, given its day's daily check-in delivery (nil when there is none)
// and its engagement (nil when it is gone). A reminder is not needed when
// the check-in never went out (none, missed, failed or skipped) or
// reminders are off; otherwise it is due ReminderDelay after the check-in
// was actually sent, which is later than planned when the check-in went
// out late. It is a pure function, safe for concurrent use.
func ReminderDue(daily *Delivery, e *Engagement, now time.Time) (ReminderStep, time.Time) {
	if daily == nil || !e.Reminds() {
		return ReminderSkip, time.Time{}
	}
	switch daily.State {
	case DeliveryMissed, DeliveryFailed, DeliverySkipped:
		return ReminderSkip, time.Time{}
	case DeliverySent:
		due, _ := e.ReminderAt(daily.SentAt)
		if due.After(now) {
			return ReminderLater, due
		}
		return ReminderSend, time.Time{}
	}
	return ReminderWait, time.Time{}
}
