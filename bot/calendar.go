package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smart90/smart90/ics"
)

// calendarUsage is the usage of the calendar sub-commands.
const calendarUsage = "`calendar <secret ICS address>` — connect your calendar\n" +
	"`calendar` — how it is going\n" +
	"`calendar off` — disconnect it"

// cmdCalendar: a coach connects, checks or disconnects their calendar.
func (b *Bot) cmdCalendar(ctx context.Context, r *request, rest string) ([]Message, error) {
	switch strings.ToLower(rest) {
	case "":
		return b.calendarStatus(ctx, r)
	case "off", "disconnect":
		return b.calendarOff(ctx, r)
	}
	return b.calendarConnect(ctx, r, rest)
}

// calendarConnect connects the address in rest, replacing any calendar
// connected; it is read at once (the next syncer run).
func (b *Bot) calendarConnect(ctx context.Context, r *request, rest string) ([]Message, error) {
	if r.ev.Channel != "" {
		// Typed where others read it (a Teams channel): the address is
		// a secret, and it is not one any more.
		return reply("I did not connect it: your calendar's address is a secret, and everyone in this channel can read what you typed. " +
			"Reset the secret address in your calendar's settings, then send the new one in your 1:1 chat with me."), nil
	}
	raw := strings.Trim(strings.TrimSpace(rest), "<>")
	if len(strings.Fields(raw)) != 1 {
		return nil, usageError("Give me one address: the secret address in iCal format your calendar publishes.", "calendar")
	}
	if len(raw) > MaxCalendarURLLen {
		return nil, usageError(fmt.Sprintf("That address is %d characters long; the limit is %d.", len(raw), MaxCalendarURLLen), "calendar")
	}
	u, err := ics.NormalizeURL(raw)
	if err != nil {
		return nil, usageError(capitalize(err.Error())+".", "calendar")
	}
	c := &Calendar{CoachID: r.me.ID, URL: []byte(u.String()), NextFetchAt: r.now, CreatedAt: r.now, UpdatedAt: r.now}
	if err := b.store.PutCalendar(ctx, c); err != nil {
		return nil, fmt.Errorf("connect calendar: %w", err)
	}
	return reply("Connected your calendar (%s). I read it every %s; events with a client as attendee (their `settings email`) "+
		"or with their name in the title become sessions.", u.Hostname(), minutesText(CalendarEvery)), nil
}

// calendarStatus says how the coach's calendar is going: never its
// address, only its host.
func (b *Bot) calendarStatus(ctx context.Context, r *request) ([]Message, error) {
	c, err := b.store.Calendar(ctx, r.me.ID)
	if ErrorCode(err) == ENOTFOUND {
		return reply("No calendar is connected. Connect the secret address in iCal format your calendar publishes "+
			"(Google Calendar: Settings → your calendar → Secret address in iCal format; Outlook: Settings → Calendar → "+
			"Shared calendars → Publish a calendar → ICS):\n%s", calendarUsage), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	loc := r.local().Location()
	when := func(t time.Time) string {
		if t.IsZero() {
			return "not yet"
		}
		return t.In(loc).Format("Mon 2 Jan 15:04")
	}
	host := "?"
	if u, err := ics.NormalizeURL(string(c.URL)); err == nil {
		host = u.Hostname()
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Your calendar* (%s)\n", host)
	fmt.Fprintf(&sb, "Last read: %s · next: %s\n", when(c.LastSyncAt), when(maxTime(c.NextFetchAt, r.now)))
	if !c.FailingSince.IsZero() {
		fmt.Fprintf(&sb, "Failing since %s: %s\n", when(c.FailingSince), Disarm(c.LastError))
	}
	n, err := b.upcomingCalendarSessions(ctx, r.me.ID, r.now, r.now.Add(21*24*time.Hour))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&sb, "Sessions from it in the next 3 weeks: %d\n", n)
	sb.WriteString(calendarUsage)
	return reply("%s", sb.String()), nil
}

// upcomingCalendarSessions counts the coach's calendar sessions that
// stand and start in [from, to).
func (b *Bot) upcomingCalendarSessions(ctx context.Context, coachID int64, from, to time.Time) (int, error) {
	ss, err := b.store.CoachSessions(ctx, coachID, from, to)
	if err != nil {
		return 0, fmt.Errorf("load sessions: %w", err)
	}
	n := 0
	for _, s := range ss {
		if s.Source == SessionCalendar && !s.Cancelled() {
			n++
		}
	}
	return n, nil
}

// calendarOff disconnects the coach's calendar and cancels its sessions
// still to come: nothing reads them any more.
func (b *Bot) calendarOff(ctx context.Context, r *request) ([]Message, error) {
	if err := b.store.DeleteCalendar(ctx, r.me.ID); ErrorCode(err) == ENOTFOUND {
		return reply("No calendar is connected."), nil
	} else if err != nil {
		return nil, fmt.Errorf("disconnect calendar: %w", err)
	}
	changed, err := b.store.SyncCalendarSessions(ctx, r.me.ID, r.now, r.now, nil)
	if err != nil {
		return nil, fmt.Errorf("cancel calendar sessions: %w", err)
	}
	if err := b.PlanSessions(ctx, changed...); err != nil {
		return nil, fmt.Errorf("plan cancelled sessions: %w", err)
	}
	text := "Disconnected your calendar; I no longer read it."
	if len(changed) > 0 {
		verb := "are"
		if len(changed) == 1 {
			verb = "is"
		}
		text += fmt.Sprintf(" %s from it %s cancelled here; sessions you book with `session` stay.", plural(len(changed), "upcoming session"), verb)
	}
	return reply("%s", text), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
