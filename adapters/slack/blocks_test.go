package slack

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	_ "time/tzdata" // TimeZoneOptions' names must load without the OS's zoneinfo

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/adapters/zones"
	"github.com/smart90/smart90/bot"
)

// checkIn is a message like the core's daily check-in prompt.
func checkIn() bot.Message {
	return bot.Message{
		Text: "*Cycle 1 · day 23 of 90* — good morning " + bot.MentionPerson("U123") + "!\nYour rocks:\n• 1. Launch the pricing page (on track, 40%)",
		Sections: []string{
			"What moved forward yesterday? Today's #1 priority? Anything stuck? Post in " + bot.MentionChannel("C123") + " or answer here.",
		},
		Buttons: []bot.Button{
			{ActionID: "checkin.answer", Label: "Answer", Value: "42:2026-11-25", Style: bot.StylePrimary, OpensForm: true},
			{ActionID: "checkin.skip", Label: "Skip today", Value: "42:2026-11-25"},
			{ActionID: "checkin.off", Label: "I'm off", Value: "42:2026-11-25", Style: bot.StyleDanger},
		},
		Form: &bot.Form{FormID: "checkin.submit", Title: "Daily check-in"},
	}
}

func TestBlocksCheckIn(t *testing.T) {
	t.Parallel()
	m := checkIn()
	text, blocks := Blocks(m)
	checkMessage(t, blocks)
	if !strings.HasPrefix(text, "*Cycle 1 · day 23 of 90*") || strings.Contains(text, "\n") || textLen(text) > maxFallback {
		t.Errorf("fallback text = %q, want the start of Text on one line", text)
	}

	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Type string `json:"type"`
		Text *struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			Verbatim bool   `json:"verbatim"`
		} `json:"text"`
		Elements []struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Style    string `json:"style"`
			Text     struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d blocks, want section, section, actions: %s", len(got), raw)
	}
	for i, want := range []string{
		"*Cycle 1 · day 23 of 90* — good morning <@U123>!\nYour rocks:\n• 1. Launch the pricing page (on track, 40%)",
		"What moved forward yesterday? Today's #1 priority? Anything stuck? Post in <#C123> or answer here.",
	} {
		b := got[i]
		if b.Type != "section" || b.Text == nil || b.Text.Type != "mrkdwn" || b.Text.Text != want || !b.Text.Verbatim {
			t.Errorf("block %d = %+v, want a verbatim mrkdwn section %q", i, b, want)
		}
	}
	act := got[2]
	if act.Type != "actions" || len(act.Elements) != 3 {
		t.Fatalf("last block = %+v, want actions with 3 buttons", act)
	}
	for i, want := range []struct{ id, label, style string }{
		{"checkin.answer", "Answer", "primary"},
		{"checkin.skip", "Skip today", ""},
		{"checkin.off", "I'm off", "danger"},
	} {
		e := act.Elements[i]
		if e.Type != "button" || e.ActionID != want.id || e.Value != "42:2026-11-25" || e.Style != want.style ||
			e.Text.Type != "plain_text" || e.Text.Text != want.label {
			t.Errorf("button %d = %+v, want %+v", i, e, want)
		}
	}

	// Split agrees with Blocks for a message that fits.
	parts := Split(m)
	if len(parts) != 1 || parts[0].Text != text || len(parts[0].Blocks) != len(blocks) {
		t.Errorf("Split = %d messages, want the one Blocks gives", len(parts))
	}
}

func TestBlocksEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		m          bot.Message
		wantText   string
		wantBlocks int
	}{
		{"empty", bot.Message{}, "", 0},
		{"files only", bot.Message{Files: []bot.File{{Name: "export.csv"}}}, "", 0},
		{"blank text", bot.Message{Text: " \n\n ", Sections: []string{""}}, "", 0},
		{"buttons only", bot.Message{Buttons: []bot.Button{{ActionID: "a", Label: "Yes"}, {ActionID: "b", Label: "No"}}}, "Yes · No", 1},
		{"sections only", bot.Message{Sections: []string{"first", "second"}}, "first", 2},
		{"unlabelled button", bot.Message{Buttons: []bot.Button{{ActionID: "rock.add"}}}, "rock.add", 1},
		{
			"long fallback", bot.Message{Text: strings.Repeat("word ", 40) + bot.MentionPerson("U0123456789") + " and more"},
			strings.TrimSpace(strings.Repeat("word ", 29)) + "…", 1,
		},
		{
			"fallback never cuts a mention", bot.Message{Text: strings.Repeat("x", 140) + " " + bot.MentionPerson("U0123456789")},
			strings.Repeat("x", 140) + "…", 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text, blocks := Blocks(tt.m)
			checkMessage(t, blocks)
			if text != tt.wantText || len(blocks) != tt.wantBlocks {
				t.Errorf("Blocks = %q with %d blocks, want %q with %d", text, len(blocks), tt.wantText, tt.wantBlocks)
			}
			if len(blocks) > 0 && text == "" {
				t.Error("fallback text is empty for a message with content")
			}
		})
	}
}

