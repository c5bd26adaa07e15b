package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// settingsChange is a validated change to a person's schedule.
type settingsChange struct {
	checkin       *ClockTime
	days          *Weekdays
	weeklyDay     *time.Weekday
	weeklyTime    *ClockTime
	tz            *string
	reminder      *time.Duration
	digestDay     *time.Weekday
	digestTime    *ClockTime
	evening       *ClockTime     // the person's EveningTime; EveningOff for off
	briefLead     *time.Duration // a coach's BriefLead; BriefOff for off
	email         *string        // the person's Email, lower case
	country       *string        // the person's Country: "" for their zone's
	holidaysOff   *bool          // the person's HolidaysOff
	touchesClient bool
}

// parseSettings reads "time 08:30 days mon-thu weekly fri 15:00 tz Europe/Paris reminder off evening 18:30".
func parseSettings(args string) (settingsChange, error) {
	var c settingsChange
	w := strings.Fields(args)
	need := func(i, n int, key string) error {
		if i+n >= len(w) {
			return usageError(fmt.Sprintf("`%s` needs a value.", key), "settings")
		}
		return nil
	}
	for i := 0; i < len(w); i++ {
		key := strings.ToLower(w[i])
		switch key {
		case "time":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			t, err := ParseClockTime(w[i+1])
			if err != nil {
				return c, err
			}
			c.checkin, c.touchesClient, i = &t, true, i+1
		case "days":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			d, err := ParseWeekdays(w[i+1])
			if err != nil {
				return c, err
			}
			c.days, c.touchesClient, i = &d, true, i+1
		case "weekly", "digest":
			if err := need(i, 2, key); err != nil {
				return c, err
			}
			day, err := ParseWeekday(w[i+1])
			if err != nil {
				return c, err
			}
			t, err := ParseClockTime(w[i+2])
			if err != nil {
				return c, err
			}
			if key == "weekly" {
				c.weeklyDay, c.weeklyTime, c.touchesClient = &day, &t, true
			} else {
				c.digestDay, c.digestTime = &day, &t
			}
			i += 2
		case "tz", "timezone":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			if _, err := LoadZone(w[i+1]); err != nil {
				return c, err
			}
			c.tz, i = &w[i+1], i+1
		case "reminder":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			var d time.Duration
			if v := strings.ToLower(w[i+1]); v != "off" {
				var err error
				if d, err = time.ParseDuration(v); err != nil || d < 15*time.Minute || d > 12*time.Hour {
					return c, Errorf(EINVALID, "The reminder delay is `off` or a duration from 15m to 12h, e.g. `reminder 2h`.")
				}
			}
			c.reminder, c.touchesClient, i = &d, true, i+1
		case "evening":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			t := EveningOff
			if v := strings.ToLower(w[i+1]); v != "off" {
				var err error
				if t, err = ParseClockTime(v); err != nil || t < 12*60 {
					return c, Errorf(EINVALID, "The evening is `off` or a time from 12:00 to 23:59, e.g. `evening 18:30`: from then on `checkin` answers the next workday.")
				}
			}
			c.evening, i = &t, i+1
		case "brief":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			lead, err := parseBriefLead(w[i+1])
			if err != nil {
				return c, err
			}
			c.briefLead, i = &lead, i+1
		case "email", "e-mail":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			addr, err := parseEmail(w[i+1])
			if err != nil {
				return c, err
			}
			c.email, i = &addr, i+1
		case "country":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			code, err := parseCountry(w[i+1])
			if err != nil {
				return c, err
			}
			c.country, i = &code, i+1
		case "holidays":
			if err := need(i, 1, key); err != nil {
				return c, err
			}
			v := strings.ToLower(w[i+1])
			if v != "on" && v != "off" {
				return c, Errorf(EINVALID, "Public holidays are `on` (no check-in on them) or `off`, e.g. `settings holidays off`.")
			}
			off := v == "off"
			c.holidaysOff, i = &off, i+1
		default:
			return c, usageError(fmt.Sprintf("I don't know the setting %q.", w[i]), "settings")
		}
	}
	return c, nil
}

