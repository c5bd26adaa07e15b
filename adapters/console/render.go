package console

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/smart90/smart90/bot"
)

// renderMessage writes m's text, sections, buttons and form, indented under
// its header line. Files and images are written by the caller.
func renderMessage(b *strings.Builder, m bot.Message) {
	empty := true
	if m.Text != "" {
		indent(b, m.Text)
		empty = false
	}
	for _, s := range m.Sections {
		if !empty {
			b.WriteString("    ---\n")
		}
		indent(b, s)
		empty = false
	}
	if len(m.Buttons) > 0 {
		labels := make([]string, len(m.Buttons))
		for i, btn := range m.Buttons {
			labels[i] = "[" + display(btn.Label) + "]"
		}
		b.WriteString("    " + strings.Join(labels, " ") + "\n")
		empty = false
	}
	if m.Form != nil {
		renderForm(b, m.Form)
		empty = false
	}
	if empty && len(m.Files) == 0 && len(m.Images) == 0 {
		b.WriteString("    (empty message)\n")
	}
}

// indent writes text with every line indented by four spaces (see display).
func indent(b *strings.Builder, text string) {
	for line := range strings.SplitSeq(strings.TrimRight(display(text), "\n"), "\n") {
		b.WriteString(strings.TrimRight("    "+line, " ") + "\n")
	}
}

// display is a text of the core as the terminal shows it: the core's
// references to people and channels (bot.Spans) as a person types them
// (@ana, #coaching), and everything else as it was typed — a typed
// "<@ana>" stays "<@ana>" — except control characters, which are written
// as escapes so that no typed text can move the cursor or recolour the
// terminal.
func display(text string) string {
	var b strings.Builder
	for sp := range bot.Spans(text) {
		if sp.Ref != bot.RefNone {
			b.WriteString(string(sp.Ref) + visible(sp.ID))
			continue
		}
		b.WriteString(visible(sp.Text))
	}
	return b.String()
}

// visible writes the control characters of s, but for line breaks and
// tabs, as Go escapes (\x1b, \u009b).
func visible(s string) string {
	if !strings.ContainsFunc(s, control) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if control(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// control reports whether r is a control character a terminal acts on.
func control(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r))
}

// renderForm writes a form's title, how to submit it, and one line per
// field: id (the :form key), label, kind, choices, initial value, hint.
func renderForm(b *strings.Builder, f *bot.Form) {
	fmt.Fprintf(b, "    Form %q: %s\n", display(cmp.Or(f.Title, f.FormID)), formExample(f))
	for _, fd := range f.Fields {
		fmt.Fprintf(b, "      %s: %s (%s)", fd.ID, display(cmp.Or(fd.Label, fd.ID)), fieldKind(fd))
		if fd.Initial != "" {
			fmt.Fprintf(b, " = %s", strconv.Quote(fd.Initial))
		}
		if fd.Hint != "" {
			fmt.Fprintf(b, " — %s", display(fd.Hint))
		}
		b.WriteString("\n")
	}
}

// formExample is the :form line that would submit f, with placeholders.
func formExample(f *bot.Form) string {
	if len(f.Fields) == 0 {
		return ":form"
	}
	pairs := make([]string, len(f.Fields))
	for i, fd := range f.Fields {
		pairs[i] = fd.ID + "=…"
	}
	return ":form " + strings.Join(pairs, "; ")
}

// fieldKind describes the input a field takes.
func fieldKind(fd bot.Field) string {
	var s string
	switch fd.Kind {
	case bot.FieldText:
		s = "text"
	case bot.FieldLongText:
		s = "long text"
	case bot.FieldChoice:
		opts := make([]string, len(fd.Options))
		for i, o := range fd.Options {
			if o.Label == "" || o.Label == o.Value {
				opts[i] = o.Value
			} else {
				opts[i] = o.Value + " = " + display(o.Label)
			}
		}
		s = "one of: " + strings.Join(opts, " | ")
	case bot.FieldNumber:
		s = "number"
		if fd.Min != 0 || fd.Max != 0 {
			s = fmt.Sprintf("number %d–%d", fd.Min, fd.Max)
		}
	case bot.FieldDate:
		s = "date YYYY-MM-DD"
	case bot.FieldTimeZone:
		s = "time zone, e.g. Europe/London"
	default:
		s = string(fd.Kind)
	}
	if fd.MaxLen > 0 {
		s += fmt.Sprintf(", at most %d characters", fd.MaxLen)
	}
	if fd.Optional {
		s += ", optional"
	}
	return s
}

// rewriteRefs turns "@name" into "<@name>" and "#name" into "<#name>", the
// way a platform sends mentions and channel links, and returns the
// mentioned names in order, once each. A marker counts only at the start
// of a word, so "a@b.com" and "<@x>" stay as they are; a trailing "." is
// punctuation, not part of the name.
func rewriteRefs(text string) (string, []string) {
	var (
		b         strings.Builder
		mentioned []string
	)
	for i := 0; i < len(text); {
		ch := text[i]
		if (ch == '@' || ch == '#') && (i == 0 || wordStart(text[i-1])) {
			j := i + 1
			for j < len(text) && nameChar(text[j]) {
				j++
			}
			for j > i+1 && text[j-1] == '.' {
				j--
			}
			if j > i+1 {
				name := strings.ToLower(text[i+1 : j])
				b.WriteString("<" + string(ch) + name + ">")
				if ch == '@' && !slices.Contains(mentioned, name) {
					mentioned = append(mentioned, name)
				}
				i = j
				continue
			}
		}
		b.WriteByte(ch)
		i++
	}
	return b.String(), mentioned
}

// wordStart reports whether a mention may follow ch.
func wordStart(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '(' || ch == ',' || ch == '"' || ch == '\''
}

// nameChar reports whether ch may appear in a console name (either case).
func nameChar(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-'
}

// errTooFar is parseDuration's error for a duration past maxMove.
var errTooFar = errors.New("console: duration past the 400-day limit")

// goDuration is what time.ParseDuration reads, to tell a duration too large
// for it from a typo.
var goDuration = regexp.MustCompile(`^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`)

// parseDuration parses a positive Go duration with an optional leading
// count of days: "1d", "2h30m", "1d2h". One longer than maxMove returns
// errTooFar, checked before any sum could overflow.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration; use e.g. 1d, 2h30m or 1d2h (forward only)", s)
	var d time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		digits := s[:i]
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			return 0, bad
		}
		days, err := strconv.Atoi(digits)
		if err != nil || days > int(maxMove/(24*time.Hour)) {
			return 0, errTooFar // only digits, so too many of them
		}
		d = time.Duration(days) * 24 * time.Hour
		rest = s[i+1:]
	}
	if rest != "" {
		r, err := time.ParseDuration(rest)
		switch {
		case err != nil && goDuration.MatchString(rest):
			return 0, errTooFar // well formed, so past time.Duration's range
		case err != nil || r < 0:
			return 0, bad
		case r > maxMove:
			return 0, errTooFar
		}
		d += r
	}
	if d > maxMove {
		return 0, errTooFar
	}
	if d <= 0 {
		return 0, bad
	}
	return d, nil
}
