package teams

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"golang.org/x/oauth2"

	"github.com/smart90/smart90/bot"
)

// connectorAPI is what the adapter and the messenger ask of the Bot
// Connector, so tests can see exactly which calls are made.
type connectorAPI interface {
	// Send posts an activity to a conversation (a 1:1 chat, a channel, or
	// a channel thread "<channel>;messageid=<id>") and returns its id.
	Send(ctx context.Context, serviceURL, conversationID string, a *outActivity) (string, error)
	// CreateConversation starts a conversation (a 1:1 chat with a user)
	// and returns its id.
	CreateConversation(ctx context.Context, serviceURL string, p *conversationParams) (string, error)
	// Member returns one member of a conversation (a team's channel), with
	// their Entra object id.
	Member(ctx context.Context, serviceURL, conversationID, memberID string) (*schema.ChannelAccount, error)
}

// outActivity is an activity the bot sends. It is not schema.Activity:
// that type's non-pointer time and struct fields would send zero
// timestamps and empty objects with every message.
type outActivity struct {
	Type        schema.ActivityTypes   `json:"type"`
	Text        string                 `json:"text,omitempty"`
	TextFormat  schema.TextFormatTypes `json:"textFormat,omitempty"`
	Summary     string                 `json:"summary,omitempty"`
	Attachments []schema.Attachment    `json:"attachments,omitempty"`
}

// conversationParams creates a conversation (schema.ConversationParameters
// without its always-encoded empty Activity).
type conversationParams struct {
	IsGroup     bool                    `json:"isGroup"`
	Bot         schema.ChannelAccount   `json:"bot"`
	Members     []schema.ChannelAccount `json:"members,omitempty"`
	TenantID    string                  `json:"tenantId,omitempty"`
	ChannelData map[string]any          `json:"channelData,omitempty"`
}

// ConnectorConfig configures the Bot Connector client.
type ConnectorConfig struct {
	// Tokens are the bot's own tokens (CredentialsConfig.TokenSource).
	Tokens oauth2.TokenSource
	// ServiceURLs are where the bot's token may be sent.
	ServiceURLs ServiceURLs
	HTTPClient  *http.Client // default: 15 s timeout
}

// connector is the Bot Connector REST client (v3). It replaces
// msbotbuilder-go's connector client, which shares its token between
// goroutines without a lock, panics on network errors, knows only the
// multi-tenant token endpoint, and sends the token to any serviceUrl.
// It is safe for concurrent use.
//
// It makes each call once. Retrying is the scheduler's (one retry layer,
// with its attempts counted and its backoff shared across replicas): a
// retry here, inside each of the scheduler's attempts, multiplied the
// posts per prompt and kept a throttled workspace sending.
type connector struct {
	cfg ConnectorConfig
	hc  *http.Client
}

