package bot

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smart90/smart90/ics"
)

// Calendar reading's bounds.
const (
	// CalendarLease is how long a replica holds a calendar it claimed:
	// longer than a fetch and a sync take, short enough that a replica
	// that died mid-fetch delays the calendar by two minutes only.
	CalendarLease = 2 * time.Minute
	// CalendarTimeout is how long a fetch may take by default.
	CalendarTimeout = 10 * time.Second
	// CalendarBehind and CalendarAhead are the window of events read:
	// from a day ago (a session running late or just over still counts)
	// to 60 days ahead.
	CalendarBehind = 24 * time.Hour
	CalendarAhead  = 60 * 24 * time.Hour
	// CalendarFullRead is the period of full reads: within one, reads are
	// conditional (If-None-Match); the first of each reads the file in
	// full, as the window of events moves even when the file does not.
	CalendarFullRead = 6 * time.Hour
)

// CalendarSyncer reads the coaches' connected calendars when they are
// due and turns their events into sessions. Replicas each run one; the
// store's claims give each due calendar to one of them. It is safe for
// concurrent use.
type CalendarSyncer struct {
	Bot *Bot // required
	// HTTP fetches the calendars (default: a client with no timeout of
	// its own; Timeout bounds each fetch).
	HTTP *http.Client
	// Every is how often a calendar is read (default CalendarEvery).
	Every time.Duration
	// Limit is how many calendars one RunOnce claims (default 20).
	Limit int
	// Workers is how many calendars one RunOnce reads at once (default
	// 4): with Limit and Timeout, all of a claim is read well within its
	// lease, so no other replica claims one meanwhile.
	Workers int
	// Timeout bounds each fetch (default CalendarTimeout).
	Timeout time.Duration
	// MaxBytes is the largest calendar read (default ics.DefaultMaxBytes;
	// SMART90_CALENDAR_MAX_BYTES).
	MaxBytes int64
}

// RunOnce reads the calendars due now and returns how many it read. A
// calendar that fails is reported to its coach (once per failure) and
// tried again after Every; an error is returned only when the store
// could not be reached.
func (s *CalendarSyncer) RunOnce(ctx context.Context) (int, error) {
	b := s.Bot
	now := b.clock.Now().UTC()
	cs, err := b.store.ClaimCalendars(ctx, now, CalendarLease, cmp.Or(s.Limit, 20))
	if err != nil {
		return 0, err
	}
	timeout := cmp.Or(s.Timeout, CalendarTimeout)
	work := make(chan *Calendar)
	var wg sync.WaitGroup
	for range min(cmp.Or(s.Workers, 4), len(cs)) {
		wg.Go(func() {
			for c := range work {
				// Too close to the end of its lease, another replica may
				// claim it while it is read: it waits for the next claim.
				if b.clock.Now().Add(timeout + 10*time.Second).After(c.LeaseUntil) {
					continue
				}
				if err := s.sync(ctx, c, now); err != nil {
					// The lease runs out and another run tries again.
					b.log.WarnContext(ctx, "sync calendar", "coach", c.CoachID, "err", err)
				}
			}
		})
	}
	for _, c := range cs {
		work <- c
	}
	close(work)
	wg.Wait()
	return len(cs), nil
}

// sync reads one claimed calendar. Failures of the calendar itself are
// recorded on it and told to the coach; the returned error is the
// store's.
func (s *CalendarSyncer) sync(ctx context.Context, c *Calendar, now time.Time) error {
	b := s.Bot
	coach, inst, err := b.store.Recipient(ctx, c.CoachID)
	if err != nil {
		return err
	}
	if inst.Status != InstallationActive {
		// Uninstalled: not read, and looked at again later.
		c.NextFetchAt, c.LeaseUntil, c.UpdatedAt = now.Add(cmp.Or(s.Every, CalendarEvery)), time.Time{}, now
		if err := b.store.UpdateCalendar(ctx, c); err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
		return nil
	}
	// Conditional within a CalendarFullRead period, in full at the first
	// read of each: the window moves even when the file does not.
	v := ics.Validators{ETag: c.ETag, LastModified: c.LastModified}
	if c.LastSyncAt.IsZero() || !now.Truncate(CalendarFullRead).Equal(c.LastSyncAt.Truncate(CalendarFullRead)) {
		v = ics.Validators{}
	}
	fctx, cancel := context.WithTimeout(ctx, cmp.Or(s.Timeout, CalendarTimeout))
	body, next, notModified, failure := ics.Fetch(fctx, s.HTTP, string(c.URL), v, s.MaxBytes)
	cancel()
	var changed []*Session
	if failure == nil && !notModified {
		var events []ics.Event
		events, failure = ics.Occurrences(body, now.Add(-CalendarBehind), now.Add(CalendarAhead), zoneOf(coach))
		if failure == nil {
			ss, err := b.calendarSessions(ctx, coach, events)
			if err != nil {
				return err
			}
			changed, err = b.store.SyncCalendarSessions(ctx, c.CoachID, now, now.Add(-CalendarBehind), ss)
			if ErrorCode(err) == ENOTFOUND {
				return nil // disconnected while it was read
			}
			if err != nil {
				return err
			}
		}
	}
	c.NextFetchAt, c.LeaseUntil, c.UpdatedAt = now.Add(cmp.Or(s.Every, CalendarEvery)), time.Time{}, now
	tell := ""
	if failure != nil {
		if c.FailingSince.IsZero() {
			c.FailingSince = now
		}
		c.LastError = clip(failure.Error(), 300)
		if !c.Reported {
			tell = "I couldn't read your calendar: " + Disarm(c.LastError) + ". I'll keep trying every " +
				minutesText(cmp.Or(s.Every, CalendarEvery)) + "; sessions you book with `session` are not affected."
			c.Reported = true
		}
		b.log.InfoContext(ctx, "calendar failed", "coach", c.CoachID, "reason", c.LastError)
	} else {
		if c.Reported {
			tell = "Your calendar works again."
		}
		c.FailingSince, c.LastError, c.Reported = time.Time{}, "", false
		c.ETag, c.LastModified, c.LastSyncAt = next.ETag, next.LastModified, now
	}
	if err := b.store.UpdateCalendar(ctx, c); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil // disconnected meanwhile
		}
		return err
	}
	if tell != "" {
		b.notify(ctx, inst, coach, tell)
	}
	if len(changed) > 0 {
		b.log.InfoContext(ctx, "calendar sessions changed", "coach", c.CoachID, "n", len(changed))
		if err := b.PlanSessions(ctx, changed...); err != nil {
			return err
		}
	}
	return nil
}

