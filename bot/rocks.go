package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxRocks is how many live rocks (on or off track) a client keeps at
// once: 3 to 7 keep focus. Done and dropped rocks do not count; the
// stores enforce it (see RockStore.CreateRock) along with
// MaxRocksPerCycle.
const MaxRocks = 7

// Form ids of the core's forms.
const (
	FormRockAdd  = "rock.add"
	FormRockEdit = "rock.edit"
	FormCheckin  = "checkin.submit"
	FormWeekly   = "weekly.submit"
	FormSettings = "settings.submit"
)

var statusWords = map[string]RockStatus{
	"on-track": RockOnTrack, "ontrack": RockOnTrack, "on_track": RockOnTrack, "on": RockOnTrack, "green": RockOnTrack,
	"off-track": RockOffTrack, "offtrack": RockOffTrack, "off_track": RockOffTrack, "off": RockOffTrack, "red": RockOffTrack,
	"done": RockDone, "drop": RockDropped, "dropped": RockDropped,
}

// ParseRockStatus parses a status as people type it ("on track", "off-track", "done").
func ParseRockStatus(s string) (RockStatus, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), "-"))
	if st, ok := statusWords[s]; ok {
		return st, nil
	}
	return "", Errorf(EINVALID, "%q is not a rock status; use on-track, off-track, done or dropped.", s)
}

// Live reports whether a rock with status s is still being worked on (on
// or off track), as opposed to done or dropped.
func (s RockStatus) Live() bool { return s == RockOnTrack || s == RockOffTrack }

// Label is the status as shown to people.
func (s RockStatus) Label() string { return strings.ReplaceAll(string(s), "_", " ") }

// myEngagement returns the actor's active (or paused) engagement as a client.
func (b *Bot) myEngagement(ctx context.Context, r *request) (*Engagement, error) {
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if ErrorCode(err) == ENOTFOUND {
		if r.me.IsCoach {
			return nil, Errorf(ENOTFOUND, "That is for clients. As a coach, add `@client` (e.g. `rocks @ana`) or see `help`.")
		}
		if past, err := b.store.EngagementsForClient(ctx, r.me.ID); err == nil && slices.ContainsFunc(past, func(e *Engagement) bool { return e.Status == EngagementEnded }) {
			return nil, Errorf(ENOTFOUND, "You don't work with a coach on smart90 now, so there are no prompts. "+
				"Your earlier rocks, check-ins and reports are kept: `export` gives you a copy. A coach can invite you again with `/smart90 invite @you`.")
		}
		return nil, Errorf(ENOTFOUND, "You are not a client yet: a coach invites you with `/smart90 invite @you`.")
	} else if err != nil {
		return nil, fmt.Errorf("load engagement: %w", err)
	}
	if e.Status == EngagementInvited {
		return nil, Errorf(ECONFLICT, "Accept your coach's invitation first: type `accept`.")
	}
	return e, nil
}

// rockTarget resolves whose rocks a rocks command is about: the actor's own,
// or, for a coach, a client's named by a leading mention.
func (b *Bot) rockTarget(ctx context.Context, r *request, rest string) (*Person, *Engagement, string, error) {
	first, more, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if strings.HasPrefix(first, "<@") {
		client, e, err := b.myClient(ctx, r, first, "rocks")
		return client, e, strings.TrimSpace(more), err
	}
	e, err := b.myEngagement(ctx, r)
	return r.me, e, strings.TrimSpace(rest), err
}

// cmdRocks lists, adds, edits and updates rocks.
// ActionRockAdd opens the form that adds a rock; its value names whose
// rocks ("" for the actor's own, "<@ID>" for a coach's client).
const ActionRockAdd = "rock.add"

// rocksOf is the rocks command's target word for owner, seen by me.
func rocksOf(owner, me *Person) string {
	if owner.ID == me.ID {
		return ""
	}
	return "<@" + owner.ExternalID + ">"
}

