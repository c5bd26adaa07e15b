package teams

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// MessengerStore is what a Messenger keeps: the conversation references
// (see address.go) and the people whose names it shows.
type MessengerStore interface {
	Address(ctx context.Context, installationID int64, key string) (*bot.Address, error)
	PutAddress(ctx context.Context, a *bot.Address) error
	PersonByExternalID(ctx context.Context, installationID int64, externalID string) (*bot.Person, error)
}

// MessengerConfig configures a Messenger.
type MessengerConfig struct {
	Store     MessengerStore // required: conversation references and names
	Connector ConnectorConfig
	// Graph, when set, installs the app for a person who does not have it
	// yet, so that the bot can start their 1:1 chat (a tenant admin must
	// have granted the permissions GraphConfig names).
	Graph *GraphConfig
	// Presence, when set, reads whether a person is out of office from
	// their Graph presence (see PresenceConfig), so prompts skip them.
	Presence *PresenceConfig
	// Files, when set, holds files (an export) between the consent card
	// that offers them in a 1:1 chat and the person's accepting it, which
	// is when Teams says where to upload them. Without it files are shown
	// in the card (small ones) or named.
	Files bot.ConversationState
	// UploadHosts are where accepted files may be uploaded (default
	// DefaultUploadHosts): an invoke's upload URL elsewhere is refused.
	UploadHosts []string
	Clock       bot.Clock
	Logger      *slog.Logger
}

// Messenger sends the core's messages to Teams as Adaptive Cards through
// the Bot Connector: to a person's 1:1 chat (created when the person has
// never written to the bot), to a channel, or into a channel thread. It is
// a bot.Messenger and safe for concurrent use. A message reference is
// "<conversation id>|<activity id>", so a thread reply finds both.
type Messenger struct {
	api   connectorAPI
	graph *graph                // nil: no proactive install
	files bot.ConversationState // nil: files are not offered for upload
	// uploadHosts are where accepted files may go (see uploadAllowed).
	uploadHosts []string
	refs        references
	log         *slog.Logger
	// presence reads out-of-office through Graph; nil: not read.
	presence *presence
}

// NewMessenger returns a Messenger.
func NewMessenger(cfg MessengerConfig) (*Messenger, error) {
	if cfg.Store == nil {
		return nil, errors.New("teams: the messenger needs a Store")
	}
	c, err := newConnector(cfg.Connector)
	if err != nil {
		return nil, err
	}
	clock := cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{})
	m := &Messenger{api: c, files: cfg.Files, uploadHosts: cfg.UploadHosts, refs: references{cfg.Store, clock}, log: cmp.Or(cfg.Logger, slog.Default())}
	if m.uploadHosts == nil {
		m.uploadHosts = DefaultUploadHosts()
	}
	if cfg.Presence != nil {
		if m.presence, err = newPresence(*cfg.Presence, clock, m.log); err != nil {
			return nil, err
		}
	}
	if cfg.Graph != nil {
		if m.graph, err = newGraph(*cfg.Graph); err != nil {
			return nil, err
		}
	}
	return m, nil
}

var _ bot.Messenger = (*Messenger)(nil)

