package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Webhook event types: what a coach's webhook can be told about their
// clients. WebhookTest is the ping `webhook test` sends; no webhook
// subscribes to it.
const (
	WebhookCheckInCompleted = "checkin.completed"
	WebhookWeeklyCompleted  = "weekly.completed"
	WebhookRockChanged      = "rock.changed"
	WebhookClientAtRisk     = "client.at_risk"
	WebhookCycleStarted     = "cycle.started"
	WebhookTest             = "webhook.test"
)

// WebhookEventTypes are the event types a webhook may subscribe to, in
// the order they are listed to people; a new webhook gets them all.
var WebhookEventTypes = []string{
	WebhookCheckInCompleted, WebhookWeeklyCompleted, WebhookRockChanged, WebhookClientAtRisk, WebhookCycleStarted,
}

// Webhook limits.
const (
	// MaxWebhooks is how many webhooks a coach may have, disabled ones
	// included.
	MaxWebhooks = 5
	// MaxWebhookURLLen bounds a webhook's address.
	MaxWebhookURLLen = 2000
	// MaxWebhookPayload bounds an event's JSON payload in bytes.
	MaxWebhookPayload = 64 << 10
)

// Webhook is a coach's outbound webhook: an HTTPS address that gets a
// signed POST (Standard Webhooks) for each event about their clients it
// subscribes to.
type Webhook struct {
	ID      int64
	CoachID int64
	// URL is the address, in plaintext for callers; store/seal keeps it
	// encrypted at rest, as a calendar's address: it often carries a
	// token. Never logged; shown by host only.
	URL []byte
	// Secret is the Standard Webhooks signing secret ("whsec_" and
	// base64), sealed at rest like URL and shown once, at `webhook add`.
	Secret []byte
	// Events are the event types it gets (of WebhookEventTypes), in that
	// order.
	Events []string
	// DisabledAt is when it was disabled (zero while enabled), and
	// DisabledReason why, in words for the coach. A disabled webhook gets
	// no new deliveries and its pending ones fail.
	DisabledAt     time.Time
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Last is its latest delivery that was tried at least once (nil when
	// none), as Webhooks reads it; stores ignore it on the way in.
	Last *WebhookDelivery
}

// Enabled says whether the webhook gets deliveries.
func (w *Webhook) Enabled() bool { return w.DisabledAt.IsZero() }

// Subscribes says whether the webhook gets events of type typ.
func (w *Webhook) Subscribes(typ string) bool { return slices.Contains(w.Events, typ) }

// Validate checks the webhook's events and texts (EINVALID). The address
// and secret are checked by whoever makes them: stored sealed, their
// length is the seal's.
func (w *Webhook) Validate() error {
	if len(w.Events) == 0 {
		return Errorf(EINVALID, "A webhook needs at least one event. Nothing was saved.")
	}
	for _, e := range w.Events {
		if !slices.Contains(WebhookEventTypes, e) {
			return Errorf(EINVALID, "%q is not a webhook event; they are %s. Nothing was saved.", clip(e, 40), strings.Join(WebhookEventTypes, ", "))
		}
	}
	return CheckText("reason", w.DisabledReason, MaxTextLen)
}

// WebhookDeliveryState is where a webhook delivery is.
type WebhookDeliveryState string

// Webhook delivery states.
const (
	WebhookPending   WebhookDeliveryState = "pending"   // to be sent (again) at DueAt
	WebhookDelivered WebhookDeliveryState = "delivered" // the receiver answered 2xx
	WebhookFailed    WebhookDeliveryState = "failed"    // given up: its webhook was disabled
)

// WebhookDelivery is one event on its way to one webhook: the outbox row
// that the senders of every replica share, as prompts' deliveries are.
type WebhookDelivery struct {
	ID        int64
	WebhookID int64
	// ClientID is the client the event is about (0 for none): deleting
	// the client deletes it, as its payload names them.
	ClientID int64
	// EventID is the Standard Webhooks webhook-id, unique per webhook:
	// the same event is queued once.
	EventID string
	Type    string
	Payload []byte // the JSON body, as signed
	DueAt   time.Time
	// LeaseUntil is a sender's claim (zero when unclaimed); Attempts
	// counts claims.
	LeaseUntil    time.Time
	Attempts      int
	State         WebhookDeliveryState
	LastError     string    // the last failure, in short words: never the address or the body
	FirstFailedAt time.Time // the first failure of the current run of failures; zero before one
	DeliveredAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Webhook is the webhook it goes to, as ClaimWebhookDeliveries
	// reads it; stores ignore it on the way in.
	Webhook *Webhook
}

// WebhookEvent is something that happened, for the coach's webhooks.
type WebhookEvent struct {
	// ID identifies the event: the same ID queued twice is one delivery
	// per webhook. It is made from what the event describes, so that a
	// command retried does not send it twice.
	ID       string
	Type     string
	ClientID int64     // who it is about; 0 for none
	At       time.Time // when it happened: the deliveries are due then
	Payload  []byte
	// WebhookID, when non-zero, queues the event for that webhook of the
	// coach only, whatever it subscribes to (a `webhook test`).
	WebhookID int64
}

// Validate checks the event's id, type and payload (EINVALID).
func (e *WebhookEvent) Validate() error {
	if e.ID == "" || e.Type == "" {
		return Errorf(EINVALID, "A webhook event needs an id and a type.")
	}
	if len(e.Payload) > MaxWebhookPayload {
		return Errorf(EINVALID, "The webhook payload is %d bytes; the limit is %d.", len(e.Payload), MaxWebhookPayload)
	}
	return firstError(CheckID("webhook event id", e.ID), CheckID("webhook event type", e.Type))
}

// WebhookStore keeps coaches' webhooks and their outbox. DeletePerson
// deletes a coach's webhooks with their deliveries, and every delivery
// about a client.
type WebhookStore interface {
	// PutWebhook stores a new webhook of w.CoachID, enabled, and fills
	// w with the stored row (ID, CreatedAt, UpdatedAt as for Create*
	// methods). ECONFLICT when the coach has MaxWebhooks webhooks
	// already, however many callers add at once; ENOTFOUND when the
	// coach does not exist; EINVALID when w breaks Webhook.Validate.
	PutWebhook(ctx context.Context, w *Webhook) error
	// Webhooks returns the coach's webhooks, by ID, each with Last.
	Webhooks(ctx context.Context, coachID int64) ([]*Webhook, error)
	// DeleteWebhook deletes the coach's webhook id and its deliveries.
	// ENOTFOUND when the coach has no such webhook.
	DeleteWebhook(ctx context.Context, coachID, id int64) error
	// DisableWebhook disables webhook id, if it is enabled, at at with
	// reason, and fails its pending deliveries (State WebhookFailed,
	// LastError reason), in one transaction. It returns whether this
	// call disabled it: of many callers at once, one gets true.
	// ENOTFOUND when the webhook does not exist.
	DisableWebhook(ctx context.Context, id int64, at time.Time, reason string) (bool, error)
	// EnableWebhook enables the coach's webhook id again from at (the
	// events of the time it was disabled are not sent). ENOTFOUND when
	// the coach has no such webhook.
	EnableWebhook(ctx context.Context, coachID, id int64, at time.Time) error
	// EnqueueWebhookEvent queues ev for the coach's enabled webhooks that
	// subscribe to its type (or for webhook ev.WebhookID only): one
	// pending delivery each, due at ev.At, unless the webhook has one of
	// ev.ID already. It returns how many it created. Safe to call from
	// many replicas at once. EINVALID when ev breaks Validate.
	EnqueueWebhookEvent(ctx context.Context, coachID int64, ev *WebhookEvent) (int, error)
	// ClaimWebhookDeliveries claims up to limit pending deliveries of
	// enabled webhooks with DueAt <= now whose lease is unset or expired,
	// oldest DueAt first, setting LeaseUntil to now+lease and
	// incrementing Attempts, each with its Webhook. Concurrent callers,
	// on any replicas, never claim the same delivery while its lease
	// holds.
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*WebhookDelivery, error)
	// UpdateWebhookDeliveries stores senders' outcomes: each delivery's
	// State, LastError, DueAt, LeaseUntil, FirstFailedAt, DeliveredAt and
	// UpdatedAt, but only where its stored LeaseUntil still equals
	// claimed[i] (see DeliveryStore.UpdateDeliveries). The IDs of those
	// gone or held under another lease are returned in lost.
	UpdateWebhookDeliveries(ctx context.Context, ds []*WebhookDelivery, claimed []time.Time) (lost []int64, err error)
}

