package slack

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/adapters/zones"
	"github.com/smart90/smart90/bot"
)

// Modal renders f as a modal for views.open: one input block per field, its
// action_id the field's ID (which FormValues gives back) and its block_id
// the ID too, made unique. Title and button labels are shortened to 24
// characters; callbackID and privateMetadata are cut to Slack's 255 and
// 3,000, so keep them short. A form over 100 fields loses the rest.
//
// A time-zone field is an external select: Slack sends what the person
// types to the app's options load URL (a block_suggestion), answered with
// TimeZoneOptions. It is the only external select smart90 renders.
func Modal(f bot.Form, callbackID, privateMetadata string) slack.ModalViewRequest {
	var blocks []slack.Block
	used := map[string]bool{}
	for _, fd := range f.Fields[:min(len(f.Fields), maxModalBlocks)] {
		blockID := clip(fd.ID, maxID)
		for n := 2; blockID != "" && used[blockID]; n++ {
			suffix := "-" + strconv.Itoa(n)
			blockID = clip(fd.ID, maxID-len(suffix)) + suffix
		}
		used[blockID] = true
		blocks = append(blocks, input(fd, blockID))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(shorten(cmp.Or(strings.TrimSpace(f.Title), "smart90"), maxTitle)),
		Submit:          plain(shorten(cmp.Or(strings.TrimSpace(f.SubmitLabel), "Submit"), maxTitle)),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		CallbackID:      clip(callbackID, maxID),
		PrivateMetadata: clip(privateMetadata, maxMetadata),
	}
}

// input renders one field as an input block.
func input(fd bot.Field, blockID string) *slack.InputBlock {
	var placeholder, hint *slack.TextBlockObject
	if h := strings.TrimSpace(fd.Hint); h != "" {
		if textLen(h) <= maxPlaceholder {
			placeholder = plain(h)
		} else {
			hint = plain(shorten(h, maxLabel))
		}
	}
	id := clip(fd.ID, maxID)
	var el slack.BlockElement
	switch fd.Kind {
	case bot.FieldLongText:
		el = textInput(fd, id, placeholder, true)
	case bot.FieldNumber:
		el = numberInput(fd, id, placeholder)
	case bot.FieldChoice:
		el = choice(fd, id, placeholder)
	case bot.FieldDate:
		d := slack.NewDatePickerBlockElement(id)
		d.Placeholder = placeholder
		if _, err := time.Parse(time.DateOnly, fd.Initial); err == nil {
			d.InitialDate = fd.Initial
		}
		el = d
	case bot.FieldTimeZone:
		s := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal,
			cmp.Or(placeholder, plain("Type a city or country, e.g. Paris")), id)
		s.MinQueryLength = new(1)
		if z := strings.TrimSpace(fd.Initial); z != "" {
			label := z
			if known, ok := zones.Lookup(z); ok {
				label = known.Label()
			}
			s.InitialOption = option(z, label)
		}
		el = s
	default: // FieldText, and a kind this adapter does not know yet
		el = textInput(fd, id, placeholder, false)
	}
	block := slack.NewInputBlock(blockID, plain(shorten(cmp.Or(strings.TrimSpace(fd.Label), fd.ID, "Answer"), maxLabel)), hint, el)
	block.Optional = fd.Optional
	return block
}

// textInput is a plain_text_input. Its max_length grows to fit an Initial
// value longer than MaxLen, so an old answer still opens for editing; the
// core checks the length of what is submitted.
func textInput(fd bot.Field, id string, placeholder *slack.TextBlockObject, multiline bool) *slack.PlainTextInputBlockElement {
	t := slack.NewPlainTextInputBlockElement(placeholder, id)
	t.Multiline = multiline
	t.InitialValue = clip(fd.Initial, maxInputLen)
	if fd.MaxLen > 0 {
		t.MaxLength = min(max(fd.MaxLen, textLen(t.InitialValue)), maxInputLen)
	}
	return t
}

// numberInput is an integer number_input within Min..Max when they are
// set. An Initial value that is not such a number is left out, since Slack
// would refuse the whole view for it.
func numberInput(fd bot.Field, id string, placeholder *slack.TextBlockObject) *slack.NumberInputBlockElement {
	n := slack.NewNumberInputBlockElement(placeholder, id, false)
	bounded := (fd.Min != 0 || fd.Max != 0) && fd.Min <= fd.Max
	if bounded {
		n.MinValue, n.MaxValue = strconv.Itoa(fd.Min), strconv.Itoa(fd.Max)
	}
	if v, err := strconv.Atoi(strings.TrimSpace(fd.Initial)); err == nil && (!bounded || fd.Min <= v && v <= fd.Max) {
		n.InitialValue = strconv.Itoa(v)
	}
	return n
}

// choice is a static_select of the field's options (the first 100), with
// Initial selected when it is one of them. Without options it is a text
// input, since Slack refuses an empty select.
func choice(fd bot.Field, id string, placeholder *slack.TextBlockObject) slack.BlockElement {
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, o := range fd.Options {
		if o.Value == "" || len(opts) == maxOptions {
			continue
		}
		opt := option(clip(o.Value, maxOptionValue), cmp.Or(strings.TrimSpace(o.Label), o.Value))
		if initial == nil && o.Value == fd.Initial {
			initial = opt
		}
		opts = append(opts, opt)
	}
	if len(opts) == 0 {
		return textInput(fd, id, placeholder, false)
	}
	s := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, cmp.Or(placeholder, plain("Choose")), id, opts...)
	s.InitialOption = initial
	return s
}

// option is a select option showing label and submitting value.
func option(value, label string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(shorten(label, maxOptionText)), nil)
}

// FormValues reads a view_submission's state into field ID → value, as
// bot.Event.Values wants it: typed text or number, the selected option's
// value (static or external select), the selected date. A field left empty
// maps to "". Keys are action ids, which Modal sets to the field IDs.
func FormValues(state *slack.ViewState) map[string]string {
	values := map[string]string{}
	if state == nil {
		return values
	}
	// Blocks in sorted order, so that a repeated action id resolves the
	// same way every time.
	for _, blockID := range slices.Sorted(maps.Keys(state.Values)) {
		for actionID, a := range state.Values[blockID] {
			values[actionID] = actionValue(a)
		}
	}
	return values
}

// actionValue is the value of one input's state.
func actionValue(a slack.BlockAction) string {
	switch a.Type {
	case "plain_text_input", "number_input", "email_text_input", "url_text_input":
		return a.Value
	case "static_select", "external_select", "radio_buttons":
		return a.SelectedOption.Value
	case "datepicker":
		return a.SelectedDate
	case "timepicker":
		return a.SelectedTime
	}
	return cmp.Or(a.Value, a.SelectedOption.Value, a.SelectedDate, a.SelectedTime)
}

// TimeZoneOptions answers a time-zone field's type-ahead (a
// block_suggestion): at most limit zones (and never over Slack's 100)
// that zones.Search finds for query, by city, country or name, best first
// ("paris", "new york", "france" → Europe/Paris). Each shows its country:
// "Europe/Paris (France)".
func TimeZoneOptions(query string, limit int) []*slack.OptionBlockObject {
	var opts []*slack.OptionBlockObject
	for _, z := range zones.Search(query, min(limit, maxOptions)) {
		opts = append(opts, option(z.Name, z.Label()))
	}
	return opts
}
