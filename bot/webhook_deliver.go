package bot

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/smart90/smart90/publicnet"
)

// Webhook delivery's bounds.
const (
	// WebhookLease is how long a sender holds the deliveries it claimed:
	// well over a batch's requests at WebhookTimeout each.
	WebhookLease = 2 * time.Minute
	// WebhookTimeout bounds one request.
	WebhookTimeout = 10 * time.Second
	// WebhookFirstRetry is the wait after a first failure; it doubles
	// with each failure after, up to WebhookMaxRetry.
	WebhookFirstRetry = 30 * time.Second
	WebhookMaxRetry   = time.Hour
	// WebhookGiveUp is how long a delivery may keep failing before its
	// webhook is turned off and the coach told.
	WebhookGiveUp = 72 * time.Hour
	// webhookGap is the longest wait between two tries of a delivery
	// that still counts as one run of failures: twice the longest retry.
	webhookGap = 2 * WebhookMaxRetry
	// webhookOutcomeWrite bounds storing a batch's outcomes and turning
	// webhooks off after it, which go on when serve is stopping.
	webhookOutcomeWrite = 15 * time.Second
	// webhookMaxBody is how much of a response is read (and dropped), so
	// that the connection can be reused.
	webhookMaxBody = 4 << 10
)

// errWebhookNotPublic is the reason a webhook's address is refused at
// connect time.
var errWebhookNotPublic = errors.New("the address is not on the public internet")

// WebhookSender sends the coaches' queued webhook events: each replica
// runs one, and the store's claims give each delivery to one of them. It
// is safe for concurrent use.
type WebhookSender struct {
	Bot *Bot // required
	// HTTP sends the requests. Default: a client that connects to public
	// addresses only (publicnet), or any address when AllowPrivate. It
	// never follows redirects, whichever client is given.
	HTTP *http.Client
	// AllowPrivate lets the default client reach private, loopback and
	// link-local addresses (SMART90_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	// Limit is how many deliveries one RunOnce claims (default 20): with
	// Workers and Timeout, a claim is sent well within its lease.
	Limit int
	// Workers is how many requests one RunOnce has in flight (default 4).
	Workers int
	// Timeout bounds each request (default WebhookTimeout).
	Timeout time.Duration
	// Jitter returns the random part added to a retry's wait d (default:
	// up to a tenth of d).
	Jitter func(d time.Duration) time.Duration

	once   sync.Once
	client *http.Client
}

// webhookOutcome is what became of one claimed delivery.
type webhookOutcome struct {
	d       *WebhookDelivery
	claimed time.Time
	disable string // non-empty: turn its webhook off, for this reason
}

// RunOnce sends the deliveries due now and returns how many it tried. A
// failed delivery is tried again later (see retry); an error is returned
// only when the store could not be reached.
func (s *WebhookSender) RunOnce(ctx context.Context) (int, error) {
	b := s.Bot
	s.once.Do(s.init)
	now := b.clock.Now().UTC()
	ds, err := b.store.ClaimWebhookDeliveries(ctx, now, WebhookLease, cmp.Or(s.Limit, 20))
	if err != nil {
		return 0, err
	}
	timeout := cmp.Or(s.Timeout, WebhookTimeout)
	// Once claimed, a request under way finishes and its outcome is
	// stored even when ctx ends (serve stopping): a receiver that got the
	// event must not get it again when the lease runs out. No new request
	// starts after ctx ends; those deliveries wait for the next claim.
	stopping := ctx
	ctx = context.WithoutCancel(ctx) // each request has its timeout
	outcomes := make([]webhookOutcome, len(ds))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(cmp.Or(s.Workers, 4), len(ds)) {
		wg.Go(func() {
			for i := range work {
				d := ds[i]
				outcomes[i].claimed = d.LeaseUntil
				// Too close to the end of its lease: another replica may
				// claim it while it is sent. It waits for the next claim.
				if stopping.Err() != nil || b.clock.Now().Add(timeout+10*time.Second).After(d.LeaseUntil) {
					continue
				}
				outcomes[i].d = d
				outcomes[i].disable = s.deliver(ctx, d, timeout)
			}
		})
	}
	for i := range ds {
		work <- i
	}
	close(work)
	wg.Wait()

	var done []*WebhookDelivery
	var claimed []time.Time
	for _, o := range outcomes {
		if o.d != nil {
			done, claimed = append(done, o.d), append(claimed, o.claimed)
		}
	}
	// The writes after the requests are bounded on their own, so that a
	// stopping replica with its database gone still stops.
	ctx, cancel := context.WithTimeout(ctx, webhookOutcomeWrite)
	defer cancel()
	lost, err := b.store.UpdateWebhookDeliveries(ctx, done, claimed)
	if err != nil {
		return len(done), fmt.Errorf("store webhook outcomes: %w", err)
	}
	for _, o := range outcomes {
		if o.d == nil || o.disable == "" || slices.Contains(lost, o.d.ID) {
			continue
		}
		if err := b.disableWebhook(ctx, o.d.Webhook, o.disable); err != nil {
			return len(done), err
		}
	}
	return len(done), nil
}

// init sets the client: never following redirects, which could lead
// anywhere.
func (s *WebhookSender) init() {
	c := s.HTTP
	switch {
	case c != nil:
	case s.AllowPrivate:
		c = &http.Client{}
	default:
		c = publicnet.Client(errWebhookNotPublic)
	}
	copied := *c
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &copied
}

