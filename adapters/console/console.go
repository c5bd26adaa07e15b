package console

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
)

// Handler is the core as the console sees it; bot.Bot implements it.
// Handle returns the replies to the acting person; an error is shown to
// them with bot.ErrorMessage.
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error)
}

// Config configures a Console.
type Config struct {
	In  io.Reader // lines typed or piped in; a terminal gets a prompt
	Out io.Writer // the transcript

	Handler Handler // the core; required
	// Clock is the clock the core and scheduler read; the console moves it
	// with :advance and :at. Default: a new Clock at the current time.
	Clock *Clock
	// Tick runs the scheduler once. It is called at every due instant the
	// clock passes, at the clock's new time, and on :tick; nil means no
	// scheduler is wired.
	Tick func(ctx context.Context) error
	// NextDue returns the first instant after after at which the scheduler
	// has something to do (a schedule's next prompt, a pending reminder),
	// and false when nothing is planned. :advance and :at stop the clock at
	// each such instant on the way and run Tick there, so prompts arrive in
	// order and inside their grace window. Nil: the clock jumps straight to
	// its new time and Tick runs once there.
	NextDue func(ctx context.Context, after time.Time) (time.Time, bool, error)

	Installation string // workspace id sent on every event; default "local"
	// DefaultTimeZone is the IANA zone of users created without one, and of
	// the default person "you" who acts before any :as. Default "UTC".
	DefaultTimeZone string
	// FilesDir is where attached files (exports) are written, one
	// subdirectory per recipient. Default: os.TempDir()/smart90-export.
	FilesDir string

	Logger *slog.Logger // default: discard
}

var _ bot.Messenger = (*Console)(nil)

// Console is a terminal chat adapter. Run reads and acts on input; Send,
// safe for concurrent use, prints what the core sends to people and channels.
type Console struct {
	in          io.Reader
	out         io.Writer
	handler     Handler
	clock       *Clock
	tick        func(ctx context.Context) error
	nextDue     func(ctx context.Context, after time.Time) (time.Time, bool, error)
	inst        string
	defaultZone string
	filesDir    string
	logger      *slog.Logger
	interactive bool // In is a terminal: print a prompt instead of echoing input

	mu      sync.Mutex // guards everything below and writes to out
	users   map[string]*user
	order   []string // user names in order of first appearance
	acting  string   // "" until the first :as or the first act as defaultUser
	ticking bool     // the scheduler runs: Send stamps each message with when it arrived
	shown   []shown  // messages and forms shown, oldest first
	refs    int      // last message reference handed out by Send
	waiting bool     // Run is blocked at a terminal prompt
	werr    error    // first error writing to out
}

// user is someone the console has seen: acting, mentioned or messaged.
type user struct {
	name string
	zone string // IANA name; "" until they act or :as gives one
}

// shown is a message (or a form opened by a button) someone was shown, kept
// so :click and :form can find the latest one with a matching button or form.
type shown struct {
	to      string // user name for a DM or a reply; "" for a channel message
	channel string // channel id for a channel message
	ref     string // Send's reference; "" for replies
	msg     bot.Message
}

// maxShown bounds the messages kept for :click and :form.
const maxShown = 200