// Send implements bot.Messenger. Content over Teams' size limit goes out
// as several cards in order, then (in a 1:1 chat, with a file store) one
// consent card per file, then one message per image (see imageAttachment);
// the reference is the first posted card's. A
// failure after some cards went out is a *bot.PartialSendError, and
// to.SkipParts leaves out the cards an earlier call already posted (a
// skipped file is not offered again), so a retry never posts a card twice.
func (m *Messenger) Send(ctx context.Context, to bot.Destination, msg bot.Message) (string, error) {
	inst := to.Installation
	if inst == nil {
		return "", errors.New("teams send: no installation")
	}
	if inst.Status != bot.InstallationActive {
		return "", bot.Errorf(bot.EFORBIDDEN, "smart90 is not installed in this Teams organisation any more.")
	}
	files := msg.Files
	if m.files != nil && to.UserID != "" && to.ThreadRef == "" {
		msg.Files = nil // offered for upload below, not shown in the card
	} else {
		files = nil
	}
	cards := Cards(msg, m.names(ctx, inst, msg))
	images := make([]schema.Attachment, len(msg.Images))
	for i, img := range msg.Images {
		images[i] = imageAttachment(img)
	}
	if len(cards) == 0 && len(files) == 0 && len(images) == 0 {
		return "", errors.New("teams send: an empty message")
	}
	skip := max(to.SkipParts, 0)
	if skip >= len(cards)+len(files)+len(images) {
		return "", nil // all of it went out before
	}
	images = images[min(max(skip-len(cards)-len(files), 0), len(images)):]
	files = files[min(max(skip-len(cards), 0), len(files)):]
	cards = cards[min(skip, len(cards)):]
	svc, ok, err := m.refs.get(ctx, inst.ID, keyService)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", bot.Errorf(bot.EFORBIDDEN, "smart90 has not heard from this Teams organisation yet; add the app in Teams first.")
	}
	serviceURL, conv := svc.ServiceURL, ""
	base := "" // the conversation a reference names (a thread's channel)
	switch {
	case to.ThreadRef != "":
		parent, id, err := parseRef(to.ThreadRef)
		if err != nil {
			return "", err
		}
		base = parent
		conv = parent + ";messageid=" + id
		if serviceURL, err = m.channelServiceURL(ctx, inst, parent, serviceURL); err != nil {
			return "", err
		}
	case to.UserID != "":
		ref, err := m.personConversation(ctx, inst, svc, to.UserID)
		if err != nil {
			return "", err
		}
		serviceURL, conv = ref.ServiceURL, ref.ConversationID
	case to.Channel != "":
		if serviceURL, err = m.channelServiceURL(ctx, inst, to.Channel, serviceURL); err != nil {
			return "", err
		}
		conv = to.Channel
	default:
		return "", errors.New("teams send: no user, channel or thread to send to")
	}
	if base == "" {
		base = conv
	}
	// Every file is kept for its offer before the first card goes out, so
	// a failure to keep one sends nothing.
	for _, f := range files {
		card, err := m.consentCard(ctx, to.UserID, f)
		if err != nil {
			m.withdraw(ctx, cards)
			return "", err
		}
		cards = append(cards, card)
	}
	cards = append(cards, images...)
	first, sent := "", 0
	for i, card := range cards {
		id, err := m.api.Send(ctx, serviceURL, conv, &outActivity{Type: schema.Message, Summary: summary(msg.Text),
			Attachments: []schema.Attachment{card}})
		if err != nil {
			// The retry offers these files afresh: the data of an offer
			// nobody saw is not kept for the hour an offer lasts.
			m.withdraw(ctx, cards[i:])
			if sent == 0 {
				return "", err
			}
			return first, &bot.PartialSendError{Ref: first, Sent: sent, Err: err}
		}
		if first == "" {
			first = base + "|" + id
		}
		sent++
	}
	return first, nil
}

// withdraw forgets the files the consent cards among cards offer.
func (m *Messenger) withdraw(ctx context.Context, cards []schema.Attachment) {
	for _, c := range cards {
		content, _ := c.Content.(map[string]any)
		accept, _ := content["acceptContext"].(map[string]any)
		if key, _ := accept["key"].(string); c.ContentType == contentTypeFileConsent && key != "" {
			if err := m.files.Delete(context.WithoutCancel(ctx), key); err != nil {
				m.log.WarnContext(ctx, "teams: forget a file not offered", "err", err)
			}
		}
	}
}

// channelRemoved says whether the app was removed from the team of a
// channel (the removal covers all its channels).
func (m *Messenger) channelRemoved(ctx context.Context, inst *bot.Installation, ch *reference) error {
	if ch.TeamID == "" {
		return nil
	}
	team, ok, err := m.refs.get(ctx, inst.ID, teamKey(ch.TeamID))
	if err != nil {
		return err
	}
	if ok && !team.Removed.IsZero() {
		return bot.Errorf(bot.EFORBIDDEN, "smart90 was removed from the team %s; add the app to the team again to post there.", cmp.Or(team.Name, "of that channel"))
	}
	return nil
}

