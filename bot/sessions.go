// This file holds the coach's session commands: logging one after the
// fact, booking the next one ahead, cancelling it, and listing them.

package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxSessionLength is the longest session a coach can book.
const MaxSessionLength = 8 * time.Hour

// DefaultSessionMinutes is the length of a session booked without one,
// and of a session whose length is not known.
const DefaultSessionMinutes = 60

// sessionsShown bounds each part of the `sessions` list.
const sessionsShown = 10

// cmdSession: a coach books (`next`), cancels (`cancel`) or logs a session.
func (b *Bot) cmdSession(ctx context.Context, r *request, rest string) ([]Message, error) {
	word, rest, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if word == "" {
		return nil, usageError("Tell me which client, with a mention.", "session")
	}
	client, e, err := b.myClient(ctx, r, word, "session")
	if err != nil {
		return nil, err
	}
	rest = strings.TrimSpace(rest)
	sub, args, _ := strings.Cut(rest, " ")
	switch strings.ToLower(sub) {
	case "next":
		return b.bookSession(ctx, r, client, e, strings.Fields(args))
	case "cancel":
		return b.cancelSession(ctx, r, client, e, strings.Fields(args))
	}
	return b.logSession(ctx, r, client, e, rest)
}

// logSession logs a session that took place: today, or on the day the
// notes start with.
func (b *Bot) logSession(ctx context.Context, r *request, client *Person, e *Engagement, notes string) ([]Message, error) {
	day := r.today()
	if first, more, _ := strings.Cut(notes, " "); len(first) == 10 && first[4] == '-' {
		var err error
		if day, err = ParseDate(first); err != nil {
			return nil, usageError(ErrorMessage(err), "session")
		}
		notes = strings.TrimSpace(more)
	}
	if day.After(r.today()) {
		return nil, usageError(fmt.Sprintf("A session can't be logged in the future. To book one: `session @%s next %s 15:00`.", client.DisplayName, day), "session")
	}
	if err := b.checkLen("session notes", notes); err != nil {
		return nil, err
	}
	if err := b.store.CreateSession(ctx, &Session{EngagementID: e.ID, Day: day, Notes: notes, Source: SessionLogged, CreatedAt: r.now, UpdatedAt: r.now}); err != nil {
		return nil, fmt.Errorf("log session: %w", err)
	}
	return reply("Logged a session with %s on %s. `brief @%s` will start from here next time.", client.DisplayName, day, client.DisplayName), nil
}