// New returns a Console for cfg. It fails when In, Out or Handler is
// missing or DefaultTimeZone is not an IANA zone.
func New(cfg Config) (*Console, error) {
	if cfg.In == nil || cfg.Out == nil {
		return nil, errors.New("console: In and Out are required")
	}
	if cfg.Handler == nil {
		return nil, errors.New("console: Handler is required")
	}
	c := &Console{
		in:          cfg.In,
		out:         cfg.Out,
		handler:     cfg.Handler,
		clock:       cfg.Clock,
		tick:        cfg.Tick,
		nextDue:     cfg.NextDue,
		inst:        cmp.Or(cfg.Installation, "local"),
		defaultZone: cmp.Or(cfg.DefaultTimeZone, "UTC"),
		filesDir:    cmp.Or(cfg.FilesDir, filepath.Join(os.TempDir(), "smart90-export")),
		logger:      cfg.Logger,
		interactive: isTerminal(cfg.In),
		users:       map[string]*user{},
	}
	if c.clock == nil {
		c.clock = NewClock(time.Now())
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if _, err := bot.LoadZone(c.defaultZone); err != nil {
		return nil, fmt.Errorf("console: default time zone %q: %s", c.defaultZone, bot.ErrorMessage(err))
	}
	return c, nil
}

// isTerminal reports whether r is a character device such as a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Run reads and acts on lines until EOF or ":quit" (returning nil), until
// ctx ends (returning ctx.Err()), or until reading In or writing Out fails.
// Mistakes in a line are printed, not returned. Run must not be called twice.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// A read blocked on a terminal outlives Run when ctx ends; the
		// process is exiting then, so it is left behind.
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-stop:
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()

	c.printf("smart90 console — %s. Type :help for the console's commands.\n", c.clock.Now().UTC().Format(timeLayout))
	for {
		c.prompt()
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok = <-lines:
		}
		c.mu.Lock()
		c.waiting = false
		c.mu.Unlock()
		if !ok {
			if err := <-readErr; err != nil {
				return fmt.Errorf("console: read input: %w", err)
			}
			if c.interactive {
				c.printf("\n")
			}
			return c.writeErr()
		}
		quit := c.exec(ctx, line)
		if err := c.writeErr(); err != nil {
			return err
		}
		if quit {
			return nil
		}
	}
}

// prompt shows "NAME> " on a terminal.
func (c *Console) prompt() {
	if !c.interactive {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(c.actingNameLocked() + "> ")
	c.waiting = true
}

// exec acts on one line and reports whether it was :quit.
func (c *Console) exec(ctx context.Context, line string) (quit bool) {
	trimmed := strings.TrimSpace(line)
	if !c.interactive {
		switch {
		case trimmed == "":
			c.printf("\n")
		case strings.HasPrefix(trimmed, "#"):
			c.printf("%s\n", trimmed)
		default:
			c.mu.Lock()
			c.write(c.actingNameLocked() + "> " + trimmed + "\n")
			c.mu.Unlock()
		}
	}
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return false
	}

	if word, ok := strings.CutPrefix(trimmed, ":"); ok && word != "" && !strings.HasPrefix(word, ":") {
		name, arg, _ := strings.Cut(word, " ")
		arg = strings.TrimSpace(arg)
		switch strings.ToLower(name) {
		case "as":
			c.as(arg)
		case "click":
			c.click(ctx, arg)
		case "form":
			c.form(ctx, arg)
		case "advance":
			c.advance(ctx, arg)
		case "at":
			c.at(ctx, arg)
		case "tick":
			c.runTick(ctx)
		case "time":
			c.showTime()
		case "who":
			c.who()
		case "help":
			c.printf("%s", help)
		case "quit", "exit":
			return true
		default:
			c.fail("%q is not a console command. Commands: %s. Type :help for details.", ":"+name, commandList)
		}
		return false
	}

	if words, ok := cutCommand(trimmed); ok {
		c.command(ctx, words)
		return false
	}
	c.message(ctx, trimmed)
	return false
}

// cutCommand returns the words after "/smart90", if line is a command.
func cutCommand(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "/smart90")
	if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

const commandList = ":as, :click, :form, :advance, :at, :tick, :time, :who, :help, :quit"

const help = `  Console commands:
    :as NAME [Area/City]      act as user NAME from now on (zone remembered; default zone otherwise);
                              before any :as you act as "you", in the default zone
    /smart90 WORDS...         a smart90 command; @name mentions a user, #name a channel
    :click LABEL|ACTIONID     press a button on the latest message you were shown
    :form key=value; ...      submit the latest form you were shown (unset fields keep their value)
    :advance DURATION         move the clock forward (1d, 2h30m, 1d2h; at most 400 days),
                              running the scheduler at every due instant on the way
    :at YYYY-MM-DD HH:MM      move the clock to that time in your zone, the same way
    :tick                     run the scheduler now
    :time                     show the clock in UTC and in your zone
    :who                      list the users seen so far
    :help                     this help; "/smart90 help" is smart90's own
    :quit                     leave (so does end of input)
    # text                    a comment, echoed into the transcript
    anything else             a direct message to smart90
`