// webhookClient is a client as a webhook payload names them.
type webhookClient struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// webhookPayload is a Standard Webhooks payload.
type webhookPayload struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// WebhookEmitFailures returns how many webhook events the bot could not
// queue since it started (each also logged).
func (b *Bot) WebhookEmitFailures() int64 { return b.emitFailed.Load() }

// jsonPayload is the Standard Webhooks payload of an event of type typ
// at at: {"type", "timestamp", "data"}.
func jsonPayload(typ string, at time.Time, data any) ([]byte, error) {
	b, err := json.Marshal(webhookPayload{Type: typ, Timestamp: at.UTC().Format(time.RFC3339), Data: data})
	if err != nil {
		return nil, fmt.Errorf("encode webhook payload: %w", err)
	}
	return b, nil
}

// emit queues an event for the coach's webhooks, after the write it
// describes succeeded. A failure is logged and counted, never the
// person's: their command worked. data is the payload's "data"; the
// client it is about (when any) goes in as {"id","name"}.
func (b *Bot) emit(ctx context.Context, coachID int64, typ, id string, client *Person, at time.Time, data map[string]any) {
	if coachID == 0 {
		return
	}
	at = at.UTC()
	ev := &WebhookEvent{ID: typ + ":" + id, Type: typ, At: at}
	if client != nil {
		ev.ClientID = client.ID
		data["client"] = webhookClient{ID: client.ID, Name: client.DisplayName}
	}
	payload, err := jsonPayload(typ, at, data)
	if err == nil {
		ev.Payload = payload
		_, err = b.store.EnqueueWebhookEvent(ctx, coachID, ev)
	}
	if err != nil {
		b.emitFailed.Add(1)
		b.log.WarnContext(ctx, "queue webhook event", "coach", coachID, "type", typ, "err", err)
	}
}

