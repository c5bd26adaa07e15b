package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	_ "time/tzdata" // the zones offered load anywhere
	"unicode"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// cardOf returns an attachment's card as generic JSON, checking the
// attachment's content type and the card's fixed parts.
func cardOf(t *testing.T, a schema.Attachment) map[string]any {
	t.Helper()
	if a.ContentType != ContentTypeCard {
		t.Errorf("content type %q", a.ContentType)
	}
	c := toJSON(t, a.Content)
	if c["type"] != "AdaptiveCard" || c["version"] != "1.5" || c["$schema"] != "http://adaptivecards.io/schemas/adaptive-card.json" {
		t.Errorf("card head: type %v, version %v, $schema %v", c["type"], c["version"], c["$schema"])
	}
	if ms, _ := c["msteams"].(map[string]any); ms["width"] != "Full" {
		t.Errorf("msteams = %v, want width Full", c["msteams"])
	}
	return c
}

// toJSON is v as encoding/json sees it.
func toJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// cardElements returns the body elements of a card of the given type,
// looking into containers but not into the cards ShowCard opens.
func cardElements(c map[string]any, typ string) []map[string]any {
	var out []map[string]any
	var walk func(items []any)
	walk = func(items []any) {
		for _, it := range items {
			el, _ := it.(map[string]any)
			if el["type"] == typ || typ == "" {
				out = append(out, el)
			}
			if items, ok := el["items"].([]any); ok {
				walk(items)
			}
		}
	}
	body, _ := c["body"].([]any)
	walk(body)
	return out
}

// cardTexts returns the texts of a card's TextBlocks.
func cardTexts(c map[string]any) []string {
	var out []string
	for _, el := range cardElements(c, "TextBlock") {
		out = append(out, el["text"].(string))
	}
	return out
}

// cardActions returns the actions of a card's ActionSets.
func cardActions(c map[string]any) []map[string]any {
	var out []map[string]any
	for _, set := range cardElements(c, "ActionSet") {
		for _, a := range set["actions"].([]any) {
			out = append(out, a.(map[string]any))
		}
	}
	return out
}

// cardEntities returns a card's mention entities.
func cardEntities(c map[string]any) []any {
	ms, _ := c["msteams"].(map[string]any)
	es, _ := ms["entities"].([]any)
	return es
}

// sameJSON reports a difference between got and the JSON want.
func sameJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var gv, wv any
	if err := json.Unmarshal(g, &gv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &wv); err != nil {
		t.Fatalf("%s: bad want: %v", what, err)
	}
	if !reflect.DeepEqual(gv, wv) {
		var gi, wi bytes.Buffer
		json.Indent(&gi, g, "", "  ")
		json.Indent(&wi, []byte(want), "", "  ")
		t.Errorf("%s:\ngot  %s\nwant %s", what, gi.String(), wi.String())
	}
}

func TestCardsMarkdown(t *testing.T) {
	t.Parallel()
	type block struct {
		text, spacing string
	}
	for _, tt := range []struct {
		name string
		in   string
		want []block
	}{
		{"bold", "*Cycle 1 · day 2 of 90* · Monday 2026-11-23", []block{{"**Cycle 1 · day 2 of 90** · Monday 2026-11-23", ""}}},
		{"bold around punctuation", "(*1/4*) What moved? *a* *b*", []block{{"(**1/4**) What moved? **a** **b**", ""}}},
		{"not bold", "2*3*4 = 24, a * b, *unclosed, ** empty", []block{{"2*3*4 = 24, a * b, *unclosed, ** empty", ""}}},
		{"italic stays", "_done when:_ live", []block{{"_done when:_ live", ""}}},
		{"code", "Reply `no` if nothing, or `rocks set <n> dropped`.",
			[]block{{"Reply “no” if nothing, or “rocks set <\u200bn> dropped”.", ""}}},
		{"code keeps stars", "Type `*x*` as is", []block{{"Type “*x*” as is", ""}}},
		{"line breaks", "Good morning, Ana!\nYour rocks:", []block{{"Good morning, Ana!", ""}, {"Your rocks:", "None"}}},
		{"paragraphs", "One.\n\n\nTwo.\nThree.", []block{{"One.", ""}, {"Two.", "Medium"}, {"Three.", "None"}}},
		{"bullets", "Saved:\n• Moved: *a*\n• Stuck: b\nThanks", []block{{"Saved:", ""}, {"- Moved: **a**\n- Stuck: b", "None"}, {"Thanks", "None"}}},
		{"numbered with indented lines", "1. *Launch* — on track\n    done when: live\n2. *Hire*",
			[]block{{"1. **Launch** — on track", ""}, {"\u00a0\u00a0\u00a0\u00a0done when: live", "None"}, {"2. **Hire**", "None"}}},
		{"windows line ends", "a\r\nb", []block{{"a", ""}, {"b", "None"}}},
		{"typed tags stay text", "Stuck: <at>Boss</at> & <b>x</b>", []block{{"Stuck: <\u200bat>Boss<\u200b/at> &\u200b <\u200bb>x<\u200b/b>", ""}}},
		{"typed entities stay text", "&lt;at&gt;Boss&lt;/at&gt; &amp; Q&A", []block{{"&\u200blt;at&\u200bgt;Boss&\u200blt;/at&\u200bgt; &\u200bamp; Q&\u200bA", ""}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cards := Cards(bot.Message{Text: tt.in}, nil)
			if len(cards) != 1 {
				t.Fatalf("%d cards", len(cards))
			}
			c := cardOf(t, cards[0])
			var got []block
			for _, el := range cardElements(c, "") {
				if el["type"] != "TextBlock" || el["wrap"] != true {
					t.Errorf("element %v, want a wrapping TextBlock", el)
				}
				s, _ := el["spacing"].(string)
				got = append(got, block{el["text"].(string), s})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\ngot  %q\nwant %q", got, tt.want)
			}
			if es := cardEntities(c); len(es) > 0 {
				t.Errorf("entities %v", es)
			}
		})
	}
}

