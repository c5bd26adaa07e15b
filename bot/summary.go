package bot

import "context"

// Summarizer writes the short summary of a client's period that a brief
// carries for the coach, from the brief's own data. package llm implements
// it against an OpenAI-compatible endpoint the operator runs.
type Summarizer interface {
	// Summarize returns a few sentences summarising facts (the brief's
	// data, as the coach reads it) and the name of the model that wrote
	// them. It must return when ctx is done.
	Summarize(ctx context.Context, facts string) (summary, model string, err error)
}

// writtenSummary is the brief's written summary of facts, labelled with
// the model's name, or "" when no Summarizer is configured or it failed
// or took longer than the summary timeout: the deterministic lines stand
// alone then.
//
// TODO(issue 13, llm): contract stub, to be written.
func (b *Bot) writtenSummary(ctx context.Context, facts string) string {
	return ""
}