// channelServiceURL returns the service URL of a channel, or def when the
// channel is not known, and refuses a channel the app was removed from.
func (m *Messenger) channelServiceURL(ctx context.Context, inst *bot.Installation, channel, def string) (string, error) {
	ch, ok, err := m.refs.get(ctx, inst.ID, channelKey(channel))
	if err != nil || !ok {
		return def, err
	}
	if !ch.Removed.IsZero() {
		return "", bot.Errorf(bot.EFORBIDDEN, "smart90 was removed from the channel %s; add the app to its team again.", cmp.Or(ch.Name, "of the digest"))
	}
	if err := m.channelRemoved(ctx, inst, ch); err != nil {
		return "", err
	}
	return cmp.Or(ch.ServiceURL, def), nil
}

// personConversation returns the reference of a person's 1:1 chat with
// the bot, creating the chat when the person never wrote to it (Teams
// allows that once the app is installed for them or in a team of theirs).
func (m *Messenger) personConversation(ctx context.Context, inst *bot.Installation, svc *reference, userID string) (*reference, error) {
	ref, ok, err := m.refs.get(ctx, inst.ID, personKey(userID))
	if err != nil {
		return nil, err
	}
	name := m.displayName(ctx, inst, userID)
	if ok && !ref.Removed.IsZero() {
		return nil, bot.Errorf(bot.EFORBIDDEN, "%s removed smart90 from their Teams chat; they can add it again from Apps in Teams.", name)
	}
	if ok && ref.ConversationID != "" {
		return ref, nil
	}
	known := ref
	if !ok {
		known = &reference{}
	}
	create := func() (string, error) {
		return m.api.CreateConversation(ctx, svc.ServiceURL, &conversationParams{
			Bot:         schema.ChannelAccount{ID: svc.BotID, Name: svc.BotName},
			Members:     []schema.ChannelAccount{{ID: userID}},
			TenantID:    inst.ExternalID,
			ChannelData: map[string]any{"tenant": map[string]any{"id": inst.ExternalID}},
		})
	}
	conv, err := create()
	if c := bot.ErrorCode(err); (c == bot.EFORBIDDEN || c == bot.ENOTFOUND) && m.graph != nil && known.AADObjectID != "" {
		// The person does not have the app: install it for them, then
		// the chat can be started.
		if ierr := m.graph.install(ctx, known.AADObjectID); ierr != nil {
			m.log.WarnContext(ctx, "teams: install the app for a person through Graph", "err", ierr)
		} else {
			m.log.InfoContext(ctx, "teams: installed the app for a person through Graph", "tenant", inst.ExternalID)
			conv, err = create()
		}
	}
	if c := bot.ErrorCode(err); c == bot.EFORBIDDEN || c == bot.ENOTFOUND {
		return nil, bot.Errorf(bot.EFORBIDDEN, "%s does not have smart90 in Teams yet, so I cannot message them. "+
			"Ask them to open Apps in Teams, find smart90 and press Add, or add smart90 to a team they are in; then try again.", name)
	}
	if err != nil {
		return nil, err
	}
	ref = &reference{ServiceURL: svc.ServiceURL, ConversationID: conv, TenantID: inst.ExternalID, BotID: svc.BotID,
		BotName: svc.BotName, UserID: userID, AADObjectID: known.AADObjectID}
	if err := m.refs.put(ctx, inst.ID, personKey(userID), ref); err != nil {
		m.log.WarnContext(ctx, "teams: keep the new chat's reference", "err", err)
	}
	return ref, nil
}

