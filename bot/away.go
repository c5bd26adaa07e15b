package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultAwayWords are the statuses that mean "out of office" by default:
// emoji (starting with ':') and words or phrases matched whole and
// case-insensitively in a status text.
var DefaultAwayWords = []string{
	":palm_tree:", ":airplane:", ":desert_island:", ":face_with_thermometer:", ":thermometer:",
	"vacation", "vacances", "on holiday", "holidays", "OOO", "out of office", "out of the office",
	"off sick", "out sick", "sick leave", "sick day", "on leave", "parental leave", "PTO", "Urlaub",
}

// ReasonOutOfOffice is the SkipReason of a prompt skipped because its
// person's status says they are out of office.
const ReasonOutOfOffice = "out of office"

const (
	// statusTimeout bounds one status read: a prompt is not held up by a
	// slow platform, it is sent.
	statusTimeout = 2 * time.Second
	// statusLogEvery is how often a failing status read is logged per
	// installation: a platform that is down fails every prompt's read.
	statusLogEvery = 10 * time.Minute
)

// statusLog remembers when a failed status read was last logged, per
// installation, so a failing platform logs once in a while, not per prompt.
type statusLog struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

// due reports whether a failure in installation id should be logged now,
// and if so remembers that it was.
func (l *statusLog) due(id int64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[id]; ok && now.Sub(t) < statusLogEvery && !now.Before(t) {
		return false
	}
	if l.last == nil {
		l.last = map[int64]time.Time{}
	}
	l.last[id] = now
	return true
}

// awayReason says why p gets no prompt on day because they are out of
// office (ReasonOutOfOffice), or "" when they are not or it cannot be
// told. It reads the person's status now, when the Messenger is a
// StatusReader: a prompt is sent on its day, so the status of that moment
// is the one that counts. A read that fails or is slow is not "away".
func (b *Bot) awayReason(ctx context.Context, inst *Installation, p *Person, day Date) string {
	sr, ok := b.msg.(StatusReader)
	if !ok || p == nil || inst == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	st, err := readStatus(ctx, sr, inst, p.ExternalID)
	now := b.clock.Now()
	if errors.Is(err, ErrNoStatus) {
		return ""
	}
	if err != nil {
		if b.awayLog.due(inst.ID, now) {
			b.log.DebugContext(ctx, "read status: prompt sent as usual", "platform", inst.Platform,
				"installation", inst.ExternalID, "day", day.String(), "err", err)
		}
		return ""
	}
	if IsAway(st, b.awayWords, now) {
		return ReasonOutOfOffice
	}
	return ""
}

// readStatus is sr.Status, given up when ctx ends even if the reader
// does not heed ctx (a token fetch that does not take one): the prompt is
// not held up. The read left behind ends by its own timeouts.
func readStatus(ctx context.Context, sr StatusReader, inst *Installation, userID string) (Status, error) {
	type result struct {
		st  Status
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := sr.Status(ctx, inst, userID)
		done <- result{st, err}
	}()
	select {
	case r := <-done:
		return r.st, r.err
	case <-ctx.Done():
		return Status{}, fmt.Errorf("read status: %w", ctx.Err())
	}
}

// IsAway reports whether st says its person is out of office at now: the
// platform says so, or its emoji is one of words (those starting with
// ':'), or its text holds one of the other words as a whole word or
// phrase, case-insensitively ("OOO till Mon" holds "OOO", "Zoom" does not).
// A status that expired at or before now says nothing.
func IsAway(st Status, words []string, now time.Time) bool {
	if !st.Expires.IsZero() && !st.Expires.After(now) {
		return false
	}
	if st.OutOfOffice {
		return true
	}
	for _, w := range words {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if strings.HasPrefix(w, ":") {
			if st.Emoji != "" && strings.EqualFold(strings.TrimSpace(st.Emoji), w) {
				return true
			}
			continue
		}
		if hasPhrase(st.Text, w) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether text holds phrase case-insensitively with no
// letter or digit right before or after it, and with any run of spaces in
// phrase matching any run of spaces in text ("Out  of office").
func hasPhrase(text, phrase string) bool {
	t := strings.Fields(strings.ToLower(text))
	p := strings.Fields(strings.ToLower(phrase))
	if len(p) == 0 {
		return false
	}
	joined := strings.Join(t, " ")
	want := strings.Join(p, " ")
	for i := 0; i+len(want) <= len(joined); {
		j := strings.Index(joined[i:], want)
		if j < 0 {
			return false
		}
		at := i + j
		end := at + len(want)
		before, _ := utf8.DecodeLastRuneInString(joined[:at])
		after, _ := utf8.DecodeRuneInString(joined[end:])
		if (at == 0 || !wordRune(before)) && (end == len(joined) || !wordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(joined[at:])
		i = at + size
	}
	return false
}

// wordRune reports whether r is part of a word.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// ParseAwayWords reads a comma-separated list of away words
// (SMART90_AWAY_WORDS): each emoji or phrase trimmed, blanks left out. An
// empty list means DefaultAwayWords.
func ParseAwayWords(s string) []string {
	var out []string
	for w := range strings.SplitSeq(s, ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}
