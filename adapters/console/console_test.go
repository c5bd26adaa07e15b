package console_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/console"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// fakeHandler records events and answers with HandleFunc, if set.
type fakeHandler struct {
	HandleFunc func(ctx context.Context, ev bot.Event) ([]bot.Message, error)

	mu     sync.Mutex
	events []bot.Event
}

func (h *fakeHandler) Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
	if h.HandleFunc == nil {
		return nil, nil
	}
	return h.HandleFunc(ctx, ev)
}

func (h *fakeHandler) Events() []bot.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Event(nil), h.events...)
}

var start = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // a Monday

// fixture is a console wired to fakes.
type fixture struct {
	Console  *console.Console
	Handler  *fakeHandler
	Clock    *console.Clock
	Out      *bottest.Buffer
	FilesDir string

	mu    sync.Mutex
	ticks []time.Time // the clock at each Tick
}

func (f *fixture) Ticks() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.ticks...)
}

// setup returns a console whose In is input; Run it with run.
func setup(t testing.TB, input string) *fixture {
	t.Helper()
	f := &fixture{Handler: &fakeHandler{}, Clock: console.NewClock(start), Out: &bottest.Buffer{}, FilesDir: t.TempDir()}
	c, err := console.New(console.Config{
		In:      strings.NewReader(input),
		Out:     f.Out,
		Handler: f.Handler,
		Clock:   f.Clock,
		Tick: func(context.Context) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.ticks = append(f.ticks, f.Clock.Now())
			return nil
		},
		Installation:    "local",
		DefaultTimeZone: "Europe/London",
		FilesDir:        f.FilesDir,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.Console = c
	return f
}

// run runs the console to the end of its input.
func (f *fixture) run(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.Console.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestCommandMentionsAndMessages(t *testing.T) {
	t.Parallel()
	f := setup(t, `
# a coach invites two clients
:as ana Europe/Paris
:as Coach
/smart90 invite @Ana, @bo. and a@b.com <@x> #Coaching
/smart90
/smart90help
Moved the launch forward @ana #1
`)
	f.run(t)

	me := bot.UserRef{ExternalID: "coach", DisplayName: "coach", TimeZone: "Europe/London"}
	want := []bot.Event{
		{
			Platform: bot.PlatformConsole, Installation: "local", User: me, Kind: bot.EventCommand,
			Text: "invite <@ana>, <@bo>. and a@b.com <@x> <#coaching>",
			Mentions: map[string]bot.UserRef{
				"ana": {ExternalID: "ana", DisplayName: "ana", TimeZone: "Europe/Paris"},
				"bo":  {ExternalID: "bo", DisplayName: "bo"},
			},
		},
		{Platform: bot.PlatformConsole, Installation: "local", User: me, Kind: bot.EventCommand},
		{Platform: bot.PlatformConsole, Installation: "local", User: me, Kind: bot.EventMessage, Text: "/smart90help"},
		{Platform: bot.PlatformConsole, Installation: "local", User: me, Kind: bot.EventMessage, Text: "Moved the launch forward @ana #1"},
	}
	if got := f.Handler.Events(); !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
	out := f.Out.String()
	for _, s := range []string{"# a coach invites two clients\n", "coach> /smart90 invite @Ana", "> :as ana Europe/Paris\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("transcript lacks %q:\n%s", s, out)
		}
	}
}

func TestReplies(t *testing.T) {
	t.Parallel()
	f := setup(t, ":as ana\n/smart90 rocks\nhello\n")
	f.Handler.HandleFunc = func(_ context.Context, ev bot.Event) ([]bot.Message, error) {
		if ev.Kind == bot.EventMessage {
			return nil, bot.Errorf(bot.EINVALID, "Say it with a command.")
		}
		return []bot.Message{{
			Text:      "Your rocks:\n1. Ship *v2*",
			Sections:  []string{"No rock is off track."},
			Buttons:   []bot.Button{{ActionID: "rocks.add", Label: "Add a rock"}},
			Ephemeral: true,
		}}, nil
	}
	f.run(t)

	want := `smart90 console — Mon 2026-11-30 08:00 UTC. Type :help for the console's commands.
you> :as ana
  (you are now ana, Europe/London)
ana> /smart90 rocks
  smart90 → ana (only you):
    Your rocks:
    1. Ship *v2*
    ---
    No rock is off track.
    [Add a rock]
ana> hello
  smart90 → ana (only you):
    Say it with a command.
`
	if got := f.Out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestClick(t *testing.T) {
	t.Parallel()
	f := setup(t, `:as ana
/smart90 rocks
:click accept
:click [Decline]
:click invite.decline
:click Nope
:as bo
:click Accept
:click Join
`)
	f.Handler.HandleFunc = func(_ context.Context, ev bot.Event) ([]bot.Message, error) {
		if ev.Kind != bot.EventCommand {
			return nil, nil
		}
		return []bot.Message{{Text: "Coach invites you.", Buttons: []bot.Button{
			{ActionID: "invite.accept", Label: "Accept", Value: "42", Style: bot.StylePrimary},
			{ActionID: "invite.decline", Label: "Decline", Value: "42"},
		}}}, nil
	}
	// A channel message is visible to everyone, and its clicks carry the channel.
	if _, err := f.Console.Send(context.Background(), bot.Destination{Channel: "coaching"},
		bot.Message{Text: "Digest", Buttons: []bot.Button{{ActionID: "digest.join", Label: "Join", Value: "7"}}}); err != nil {
		t.Fatal(err)
	}
	f.run(t)

	ana := bot.UserRef{ExternalID: "ana", DisplayName: "ana", TimeZone: "Europe/London"}
	bo := bot.UserRef{ExternalID: "bo", DisplayName: "bo", TimeZone: "Europe/London"}
	action := func(u bot.UserRef, id, value, channel string) bot.Event {
		return bot.Event{Platform: bot.PlatformConsole, Installation: "local", User: u, Kind: bot.EventAction, ActionID: id, Value: value, Channel: channel}
	}
	want := []bot.Event{
		{Platform: bot.PlatformConsole, Installation: "local", User: ana, Kind: bot.EventCommand, Text: "rocks"},
		action(ana, "invite.accept", "42", ""),
		action(ana, "invite.decline", "42", ""),
		action(ana, "invite.decline", "42", ""),
		action(bo, "digest.join", "7", "coaching"),
	}
	if got := f.Handler.Events(); !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
	out := f.Out.String()
	for _, s := range []string{
		`console: No message shown to ana has a button "Nope". The latest buttons: [Accept] [Decline].`,
		`console: No message shown to bo has a button "Accept". The latest buttons: [Join].`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func checkinMessage() bot.Message {
	return bot.Message{
		Text:    "Cycle 1 · day 1 of 90",
		Buttons: []bot.Button{{ActionID: "checkin.open", Label: "Answer", OpensForm: true}, {ActionID: "checkin.skip", Label: "Skip today", Value: "42:2026-11-30"}},
		Form: &bot.Form{FormID: "checkin.submit", Value: "42:2026-11-30", Title: "Daily check-in", Fields: []bot.Field{
			{ID: "moved", Label: "What moved forward yesterday?", Kind: bot.FieldLongText},
			{ID: "priority", Label: "Today's #1 priority", Kind: bot.FieldText, Initial: "Ship v2"},
			{ID: "rock", Label: "Which rock?", Kind: bot.FieldChoice, Options: []bot.Option{{Value: "1", Label: "Ship v2"}, {Value: "2", Label: "Hire a PM"}}, Optional: true},
			{ID: "energy", Label: "Energy", Kind: bot.FieldNumber, Min: 1, Max: 5, Hint: "1 = drained, 5 = flying"},
		}},
	}
}

func TestForm(t *testing.T) {
	t.Parallel()
	f := setup(t, `:as ana
:click Answer
:form moved=Wrote the spec = done, then tests; energy = 4; rock=hire a pm
:form mood=great; Energy=3; size=XL
:form moved
:as bo
:form energy=2
`)
	if _, err := f.Console.Send(context.Background(), bot.Destination{UserID: "ana"}, checkinMessage()); err != nil {
		t.Fatal(err)
	}
	f.run(t)

	want := []bot.Event{{
		Platform: bot.PlatformConsole, Installation: "local", Kind: bot.EventForm,
		User:   bot.UserRef{ExternalID: "ana", DisplayName: "ana", TimeZone: "Europe/London"},
		FormID: "checkin.submit", Value: "42:2026-11-30",
		Values: map[string]string{"moved": "Wrote the spec = done, then tests", "priority": "Ship v2", "rock": "2", "energy": "4"},
	}}
	if got := f.Handler.Events(); !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
	out := f.Out.String()
	form := `    Form "Daily check-in": :form moved=…; priority=…; rock=…; energy=…
      moved: What moved forward yesterday? (long text)
      priority: Today's #1 priority (text) = "Ship v2"
      rock: Which rock? (one of: 1 = Ship v2 | 2 = Hire a PM, optional)
      energy: Energy (number 1–5) — 1 = drained, 5 = flying
`
	for _, s := range []string{
		"  smart90 → ana (DM) [m1]:\n    Cycle 1 · day 1 of 90\n    [Answer] [Skip today]\n" + form,
		"ana> :click Answer\n  smart90 → ana (only you):\n" + form + "ana> :form",
		`console: form "Daily check-in" has no field mood, size; its fields are: moved, priority, rock, energy. Nothing was sent.`,
		`console: "moved" is not key=value. Use :form moved=…; priority=…; rock=…; energy=…`,
		"console: No form was shown to bo yet.",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	ctx := context.Background()
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local"}

	ref1, err := f.Console.Send(ctx, bot.Destination{Installation: inst, UserID: "ana"}, bot.Message{Text: "Coach invites you.", Buttons: []bot.Button{{Label: "Accept"}, {Label: "Decline"}}})
	if err != nil {
		t.Fatal(err)
	}
	ref2, err := f.Console.Send(ctx, bot.Destination{Installation: inst, Channel: "coaching"}, bot.Message{Text: "*Week 48* at a glance", Sections: []string{"• ana reported 5/5", "• bo went silent"}})
	if err != nil {
		t.Fatal(err)
	}
	ref3, err := f.Console.Send(ctx, bot.Destination{Installation: inst, Channel: "coaching", ThreadRef: ref2}, bot.Message{Text: "ana: 5/5, streak 12"})
	if err != nil {
		t.Fatal(err)
	}
	if ref1 != "m1" || ref2 != "m2" || ref3 != "m3" {
		t.Errorf("refs = %q, %q, %q; want m1, m2, m3", ref1, ref2, ref3)
	}
	want := `  smart90 → ana (DM) [m1]:
    Coach invites you.
    [Accept] [Decline]
  smart90 → #coaching [m2]:
    *Week 48* at a glance
    ---
    • ana reported 5/5
    ---
    • bo went silent
  smart90 → #coaching ↳ thread m2 [m3]:
    ana: 5/5, streak 12
`
	if got := f.Out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}

	for _, to := range []bot.Destination{
		{},
		{Installation: &bot.Installation{ExternalID: "T123"}, UserID: "ana"},
	} {
		if _, err := f.Console.Send(ctx, to, bot.Message{Text: "x"}); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("Send(%+v) error = %v; want code %s", to, err, bot.ENOTFOUND)
		}
	}
}

func TestSendFiles(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	_, err := f.Console.Send(context.Background(), bot.Destination{UserID: "ana"}, bot.Message{
		Text:  "Your data.",
		Files: []bot.File{{Name: "../smart90.csv", ContentType: "text/csv", Data: []byte("day,energy\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.FilesDir, "ana", "smart90.csv")
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "day,energy\n" {
		t.Errorf("file %s = %q, %v", path, data, err)
	}
	if want := fmt.Sprintf("    file: %s (text/csv, 11 bytes)\n", path); !strings.Contains(f.Out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, f.Out.String())
	}
}

// TestSendImages: a terminal shows no pictures, so each image is written
// under FilesDir, in the recipient's directory, and its path printed with
// its title.
func TestSendImages(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	png := []byte("\x89PNG\r\n")
	_, err := f.Console.Send(context.Background(), bot.Destination{Channel: "coaching"}, bot.Message{
		Text:   "*Ana* · check-ins 5/5",
		Images: []bot.Image{{Name: "ana-cycle1-checkins.png", Title: "Ana · check-ins, cycle 1", PNG: png}},
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.FilesDir, "channel-coaching", "ana-cycle1-checkins.png")
	if data, err := os.ReadFile(path); err != nil || string(data) != string(png) {
		t.Errorf("image %s = %q, %v", path, data, err)
	}
	if want := fmt.Sprintf("    image: %s (Ana · check-ins, cycle 1)\n", path); !strings.Contains(f.Out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, f.Out.String())
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	f := setup(t, `:tick
:advance 1d2h
:as ana America/New_York
:at 2026-12-04 15:00
:at 2026-12-01 09:00
:advance -1h
:advance soon
:time
`)
	f.run(t)

	want := []time.Time{
		start,
		start.Add(26 * time.Hour),
		time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC), // 15:00 in New York
	}
	got := f.Ticks()
	if len(got) != len(want) {
		t.Fatalf("ticks at %v; want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("tick %d at %v; want %v", i, got[i], want[i])
		}
	}
	if now := f.Clock.Now(); !now.Equal(want[2]) {
		t.Errorf("clock = %v; want %v", now, want[2])
	}
	out := f.Out.String()
	for _, s := range []string{
		"you> :advance 1d2h\n  clock → Tue 2026-12-01 10:00 UTC · you: Tue 2026-12-01 10:00 GMT (Europe/London)\n",
		"ana> :at 2026-12-04 15:00\n  clock → Fri 2026-12-04 20:00 UTC · ana: Fri 2026-12-04 15:00 EST (America/New_York)\n",
		"console: Tue 2026-12-01 09:00 EST is before the clock's Fri 2026-12-04 15:00 EST; the clock never goes backwards.",
		`console: "-1h" is not a duration`,
		`console: "soon" is not a duration`,
		"  time: Fri 2026-12-04 20:00 UTC · ana: Fri 2026-12-04 15:00 EST (America/New_York)\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

// :advance and :at refuse to move the clock more than 400 days, however
// the duration is written, and leave it (and the scheduler) alone.
func TestClockBounds(t *testing.T) {
	t.Parallel()
	f := setup(t, `:advance 401d
:advance 2562047h
:advance 9999999999h
:advance 99999999999999999999d
:advance 400d1m
:at 2028-01-05 08:00
:time
:advance 400d
`)
	f.run(t)

	out := f.Out.String()
	for _, arg := range []string{"401d", "2562047h", "9999999999h", "99999999999999999999d", "400d1m"} {
		s := fmt.Sprintf("you> :advance %s\n  console: :advance moves the clock at most 400 days at a time; %q is more. The clock stays at Mon 2026-11-30 08:00 UTC.\n", arg, arg)
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	for _, s := range []string{
		"you> :at 2028-01-05 08:00\n  console: :at moves the clock at most 400 days ahead; Wed 2028-01-05 08:00 GMT is further. The clock stays at Mon 2026-11-30 08:00 GMT.\n",
		"you> :time\n  time: Mon 2026-11-30 08:00 UTC ·",
		"you> :advance 400d\n  clock → Tue 2028-01-04 08:00 UTC",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if got, want := f.Clock.Now(), start.Add(400*24*time.Hour); !got.Equal(want) {
		t.Errorf("clock = %v; want %v (only the last :advance moved it)", got, want)
	}
	if got := f.Ticks(); len(got) != 1 {
		t.Errorf("ticks at %v; want one, after :advance 400d", got)
	}
}

// With NextDue wired, :advance stops the clock at every due instant on the
// way, in order, and runs the scheduler there; what the scheduler sends is
// stamped with the recipient's local time.
func TestAdvancePlaysTimeThrough(t *testing.T) {
	t.Parallel()
	mon9 := start.Add(time.Hour)                      // Monday 09:00 UTC
	due := []time.Time{mon9, mon9.Add(2 * time.Hour), // a check-in and its reminder
		start.Add(23 * time.Hour), start.Add(27 * time.Hour)} // Tuesday's, and one past the target
	var (
		c     *console.Console
		clock = console.NewClock(start)
		out   = &bottest.Buffer{}
		mu    sync.Mutex
		ticks []time.Time
	)
	c, err := console.New(console.Config{
		In:  strings.NewReader(":as ana Europe/Paris\n:advance 1d\n:tick\n"),
		Out: out, Handler: &fakeHandler{}, Clock: clock, DefaultTimeZone: "Europe/London",
		Tick: func(ctx context.Context) error {
			now := clock.Now()
			mu.Lock()
			ticks = append(ticks, now)
			mu.Unlock()
			for _, d := range due {
				if d.Equal(now) {
					if _, err := c.Send(ctx, bot.Destination{UserID: "ana"}, bot.Message{Text: "prompt"}); err != nil {
						return err
					}
				}
			}
			return nil
		},
		NextDue: func(_ context.Context, after time.Time) (time.Time, bool, error) {
			for _, d := range due {
				if d.After(after) {
					return d, true, nil
				}
			}
			return time.Time{}, false, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	target := start.Add(24 * time.Hour)
	want := []time.Time{start, due[0], due[1], due[2], target, target} // the last one is :tick's
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(ticks, want) {
		t.Errorf("ticks at %v; want %v", ticks, want)
	}
	if got := clock.Now(); !got.Equal(target) {
		t.Errorf("clock = %v; want %v", got, target)
	}
	wantOut := "ana> :advance 1d\n" +
		"  clock → Tue 2026-12-01 08:00 UTC · ana: Tue 2026-12-01 09:00 CET (Europe/Paris)\n" +
		"  smart90 → ana (DM) [m1] · Mon 2026-11-30 10:00 CET:\n    prompt\n" +
		"  smart90 → ana (DM) [m2] · Mon 2026-11-30 12:00 CET:\n    prompt\n" +
		"  smart90 → ana (DM) [m3] · Tue 2026-12-01 08:00 CET:\n    prompt\n" +
		"ana> :tick\n"
	if !strings.Contains(out.String(), wantOut) {
		t.Errorf("output lacks %q:\n%s", wantOut, out.String())
	}
}

func TestClockType(t *testing.T) {
	t.Parallel()
	c := console.NewClock(start)
	c.Advance(90 * time.Minute)
	c.Advance(-time.Hour)
	if got := c.Now(); !got.Equal(start.Add(90 * time.Minute)) {
		t.Errorf("Now = %v", got)
	}
	if err := c.Set(start); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("Set backwards: %v; want EINVALID", err)
	}
	if err := c.Set(start.Add(48 * time.Hour)); err != nil || !c.Now().Equal(start.Add(48*time.Hour)) {
		t.Errorf("Set forwards: %v, now %v", err, c.Now())
	}
}

func TestConsoleErrors(t *testing.T) {
	t.Parallel()
	f := setup(t, `:who
:frob now
:as Ana!
:as ana Mars/Olympus
:who
:as ana
:who
:quit
/smart90 never read
`)
	f.run(t)

	if got := f.Handler.Events(); len(got) != 0 {
		t.Errorf("events = %+v; want none", got)
	}
	out := f.Out.String()
	for _, s := range []string{
		"you> :who\n  (nobody yet; you act as you, Europe/London, until :as NAME [Area/City])\n",
		`console: ":frob" is not a console command. Commands: :as, :click, :form, :advance, :at, :status, :tick, :time, :who, :help, :quit. Type :help for details.`,
		`console: "Ana!" is not a console name`,
		`console: "Mars/Olympus" is not a time zone I know`,
		"ana> :who\n  users:\n    ana (Europe/London)  ← you\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "never read") {
		t.Errorf("input after :quit was read:\n%s", out)
	}
}

// Before any :as the console acts as "you", in the default zone, so a
// newcomer's first command reaches smart90; :as then switches as usual.
func TestDefaultPerson(t *testing.T) {
	t.Parallel()
	f := setup(t, `/smart90 help
hello
:click Accept
:at 2026-11-30 09:30
:as ana Europe/Paris
/smart90 rocks
:who
`)
	f.Handler.HandleFunc = func(_ context.Context, ev bot.Event) ([]bot.Message, error) {
		return []bot.Message{{Text: "hi " + ev.User.ExternalID}}, nil
	}
	f.run(t)

	got := f.Handler.Events()
	if len(got) != 3 {
		t.Fatalf("events = %+v; want help, hello and rocks", got)
	}
	for i, want := range []bot.UserRef{
		{ExternalID: "you", DisplayName: "you", TimeZone: "Europe/London"},
		{ExternalID: "you", DisplayName: "you", TimeZone: "Europe/London"},
		{ExternalID: "ana", DisplayName: "ana", TimeZone: "Europe/Paris"},
	} {
		if got[i].User != want {
			t.Errorf("event %d from %+v; want %+v", i, got[i].User, want)
		}
	}
	if got[0].Kind != bot.EventCommand || got[0].Text != "help" || got[1].Kind != bot.EventMessage || got[1].Text != "hello" {
		t.Errorf("events = %+v", got[:2])
	}
	out := f.Out.String()
	for _, s := range []string{
		"you> /smart90 help\n  (you are you, Europe/London; :as NAME [Area/City] plays someone else)\n  smart90 → you (DM):\n    hi you\n",
		"you> hello\n  smart90 → you (DM):\n    hi you\n",
		`you> :click Accept` + "\n  console: No message shown to you has a button \"Accept\".",
		// :at reads the default person's zone: 09:30 in London in winter is 09:30 UTC.
		"you> :at 2026-11-30 09:30\n  clock → Mon 2026-11-30 09:30 UTC · you: Mon 2026-11-30 09:30 GMT (Europe/London)\n",
		"ana> :who\n  users:\n    you (Europe/London)\n    ana (Europe/Paris)  ← you\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if n := strings.Count(out, "(you are you,"); n != 1 {
		t.Errorf("the default person was announced %d times; want once:\n%s", n, out)
	}
}

func TestHandlerInternalError(t *testing.T) {
	t.Parallel()
	f := setup(t, ":as ana\n/smart90 rocks\n")
	f.Handler.HandleFunc = func(context.Context, bot.Event) ([]bot.Message, error) {
		return nil, errors.New("database is locked")
	}
	f.run(t)
	if out := f.Out.String(); !strings.Contains(out, "  smart90 → ana (only you):\n    Something went wrong on our side.") || strings.Contains(out, "locked") {
		t.Errorf("output:\n%s", out)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := console.Config{In: strings.NewReader(""), Out: &bottest.Buffer{}, Handler: &fakeHandler{}}
	if _, err := console.New(good); err != nil {
		t.Errorf("New(minimal config): %v", err)
	}
	for name, cfg := range map[string]console.Config{
		"no handler": {In: good.In, Out: good.Out},
		"no out":     {In: good.In, Handler: good.Handler},
		"bad zone":   {In: good.In, Out: good.Out, Handler: good.Handler, DefaultTimeZone: "Nowhere/Town"},
	} {
		if _, err := console.New(cfg); err == nil {
			t.Errorf("New(%s) succeeded", name)
		}
	}
}

func TestRunStopsWithContext(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	c, err := console.New(console.Config{In: r, Out: &bottest.Buffer{}, Handler: &fakeHandler{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v; want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestConcurrentSend runs Send from many goroutines while Run handles
// input; run with -race.
func TestConcurrentSend(t *testing.T) {
	t.Parallel()
	var input strings.Builder
	input.WriteString(":as ana\n")
	for range 50 {
		input.WriteString("/smart90 checkin\n:click Skip today\n")
	}
	f := setup(t, input.String())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 25 {
				if _, err := f.Console.Send(context.Background(), bot.Destination{UserID: "ana"}, checkinMessage()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	f.run(t)
	wg.Wait()
	if n := strings.Count(f.Out.String(), "smart90 → ana (DM) [m"); n != 100 {
		t.Errorf("%d messages sent; want 100", n)
	}
}
