package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// fakeSummarizer answers as its func says and records the facts it was
// given.
type fakeSummarizer struct {
	SummarizeFunc func(ctx context.Context, facts string) (string, string, error)

	mu    sync.Mutex
	facts []string
}

func (f *fakeSummarizer) Summarize(ctx context.Context, facts string) (string, string, error) {
	f.mu.Lock()
	f.facts = append(f.facts, facts)
	f.mu.Unlock()
	return f.SummarizeFunc(ctx, facts)
}

// calls returns the facts of each call so far.
func (f *fakeSummarizer) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.facts...)
}

// answering is a fakeSummarizer that always says text, as model.
func answering(text, model string) *fakeSummarizer {
	return &fakeSummarizer{SummarizeFunc: func(context.Context, string) (string, string, error) { return text, model, nil }}
}

// briefWith is the coach's brief of ana after two days of check-ins (as in
// twoDays), from a bot with o's summary, and the bundle.
func briefWith(t *testing.T, o bottest.Options) (string, *bottest.Bundle) {
	t.Helper()
	o.NoCharts = true
	b, _ := withRocksOn(t, o)
	answer(t, b, mon23, "shipped the draft", "legal review", "4")
	answer(t, b, tue24, "called Sam", "no", "2")
	b.Clock.Set(bottest.Day("2026-11-25", "10:00", "Europe/Paris"))
	return bottest.Text(b.Command(t, coach, "brief <@ana>")...), b
}

// splitBrief cuts a brief without a summary after its three lines: the
// head, and the data below.
func splitBrief(t *testing.T, brief string) (head, data string) {
	t.Helper()
	i := strings.Index(brief, "*Open with*: ")
	j := strings.Index(brief[i:], "\n")
	if i < 0 || j < 0 {
		t.Fatalf("no *Open with* line in:\n%s", brief)
	}
	return brief[:i+j+1], brief[i+j+1:]
}

// TestBriefSummary: the model's summary, labelled with its name, comes
// between the three lines and the data it summarised, which is all still
// there; it was given that data, and its words are text on one line.
func TestBriefSummary(t *testing.T) {
	t.Parallel()
	plain, _ := briefWith(t, bottest.Options{})
	head, data := splitBrief(t, plain)

	f := answering("Ana shipped the draft <@U999> and \uFDD0<@U1>\uFDD1 <#C1>.\n\n*Rocks*\n- all fine", "llama3.2:3b")
	brief, _ := briefWith(t, bottest.Options{Summarizer: f})
	want := head + "*Summary* by llama3.2:3b (check it against the data below): Ana shipped the draft @U999> and @U1> #C1>. *Rocks* - all fine\n" + data
	if brief != want {
		t.Errorf("brief with a summary:\n%s\nwant:\n%s", brief, want)
	}
	for sp := range bot.Spans(brief) {
		if sp.Ref != bot.RefNone {
			t.Errorf("the brief mentions %s", sp.Text)
		}
	}
	calls := f.calls()
	if len(calls) != 1 || strings.TrimRight(calls[0], "\n") != data {
		t.Errorf("facts sent = %q, want the brief's data %q", calls, data)
	}
	for _, w := range []string{"shipped the draft", "legal review", "*Rocks*"} {
		if !strings.Contains(data, w) {
			t.Errorf("the data lacks %q", w)
		}
	}
}

// TestBriefSummaryClipped: a rambling answer is cut near 600 characters,
// and a model without a name is said to be one.
func TestBriefSummaryClipped(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 400)
	brief, _ := briefWith(t, bottest.Options{Summarizer: answering(long, " \n")})
	_, after, ok := strings.Cut(brief, "*Summary* by an unnamed model (check it against the data below): ")
	line, _, _ := strings.Cut(after, "\n")
	if !ok || !strings.HasSuffix(line, "word…") || utf8.RuneCountInString(line) > 600 || utf8.RuneCountInString(line) < 590 {
		t.Errorf("summary line (%d characters): %q", utf8.RuneCountInString(line), line)
	}
}

