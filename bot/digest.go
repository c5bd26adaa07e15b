package bot

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"
)

// clientDigest is one client's part of a digest.
type clientDigest struct {
	client *Person
	text   string
	risk   []string
	period period
	off    []string // rocks off track
	quiet  bool     // nothing was due or said this week (not started yet, paused)
	pause  string   // the client's pause in or after the week, in words; "" when none
	// offNote is the week's prompts skipped for a day off, in words
	// ("off: out of office (Mon–Fri)"); "" when none.
	offNote string
	// reviewed: the client finished a quarterly review in the week.
	reviewed bool
}

// composeClient summarises one client's week starting at week (the client's
// local Monday), as of asOf, from their history h (see digestWindow).
func (b *Bot) composeClient(ctx context.Context, e *Engagement, client *Person, h *History, week Date, asOf time.Time) (*clientDigest, error) {
	in := newInsight(e, client, h, week.AddDays(-7), asOf)
	p := in.period(week, week.AddDays(6))
	cd := &clientDigest{client: client, period: p, risk: in.atRisk(week, b.silent)}
	cd.quiet = p.expected == 0 && len(in.reportsBetween(week, week)) == 0 && len(p.energy) == 0
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s* · %s · streak %d · energy %s", client.DisplayName, p.counts(), p.streak, p.energyAvg())
	if cd.offNote = in.offNote(week, week.AddDays(6)); cd.offNote != "" {
		sb.WriteString(" · " + cd.offNote) // prompts skipped for a holiday or leave
	}
	sb.WriteString("\n")
	if lines := in.rockChanges(week.In(in.loc)); len(lines) > 0 {
		sb.WriteString("*Rocks*\n" + bullets(lines) + "\n")
	}
	if score := scoreLines(h.Measurables, h.Values, week); len(score) > 0 {
		sb.WriteString("*Scorecard*\n" + bullets(score) + "\n")
	}
	for _, r := range in.rocks {
		if r.Status == RockOffTrack {
			cd.off = append(cd.off, r.Title)
		}
	}
	if moved := in.movedByRock(week, week.AddDays(6)); moved != "" {
		sb.WriteString("*What moved*\n" + moved + "\n")
	}
	if prios := in.priorities(week, week.AddDays(6)); len(prios) > 0 {
		sb.WriteString("*#1 priorities*\n" + bullets(prios) + "\n")
	}
	for _, w := range in.reportsBetween(week, week) {
		fmt.Fprintf(&sb, "*Win*: %s\n", w.Win)
		if !isNothing(w.Ask) {
			fmt.Fprintf(&sb, "*For you*: %s\n", w.Ask)
		}
	}
	quarter, replaced, reviewed := reviewDigest(e, in, week)
	sb.WriteString(quarter)
	cd.reviewed = reviewed
	_, _, weeklyFree := e.WeeklyOn(week, in.off) // no workday free of holidays: none asked
	if len(in.reportsBetween(week, week)) == 0 && !replaced && weeklyFree {
		sb.WriteString("_No weekly report this week._\n")
	}
	if stuck := in.blockers(week, week.AddDays(6)); len(stuck) > 0 {
		sb.WriteString("*Stuck*\n" + bullets(blockerLines(stuck)) + "\n")
	}
	if len(cd.risk) > 0 {
		sb.WriteString("⚠️ *At risk*: " + strings.Join(cd.risk, "; ") + "\n")
	}
	if cd.pause = e.pauseNote(week, week.AddDays(6)); cd.pause != "" {
		sb.WriteString("_" + capitalize(cd.pause) + "._\n")
	}
	cd.text = strings.TrimRight(sb.String(), "\n")
	return cd, nil
}

// digestWindow is what a digest of the week starting at week, as of
// asOf, reads of the engagements es: the window of every client's insight
// (see insightWindow) from the week before, the scorecard's 13 weeks to
// the week and, with charts, everything from the start of the cycle each
// client is in. A day of slack on each side covers every client's zone.
func digestWindow(es []*Engagement, week Date, asOf time.Time, charts bool) HistoryWindow {
	today := DateOf(asOf.UTC())
	from := week.AddDays(-7)
	scores := week.AddDays(-7 * 12)
	if charts {
		for _, e := range es {
			if s := e.CycleOn(today.AddDays(-1)).Start; s.Before(from) {
				from = s
			}
		}
		scores = minDate(scores, from.AddDays(-1))
	}
	lo := from.AddDays(-7*3 - 1)
	since := lo.AddDays(-2).UTC()
	return HistoryWindow{From: lo, To: today.AddDays(4 + 1), ScoresFrom: scores,
		RocksSince: since, DueFrom: since, DueTo: asOf.Add(time.Second)}
}

