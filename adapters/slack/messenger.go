package slack

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// MessengerConfig configures a Messenger.
type MessengerConfig struct {
	// APIURL is the Web API base (SLACK_API_URL); "" is slack-go's default.
	APIURL string
	// BotToken is the single-workspace token (SLACK_BOT_TOKEN), used when
	// an installation carries none of its own (OAuth installs do).
	BotToken string
	// BotTeam is the workspace BotToken belongs to (from auth.test); when
	// set, the token is used for that workspace only.
	BotTeam string
	// HTTPClient makes the Web API calls; nil means one shared client
	// that keeps up to 100 idle connections to a host (see httpClient).
	HTTPClient *http.Client
	// Clock times how long a profile read is kept; nil is the wall clock.
	Clock bot.Clock
	// Logger says once per workspace that statuses cannot be read there
	// (users.profile:read not granted); nil discards.
	Logger *slog.Logger
}

// httpClient is the Web API client used when none is configured. slack-go's
// own default is an http.Client on http.DefaultTransport, which keeps only
// two idle connections per host: with more calls than that in flight (a
// burst of users.info before the acks, the replies after them) every extra
// call opened a new connection, a TLS handshake to slack.com, and closed it
// again. Calls are bounded by their contexts, so it sets no timeout.
var httpClient = &http.Client{Transport: func() http.RoundTripper {
	d, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport // replaced by the program: its choice
	}
	t := d.Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 100, 100
	return t
}()}

// Messenger sends core messages to Slack as Block Kit: direct messages
// (through conversations.open), channel posts and thread replies. It is a
// bot.Messenger and safe for concurrent use. A message reference is
// "<channel>:<ts>", so a thread reply finds both.
type Messenger struct {
	cfg MessengerConfig

	mu       sync.Mutex
	clients  map[string]webAPI // by token
	dms      map[string]string // "<team>/<user>" → DM channel id
	profiles profiles          // users.info answers (Profile)
	statuses statuses          // users.profile.get answers and user_change events (Status)
}

// options are the slack-go client options the configuration asks for.
func (c MessengerConfig) options() []slack.Option {
	var opts []slack.Option
	if c.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(baseURL(c.APIURL)))
	}
	opts = append(opts, slack.OptionHTTPClient(cmp.Or(c.HTTPClient, httpClient)))
	return opts
}

// baseURL is an API base as slack-go wants it, with one trailing slash.
func baseURL(u string) string { return strings.TrimSuffix(u, "/") + "/" }

// NewMessenger returns a Messenger.
func NewMessenger(cfg MessengerConfig) *Messenger {
	return &Messenger{cfg: cfg, clients: map[string]webAPI{}, dms: map[string]string{}}
}

var (
	_ bot.Messenger   = (*Messenger)(nil)
	_ bot.SentChecker = (*Messenger)(nil)
)

// client returns the Web API client for an installation's token.
func (m *Messenger) client(inst *bot.Installation) (webAPI, error) {
	if inst != nil && inst.Status == bot.InstallationUninstalled {
		return nil, bot.Errorf(bot.EFORBIDDEN, "smart90 was removed from this workspace; reinstall the app to use it again.")
	}
	token := m.cfg.BotToken
	if inst != nil && m.cfg.BotTeam != "" && inst.ExternalID != m.cfg.BotTeam {
		token = "" // the configured token is another workspace's
	}
	if inst != nil && len(inst.BotToken) > 0 {
		token = string(inst.BotToken)
	}
	if token == "" {
		return nil, bot.Errorf(bot.EFORBIDDEN, "smart90 has no Slack token for this workspace; reinstall the app.")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.clients[token]; ok {
		return c, nil
	}
	c := slack.New(token, m.cfg.options()...)
	m.clients[token] = c
	return c, nil
}

// Send implements bot.Messenger. Content over Slack's limits goes out as
// several messages in order (the parts of Split), then each file and each
// image as one more part, uploaded into the same conversation and thread;
// the reference is the first posted message's. A failure after
// some parts went out is a *bot.PartialSendError, and to.SkipParts leaves
// out the parts an earlier call already posted, so a retry never posts a
// part twice. An uploaded file has no message reference: when only files
// are posted the reference is "".
//
// Nothing is retried here (slack-go's retries are off, the default): a
// 429 goes back to the caller as a *bot.RetryAfterError naming the method.
func (m *Messenger) Send(ctx context.Context, to bot.Destination, msg bot.Message) (string, error) {
	api, err := m.client(to.Installation)
	if err != nil {
		return "", err
	}
	parts, ups := Split(msg), uploads(msg)
	if len(parts) == 0 && len(ups) == 0 {
		return "", fmt.Errorf("slack send: an empty message")
	}
	skip := max(to.SkipParts, 0)
	if skip >= len(parts)+len(ups) {
		return "", nil // all of it went out before
	}
	channel, thread := to.Channel, ""
	if to.ThreadRef != "" {
		channel, thread, err = parseRef(to.ThreadRef)
		if err != nil {
			return "", err
		}
	} else if to.UserID != "" {
		if channel, err = m.dm(ctx, api, to); err != nil {
			return "", err
		}
	}
	if channel == "" {
		return "", fmt.Errorf("slack send: no user, channel or thread to send to")
	}
	first, sent := "", 0
	// failed is the error for a part that did not go out: as it is when
	// none went out in this call, else a partial send.
	failed := func(err error) (string, error) {
		if sent == 0 {
			return "", err
		}
		return first, &bot.PartialSendError{Ref: first, Sent: sent, Err: err}
	}
	for i := min(skip, len(parts)); i < len(parts); i++ {
		part := parts[i]
		opts := []slack.MsgOption{slack.MsgOptionText(part.Text, false), slack.MsgOptionBlocks(part.Blocks...)}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		if msg.Key != "" {
			// chat.postMessage has no idempotency key: the tag is how a
			// retry finds what an earlier try posted (Sent).
			opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: DeliveryEvent,
				EventPayload: map[string]any{"delivery": msg.Key, "part": i}}))
		}
		ch, ts, err := api.PostMessageContext(ctx, channel, opts...)
		if err != nil {
			return failed(classify("chat.postMessage", err))
		}
		if first == "" {
			first = ch + ":" + ts
		}
		sent++
	}
	// Files (an export) and images (charts) follow the text, in the same
	// conversation and thread.
	for _, f := range ups[max(skip-len(parts), 0):] {
		if err := upload(ctx, api, channel, thread, f); err != nil {
			return failed(err)
		}
		sent++
	}
	return first, nil
}

