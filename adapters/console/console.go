// The Console value: its configuration, construction, and the one writer
// every part of the console prints through.

package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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
