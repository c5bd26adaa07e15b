package slacktest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The headers Slack signs a request with.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// Sign returns the X-Slack-Signature Slack sends with body at ts (Unix
// seconds, as in X-Slack-Request-Timestamp): "v0=" and the hex HMAC-SHA256,
// keyed with the app's signing secret, of "v0:<ts>:<body>".
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Timestamp is t as X-Slack-Request-Timestamp carries it.
func Timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Signer makes requests to a Slack app as Slack sends them, signed with
// Secret at Now. It is safe for concurrent use.
type Signer struct {
	// Secret is the app's signing secret.
	Secret string
	// Now is when a request is signed; nil means time.Now. Tests pass their
	// clock's Now, so the app's check against the same clock passes.
	Now func() time.Time
}

// SignRequest sets r's signature headers for body, which must be r's body.
func (s Signer) SignRequest(r *http.Request, body []byte) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := Timestamp(now())
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, Sign(s.Secret, ts, body))
}

// Request returns a signed POST of body to url.
func (s Signer) Request(ctx context.Context, url, contentType string, body []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", contentType)
	s.SignRequest(r, body)
	return r, nil
}

// Event returns a signed Events API request: body is the JSON callback
// (event_callback, url_verification …).
func (s Signer) Event(ctx context.Context, url string, body []byte) (*http.Request, error) {
	return s.Request(ctx, url, "application/json", body)
}

// Interaction returns a signed interactivity request (a button press, a
// view submission, a type-ahead query): payload, encoded as JSON in the
// form field "payload".
func (s Signer) Interaction(ctx context.Context, url string, payload any) (*http.Request, error) {
	body, err := InteractionBody(payload)
	if err != nil {
		return nil, err
	}
	return s.Request(ctx, url, "application/x-www-form-urlencoded", body)
}

// Command returns a signed slash command: form holds its fields (team_id,
// user_id, command, text, trigger_id …).
func (s Signer) Command(ctx context.Context, url string, form url.Values) (*http.Request, error) {
	return s.Request(ctx, url, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// InteractionBody is the form body Slack posts for an interaction payload.
func InteractionBody(payload any) ([]byte, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode interaction payload: %w", err)
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode()), nil
}