// emitCheckIn tells the coach's webhooks that a client completed a
// check-in. Its id holds the answer's UpdatedAt: an edit is a new event,
// a retried save of the same answer is not.
func (b *Bot) emitCheckIn(ctx context.Context, e *Engagement, client *Person, c *CheckIn) {
	if c.Status != AnswerComplete {
		return
	}
	b.emit(ctx, e.CoachID, WebhookCheckInCompleted, fmt.Sprintf("%d:%s:%d", e.ID, c.Day, c.UpdatedAt.UnixMicro()), client, c.UpdatedAt,
		map[string]any{
			"engagement_id": e.ID, "day": c.Day.String(), "moved": c.Moved, "priority": c.Priority,
			"priority_rock_id": c.PriorityRockID, "stuck": c.Stuck, "energy": c.Energy,
		})
}

// emitWeekly tells the coach's webhooks that a client completed a weekly
// report.
func (b *Bot) emitWeekly(ctx context.Context, e *Engagement, client *Person, w *WeeklyReport) {
	if w.Status != AnswerComplete {
		return
	}
	type rockLine struct {
		RockID   int64  `json:"rock_id"`
		Status   string `json:"status"`
		Progress int    `json:"progress"`
		Note     string `json:"note"`
	}
	rocks := make([]rockLine, 0, len(w.Rocks))
	for _, u := range w.Rocks {
		rocks = append(rocks, rockLine{u.RockID, string(u.Status), u.Progress, u.Note})
	}
	b.emit(ctx, e.CoachID, WebhookWeeklyCompleted, fmt.Sprintf("%d:%s:%d", e.ID, w.Week, w.UpdatedAt.UnixMicro()), client, w.UpdatedAt,
		map[string]any{"engagement_id": e.ID, "week": w.Week.String(), "rocks": rocks, "win": w.Win, "stuck": w.Stuck, "ask": w.Ask})
}

