// Statuses: what a person's chat status says (:status), read by the core
// to skip the prompts of someone out of office.

package console

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/smart90/smart90/bot"
)

var _ bot.StatusReader = (*Console)(nil)

// Status implements bot.StatusReader: the status :status last set for the
// user, or none. It fails with ENOTFOUND for another installation, like
// Send. Safe for concurrent use.
func (c *Console) Status(_ context.Context, inst *bot.Installation, userID string) (bot.Status, error) {
	if inst != nil && inst.ExternalID != "" && inst.ExternalID != c.inst {
		return bot.Status{}, bot.Errorf(bot.ENOTFOUND, "The console serves installation %q, not %q.", c.inst, inst.ExternalID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.users[strings.ToLower(userID)]; ok {
		return u.status, nil
	}
	return bot.Status{}, nil
}

// status sets or clears a user's chat status:
//
//	:status ana :palm_tree: until 2026-12-20    emoji, expiring at the end of that day in ana's zone
//	:status ana Out of office                   text, no expiry
//	:status ana :palm_tree: Skiing until 2027-01-04
//	:status ana                                 cleared
func (c *Console) status(arg string) {
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		c.fail("Use :status NAME [:emoji:] [text] [until YYYY-MM-DD], e.g. :status ana :palm_tree: until 2026-12-20; :status NAME clears it.")
		return
	}
	name := strings.ToLower(fields[0])
	if !namePattern.MatchString(name) {
		c.fail("%q is not a console name; use letters, digits, \".\", \"_\" and \"-\".", fields[0])
		return
	}
	rest := fields[1:]
	var until bot.Date
	if n := len(rest); n >= 2 && strings.EqualFold(rest[n-2], "until") {
		d, err := bot.ParseDate(rest[n-1])
		if err != nil {
			c.fail("%s", bot.ErrorMessage(err))
			return
		}
		until, rest = d, rest[:n-2]
	} else if n >= 1 && strings.EqualFold(rest[n-1], "until") {
		c.fail("\"until\" needs a day: :status %s %s until YYYY-MM-DD.", name, strings.Join(rest[:n-1], " "))
		return
	}
	var st bot.Status
	if len(rest) > 0 && len(rest[0]) > 2 && strings.HasPrefix(rest[0], ":") && strings.HasSuffix(rest[0], ":") {
		st.Emoji, rest = strings.ToLower(rest[0]), rest[1:]
	}
	st.Text = strings.Join(rest, " ")
	if st.Emoji == "" && st.Text == "" && !until.IsZero() {
		c.fail("A status needs an emoji or some text before \"until\".")
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.userLocked(name)
	zone := cmp.Or(u.zone, c.defaultZone)
	if !until.IsZero() {
		// The end of that day where the person lives: the next midnight.
		st.Expires = until.AddDays(1).In(bot.Zone(zone)).UTC()
	}
	u.status = st
	switch {
	case st == bot.Status{}:
		c.write(fmt.Sprintf("  (%s has no status)\n", name))
	case until.IsZero():
		c.write(fmt.Sprintf("  (%s's status: %s)\n", name, strings.TrimSpace(st.Emoji+" "+st.Text)))
	default:
		c.write(fmt.Sprintf("  (%s's status: %s, until the end of %s, %s)\n", name, strings.TrimSpace(st.Emoji+" "+st.Text), until, zone))
	}
}