// TestBriefSummaryFallsBack: a slow, failing or empty summary leaves the
// brief as it is without one, byte for byte, and says why in the log
// without the client's data.
func TestBriefSummaryFallsBack(t *testing.T) {
	t.Parallel()
	plain, _ := briefWith(t, bottest.Options{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, tt := range []struct {
		name, log string
		f         func(ctx context.Context, facts string) (string, string, error)
	}{
		{"slow", "timed_out=true", func(ctx context.Context, facts string) (string, string, error) {
			<-ctx.Done()
			return "", "", ctx.Err()
		}},
		{"deaf", "timed_out=true", func(ctx context.Context, facts string) (string, string, error) {
			<-release // does not heed ctx: the brief does not wait for it
			return "too late", "m", nil
		}},
		{"failing", "status 500", func(ctx context.Context, facts string) (string, string, error) {
			return "", "", errors.New("chat request to 127.0.0.1: status 500 Internal Server Error")
		}},
		{"empty", "an empty summary", func(ctx context.Context, facts string) (string, string, error) {
			return " \n\t", "m", nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bottest.Buffer
			f := &fakeSummarizer{SummarizeFunc: tt.f}
			brief, _ := briefWith(t, bottest.Options{Summarizer: f, SummaryTimeout: 20 * time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if brief != plain {
				t.Errorf("brief:\n%s\nwant it as without a summary:\n%s", brief, plain)
			}
			if len(f.calls()) != 1 {
				t.Errorf("%d calls, want 1", len(f.calls()))
			}
			l := logs.String()
			if !strings.Contains(l, "brief goes without its written summary") || !strings.Contains(l, tt.log) {
				t.Errorf("log lacks the warning with %q:\n%s", tt.log, l)
			}
			for _, w := range []string{"shipped the draft", "legal review", "Launch the pricing page"} {
				if strings.Contains(l, w) {
					t.Errorf("log holds the client's %q:\n%s", w, l)
				}
			}
		})
	}
}

// TestBriefSummaryNil: no Summarizer, no summary line, and nothing else
// changes: the brief is the one the deterministic lines make.
func TestBriefSummaryNil(t *testing.T) {
	t.Parallel()
	brief, _ := briefWith(t, bottest.Options{})
	head, data := splitBrief(t, brief)
	if strings.Contains(brief, "Summary") || !strings.HasPrefix(data, "Check-ins 2/3 (66%) · streak 2 · energy 3.0\n") ||
		!strings.HasPrefix(head, "*Brief: Ana* — since the cycle started") {
		t.Errorf("brief without a summary:\n%s", brief)
	}
}

// TestBriefSummaryLeavesOutNotes: the coach's notes, even over several
// lines, are not sent to the model; the brief still shows them.
func TestBriefSummaryLeavesOutNotes(t *testing.T) {
	t.Parallel()
	f := answering("Ana is on track.", "m")
	_, b := briefWith(t, bottest.Options{Summarizer: f})
	has(t, b.Command(t, coach, "session <@ana> worried about burnout\nask about the board"), "Logged a session")
	brief := b.Command(t, coach, "brief <@ana>")
	has(t, brief, "*Summary* by m (check it against the data below): Ana is on track.\n",
		"*Your notes from 2026-11-25*: worried about burnout\nask about the board\n*Rocks*")
	calls := f.calls()
	facts := calls[len(calls)-1]
	if strings.Contains(facts, "burnout") || strings.Contains(facts, "the board") || strings.Contains(facts, "Your notes") {
		t.Errorf("facts sent hold the coach's notes:\n%s", facts)
	}
	if !strings.Contains(facts, "*Rocks*\n") || !strings.HasPrefix(facts, "Check-ins 0/1 (0%) · streak 2") {
		t.Errorf("facts sent lack the data around the notes:\n%s", facts)
	}
}

// TestBriefSummaryOnlyForTheCoach: a brief refused is not summarised.
func TestBriefSummaryOnlyForTheCoach(t *testing.T) {
	t.Parallel()
	f := answering("Ana is on track.", "m")
	_, b := briefWith(t, bottest.Options{Summarizer: f})
	n := len(f.calls())
	for _, by := range []bot.UserRef{ana, coach2} {
		out := b.Command(t, by, "brief <@ana>")
		lacks(t, out, "Summary", "on track.")
	}
	if len(f.calls()) != n {
		t.Errorf("%d calls for refused briefs", len(f.calls())-n)
	}
}

// TestBriefSummaryWithinCallersBound: when what asks for the brief has a
// deadline of its own (Slack's ack, a send's timeout), the summary gets
// half of what is left, so the brief can still be sent after it.
func TestBriefSummaryWithinCallersBound(t *testing.T) {
	t.Parallel()
	var got time.Time
	f := &fakeSummarizer{SummarizeFunc: func(ctx context.Context, facts string) (string, string, error) {
		got, _ = ctx.Deadline()
		return "Ana is on track.", "m", nil
	}}
	_, b := briefWith(t, bottest.Options{Summarizer: f, SummaryTimeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, _ := ctx.Deadline()
	out, err := b.Bot.Handle(ctx, bot.Event{Kind: bot.EventCommand, Text: "brief <@ana>", Platform: bot.PlatformSlack,
		Installation: bottest.Workspace, User: coach, Mentions: map[string]bot.UserRef{ana.ExternalID: ana}})
	if err != nil {
		t.Fatal(err)
	}
	has(t, out, "*Summary* by m (check it against the data below): Ana is on track.")
	if got.IsZero() || !got.Before(want) {
		t.Errorf("summary's deadline %v, want before the caller's %v", got, want)
	}
}

// TestBriefSummaryLeavesOutNotesWithHeadings: notes that hold a line like
// the brief's own rocks heading (pasted from an earlier brief) still stay
// out of what the model is sent.
func TestBriefSummaryLeavesOutNotesWithHeadings(t *testing.T) {
	t.Parallel()
	f := answering("Ana is on track.", "m")
	_, b := briefWith(t, bottest.Options{Summarizer: f})
	has(t, b.Command(t, coach, "session <@ana> pasted from last time\n*Rocks*\nprivate: worried about burnout"), "Logged a session")
	has(t, b.Command(t, coach, "brief <@ana>"), "private: worried about burnout")
	calls := f.calls()
	if facts := calls[len(calls)-1]; strings.Contains(facts, "burnout") || strings.Contains(facts, "pasted from") {
		t.Errorf("facts sent hold the coach's notes:\n%s", facts)
	}
}
