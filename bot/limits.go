package bot

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what smart90 keeps. The core checks them where events enter
// (Handle) and answers the person in plain words; the stores check them
// again as a last line (the Validate methods below), so a caller that
// skipped the core gets an EINVALID error, never a database failure, and
// nothing is stored half-way.
//
// Lengths of text people type are in characters (runes), as forms count
// them; lengths of identifiers are in bytes, as databases and platforms
// bound them.
const (
	// MaxIDLen bounds identifiers: a workspace's, a person's or a
	// channel's platform id, a message reference, a time zone name.
	// Slack's and Teams' ids are far shorter.
	MaxIDLen = 255
	// MaxNameLen bounds display names and workspace names.
	MaxNameLen = 200
	// MaxEmailLen bounds an e-mail address (RFC 5321's path limit).
	MaxEmailLen = 254
	// MaxCalendarURLLen bounds a calendar's ICS address.
	MaxCalendarURLLen = 2000
	// MaxRockTitleLen bounds a rock's title; detail goes in "done when".
	MaxRockTitleLen = 120
	// MaxDoneWhenLen bounds what "done" means for a rock.
	MaxDoneWhenLen = 500
	// MaxAnswerLen bounds one answer or note (a check-in question, a
	// weekly line, a rock or session note): the forms' MaxLen.
	MaxAnswerLen = 2000
	// MaxTextLen bounds one event's text or form value, and a digest's
	// summary: Slack's own limit for a message.
	MaxTextLen = 40000
	// MaxAddressKeyLen bounds an address key ("person:" + an id).
	MaxAddressKeyLen = 2 * MaxIDLen
	// MaxAddressDataLen bounds an address's opaque data (a Teams
	// conversation reference is about a kilobyte).
	MaxAddressDataLen = 64 << 10
	// MaxRocksPerCycle bounds the rocks created in one engagement's
	// cycle, live or not, so that adding and dropping rocks cannot grow
	// an engagement without end.
	MaxRocksPerCycle = 100
)

// CleanText makes typed text storable the way people expect chat to
// behave: NUL bytes, which no person types and PostgreSQL cannot store,
// are removed, and invalid UTF-8 becomes U+FFFD, as every platform's JSON
// decoder already does. Everything else is kept as typed.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// CheckText returns an EINVALID error naming what when s is not valid
// UTF-8, holds a NUL byte, or is longer than max characters; else nil.
func CheckText(what, s string, max int) error {
	if err := checkClean(what, s); err != nil {
		return err
	}
	if len(s) > max { // at least as many bytes as runes: count only then
		if n := utf8.RuneCountInString(s); n > max {
			return Errorf(EINVALID, "The %s is %d characters; the limit is %d. Nothing was saved.", what, n, max)
		}
	}
	return nil
}

// CheckID returns an EINVALID error naming what when s is not an
// identifier smart90 keeps: not valid UTF-8, holding a NUL byte or longer
// than MaxIDLen bytes. An empty s is left to the caller.
func CheckID(what, s string) error {
	return checkBytes(what, s, MaxIDLen)
}

func checkBytes(what, s string, max int) error {
	if err := checkClean(what, s); err != nil {
		return err
	}
	if len(s) > max {
		return Errorf(EINVALID, "The %s is %d bytes long; the limit is %d. Nothing was saved.", what, len(s), max)
	}
	return nil
}

func checkClean(what, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "The %s is not valid UTF-8 text. Nothing was saved.", what)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Errorf(EINVALID, "The %s holds a NUL character. Nothing was saved.", what)
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the installation's texts against the limits (EINVALID).
func (i *Installation) Validate() error {
	return firstError(
		CheckID("workspace id", i.ExternalID),
		CheckText("workspace name", i.Name, MaxNameLen),
	)
}

// Validate checks the person's texts against the limits (EINVALID).
func (p *Person) Validate() error {
	return firstError(
		CheckID("user id", p.ExternalID),
		CheckText("display name", p.DisplayName, MaxNameLen),
		CheckID("time zone", p.TimeZone),
		CheckID("digest channel", p.DigestChannel),
		CheckID("country", p.Country),
		CheckText("e-mail address", p.Email, MaxEmailLen),
	)
}

// Validate checks the rock's texts against the limits (EINVALID).
func (r *Rock) Validate() error {
	return firstError(
		CheckText("rock title", r.Title, MaxRockTitleLen),
		CheckText(`rock's "done when"`, r.DoneWhen, MaxDoneWhenLen),
	)
}

// Validate checks the check-in's answers against the limits (EINVALID).
func (c *CheckIn) Validate() error {
	return firstError(
		CheckText("answer on what moved", c.Moved, MaxAnswerLen),
		CheckText("answer on the #1 priority", c.Priority, MaxAnswerLen),
		CheckText("answer on what is stuck", c.Stuck, MaxAnswerLen),
	)
}