func TestSplitLongText(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; b.Len() < 10_000; i++ {
		fmt.Fprintf(&b, "Paragraph %d: ", i)
		for j := 0; j < 6+i%5; j++ {
			fmt.Fprintf(&b, "line %d of a note with *bold* and ünïcödé 🎯 words.\n", j)
		}
		b.WriteString("\n")
	}
	paragraphs := b.String()[:10_000]
	oneLine := strings.Repeat("word ", 2_000)
	noSpaces := strings.Repeat("é🎯abcdefgh", 1_000)

	tests := []struct {
		name string
		text string
		cut  string // each piece but the last ends with it
	}{
		{"paragraphs", paragraphs, "\n\n"},
		{"one long line", oneLine, " "},
		{"no spaces", noSpaces, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts := Split(bot.Message{Text: tt.text})
			if len(parts) != 1 {
				t.Fatalf("got %d messages, want 1", len(parts))
			}
			blocks := parts[0].Blocks
			checkMessage(t, blocks)
			if len(blocks) < 4 {
				t.Errorf("got %d sections, want at least 4 for %d characters", len(blocks), textLen(tt.text))
			}
			var joined strings.Builder
			for i, blk := range blocks {
				s := blk.(*slack.SectionBlock).Text.Text
				if n := textLen(s); n > maxText {
					t.Errorf("section %d has %d characters", i, n)
				}
				if i < len(blocks)-1 && !strings.HasSuffix(s, tt.cut) {
					t.Errorf("section %d ends %q, want a cut after %q", i, s[max(0, len(s)-10):], tt.cut)
				}
				if i < len(blocks)-1 && textLen(s) < maxText/2 {
					t.Errorf("section %d has only %d characters", i, textLen(s))
				}
				joined.WriteString(s)
			}
			if joined.String() != tt.text {
				t.Error("the sections joined are not the text: characters were lost or reordered")
			}
		})
	}
}

func TestSplitManySections(t *testing.T) {
	t.Parallel()
	buttons := []bot.Button{{ActionID: "digest.more", Label: "More", Value: "7"}, {ActionID: "digest.mute", Label: "Mute", Value: "7"}}
	sections := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("client %d: *on track*", i)
		}
		return s
	}
	tests := []struct {
		name      string
		sections  int
		buttons   []bot.Button
		wantSizes []int
	}{
		{"80 sections and buttons", 80, buttons, []int{50, 30 + 1}},
		{"49 sections and buttons", 49, buttons, []int{49 + 1}},
		{"50 sections and buttons", 50, buttons, []int{49, 1 + 1}},
		{"100 sections, no buttons", 100, nil, []int{50, 50}},
		{"150 sections and buttons", 150, buttons, []int{50, 50, 49, 1 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := bot.Message{Text: "*Week 12 at a glance*", Sections: sections(tt.sections - 1), Buttons: tt.buttons}
			parts := Split(m)
			var sizes []int
			var texts []string
			for i, p := range parts {
				checkMessage(t, p.Blocks)
				sizes = append(sizes, len(p.Blocks))
				if p.Text == "" {
					t.Errorf("message %d has no fallback text", i)
				}
				for j, b := range p.Blocks {
					switch b := b.(type) {
					case *slack.SectionBlock:
						texts = append(texts, b.Text.Text)
					case *slack.ActionBlock:
						if i != len(parts)-1 || j != len(p.Blocks)-1 {
							t.Errorf("buttons in message %d block %d, want them only at the end of the last", i, j)
						}
					}
				}
			}
			if !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("block counts = %v, want %v", sizes, tt.wantSizes)
			}
			if want := append([]string{m.Text}, m.Sections...); !slices.Equal(texts, want) {
				t.Error("sections were lost or reordered across messages")
			}
			if parts[0].Text != m.Text {
				t.Errorf("first fallback = %q, want %q", parts[0].Text, m.Text)
			}

			// Blocks keeps what fits in one message, with the buttons.
			_, one := Blocks(m)
			checkMessage(t, one)
			if len(tt.buttons) > 0 {
				if _, ok := one[len(one)-1].(*slack.ActionBlock); !ok {
					t.Error("Blocks dropped the buttons of a long message")
				}
			}
			if tt.sections+min(len(tt.buttons), 1) > maxBlocks {
				if !slices.ContainsFunc(one, func(b slack.Block) bool { return b.BlockType() == slack.MBTContext }) {
					t.Error("Blocks shortened a long message without saying so")
				}
			}
		})
	}
}

func TestBlocksButtonLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Answer today's check-in ", 10)
	many := make([]bot.Button, 30)
	for i := range many {
		many[i] = bot.Button{ActionID: fmt.Sprintf("rock.%d", i), Label: fmt.Sprintf("Rock %d", i)}
	}
	tests := []struct {
		name    string
		buttons []bot.Button
		rows    []int // buttons per actions block
	}{
		{"long label, value and action id", []bot.Button{{
			ActionID: strings.Repeat("a", 300), Label: long, Value: strings.Repeat("v", 2500),
		}}, []int{1}},
		{"30 buttons", many, []int{25, 5}},
		{"repeated action id", []bot.Button{
			{ActionID: "rock.set", Label: "On track", Value: "1"},
			{ActionID: "rock.set", Label: "Off track", Value: "2"},
			{ActionID: "rock.drop", Label: "Drop", Value: "1"},
		}, []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, blocks := Blocks(bot.Message{Text: "Pick one", Buttons: tt.buttons})
			checkMessage(t, blocks)
			var rows []int
			var btns []*slack.ButtonBlockElement
			for _, b := range blocks[1:] {
				a := b.(*slack.ActionBlock)
				rows = append(rows, len(a.Elements.ElementSet))
				for _, e := range a.Elements.ElementSet {
					btns = append(btns, e.(*slack.ButtonBlockElement))
				}
			}
			if !slices.Equal(rows, tt.rows) {
				t.Errorf("buttons per actions block = %v, want %v", rows, tt.rows)
			}
			for i, b := range btns {
				want := tt.buttons[i]
				if textLen(want.Label) > maxButtonText {
					if !strings.HasSuffix(b.Text.Text, "…") || !strings.HasPrefix(want.Label, strings.TrimSuffix(b.Text.Text, "…")) {
						t.Errorf("label %q, want %q shortened with …", b.Text.Text, want.Label)
					}
				} else if b.Text.Text != want.Label {
					t.Errorf("label %q, want %q", b.Text.Text, want.Label)
				}
				if !strings.HasPrefix(want.ActionID, b.ActionID) || !strings.HasPrefix(want.Value, b.Value) {
					t.Errorf("button %d: action id or value is not a prefix of the original", i)
				}
			}
		})
	}
}

// everyKind is a form with a field of every bot.FieldKind.
func everyKind() bot.Form {
	return bot.Form{
		FormID: "settings.submit", Value: "42", Title: "Your smart90 settings and schedule", SubmitLabel: "Save",
		Fields: []bot.Field{
			{ID: "priority", Label: "Today's #1 priority", Kind: bot.FieldText, Initial: "Ship it", MaxLen: 200, Hint: "One line"},
			{ID: "moved", Label: "What moved forward yesterday?", Kind: bot.FieldLongText, Initial: "Drafted the page", MaxLen: 2000},
			{ID: "rock", Label: "Which rock does it serve?", Kind: bot.FieldChoice, Initial: "12", Options: []bot.Option{
				{Value: "0", Label: "None of my rocks"}, {Value: "12", Label: "1. Launch the pricing page"},
			}},
			{ID: "progress", Label: "Progress %", Kind: bot.FieldNumber, Min: 0, Max: 100, Initial: "40"},
			{ID: "due", Label: "Due", Kind: bot.FieldDate, Initial: "2027-02-22", Optional: true},
			{ID: "tz", Label: "Time zone", Kind: bot.FieldTimeZone, Initial: "Europe/Paris"},
			{ID: "stuck", Label: "Anything stuck?", Kind: bot.FieldLongText, Optional: true, Hint: strings.Repeat("Say what blocks you. ", 10)},
		},
	}
}

