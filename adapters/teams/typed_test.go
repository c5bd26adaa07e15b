package teams

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// The attack of issue 9 as a Teams client types it, and the others people
// type to make a message ping, link or disguise a link.
var typedAttacks = []string{
	"<<@29:victim>",
	"<!channel> <@UB> <#C_SECRET|secret> <https://evil.example/phish|Reset your password>",
	"<at>Victim</at> <at>Coach</at> &lt;at&gt;Coach&lt;/at&gt; <@29:victim> <#19:secret@thread.tacv2>",
	"[Reset your password](https://evil.example/phish) ![x](https://evil.example/p.png) <a href=\"https://evil.example\">y</a>",
	"\uFDD0<@29:victim>\uFDD1 \uFDD0<#19:secret@thread.tacv2>\uFDD1", // the core's markers, typed
	"*[x](https://e.example)* `[y](https://e.example)` _<at>Victim</at>_",
	// The seeds issue 12 asks every adapter's fuzz target to start from.
	"@everyone @here <!channel> <@U123> <#C1|general> <at>x</at> [x](http://evil) <b>bold</b><script>alert(1)</script> <a href=\"http://evil\">y</a> \uFDD0<@U123>\uFDD1 \uFDD1<#C1>\uFDD0",
}

// rendersTyped renders a digest reply quoting typed (with the markers
// removed, as the core's Handle does) in cards that know every name, and
// checks that the coach, whom the core mentions, is the only mention, and
// that no tag, entity or link in the cards' text came from what was typed.
func rendersTyped(t *testing.T, typed string) {
	t.Helper()
	// Inbound: typed as Teams sends it (HTML-escaped, no entities), it
	// holds no reference for the core and mentions nobody.
	if text, mentions := commandText(&inbound{Activity: schema.Activity{Text: html.EscapeString(typed)}}); mentions != nil || hasRef(text) {
		t.Fatalf("typed %q arrives as %q with mentions %v", typed, text, mentions)
	}
	typed = bot.StripRefMarks(typed)
	names := Names{"29:coach": "Coach", "29:victim": "Victim", "19:secret@thread.tacv2": "secret", "UB": "Victim", "C_SECRET": "secret"}
	m := bot.Message{Text: "*Ana* · for " + bot.MentionPerson("29:coach") + "\n*Stuck*: " + typed + " ·",
		Sections: []string{"• Mon: " + typed}, Buttons: []bot.Button{{ActionID: "a", Label: typed}}}
	const coachAt = "<at>Coach</at>"
	var texts []string
	for i, a := range append(Cards(m, names), Cards(bot.Message{Text: typed}, names)...) {
		b, err := json.Marshal(a.Content)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		// The coach's mention is on the first card; the message of typed
		// text alone mentions nobody.
		es := cardEntities(c)
		var ids []string
		for _, e := range es {
			e := e.(map[string]any)
			ids = append(ids, e["mentioned"].(map[string]any)["id"].(string)+"="+e["text"].(string))
		}
		want := ""
		if i == 0 {
			want = "29:coach=" + coachAt
		}
		if got := strings.Join(ids, ","); got != want {
			t.Fatalf("typed %q: card %d mentions %q, want %q", typed, i, got, want)
		}
		texts = append(texts, cardTexts(c)...)
	}
	for _, s := range texts {
		rest := strings.ReplaceAll(s, coachAt, "")
		for i := strings.IndexAny(rest, "<&"); i >= 0; i = strings.IndexAny(rest, "<&") {
			if !strings.HasPrefix(rest[i+1:], "\u200b") {
				t.Fatalf("typed %q: a tag or entity from it in %q", typed, s)
			}
			rest = rest[i+1:]
		}
		if strings.Contains(s, "](") {
			t.Fatalf("typed %q: a link from it in %q", typed, s)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), coachAt) {
		t.Fatalf("typed %q: the core's mention of the coach was lost: %q", typed, texts)
	}
	// Read back what markdown and JSON leave as it is (the core refuses
	// invalid UTF-8).
	if !strings.ContainsAny(typed, "*`_\n\r\u200b") && strings.TrimSpace(typed) == typed && len(typed) < 1000 && utf8.ValidString(typed) {
		if got := strings.ReplaceAll(texts[1], "\u200b", ""); got != "**Stuck**: "+typed+" ·" {
			t.Fatalf("typed %q reads back as %q", typed, got)
		}
	}
	if s := summary(m.Text); strings.ContainsAny(s, "\uFDD0\uFDD1") || strings.Contains(s, "29:coach") {
		t.Fatalf("typed %q: notification text %q", typed, s)
	}
}

// hasRef reports whether a word of an event's text is a reference the
// core would take for one the platform made.
func hasRef(text string) bool {
	for _, w := range strings.Fields(text) {
		if _, ok := bot.ParseRef(w); ok {
			return true
		}
	}
	return false
}

// TestTypedTextStaysText: the exact attack strings render as text, in the
// card's text, its notification summary and button titles.
func TestTypedTextStaysText(t *testing.T) {
	t.Parallel()
	for _, typed := range typedAttacks {
		rendersTyped(t, typed)
	}
}

func FuzzTypedTextStaysText(f *testing.F) {
	for _, s := range typedAttacks {
		f.Add(s)
	}
	f.Fuzz(rendersTyped)
}