// bookSession books a session ahead: "YYYY-MM-DD HH:MM [duration]", in
// the coach's zone.
func (b *Bot) bookSession(ctx context.Context, r *request, client *Person, e *Engagement, args []string) ([]Message, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, usageError(fmt.Sprintf("Tell me the day and the time, e.g. `session @%s next %s 15:00 45m`.", client.DisplayName, r.today().AddDays(7)), "session")
	}
	day, err := ParseDate(args[0])
	if err != nil {
		return nil, usageError(ErrorMessage(err), "session")
	}
	at, err := ParseClockTime(args[1])
	if err != nil {
		return nil, usageError(ErrorMessage(err), "session")
	}
	minutes := DefaultSessionMinutes
	if len(args) == 3 {
		if minutes, err = parseSessionLength(args[2]); err != nil {
			return nil, err
		}
	}
	loc := zoneOf(r.me)
	start := At(day, at, loc)
	if !start.After(r.now) {
		return nil, usageError(fmt.Sprintf("%s %s is already past in your time zone (%s); book a time ahead.", day, at, cmpZone(r.me.TimeZone)), "session")
	}
	if start.Sub(r.now) > 366*24*time.Hour {
		return nil, usageError("A session can be booked up to a year ahead.", "session")
	}
	// The same booking typed again would bring a second brief and notes
	// question for one meeting.
	booked, err := b.upcoming(ctx, e, r.now)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(booked, func(u *Session) bool { return u.Start.Equal(start) }) {
		return reply("A session with %s is already booked for %s. `sessions @%s` lists them; `session @%s cancel %s` cancels it.",
			client.DisplayName, shortWhen(start, loc), client.DisplayName, client.DisplayName, day), nil
	}
	s := &Session{EngagementID: e.ID, Day: DateOf(start.In(loc)), Start: start, Minutes: minutes,
		Source: SessionBooked, CreatedAt: r.now, UpdatedAt: r.now}
	if err := b.store.CreateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("book session: %w", err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Booked a session with %s: %s, %s", client.DisplayName, b.sessionWhen(r.me, client, s), lengthText(minutes))
	if got := start.In(loc).Format("15:04"); got != at.String() {
		// A time the clocks skip that night (spring forward).
		fmt.Fprintf(&sb, " (%s does not exist on %s in %s: the clocks go forward)", at, day, cmpZone(r.me.TimeZone))
	}
	lead := briefLead(r.me)
	if lead < 0 {
		sb.WriteString(".\nYour automatic brief is off; `settings brief 1h` turns it on.")
	} else if due := start.Add(-lead); due.After(r.now) {
		fmt.Fprintf(&sb, ".\nYour brief arrives %s before, at %s", shortDuration(lead), due.In(loc).Format("15:04"))
	} else {
		sb.WriteString(".\nYour brief arrives in a moment: the session is less than " + shortDuration(lead) + " away")
	}
	if lead >= 0 && e.Status == EngagementInvited {
		fmt.Fprintf(&sb, ", once %s has accepted your invitation.", client.DisplayName)
	} else if lead >= 0 {
		sb.WriteString(".")
	}
	if err := b.PlanSessions(ctx, s); err != nil {
		b.log.ErrorContext(ctx, "plan the brief of a booked session", "session", s.ID, "err", err)
		fmt.Fprintf(&sb, "\nI could not plan its brief just now; `brief @%s` works any time.", client.DisplayName)
	}
	up, err := b.upcoming(ctx, e, r.now)
	if err != nil {
		return nil, err
	}
	if len(up) > 1 {
		whens := make([]string, len(up))
		for i, u := range up {
			whens[i] = shortWhen(u.Start, loc)
		}
		fmt.Fprintf(&sb, "\nUpcoming with %s: %s.", client.DisplayName, strings.Join(whens, ", "))
	}
	return reply("%s", sb.String()), nil
}

// cancelSession cancels the client's next upcoming session, or the one
// on the day args name.
func (b *Bot) cancelSession(ctx context.Context, r *request, client *Person, e *Engagement, args []string) ([]Message, error) {
	if len(args) > 1 {
		return nil, usageError(fmt.Sprintf("Tell me the day, or nothing for the next session: `session @%s cancel`.", client.DisplayName), "session")
	}
	if len(args) == 1 && strings.EqualFold(args[0], "all") {
		return b.cancelAllSessions(ctx, r, client, e)
	}
	var day Date
	if len(args) == 1 {
		var err error
		if day, err = ParseDate(args[0]); err != nil {
			return nil, usageError(ErrorMessage(err), "session")
		}
	}
	up, err := b.upcoming(ctx, e, r.now)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(up, func(s *Session) bool { return day.IsZero() || DateOf(s.Start.In(zoneOf(r.me))) == day })
	if i < 0 {
		if day.IsZero() {
			return reply("%s has no upcoming session to cancel.", client.DisplayName), nil
		}
		return reply("%s has no upcoming session on %s to cancel. `sessions @%s` lists them.", client.DisplayName, day, client.DisplayName), nil
	}
	s := up[i]
	s.CancelledAt, s.UpdatedAt = r.now, r.now
	if err := b.store.UpdateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("cancel session: %w", err)
	}
	text := fmt.Sprintf("Cancelled the session with %s on %s", client.DisplayName, shortWhen(s.Start, zoneOf(r.me)))
	if d, err := b.store.DeliveryByKey(ctx, r.me.ID, DeliveryBrief, SessionPeriod(s.ID)); err == nil && d.State == DeliverySent {
		return reply("%s.", text), nil // its brief came already
	}
	return reply("%s; no brief will come for it.", text), nil
}