// cmdRocks lists, adds, edits and sets the status of rocks: the actor's
// own, or, for a coach, a client's named by a leading mention.
func (b *Bot) cmdRocks(ctx context.Context, r *request, rest string) ([]Message, error) {
	owner, e, rest, err := b.rockTarget(ctx, r, rest)
	if err != nil {
		return nil, err
	}
	sub, args, _ := strings.Cut(rest, " ")
	switch strings.ToLower(sub) {
	case "", "list":
		return b.listRocks(ctx, r, owner, e)
	case "add":
		title, doneWhen, due, err := parseRockSpec(args, e, DateOf(r.now.In(zoneOf(owner))))
		if err != nil {
			return nil, err
		}
		return b.addRock(ctx, r, owner, e, title, doneWhen, due)
	case "edit":
		n, spec, _ := strings.Cut(strings.TrimSpace(args), " ")
		rock, err := b.rockByNumber(ctx, e, n)
		if err != nil {
			return nil, err
		}
		title, doneWhen, due, err := parseRockSpec(spec, e, DateOf(r.now.In(zoneOf(owner))))
		if err != nil {
			return nil, err
		}
		// Parts left out keep their value: a new title alone must not
		// forget what "done" means or move the due date to the cycle end.
		if doneWhen == "" {
			doneWhen = rock.DoneWhen
		}
		if !hasDuePart(spec) {
			due = rock.Due
		} else if err := validDue(due, DateOf(r.now.In(zoneOf(owner))), e); err != nil && due != rock.Due {
			return nil, err
		}
		rock.Title, rock.DoneWhen, rock.Due = title, doneWhen, due
		return b.saveRock(ctx, r, owner, rock, "edited")
	case "set":
		return b.setRock(ctx, r, owner, e, args)
	}
	return nil, Errorf(EINVALID, "I don't know `rocks %s`. Try:\n%s", sub, rockUsage)
}

// parseRockSpec parses "<title> [| done when] [| due YYYY-MM-DD]".
func parseRockSpec(spec string, e *Engagement, today Date) (title, doneWhen string, due Date, err error) {
	parts := strings.Split(spec, "|")
	title = strings.TrimSpace(parts[0])
	due = defaultDue(e, today)
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if d, ok := strings.CutPrefix(strings.ToLower(p), "due "); ok {
			if due, err = ParseDate(d); err != nil {
				return "", "", Date{}, err
			}
			continue
		}
		doneWhen = p
	}
	if title == "" {
		return "", "", Date{}, Errorf(EINVALID, "A rock needs a title. Usage:\n%s", rockUsage)
	}
	return title, doneWhen, due, validRock(title, doneWhen)
}

// hasDuePart reports whether a rock spec names a due date.
func hasDuePart(spec string) bool {
	for _, p := range strings.Split(spec, "|")[1:] {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(p)), "due ") {
			return true
		}
	}
	return false
}

// validRock refuses a title or "done when" longer than the stores keep.
func validRock(title, doneWhen string) error {
	if n := len([]rune(title)); n > MaxRockTitleLen {
		return Errorf(EINVALID, "That title is %d characters; keep a rock's title under %d and put detail in \"done when\".", n, MaxRockTitleLen)
	}
	if n := len([]rune(doneWhen)); n > MaxDoneWhenLen {
		return Errorf(EINVALID, "\"Done when\" is %d characters; please keep it under %d.", n, MaxDoneWhenLen)
	}
	return nil
}

// validDue refuses a rock's due date that has passed (today, in the
// client's zone, is fine) or that falls after the cycle's last day: a
// rock is a priority of this quarter. In a cycle's last week, when the
// client sets the next quarter's rocks, the next cycle's days are fine too.
func validDue(due, today Date, e *Engagement) error {
	c, end := e.CycleOn(today), defaultDue(e, today)
	switch {
	case due.Before(today):
		return Errorf(EINVALID, "%s has already passed; pick a due date from %s to %s.", due, today, end)
	case due.After(end):
		return Errorf(EINVALID, "%s is after this cycle ends (%s); a rock is a priority of this quarter. Pick a date up to %s.", due, c.End(), end)
	}
	return nil
}

// defaultDue is a new rock's due date when none is given, and the latest
// one validDue takes: the cycle's last day, or the next cycle's in the
// last week of this one (the days left are too few for a quarterly
// priority).
func defaultDue(e *Engagement, today Date) Date {
	c := e.CycleOn(today)
	if today.After(c.End().AddDays(-7)) {
		return e.CycleN(c.N + 1).End()
	}
	return c.End()
}