// Validate checks the report's answers and rock notes against the limits
// (EINVALID).
func (w *WeeklyReport) Validate() error {
	err := firstError(
		CheckText("biggest win", w.Win, MaxAnswerLen),
		CheckText("answer on what got stuck", w.Stuck, MaxAnswerLen),
		CheckText("ask for the coach", w.Ask, MaxAnswerLen),
	)
	for i := 0; err == nil && i < len(w.Rocks); i++ {
		err = CheckText("rock note", w.Rocks[i].Note, MaxAnswerLen)
	}
	return err
}

// Validate checks the review against the limits (EINVALID): its texts,
// its cycle (>= 1), its decisions and its status (open or complete).
func (rv *Review) Validate() error {
	if rv.Cycle < 1 {
		return Errorf(EINVALID, "A review needs the number of the cycle it reviews.")
	}
	if rv.Status != AnswerOpen && rv.Status != AnswerComplete {
		return Errorf(EINVALID, "A review is open or complete, not %q.", rv.Status)
	}
	err := firstError(
		CheckText("quarter's biggest win", rv.Win, MaxAnswerLen),
		CheckText("answer on what to change", rv.Change, MaxAnswerLen),
	)
	for i := 0; err == nil && i < len(rv.Rocks); i++ {
		switch rv.Rocks[i].Decision {
		case DecisionDone, DecisionCarry, DecisionDrop:
		default:
			return Errorf(EINVALID, "A rock in a review is done, carried over or dropped, not %q.", rv.Rocks[i].Decision)
		}
		err = CheckText("what you learned", rv.Rocks[i].Learned, MaxAnswerLen)
	}
	return err
}

// Limits of the scorecard (see Measurable).
const (
	// MaxMeasurableNameLen bounds a measurable's name.
	MaxMeasurableNameLen = 120
	// MaxMeasurableUnitLen bounds what follows its goal ("EUR / week").
	MaxMeasurableUnitLen = 40
	// MaxMeasurableNumber bounds a goal or a value, either sign: a
	// trillion holds any weekly figure and keeps every value exact in a
	// float64 to the cent.
	MaxMeasurableNumber = 1e12
	// MaxMeasurablesKept bounds an engagement's measurables, removed ones
	// included, so that adding and removing cannot grow a scorecard
	// without end.
	MaxMeasurablesKept = 100
)

// CheckScore returns an EINVALID error naming what when v is not a
// number smart90 keeps: NaN, infinite, or beyond MaxMeasurableNumber.
func CheckScore(what string, v float64) error {
	if math.IsNaN(v) || math.Abs(v) > MaxMeasurableNumber {
		return Errorf(EINVALID, "The %s must be a number from -%s to %s. Nothing was saved.",
			what, FormatScore(MaxMeasurableNumber), FormatScore(MaxMeasurableNumber))
	}
	return nil
}

// Validate checks the measurable against the limits (EINVALID): its
// name (not empty) and unit, its goal and its direction.
func (m *Measurable) Validate() error {
	if strings.TrimSpace(m.Name) == "" {
		return Errorf(EINVALID, "A measurable needs a name. Nothing was saved.")
	}
	if m.Direction != AtLeast && m.Direction != AtMost {
		return Errorf(EINVALID, "A measurable's goal is at least or at most, not %q. Nothing was saved.", m.Direction)
	}
	return firstError(
		CheckText("measurable's name", m.Name, MaxMeasurableNameLen),
		CheckText("measurable's unit", m.Unit, MaxMeasurableUnitLen),
		CheckScore("goal", m.Goal),
	)
}

// Validate checks the value against the limits (EINVALID).
func (v *MeasurableValue) Validate() error {
	return CheckScore("value", v.Value)
}

// CheckMeasurableCounts returns the ECONFLICT error a store gives for a
// new measurable (live or not) when the engagement already has live live
// measurables and all in all; else nil.
func CheckMeasurableCounts(newLive bool, live, all int) error {
	if newLive && live >= MaxMeasurables {
		return Errorf(ECONFLICT, "The scorecard already has %d numbers; more than %d hides the ones that matter. Remove one first (`scorecard remove <n>`).", live, MaxMeasurables)
	}
	if all >= MaxMeasurablesKept {
		return Errorf(ECONFLICT, "This scorecard has had %d numbers, the most one keeps. Change the goal of one you have (`scorecard edit <n> …`) instead.", all)
	}
	return nil
}

// Validate checks the session's notes against the limits (EINVALID).
func (s *Session) Validate() error {
	return firstError(
		CheckText("session notes", s.Notes, MaxAnswerLen),
		CheckID("calendar event id", s.UID),
	)
}

// Validate checks the digest's texts against the limits (EINVALID).
func (d *Digest) Validate() error {
	return firstError(
		CheckID("digest channel", d.Channel),
		CheckID("message reference", d.ParentRef),
		CheckText("digest summary", d.Summary, MaxTextLen),
	)
}