// minutesText is d in words: "15 minutes", "hour", "2 hours".
func minutesText(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}

// calendarClient is a client of a coach, as events are matched to them.
type calendarClient struct {
	eng   *Engagement
	email string
	name  string // lower case
	first string // lower case; "" when another client has the same first name
}

// calendarSessions turns a coach's events into sessions with their
// clients: an event is a session with the one client who is among its
// attendees (by e-mail address), or, with no attendee of theirs, the one
// client whose name, or first name when no other client shares it, is
// in its title as whole words. All-day events, events longer than
// MaxSessionLength (a conference, a trip) and events that name no
// client, or several, are not sessions.
func (b *Bot) calendarSessions(ctx context.Context, coach *Person, events []ics.Event) ([]*Session, error) {
	engs, err := b.store.EngagementsForCoach(ctx, coach.ID, EngagementActive, EngagementPaused)
	if err != nil {
		return nil, err
	}
	var clients []calendarClient
	firsts := map[string]int{}
	for _, e := range engs {
		p, err := b.store.Person(ctx, e.ClientID)
		if err != nil {
			return nil, err
		}
		name := strings.ToLower(strings.TrimSpace(p.DisplayName))
		first, _, _ := strings.Cut(name, " ")
		if utf8.RuneCountInString(first) < 3 || first == name {
			first = ""
		}
		firsts[first]++
		clients = append(clients, calendarClient{eng: e, email: strings.ToLower(p.Email), name: name, first: first})
	}
	for i := range clients {
		if firsts[clients[i].first] > 1 {
			clients[i].first = ""
		}
	}
	zone := zoneOf(coach)
	var out []*Session
	seen := map[SessionKey]bool{}
	for _, ev := range events {
		if ev.AllDay || ev.End.Sub(ev.Start) > MaxSessionLength {
			continue
		}
		c := matchClient(clients, ev)
		if c == nil {
			continue
		}
		s := &Session{EngagementID: c.eng.ID, Source: SessionCalendar, UID: eventUID(ev),
			Start: ev.Start.UTC(), Day: DateOf(ev.Start.In(zone)), Minutes: int(ev.End.Sub(ev.Start) / time.Minute)}
		k := SessionKey{s.EngagementID, s.UID}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out, nil
}

// matchClient returns the one client ev names, or nil.
func matchClient(clients []calendarClient, ev ics.Event) *calendarClient {
	var byMail, byName []*calendarClient
	for i := range clients {
		c := &clients[i]
		for _, a := range ev.Attendees {
			if c.email != "" && a == c.email {
				byMail = append(byMail, c)
				break
			}
		}
		if c.name != "" && hasPhrase(ev.Summary, c.name) || c.first != "" && hasPhrase(ev.Summary, c.first) {
			byName = append(byName, c)
		}
	}
	switch {
	case len(byMail) == 1:
		return byMail[0]
	case len(byMail) == 0 && len(byName) == 1:
		return byName[0]
	}
	return nil
}

// eventUID is a calendar session's UID: the event's, with the
// occurrence's original start for a recurring event. A UID too long to
// store is replaced by its hash.
func eventUID(ev ics.Event) string {
	uid := ev.UID
	rid := ""
	if !ev.RecurrenceID.IsZero() {
		rid = "/" + ev.RecurrenceID.UTC().Format("20060102T150405Z")
	}
	if len(uid)+len(rid) > MaxIDLen || CheckID("calendar event id", uid) != nil {
		sum := sha256.Sum256([]byte(uid))
		uid = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return uid + rid
}
