package teams

import (
	"cmp"
	"encoding/json"
	"strconv"
)

// Submission is what a card action sent back: a button press or a form
// submit.
type Submission struct {
	Form   bool              // a form was submitted (else a button was pressed)
	ID     string            // the button's ActionID or the form's FormID
	Value  string            // the button's or form's Value
	Values map[string]string // the form's inputs by field ID (forms only), as strings
}

// reservedKeys are the keys of a card action's data that are not a form's
// inputs: ours (actionData) and Teams' own. Field IDs must not use them.
var reservedKeys = map[string]bool{"smart90": true, "action": true, "form": true, "value": true, "msteams": true}

// ParseSubmission reads a card action's data: the `value` of a message
// activity sent by Action.Submit (inputs merged with the action's data),
// or the `value` of an invoke "adaptiveCard/action" sent by Action.Execute
// ({"action":{"type":"Action.Execute","verb":…,"data":{…}},"trigger":"manual"}).
// ok is false when the data is not one of ours.
//
// Inputs arrive as strings; a number that arrives as a JSON number is
// written back in full ("2.5", "100"). Values that are not a form's
// inputs (our keys, "msteams", objects and lists) are left out.
func ParseSubmission(value map[string]any) (Submission, bool) {
	data, verb := value, ""
	if a, ok := value["action"].(map[string]any); ok {
		// An invoke: the card's action with the inputs in its data.
		if t, _ := a["type"].(string); t != "Action.Execute" {
			return Submission{}, false
		}
		verb, _ = a["verb"].(string)
		if data, ok = a["data"].(map[string]any); !ok {
			return Submission{}, false
		}
	}
	v, ok := inputString(data["value"])
	if !ok {
		return Submission{}, false
	}
	switch data["smart90"] {
	case "action":
		id, _ := data["action"].(string)
		if id == "" {
			return Submission{}, false
		}
		return Submission{ID: id, Value: v}, true
	case "form":
		id, _ := data["form"].(string)
		if id = cmp.Or(id, verb); id == "" {
			return Submission{}, false
		}
		s := Submission{Form: true, ID: id, Value: v, Values: map[string]string{}}
		for k, x := range data {
			if reservedKeys[k] {
				continue
			}
			if str, ok := inputString(x); ok {
				s.Values[k] = str
			}
		}
		return s, true
	}
	return Submission{}, false
}

// inputString is an input's value as a string: text as is, a number in full,
// true or false; nil (an absent value) is "". Objects and lists are not
// inputs' values.
func inputString(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}
