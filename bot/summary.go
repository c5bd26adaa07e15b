package bot

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Summarizer writes the short summary of a client's period that a brief
// carries for the coach, from the brief's own data. package llm implements
// it against an OpenAI-compatible endpoint the operator runs.
type Summarizer interface {
	// Summarize returns a few sentences summarising facts (the brief's
	// data, as the coach reads it) and the name of the model that wrote
	// them. It must return when ctx is done. Its error is logged, so it
	// must not hold the facts or the answer.
	Summarize(ctx context.Context, facts string) (summary, model string, err error)
}

// How much of a model's words a brief shows: a summary of three
// sentences fits well inside; the rest of a rambling one is cut.
const (
	maxSummaryLen = 600
	maxModelLen   = 60
)

// writtenSummary is the brief's written summary of facts, labelled with
// the model's name, or "" when no Summarizer is configured or it failed
// or took longer than the summary timeout: the deterministic lines stand
// alone then. facts is the brief's data below its three lines; the coach's
// own notes are taken out of it first (summaryFacts).
//
// The model's words are shown as text someone typed: on one line (a
// model's line breaks could pass for the brief's own headings), without
// anything that could read as a mention, and cut at maxSummaryLen
// characters.
func (b *Bot) writtenSummary(ctx context.Context, facts string) string {
	if b.summarizer == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, b.summaryBudget(ctx))
	defer cancel()
	type answer struct {
		text, model string
		err         error
	}
	// The brief waits for the timeout and no longer, even for a
	// Summarizer that does not heed ctx; its answer is dropped then.
	done := make(chan answer, 1)
	go func() {
		text, model, err := b.summarizer.Summarize(ctx, summaryFacts(facts))
		done <- answer{text, model, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	text := oneLine(a.text, maxSummaryLen)
	if a.err == nil && text == "" {
		a.err = errors.New("an empty summary")
	}
	if a.err != nil {
		// Neither the facts nor the answer: a brief's data is the
		// client's, and logs are not the place for it.
		b.log.Warn("brief goes without its written summary", "error", a.err, "timeout", b.summaryTimeout.String(),
			"timed_out", errors.Is(a.err, context.DeadlineExceeded))
		return ""
	}
	model := oneLine(a.model, maxModelLen)
	if model == "" {
		model = "an unnamed model"
	}
	return "*Summary* by " + model + " (check it against the data below): " + text + "\n"
}

// summaryBudget is how long the summary may take: the summary timeout, or
// half of what is left of ctx when that is less. What asks for the brief
// may have its own bound (Slack's ack within 3 s, the scheduler's send
// timeout), and the brief must still be sent within it after the summary
// gave up. A context's deadline is the machine's time, not the bot's
// Clock, so it is read against the machine's time.
func (b *Bot) summaryBudget(ctx context.Context) time.Duration {
	d := b.summaryTimeout
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl)/2)
	}
	return d
}

// notesLabel starts the line of the coach's notes in a brief, and
// rocksLabel the line after it.
const (
	notesLabel = "*Your notes from "
	rocksLabel = "*Rocks*\n"
)

// summaryFacts is the brief's data as the model is sent it: all of it but
// the coach's own notes from the last session. The notes are the coach's
// private words about the client, not the client's period; the coach
// reads them right below the summary anyway, and they are not sent where
// the operator's endpoint could keep them. Notes may hold line breaks:
// everything from their label to the rocks' heading goes.
func summaryFacts(body string) string {
	// The notes' line is never the first: the counts come before it.
	i := strings.Index(body, "\n"+notesLabel)
	if i < 0 {
		return body
	}
	i++
	j := strings.Index(body[i:], "\n"+rocksLabel)
	if j < 0 {
		// No heading after them: the rest goes too, rather than leak.
		return body[:i]
	}
	return body[:i] + body[i+j+1:]
}

// oneLine is a model's text as a brief shows it: as typed text (Disarm,
// CleanText), its runs of white space and line breaks made one space,
// cut to at most n characters with an ellipsis.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(Disarm(CleanText(s))), " ")
	if c := clip(s, n); c != s {
		return strings.TrimRight(clip(s, n-1), " ") + "…"
	}
	return s
}
