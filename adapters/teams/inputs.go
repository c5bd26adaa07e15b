package teams

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smart90/smart90/adapters/zones"
	"github.com/smart90/smart90/bot"
)

// input renders a form field as an Adaptive Card input whose id is the
// field's ID.
func (r *cardRenderer) input(fd bot.Field) cardInput {
	label := cmp.Or(strings.TrimSpace(r.plain(fd.Label)), fd.ID, "Answer")
	in := cardInput{Type: "Input.Text", ID: fd.ID, Label: label, IsRequired: !fd.Optional, Placeholder: strings.TrimSpace(r.plain(fd.Hint))}
	required := "Please answer this."
	switch fd.Kind {
	case bot.FieldLongText:
		in.IsMultiline = true
		textValue(&in, fd)
	case bot.FieldNumber:
		in.Type = "Input.Number"
		bounded := (fd.Min != 0 || fd.Max != 0) && fd.Min <= fd.Max
		if bounded {
			in.Min, in.Max = new(fd.Min), new(fd.Max)
			required = fmt.Sprintf("Please enter a number from %d to %d.", fd.Min, fd.Max)
		} else {
			required = "Please enter a number."
		}
		if v, err := strconv.Atoi(strings.TrimSpace(fd.Initial)); err == nil && (!bounded || fd.Min <= v && v <= fd.Max) {
			in.Value = v
		}
	case bot.FieldChoice:
		for _, o := range fd.Options {
			if o.Value == "" {
				continue
			}
			in.Choices = append(in.Choices, cardChoice{Title: cmp.Or(strings.TrimSpace(r.plain(o.Label)), o.Value), Value: o.Value})
			if o.Value == fd.Initial {
				in.Value = o.Value
			}
		}
		if len(in.Choices) == 0 {
			// Nothing to choose from: a text input rather than an
			// empty list nobody can answer.
			textValue(&in, fd)
			break
		}
		in.Type, in.Style = "Input.ChoiceSet", "compact"
		required = "Please choose one."
	case bot.FieldDate:
		in.Type = "Input.Date"
		if _, err := time.Parse(time.DateOnly, fd.Initial); err == nil {
			in.Value = fd.Initial
		}
		required = "Please pick a date."
	case bot.FieldTimeZone:
		// Teams asks for the zones matching what the person types
		// (searchZones); the card itself offers only their current zone
		// and UTC.
		in.Type, in.Style = "Input.ChoiceSet", "filtered"
		in.Placeholder = cmp.Or(in.Placeholder, "Type a city or country, e.g. Paris")
		in.ChoicesData = &cardDataQuery{Type: "Data.Query", Dataset: zoneDataset}
		if initial := strings.TrimSpace(fd.Initial); initial != "" && initial != "UTC" {
			in.Choices = append(in.Choices, zoneChoice(initial))
			in.Value = initial
		}
		in.Choices = append(in.Choices, zoneChoice("UTC"))
		required = "Please choose a time zone."
	default: // FieldText, and a kind this adapter does not know yet
		textValue(&in, fd)
	}
	if in.IsRequired {
		in.ErrorMessage = required
	}
	return in
}

// textValue sets a text input's initial value and length limit. The limit
// grows to fit an Initial value longer than MaxLen, so an old answer still
// opens for editing; the core checks the length of what is submitted.
func textValue(in *cardInput, fd bot.Field) {
	if fd.Initial != "" {
		in.Value = fd.Initial
	}
	if fd.MaxLen > 0 {
		in.MaxLength = max(fd.MaxLen, utf8.RuneCountInString(fd.Initial))
	}
}

// zoneChoice offers an IANA zone with its country, titled with spaces
// for underscores so that typing "new york" finds America/New_York.
func zoneChoice(name string) cardChoice {
	title := strings.ReplaceAll(name, "_", " ")
	if z, ok := zones.Lookup(name); ok {
		title = z.Label()
	}
	return cardChoice{Title: title, Value: name}
}