// namePattern is what a console user or channel name may contain.
var namePattern = regexp.MustCompile(`^[a-z0-9._-]+$`)

// as switches the acting user, creating them on first use.
func (c *Console) as(arg string) {
	fields := strings.Fields(arg)
	if len(fields) == 0 || len(fields) > 2 {
		c.fail("Use :as NAME [Area/City], e.g. :as ana Europe/Paris.")
		return
	}
	name := strings.ToLower(fields[0])
	if !namePattern.MatchString(name) {
		c.fail("%q is not a console name; use letters, digits, \".\", \"_\" and \"-\".", fields[0])
		return
	}
	zone := ""
	if len(fields) == 2 {
		loc, err := bot.LoadZone(fields[1])
		if err != nil {
			c.fail("%s", bot.ErrorMessage(err))
			return
		}
		zone = loc.String()
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.userLocked(name)
	switch {
	case zone != "":
		u.zone = zone
	case u.zone == "":
		u.zone = c.defaultZone
	}
	c.acting = name
	c.write(fmt.Sprintf("  (you are now %s, %s)\n", name, u.zone))
}

// userLocked returns the user named name, adding them when new. c.mu is held.
func (c *Console) userLocked(name string) *user {
	u, ok := c.users[name]
	if !ok {
		u = &user{name: name}
		c.users[name] = u
		c.order = append(c.order, name)
	}
	return u
}

// defaultUser is who acts before any :as.
const defaultUser = "you"

// actingNameLocked is the name of who acts, or will act: defaultUser
// before any :as. c.mu is held.
func (c *Console) actingNameLocked() string { return cmp.Or(c.acting, defaultUser) }

// actor returns the acting user's reference, making the default person
// act (and saying so) when nobody has acted yet. It never fails; ok is
// kept so callers read the same whether or not someone acts.
func (c *Console) actor() (bot.UserRef, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.acting == "" {
		// A newcomer's first "/smart90 help" should just work.
		u := c.userLocked(defaultUser)
		if u.zone == "" {
			u.zone = c.defaultZone
		}
		c.acting = defaultUser
		c.write(fmt.Sprintf("  (you are %s, %s; :as NAME [Area/City] plays someone else)\n", defaultUser, u.zone))
	}
	u := c.users[c.acting]
	return bot.UserRef{ExternalID: u.name, DisplayName: u.name, TimeZone: u.zone}, true
}

// command sends a /smart90 command.
func (c *Console) command(ctx context.Context, words string) {
	me, ok := c.actor()
	if !ok {
		return
	}
	text, mentioned := rewriteRefs(words)
	ev := c.event(me, bot.EventCommand)
	ev.Text = text
	if len(mentioned) > 0 {
		ev.Mentions = map[string]bot.UserRef{}
		c.mu.Lock()
		for _, name := range mentioned {
			u := c.userLocked(name)
			ev.Mentions[name] = bot.UserRef{ExternalID: name, DisplayName: name, TimeZone: u.zone}
		}
		c.mu.Unlock()
	}
	c.handle(ctx, ev)
}

// message sends a plain direct message.
func (c *Console) message(ctx context.Context, text string) {
	me, ok := c.actor()
	if !ok {
		return
	}
	ev := c.event(me, bot.EventMessage)
	ev.Text = text
	c.handle(ctx, ev)
}

// event returns an event of kind from me on this installation.
func (c *Console) event(me bot.UserRef, kind bot.EventKind) bot.Event {
	return bot.Event{Platform: bot.PlatformConsole, Installation: c.inst, User: me, Kind: kind}
}

// click presses a button on the latest message shown to the acting user
// that has one matching arg by label or action id.
func (c *Console) click(ctx context.Context, arg string) {
	arg = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(arg, "["), "]"))
	if arg == "" {
		c.fail("Use :click LABEL or :click ACTIONID, e.g. :click Accept.")
		return
	}
	me, ok := c.actor()
	if !ok {
		return
	}

	c.mu.Lock()
	var (
		found bool
		btn   bot.Button
		from  shown
	)
	for i := len(c.shown) - 1; i >= 0 && !found; i-- {
		s := c.shown[i]
		if !s.visibleTo(me.ExternalID) {
			continue
		}
		for _, b := range s.msg.Buttons {
			if strings.EqualFold(b.Label, arg) || b.ActionID == arg {
				found, btn, from = true, b, s
				break
			}
		}
	}
	if !found {
		c.failLocked("No message shown to %s has a button %q.%s", me.ExternalID, arg, c.latestButtonsLocked(me.ExternalID))
		c.mu.Unlock()
		return
	}
	if btn.OpensForm {
		if from.msg.Form == nil {
			c.failLocked("[%s] opens a form, but its message has none.", btn.Label)
			c.mu.Unlock()
			return
		}
		opened := shown{to: me.ExternalID, channel: from.channel, msg: bot.Message{Form: from.msg.Form}}
		c.rememberLocked(opened)
		var b strings.Builder
		fmt.Fprintf(&b, "  smart90 → %s (only you):\n", me.ExternalID)
		renderForm(&b, from.msg.Form)
		c.write(b.String())
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()

	ev := c.event(me, bot.EventAction)
	ev.Channel = from.channel
	ev.ActionID = btn.ActionID
	ev.Value = btn.Value
	c.handle(ctx, ev)
}

