// The console as a bot.Messenger: what the core sends to people and
// channels, printed with who sees it.

package console

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

var _ bot.Messenger = (*Console)(nil)

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