// cmdSettings shows or changes the schedule and time zone.
func (b *Bot) cmdSettings(ctx context.Context, r *request, rest string) ([]Message, error) {
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if ErrorCode(err) == ENOTFOUND {
		e = nil
	} else if err != nil {
		return nil, fmt.Errorf("load engagement: %w", err)
	}
	if strings.TrimSpace(rest) == "" {
		return []Message{{Text: settingsText(r.me, e, r.today()), Form: settingsForm(r.me, e), Ephemeral: true}}, nil
	}
	if first, more, _ := strings.Cut(strings.TrimSpace(rest), " "); strings.HasPrefix(first, "<@") {
		return b.clientReminder(ctx, r, first, more)
	}
	c, err := parseSettings(rest)
	if err != nil {
		return nil, err
	}
	return b.applySettings(ctx, r, e, c)
}

// applySettings stores a validated change: the engagement first, then the
// person, so a refusal stores nothing.
func (b *Bot) applySettings(ctx context.Context, r *request, e *Engagement, c settingsChange) ([]Message, error) {
	if (c.touchesClient || c.evening != nil || c.country != nil || c.holidaysOff != nil) && e == nil {
		return nil, Errorf(EINVALID, "Check-in times are for clients; as a coach you can set `tz` and `digest <day> <HH:MM>`.")
	}
	if (c.digestDay != nil) && !r.me.IsCoach {
		return nil, notCoach("The digest setting")
	}
	if c.briefLead != nil && !r.me.IsCoach {
		return nil, notCoach("The brief setting")
	}
	if c.touchesClient {
		set(&e.CheckinTime, c.checkin)
		set(&e.Workdays, c.days)
		set(&e.WeeklyWeekday, c.weeklyDay)
		set(&e.WeeklyTime, c.weeklyTime)
		set(&e.ReminderDelay, c.reminder)
		if e.Workdays == 0 {
			return nil, Errorf(EINVALID, "Pick at least one workday.")
		}
		e.UpdatedAt = r.now
		if err := b.store.UpdateEngagement(ctx, e); err != nil {
			return nil, fmt.Errorf("save settings: %w", err)
		}
	}
	if c.evening != nil && *c.evening == r.me.Evening() {
		c.evening = nil // the default stays the default (a form sends it back)
	}
	if c.tz != nil || c.digestDay != nil || c.evening != nil || c.briefLead != nil || c.email != nil ||
		c.country != nil || c.holidaysOff != nil {
		set(&r.me.BriefLead, c.briefLead)
		set(&r.me.Email, c.email)
		set(&r.me.TimeZone, c.tz)
		set(&r.me.Country, c.country)
		set(&r.me.HolidaysOff, c.holidaysOff)
		set(&r.me.DigestWeekday, c.digestDay)
		set(&r.me.DigestTime, c.digestTime)
		set(&r.me.EveningTime, c.evening)
		r.me.UpdatedAt = r.now // the schedules are planned anew from now, not from the last change
		if err := b.store.UpdatePerson(ctx, r.me); err != nil {
			return nil, fmt.Errorf("save settings: %w", err)
		}
	}
	if c.briefLead != nil {
		// Upcoming sessions' briefs move to the new lead.
		if err := b.replanCoach(ctx, r.me, r.now); err != nil {
			b.log.ErrorContext(ctx, "plan briefs after a settings change", "coach", r.me.ID, "err", err)
		}
	}
	saved := "Saved."
	if c.touchesClient || ((c.tz != nil || c.country != nil || c.holidaysOff != nil) && e != nil) {
		// The figures keep what was asked before (see expectedOn).
		saved = "Saved. This applies from now on: days already past keep the schedule they had."
	}
	return reply("%s\n%s", saved, settingsText(r.me, e, r.today())), nil
}

