package main

import (
	"errors"
	"log/slog"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/llm"
)

// llmConfig is the model that writes a brief's optional summary: an
// OpenAI-compatible endpoint the operator runs. It comes from the
// environment only, like every secret; both URL and Model set turn it on.
type llmConfig struct {
	URL   string // SMART90_LLM_URL: the API's base, e.g. http://127.0.0.1:11434/v1
	Model string // SMART90_LLM_MODEL: the model's name on that server
	Key   string // SMART90_LLM_KEY: an optional bearer token, never logged
}

// llmFromEnv reads the model's configuration from the environment.
func llmFromEnv(getenv func(string) string) llmConfig {
	return llmConfig{URL: getenv("SMART90_LLM_URL"), Model: getenv("SMART90_LLM_MODEL"), Key: getenv("SMART90_LLM_KEY")}
}

// on reports whether written summaries are configured at all.
func (c llmConfig) on() bool { return c.URL != "" || c.Model != "" || c.Key != "" }

// problems lists what keeps a configured model from working: one of the
// URL and the model without the other, or a URL that is not one.
func (c llmConfig) problems() []error {
	switch {
	case !c.on():
		return nil
	case c.URL == "" || c.Model == "":
		return []error{errors.New("written summaries need both SMART90_LLM_URL (e.g. http://127.0.0.1:11434/v1) and SMART90_LLM_MODEL (e.g. llama3.2); set both, or neither to leave them off")}
	}
	if _, err := c.client(); err != nil {
		return []error{errors.New("SMART90_LLM_URL: " + err.Error())}
	}
	return nil
}

// client is the model's client.
func (c llmConfig) client() (*llm.Client, error) {
	return llm.New(llm.Config{URL: c.URL, Model: c.Model, Key: c.Key})
}

// summarizer returns the brief's Summarizer, or nil when summaries are
// off, and says at Info which host and model write them (not the key, nor
// the URL's path and query, which may hold one).
func (c llmConfig) summarizer(log *slog.Logger) (bot.Summarizer, error) {
	if err := errors.Join(c.problems()...); err != nil {
		return nil, err
	}
	if !c.on() {
		return nil, nil
	}
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	log.Info("briefs carry a written summary", "llm_host", cl.Host(), "llm_model", cl.Model())
	return cl, nil
}