// latestButtonsLocked lists the buttons of the latest message shown to
// name that has any, to help after a failed :click. c.mu is held.
func (c *Console) latestButtonsLocked(name string) string {
	for i := len(c.shown) - 1; i >= 0; i-- {
		s := c.shown[i]
		if len(s.msg.Buttons) == 0 || !s.visibleTo(name) {
			continue
		}
		var labels []string
		for _, b := range s.msg.Buttons {
			labels = append(labels, "["+b.Label+"]")
		}
		return " The latest buttons: " + strings.Join(labels, " ") + "."
	}
	return " No message with buttons was shown to them yet."
}

// form submits the latest form shown to the acting user.
func (c *Console) form(ctx context.Context, arg string) {
	me, ok := c.actor()
	if !ok {
		return
	}
	c.mu.Lock()
	var (
		f    *bot.Form
		from shown
	)
	for i := len(c.shown) - 1; i >= 0; i-- {
		if s := c.shown[i]; s.msg.Form != nil && s.visibleTo(me.ExternalID) {
			f, from = s.msg.Form, s
			break
		}
	}
	c.mu.Unlock()
	if f == nil {
		c.fail("No form was shown to %s yet.", me.ExternalID)
		return
	}
	values, err := formValues(f, arg)
	if err != nil {
		c.fail("%s", err.Error())
		return
	}
	ev := c.event(me, bot.EventForm)
	ev.Channel = from.channel
	ev.FormID = f.FormID
	ev.Value = f.Value
	ev.Values = values
	c.handle(ctx, ev)
}

// formValues returns f's values after applying "key=value; key=value":
// fields not given keep their Initial value; a choice may be given by its
// label. Unknown keys and pairs without "=" are errors.
func formValues(f *bot.Form, arg string) (map[string]string, error) {
	values := make(map[string]string, len(f.Fields))
	ids := make([]string, 0, len(f.Fields))
	for _, fd := range f.Fields {
		values[fd.ID] = fd.Initial
		ids = append(ids, fd.ID)
	}
	var unknown []string
	for part := range strings.SplitSeq(arg, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return nil, fmt.Errorf("%q is not key=value. Use %s", part, formExample(f))
		}
		i := slices.IndexFunc(f.Fields, func(fd bot.Field) bool { return fd.ID == key })
		if i < 0 {
			i = slices.IndexFunc(f.Fields, func(fd bot.Field) bool { return strings.EqualFold(fd.ID, key) })
		}
		if i < 0 {
			unknown = append(unknown, key)
			continue
		}
		values[f.Fields[i].ID] = choiceValue(f.Fields[i], value)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("form %q has no field %s; its fields are: %s. Nothing was sent.",
			cmp.Or(f.Title, f.FormID), strings.Join(unknown, ", "), strings.Join(ids, ", "))
	}
	return values, nil
}

