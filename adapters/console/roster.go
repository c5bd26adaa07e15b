// The roster: the people the console has seen, who acts now, and in which
// time zone (:as, :who).

package console

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

// user is someone the console has seen: acting, mentioned or messaged.
type user struct {
	name string
	zone string // IANA name; "" until they act or :as gives one
	// status is their chat status (:status), read by the core through
	// Console.Status.
	status bot.Status
}

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