// clientReminder: a coach sets a client's reminder (`settings @ana
// reminder off`). The rest of a client's schedule is theirs to set.
func (b *Bot) clientReminder(ctx context.Context, r *request, who, rest string) ([]Message, error) {
	client, e, err := b.myClient(ctx, r, who, "settings")
	if err != nil {
		return nil, err
	}
	c, err := parseSettings(rest)
	if err != nil {
		return nil, err
	}
	if c.reminder == nil || c.checkin != nil || c.days != nil || c.weeklyDay != nil || c.tz != nil || c.digestDay != nil || c.evening != nil ||
		c.country != nil || c.holidaysOff != nil || c.briefLead != nil || c.email != nil {
		return nil, Errorf(EINVALID, "For a client you can set the reminder only, e.g. `settings @%s reminder off` or `reminder 2h`; the rest of their schedule is theirs to set.", client.DisplayName)
	}
	e.ReminderDelay, e.UpdatedAt = *c.reminder, r.now
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return nil, fmt.Errorf("save reminder: %w", err)
	}
	state := "off"
	if e.ReminderDelay > 0 {
		state = shortDuration(e.ReminderDelay) + " after an unanswered check-in"
	}
	b.notify(ctx, r.inst, client, fmt.Sprintf("Your coach set your check-in reminder: %s. Change it any time with `settings reminder …`.", state))
	return reply("Saved: %s's reminder is %s.", client.DisplayName, state), nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func settingsText(p *Person, e *Engagement, today Date) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Your settings*\n• Time zone: %s\n", cmpZone(p.TimeZone))
	if e != nil && e.Status != EngagementInvited {
		fmt.Fprintf(&sb, "• Daily check-in: %s on %s\n• Weekly report: %s %s\n", e.CheckinTime, e.Workdays, weekdayName(e.WeeklyWeekday), e.WeeklyTime)
		if e.ReminderDelay > 0 {
			fmt.Fprintf(&sb, "• Reminder: once, %s after an unanswered prompt\n", shortDuration(e.ReminderDelay))
		} else {
			sb.WriteString("• Reminder: off\n")
		}
		if ev := p.Evening(); ev == EveningOff {
			sb.WriteString("• Evening: off (`checkin` answers today's until midnight)\n")
		} else {
			fmt.Fprintf(&sb, "• Evening: from %s, with today's done, `checkin` answers the next workday's\n", ev)
		}
		sb.WriteString("• Public holidays: " + holidaysText(p) + "\n")
		c := e.CycleOn(today)
		fmt.Fprintf(&sb, "• Cycle %d: %s to %s\n", c.N, c.Start, c.End())
		if !e.PauseFrom.IsZero() {
			fmt.Fprintf(&sb, "• Paused: %s to %s\n", e.PauseFrom, e.PauseTo)
		}
	}
	if p.IsCoach {
		where := "a DM to you"
		if p.DigestChannel != "" {
			where = MentionChannel(p.DigestChannel)
		}
		fmt.Fprintf(&sb, "• Digest: %s %s, to %s\n", weekdayName(p.DigestWeekday), p.DigestTime, where)
		sb.WriteString("• " + briefText(p) + "\n")
	}
	if p.Email != "" {
		fmt.Fprintf(&sb, "• E-mail: %s\n", p.Email)
	}
	sb.WriteString("Change with e.g. `settings time 08:30 days mon-thu weekly fri 15:00 tz Europe/Paris reminder 2h evening 18:30`.")
	return sb.String()
}

func cmpZone(tz string) string {
	if tz == "" {
		return "not set (UTC)"
	}
	return tz
}

// shortDuration prints 2h, 90m, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// eveningText is a person's evening as the settings form shows it.
func eveningText(p *Person) string {
	if ev := p.Evening(); ev != EveningOff {
		return ev.String()
	}
	return "off"
}

func settingsForm(p *Person, e *Engagement) *Form {
	f := &Form{FormID: FormSettings, Title: "Settings", SubmitLabel: "Save",
		Fields: []Field{{ID: "tz", Label: "Time zone", Kind: FieldTimeZone, Initial: p.TimeZone}}}
	if e != nil && e.Status != EngagementInvited {
		reminder := "off"
		if e.ReminderDelay > 0 {
			reminder = shortDuration(e.ReminderDelay)
		}
		f.Fields = append(f.Fields,
			Field{ID: "time", Label: "Daily check-in time (HH:MM)", Kind: FieldText, Initial: e.CheckinTime.String()},
			Field{ID: "days", Label: "Workdays (e.g. mon-fri)", Kind: FieldText, Initial: e.Workdays.String()},
			Field{ID: "weekly", Label: "Weekly report (day HH:MM)", Kind: FieldText, Initial: fmt.Sprintf("%s %s", dayNames[e.WeeklyWeekday], e.WeeklyTime)},
			Field{ID: "reminder", Label: "Reminder (off, 1h, 2h…)", Kind: FieldText, Initial: reminder},
			Field{ID: "evening", Label: "Evening: from then `checkin` answers the next workday (HH:MM or off)", Kind: FieldText, Initial: eveningText(p)},
		)
	}
	return f
}