// choiceValue maps a choice typed as its label to its value.
func choiceValue(fd bot.Field, typed string) string {
	if fd.Kind != bot.FieldChoice || slices.ContainsFunc(fd.Options, func(o bot.Option) bool { return o.Value == typed }) {
		return typed
	}
	for _, o := range fd.Options {
		if strings.EqualFold(o.Label, typed) || strings.EqualFold(o.Value, typed) {
			return o.Value
		}
	}
	return typed
}

// maxMove is how far :advance and :at may move the clock at once: a year
// and some, enough for any coaching cycle, and far from the instants where
// time arithmetic overflows and the clock would wrap into the past.
const maxMove = 400 * 24 * time.Hour

// advance moves the clock forward by a duration, playing the time through.
func (c *Console) advance(ctx context.Context, arg string) {
	d, err := parseDuration(arg)
	if errors.Is(err, errTooFar) {
		c.fail(":advance moves the clock at most 400 days at a time; %q is more. The clock stays at %s.",
			strings.TrimSpace(arg), c.clock.Now().UTC().Format(timeLayout))
		return
	}
	if err != nil {
		c.fail("%s", err.Error())
		return
	}
	c.moveTo(ctx, c.clock.Now().Add(d))
}

// at sets the clock to a wall time in the acting user's zone (the default
// zone before any :as), playing the time through.
func (c *Console) at(ctx context.Context, arg string) {
	loc, _ := c.actingZone()
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.Join(strings.Fields(arg), " "), loc)
	if err != nil {
		c.fail("Use :at YYYY-MM-DD HH:MM (in your zone, %s), e.g. :at 2026-12-04 15:00.", loc)
		return
	}
	now := c.clock.Now()
	switch {
	case t.Before(now):
		c.fail("%s is before the clock's %s; the clock never goes backwards.",
			t.Format(timeLayout), now.In(loc).Format(timeLayout))
		return
	case t.Sub(now) > maxMove:
		c.fail(":at moves the clock at most 400 days ahead; %s is further. The clock stays at %s.",
			t.Format(timeLayout), now.In(loc).Format(timeLayout))
		return
	}
	c.moveTo(ctx, t)
}

// moveTo shows the clock's new time and plays the time up to it through:
// the scheduler runs now, at every instant on the way where something is
// due (see Config.NextDue), in order, and at target, so each prompt and
// reminder arrives when it would have, stamped with that time.
func (c *Console) moveTo(ctx context.Context, target time.Time) {
	c.printf("  clock → %s\n", c.timeLine(target))
	if c.tick == nil {
		_ = c.clock.Set(target)
		c.printf("  (no scheduler is wired; nothing to run)\n")
		return
	}
	c.setTicking(true)
	defer c.setTicking(false)
	// A tick first: a schedule marked by the last command (a new
	// engagement, a settings change) learns its next due instant only when
	// planned, and NextDue looks past now.
	if c.nextDue != nil && !c.tickOnce(ctx) {
		_ = c.clock.Set(target)
		return
	}
	for c.nextDue != nil && ctx.Err() == nil {
		now := c.clock.Now()
		next, ok, err := c.nextDue(ctx, now)
		if err != nil {
			c.logger.ErrorContext(ctx, "console: find the next due instant", "err", err)
			c.fail("Could not find what is due next (%v); the clock jumps straight to its new time.", err)
			break
		}
		if !ok || !next.After(now) || !next.Before(target) {
			break
		}
		if err := c.clock.Set(next); err != nil || !c.tickOnce(ctx) {
			break
		}
	}
	_ = c.clock.Set(target) // never before now: target is checked, and the steps stop short of it
	c.tickOnce(ctx)
}

// setTicking says whether the scheduler is running, for Send's stamps.
func (c *Console) setTicking(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ticking = on
}

// runTick runs the scheduler once (:tick), printing a failure.
func (c *Console) runTick(ctx context.Context) {
	if c.tick == nil {
		c.printf("  (no scheduler is wired; nothing to run)\n")
		return
	}
	c.setTicking(true)
	defer c.setTicking(false)
	c.tickOnce(ctx)
}