// cancelAllSessions cancels every upcoming session with the client (a
// coach whose client stops, or who moves their whole rhythm).
func (b *Bot) cancelAllSessions(ctx context.Context, r *request, client *Person, e *Engagement) ([]Message, error) {
	up, err := b.upcoming(ctx, e, r.now)
	if err != nil {
		return nil, err
	}
	if len(up) == 0 {
		return reply("%s has no upcoming session to cancel.", client.DisplayName), nil
	}
	whens := make([]string, 0, len(up))
	for _, s := range up {
		s.CancelledAt, s.UpdatedAt = r.now, r.now
		if err := b.store.UpdateSession(ctx, s); err != nil {
			if len(whens) > 0 {
				return nil, fmt.Errorf("cancel session (after cancelling %s): %w", strings.Join(whens, ", "), err)
			}
			return nil, fmt.Errorf("cancel session: %w", err)
		}
		whens = append(whens, shortWhen(s.Start, zoneOf(r.me)))
	}
	if len(whens) == 1 {
		return reply("Cancelled the session with %s on %s.", client.DisplayName, whens[0]), nil
	}
	return reply("Cancelled %d sessions with %s: %s.", len(whens), client.DisplayName, strings.Join(whens, ", ")), nil
}

// upcoming is the engagement's sessions that still stand and start after
// now, by Start.
func (b *Bot) upcoming(ctx context.Context, e *Engagement, now time.Time) ([]*Session, error) {
	ss, err := b.store.Sessions(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load sessions: %w", err)
	}
	ss = slices.DeleteFunc(ss, func(s *Session) bool { return s.Cancelled() || !s.Start.After(now) })
	slices.SortFunc(ss, func(a, b *Session) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	return ss, nil
}

// happened reports whether the session took place by now: it was not
// cancelled, and started by now (or, logged by day, was on a day up to
// today in loc).
func (s *Session) happened(now time.Time, loc *time.Location) bool {
	if s.Cancelled() {
		return false
	}
	if s.Start.IsZero() {
		return !s.Day.After(DateOf(now.In(loc)))
	}
	return !s.Start.After(now)
}

// lastHappened is the latest of ss (by Day, then ID) that happened by now
// and, when booked at a time, ended by now: a brief opened as a session
// starts covers the period before it, not the minutes since it began.
func lastHappened(ss []*Session, now time.Time, loc *time.Location) *Session {
	var last *Session
	for _, s := range ss {
		ended := s.Start.IsZero() || !s.Start.Add(time.Duration(cmp.Or(s.Minutes, DefaultSessionMinutes))*time.Minute).After(now)
		if s.happened(now, loc) && ended && (last == nil || !s.Day.Before(last.Day)) {
			last = s
		}
	}
	return last
}

// parseSessionLength reads a session's length: 45m, 1h, 1h30, 90 (minutes).
func parseSessionLength(s string) (int, error) {
	d, ok := parseHoursMinutes(s)
	if !ok || d <= 0 || d > MaxSessionLength {
		return 0, usageError(fmt.Sprintf("%q is not a session length; use minutes or hours up to 8h, e.g. 45m, 1h or 1h30.", clip(s, 20)), "session")
	}
	return int(d / time.Minute), nil
}

// parseHoursMinutes reads a length as people type it: "45" or "45m"
// (minutes), "1h", "1h30" or "1h30m". Minutes after hours are under 60
// ("1h60" is refused, not read as 2h); nothing else is a length ("1.5h",
// "90s", "-1h").
func parseHoursMinutes(s string) (time.Duration, bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	h, m := "", v
	if i := strings.IndexByte(v, 'h'); i >= 0 {
		h, m = v[:i], v[i+1:]
		if h == "" {
			return 0, false
		}
	}
	m = strings.TrimSuffix(m, "m")
	number := func(x string) (int, bool) {
		if x == "" || len(x) > 4 || strings.Trim(x, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	var d time.Duration
	if h != "" {
		n, ok := number(h)
		if !ok {
			return 0, false
		}
		d = time.Duration(n) * time.Hour
	}
	if m == "" {
		return d, h != ""
	}
	n, ok := number(m)
	if !ok || h != "" && n >= 60 {
		return 0, false
	}
	return d + time.Duration(n)*time.Minute, true
}

// lengthText is a session's length in words: "60 min".
func lengthText(minutes int) string {
	return fmt.Sprintf("%d min", cmp.Or(minutes, DefaultSessionMinutes))
}

// shortWhen is "Tue 2026-12-01 15:00" in loc.
func shortWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2006-01-02 15:04")
}

// sessionWhen names a session's start for its coach, with the client's
// own time when it reads differently there.
func (b *Bot) sessionWhen(coach, client *Person, s *Session) string {
	mine := shortWhen(s.Start, zoneOf(coach))
	theirs := shortWhen(s.Start, zoneOf(client))
	if theirs == mine {
		return mine
	}
	if DateOf(s.Start.In(zoneOf(coach))) == DateOf(s.Start.In(zoneOf(client))) {
		theirs = s.Start.In(zoneOf(client)).Format("15:04")
	}
	return fmt.Sprintf("%s (%s for %s, %s)", mine, theirs, client.DisplayName, cmpZone(client.TimeZone))
}

// briefLead is how long before a session the coach's brief arrives;
// negative when they turned it off.
func briefLead(coach *Person) time.Duration {
	if coach.BriefLead == BriefOff || coach.BriefLead < 0 {
		return -1
	}
	return cmp.Or(coach.BriefLead, DefaultBriefLead)
}

// sessionRow is one line of the `sessions` list.
type sessionRow struct {
	s      *Session
	client *Person
	at     time.Time // Start, or the day's midnight in the coach's zone for a session logged by day
}

// cmdSessions: a coach's upcoming and past sessions, of all clients or one.
func (b *Bot) cmdSessions(ctx context.Context, r *request, rest string) ([]Message, error) {
	words := strings.Fields(rest)
	if len(words) > 1 {
		return nil, usageError("Name one client, or none for all of them.", "sessions")
	}
	type pair struct {
		client *Person
		e      *Engagement
	}
	var es []pair
	title := "*Your sessions*"
	if len(words) == 1 {
		client, e, err := b.myClient(ctx, r, words[0], "sessions")
		if err != nil {
			return nil, err
		}
		es, title = []pair{{client, e}}, "*Your sessions with "+client.DisplayName+"*"
	} else {
		live, err := b.store.EngagementsForCoach(ctx, r.me.ID, EngagementInvited, EngagementActive, EngagementPaused)
		if err != nil {
			return nil, fmt.Errorf("load clients: %w", err)
		}
		for _, e := range live {
			client, err := b.store.Person(ctx, e.ClientID)
			if err != nil {
				return nil, fmt.Errorf("load client: %w", err)
			}
			es = append(es, pair{client, e})
		}
	}
	loc := zoneOf(r.me)
	var up, past []sessionRow
	for _, p := range es {
		ss, err := b.store.Sessions(ctx, p.e.ID)
		if err != nil {
			return nil, fmt.Errorf("load sessions: %w", err)
		}
		for _, s := range ss {
			row := sessionRow{s, p.client, cmp.Or(s.Start, s.Day.In(loc))}
			switch {
			case !s.Start.IsZero() && s.Start.After(r.now):
				up = append(up, row)
			case s.happened(r.now, loc):
				past = append(past, row)
			}
		}
	}
	byTime := func(a, b sessionRow) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.s.ID, b.s.ID)) }
	slices.SortFunc(up, byTime)
	slices.SortFunc(past, func(a, b sessionRow) int { return byTime(b, a) })
	if len(up) == 0 && len(past) == 0 {
		return reply("%s\nNone yet. Book one with `session @client next YYYY-MM-DD HH:MM`, or log one that took place with `session @client`.", title), nil
	}
	var sb strings.Builder
	sb.WriteString(title + "\n*Upcoming*\n")
	if len(up) == 0 {
		sb.WriteString("none booked\n")
	}
	for _, row := range up[:min(len(up), sessionsShown)] {
		line := fmt.Sprintf("%s · %s · %s · %s", shortWhen(row.s.Start, loc), row.client.DisplayName, lengthText(row.s.Minutes), row.s.Source)
		if row.s.Cancelled() {
			line = "~" + line + "~ cancelled"
		}
		sb.WriteString("• " + line + "\n")
	}
	if n := len(up) - sessionsShown; n > 0 {
		fmt.Fprintf(&sb, "…and %d more\n", n)
	}
	if len(past) > 0 {
		sb.WriteString("*Past*\n")
	}
	for _, row := range past[:min(len(past), sessionsShown)] {
		line := fmt.Sprintf("%s · %s", row.s.Day, row.client.DisplayName)
		if !row.s.Start.IsZero() {
			line = fmt.Sprintf("%s · %s · %s", shortWhen(row.s.Start, loc), row.client.DisplayName, row.s.Source)
		}
		if notes := strings.TrimSpace(row.s.Notes); notes != "" {
			line += " — " + Disarm(clipLine(notes, 80))
		}
		sb.WriteString("• " + line + "\n")
	}
	if n := len(past) - sessionsShown; n > 0 {
		fmt.Fprintf(&sb, "…and %d earlier\n", n)
	}
	return reply("%s", strings.TrimRight(sb.String(), "\n")), nil
}

