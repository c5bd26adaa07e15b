package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smart90/smart90/publicnet"
)

// webhookUsage is the usage of the webhook sub-commands.
const webhookUsage = "`webhook add <https address> [event …]` — send events about your clients there, signed\n" +
	"`webhooks` — your webhooks and how they are going\n" +
	"`webhook test <n>` — send it a `webhook.test` event now\n" +
	"`webhook enable <n>` — turn it on again after it was turned off\n" +
	"`webhook remove <n>` — stop sending there\n" +
	"Events: checkin.completed, weekly.completed, rock.changed, client.at_risk, cycle.started (default: all)."

// Resolver resolves a host name to its addresses; *net.Resolver is one.
type Resolver = publicnet.Resolver

// cmdWebhook: a coach adds, lists, tests, enables or removes webhooks.
func (b *Bot) cmdWebhook(ctx context.Context, r *request, rest string) ([]Message, error) {
	sub, args, _ := strings.Cut(rest, " ")
	args = strings.TrimSpace(args)
	switch strings.ToLower(sub) {
	case "", "list":
		return b.webhookList(ctx, r)
	case "add":
		return b.webhookAdd(ctx, r, args)
	case "remove", "delete", "rm":
		return b.webhookRemove(ctx, r, args)
	case "enable":
		return b.webhookEnable(ctx, r, args)
	case "test", "ping":
		return b.webhookTest(ctx, r, args)
	}
	return nil, usageError(fmt.Sprintf("I don't know `webhook %s`.", clip(sub, 40)), "webhook")
}

// webhookAdd adds the webhook in args and shows its secret, once.
func (b *Bot) webhookAdd(ctx context.Context, r *request, args string) ([]Message, error) {
	if r.ev.Channel != "" {
		// Typed where others read it: the address may carry a token.
		return reply("I did not add it: a webhook's address often holds a secret token, and everyone in this channel can read what you typed. " +
			"Rotate that token at the receiver, then send `webhook add` with the new address in your 1:1 chat with me."), nil
	}
	words := strings.Fields(args)
	if len(words) == 0 {
		return nil, usageError("Give me the address to send to, e.g. `webhook add https://hooks.example.com/smart90`.", "webhook")
	}
	raw := strings.Trim(words[0], "<>")
	if len(raw) > MaxWebhookURLLen {
		return nil, usageError(fmt.Sprintf("That address is %d characters long; the limit is %d.", len(raw), MaxWebhookURLLen), "webhook")
	}
	events, err := webhookEvents(words[1:])
	if err != nil {
		return nil, err
	}
	u, err := b.checkWebhookURL(ctx, raw)
	if err != nil {
		return nil, err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, err
	}
	w := &Webhook{CoachID: r.me.ID, URL: []byte(u.String()), Secret: []byte(secret), Events: events, CreatedAt: r.now, UpdatedAt: r.now}
	if err := b.store.PutWebhook(ctx, w); err != nil {
		return nil, fmt.Errorf("add webhook: %w", err)
	}
	ws, err := b.store.Webhooks(ctx, r.me.ID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	n := slices.IndexFunc(ws, func(x *Webhook) bool { return x.ID == w.ID }) + 1
	return reply("Added webhook %d (%s) for %s.\n"+
		"Its signing secret, shown only now — keep it at the receiver:\n`%s`\n"+
		"Each request carries the headers webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks): "+
		"verify them with a Standard Webhooks library, e.g. in Go `standardwebhooks.NewWebhook(secret)` then `wh.Verify(body, r.Header)`. "+
		"Try it: `webhook test %d`.", n, Disarm(u.Hostname()), strings.Join(events, ", "), secret, n), nil
}

// webhookEvents reads the events a coach named: all of them when none.
func webhookEvents(words []string) ([]string, error) {
	if len(words) == 0 || len(words) == 1 && strings.EqualFold(words[0], "all") {
		return slices.Clone(WebhookEventTypes), nil
	}
	want := map[string]bool{}
	for _, w := range words {
		for _, e := range strings.Split(strings.ToLower(w), ",") {
			if e == "" {
				continue
			}
			if !slices.Contains(WebhookEventTypes, e) {
				return nil, usageError(fmt.Sprintf("%q is not an event I send; they are %s.", clip(e, 40), strings.Join(WebhookEventTypes, ", ")), "webhook")
			}
			want[e] = true
		}
	}
	var out []string
	for _, e := range WebhookEventTypes {
		if want[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// checkWebhookURL parses and checks an address a coach gave: https, a
// host, and (unless the operator allows private targets) a host on the
// public internet. The sender checks again at every connection.
func (b *Bot) checkWebhookURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, usageError("That is not a web address; give the full address, starting with https://.", "webhook")
	}
	u.Fragment, u.RawFragment = "", ""
	switch {
	case strings.EqualFold(u.Scheme, "https"):
	case strings.EqualFold(u.Scheme, "http") && b.webhookPrivate:
	case strings.EqualFold(u.Scheme, "http"):
		return nil, usageError("The address must start with https://: events carry your clients' words, and plain http would show them to anyone on the way.", "webhook")
	default:
		return nil, usageError("The address must start with https://.", "webhook")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if p := u.Port(); p != "" {
		// url.Parse takes any digits; a port nothing can listen on would
		// fail every request for 3 days before the coach heard of it.
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, usageError(fmt.Sprintf("The address has port %s; a port is a number from 1 to 65535.", clip(p, 10)), "webhook")
		}
	}
	if b.webhookPrivate {
		return u, nil
	}
	host := u.Hostname()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := publicnet.CheckHost(rctx, b.resolver, host); err != nil {
		if errors.Is(err, publicnet.ErrNotPublic) {
			return nil, usageError(fmt.Sprintf("%s; I only send to public addresses.", Disarm(err.Error())), "webhook")
		}
		return nil, usageError(fmt.Sprintf("I could not look up %s: check the address.", Disarm(host)), "webhook")
	}
	return u, nil
}

// newWebhookSecret returns a Standard Webhooks secret: "whsec_" and 32
// random bytes in base64.
func newWebhookSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("make webhook secret: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key), nil
}

// webhookHost is the host of a webhook's address, all that is shown of it.
func webhookHost(w *Webhook) string {
	u, err := url.Parse(string(w.URL))
	if err != nil || u.Hostname() == "" {
		return "?"
	}
	return Disarm(u.Hostname())
}

// webhookList lists the coach's webhooks: host, events, state and the
// last delivery's outcome; never an address or a secret.
func (b *Bot) webhookList(ctx context.Context, r *request) ([]Message, error) {
	ws, err := b.store.Webhooks(ctx, r.me.ID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	if len(ws) == 0 {
		return reply("You have no webhooks. A webhook sends a signed HTTPS request for each event about your clients to an address of yours:\n%s", webhookUsage), nil
	}
	loc := r.local().Location()
	when := func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 15:04") }
	var sb strings.Builder
	sb.WriteString("*Your webhooks*\n")
	for i, w := range ws {
		fmt.Fprintf(&sb, "%d. %s — %s\n   ", i+1, webhookHost(w), strings.Join(w.Events, ", "))
		if w.Enabled() {
			sb.WriteString("active")
		} else {
			fmt.Fprintf(&sb, "turned off since %s because %s", when(w.DisabledAt), Disarm(w.DisabledReason))
		}
		if d := w.Last; d != nil {
			switch d.State {
			case WebhookDelivered:
				fmt.Fprintf(&sb, " · last delivery %s: ok", when(d.DeliveredAt))
			default:
				fmt.Fprintf(&sb, " · last delivery %s: %s", when(d.UpdatedAt), Disarm(d.LastError))
			}
		}
		sb.WriteString("\n")
	}
	sb.WriteString(webhookUsage)
	return reply("%s", sb.String()), nil
}

// nthWebhook returns the coach's webhook numbered n in their list.
func (b *Bot) nthWebhook(ctx context.Context, r *request, arg, verb string) (*Webhook, int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(arg), "#"))
	if err != nil {
		return nil, 0, usageError(fmt.Sprintf("Which webhook? Give its number from `webhooks`, e.g. `webhook %s 1`.", verb), "webhook")
	}
	ws, err := b.store.Webhooks(ctx, r.me.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("list webhooks: %w", err)
	}
	if n < 1 || n > len(ws) {
		return nil, 0, Errorf(ENOTFOUND, "You have no webhook %d; `webhooks` lists yours.", n)
	}
	return ws[n-1], n, nil
}

// webhookRemove removes a webhook and its queued events.
func (b *Bot) webhookRemove(ctx context.Context, r *request, arg string) ([]Message, error) {
	w, n, err := b.nthWebhook(ctx, r, arg, "remove")
	if err != nil {
		return nil, err
	}
	if err := b.store.DeleteWebhook(ctx, r.me.ID, w.ID); err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("remove webhook: %w", err)
	}
	return reply("Removed webhook %d (%s); nothing more goes there.", n, webhookHost(w)), nil
}