// Validate checks the address's key and data against the limits
// (EINVALID). The data is opaque bytes, so only its size is bounded.
func (a *Address) Validate() error {
	if err := CheckAddressKey(a.Key); err != nil {
		return err
	}
	if len(a.Data) > MaxAddressDataLen {
		return Errorf(EINVALID, "The address is %d bytes long; the limit is %d. Nothing was saved.", len(a.Data), MaxAddressDataLen)
	}
	return nil
}

// CheckAddressKey checks an address key against the limits (EINVALID).
func CheckAddressKey(key string) error {
	return checkBytes("address key", key, MaxAddressKeyLen)
}

// ValidateChange checks the rock and the note given with its change
// against the limits (EINVALID).
func (r *Rock) ValidateChange(note string) error {
	return firstError(r.Validate(), CheckText("note", note, MaxAnswerLen))
}

// tooLong is the reply to an event whose text is too long to read at all.
func tooLong(n int) error {
	return Errorf(EINVALID, "That message is %d characters long; I can take at most %d. Nothing was saved — please send something shorter.", n, MaxTextLen)
}

// CycleRocksSince is the instant from which the stores count the rocks
// created in an engagement's cycle for MaxRocksPerCycle, for a rock
// created at at: the start, in UTC, of the day before the first day of
// the latest cycle any time zone has reached at at. A rock created on the
// cycle's first local day counts in any zone, and a new cycle starts
// fresh from its first hour anywhere. The zero time when the engagement
// has no start yet (it counts every rock). start and cycleDays are the
// engagement's Start and CycleDays.
func CycleRocksSince(start Date, cycleDays int, at time.Time) time.Time {
	if start.IsZero() {
		return time.Time{}
	}
	e := Engagement{Start: start, CycleDays: cycleDays}
	latest := DateOf(at.UTC().Add(14 * time.Hour)) // UTC+14 is the earliest zone
	return e.CycleOn(latest).Start.AddDays(-1).UTC()
}

// CheckRockCounts returns the ECONFLICT error a store gives for a new
// rock (live when it is on or off track) when the engagement already has
// live rocks live and inCycle rocks created in its cycle; else nil.
func CheckRockCounts(newLive bool, live, inCycle int) error {
	if newLive && live >= MaxRocks {
		return Errorf(ECONFLICT, "There are already %d rocks on the go; more than %d blurs focus. Finish or drop one first (`rocks set <n> done` or `rocks set <n> dropped`).", live, MaxRocks)
	}
	if inCycle >= MaxRocksPerCycle {
		return Errorf(ECONFLICT, "This cycle already has %d rocks, the most one cycle keeps. Keep working on the ones you have; the next cycle starts fresh.", inCycle)
	}
	return nil
}

// cleanEvent makes an event's texts storable (CleanText) and refuses what
// no person sends: ids past MaxIDLen, text past MaxTextLen. A display
// name is cut to MaxNameLen rather than refused, since people cannot
// shorten the name their workspace gives them; a mention or a time zone
// that no platform would send is dropped, as if it were not there.
func cleanEvent(ev *Event) error {
	for _, id := range []string{string(ev.Platform), ev.Installation, ev.User.ExternalID} {
		if id == "" || CheckID("id", id) != nil {
			return Errorf(EINVALID, "I could not tell who sent that.")
		}
	}
	if CheckID("channel", ev.Channel) != nil {
		return Errorf(EINVALID, "I could not tell where that was sent.")
	}
	ev.User = cleanUser(ev.User)
	ev.Text = CleanText(ev.Text)
	if n := utf8.RuneCountInString(ev.Text); n > MaxTextLen {
		return tooLong(n)
	}
	ev.ActionID, ev.FormID, ev.Value = CleanText(ev.ActionID), CleanText(ev.FormID), CleanText(ev.Value)
	for _, s := range []string{ev.ActionID, ev.FormID, ev.Value} {
		if n := utf8.RuneCountInString(s); n > MaxTextLen {
			return tooLong(n)
		}
	}
	if ev.Mentions != nil {
		mentions := make(map[string]UserRef, len(ev.Mentions))
		for id, u := range ev.Mentions {
			if CheckID("id", id) == nil && CheckID("id", u.ExternalID) == nil {
				mentions[id] = cleanUser(u)
			}
		}
		ev.Mentions = mentions
	}
	if ev.Values != nil {
		values := make(map[string]string, len(ev.Values))
		for k, v := range ev.Values {
			v = CleanText(v)
			if n := utf8.RuneCountInString(v); n > MaxTextLen {
				return tooLong(n)
			}
			values[CleanText(k)] = v
		}
		ev.Values = values
	}
	return nil
}

// cleanUser makes a platform user's name storable, and forgets a time
// zone no zone database has.
func cleanUser(u UserRef) UserRef {
	u.DisplayName = clip(CleanText(u.DisplayName), MaxNameLen)
	if CheckID("time zone", u.TimeZone) != nil {
		u.TimeZone = ""
	}
	return u
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