func TestModal(t *testing.T) {
	t.Parallel()
	view := Modal(everyKind(), "settings.submit", `{"value":"42"}`)
	got := checkModal(t, view)
	if got.Title.Text != "Your smart90 settings a…" || got.Submit.Text != "Save" || got.Close == nil {
		t.Errorf("title %q, submit %q, close %v", got.Title.Text, got.Submit.Text, got.Close)
	}
	if got.CallbackID != "settings.submit" || got.PrivateMetadata != `{"value":"42"}` {
		t.Errorf("callback_id %q, private_metadata %q", got.CallbackID, got.PrivateMetadata)
	}
	blocks := got.Blocks.BlockSet
	if len(blocks) != 7 {
		t.Fatalf("got %d blocks, want one input per field", len(blocks))
	}
	tests := []struct {
		id       string
		element  string
		initial  string
		optional bool
	}{
		{"priority", "plain_text_input", "Ship it", false},
		{"moved", "plain_text_input", "Drafted the page", false},
		{"rock", "static_select", "12", false},
		{"progress", "number_input", "40", false},
		{"due", "datepicker", "2027-02-22", true},
		{"tz", "external_select", "Europe/Paris", false},
		{"stuck", "plain_text_input", "", true},
	}
	for i, tt := range tests {
		in, ok := blocks[i].(*slack.InputBlock)
		if !ok {
			t.Fatalf("block %d is %T, want an input", i, blocks[i])
		}
		if in.BlockID != tt.id || in.Optional != tt.optional || in.Label == nil || in.Label.Text == "" {
			t.Errorf("input %d: block_id %q optional %v, want %q %v", i, in.BlockID, in.Optional, tt.id, tt.optional)
		}
		var kind, actionID, initial string
		switch e := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			kind, actionID, initial = string(e.Type), e.ActionID, e.InitialValue
			if wantMulti := tt.id != "priority"; e.Multiline != wantMulti {
				t.Errorf("%s: multiline %v, want %v", tt.id, e.Multiline, wantMulti)
			}
		case *slack.SelectBlockElement:
			kind, actionID = e.Type, e.ActionID
			if e.InitialOption != nil {
				initial = e.InitialOption.Value
			}
		case *slack.NumberInputBlockElement:
			kind, actionID, initial = string(e.Type), e.ActionID, e.InitialValue
			if e.IsDecimalAllowed || e.MinValue != "0" || e.MaxValue != "100" {
				t.Errorf("number input %+v, want integers 0..100", e)
			}
		case *slack.DatePickerBlockElement:
			kind, actionID, initial = string(e.Type), e.ActionID, e.InitialDate
		default:
			t.Fatalf("input %d has element %T", i, e)
		}
		if kind != tt.element || actionID != tt.id || initial != tt.initial {
			t.Errorf("input %d: %s %q initial %q, want %s %q initial %q", i, kind, actionID, initial, tt.element, tt.id, tt.initial)
		}
	}
	rock := blocks[2].(*slack.InputBlock).Element.(*slack.SelectBlockElement)
	if len(rock.Options) != 2 || rock.Options[1].Text.Text != "1. Launch the pricing page" {
		t.Errorf("rock options = %+v", rock.Options)
	}
	tz := blocks[5].(*slack.InputBlock).Element.(*slack.SelectBlockElement)
	if tz.MinQueryLength == nil || *tz.MinQueryLength != 1 || len(tz.Options) != 0 {
		t.Errorf("time zone select: min_query_length %v, %d options; want 1 and type-ahead", tz.MinQueryLength, len(tz.Options))
	}
	priority := blocks[0].(*slack.InputBlock).Element.(*slack.PlainTextInputBlockElement)
	if priority.MaxLength != 200 || priority.Placeholder == nil || priority.Placeholder.Text != "One line" {
		t.Errorf("priority: max_length %d, placeholder %v", priority.MaxLength, priority.Placeholder)
	}
	if stuck := blocks[6].(*slack.InputBlock); stuck.Hint == nil {
		t.Error("a hint too long for a placeholder was not shown as the input's hint")
	}
}

func TestModalEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		field bot.Field
		check func(t *testing.T, in *slack.InputBlock)
	}{
		{"choice without options is a text input", bot.Field{ID: "x", Kind: bot.FieldChoice, Initial: "a"},
			func(t *testing.T, in *slack.InputBlock) {
				if e, ok := in.Element.(*slack.PlainTextInputBlockElement); !ok || e.InitialValue != "a" {
					t.Errorf("element %#v", in.Element)
				}
			}},
		{"choice with an unknown initial has none", bot.Field{ID: "x", Kind: bot.FieldChoice, Initial: "9", Options: []bot.Option{{Value: "1"}}},
			func(t *testing.T, in *slack.InputBlock) {
				e := in.Element.(*slack.SelectBlockElement)
				if e.InitialOption != nil || e.Options[0].Text.Text != "1" {
					t.Errorf("initial %v, option text %q", e.InitialOption, e.Options[0].Text.Text)
				}
			}},
		{"number out of range has no initial", bot.Field{ID: "x", Kind: bot.FieldNumber, Min: 1, Max: 5, Initial: "9"},
			func(t *testing.T, in *slack.InputBlock) {
				if e := in.Element.(*slack.NumberInputBlockElement); e.InitialValue != "" {
					t.Errorf("initial %q", e.InitialValue)
				}
			}},
		{"bad date has no initial", bot.Field{ID: "x", Kind: bot.FieldDate, Initial: "next week"},
			func(t *testing.T, in *slack.InputBlock) {
				if e := in.Element.(*slack.DatePickerBlockElement); e.InitialDate != "" {
					t.Errorf("initial %q", e.InitialDate)
				}
			}},
		{"initial longer than MaxLen still opens", bot.Field{ID: "x", Kind: bot.FieldText, MaxLen: 5, Initial: "too long"},
			func(t *testing.T, in *slack.InputBlock) {
				if e := in.Element.(*slack.PlainTextInputBlockElement); e.MaxLength != 8 || e.InitialValue != "too long" {
					t.Errorf("max_length %d initial %q", e.MaxLength, e.InitialValue)
				}
			}},
		{"unknown kind is a text input", bot.Field{ID: "x", Label: "X", Kind: "colour"},
			func(t *testing.T, in *slack.InputBlock) {
				if _, ok := in.Element.(*slack.PlainTextInputBlockElement); !ok {
					t.Errorf("element %T", in.Element)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			view := checkModal(t, Modal(bot.Form{Fields: []bot.Field{tt.field}}, "cb", ""))
			if view.Title.Text != "smart90" {
				t.Errorf("untitled form has title %q", view.Title.Text)
			}
			tt.check(t, view.Blocks.BlockSet[0].(*slack.InputBlock))
		})
	}

	t.Run("repeated field ids get unique block ids", func(t *testing.T) {
		t.Parallel()
		f := bot.Form{Fields: []bot.Field{{ID: "a", Kind: bot.FieldText}, {ID: "a", Kind: bot.FieldText}}}
		view := checkModal(t, Modal(f, "cb", ""))
		if id := view.Blocks.BlockSet[1].ID(); id != "a-2" {
			t.Errorf("second block_id = %q", id)
		}
	})
	t.Run("over 100 fields", func(t *testing.T) {
		t.Parallel()
		f := bot.Form{Fields: make([]bot.Field, 120)}
		for i := range f.Fields {
			f.Fields[i] = bot.Field{ID: fmt.Sprint("f", i), Kind: bot.FieldText}
		}
		if n := len(checkModal(t, Modal(f, "cb", "")).Blocks.BlockSet); n != maxModalBlocks {
			t.Errorf("got %d blocks", n)
		}
	})
}

// submission is the view.state of a view_submission for everyKind, as
// Slack sends it, with one optional field left empty.
const submission = `{"values": {
	"priority": {"priority": {"type": "plain_text_input", "value": "Ship the page"}},
	"moved": {"moved": {"type": "plain_text_input", "value": "Drafted it\nand reviewed it"}},
	"rock": {"rock": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "1. Launch the pricing page", "emoji": true}, "value": "12"}}},
	"progress": {"progress": {"type": "number_input", "value": "55"}},
	"due": {"due": {"type": "datepicker", "selected_date": "2027-03-01"}},
	"tz": {"tz": {"type": "external_select", "selected_option": {"text": {"type": "plain_text", "text": "America/New_York"}, "value": "America/New_York"}}},
	"stuck": {"stuck": {"type": "plain_text_input", "value": null}}
}}`

