package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smart90/smart90/llm"
	"github.com/smart90/smart90/llm/llmtest"
)

// runSummary drives `smart90 chat` with testdata/summary.txt and vars.
func runSummary(t *testing.T, vars map[string]string) string {
	t.Helper()
	return runScript(t, "summary.txt", "2026-11-22T18:00:00Z", []string{"-sqlite", filepath.Join(t.TempDir(), "s.db"), "-charts=false"}, env(vars))
}

// TestChatSummary: with SMART90_LLM_URL and SMART90_LLM_MODEL pointing at
// an OpenAI-compatible endpoint, the real client asks it for each brief's
// summary, which the coach reads between the three lines and the data;
// nothing else in the transcript changes. The coach's notes are not sent.
// A failing endpoint leaves the transcript as it is with summaries off.
func TestChatSummary(t *testing.T) {
	t.Parallel()
	off := runSummary(t, nil)
	if strings.Contains(off, "Summary") {
		t.Fatalf("summaries off, and a brief has one:\n%s", off)
	}

	const said = "Ana checked in once, shipped the pricing draft and is waiting on a slow legal review."
	fake := llmtest.New(t, llmtest.Options{Model: "llama3.2:3b", Content: said})
	on := runSummary(t, map[string]string{"SMART90_LLM_URL": fake.URL, "SMART90_LLM_MODEL": "llama3.2"})
	line := "    *Summary* by llama3.2:3b (check it against the data below): " + said + "\n"
	if n := strings.Count(on, line); n != 2 {
		t.Errorf("%d summaries, want one in each of the 2 briefs:\n%s", n, on)
	}
	if got := strings.ReplaceAll(on, line, ""); got != off {
		t.Errorf("with summaries, more than the summary changed:\n%s\nwithout:\n%s", on, off)
	}
	if i, j := strings.Index(on, line), strings.Index(on, "    *Open with*"); i < j || j < 0 {
		t.Errorf("the summary is not below the three lines:\n%s", on)
	}

	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests to the model, want 2", len(reqs))
	}
	for i, r := range reqs {
		if r.Body.Model != "llama3.2" || len(r.Body.Messages) != 2 || r.Body.Messages[0].Content != llm.Instruction {
			t.Errorf("request %d: %s", i, r.Raw)
		}
		if h := r.Header.Get("Authorization"); h != "" {
			t.Errorf("request %d has Authorization %q without SMART90_LLM_KEY", i, h)
		}
		facts := r.Body.Messages[1].Content
		// The first brief's data has Monday's answer; the second, after
		// the session, starts from it and has the coach's notes, not sent.
		if i == 0 != strings.Contains(facts, "shipped the pricing draft") || !strings.Contains(facts, "*Rocks*\n") || strings.Contains(facts, "legal review has a date") {
			t.Errorf("request %d's facts:\n%s", i, facts)
		}
		var pretty bytes.Buffer
		json.Indent(&pretty, r.Raw, "", "  ")
		t.Logf("request %d as sent:\n%s", i, pretty.String())
	}
	if !strings.Contains(on, "ask whether the legal review has a date") {
		t.Errorf("the brief lacks the coach's notes:\n%s", on)
	}

	failing := llmtest.New(t, llmtest.Options{Respond: func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "out of memory", http.StatusInternalServerError)
	}})
	if got := runSummary(t, map[string]string{"SMART90_LLM_URL": failing.URL, "SMART90_LLM_MODEL": "llama3.2"}); got != off {
		t.Errorf("a failing endpoint changed the transcript:\n%s\nwant it as with summaries off:\n%s", got, off)
	}
	if n := len(failing.Requests()); n != 2 {
		t.Errorf("%d requests to the failing endpoint, want 2", n)
	}
}

// TestLLMConfig: one of the URL and the model without the other, or a URL
// that is not one, stops serve and chat with words saying what to set;
// neither is off.
func TestLLMConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SMART90_LLM_URL": "http://127.0.0.1:11434/v1"}, "need both SMART90_LLM_URL"},
		{map[string]string{"SMART90_LLM_MODEL": "llama3.2"}, "need both SMART90_LLM_URL"},
		{map[string]string{"SMART90_LLM_KEY": "sk-1"}, "need both SMART90_LLM_URL"},
		{map[string]string{"SMART90_LLM_URL": "127.0.0.1:11434/v1", "SMART90_LLM_MODEL": "llama3.2"}, "SMART90_LLM_URL: the model's URL must be an http://"},
	} {
		for _, cmd := range []string{"serve", "chat"} {
			args := []string{cmd, "-sqlite", filepath.Join(t.TempDir(), "s.db")}
			if cmd == "serve" {
				args = append(args, "-dry-run", "-http-addr", "127.0.0.1:0")
			}
			err := Run(t.Context(), args, strings.NewReader(""), io.Discard, io.Discard, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s %v: err = %v, want it to mention %q", cmd, tt.env, err, tt.want)
			}
		}
	}

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if s, err := (llmConfig{}).summarizer(log); s != nil || err != nil {
		t.Errorf("unset: summarizer = %v, %v; want none", s, err)
	}
	if logs.Len() != 0 {
		t.Errorf("unset, and it logs: %s", logs.String())
	}
	c := llmConfig{URL: "https://gpu.internal:8000/v1?tenant=hush", Model: "mistral", Key: "sk-very-secret"}
	if s, err := c.summarizer(log); s == nil || err != nil {
		t.Fatalf("summarizer = %v, %v", s, err)
	}
	l := logs.String()
	if !strings.Contains(l, "llm_host=gpu.internal:8000") || !strings.Contains(l, "llm_model=mistral") || strings.Count(l, "\n") != 1 ||
		strings.Contains(l, "sk-very-secret") || strings.Contains(l, "hush") {
		t.Errorf("start-up log: %s", l)
	}
}