// clipLine is the first line of s, cut to n runes with "…" when longer.
func clipLine(s string, n int) string {
	line, _, more := strings.Cut(s, "\n")
	if c := clip(line, n); c != line || more {
		return strings.TrimSpace(c) + "…"
	}
	return line
}

// NoSessionDays is how far ahead a digest looks for a client's next
// session: a client with none booked within it shows as "no session
// booked", for a coach who books sessions.
const NoSessionDays = 21

// usesSessions reports whether the coach of these histories books
// sessions or has them from a calendar, one in the last 90 days or still
// to come, as of asOf: only then does a missing one say something. A coach
// who stopped booking long ago is not reminded every week.
func usesSessions(hs map[int64]*History, asOf time.Time) bool {
	since := asOf.AddDate(0, 0, -DefaultCycleDays)
	for _, h := range hs {
		for _, s := range h.Sessions {
			if (s.Source == SessionBooked || s.Source == SessionCalendar) && s.Start.After(since) {
				return true
			}
		}
	}
	return false
}

// sessionBooked reports whether one of ss still stands and starts within
// days after asOf.
func sessionBooked(ss []*Session, asOf time.Time, days int) bool {
	for _, s := range ss {
		if !s.Cancelled() && s.Start.After(asOf) && !s.Start.After(asOf.AddDate(0, 0, days)) {
			return true
		}
	}
	return false
}

