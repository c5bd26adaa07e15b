package teams

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// Files in a 1:1 chat go through Teams' file-consent flow: the bot offers
// a file with a consent card, the person accepts, Teams answers with an
// invoke "fileConsent/invoke" naming an upload URL in the person's
// OneDrive, the bot uploads there and shows the file with an info card.
const (
	contentTypeFileConsent = "application/vnd.microsoft.teams.card.file.consent"
	contentTypeFileInfo    = "application/vnd.microsoft.teams.card.file.info"
	// fileTTL is how long an offered file waits for the person's consent
	// (it sits in the shared conversation state meanwhile).
	fileTTL = time.Hour
	// maxOffers is how many files wait for one person at once (an export
	// is three); a further offer takes the place of an older one.
	maxOffers = 9
)

// Offered files are kept under keys made of the person's id and a slot,
// not a random name, so that all of a person's offers can be found and
// deleted (forgetFiles) when they delete their data. The value is the
// offer's own random id, the person's id, the file's name and its data,
// separated by NUL; the offer id tells an offer from a later one in the
// same slot.
func offerPrefix(userID string) string        { return "teams:file:" + userID + ":" }
func offerKey(userID string, slot int) string { return offerPrefix(userID) + strconv.Itoa(slot) }

// consentCard keeps f for the person until they answer and returns the
// card that offers it: in a free slot of theirs, else in a random one.
func (m *Messenger) consentCard(ctx context.Context, userID string, f bot.File) (schema.Attachment, error) {
	var id [16]byte
	rand.Read(id[:])
	offer := hex.EncodeToString(id[:])
	key := offerKey(userID, int(id[0])%maxOffers)
	for slot := range maxOffers {
		if v, err := m.files.Get(ctx, offerKey(userID, slot)); err == nil && v == "" {
			key = offerKey(userID, slot)
			break
		}
	}
	if err := m.files.Set(ctx, key, offer+"\x00"+userID+"\x00"+f.Name+"\x00"+string(f.Data), fileTTL); err != nil {
		return schema.Attachment{}, fmt.Errorf("keep the file to offer: %w", err)
	}
	context := map[string]any{"smart90": "file", "key": key, "offer": offer}
	return schema.Attachment{ContentType: contentTypeFileConsent, Name: f.Name, Content: map[string]any{
		"description":    "Your smart90 data: " + f.Name,
		"sizeInBytes":    len(f.Data),
		"acceptContext":  context,
		"declineContext": context,
	}}, nil
}

// fileConsent is the value of a fileConsent/invoke.
type fileConsent struct {
	Action  string
	Key     string
	Offer   string
	Upload  string // where to PUT the file
	Content string // the uploaded file's address, for the info card
	Name    string
	ID      string // the file's unique id in OneDrive
	Type    string
}

// parseFileConsent reads a fileConsent/invoke's value; ok is false when it
// is not about a file smart90 offered.
func parseFileConsent(v map[string]any) (fileConsent, bool) {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	ctx, _ := v["context"].(map[string]any)
	info, _ := v["uploadInfo"].(map[string]any)
	fc := fileConsent{Action: str(v, "action"), Key: str(ctx, "key"), Offer: str(ctx, "offer"), Upload: str(info, "uploadUrl"),
		Content: str(info, "contentUrl"), Name: str(info, "name"), ID: str(info, "uniqueId"), Type: str(info, "fileType")}
	return fc, str(ctx, "smart90") == "file" && fc.Key != ""
}

// fileAnswered uploads an accepted file where Teams said and shows it in
// the chat, or forgets a declined one.
func (m *Messenger) fileAnswered(ctx context.Context, inst *bot.Installation, serviceURL, conversation, userID string, fc fileConsent) error {
	if m.files == nil {
		return errors.New("teams: no file store")
	}
	if !strings.HasPrefix(fc.Key, offerPrefix(userID)) {
		return fmt.Errorf("teams: a file offered to another person was answered")
	}
	stored, err := m.files.Get(ctx, fc.Key)
	if err != nil {
		return err
	}
	offer, rest, _ := strings.Cut(stored, "\x00")
	owner, rest, _ := strings.Cut(rest, "\x00")
	_, data, _ := strings.Cut(rest, "\x00")
	if stored != "" && (owner != userID || offer != fc.Offer) {
		stored = "" // a later offer took the slot: this one is gone
	} else if stored != "" {
		m.files.Delete(ctx, fc.Key)
	}
	to := bot.Destination{Installation: inst, UserID: userID}
	if fc.Action != "accept" {
		return nil
	}
	if stored == "" {
		_, err := m.Send(ctx, to, bot.Message{Text: "That file is no longer here (offers last an hour); type `export` to get a fresh one."})
		return err
	}
	if err := m.upload(ctx, fc.Upload, []byte(data)); err != nil {
		m.Send(ctx, to, bot.Message{Text: "I could not upload the file to your OneDrive; type `export` to try again."})
		return err
	}
	_, err = m.api.Send(ctx, serviceURL, conversation, &outActivity{Type: schema.Message, Attachments: []schema.Attachment{{
		ContentType: contentTypeFileInfo, ContentURL: fc.Content, Name: fc.Name,
		Content: map[string]any{"uniqueId": fc.ID, "fileType": fc.Type},
	}}})
	return err
}

// forgetFiles deletes every file offered to the person: they deleted
// their data, and an export of it must not wait for them any longer.
func (m *Messenger) forgetFiles(ctx context.Context, userID string) error {
	if m.files == nil {
		return nil
	}
	var errs []error
	for slot := range maxOffers {
		errs = append(errs, m.files.Delete(ctx, offerKey(userID, slot)))
	}
	return errors.Join(errs...)
}

// upload PUTs data to a OneDrive upload session URL, as Teams' file
// consent flow asks: one range, the whole file. The URL carries its own
// authorisation; the bot's token is never sent there.
func (m *Messenger) upload(ctx context.Context, uploadURL string, data []byte) error {
	if !uploadAllowed(uploadURL, m.uploadHosts) {
		return fmt.Errorf("teams: %q is not a OneDrive upload URL", uploadURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Range", "bytes 0-"+strconv.Itoa(len(data)-1)+"/"+strconv.Itoa(len(data)))
	// No redirects: they could take the file off the allowed hosts.
	hc := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("teams: upload the file: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("teams: upload the file: HTTP %d", resp.StatusCode)
	}
	return nil
}

// DefaultUploadHosts are the domains of OneDrive for Business upload
// sessions in the public and sovereign Microsoft clouds.
func DefaultUploadHosts() []string {
	return []string{".sharepoint.com", ".sharepoint.us", ".sharepoint-mil.us", ".sharepoint.cn", ".sharepoint-df.com"}
}

// uploadAllowed reports whether u may receive a file: https on one of
// hosts (".example.com" matches its subdomains, "example.com" only
// itself), or plain http on a loopback host named exactly (tests).
func uploadAllowed(u string, hosts []string) bool {
	p, err := url.Parse(u)
	if err != nil || p.User != nil || p.Host == "" {
		return false
	}
	host := strings.ToLower(p.Hostname())
	for _, h := range hosts {
		switch {
		case strings.HasPrefix(h, ".") && strings.HasSuffix(host, h) && p.Scheme == "https":
			return true
		case host == h && (p.Scheme == "https" || p.Scheme == "http" && isLoopback(host)):
			return true
		}
	}
	return false
}