// rockByNumber finds a rock by its shown number.
func (b *Bot) rockByNumber(ctx context.Context, e *Engagement, n string) (*Rock, error) {
	pos, err := strconv.Atoi(strings.TrimPrefix(n, "#"))
	if err != nil {
		return nil, Errorf(EINVALID, "%q is not a rock number. Type `rocks` to see the numbers.", n)
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	for _, rk := range rocks {
		if rk.Position == pos {
			return rk, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "There is no rock %d. Type `rocks` to see the numbers.", pos)
}

// addRock adds a rock to e, up to MaxRocks live ones, and tells the
// client when their coach added it.
func (b *Bot) addRock(ctx context.Context, r *request, owner *Person, e *Engagement, title, doneWhen string, due Date) ([]Message, error) {
	if err := validDue(due, DateOf(r.now.In(zoneOf(owner))), e); err != nil {
		return nil, err
	}
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	if countLive(rocks) >= MaxRocks {
		return nil, Errorf(ECONFLICT, "%s %d rocks on the go; more than %d blurs focus. Finish or drop one first (`rocks set <n> done` or `rocks set <n> dropped`).", possessive(owner, r.me), MaxRocks, MaxRocks)
	}
	rock := &Rock{EngagementID: e.ID, Title: title, DoneWhen: doneWhen, Due: due, Status: RockOnTrack, CreatedAt: r.now, UpdatedAt: r.now}
	if err := b.store.CreateRock(ctx, rock, r.me.ID, ""); err != nil {
		return nil, fmt.Errorf("add rock: %w", err)
	}
	b.emitRock(ctx, e, owner, rock, "created")
	rocks = append(rocks, rock)
	text := fmt.Sprintf("Added rock %d: *%s*.\n\n%s", rock.Position, title, rockList(rocks))
	m := Message{Text: text, Ephemeral: true}
	if n := countLive(rocks); n < 3 {
		m.Text += fmt.Sprintf("\n\n%d more to reach the recommended 3.", 3-n)
		m.Form = rockForm(e, nil, DateOf(r.now.In(zoneOf(owner))))
		m.Buttons = []Button{{ActionID: ActionRockAdd, Label: "Add a rock", Value: rocksOf(owner, r.me), OpensForm: true}}
	}
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s added a rock: *%s* (due %s).", r.me.DisplayName, title, due))
	}
	return []Message{m}, nil
}

// saveRock stores a changed rock, and tells the client when their coach
// changed it; what is the verb shown ("edited", "saved").
func (b *Bot) saveRock(ctx context.Context, r *request, owner *Person, rock *Rock, what string) ([]Message, error) {
	rock.UpdatedAt = r.now
	if err := b.store.UpdateRock(ctx, rock, r.me.ID, ""); err != nil {
		return nil, fmt.Errorf("update rock: %w", err)
	}
	b.emitRockOf(ctx, owner, rock)
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s %s rock %d: *%s*.", r.me.DisplayName, what, rock.Position, rock.Title))
	}
	return reply("Rock %d %s: %s", rock.Position, what, rockLine(rock)), nil
}

// setRock parses "<n> <status> [progress%] [| note]".
func (b *Bot) setRock(ctx context.Context, r *request, owner *Person, e *Engagement, args string) ([]Message, error) {
	spec, note, _ := strings.Cut(args, "|")
	words := strings.Fields(spec)
	if len(words) < 2 {
		return nil, Errorf(EINVALID, "Tell me the rock and its status, e.g. `rocks set 2 off-track 30%% | waiting on legal`.\n%s", rockUsage)
	}
	rock, err := b.rockByNumber(ctx, e, words[0])
	if err != nil {
		return nil, err
	}
	upd, err := parseRockUpdate(strings.Join(words[1:], " "), rock)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if upd.Note != "" {
		return nil, Errorf(EINVALID, "I could not read %q; put a note after a `|`, e.g. `rocks set 2 on-track 60%% | pilot signed`.", upd.Note)
	}
	if err := b.checkLen("note", note); err != nil {
		return nil, err
	}
	rock.Status, rock.Progress, rock.UpdatedAt = upd.Status, upd.Progress, r.now
	if err := b.store.UpdateRock(ctx, rock, r.me.ID, note); err != nil {
		return nil, fmt.Errorf("update rock: %w", err)
	}
	b.emitRock(ctx, e, owner, rock, "updated")
	if owner.ID != r.me.ID {
		b.notify(ctx, r.inst, owner, fmt.Sprintf("Your coach %s updated rock %d: %s", r.me.DisplayName, rock.Position, rockLine(rock)))
	}
	return reply("Rock %d: %s", rock.Position, rockLine(rock)), nil
}

// parseRockUpdate reads "<status words> [progress[%]] [note]" as typed in a
// weekly report or `rocks set`: "on track 60 signed two pilots". Done
// without a number means 100%; no number keeps the rock's progress.
func parseRockUpdate(s string, rock *Rock) (RockUpdate, error) {
	words := strings.Fields(s)
	u := RockUpdate{RockID: rock.ID, Progress: rock.Progress}
	var err error
	switch {
	case len(words) >= 2 && (strings.EqualFold(words[1], "track") || strings.EqualFold(words[1], "track,")):
		u.Status, err = ParseRockStatus(words[0] + "-track")
		words = words[2:]
	case len(words) >= 1:
		u.Status, err = ParseRockStatus(strings.TrimRight(words[0], ",.:"))
		words = words[1:]
	default:
		err = Errorf(EINVALID, "Tell me the status: on-track, off-track, done or dropped.")
	}
	if err != nil {
		return RockUpdate{}, err
	}
	if u.Status == RockDone {
		u.Progress = 100
	}
	if len(words) > 0 {
		if p, ok := parsePercent(words[0]); ok {
			u.Progress = p
			words = words[1:]
		} else if _, err := strconv.Atoi(strings.TrimSuffix(words[0], "%")); err == nil {
			return RockUpdate{}, Errorf(EINVALID, "Progress is a percentage from 0 to 100, not %s.", words[0])
		}
	}
	u.Note = strings.TrimSpace(strings.TrimLeft(strings.Join(words, " "), "-–—:, "))
	return u, nil
}