// tickOnce runs the scheduler once and reports whether it succeeded,
// printing a failure.
func (c *Console) tickOnce(ctx context.Context) bool {
	if err := c.tick(ctx); err != nil {
		c.logger.ErrorContext(ctx, "console: scheduler tick", "err", err)
		c.fail("The scheduler failed: %v", err)
		return false
	}
	return true
}

// showTime prints the clock.
func (c *Console) showTime() { c.printf("  time: %s\n", c.timeLine(c.clock.Now())) }

// timeLine is now in UTC and in the acting user's zone.
func (c *Console) timeLine(now time.Time) string {
	line := now.UTC().Format(timeLayout)
	if loc, name := c.actingZone(); name != "" && loc != time.UTC {
		line += fmt.Sprintf(" · %s: %s (%s)", name, now.In(loc).Format(timeLayout), loc)
	}
	return line
}

// actingZone returns the acting user's zone and name: before any :as,
// the default person's.
func (c *Console) actingZone() (*time.Location, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.acting == "" {
		return bot.Zone(c.defaultZone), defaultUser
	}
	loc, err := time.LoadLocation(c.users[c.acting].zone)
	if err != nil {
		return time.UTC, c.acting
	}
	return loc, c.acting
}

// who lists the users seen so far.
func (c *Console) who() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.order) == 0 {
		c.write(fmt.Sprintf("  (nobody yet; you act as %s, %s, until :as NAME [Area/City])\n", defaultUser, c.defaultZone))
		return
	}
	var b strings.Builder
	b.WriteString("  users:\n")
	for _, name := range c.order {
		u := c.users[name]
		zone := cmp.Or(u.zone, "zone unknown until they act")
		mark := ""
		if name == c.acting {
			mark = "  ← you"
		}
		fmt.Fprintf(&b, "    %s (%s)%s\n", name, zone, mark)
	}
	c.write(b.String())
}

// handle passes ev to the core and prints its replies to the acting user.
func (c *Console) handle(ctx context.Context, ev bot.Event) {
	msgs, err := c.handler.Handle(ctx, ev)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range msgs {
		s := shown{to: ev.User.ExternalID, channel: ev.Channel, msg: m}
		audience := " (DM)"
		if m.Ephemeral {
			audience = " (only you)"
		}
		c.showLocked(s, "smart90 → "+ev.User.ExternalID+audience)
	}
	if len(msgs) == 0 && err == nil {
		c.write("  (no reply)\n")
	}
	if err != nil {
		if bot.ErrorCode(err) == bot.EINTERNAL {
			c.logger.ErrorContext(ctx, "console: handle event", "kind", ev.Kind, "user", ev.User.ExternalID, "err", err)
		}
		c.write(fmt.Sprintf("  smart90 → %s (only you):\n    %s\n", ev.User.ExternalID, bot.ErrorMessage(err)))
	}
}