// Bounds of a coach's brief lead (`settings brief 30m`).
const (
	MinBriefLead = 5 * time.Minute
	MaxBriefLead = 24 * time.Hour
)

// parseBriefLead reads `settings brief 30m|2h|off`.
func parseBriefLead(v string) (time.Duration, error) {
	if strings.EqualFold(v, "off") {
		return BriefOff, nil
	}
	d, ok := parseHoursMinutes(v)
	if !ok || d < MinBriefLead || d > MaxBriefLead {
		return 0, Errorf(EINVALID, "The brief comes `off` or a time from 5m to 24h before each session, e.g. `settings brief 30m` or `settings brief 2h`.")
	}
	return d, nil
}

// parseEmail reads `settings email ana@example.com`, loosely: one "@"
// with something on each side, no space, at most MaxEmailLen; lower case.
func parseEmail(v string) (string, error) {
	addr := strings.ToLower(strings.TrimSpace(v))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || strings.ContainsAny(addr, " \t<>") ||
		len(addr) > MaxEmailLen || CheckText("e-mail address", addr, MaxEmailLen) != nil {
		return "", Errorf(EINVALID, "%q is not an e-mail address; use e.g. `settings email ana@example.com`.", clip(v, 60))
	}
	return addr, nil
}

// briefText is the coach's brief setting in words.
func briefText(coach *Person) string {
	lead := briefLead(coach)
	if lead < 0 {
		return "Brief before each session: off, and no notes question after it (`settings brief 1h` turns both on)"
	}
	return fmt.Sprintf("Brief before each session: %s before, in a DM, and a notes question after it (`settings brief 30m|off`)", shortDuration(lead))
}

// replanCoach plans the deliveries of the coach's upcoming sessions anew
// (their brief lead changed).
func (b *Bot) replanCoach(ctx context.Context, coach *Person, now time.Time) error {
	ss, err := b.store.CoachSessions(ctx, coach.ID, now, now.Add(400*24*time.Hour))
	if err != nil {
		return fmt.Errorf("load upcoming sessions: %w", err)
	}
	return b.PlanSessions(ctx, ss...)
}