// deliver sends one claimed delivery and sets its outcome on it. It
// returns why its webhook must be turned off, or "".
func (s *WebhookSender) deliver(ctx context.Context, d *WebhookDelivery, timeout time.Duration) string {
	b := s.Bot
	status, retryAfter, reason := s.post(ctx, d, timeout)
	now := b.clock.Now().UTC()
	prev := d.UpdatedAt // the last outcome: the failure before, when one
	d.UpdatedAt, d.LeaseUntil = now, time.Time{}
	if reason == "" {
		d.State, d.DeliveredAt, d.LastError, d.FirstFailedAt = WebhookDelivered, now, "", time.Time{}
		return ""
	}
	d.LastError = reason
	// A run of failures is one smart90 watched: after a gap no retry
	// explains (every replica down, the clock jumped), it starts again,
	// so two failures days apart do not turn the webhook off.
	if d.FirstFailedAt.IsZero() || now.Sub(prev) > webhookGap {
		d.FirstFailedAt = now
	}
	b.log.InfoContext(ctx, "webhook delivery failed", "webhook", d.WebhookID, "delivery", d.ID, "attempt", d.Attempts, "reason", reason)
	switch {
	case status == http.StatusGone:
		d.State = WebhookFailed
		return "its receiver answered 410 Gone (it asked for no more events)"
	case now.Sub(d.FirstFailedAt) >= WebhookGiveUp:
		d.State = WebhookFailed
		return fmt.Sprintf("it has been failing for %d days (last: %s)", int(WebhookGiveUp/(24*time.Hour)), reason)
	}
	d.DueAt = now.Add(s.retry(d.Attempts, retryAfter))
	return ""
}

// retry is the wait before the next try after attempts failed tries: the
// exponential backoff with jitter, or the receiver's Retry-After when
// longer, never over WebhookMaxRetry.
func (s *WebhookSender) retry(attempts int, retryAfter time.Duration) time.Duration {
	d := WebhookMaxRetry
	if attempts >= 1 && attempts <= 20 {
		d = min(WebhookFirstRetry<<(attempts-1), WebhookMaxRetry)
	}
	jitter := s.Jitter
	if jitter == nil {
		jitter = func(d time.Duration) time.Duration { return rand.N(d/10 + 1) }
	}
	d += jitter(d)
	return min(max(d, retryAfter), WebhookMaxRetry)
}

// post sends d, signed, and returns the status code, the Retry-After
// of a 429 or 503, and "" for a 2xx or the failure in short words for
// the coach: never the address or the body.
func (s *WebhookSender) post(ctx context.Context, d *WebhookDelivery, timeout time.Duration) (int, time.Duration, string) {
	if d.Webhook == nil {
		return 0, 0, "its webhook is gone"
	}
	wh, err := standardwebhooks.NewWebhook(string(d.Webhook.Secret))
	if err != nil {
		return 0, 0, "its signing secret is broken; add the webhook again"
	}
	ts := s.Bot.clock.Now()
	sig, err := wh.Sign(d.EventID, ts, d.Payload)
	if err != nil {
		return 0, 0, "it could not be signed"
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, string(d.Webhook.URL), bytes.NewReader(d.Payload))
	if err != nil {
		return 0, 0, "its address is not valid"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "smart90-webhooks")
	req.Header.Set(standardwebhooks.HeaderWebhookID, d.EventID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, 0, requestFailure(err, timeout)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, webhookMaxBody))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, 0, ""
	}
	var after time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		after = retryAfter(resp.Header.Get("Retry-After"), s.Bot.clock.Now())
	}
	reason := "answered " + resp.Status
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		reason += " (redirects are not followed: give the final address)"
	}
	return resp.StatusCode, after, clip(reason, 200)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// requestFailure says why a request failed in short words, without its
// address (a url.Error holds it, and the address may hold a token).
func requestFailure(err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	var errno syscall.Errno
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, errWebhookNotPublic):
		return "refused: " + errWebhookNotPublic.Error()
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.As(err, &dnsErr):
		return "its host name could not be resolved"
	case errors.As(err, &certErr):
		return "its TLS certificate is not valid"
	case errors.As(err, &errno):
		return "could not connect: " + errno.Error()
	}
	return "the request failed"
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && ue.Timeout()
}

// disableWebhook turns w off for reason and, when this call did it (of
// every replica's), tells its coach once, by the webhook's number and
// host only.
func (b *Bot) disableWebhook(ctx context.Context, w *Webhook, reason string) error {
	now := b.clock.Now().UTC()
	did, err := b.store.DisableWebhook(ctx, w.ID, now, clip(reason, MaxTextLen))
	if ErrorCode(err) == ENOTFOUND {
		return nil // removed meanwhile
	}
	if err != nil {
		return fmt.Errorf("disable webhook %d: %w", w.ID, err)
	}
	if !did {
		return nil
	}
	b.log.InfoContext(ctx, "webhook turned off", "webhook", w.ID, "coach", w.CoachID)
	coach, inst, err := b.store.Recipient(ctx, w.CoachID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load coach %d: %w", w.CoachID, err)
	}
	n := 0
	if ws, err := b.store.Webhooks(ctx, w.CoachID); err == nil {
		n = slices.IndexFunc(ws, func(x *Webhook) bool { return x.ID == w.ID }) + 1
	}
	b.notify(ctx, inst, coach, fmt.Sprintf("I turned off your webhook %d (%s) because %s. Its queued events will not be sent. "+
		"When the receiver works again, turn it back on with `webhook enable %d` (or add it again with `webhook add`).",
		n, webhookHost(w), Disarm(reason), n))
	return nil
}
