package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
)

func TestSpans(t *testing.T) {
	t.Parallel()
	text := func(s string) bot.Span { return bot.Span{Text: s} }
	for _, tt := range []struct {
		in   string
		want []bot.Span
	}{
		{"", nil},
		{"plain <@U1> <#C1> text", []bot.Span{text("plain <@U1> <#C1> text")}},
		{"for " + bot.MentionPerson("U1") + ", in " + bot.MentionChannel("C9") + ".", []bot.Span{
			text("for "), {Ref: bot.RefPerson, Text: "<@U1>", ID: "U1"}, text(", in "), {Ref: bot.RefChannel, Text: "<#C9>", ID: "C9"}, text(".")}},
		// Markers that frame no reference are dropped, never yielded.
		{"a\uFDD0b", []bot.Span{text("ab")}},
		{"a\uFDD1b\uFDD0<!channel>\uFDD1c", []bot.Span{text("ab<!channel>c")}},
		{"\uFDD0<@>\uFDD1", []bot.Span{text("<@>")}},
		{bot.MentionPerson("U\uFDD1X"), []bot.Span{{Ref: bot.RefPerson, Text: "<@UX>", ID: "UX"}}},
		// Removing a marker from invalid UTF-8 can make another one.
		{"a\xef\uFDD1\xb7\x91b", []bot.Span{text("ab")}},
		{"a\xef\xb7\uFDD0\x90b", []bot.Span{text("ab")}},
	} {
		if got := slices.Collect(bot.Spans(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("Spans(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTypedRefsStayText: what a client types (markers included) reaches
// the coach's digest as text; the only reference in it is the core's
// mention of the coach.
func TestTypedRefsStayText(t *testing.T) {
	t.Parallel()
	b, _ := withRocks(t)
	b.Command(t, coach, "digest <#C42>")
	const attack = "<!channel> <@UB> <#C_SECRET|secret> <https://evil.example/phish|Reset your password>"
	forged := "\uFDD0<@UB>\uFDD1 " + bot.MentionChannel("C_SECRET") + " " + attack
	fridayPrompt(t, b)
	for _, a := range []string{"on track 40", "off track 10", "on track 33", "first pilot signed", forged, "candidate sources"} {
		b.Say(t, ana, a)
	}
	b.Clock.Set(b.Clock.Now().AddDate(0, 0, 3))
	before := len(b.Messenger.Sent())
	if _, err := b.Bot.SendDigest(context.Background(), b.Person(t, coach), mon23); err != nil {
		t.Fatal(err)
	}
	var refs []bot.Span
	var all strings.Builder
	for _, s := range b.Messenger.Sent()[before:] {
		for _, text := range append([]string{s.Msg.Text}, s.Msg.Sections...) {
			for sp := range bot.Spans(text) {
				if sp.Ref != bot.RefNone {
					refs = append(refs, sp)
				}
				all.WriteString(sp.Text)
			}
		}
	}
	if want := []bot.Span{{Ref: bot.RefPerson, Text: "<@coach>", ID: "coach"}}; !slices.Equal(refs, want) {
		t.Errorf("references in the digest: %q, want only the coach's", refs)
	}
	if !strings.Contains(all.String(), "<@UB> <#C_SECRET> "+attack) {
		t.Errorf("the typed answer is not in the digest as text:\n%s", all.String())
	}
}

// TestParseRef: the neutral token is the only reference syntax the core
// reads; a platform's own (Slack's <@U1|ana>, Teams' <at>) is not one.
func TestParseRef(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want bot.Span
		ok   bool
	}{
		{"<@U1>", bot.Span{Ref: bot.RefPerson, Text: "<@U1>", ID: "U1"}, true},
		{"<#19:x@thread.tacv2>", bot.Span{Ref: bot.RefChannel, Text: "<#19:x@thread.tacv2>", ID: "19:x@thread.tacv2"}, true},
		{"<@U1|ana>", bot.Span{}, false},
		{"<#C1|general>", bot.Span{}, false},
		{"<!channel>", bot.Span{}, false},
		{"<@>", bot.Span{}, false},
		{"<@U1", bot.Span{}, false},
		{"@U1>", bot.Span{}, false},
		{"<@U 1>", bot.Span{}, false},
		{"<@U\uFDD01>", bot.Span{}, false},
		{"<at>x</at>", bot.Span{}, false},
		{"#general", bot.Span{}, false},
	} {
		if got, ok := bot.ParseRef(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseRef(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestStripRefMarks: no marker is left, even where removing one joins
// the bytes around it into another.
func TestStripRefMarks(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"\uFDD0x\uFDD1", "\xef\uFDD1\xb7\x91", "\xef\xef\uFDD0\xb7\uFDD1\x90\xb7\x91"} {
		if got := bot.StripRefMarks(in); strings.ContainsAny(got, "\uFDD0\uFDD1") {
			t.Errorf("StripRefMarks(%q) = %q", in, got)
		}
	}
}

// TestDisarm: a typed "<" before "@" or "#" goes, so typed text never
// holds a token ParseRef reads; everything else stays as typed.
func TestDisarm(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                           "",
		"invite <@U1> to <#C1>":      "invite @U1> to #C1>",
		"<<@29:victim> <<<#C1>":      "@29:victim> #C1>",
		"a < b, <b>bold</b> <!here>": "a < b, <b>bold</b> <!here>",
		"trailing <":                 "trailing <",
	} {
		if got := bot.Disarm(in); got != want {
			t.Errorf("Disarm(%q) = %q, want %q", in, got, want)
		}
		for _, w := range strings.Fields(bot.Disarm(in)) {
			if _, ok := bot.ParseRef(w); ok {
				t.Errorf("Disarm(%q) leaves the reference %q", in, w)
			}
		}
	}
}

// FuzzTypedRefs: whatever a person sends, once Handle has stripped the
// markers, holds no reference the core made (Spans) and, disarmed as an
// adapter does inbound, no token the core reads as a mention (ParseRef).
func FuzzTypedRefs(f *testing.F) {
	for _, s := range []string{"<!channel>", "<@U123>", "@everyone", "<at>x</at>", "[x](http://evil)", "<#C1|general>",
		"<b>x</b>", "\uFDD0<@U1>\uFDD1", "\uFDD1<#C1>\uFDD0", "\xef\uFDD1\xb7\x91", "<<@U1> <<#C1>", "<\uFDD0@U1>", "<\uFDD1#C1>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		for sp := range bot.Spans(bot.StripRefMarks(typed)) {
			if sp.Ref != bot.RefNone || strings.ContainsAny(sp.Text, "\uFDD0\uFDD1") {
				t.Fatalf("typed %q yields %q", typed, sp)
			}
		}
		// As an event's text goes: disarmed by the adapter, then stripped
		// of markers by the core.
		for _, w := range strings.Fields(bot.StripRefMarks(bot.Disarm(typed))) {
			if _, ok := bot.ParseRef(w); ok {
				t.Fatalf("typed %q, disarmed, holds the reference %q", typed, w)
			}
		}
	})
}
