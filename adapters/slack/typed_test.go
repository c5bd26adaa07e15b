package slack

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// The attack of issue 9: a client's "stuck" answer quoted in the coach's
// digest thread.
const attack = "<!channel> <@UB> <#C_SECRET|secret> <https://evil.example/phish|Reset your password>"

// typedAttacks are what people type to make a message ping, link or
// disguise a link.
var typedAttacks = []string{
	attack,
	"<!here> <!everyone> <!subteam^S123|team> <!date^1392734382^{date}|x>",
	"<@U123> <@W123|boss> <#C123> <mailto:a@b.c|mail> <https://evil.example>",
	"&lt;@U123&gt; &amp;lt;!channel&amp;gt; &#60;!here&#62;",
	"<<@UB>> <<#C1>> <\u200b@UB> <\n@UB>",
	"\uFDD0<@UB>\uFDD1 \uFDD0<!channel>\uFDD1", // the core's markers, typed
	"[Reset your password](https://evil.example/phish) <a href=\"https://evil.example\">x</a> <at>Victim</at>",
	// The seeds issue 12 asks every adapter's fuzz target to start from.
	"@everyone @here <!channel> <@U123> <#C1|general> <at>x</at> [x](http://evil) <b>bold</b><script>alert(1)</script> <a href=\"http://evil\">y</a> \uFDD0<@U123>\uFDD1 \uFDD1<#C1>\uFDD0",
}

// rendersTyped renders a digest thread reply quoting typed, as the core
// writes it (with the markers removed from what people send, as Handle
// does), and checks that the only Slack syntax in it is the core's own
// mention of the coach: every "<" in the mrkdwn and the notification text
// opens <@UCOACH>, and the typed text reads back whole.
func rendersTyped(t *testing.T, typed string) {
	t.Helper()
	// Inbound: typed as Slack sends it (escaped), it holds no reference
	// for the core and mentions nobody.
	if text, mentions := normalize(escapeText(typed)); mentions != nil || hasRef(text) {
		t.Fatalf("typed %q arrives as %q with mentions %v", typed, text, mentions)
	}
	typed = bot.StripRefMarks(typed)
	m := bot.Message{Text: "*Ana* · for " + bot.MentionPerson("UCOACH") + "\n*Stuck*: " + typed,
		Sections: []string{"• Mon: " + typed}}
	var texts []string
	for _, part := range Split(m) {
		texts = append(texts, part.Text)
		for _, b := range part.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok {
				texts = append(texts, s.Text.Text)
			}
		}
	}
	_, blocks := Blocks(m)
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok {
			texts = append(texts, s.Text.Text)
		}
	}
	var all strings.Builder
	for _, s := range texts {
		if rest := strings.ReplaceAll(s, "<@UCOACH>", ""); strings.ContainsAny(rest, "<>") {
			t.Fatalf("typed %q: Slack syntax from it in %q", typed, s)
		}
		if bad := brokenEntity.FindString(s); bad != "" {
			t.Fatalf("typed %q: %q in %q is not an entity Slack reads", typed, bad, s)
		}
		all.WriteString(s)
	}
	if !strings.Contains(texts[0], "<@UCOACH>") && !strings.Contains(texts[1], "<@UCOACH>") {
		t.Fatalf("typed %q: the core's mention of the coach was lost: %q", typed, texts[:2])
	}
	if got := html.UnescapeString(all.String()); strings.Count(got, "<@UCOACH>") < 2 {
		t.Fatalf("the coach's mention is not in the message and its fallback: %q", got)
	}
	if short := strings.TrimSpace(typed); len(short) < 500 && !strings.Contains(slackUnescape(strings.Join(strings.Fields(texts[1]), " ")), strings.Join(strings.Fields(short), " ")) {
		t.Fatalf("typed %q does not read back from %q", typed, texts[1])
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

// brokenEntity is an "&" Slack would not read as one of its three entities.
var brokenEntity = regexp.MustCompile(`&(?:[^agl]|a[^m]|am[^p]|amp[^;]|g[^t]|gt[^;]|l[^t]|lt[^;]|$|a$|am$|amp$|g$|gt$|l$|lt$)`)

func slackUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// TestTypedTextStaysText: the exact attack strings render as text, and the
// core's own mention still works.
func TestTypedTextStaysText(t *testing.T) {
	t.Parallel()
	for _, typed := range typedAttacks {
		rendersTyped(t, typed)
	}
	parts := Split(bot.Message{Text: "*Ana* · stuck: " + attack + " · " + bot.MentionPerson("U123") + " in " + bot.MentionChannel("C42")})
	want := "*Ana* · stuck: &lt;!channel&gt; &lt;@UB&gt; &lt;#C_SECRET|secret&gt; &lt;https://evil.example/phish|Reset your password&gt; · <@U123> in <#C42>"
	if got := parts[0].Blocks[0].(*slack.SectionBlock).Text.Text; got != want {
		t.Errorf("rendered\n%q\nwant\n%q", got, want)
	}
	// A reference whose id is not Slack's (a channel named in the console
	// way) is text too.
	if got := mrkdwn("to " + bot.MentionChannel("coaching<!here>") + " & " + bot.MentionPerson("U1|x")); got != "to #coaching&lt;!here&gt; &amp; &lt;@U1|x&gt;" {
		t.Errorf("foreign ids rendered as %q", got)
	}
}

func FuzzTypedTextStaysText(f *testing.F) {
	for _, s := range typedAttacks {
		f.Add(s)
	}
	f.Add(strings.Repeat("<@UB> &amp; ", 400))
	f.Fuzz(rendersTyped)
}