// Send prints m as sent to a person (to.UserID, a direct message) or a
// channel (to.Channel), in the thread of to.ThreadRef when set, and
// returns its reference ("m1", "m2", …) for later threads. Files are
// written under Config.FilesDir. It fails with ENOTFOUND when to names
// another installation or nobody at all. Safe for concurrent use.
func (c *Console) Send(ctx context.Context, to bot.Destination, m bot.Message) (string, error) {
	if to.Installation != nil && to.Installation.ExternalID != "" && to.Installation.ExternalID != c.inst {
		return "", bot.Errorf(bot.ENOTFOUND, "The console serves installation %q, not %q.", c.inst, to.Installation.ExternalID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := shown{msg: m}
	var header string
	switch {
	case to.UserID != "":
		name := strings.ToLower(to.UserID)
		c.userLocked(name)
		s.to = name
		header = "smart90 → " + name + " (DM)"
	case to.Channel != "":
		s.channel = strings.TrimPrefix(to.Channel, "#")
		header = "smart90 → #" + s.channel
	default:
		return "", bot.Errorf(bot.ENOTFOUND, "A message needs a user or a channel to go to.")
	}
	c.refs++
	s.ref = fmt.Sprintf("m%d", c.refs)
	if to.ThreadRef != "" {
		header += " ↳ thread " + to.ThreadRef
	}
	header += " [" + s.ref + "]"
	if c.ticking {
		// What the scheduler sends arrives at the clock's time, which a
		// walk through several days moves step by step: say when, in the
		// recipient's zone (a channel's in UTC).
		loc := time.UTC
		if u := c.users[s.to]; u != nil {
			loc = bot.Zone(cmp.Or(u.zone, c.defaultZone))
		}
		header += " · " + c.clock.Now().In(loc).Format(timeLayout)
	}
	redraw := c.interactive && c.waiting
	if redraw {
		c.write("\n") // leave the prompt's line before printing
	}
	c.showLocked(s, header)
	if redraw {
		c.write(c.actingNameLocked() + "> ")
	}
	return s.ref, nil
}

// showLocked prints s under header, writes its files and images, and remembers it for
// :click and :form. c.mu is held.
func (c *Console) showLocked(s shown, header string) {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s:\n", header)
	renderMessage(&b, s.msg)
	for _, f := range s.msg.Files {
		path, err := c.writeFile(cmp.Or(s.to, "channel-"+s.channel), f)
		if err != nil {
			c.logger.Error("console: write attached file", "name", f.Name, "err", err)
			fmt.Fprintf(&b, "    file %s: not written: %v\n", f.Name, err)
			continue
		}
		fmt.Fprintf(&b, "    file: %s (%s, %d bytes)\n", path, cmp.Or(f.ContentType, "unknown type"), len(f.Data))
	}
	// A terminal shows no pictures: each image is written beside the
	// files, and its path printed with what it shows.
	for _, img := range s.msg.Images {
		path, err := c.writeFile(cmp.Or(s.to, "channel-"+s.channel), bot.File{Name: img.Name, Data: img.PNG})
		if err != nil {
			c.logger.Error("console: write image", "name", img.Name, "err", err)
			fmt.Fprintf(&b, "    image %s: not written: %v\n", display(img.Name), err)
			continue
		}
		fmt.Fprintf(&b, "    image: %s (%s)\n", path, display(cmp.Or(img.Title, img.Name)))
	}
	c.write(b.String())
	c.rememberLocked(s)
}

// rememberLocked keeps s for :click and :form. c.mu is held.
func (c *Console) rememberLocked(s shown) {
	if len(s.msg.Buttons) == 0 && s.msg.Form == nil {
		return
	}
	c.shown = append(c.shown, s)
	if len(c.shown) > maxShown {
		c.shown = slices.Delete(c.shown, 0, len(c.shown)-maxShown)
	}
}

// visibleTo reports whether name saw s: their own messages, and every
// channel message (the console does not track channel membership).
func (s shown) visibleTo(name string) bool {
	return s.to == name || s.to == "" && s.channel != ""
}

// writeFile writes f into the recipient's directory under FilesDir and
// returns its path. Exports hold personal data, so only the owner may read.
func (c *Console) writeFile(recipient string, f bot.File) (string, error) {
	dir := filepath.Join(c.filesDir, safeName(recipient, "someone"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create directory: %w", err)
	}
	path := filepath.Join(dir, safeName(f.Name, "attachment"))
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		return "", fmt.Errorf("write file: %w", err)
	}
	return path, nil
}

// safeName returns the last element of name, or fallback when that is not
// a usable file name, so a file name cannot climb out of its directory.
func safeName(name, fallback string) string {
	base := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if base == "." || base == ".." || base == "/" || base == "" {
		return fallback
	}
	return base
}

// printf writes a formatted line to the transcript.
func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(fmt.Sprintf(format, args...))
}

// fail prints a console error: a mistake in what was typed, not smart90's reply.
func (c *Console) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failLocked(format, args...)
}

// failLocked is fail with c.mu held.
func (c *Console) failLocked(format string, args ...any) {
	c.write("  console: " + fmt.Sprintf(format, args...) + "\n")
}

// write writes s to Out, keeping the first error. c.mu is held.
func (c *Console) write(s string) {
	if c.werr != nil {
		return
	}
	if _, err := io.WriteString(c.out, s); err != nil {
		c.werr = fmt.Errorf("console: write output: %w", err)
	}
}

// writeErr returns the first error writing to Out.
func (c *Console) writeErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.werr
}