// ComposeDigest builds a coach's digest of the week starting at week: the
// parent message (the week at a glance) and one message per client.
func (b *Bot) ComposeDigest(ctx context.Context, coach *Person, week Date) (Message, []Message, error) {
	parent, parts, _, err := b.composeDigest(ctx, coach, week)
	return parent, parts, err
}

// composeDigest is ComposeDigest with the summary the store keeps: the
// week's figures without a client's name or words, so that what the
// coach's record keeps of a client who deletes their data is nothing,
// even when the digest is recorded after the deletion.
func (b *Bot) composeDigest(ctx context.Context, coach *Person, week Date) (Message, []Message, string, error) {
	es, err := b.store.EngagementsForCoach(ctx, coach.ID, EngagementActive, EngagementPaused)
	if err != nil {
		return Message{}, nil, "", fmt.Errorf("load clients: %w", err)
	}
	asOf := minTime(week.AddDays(7).In(zoneOf(coach)), b.clock.Now()).UTC()
	// Every client's history in one read: the digest costs the same few
	// round trips for 3 clients or 30.
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	hs, err := b.store.Histories(ctx, ids, digestWindow(es, week, asOf, b.charts))
	if err != nil {
		return Message{}, nil, "", fmt.Errorf("load clients' histories: %w", err)
	}
	var reported, silent, quiet, risky, offTrack, reviewed, unbooked []string
	var parts []Message
	booking := usesSessions(hs, asOf)
	for _, e := range es {
		h := hs[e.ID]
		if h == nil {
			continue // gone since it was listed (the client deleted their data)
		}
		client := h.Client
		cd, err := b.composeClient(ctx, e, client, h, week, asOf)
		if err != nil {
			return Message{}, nil, "", err
		}
		if cd.quiet {
			name := client.DisplayName
			if note := cmp.Or(cd.pause, cd.offNote); note != "" {
				// Why nothing was asked: a pause, a holiday, out of office.
				name += " (" + note + ")"
			}
			quiet = append(quiet, name)
			continue
		}
		if booking && !sessionBooked(h.Sessions, asOf, NoSessionDays) {
			unbooked = append(unbooked, client.DisplayName)
			cd.text += fmt.Sprintf("\n_No session booked in the next %d days._", NoSessionDays)
		}
		if cd.period.answered > 0 {
			reported = append(reported, client.DisplayName)
		} else if cd.period.expected > 0 {
			silent = append(silent, client.DisplayName)
		}
		if len(cd.risk) > 0 {
			risky = append(risky, fmt.Sprintf("%s (%s)", client.DisplayName, strings.Join(cd.risk, "; ")))
			b.emitAtRisk(ctx, e, client, week, cd.risk, asOf)
		}
		if cd.reviewed {
			reviewed = append(reviewed, client.DisplayName)
		}
		for _, t := range cd.off {
			offTrack = append(offTrack, client.DisplayName+": "+t)
		}
		imgs, err := b.clientCharts(e, client, h, asOf)
		if err != nil {
			return Message{}, nil, "", err
		}
		parts = append(parts, Message{Text: cd.text, Images: imgs})
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Weekly digest · week of %s* for %s\n", week, MentionPerson(coach.ExternalID))
	if len(parts) == 0 {
		sb.WriteString("Nothing to report this week.")
		return Message{Text: sb.String()}, nil, "", nil
	}
	// A client on holiday is still the coach's client: counted, and named below.
	fmt.Fprintf(&sb, "%s · %d reported", plural(len(parts)+len(quiet), "client"), len(reported))
	if len(silent) > 0 {
		fmt.Fprintf(&sb, " · silent: %s", strings.Join(silent, ", "))
	}
	if len(quiet) > 0 {
		fmt.Fprintf(&sb, " · no prompts this week: %s", strings.Join(quiet, ", "))
	}
	if len(reviewed) > 0 {
		fmt.Fprintf(&sb, " · quarterly review: %s", strings.Join(reviewed, ", "))
	}
	sb.WriteString("\n")
	if len(offTrack) > 0 {
		fmt.Fprintf(&sb, "Rocks off track: %d (%s)\n", len(offTrack), strings.Join(offTrack, "; "))
	} else {
		sb.WriteString("Rocks off track: none\n")
	}
	if len(risky) > 0 {
		fmt.Fprintf(&sb, "⚠️ At risk: %s\n", strings.Join(risky, "; "))
	} else {
		sb.WriteString("At risk: nobody\n")
	}
	if len(unbooked) > 0 {
		fmt.Fprintf(&sb, "No session booked: %s\n", strings.Join(unbooked, ", "))
	}
	sb.WriteString("One reply per client in this thread.")
	summary := fmt.Sprintf("%s · %d reported · %d silent · %d without prompts · %s off track · %d at risk",
		plural(len(parts)+len(quiet), "client"), len(reported), len(silent), len(quiet), plural(len(offTrack), "rock"), len(risky))
	return Message{Text: sb.String()}, parts, summary, nil
}

// SendDigest posts a coach's digest for the week starting at week: the
// parent to the coach's digest channel (or DM), then one thread reply per
// client, and records it. It returns the parent's reference, or "" and
// nothing posted when no client had anything due or said that week.
func (b *Bot) SendDigest(ctx context.Context, coach *Person, week Date) (string, error) {
	return b.sendDigest(ctx, coach, week, "", 0)
}

// sendDigest is SendDigest resuming an earlier try whose parent went out
// in part: the first parentSent parts of the parent are not posted again,
// and the thread hangs off parentRef, the reference of its first part. A
// parent that fails part-way returns the *PartialSendError (wrapped) with
// the reference to keep.
func (b *Bot) sendDigest(ctx context.Context, coach *Person, week Date, parentRef string, parentSent int) (string, error) {
	inst, err := b.store.Installation(ctx, coach.InstallationID)
	if err != nil {
		return "", fmt.Errorf("load installation: %w", err)
	}
	parent, parts, summary, err := b.composeDigest(ctx, coach, week)
	if err != nil || len(parts) == 0 {
		return "", err
	}
	to := Destination{Installation: inst, Channel: coach.DigestChannel}
	if coach.DigestChannel == "" {
		to = dm(inst, coach)
	}
	to.SkipParts = parentSent
	ref, err := b.msg.Send(ctx, to, parent)
	if parentRef == "" || parentSent == 0 {
		parentRef = ref
	}
	if err != nil {
		return "", fmt.Errorf("post digest: %w", err)
	}
	to.SkipParts, to.ThreadRef = 0, parentRef
	for _, m := range parts {
		// The parent is out: retrying the whole digest would post it twice,
		// so a failed reply is logged and the rest still go.
		if _, err := b.msg.Send(ctx, to, m); err != nil {
			b.log.WarnContext(ctx, "post digest thread reply", "coach", coach.ID, "err", err)
		}
	}
	d := &Digest{CoachID: coach.ID, Week: week, Channel: coach.DigestChannel, ParentRef: parentRef, Summary: summary, PostedAt: b.clock.Now().UTC()}
	if err := b.store.CreateDigest(ctx, d); err != nil && ErrorCode(err) != ECONFLICT {
		// Posted is posted: an error now would have the scheduler post the
		// whole digest again. The delivery still records the parent.
		b.log.ErrorContext(ctx, "record digest; it was posted", "coach", coach.ID, "week", week, "err", err)
	}
	return parentRef, nil
}

// cmdClients: a coach's clients at a glance.
func (b *Bot) cmdClients(ctx context.Context, r *request, _ string) ([]Message, error) {
	es, err := b.store.EngagementsForCoach(ctx, r.me.ID, EngagementInvited, EngagementActive, EngagementPaused)
	if err != nil {
		return nil, fmt.Errorf("load clients: %w", err)
	}
	if len(es) == 0 {
		return reply("You have no clients yet. Invite one with `invite @client`."), nil
	}
	var lines []string
	for _, e := range es {
		client, err := b.store.Person(ctx, e.ClientID)
		if err != nil {
			return nil, fmt.Errorf("load client: %w", err)
		}
		if e.Status == EngagementInvited {
			lines = append(lines, fmt.Sprintf("*%s* — invited %s, not accepted yet", client.DisplayName, DateOf(e.InvitedAt.In(zoneOf(r.me)))))
			continue
		}
		week := DateOf(r.now.In(zoneOf(client))).WeekStart()
		in, err := b.loadInsight(ctx, e, client, week.AddDays(-7), r.now)
		if err != nil {
			return nil, err
		}
		p := in.period(week, week.AddDays(6))
		off := 0
		for _, rk := range in.rocks {
			if rk.Status == RockOffTrack {
				off++
			}
		}
		today := DateOf(r.now.In(in.loc))
		count := fmt.Sprintf("this week %d/%d check-ins", p.answered, p.expected)
		if p.expected == 0 {
			count = "this week " + p.counts()
		}
		line := fmt.Sprintf("*%s* — %s · %s · streak %d · %s (%d off track)",
			client.DisplayName, e.CycleOn(today).Label(today), count, p.streak, plural(countLive(in.rocks), "rock"), off)
		if note := in.offNote(week, week.AddDays(6)); note != "" {
			line += " · " + note // prompts skipped for a holiday or leave
		}
		if risk := in.atRisk(week, b.silent); len(risk) > 0 {
			line += "\n    ⚠️ at risk: " + strings.Join(risk, "; ")
		}
		if held, err := b.onHold(ctx, client.ID, DeliveryDaily, DeliveryWeekly); err != nil {
			return nil, err
		} else if held != "" {
			line += "\n    ⛔ prompts on hold, I can't reach them: " + held
		}
		lines = append(lines, line)
	}
	return reply("*Your clients*\n%s", strings.Join(lines, "\n")), nil
}

// cmdBrief: everything about a client since the last logged session.
func (b *Bot) cmdBrief(ctx context.Context, r *request, rest string) ([]Message, error) {
	words := strings.Fields(rest)
	if len(words) != 1 {
		return nil, usageError("Tell me which client, with a mention.", "brief")
	}
	client, e, err := b.myClient(ctx, r, words[0], "brief")
	if err != nil {
		return nil, err
	}
	if e.Status == EngagementInvited {
		return reply("%s has not accepted your invitation yet.", client.DisplayName), nil
	}
	m, err := b.composeBrief(ctx, r.me, e, client, r.now)
	if err != nil {
		return nil, err
	}
	m.Ephemeral = true
	return []Message{m}, nil
}

// composeBrief is the brief on client for their coach, as of now:
// everything since the last session that took place.
func (b *Bot) composeBrief(ctx context.Context, coach *Person, e *Engagement, client *Person, now time.Time) (Message, error) {
	all, err := b.store.Sessions(ctx, e.ID)
	if err != nil {
		return Message{}, fmt.Errorf("load sessions: %w", err)
	}
	// Only a session that took place starts the brief: not one booked
	// ahead, nor a cancelled one.
	last := lastHappened(all, now, zoneOf(coach))
	loc := zoneOf(client)
	from, since := e.Start, "since the cycle started"
	sinceT := e.AcceptedAt
	if today, c := DateOf(now.In(loc)), e.CycleOn(DateOf(now.In(loc))); c.N > 1 && today.Sub(c.Start) >= 28 {
		from, since, sinceT = c.Start, fmt.Sprintf("since cycle %d started", c.N), c.Start.In(loc)
	} else if c.N > 1 {
		// Early in a cycle its own days say little: the last four weeks.
		from, since = today.AddDays(-27), "the last 4 weeks"
		sinceT = from.In(loc)
	}
	if last != nil {
		from = last.Day
		since = fmt.Sprintf("since your session on %s", from)
		sinceT = from.In(loc)
		if !last.Start.IsZero() {
			// The session's day where the client lives (the coach's day
			// may be another one, far away), and rock changes from it.
			from, sinceT = DateOf(last.Start.In(loc)), last.Start
		}
	}
	today := DateOf(now.In(loc))
	// From far enough back for the four weeks of momentum's baseline;
	// one read serves the charts too, from the cycle's start.
	first := minDate(from, today.AddDays(-34))
	read := first
	if b.charts {
		read = minDate(read, e.CycleOn(today).Start)
	}
	hs, err := b.store.Histories(ctx, []int64{e.ID}, insightWindow(client, read, now))
	if err != nil {
		return Message{}, fmt.Errorf("load history: %w", err)
	}
	h := hs[e.ID]
	if h == nil {
		return Message{}, Errorf(ENOTFOUND, "That engagement does not exist.")
	}
	in := newInsight(e, client, h, first, now)
	// Up to four days ahead: answers given early for the next workday.
	ahead := today.AddDays(4)
	p := in.period(from, ahead)
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Brief: %s* — %s (%s; %s)\n", client.DisplayName, since, plural(today.Sub(from), "day"), e.CycleOn(today).Label(today))
	// The three lines a coach reads first.
	stuck := in.blockers(from, ahead)
	rock, why := in.needsAttention(today)
	fmt.Fprintf(&sb, "*Momentum*: %s\n", in.momentum(today))
	if rock != nil {
		fmt.Fprintf(&sb, "*Needs attention*: %s — %s\n", rockTitle(in.rocks, rock.ID), why)
	} else {
		sb.WriteString("*Needs attention*: no rock — none off track or behind its time\n")
	}
	fmt.Fprintf(&sb, "*Open with*: %s\n", in.openWith(from, today, stuck, rock))
	head := sb.String()
	sb.Reset()

	fmt.Fprintf(&sb, "%s · streak %d · energy %s\n", capitalize(p.counts()), p.streak, p.energyAvg())
	if note := e.pauseNote(from, today); note != "" {
		sb.WriteString("_" + capitalize(note) + "._\n")
	}
	// The coach's own notes: the brief is for the coach alone (an
	// ephemeral reply); nothing the client sees carries them.
	// Where the notes are in the data, to leave them out of what the
	// summary's model is sent, whatever lines they hold.
	notesAt, notesEnd := 0, 0
	if last != nil && strings.TrimSpace(last.Notes) != "" {
		notesAt = sb.Len()
		fmt.Fprintf(&sb, "*Your notes from %s*: %s\n", last.Day, Disarm(last.Notes))
		notesEnd = sb.Len()
	}
	sb.WriteString("*Rocks*\n" + bullets(in.rockChanges(sinceT)) + "\n")
	if score, err := b.scorecardLines(ctx, e, today.WeekStart()); err != nil {
		return Message{}, err
	} else if len(score) > 0 {
		sb.WriteString("*Scorecard* (this week)\n" + bullets(score) + "\n")
	}
	sb.WriteString(reviewBrief(in, sinceT, today))
	if moved := in.movedByRock(from, ahead); moved != "" {
		sb.WriteString("*What moved*\n" + moved + "\n")
	}
	var wins, asks []string
	for _, w := range in.reportsBetween(from.WeekStart(), today) {
		wins = append(wins, fmt.Sprintf("week of %s: %s", shortDay(w.Week), w.Win))
		if !isNothing(w.Ask) {
			asks = append(asks, fmt.Sprintf("week of %s: %s", shortDay(w.Week), w.Ask))
		}
	}
	for _, s := range []struct {
		title string
		items []string
	}{{"Wins", wins}, {"Stuck", blockerLines(stuck)}, {"Asks for you", asks}, {"#1 priorities", in.priorities(from, ahead)}} {
		if len(s.items) > 0 {
			fmt.Fprintf(&sb, "*%s*\n%s\n", s.title, bullets(s.items))
		}
	}
	if risk := in.atRisk(today.WeekStart(), b.silent); len(risk) > 0 {
		sb.WriteString("⚠️ *At risk*: " + strings.Join(risk, "; ") + "\n")
	}
	imgs, err := b.clientCharts(e, client, h, now)
	if err != nil {
		return Message{}, err
	}
	// The written summary, when configured, goes between the three lines
	// and the data it summarised.
	body := sb.String()
	text := head + b.writtenSummary(ctx, body[:notesAt]+body[notesEnd:]) + body
	return Message{Text: strings.TrimRight(text, "\n"), Images: imgs}, nil
}

// blockerLines is each blocker in words.
func blockerLines(bs []*blocker) []string {
	out := make([]string, len(bs))
	for i, k := range bs {
		out[i] = k.String()
	}
	return out
}

// pauseNote says, in words for a coach, how the client's planned pause
// touches the days from..to: "on holiday until 2026-12-11" when it runs
// through them, "on holiday 2026-12-21 to 2027-01-03" when it lies within
// them, "holiday planned 2026-12-21 to 2027-01-03" when it starts within
// three weeks after them; "" otherwise.
func (e *Engagement) pauseNote(from, to Date) string {
	switch {
	case e.PauseFrom.IsZero() || e.PauseTo.Before(from):
		return ""
	case !e.PauseFrom.After(from) && e.PauseTo.After(to):
		return "on holiday until " + e.PauseTo.String()
	case !e.PauseFrom.After(to):
		return fmt.Sprintf("on holiday %s to %s", e.PauseFrom, e.PauseTo)
	case e.PauseFrom.Sub(to) <= 21:
		return fmt.Sprintf("holiday planned %s to %s", e.PauseFrom, e.PauseTo)
	}
	return ""
}

// capitalize upper-cases the first letter of an ASCII sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// plural is "1 client", "2 clients".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