// parsePercent reads "60", "60%" within 0..100.
func parsePercent(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimRight(s, ",."), "%"))
	return n, err == nil && n >= 0 && n <= 100
}

// countLive counts the rocks still being worked on (on or off track):
// the ones MaxRocks bounds.
func countLive(rocks []*Rock) int {
	n := 0
	for _, r := range rocks {
		if r.Status.Live() {
			n++
		}
	}
	return n
}

// possessive is "You already have" or "Ana already has".
func possessive(owner, me *Person) string {
	if owner.ID == me.ID {
		return "You already have"
	}
	return owner.DisplayName + " already has"
}

// rockLine is one rock on one line.
func rockLine(r *Rock) string {
	return fmt.Sprintf("*%s* — %s · %d%% · due %s", r.Title, r.Status.Label(), r.Progress, r.Due)
}

// rockList renders rocks as a numbered list.
func rockList(rocks []*Rock) string {
	if len(rocks) == 0 {
		return "_No rocks yet._"
	}
	var sb strings.Builder
	for _, r := range rocks {
		fmt.Fprintf(&sb, "%d. %s\n", r.Position, rockLine(r))
		if r.DoneWhen != "" {
			fmt.Fprintf(&sb, "    done when: %s\n", r.DoneWhen)
		}
	}
	return strings.TrimRight(sb.String(), "\n")
}

// listRocks shows owner's rocks of the current cycle, carrying unfinished
// rocks over into it first.
func (b *Bot) listRocks(ctx context.Context, r *request, owner *Person, e *Engagement) ([]Message, error) {
	rocks, err := b.store.Rocks(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("load rocks: %w", err)
	}
	whose := "Your rocks"
	if owner.ID != r.me.ID {
		whose = owner.DisplayName + "'s rocks"
	}
	today := DateOf(r.now.In(zoneOf(owner)))
	c := e.CycleOn(today)
	b.carryOver(ctx, e, c, rocks, owner.ID, r.now)
	shown, earlier := cycleRocks(rocks, c, zoneOf(owner))
	list := rockList(shown)
	if len(shown) == 0 {
		list = "None yet this cycle: `rocks add <title> | <done when>`."
	}
	text := fmt.Sprintf("*%s* — %s, cycle ends %s\n%s", whose, c.Label(today), c.End(), list)
	if earlier > 0 {
		text += fmt.Sprintf("\n_%s finished or dropped in earlier cycles: `history` and `export` show them._", plural(earlier, "rock"))
	}
	m := Message{Text: text, Ephemeral: true}
	if countLive(rocks) < MaxRocks {
		m.Form = rockForm(e, nil, today)
		m.Buttons = []Button{{ActionID: ActionRockAdd, Label: "Add a rock", Value: rocksOf(owner, r.me), OpensForm: true}}
	}
	m.Sections = []string{rockUsage}
	return []Message{m}, nil
}

// cycleRocks returns the rocks of cycle c: the live ones (unfinished
// rocks carry over from cycle to cycle) and those finished or dropped in
// it, by the client's day of their last change; and how many were
// finished or dropped in earlier cycles.
func cycleRocks(rocks []*Rock, c Cycle, loc *time.Location) (in []*Rock, earlier int) {
	for _, r := range rocks {
		if r.Status.Live() || !DateOf(r.UpdatedAt.In(loc)).Before(c.Start) {
			in = append(in, r)
		} else {
			earlier++
		}
	}
	return in, earlier
}

// mayEditRocks allows the engagement's client and coach; it returns the client.
func (b *Bot) mayEditRocks(ctx context.Context, r *request, e *Engagement) (*Person, error) {
	if !e.Status.Live() || (e.ClientID != r.me.ID && e.CoachID != r.me.ID) {
		return nil, Errorf(EFORBIDDEN, "You can't change those rocks.")
	}
	if e.ClientID == r.me.ID {
		return r.me, nil
	}
	return b.store.Person(ctx, e.ClientID)
}