func TestCardsSections(t *testing.T) {
	t.Parallel()
	c := cardOf(t, Cards(bot.Message{Text: "Top", Sections: []string{"First\nsecond", "Third"}}, nil)[0])
	got := cardElements(c, "TextBlock")
	want := []struct {
		text      string
		separator bool
	}{{"Top", false}, {"First", true}, {"second", false}, {"Third", true}}
	if len(got) != len(want) {
		t.Fatalf("blocks %v", got)
	}
	for i, w := range want {
		if got[i]["text"] != w.text || (got[i]["separator"] == true) != w.separator {
			t.Errorf("block %d = %v, want %q with separator %v", i, got[i], w.text, w.separator)
		}
	}
	// Without text, the first section opens the card: no line above it.
	c = cardOf(t, Cards(bot.Message{Sections: []string{"Only"}}, nil)[0])
	if b := cardElements(c, "TextBlock")[0]; b["separator"] != nil || b["spacing"] != nil {
		t.Errorf("first block %v", b)
	}
}

func TestCardsMentions(t *testing.T) {
	t.Parallel()
	names := Names{"29:ana": "Ana Smith", "29:odd": "<b>Bo</b>", "19:coach@thread.tacv2": "coaching", "19:hash": "#general"}
	for _, tt := range []struct {
		name     string
		in       string
		text     string
		entities string
	}{
		{"known", core("Hi <@29:ana>, and again <@29:ana>."), "Hi <at>Ana Smith</at>, and again <at>Ana Smith</at>.",
			`[{"type":"mention","text":"<at>Ana Smith</at>","mentioned":{"id":"29:ana","name":"Ana Smith"}}]`},
		{"unknown", core("Ask <@29:nobody> today"), "Ask someone today", `null`},
		{"name without tags", core("<@29:odd>"), "<at>bBo/b</at>",
			`[{"type":"mention","text":"<at>bBo/b</at>","mentioned":{"id":"29:odd","name":"bBo/b"}}]`},
		{"channels", core("Posted in <#19:coach@thread.tacv2>, <#19:hash> and <#19:gone>."),
			"Posted in #coaching, #general and the channel.", `null`},
		{"typed mention is text", core("<@29:ana>") + " quoted: <at>Ana Smith</at> <@29:ana> <<@29:ana>",
			"<at>Ana Smith</at> quoted: <\u200bat>Ana Smith<\u200b/at> <\u200b@29:ana> <\u200b<\u200b@29:ana>",
			`[{"type":"mention","text":"<at>Ana Smith</at>","mentioned":{"id":"29:ana","name":"Ana Smith"}}]`},
		{"typed mention alone", "<at>Ana Smith</at> <@ana> <@29:nobody|Bea>", "<\u200bat>Ana Smith<\u200b/at> <\u200b@ana> <\u200b@29:nobody|Bea>", `null`},
		{"typed links", "[Reset your password](https://evil.example/phish) <https://evil.example|x> <a href=\"https://evil.example\">y</a>",
			"[Reset your password]\u200b(https://evil.example/phish) <\u200bhttps://evil.example|x> <\u200ba href=\"https://evil.example\">y<\u200b/a>", `null`},
		{"bold mention", core("*<@29:ana>*"), "**<at>Ana Smith</at>**",
			`[{"type":"mention","text":"<at>Ana Smith</at>","mentioned":{"id":"29:ana","name":"Ana Smith"}}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := cardOf(t, Cards(bot.Message{Text: tt.in}, names)[0])
			if got := cardTexts(c); len(got) != 1 || got[0] != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
			sameJSON(t, "entities", cardEntities(c), tt.entities)
		})
	}
}

// core writes s as the core does: its <@ID> and <#ID> are the core's
// references (bot.MentionPerson, bot.MentionChannel).
func core(s string) string {
	return bareRef.ReplaceAllStringFunc(s, func(t string) string {
		if t[1] == '@' {
			return bot.MentionPerson(t[2 : len(t)-1])
		}
		return bot.MentionChannel(t[2 : len(t)-1])
	})
}

var bareRef = regexp.MustCompile(`<[@#][^\s<>|]+>`)

func TestMentionIDs(t *testing.T) {
	t.Parallel()
	m := bot.Message{
		Text:     core("*Digest* for <@29:coach>: <@29:ana> and <#19:c>") + ", `<@29:code>` <@29:typed>",
		Sections: []string{core("<@29:bo> · <@29:ana>")},
		Buttons:  []bot.Button{{Label: core("Brief <@29:cy>")}},
		Form: &bot.Form{Title: core("<@29:dee>"), Fields: []bot.Field{{Label: core("<#19:d>"), Hint: core("<@29:ed>"),
			Options: []bot.Option{{Value: "1", Label: core("<@29:fay>")}}}}},
	}
	want := []string{"29:coach", "29:ana", "19:c", "29:bo", "29:cy", "29:dee", "19:d", "29:ed", "29:fay"}
	if got := MentionIDs(m); !reflect.DeepEqual(got, want) {
		t.Errorf("MentionIDs = %q, want %q", got, want)
	}
	if got := MentionIDs(bot.Message{Text: "no one <here> or <@> or <@29:ana>"}); got != nil {
		t.Errorf("MentionIDs = %q", got)
	}
}

// checkInMessage is a daily check-in as the core sends it, with a field
// of every kind.
func checkInMessage() bot.Message {
	v := "42:2026-11-23"
	return bot.Message{
		Text: core("*Cycle 1 · day 2 of 90* · Monday 2026-11-23\nGood morning, <@29:ana>!\n\n*1/4* What moved forward yesterday?"),
		Buttons: []bot.Button{
			{ActionID: "checkin.open", Label: "Answer", Value: v, Style: bot.StylePrimary, OpensForm: true},
			{ActionID: "checkin.skip", Label: "Skip today", Value: v},
			{ActionID: "checkin.off", Label: "I'm off", Value: v, Style: bot.StyleDanger},
		},
		Form: &bot.Form{FormID: "checkin.submit", Value: v, Title: "Daily check-in", SubmitLabel: "Save", Fields: []bot.Field{
			{ID: "moved", Label: "What moved forward yesterday?", Kind: bot.FieldLongText, MaxLen: 2000, Initial: "shipped the draft"},
			{ID: "priority", Label: "Today's #1 priority", Kind: bot.FieldText, MaxLen: 20, Hint: "e.g. send the proposal",
				Initial: "a priority longer than twenty"},
			{ID: "rock", Label: "Which rock does it serve?", Kind: bot.FieldChoice, Initial: "0",
				Options: []bot.Option{{Value: "0", Label: "None of my rocks"}, {Value: "1", Label: "1. Launch the pricing page"}, {Value: ""}}},
			{ID: "stuck", Label: "Anything stuck?", Kind: bot.FieldLongText, Optional: true, MaxLen: 2000},
			{ID: "energy", Label: "Energy, 1 (drained) to 5 (great)", Kind: bot.FieldNumber, Min: 1, Max: 5, Initial: "4"},
			{ID: "streak", Label: "Streak", Kind: bot.FieldNumber, Initial: "x", Optional: true},
			{ID: "due", Label: "Due", Kind: bot.FieldDate, Initial: "2027-02-19"},
			{ID: "since", Label: "Since", Kind: bot.FieldDate, Initial: "19/02/2027", Optional: true},
			{ID: "tz", Label: "Time zone", Kind: bot.FieldTimeZone, Initial: "Europe/Paris"},
			{ID: "mood", Label: "Mood", Kind: bot.FieldChoice, Initial: "fine"},
		}},
	}
}

func TestCardsForm(t *testing.T) {
	t.Parallel()
	cards := Cards(checkInMessage(), Names{"29:ana": "Ana"})
	if len(cards) != 1 {
		t.Fatalf("%d cards", len(cards))
	}
	c := cardOf(t, cards[0])
	if got, want := cardTexts(c), []string{"**Cycle 1 · day 2 of 90** · Monday 2026-11-23", "Good morning, <at>Ana</at>!", "**1/4** What moved forward yesterday?"}; !reflect.DeepEqual(got, want) {
		t.Errorf("texts %q, want %q (no title: the card has text)", got, want)
	}
	var inputs []map[string]any
	for _, el := range cardElements(c, "") {
		if strings.HasPrefix(el["type"].(string), "Input.") {
			inputs = append(inputs, el)
		}
	}
	sameJSON(t, "inputs", inputs, `[
		{"type":"Input.Text","id":"moved","label":"What moved forward yesterday?","isRequired":true,"errorMessage":"Please answer this.","value":"shipped the draft","isMultiline":true,"maxLength":2000},
		{"type":"Input.Text","id":"priority","label":"Today's #1 priority","isRequired":true,"errorMessage":"Please answer this.","placeholder":"e.g. send the proposal","value":"a priority longer than twenty","maxLength":29},
		{"type":"Input.ChoiceSet","id":"rock","label":"Which rock does it serve?","isRequired":true,"errorMessage":"Please choose one.","value":"0","style":"compact",
		 "choices":[{"title":"None of my rocks","value":"0"},{"title":"1. Launch the pricing page","value":"1"}]},
		{"type":"Input.Text","id":"stuck","label":"Anything stuck?","isMultiline":true,"maxLength":2000},
		{"type":"Input.Number","id":"energy","label":"Energy, 1 (drained) to 5 (great)","isRequired":true,"errorMessage":"Please enter a number from 1 to 5.","value":4,"min":1,"max":5},
		{"type":"Input.Number","id":"streak","label":"Streak"},
		{"type":"Input.Date","id":"due","label":"Due","isRequired":true,"errorMessage":"Please pick a date.","value":"2027-02-19"},
		{"type":"Input.Date","id":"since","label":"Since"},
		{"type":"Input.ChoiceSet","id":"tz","label":"Time zone","isRequired":true,"errorMessage":"Please choose a time zone.","placeholder":"Type a city or country, e.g. Paris","value":"Europe/Paris","style":"filtered",
		 "choices":[{"title":"Europe/Paris (France)","value":"Europe/Paris"},{"title":"UTC","value":"UTC"}],
		 "choices.data":{"type":"Data.Query","dataset":"smart90.zones"}},
		{"type":"Input.Text","id":"mood","label":"Mood","isRequired":true,"errorMessage":"Please answer this.","value":"fine"}
	]`)
	// The form's submit, then the buttons but Answer (the form is here).
	sameJSON(t, "actions", cardActions(c), `[
		{"type":"Action.Execute","title":"Save","verb":"checkin.submit","style":"positive",
		 "data":{"smart90":"form","form":"checkin.submit","value":"42:2026-11-23"},
		 "fallback":{"type":"Action.Submit","title":"Save","style":"positive","data":{"smart90":"form","form":"checkin.submit","value":"42:2026-11-23"}}},
		{"type":"Action.Submit","title":"Skip today","data":{"smart90":"action","action":"checkin.skip","value":"42:2026-11-23"},"associatedInputs":"none"},
		{"type":"Action.Submit","title":"I'm off","style":"destructive","data":{"smart90":"action","action":"checkin.off","value":"42:2026-11-23"},"associatedInputs":"none"}
	]`)
	// The actions come last, in an ActionSet.
	if body := cardElements(c, ""); body[len(body)-1]["type"] != "ActionSet" {
		t.Errorf("last element %v", body[len(body)-1])
	}
}

func TestCardsFormDetails(t *testing.T) {
	t.Parallel()
	// Without text, the form's title heads the card; the submit label
	// defaults to Submit; the person's zone is offered first, with its
	// country (the rest come from searchZones as they type).
	m := bot.Message{Form: &bot.Form{FormID: "settings.tz", Value: "7", Title: core("Time zone of <@29:ana>"), Fields: []bot.Field{
		{ID: "tz", Label: "Time zone", Kind: bot.FieldTimeZone, Initial: "America/Indiana/Knox", Hint: "Your city"},
		{ID: "n", Label: "N", Kind: bot.FieldNumber, Min: 5, Max: 1, Initial: "9"},
		{ID: "progress", Label: "Progress %", Kind: bot.FieldNumber, Min: 0, Max: 100, Initial: "0"},
		{ID: "over", Label: "Over", Kind: bot.FieldNumber, Min: 0, Max: 100, Initial: "101", Optional: true},
	}}}
	c := cardOf(t, Cards(m, Names{"29:ana": "Ana"})[0])
	body := cardElements(c, "")
	sameJSON(t, "title", body[0], `{"type":"TextBlock","text":"Time zone of Ana","wrap":true,"weight":"Bolder","size":"Medium"}`)
	tz := body[1]
	if tz["placeholder"] != "Your city" || tz["value"] != "America/Indiana/Knox" {
		t.Errorf("tz input %v", tz)
	}
	if first := tz["choices"].([]any)[0]; !reflect.DeepEqual(first, map[string]any{"title": "America/Indiana/Knox (United States)", "value": "America/Indiana/Knox"}) {
		t.Errorf("first zone %v", first)
	}
	// Min > Max: no bounds, and the value is kept.
	sameJSON(t, "number", body[2], `{"type":"Input.Number","id":"n","label":"N","isRequired":true,"errorMessage":"Please enter a number.","value":9}`)
	// Zero is a value and a bound; a value out of bounds is left out.
	sameJSON(t, "zero", body[3], `{"type":"Input.Number","id":"progress","label":"Progress %","isRequired":true,"errorMessage":"Please enter a number from 0 to 100.","value":0,"min":0,"max":100}`)
	sameJSON(t, "out of bounds", body[4], `{"type":"Input.Number","id":"over","label":"Over","min":0,"max":100}`)
	if a := cardActions(c)[0]; a["title"] != "Submit" || a["type"] != "Action.Execute" {
		t.Errorf("submit %v", a)
	}
	if es := cardEntities(c); len(es) != 0 {
		t.Errorf("a title cannot mention: entities %v", es)
	}
}

func TestCardsButtons(t *testing.T) {
	t.Parallel()
	m := bot.Message{Text: "You're invited.", Buttons: []bot.Button{
		{ActionID: "invite.accept", Label: "Accept", Value: "12", Style: bot.StylePrimary},
		{ActionID: "invite.decline", Label: "Decline", Value: "12", Style: bot.StyleDanger},
		{ActionID: "checkin.open", Label: "Answer", Value: "12", OpensForm: true},
		{ActionID: "x.y", Value: ""},
	}}
	c := cardOf(t, Cards(m, nil)[0])
	sameJSON(t, "actions", cardActions(c), `[
		{"type":"Action.Submit","title":"Accept","style":"positive","data":{"smart90":"action","action":"invite.accept","value":"12"},"associatedInputs":"none"},
		{"type":"Action.Submit","title":"Decline","style":"destructive","data":{"smart90":"action","action":"invite.decline","value":"12"},"associatedInputs":"none"},
		{"type":"Action.Submit","title":"Answer","data":{"smart90":"action","action":"checkin.open","value":"12"},"associatedInputs":"none"},
		{"type":"Action.Submit","title":"x.y","data":{"smart90":"action","action":"x.y","value":""},"associatedInputs":"none"}
	]`)
	// Every button's data reads back as the press it stands for.
	for _, a := range cardActions(c) {
		s, ok := ParseSubmission(a["data"].(map[string]any))
		d := a["data"].(map[string]any)
		if !ok || s.Form || s.ID != d["action"] || s.Value != d["value"] || s.Values != nil {
			t.Errorf("ParseSubmission(%v) = %+v, %v", d, s, ok)
		}
	}
	if Cards(bot.Message{}, nil) != nil {
		t.Errorf("an empty message has cards")
	}
}

// squeeze is texts without white space and the markup Cards adds, to
// compare with what was rendered.
func squeeze(texts ...string) string {
	r := strings.NewReplacer("**", "", "\u200b", "")
	return strings.Join(strings.FieldsFunc(r.Replace(strings.Join(texts, "")), func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u00a0'
	}), "")
}

func TestCardsLong(t *testing.T) {
	t.Parallel()
	var text, section strings.Builder
	for i := range 2500 {
		fmt.Fprintf(&text, "Line %d of the digest: *on track* · %s moved <things> forward.\n", i, bot.MentionPerson("29:ana"))
		if i%100 == 99 {
			text.WriteString("\n")
		}
	}
	for i := range 800 {
		fmt.Fprintf(&section, "• item %d\n", i)
	}
	long := strings.Repeat("word ", 12000) + strings.Repeat("<", 9000) + strings.Repeat("é", 9000)
	m := checkInMessage()
	m.Text = text.String()
	m.Sections = []string{section.String(), long}
	cards := Cards(m, Names{"29:ana": "Ana"})
	if len(cards) < 5 {
		t.Fatalf("%d cards", len(cards))
	}
	var texts []string
	for i, a := range cards {
		b, err := json.Marshal(a.Content)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxCardJSON {
			t.Errorf("card %d is %d bytes", i, len(b))
		}
		c := cardOf(t, a)
		ts := cardTexts(c)
		texts = append(texts, ts...)
		mentions := strings.Contains(strings.Join(ts, ""), "<at>Ana</at>")
		if es := cardEntities(c); mentions != (len(es) == 1) {
			t.Errorf("card %d: mentions Ana %v, entities %v", i, mentions, es)
		}
		last := i == len(cards)-1
		if got := len(cardActions(c)) > 0; got != last {
			t.Errorf("card %d of %d has actions: %v", i, len(cards), got)
		}
		if got := len(cardElements(c, "Input.Text")) > 0; got != last {
			t.Errorf("card %d of %d has inputs: %v", i, len(cards), got)
		}
		if last && len(ts) == 0 {
			t.Errorf("the form comes alone")
		}
	}
	// Nothing lost, nothing added, in order.
	in := strings.NewReplacer(bot.MentionPerson("29:ana"), "<at>Ana</at>", "*", "").Replace(m.Text) + strings.ReplaceAll(section.String(), "• ", "- ") + long
	if got, want := squeeze(texts...), squeeze(in); got != want {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Errorf("%d bytes, want %d; first difference at %d: %q vs %q", len(got), len(want), i,
			got[i:min(i+40, len(got))], want[i:min(i+40, len(want))])
	}
	// The one-card answer to an invoke keeps the start, says it is
	// shortened, and keeps the form and buttons.
	resp := toJSON(t, InvokeResponse(m, Names{"29:ana": "Ana"}))
	if resp["statusCode"] != float64(200) || resp["type"] != ContentTypeCard {
		t.Fatalf("invoke response %v", resp)
	}
	b, _ := json.Marshal(resp["value"])
	if len(b) > maxCardJSON {
		t.Errorf("invoke card is %d bytes", len(b))
	}
	c := resp["value"].(map[string]any)
	ts := cardTexts(c)
	if !strings.HasPrefix(ts[0], "Line 0 of the digest") || !strings.Contains(ts[len(ts)-1], "shortened") || len(cardActions(c)) != 3 {
		t.Errorf("invoke card: first %q, last %q, %d actions", ts[0], ts[len(ts)-1], len(cardActions(c)))
	}
}

func TestCardsFiles(t *testing.T) {
	t.Parallel()
	csv := "date,moved,energy\n2026-11-23,\"shipped, finally\",4\n\n"
	js := "{\n  \"rocks\": [\n\t{\"title\": \"<at>x</at>\"}\n  ]\n}"
	m := bot.Message{Text: "Your data:", Files: []bot.File{
		{Name: "smart90-export.csv", ContentType: "text/csv", Data: []byte(csv)},
		{Name: "smart90-export.json", ContentType: "application/json; charset=utf-8", Data: []byte(js)},
		{Name: "big.csv", ContentType: "text/csv", Data: bytes.Repeat([]byte("a,b\n"), 6000)},
		{Name: "chart.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n")},
	}}
	c := cardOf(t, Cards(m, nil)[0])
	containers := cardElements(c, "Container")
	if len(containers) != 2 {
		t.Fatalf("%d containers", len(containers))
	}
	sameJSON(t, "csv", containers[0], `{"type":"Container","spacing":"Medium","items":[
		{"type":"TextBlock","text":"**smart90-export.csv** · 51 bytes","wrap":true,"spacing":"Medium"},
		{"type":"ActionSet","actions":[{"type":"Action.ShowCard","title":"Show smart90-export.csv","card":{"type":"AdaptiveCard","body":[
			{"type":"TextBlock","text":"date,moved,energy\n\n2026-11-23,\"shipped, finally\",4\n\n\u00a0\n\n\u00a0","wrap":true,"fontType":"Monospace"}]}}]}]}`)
	show := containers[1]["items"].([]any)[1].(map[string]any)["actions"].([]any)[0].(map[string]any)
	shown := show["card"].(map[string]any)["body"].([]any)[0].(map[string]any)["text"]
	if want := "{\n\n\u00a0\u00a0\"rocks\": [\n\n\u00a0\u00a0\u00a0\u00a0{\"title\": \"<\u200bat>x<\u200b/at>\"}\n\n\u00a0\u00a0]\n\n}"; shown != want {
		t.Errorf("json shown as %q, want %q", shown, want)
	}
	texts := cardTexts(c)
	for _, want := range []string{"**big.csv** · 24.0 KB — too large to show here.", "**chart.png** · 6 bytes"} {
		if !slices.Contains(texts, want) {
			t.Errorf("texts %q lack %q", texts, want)
		}
	}
}

// cardFixture reads a published example, made strict JSON: its `//` comment
// lines and trailing commas removed.
func cardFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte("\u202f"), []byte(" ")) // a narrow no-break space in the docs' indentation
	b = regexp.MustCompile(`(?m)^\s*//.*$`).ReplaceAll(b, nil)
	b = regexp.MustCompile(`,(\s*[}\]])`).ReplaceAll(b, []byte("$1"))
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func TestParseSubmission(t *testing.T) {
	t.Parallel()
	// The published shapes: a message activity carrying a value (sent for
	// a messageBack; Action.Submit sends its data the same way), and the
	// adaptiveCard/action invoke of an Action.Execute.
	messageBack := cardFixture(t, "teams_messageBack_inbound_message_with_value.published.txt")
	invoke := cardFixture(t, "teams_invoke_adaptiveCard_action_request.published.txt")
	if messageBack["type"] != "message" || invoke["name"] != "adaptiveCard/action" {
		t.Fatalf("fixtures: %v / %v", messageBack["type"], invoke["name"])
	}
	// ours puts our data into the published invoke, as Teams does with
	// the card's inputs merged in.
	ours := func(data map[string]any) map[string]any {
		b, _ := json.Marshal(invoke["value"])
		var v map[string]any
		json.Unmarshal(b, &v)
		v["action"].(map[string]any)["data"] = data
		return v
	}
	formData := map[string]any{"smart90": "form", "form": "checkin.submit", "value": "42:2026-11-23",
		"moved": "shipped", "stuck": "", "energy": float64(4), "ratio": 2.5, "big": 1e21, "flag": true, "none": nil,
		"msteams": map[string]any{"x": 1}, "nested": map[string]any{"a": "b"}, "list": []any{"a"}}
	wantForm := Submission{Form: true, ID: "checkin.submit", Value: "42:2026-11-23", Values: map[string]string{
		"moved": "shipped", "stuck": "", "energy": "4", "ratio": "2.5", "big": "1000000000000000000000", "flag": "true", "none": ""}}

	for _, tt := range []struct {
		name  string
		value map[string]any
		want  Submission
		ok    bool
	}{
		{"published messageBack is not ours", messageBack["value"].(map[string]any), Submission{}, false},
		{"published invoke is not ours", invoke["value"].(map[string]any), Submission{}, false},
		{"button (Action.Submit)", map[string]any{"smart90": "action", "action": "invite.accept", "value": "12"},
			Submission{ID: "invite.accept", Value: "12"}, true},
		{"button without value", map[string]any{"smart90": "action", "action": "help"}, Submission{ID: "help"}, true},
		{"form (Action.Submit fallback)", formData, wantForm, true},
		{"form (Action.Execute invoke)", ours(formData), wantForm, true},
		{"form id from the verb", map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "rocks.add",
			"data": map[string]any{"smart90": "form", "title": "Hire"}}},
			Submission{Form: true, ID: "rocks.add", Values: map[string]string{"title": "Hire"}}, true},
		{"button through Action.Execute", ours(map[string]any{"smart90": "action", "action": "checkin.skip", "value": "7"}),
			Submission{ID: "checkin.skip", Value: "7"}, true},
		{"numbers as JSON numbers", map[string]any{"smart90": "form", "form": "f", "value": json.Number("12"), "n": json.Number("0.10")},
			Submission{Form: true, ID: "f", Value: "12", Values: map[string]string{"n": "0.10"}}, true},
		{"another kind", map[string]any{"smart90": "other", "action": "x"}, Submission{}, false},
		{"no action id", map[string]any{"smart90": "action", "value": "1"}, Submission{}, false},
		{"no form id", map[string]any{"smart90": "form", "value": "1"}, Submission{}, false},
		{"value is an object", map[string]any{"smart90": "action", "action": "x", "value": map[string]any{}}, Submission{}, false},
		{"invoke of another action type", map[string]any{"action": map[string]any{"type": "Action.Submit",
			"data": map[string]any{"smart90": "action", "action": "x"}}}, Submission{}, false},
		{"invoke without data", map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "x"}}, Submission{}, false},
		{"empty", map[string]any{}, Submission{}, false},
		{"nil", nil, Submission{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseSubmission(tt.value)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseSubmission(%v) = %+v, %v; want %+v, %v", tt.value, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormRoundTrip(t *testing.T) {
	t.Parallel()
	// What the card's Action.Execute would send, with the initial values
	// as the inputs, reads back as the form's submission.
	c := cardOf(t, Cards(checkInMessage(), nil)[0])
	exec := cardActions(c)[0]
	data := exec["data"].(map[string]any)
	for _, in := range cardElements(c, "") {
		if typ := in["type"].(string); strings.HasPrefix(typ, "Input.") {
			data[in["id"].(string)] = in["value"]
		}
	}
	s, ok := ParseSubmission(map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": exec["verb"], "data": data}, "trigger": "manual"})
	if !ok || !s.Form || s.ID != "checkin.submit" || s.Value != "42:2026-11-23" {
		t.Fatalf("ParseSubmission = %+v, %v", s, ok)
	}
	want := map[string]string{"moved": "shipped the draft", "priority": "a priority longer than twenty", "rock": "0", "stuck": "",
		"energy": "4", "streak": "", "due": "2027-02-19", "since": "", "tz": "Europe/Paris", "mood": "fine"}
	if !reflect.DeepEqual(s.Values, want) {
		t.Errorf("values %v, want %v", s.Values, want)
	}
}

func TestInvokeResponse(t *testing.T) {
	t.Parallel()
	// The published response shape, with a card in place of the
	// placeholder.
	b, err := os.ReadFile("../../testdata/fixtures/msbf_invoke_response_adaptiveCard_action.published.txt")
	if err != nil {
		t.Fatal(err)
	}
	var published map[string]any
	if err := json.Unmarshal(bytes.Replace(b, []byte("<UPDATED_ADAPTIVE_CARD>"), []byte("{}"), 1), &published); err != nil {
		t.Fatal(err)
	}
	got := toJSON(t, InvokeResponse(bot.Message{Text: core("Saved — thank you, <@29:ana>!")}, Names{"29:ana": "Ana"}))
	for k, v := range published {
		if k != "value" && got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	c := got["value"].(map[string]any)
	if c["type"] != "AdaptiveCard" || !reflect.DeepEqual(cardTexts(c), []string{"Saved — thank you, <at>Ana</at>!"}) || len(cardEntities(c)) != 1 {
		t.Errorf("card %v", c)
	}
	sameJSON(t, "empty message", InvokeResponse(bot.Message{}, nil),
		`{"statusCode":200,"type":"application/vnd.microsoft.activity.message","value":""}`)
}

func TestSearchZones(t *testing.T) {
	t.Parallel()
	titles := func(b searchBody) []string {
		var out []string
		for _, c := range b.Value.Results {
			out = append(out, c.Title+"="+c.Value)
		}
		return out
	}
	query := func(text string, skip, top int) map[string]any {
		return map[string]any{"queryText": text, "dataset": zoneDataset, "queryOptions": map[string]any{"skip": skip, "top": top}}
	}
	for _, tt := range []struct {
		value map[string]any
		want  []string
	}{
		{query("paris", 0, 15), []string{"Europe/Paris (France)=Europe/Paris"}},
		{query("new york", 0, 1), []string{"America/New York (United States)=America/New_York"}},
		{query("japan", 0, 15), []string{"Asia/Tokyo (Japan)=Asia/Tokyo"}},
		{query("lon", 1, 1), []string{"Europe/London (Britain (UK))=Europe/London"}},
		{query("lon", 500, 15), nil},
		{map[string]any{"queryText": "paris", "dataset": "other"}, nil},
		{map[string]any{"queryText": 42}, nil},
	} {
		got := searchZones(tt.value)
		if got.Type != "application/vnd.microsoft.search.searchResponse" || got.Value.Results == nil {
			t.Errorf("%v: %+v is not a search response", tt.value, got)
		}
		if g := titles(got); !slices.Equal(g, tt.want) {
			t.Errorf("%v: %v, want %v", tt.value, g, tt.want)
		}
	}
	if n := len(searchZones(query("america", 0, 0)).Value.Results); n != maxSearchResults {
		t.Errorf("%d results for a broad query, want Teams' %d", n, maxSearchResults)
	}
}