func TestFormValues(t *testing.T) {
	t.Parallel()
	var state slack.ViewState
	if err := json.Unmarshal([]byte(submission), &state); err != nil {
		t.Fatal(err)
	}
	got := FormValues(&state)
	want := map[string]string{
		"priority": "Ship the page",
		"moved":    "Drafted it\nand reviewed it",
		"rock":     "12",
		"progress": "55",
		"due":      "2027-03-01",
		"tz":       "America/New_York",
		"stuck":    "",
	}
	if len(got) != len(want) {
		t.Errorf("got %d values, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// Every field of the form the state came from has a value.
	for _, fd := range everyKind().Fields {
		if _, ok := got[fd.ID]; !ok {
			t.Errorf("no value for field %q", fd.ID)
		}
	}
	if n := len(FormValues(nil)); n != 0 {
		t.Errorf("FormValues(nil) has %d values", n)
	}
}

func TestTimeZoneOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query     string
		limit     int
		wantFirst string
		wantMax   int
	}{
		{"paris", 10, "Europe/Paris", 10},
		{"PARIS", 10, "Europe/Paris", 10},
		{"new york", 10, "America/New_York", 10},
		{"york", 5, "America/New_York", 5},
		{"london", 100, "Europe/London", 100},
		{"los", 10, "America/Los_Angeles", 10},
		{"europe/ber", 10, "Europe/Berlin", 10},
		{"france", 10, "Europe/Paris", 10},
		{"japan", 10, "Asia/Tokyo", 10},
		{"utc", 10, "UTC", 10},
		{"", 7, "", 7},
		{"", 500, "", maxOptions},
		{"", 0, "", 0},
		{"america", 100, "", 100},
		{"nowhere at all", 10, "", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q,%d", tt.query, tt.limit), func(t *testing.T) {
			t.Parallel()
			opts := TimeZoneOptions(tt.query, tt.limit)
			if len(opts) > tt.wantMax || tt.query == "" && len(opts) != tt.wantMax {
				t.Errorf("got %d options, want at most %d", len(opts), tt.wantMax)
			}
			if tt.wantFirst != "" && (len(opts) == 0 || opts[0].Value != tt.wantFirst) {
				t.Fatalf("first option is not %s: %v", tt.wantFirst, values(opts))
			}
			for _, o := range opts {
				z, ok := zones.Lookup(o.Value)
				if !ok || o.Text == nil || o.Text.Text != z.Label() {
					t.Errorf("option %+v is not a zone with its label", o)
				}
				if q := strings.ToLower(tt.query); !strings.Contains(strings.ToLower(z.Label()), q) &&
					!strings.Contains(strings.ToLower(o.Value), strings.ReplaceAll(q, " ", "_")) {
					t.Errorf("option %+v does not match %q", o, tt.query)
				}
			}
			raw, err := json.Marshal(slack.OptionsResponse{Options: opts})
			if err != nil {
				t.Fatal(err)
			}
			var back slack.OptionsResponse
			if err := json.Unmarshal(raw, &back); err != nil || len(back.Options) != len(opts) {
				t.Errorf("options do not round-trip: %v", err)
			}
		})
	}
}

func TestTimeZoneOptionsAtMostSlacksMaximum(t *testing.T) {
	t.Parallel()
	if all := TimeZoneOptions("/", 1000); len(all) != maxOptions {
		t.Errorf("got %d options, want Slack's maximum of %d", len(all), maxOptions)
	}
}

// values lists the options' values.
func values(opts []*slack.OptionBlockObject) []string {
	var vs []string
	for _, o := range opts {
		vs = append(vs, o.Value)
	}
	return vs
}

// checkMessage fails t unless blocks are a message Slack accepts: at most
// 50, text objects within limits, at most 25 elements per actions block
// with action ids unique in each, and JSON that slack-go reads back.
func checkMessage(t testing.TB, blocks []slack.Block) {
	t.Helper()
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks in one message", len(blocks))
	}
	for i, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			checkText(t, b.Text, maxText)
		case *slack.ContextBlock:
		case *slack.ActionBlock:
			els := b.Elements.ElementSet
			if len(els) == 0 || len(els) > maxElements {
				t.Errorf("block %d: %d elements", i, len(els))
			}
			ids := map[string]bool{}
			for _, e := range els {
				btn := e.(*slack.ButtonBlockElement)
				checkText(t, btn.Text, maxButtonText)
				if btn.Text.Type != slack.PlainTextType || len(btn.ActionID) > maxID || textLen(btn.Value) > maxButtonValue {
					t.Errorf("block %d: button %+v over a limit", i, btn)
				}
				if ids[btn.ActionID] {
					t.Errorf("block %d: action id %q repeats", i, btn.ActionID)
				}
				ids[btn.ActionID] = true
			}
		default:
			t.Errorf("block %d is %T", i, b)
		}
	}
	raw, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		t.Fatal(err)
	}
	var back slack.Blocks
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("slack-go cannot read the blocks back: %v", err)
	}
	if len(back.BlockSet) != len(blocks) {
		t.Errorf("%d blocks read back from %d", len(back.BlockSet), len(blocks))
	}
}

