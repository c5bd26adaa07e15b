package console

import (
	"strings"
	"testing"
	"unicode"

	"github.com/smart90/smart90/bot"
)

// typedAttacks are what people type to make a message ping, link or
// disguise a link on some platform, and to take over a terminal.
var typedAttacks = []string{
	"<!channel> <@UB> <#C_SECRET|secret> <https://evil.example/phish|Reset your password>",
	"<<@29:victim> <at>Victim</at> [Reset](https://evil.example) &lt;@x&gt;",
	"\uFDD0<@victim>\uFDD1 and \uFDD0<#secret>\uFDD1", // the core's markers, typed
	"\x1b[2J\x1b]0;pwned\x07 \u009b31m red \u202egnp.exe \r overwritten",
	// The seeds issue 12 asks every adapter's fuzz target to start from.
	"@everyone @here <!channel> <@U123> <#C1|general> <at>x</at> [x](http://evil) <b>bold</b><script>alert(1)</script> <a href=\"http://evil\">y</a> \uFDD0<@U123>\uFDD1 \uFDD1<#C1>\uFDD0",
}

// rendersTyped renders a digest reply quoting typed (with the markers
// removed, as the core's Handle does) and checks that the console shows
// the core's mention of the coach as @coach and typed exactly as typed,
// but for control characters, which are escaped: no typed "<@x>" becomes
// "@x", and nothing reaches the terminal that it would act on.
func rendersTyped(t *testing.T, typed string) {
	t.Helper()
	typed = bot.StripRefMarks(typed)
	var b strings.Builder
	renderMessage(&b, bot.Message{Text: "*Ana* · for " + bot.MentionPerson("coach") + " in " + bot.MentionChannel("coaching") + "\n*Stuck*: " + typed,
		Buttons: []bot.Button{{Label: typed}}})
	out := b.String()
	if i := strings.IndexFunc(out, func(r rune) bool {
		return r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r))
	}); i >= 0 {
		t.Fatalf("typed %q: a control character reaches the terminal: %q", typed, out)
	}
	if !strings.HasPrefix(out, "    *Ana* · for @coach in #coaching\n") {
		t.Fatalf("typed %q: the core's references are not shown as typed: %q", typed, out)
	}
	if strings.ContainsFunc(typed, func(r rune) bool { return r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) }) {
		return
	}
	if want := strings.TrimRight("    *Stuck*: "+typed, " ") + "\n"; !strings.Contains(out, want) {
		t.Fatalf("typed %q is not shown as typed: %q", typed, out)
	}
}

func TestTypedTextShownAsTyped(t *testing.T) {
	t.Parallel()
	for _, typed := range typedAttacks {
		rendersTyped(t, typed)
	}
	var b strings.Builder
	renderMessage(&b, bot.Message{Text: "*Stuck*: " + typedAttacks[0] + " " + typedAttacks[3]})
	want := "    *Stuck*: <!channel> <@UB> <#C_SECRET|secret> <https://evil.example/phish|Reset your password> " +
		`\x1b[2J\x1b]0;pwned\a \u009b31m red \u202egnp.exe \r overwritten` + "\n"
	if b.String() != want {
		t.Errorf("rendered\n%q\nwant\n%q", b.String(), want)
	}
}

func FuzzTypedTextShownAsTyped(f *testing.F) {
	for _, s := range typedAttacks {
		f.Add(s)
	}
	f.Fuzz(rendersTyped)
}