// emitRock tells the coach's webhooks that a rock was created or changed
// (change is "created" or "updated").
func (b *Bot) emitRock(ctx context.Context, e *Engagement, client *Person, r *Rock, change string) {
	b.emit(ctx, e.CoachID, WebhookRockChanged, fmt.Sprintf("%d:%d", r.ID, r.UpdatedAt.UnixMicro()), client, r.UpdatedAt,
		map[string]any{
			"engagement_id": e.ID, "change": change,
			"rock": map[string]any{"id": r.ID, "number": r.Position, "title": r.Title, "done_when": r.DoneWhen,
				"due": r.Due.String(), "status": string(r.Status), "progress": r.Progress},
		})
}

// emitRockOf is emitRock for a rock whose engagement the caller has not
// read.
func (b *Bot) emitRockOf(ctx context.Context, client *Person, r *Rock) {
	e, err := b.store.Engagement(ctx, r.EngagementID)
	if err != nil {
		b.emitFailed.Add(1)
		b.log.WarnContext(ctx, "queue webhook event", "type", WebhookRockChanged, "err", err)
		return
	}
	b.emitRock(ctx, e, client, r, "updated")
}

// emitRockChanges emits rock.changed for each of rocks whose state
// differs from its state in before (by ID): after a weekly report or a
// review applied its lines.
func (b *Bot) emitRockChanges(ctx context.Context, e *Engagement, client *Person, before, after []*Rock) {
	old := make(map[int64]Rock, len(before))
	for _, r := range before {
		old[r.ID] = *r
	}
	for _, r := range after {
		if o, ok := old[r.ID]; ok && (o.Status != r.Status || o.Progress != r.Progress || o.Due != r.Due || o.Title != r.Title) {
			b.emitRock(ctx, e, client, r, "updated")
		}
	}
}

// emitAtRisk tells the coach's webhooks that the digest of week marks a
// client at risk, for reasons: once per client and week.
func (b *Bot) emitAtRisk(ctx context.Context, e *Engagement, client *Person, week Date, reasons []string, at time.Time) {
	b.emit(ctx, e.CoachID, WebhookClientAtRisk, fmt.Sprintf("%d:%s", e.ID, week), client, at,
		map[string]any{"engagement_id": e.ID, "week": week.String(), "reasons": reasons})
}

// hooklessFor is how long a replica remembers that a coach has no webhook
// taking cycle.started.
const hooklessFor = time.Minute

// hookless remembers, per replica, coaches found without a webhook that
// takes cycle.started, until when: every daily prompt of a cycle's first
// week tells of the cycle (by its id, so once), and without this each
// would cost a write that queues nothing.
type hookless struct {
	mu    sync.Mutex
	until map[int64]time.Time
}

// emitCycleFromPrompt is emitCycle for a daily prompt of the cycle's
// first week, asking the store only when the coach may have a webhook
// that takes it. A webhook added meanwhile on another replica gets the
// event from a later prompt of that week.
func (b *Bot) emitCycleFromPrompt(ctx context.Context, e *Engagement, client *Person, c Cycle, now time.Time) {
	if e.CoachID == 0 {
		return
	}
	b.hookless.mu.Lock()
	until, known := b.hookless.until[e.CoachID]
	b.hookless.mu.Unlock()
	if known && now.Before(until) {
		return
	}
	ws, err := b.store.Webhooks(ctx, e.CoachID)
	if err == nil && !slices.ContainsFunc(ws, func(w *Webhook) bool { return w.Enabled() && w.Subscribes(WebhookCycleStarted) }) {
		b.hookless.mu.Lock()
		if b.hookless.until == nil || len(b.hookless.until) >= 100_000 {
			b.hookless.until = map[int64]time.Time{} // a bound, not a policy: the next minute refills it
		}
		b.hookless.until[e.CoachID] = now.Add(hooklessFor)
		b.hookless.mu.Unlock()
		return
	}
	// Read or not (the store may be down: emit counts the failure), try.
	b.emitCycle(ctx, e, client, c, now)
}

// emitCycle tells the coach's webhooks that an engagement's cycle c
// started: once per engagement and cycle.
func (b *Bot) emitCycle(ctx context.Context, e *Engagement, client *Person, c Cycle, at time.Time) {
	b.emit(ctx, e.CoachID, WebhookCycleStarted, fmt.Sprintf("%d:%d", e.ID, c.N), client, at,
		map[string]any{"engagement_id": e.ID, "cycle": c.N, "start": c.Start.String(), "end": c.End().String()})
}