// DeliveryEvent is the event_type of the message metadata every part of a
// scheduled message carries; its event_payload is {"delivery": Message.Key,
// "part": the part's index from 0}.
const DeliveryEvent = "smart90_delivery"

// historyPage and historyPages bound the look for a retried prompt: a DM
// holds a few messages a day, so ten pages of a hundred since the prompt
// was due are far more than it ever has; past them the look fails rather
// than guess.
const (
	historyPage  = 100
	historyPages = 10
)

// Sent implements bot.SentChecker for a direct message: it reads the DM
// (conversations.history, which im:history allows) from since on, with the
// messages' metadata, and finds the parts of m that Send tagged with m.Key.
// A channel or thread is not looked in (that would need channels:history):
// it returns bot.ErrCannotCheck.
func (m *Messenger) Sent(ctx context.Context, to bot.Destination, msg bot.Message, since time.Time) (bot.Receipt, error) {
	if to.UserID == "" || to.ThreadRef != "" || msg.Key == "" {
		return bot.Receipt{}, bot.ErrCannotCheck
	}
	api, err := m.client(to.Installation)
	if err != nil {
		return bot.Receipt{}, err
	}
	channel, err := m.dm(ctx, api, to)
	if err != nil {
		return bot.Receipt{}, err
	}
	found := map[int]string{} // part → ts
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Inclusive: true, Limit: historyPage, IncludeAllMetadata: true}
	if since.Unix() > 0 {
		params.Oldest = slackTS(since)
	}
	for page := 0; ; page++ {
		if page == historyPages {
			return bot.Receipt{}, fmt.Errorf("conversations.history: more than %d messages since %s", historyPage*historyPages, since.UTC().Format(time.RFC3339))
		}
		h, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return bot.Receipt{}, classify("conversations.history", err)
		}
		for _, hm := range h.Messages {
			md := hm.Metadata
			if md.EventType != DeliveryEvent || fmt.Sprint(md.EventPayload["delivery"]) != msg.Key {
				continue
			}
			if i, ok := partIndex(md.EventPayload["part"]); ok {
				found[i] = hm.Timestamp
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	var got bot.Receipt
	for ; ; got.Parts++ {
		if _, ok := found[got.Parts]; !ok {
			break
		}
	}
	if got.Parts > 0 {
		got.Ref = channel + ":" + found[0]
	}
	// Uploads carry no metadata: a message with files or images is never
	// whole here.
	got.Whole = got.Parts > 0 && got.Parts >= len(Split(msg)) && len(uploads(msg)) == 0
	return got, nil
}

// partIndex reads a part index from decoded JSON (a number, or a string
// if something on the way turned it into one).
func partIndex(v any) (int, bool) {
	switch v := v.(type) {
	case float64:
		return int(v), v >= 0 && v == float64(int(v))
	case string:
		i, err := strconv.Atoi(v)
		return i, err == nil && i >= 0
	}
	return 0, false
}

// slackTS is t as a Slack timestamp ("1700000000.000000").
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// attachment is a file to upload: an export, or an image titled with
// what it shows.
type attachment struct {
	Name, Title string
	Data        []byte
}

// uploads are a message's files, then its images, in the order Send
// posts them after the text.
func uploads(msg bot.Message) []attachment {
	var out []attachment
	for _, f := range msg.Files {
		out = append(out, attachment{Name: f.Name, Title: f.Name, Data: f.Data})
	}
	for _, img := range msg.Images {
		out = append(out, attachment{Name: img.Name, Title: cmp.Or(img.Title, img.Name), Data: img.PNG})
	}
	return out
}

// upload posts one file to a conversation (or thread), the way Slack wants
// it since files.upload was retired: ask for an upload URL, send the bytes
// there, then complete the upload into the conversation. A file left
// uploaded but not completed is never shown, so trying again is safe.
func upload(ctx context.Context, api webAPI, channel, thread string, f attachment) error {
	u, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: f.Name, FileSize: len(f.Data)})
	if err != nil {
		return classify("files.getUploadURLExternal", err)
	}
	if err := api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Reader: bytes.NewReader(f.Data), Filename: f.Name}); err != nil {
		return classify("upload", err) // the URL Slack handed out: no method
	}
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: u.FileID, Title: f.Title}}, Channel: channel, ThreadTimestamp: thread})
	if err != nil {
		return classify("files.completeUploadExternal", err)
	}
	return nil
}