// webhookEnable turns a webhook that was turned off on again.
func (b *Bot) webhookEnable(ctx context.Context, r *request, arg string) ([]Message, error) {
	w, n, err := b.nthWebhook(ctx, r, arg, "enable")
	if err != nil {
		return nil, err
	}
	if w.Enabled() {
		return reply("Webhook %d (%s) is on already.", n, webhookHost(w)), nil
	}
	if err := b.store.EnableWebhook(ctx, r.me.ID, w.ID, r.now); err != nil {
		return nil, fmt.Errorf("enable webhook: %w", err)
	}
	return reply("Webhook %d (%s) is on again: events from now on go there (those of while it was off do not). Try it: `webhook test %d`.",
		n, webhookHost(w), n), nil
}

// webhookTest queues a webhook.test event for one webhook.
func (b *Bot) webhookTest(ctx context.Context, r *request, arg string) ([]Message, error) {
	w, n, err := b.nthWebhook(ctx, r, arg, "test")
	if err != nil {
		return nil, err
	}
	if !w.Enabled() {
		return reply("Webhook %d (%s) is turned off; `webhook enable %d` first.", n, webhookHost(w), n), nil
	}
	id := fmt.Sprintf("%s:%d:%d", WebhookTest, w.ID, r.now.UnixMicro())
	payload, err := jsonPayload(WebhookTest, r.now, map[string]any{"webhook": n, "message": "Hello from smart90."})
	if err != nil {
		return nil, err
	}
	if _, err := b.store.EnqueueWebhookEvent(ctx, r.me.ID, &WebhookEvent{ID: id, Type: WebhookTest, At: r.now, Payload: payload, WebhookID: w.ID}); err != nil {
		return nil, fmt.Errorf("queue webhook test: %w", err)
	}
	return reply("Sending a `webhook.test` event to webhook %d (%s) now; `webhooks` shows how it went.", n, webhookHost(w)), nil
}