func newConnector(cfg ConnectorConfig) (*connector, error) {
	if cfg.Tokens == nil || len(cfg.ServiceURLs) == 0 {
		return nil, errors.New("teams: the connector needs a token source and allowed service URLs")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &connector{cfg: cfg, hc: hc}, nil
}

var _ connectorAPI = (*connector)(nil)

func (c *connector) Send(ctx context.Context, serviceURL, conversationID string, a *outActivity) (string, error) {
	var out schema.ResourceResponse
	path := "v3/conversations/" + url.PathEscape(conversationID) + "/activities"
	if err := c.call(ctx, "SendToConversation", http.MethodPost, serviceURL, path, a, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

func (c *connector) CreateConversation(ctx context.Context, serviceURL string, p *conversationParams) (string, error) {
	var out schema.ConversationResourceResponse
	if err := c.call(ctx, "CreateConversation", http.MethodPost, serviceURL, "v3/conversations", p, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("teams: create conversation: the connector returned no conversation id")
	}
	return out.ID, nil
}

func (c *connector) Member(ctx context.Context, serviceURL, conversationID, memberID string) (*schema.ChannelAccount, error) {
	var out schema.ChannelAccount
	path := "v3/conversations/" + url.PathEscape(conversationID) + "/members/" + url.PathEscape(memberID)
	if err := c.call(ctx, "GetConversationMember", http.MethodGet, serviceURL, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// call sends body (nil: none) to serviceURL+path and decodes the answer
// into out, once. op is the Bot Connector operation, named in a throttled
// call's *bot.RetryAfterError.
func (c *connector) call(ctx context.Context, op, method, serviceURL, path string, body, out any) error {
	if !c.cfg.ServiceURLs.Allowed(serviceURL) {
		return bot.Errorf(bot.EFORBIDDEN, "smart90 will not send to the Teams service %q: it is not an allowed service URL (SMART90_TEAMS_SERVICE_URLS).", serviceURL)
	}
	endpoint := strings.TrimSuffix(serviceURL, "/") + "/" + path
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("teams: encode %s: %w", path, err)
		}
	}
	return sendOp(ctx, c.hc, c.cfg.Tokens, op, method, endpoint, payload, out)
}

// send makes one authorised JSON request to Microsoft Graph (sendOp with
// no operation name).
func send(ctx context.Context, hc *http.Client, tokens oauth2.TokenSource, method, endpoint string, payload []byte, out any) error {
	return sendOp(ctx, hc, tokens, "", method, endpoint, payload, out)
}

// sendOp makes one authorised JSON request and decodes a 2xx answer into
// out; other answers are classified. op names the Bot Connector operation
// in a throttled call's *bot.RetryAfterError; "" is a Graph call.
func sendOp(ctx context.Context, hc *http.Client, tokens oauth2.TokenSource, op, method, endpoint string, payload []byte, out any) error {
	tok, err := tokens.Token()
	if err != nil {
		return fmt.Errorf("teams: get the bot's token: %w", err)
	}
	var reqBody io.Reader
	if payload != nil {
		reqBody = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, reqBody)
	if err != nil {
		return fmt.Errorf("teams: %w", err)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	tok.SetAuthHeader(req)
	resp, err := hc.Do(req)
	if err != nil {
		// Not retried here: the activity may have been delivered.
		return fmt.Errorf("teams: %s %s: %w", method, endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		if out != nil && len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("teams: decode the connector's answer: %w", err)
			}
		}
		return nil
	}
	return classify(op, resp, body)
}

// errorBody is the connector's error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// classify maps a connector failure to what callers act on: permanent
// (*bot.Error EFORBIDDEN/ENOTFOUND: suspend and tell the coach, never a
// retry loop), a *bot.RetryAfterError when Teams said when to try again
// (a 429, or a 412 or 5xx with a Retry-After header), or transient (the
// scheduler's backoff; also a 429 without the header, whose wait is 0).
// op is the call's Bot Connector operation ("" for Graph).
func classify(op string, resp *http.Response, body []byte) error {
	var eb errorBody
	json.Unmarshal(body, &eb)
	code := eb.Error.Code
	switch after := retryAfter(resp.Header.Get("Retry-After")); resp.StatusCode {
	case http.StatusTooManyRequests:
		return throttled(op, after, &statusError{status: resp.StatusCode, code: code})
	case http.StatusPreconditionFailed, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if after > 0 {
			return throttled(op, after, &statusError{status: resp.StatusCode, code: code})
		}
		// Without a Retry-After: transient, as any other status below.
	case http.StatusForbidden:
		switch code {
		case "BotNotInConversationRoster":
			return bot.Errorf(bot.EFORBIDDEN, "smart90 was removed from that Teams chat or team (Teams: %s); add the app again to resume.", code)
		case "ConversationBlockedByUser":
			return bot.Errorf(bot.EFORBIDDEN, "The person blocked smart90 in Teams (Teams: %s).", code)
		}
		return bot.Errorf(bot.EFORBIDDEN, "Teams refused the message (HTTP 403 %s).", code)
	case http.StatusNotFound:
		return bot.Errorf(bot.ENOTFOUND, "The Teams conversation no longer exists (HTTP 404 %s).", code)
	case http.StatusBadRequest:
		// A malformed activity is a bug, not something a retry fixes.
		return bot.Errorf(bot.EINTERNAL, "Teams rejected the message (HTTP 400 %s: %s).", code, eb.Error.Message)
	}
	return &statusError{status: resp.StatusCode, code: code}
}

// throttled is the core's *bot.RetryAfterError for an answer Teams asked
// to wait out. Teams throttles per bot and conversation, and per app and
// tenant: Method says which operation was throttled, so the tenant's calls
// of that kind can pause together. The text names the operation and the
// wait, as logs and a delivery's last error show it.
func throttled(op string, after time.Duration, se *statusError) *bot.RetryAfterError {
	return &bot.RetryAfterError{Method: op, After: after,
		Err: fmt.Errorf("%w (%s, retry after %s)", se, cmp.Or(op, "Graph"), after)}
}

// statusError is any other failed answer: transient for the scheduler.
type statusError struct {
	status int
	code   string
}

func (e *statusError) Error() string { return fmt.Sprintf("teams: HTTP %d %s", e.status, e.code) }

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		// Beyond the core's bound the number is a mistake; bounded here
		// too, so that it cannot overflow to a negative wait.
		return time.Duration(min(s, int(bot.MaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