// submitSettings handles the settings form by turning it into the typed form.
func (b *Bot) submitSettings(ctx context.Context, r *request) ([]Message, error) {
	var words []string
	for _, k := range []string{"tz", "time", "days", "weekly", "reminder", "evening"} {
		if v := strings.TrimSpace(r.ev.Values[k]); v != "" {
			words = append(words, k, v)
		}
	}
	return b.cmdSettings(ctx, r, strings.Join(words, " "))
}

// cmdPause plans a pause: no prompts from one day to another, inclusive.
func (b *Bot) cmdPause(ctx context.Context, r *request, rest string) ([]Message, error) {
	w := strings.Fields(rest)
	if len(w) != 2 {
		return nil, usageError("Tell me the first and the last day of the pause.", "pause")
	}
	from, err := ParseDate(w[0])
	if err != nil {
		return nil, usageError(ErrorMessage(err), "pause")
	}
	to, err := ParseDate(w[1])
	if err != nil {
		return nil, usageError(ErrorMessage(err), "pause")
	}
	if to.Before(from) {
		return nil, usageError("The last day comes before the first.", "pause")
	}
	if to.Before(r.today()) {
		return nil, usageError("That pause is already over.", "pause")
	}
	if to.Sub(from) > 366 {
		return nil, usageError("A pause can last a year at most.", "pause")
	}
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	e.PauseFrom, e.PauseTo, e.UpdatedAt = from, to, r.now
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return nil, fmt.Errorf("pause: %w", err)
	}
	return reply("Paused from %s to %s: no check-ins or reports then, and those days don't count against you. `resume` ends it early.", from, to), nil
}

// cmdResume ends a pause now.
func (b *Bot) cmdResume(ctx context.Context, r *request, _ string) ([]Message, error) {
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	held, err := b.onHold(ctx, r.me.ID, DeliveryDaily, DeliveryWeekly)
	if err != nil {
		return nil, err
	}
	today := r.today()
	planned := !e.PauseFrom.IsZero() && today.Before(e.PauseFrom)
	pausedNow := !e.PauseFrom.IsZero() && !planned && !today.After(e.PauseTo)
	switch {
	case planned && e.Status != EngagementPaused && held == "":
		// Resuming what has not started would silently cancel a planned
		// holiday: ask.
		m := Message{Text: fmt.Sprintf("Your pause from %s to %s has not started yet, so there is nothing to resume. Cancel the pause?", e.PauseFrom, e.PauseTo),
			Ephemeral: true,
			Buttons: []Button{
				{ActionID: ActionPauseCancel, Label: "Cancel the pause", Value: pauseValue(e), Style: StyleDanger},
				{ActionID: ActionPauseKeep, Label: "Keep it", Value: pauseValue(e)},
			}}
		return []Message{m}, nil
	case !pausedNow && e.Status != EngagementPaused && held == "":
		return reply("You are not paused."), nil
	}
	e.PauseFrom, e.PauseTo, e.Status, e.UpdatedAt = Date{}, Date{}, EngagementActive, r.now
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	return reply("Welcome back! Prompts resume on your next workday at %s.", e.CheckinTime), nil
}

// Buttons of `resume` asked before a planned pause.
const (
	ActionPauseCancel = "pause.cancel"
	ActionPauseKeep   = "pause.keep"
)

// pauseValue names an engagement's planned pause, so a button pressed after
// the pause changed does nothing to the new one.
func pauseValue(e *Engagement) string {
	return fmt.Sprintf("%d:%s:%s", e.ID, e.PauseFrom, e.PauseTo)
}

// answerPause handles the buttons `resume` offers before a planned pause.
func (b *Bot) answerPause(ctx context.Context, r *request, cancel bool) ([]Message, error) {
	e, err := b.myEngagement(ctx, r)
	if err != nil {
		return nil, err
	}
	if e.PauseFrom.IsZero() || r.ev.Value != pauseValue(e) {
		return reply("That question is out of date: your pause changed since. Type `settings` to see it."), nil
	}
	if !cancel {
		return reply("Kept your pause from %s to %s.", e.PauseFrom, e.PauseTo), nil
	}
	from, to := e.PauseFrom, e.PauseTo
	e.PauseFrom, e.PauseTo, e.UpdatedAt = Date{}, Date{}, r.now
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return nil, fmt.Errorf("cancel pause: %w", err)
	}
	return reply("Cancelled your pause from %s to %s; prompts go on as usual.", from, to), nil
}