// checkModal fails t unless view is a modal Slack accepts, and returns it
// as slack-go reads its JSON back.
func checkModal(t testing.TB, view slack.ModalViewRequest) slack.ModalViewRequest {
	t.Helper()
	raw, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var back slack.ModalViewRequest
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("slack-go cannot read the modal back: %v\n%s", err, raw)
	}
	if back.Type != slack.VTModal || len(back.Blocks.BlockSet) != len(view.Blocks.BlockSet) || len(back.Blocks.BlockSet) > maxModalBlocks {
		t.Errorf("modal read back as %s with %d blocks", back.Type, len(back.Blocks.BlockSet))
	}
	if !slack.ValidateUniqueBlockID(back) {
		t.Error("block ids repeat")
	}
	for _, o := range []*slack.TextBlockObject{back.Title, back.Submit, back.Close} {
		checkText(t, o, maxTitle)
	}
	if len(back.CallbackID) > maxID || textLen(back.PrivateMetadata) > maxMetadata {
		t.Error("callback_id or private_metadata over Slack's limit")
	}
	for _, b := range back.Blocks.BlockSet {
		in := b.(*slack.InputBlock)
		checkText(t, in.Label, maxLabel)
		if in.Hint != nil {
			checkText(t, in.Hint, maxLabel)
		}
		switch e := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			if e.MaxLength > maxInputLen || e.MaxLength > 0 && textLen(e.InitialValue) > e.MaxLength {
				t.Errorf("%s: max_length %d, initial of %d", e.ActionID, e.MaxLength, textLen(e.InitialValue))
			}
		case *slack.SelectBlockElement:
			if len(e.Options) > maxOptions || e.Type == slack.OptTypeStatic && len(e.Options) == 0 {
				t.Errorf("%s: %d options", e.ActionID, len(e.Options))
			}
			for _, o := range e.Options {
				checkText(t, o.Text, maxOptionText)
			}
			if e.InitialOption != nil && e.Type == slack.OptTypeStatic && !slices.ContainsFunc(e.Options, func(o *slack.OptionBlockObject) bool {
				return o.Value == e.InitialOption.Value && o.Text.Text == e.InitialOption.Text.Text
			}) {
				t.Errorf("%s: initial option is not one of the options", e.ActionID)
			}
		}
	}
	return back
}

// checkText fails t unless o is a valid text object of at most max characters.
func checkText(t testing.TB, o *slack.TextBlockObject, max int) {
	t.Helper()
	if o == nil {
		t.Error("missing text object")
		return
	}
	if err := o.Validate(); err != nil {
		t.Errorf("text %q: %v", o.Text, err)
	}
	if textLen(o.Text) > max {
		t.Errorf("text of %d characters, over %d", textLen(o.Text), max)
	}
}

// TestNeutralizeBroadcasts: an answer quoting @channel in a digest must not
// ping the coach's whole channel.
func TestNeutralizeBroadcasts(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"stuck: <!channel> please", "<!here> help", "<!everyone>", "ask <!subteam^S123|team>"} {
		parts := Split(bot.Message{Text: "*Ana* · " + in + " · " + bot.MentionPerson("U123")})
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // as Slack sees the text
		if err := enc.Encode(parts[0].Blocks); err != nil {
			t.Fatal(err)
		}
		b := buf.String()
		if strings.Contains(string(b), "<!") || strings.Contains(parts[0].Text, "<!") {
			t.Errorf("%q rendered as %s / %q", in, b, parts[0].Text)
		}
		if !strings.Contains(string(b), "<@U123>") {
			t.Errorf("%q: the core's own mention was lost: %s", in, b)
		}
	}
}
