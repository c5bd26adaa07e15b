// Package bottest helps test code that drives the smart90 core: a settable
// Clock, a recording Messenger, and Setup, which gives each test a fresh
// bot.Bot on its own SQLite store with helpers to act as a user.
//
// A typical test:
//
//	b := bottest.Setup(t)
//	coach := bot.UserRef{ExternalID: "coach", TimeZone: "Europe/London"}
//	ana := bot.UserRef{ExternalID: "ana", TimeZone: "Europe/Paris"}
//	b.Command(t, coach, "invite <@ana>")
//	b.Click(t, ana, bot.ActionAccept, "")
//	b.Command(t, ana, "rocks add Hire a CTO | offer signed")
package bottest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// Start is where a Setup clock starts: Sunday 2026-11-22 18:00 UTC, the
// evening before the first workday of a cycle.
var Start = time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)

// Clock is a bot.Clock that only moves when told. It is safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

var _ bot.Clock = (*Clock)(nil)

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (backwards too).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sent is one message the Messenger accepted.
type Sent struct {
	To  bot.Destination
	Msg bot.Message
	Ref string // "m1", "m2"… in the order sent
}

// Messenger is a bot.Messenger that records what is sent. A send to a
// destination told to fail returns that error and is not recorded. It is
// safe for concurrent use.
type Messenger struct {
	mu   sync.Mutex
	sent []Sent
	n    int
	fail map[string]error
}

var _ bot.Messenger = (*Messenger)(nil)

// Send records m and returns the next reference.
func (m *Messenger) Send(_ context.Context, to bot.Destination, msg bot.Message) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail[key(to)]; err != nil {
		return "", err
	}
	m.n++
	ref := fmt.Sprintf("m%d", m.n)
	m.sent = append(m.sent, Sent{To: to, Msg: msg, Ref: ref})
	return ref, nil
}

// key is a destination's user id, or its channel.
func key(to bot.Destination) string {
	if to.UserID != "" {
		return to.UserID
	}
	return to.Channel
}

// Fail makes every send to a user id or channel fail with err; a nil err
// makes them succeed again.
func (m *Messenger) Fail(userOrChannel string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail == nil {
		m.fail = map[string]error{}
	}
	m.fail[userOrChannel] = err
}

// Sent returns everything sent so far, oldest first.
func (m *Messenger) Sent() []Sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Sent(nil), m.sent...)
}

// SentTo returns what was sent to a user id or channel, oldest first.
func (m *Messenger) SentTo(userOrChannel string) []Sent {
	var out []Sent
	for _, s := range m.Sent() {
		if key(s.To) == userOrChannel {
			out = append(out, s)
		}
	}
	return out
}

// Last returns the last message sent to a user id or channel, and false
// when there was none.
func (m *Messenger) Last(userOrChannel string) (Sent, bool) {
	s := m.SentTo(userOrChannel)
	if len(s) == 0 {
		return Sent{}, false
	}
	return s[len(s)-1], true
}

// Text joins the text of messages and their sections, one per line, for
// assertions on what a person reads; the core's references are shown as
// their bare tokens (<@ID>), without the invisible markers that frame them.
func Text(msgs ...bot.Message) string {
	var parts []string
	for _, m := range msgs {
		parts = append(parts, m.Text)
		parts = append(parts, m.Sections...)
	}
	return bot.StripRefMarks(strings.Join(parts, "\n"))
}

// mentionedIDs returns the ids of the mentions in an event's text, as
// the core reads them: words that are a neutral <@ID> (bot.ParseRef).
func mentionedIDs(text string) []string {
	var ids []string
	for _, w := range strings.Fields(text) {
		if ref, ok := bot.ParseRef(w); ok && ref.Ref == bot.RefPerson {
			ids = append(ids, ref.ID)
		}
	}
	return ids
}

// must fails the test on err.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Buffer collects what loggers (or a console) write, for a test to read
// while they may still be writing. It is safe for concurrent use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// InstallationReads is a bot.Store that counts its installation reads
// (InstallationByExternalID), for tests of how often a path reads it.
type InstallationReads struct {
	bot.Store
	N atomic.Int64 // reads so far; tests may reset it
}

// InstallationByExternalID counts the read and passes it on.
func (s *InstallationReads) InstallationByExternalID(ctx context.Context, p bot.Platform, id string) (*bot.Installation, error) {
	s.N.Add(1)
	return s.Store.InstallationByExternalID(ctx, p, id)
}