// displayName is a person's name as smart90 knows it, or "They".
func (m *Messenger) displayName(ctx context.Context, inst *bot.Installation, userID string) string {
	if p, err := m.refs.store.PersonByExternalID(ctx, inst.ID, userID); err == nil && p.DisplayName != "" {
		return p.DisplayName
	}
	return "They"
}

// names looks up the people mentioned and channels linked in msg.
func (m *Messenger) names(ctx context.Context, inst *bot.Installation, msg bot.Message) Names {
	ids := MentionIDs(msg)
	if len(ids) == 0 {
		return nil
	}
	names := Names{}
	for _, id := range ids {
		if ref, ok, err := m.refs.get(ctx, inst.ID, channelKey(id)); err == nil && ok && ref.Name != "" {
			names[id] = ref.Name
			continue
		}
		if p, err := m.refs.store.PersonByExternalID(ctx, inst.ID, id); err == nil {
			names[id] = p.DisplayName
		}
	}
	return names
}

// installsApps reports whether the app can be installed for a person
// through Graph (MessengerConfig.Graph), which needs their Entra object id.
func (m *Messenger) installsApps() bool { return m.graph != nil }

// memberObjectID asks the roster of a team or chat for a member's Entra
// object id.
func (m *Messenger) memberObjectID(ctx context.Context, serviceURL, conversationID, userID string) (string, error) {
	member, err := m.api.Member(ctx, serviceURL, conversationID, userID)
	if err != nil {
		return "", err
	}
	return member.AadObjectID, nil
}

// openChat starts a 1:1 chat between the bot and a person and returns its
// conversation id. Unlike personConversation it remembers nothing: it
// serves a person who just deleted their data.
func (m *Messenger) openChat(ctx context.Context, inst *bot.Installation, serviceURL string, botAccount schema.ChannelAccount, userID string) (string, error) {
	return m.api.CreateConversation(ctx, serviceURL, &conversationParams{
		Bot: botAccount, Members: []schema.ChannelAccount{{ID: userID}},
		TenantID: inst.ExternalID, ChannelData: map[string]any{"tenant": map[string]any{"id": inst.ExternalID}}})
}

// sendUnremembered posts msg's cards straight to a conversation, in order,
// stopping at the first failure. Unlike Send it neither looks up nor
// keeps a conversation reference, and offers no file for upload: it serves a person
// who just deleted their data.
func (m *Messenger) sendUnremembered(ctx context.Context, inst *bot.Installation, serviceURL, conversationID string, msg bot.Message) error {
	for _, card := range Cards(msg, m.names(ctx, inst, msg)) {
		if _, err := m.api.Send(ctx, serviceURL, conversationID, &outActivity{Type: schema.Message, Summary: summary(msg.Text),
			Attachments: []schema.Attachment{card}}); err != nil {
			return err
		}
	}
	return nil
}

// parseRef splits a message reference "<conversation>|<activity id>".
func parseRef(ref string) (conv, id string, err error) {
	conv, id, ok := strings.Cut(ref, "|")
	if !ok || conv == "" || id == "" {
		return "", "", fmt.Errorf("teams: %q is not a message reference", ref)
	}
	return conv, id, nil
}

// imageAttachment is a picture as Teams shows one inline in the
// conversation: an attachment with an image content type whose contentUrl
// is the PNG itself, as a base64 data URI. Each goes in a message of its
// own after the card, for three reasons: an Adaptive Card's Image with a
// data URI is not shown by Teams desktop and web (it is by mobile), and
// it would count against the card's ~28 KB; an inline image attachment
// is shown by desktop, web and mobile, in personal chats, group chats and
// channels alike, and base64 images are not counted in a bot message's
// size limit; and the image then needs no public URL, no signed link and
// no store shared between replicas. One message per image keeps each
// message small and each image a part of its own, so a failed send is
// resumed after the images that went out.
func imageAttachment(img bot.Image) schema.Attachment {
	return schema.Attachment{ContentType: "image/png", Name: cmp.Or(img.Title, img.Name),
		ContentURL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(img.PNG)}
}
