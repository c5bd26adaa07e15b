// The read-eval-print loop: reading lines, dispatching console commands,
// and turning typed text into events for the core.

package console

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/smart90/smart90/bot"
)

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
		case "status":
			c.status(arg)
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

const commandList = ":as, :click, :form, :advance, :at, :status, :tick, :time, :who, :help, :quit"

const help = `  Console commands:
    :as NAME [Area/City]      act as user NAME from now on (zone remembered; default zone otherwise);
                              before any :as you act as "you", in the default zone
    /smart90 WORDS...         a smart90 command; @name mentions a user, #name a channel
    :click LABEL|ACTIONID     press a button on the latest message you were shown
    :form key=value; ...      submit the latest form you were shown (unset fields keep their value)
    :advance DURATION         move the clock forward (1d, 2h30m, 1d2h; at most 400 days),
                              running the scheduler at every due instant on the way
    :at YYYY-MM-DD HH:MM      move the clock to that time in your zone, the same way
    :status NAME [:emoji:] [text] [until YYYY-MM-DD]
                              set NAME's chat status (until the end of that day in their zone);
                              :status NAME clears it; "out of office" ones skip their prompts
    :tick                     run the scheduler now
    :time                     show the clock in UTC and in your zone
    :who                      list the users seen so far
    :help                     this help; "/smart90 help" is smart90's own
    :quit                     leave (so does end of input)
    # text                    a comment, echoed into the transcript
    anything else             a direct message to smart90
`

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
