// This file holds the rock forms: adding or editing a rock through a
// platform's form (a Slack modal, a Teams card) rather than a command.

package bot

import (
	"context"
	"strconv"
	"strings"
)

// rockForm is the form to add a rock to e, or to edit rock.
func rockForm(e *Engagement, rock *Rock, today Date) *Form {
	f := &Form{FormID: FormRockAdd, Value: strconv.FormatInt(e.ID, 10), Title: "Add a rock", SubmitLabel: "Add",
		Fields: []Field{
			{ID: "title", Label: "Rock (a 90-day priority)", Kind: FieldText, MaxLen: MaxRockTitleLen, Hint: "Launch the new pricing page"},
			{ID: "done_when", Label: "Done when (measurable)", Kind: FieldLongText, MaxLen: MaxDoneWhenLen, Optional: true, Hint: "Live on the site and announced to customers"},
			{ID: "due", Label: "Due", Kind: FieldDate, Initial: defaultDue(e, today).String()},
		}}
	if rock != nil {
		f.FormID, f.Value, f.Title, f.SubmitLabel = FormRockEdit, strconv.FormatInt(rock.ID, 10), "Edit rock "+strconv.Itoa(rock.Position), "Save"
		f.Fields[0].Initial, f.Fields[1].Initial, f.Fields[2].Initial = rock.Title, rock.DoneWhen, rock.Due.String()
		f.Fields = append(f.Fields, statusField(rock.Status), progressField(rock.Progress))
	}
	return f
}

// statusField is the rock form's status choice, set to s.
func statusField(s RockStatus) Field {
	return Field{ID: "status", Label: "Status", Kind: FieldChoice, Initial: string(s), Options: []Option{
		{string(RockOnTrack), "On track"}, {string(RockOffTrack), "Off track"}, {string(RockDone), "Done"}, {string(RockDropped), "Dropped"},
	}}
}

// progressField is the rock form's progress percentage, set to p.
func progressField(p int) Field {
	return Field{ID: "progress", Label: "Progress %", Kind: FieldNumber, Min: 0, Max: 100, Initial: strconv.Itoa(p)}
}

// submitRock handles the add and edit rock forms.
func (b *Bot) submitRock(ctx context.Context, r *request) ([]Message, error) {
	v := r.ev.Values
	id, err := strconv.ParseInt(r.ev.Value, 10, 64)
	if err != nil {
		return nil, Errorf(EINVALID, "That form is out of date; type `rocks` for a new one.")
	}
	var e *Engagement
	var rock *Rock
	if r.ev.FormID == FormRockEdit {
		if rock, err = b.store.Rock(ctx, id); err != nil {
			return nil, err
		}
		id = rock.EngagementID
	}
	if e, err = b.store.Engagement(ctx, id); err != nil {
		return nil, err
	}
	owner, err := b.mayEditRocks(ctx, r, e)
	if err != nil {
		return nil, err
	}
	title, doneWhen := strings.TrimSpace(v["title"]), strings.TrimSpace(v["done_when"])
	if title == "" {
		return nil, Errorf(EINVALID, "A rock needs a title.")
	}
	if err := validRock(title, doneWhen); err != nil {
		return nil, err
	}
	due := defaultDue(e, DateOf(r.now.In(zoneOf(owner))))
	if s := strings.TrimSpace(v["due"]); s != "" {
		if due, err = ParseDate(s); err != nil {
			return nil, err
		}
	}
	if rock == nil {
		return b.addRock(ctx, r, owner, e, title, doneWhen, due)
	}
	if due != rock.Due {
		// A due date left as it was may have passed meanwhile; a new one
		// must make sense.
		if err := validDue(due, DateOf(r.now.In(zoneOf(owner))), e); err != nil {
			return nil, err
		}
	}
	status, err := ParseRockStatus(v["status"])
	if err != nil {
		return nil, err
	}
	progress, ok := parsePercent(strings.TrimSpace(v["progress"]))
	if !ok {
		return nil, Errorf(EINVALID, "Progress is a percentage from 0 to 100.")
	}
	rock.Title, rock.DoneWhen, rock.Due, rock.Status, rock.Progress = title, doneWhen, due, status, progress
	return b.saveRock(ctx, r, owner, rock, "saved")
}
