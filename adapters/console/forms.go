// The click and form language: remembering what was shown, and pressing
// its buttons (:click) and submitting its forms (:form).

package console

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/smart90/smart90/bot"
)

// shown is a message (or a form opened by a button) someone was shown, kept
// so :click and :form can find the latest one with a matching button or form.
type shown struct {
	to      string // user name for a DM or a reply; "" for a channel message
	channel string // channel id for a channel message
	ref     string // Send's reference; "" for replies
	msg     bot.Message
}

// maxShown bounds the messages kept for :click and :form.
const maxShown = 200

// click presses a button on the latest message shown to the acting user
// that has one matching arg by label or action id.
func (c *Console) click(ctx context.Context, arg string) {
	arg = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(arg, "["), "]"))
	if arg == "" {
		c.fail("Use :click LABEL or :click ACTIONID, e.g. :click Accept.")
		return
	}
	me, ok := c.actor()
	if !ok {
		return
	}

	c.mu.Lock()
	var (
		found bool
		btn   bot.Button
		from  shown
	)
	for i := len(c.shown) - 1; i >= 0 && !found; i-- {
		s := c.shown[i]
		if !s.visibleTo(me.ExternalID) {
			continue
		}
		for _, b := range s.msg.Buttons {
			if strings.EqualFold(b.Label, arg) || b.ActionID == arg {
				found, btn, from = true, b, s
				break
			}
		}
	}
	if !found {
		c.failLocked("No message shown to %s has a button %q.%s", me.ExternalID, arg, c.latestButtonsLocked(me.ExternalID))
		c.mu.Unlock()
		return
	}
	if btn.OpensForm {
		if from.msg.Form == nil {
			c.failLocked("[%s] opens a form, but its message has none.", btn.Label)
			c.mu.Unlock()
			return
		}
		opened := shown{to: me.ExternalID, channel: from.channel, msg: bot.Message{Form: from.msg.Form}}
		c.rememberLocked(opened)
		var b strings.Builder
		fmt.Fprintf(&b, "  smart90 → %s (only you):\n", me.ExternalID)
		renderForm(&b, from.msg.Form)
		c.write(b.String())
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()

	ev := c.event(me, bot.EventAction)
	ev.Channel = from.channel
	ev.ActionID = btn.ActionID
	ev.Value = btn.Value
	c.handle(ctx, ev)
}

// latestButtonsLocked lists the buttons of the latest message shown to
// name that has any, to help after a failed :click. c.mu is held.
func (c *Console) latestButtonsLocked(name string) string {
	for i := len(c.shown) - 1; i >= 0; i-- {
		s := c.shown[i]
		if len(s.msg.Buttons) == 0 || !s.visibleTo(name) {
			continue
		}
		var labels []string
		for _, b := range s.msg.Buttons {
			labels = append(labels, "["+b.Label+"]")
		}
		return " The latest buttons: " + strings.Join(labels, " ") + "."
	}
	return " No message with buttons was shown to them yet."
}

// form submits the latest form shown to the acting user.
func (c *Console) form(ctx context.Context, arg string) {
	me, ok := c.actor()
	if !ok {
		return
	}
	c.mu.Lock()
	var (
		f    *bot.Form
		from shown
	)
	for i := len(c.shown) - 1; i >= 0; i-- {
		if s := c.shown[i]; s.msg.Form != nil && s.visibleTo(me.ExternalID) {
			f, from = s.msg.Form, s
			break
		}
	}
	c.mu.Unlock()
	if f == nil {
		c.fail("No form was shown to %s yet.", me.ExternalID)
		return
	}
	values, err := formValues(f, arg)
	if err != nil {
		c.fail("%s", err.Error())
		return
	}
	ev := c.event(me, bot.EventForm)
	ev.Channel = from.channel
	ev.FormID = f.FormID
	ev.Value = f.Value
	ev.Values = values
	c.handle(ctx, ev)
}

// formValues returns f's values after applying "key=value; key=value":
// fields not given keep their Initial value; a choice may be given by its
// label. Unknown keys and pairs without "=" are errors.
func formValues(f *bot.Form, arg string) (map[string]string, error) {
	values := make(map[string]string, len(f.Fields))
	ids := make([]string, 0, len(f.Fields))
	for _, fd := range f.Fields {
		values[fd.ID] = fd.Initial
		ids = append(ids, fd.ID)
	}
	var unknown []string
	for part := range strings.SplitSeq(arg, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return nil, fmt.Errorf("%q is not key=value. Use %s", part, formExample(f))
		}
		i := slices.IndexFunc(f.Fields, func(fd bot.Field) bool { return fd.ID == key })
		if i < 0 {
			i = slices.IndexFunc(f.Fields, func(fd bot.Field) bool { return strings.EqualFold(fd.ID, key) })
		}
		if i < 0 {
			unknown = append(unknown, key)
			continue
		}
		values[f.Fields[i].ID] = choiceValue(f.Fields[i], value)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("form %q has no field %s; its fields are: %s. Nothing was sent.",
			cmp.Or(f.Title, f.FormID), strings.Join(unknown, ", "), strings.Join(ids, ", "))
	}
	return values, nil
}

// choiceValue maps a choice typed as its label to its value.
func choiceValue(fd bot.Field, typed string) string {
	if fd.Kind != bot.FieldChoice || slices.ContainsFunc(fd.Options, func(o bot.Option) bool { return o.Value == typed }) {
		return typed
	}
	for _, o := range fd.Options {
		if strings.EqualFold(o.Label, typed) || strings.EqualFold(o.Value, typed) {
			return o.Value
		}
	}
	return typed
}

// rememberLocked keeps s for :click and :form. c.mu is held.
func (c *Console) rememberLocked(s shown) {
	if len(s.msg.Buttons) == 0 && s.msg.Form == nil {
		return
	}
	c.shown = append(c.shown, s)
	if len(c.shown) > maxShown {
		c.shown = slices.Delete(c.shown, 0, len(c.shown)-maxShown)
	}
}

// visibleTo reports whether name saw s: their own messages, and every
// channel message (the console does not track channel membership).
func (s shown) visibleTo(name string) bool {
	return s.to == name || s.to == "" && s.channel != ""
}