// dm returns the direct-message channel with a user, opening it once.
func (m *Messenger) dm(ctx context.Context, api webAPI, to bot.Destination) (string, error) {
	team := ""
	if to.Installation != nil {
		team = to.Installation.ExternalID
	}
	key := team + "/" + to.UserID
	m.mu.Lock()
	ch, ok := m.dms[key]
	m.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{to.UserID}, ReturnIM: true})
	if err != nil {
		return "", classify("conversations.open", err)
	}
	m.mu.Lock()
	m.dms[key] = c.ID
	m.mu.Unlock()
	return c.ID, nil
}

// parseRef splits a message reference "<channel>:<ts>".
func parseRef(ref string) (channel, ts string, err error) {
	channel, ts, ok := strings.Cut(ref, ":")
	if !ok || channel == "" || ts == "" {
		return "", "", fmt.Errorf("slack: %q is not a message reference", ref)
	}
	return channel, ts, nil
}

// gone are Slack errors that no retry can fix, with what to tell a person.
var gone = map[string]struct {
	code string
	text string
}{
	"channel_not_found":       {bot.ENOTFOUND, "The channel no longer exists, or smart90 cannot see it."},
	"not_in_channel":          {bot.EFORBIDDEN, "smart90 is not a member of the channel; invite it with `/invite @smart90`."},
	"is_archived":             {bot.EFORBIDDEN, "The channel is archived."},
	"account_inactive":        {bot.ENOTFOUND, "The person's Slack account is deactivated."},
	"user_not_found":          {bot.ENOTFOUND, "The person is no longer in the workspace."},
	"user_disabled":           {bot.ENOTFOUND, "The person's Slack account is deactivated."},
	"cannot_dm_bot":           {bot.EFORBIDDEN, "That is a bot; smart90 cannot message it."},
	"invalid_auth":            {bot.EFORBIDDEN, "smart90's access to the workspace was revoked; reinstall the app."},
	"not_authed":              {bot.EFORBIDDEN, "smart90's access to the workspace was revoked; reinstall the app."},
	"token_revoked":           {bot.EFORBIDDEN, "smart90's access to the workspace was revoked; reinstall the app."},
	"token_expired":           {bot.EFORBIDDEN, "smart90's access to the workspace expired; reinstall the app."},
	"team_access_not_granted": {bot.EFORBIDDEN, "smart90 is not allowed in that workspace."},
	"missing_scope":           {bot.EFORBIDDEN, "smart90 lacks a permission it needs; reinstall the app from its manifest."},
}

// classify maps a Web API failure to what the scheduler acts on: a
// permanent *bot.Error (EFORBIDDEN or ENOTFOUND: suspend, tell the coach),
// a *bot.RetryAfterError for 429, anything else transient. Slack limits
// each Web API method per workspace, so the error names the method: other
// methods, and other workspaces, may go on while it waits.
func classify(method string, err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryAfterError{Err: fmt.Errorf("%s: %w", method, err), Method: method, After: rl.RetryAfter}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if g, ok := gone[se.Err]; ok {
			return bot.Errorf(g.code, "%s (Slack: %s)", g.text, se.Err)
		}
	}
	return fmt.Errorf("%s: %w", method, err)
}

// Identify asks Slack (auth.test) which workspace the configured bot token
// belongs to, so a single-workspace install is known from the start and
// marked installed again after a reinstall.
func Identify(ctx context.Context, cfg MessengerConfig) (team, name string, err error) {
	resp, err := slack.New(cfg.BotToken, cfg.options()...).AuthTestContext(ctx)
	if err != nil {
		return "", "", fmt.Errorf("Slack refused SLACK_BOT_TOKEN (auth.test): %w", classify("auth.test", err))
	}
	return resp.TeamID, resp.Team, nil
}
