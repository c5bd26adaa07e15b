package teams

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/store/inproc"
)

// TestExportFileConsent: `export` in the 1:1 chat offers each file with a
// consent card; accepting uploads it to the URL Teams names (not with the
// bot's token) and shows it with a file info card; declining uploads
// nothing; an offer is answered once.
func TestExportFileConsent(t *testing.T) {
	t.Parallel()
	h := setup(t, func(h *teamsBundle, mc *MessengerConfig) {
		mc.Files, mc.UploadHosts = inproc.NewState(h.Clock), []string{"127.0.0.1"}
	})
	var mu sync.Mutex
	var puts []*http.Request
	var bodies [][]byte
	onedrive := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		puts, bodies = append(puts, r), append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(onedrive.Close)

	h.say(t, anaID, "Ana", "export")
	var offers []teamstest.Call
	for _, c := range h.conn.Calls() {
		if attachment(c)["contentType"] == contentTypeFileConsent {
			offers = append(offers, c)
		}
	}
	if len(offers) != 4 {
		t.Fatalf("%d file offers, want 4 (JSON and three CSVs): %v", len(offers), h.ops(0))
	}
	consentAs := func(user string, offer teamstest.Call, action string) {
		t.Helper()
		att := attachment(offer)
		content := att["content"].(map[string]any)
		a := h.personal(user, "Someone", "invoke")
		a["name"] = "fileConsent/invoke"
		a["value"] = map[string]any{"type": "fileUpload", "action": action, "context": content["acceptContext"],
			"uploadInfo": map[string]any{"name": att["name"], "uploadUrl": onedrive.URL + "/upload/" + att["name"].(string),
				"contentUrl": "https://contoso-my.sharepoint.com/personal/ana/" + att["name"].(string), "uniqueId": "u1", "fileType": "json"}}
		if code, body := h.post(t, a); code != http.StatusOK || body != "" {
			t.Fatalf("fileConsent/invoke: %d %q, want a plain 200", code, body)
		}
	}
	consent := func(offer teamstest.Call, action string) { t.Helper(); consentAs(anaID, offer, action) }
	name := attachment(offers[0])["name"].(string)
	size := attachment(offers[0])["content"].(map[string]any)["sizeInBytes"].(float64)
	h.conn.Reset()
	consent(offers[0], "accept")
	if len(puts) != 1 || puts[0].Method != http.MethodPut || puts[0].Header.Get("Authorization") != "" ||
		float64(len(bodies[0])) != size || puts[0].Header.Get("Content-Range") != fmt.Sprintf("bytes 0-%d/%d", int(size)-1, int(size)) {
		t.Fatalf("upload: %d requests; want one PUT of %v bytes without the bot's token", len(puts), size)
	}
	if strings.HasSuffix(name, ".json") && !json.Valid(bodies[0]) {
		t.Errorf("the uploaded %s is not the JSON export: %.80s", name, bodies[0])
	}
	calls := h.conn.Calls()
	if len(calls) != 1 || attachment(calls[0])["contentType"] != contentTypeFileInfo ||
		attachment(calls[0])["contentUrl"] != "https://contoso-my.sharepoint.com/personal/ana/"+name {
		t.Fatalf("after the upload: %v", calls)
	}

	// The same offer again: nothing to upload, and Ana is told why.
	h.conn.Reset()
	consent(offers[0], "accept")
	if len(puts) != 1 || len(h.conn.Calls()) != 1 || !strings.Contains(h.conn.Calls()[0].Text(), "no longer here") {
		t.Errorf("a second accept: %d uploads, calls %v", len(puts), h.ops(0))
	}
	// Another person cannot take Ana's file, even with its key.
	consentAs("29:bob", offers[2], "accept")
	if len(puts) != 1 {
		t.Errorf("Bob accepted Ana's offer: %d uploads", len(puts))
	}
	h.conn.Reset()
	consent(offers[2], "accept") // and it is still hers
	if len(puts) != 2 || len(h.conn.Calls()) != 1 || attachment(h.conn.Calls()[0])["contentType"] != contentTypeFileInfo {
		t.Errorf("Ana accepting after Bob tried: %d uploads, calls %v", len(puts), h.ops(0))
	}
	// Declined: nothing uploaded, nothing said.
	h.conn.Reset()
	consent(offers[1], "decline")
	if len(puts) != 2 || len(h.conn.Calls()) != 0 {
		t.Errorf("declined: %d uploads, calls %v", len(puts), h.ops(0))
	}
}

// attachment is the first attachment of an activity sent.
func attachment(c teamstest.Call) map[string]any {
	atts, _ := c.Body["attachments"].([]any)
	if len(atts) == 0 {
		return map[string]any{}
	}
	a, _ := atts[0].(map[string]any)
	return a
}

func TestUploadAllowed(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]bool{
		"https://contoso-my.sharepoint.com/personal/ana/_api/upload?x=1": true,
		"https://agency-my.sharepoint.us/personal/ana/upload":            true,
		"http://127.0.0.1:8080/upload":                                   false, // not configured
		"http://contoso-my.sharepoint.com/upload":                        false,
		"https://sharepoint.com.evil.example/upload":                     false,
		"https://evilsharepoint.com/upload":                              false,
		"https://169.254.169.254/latest/meta-data":                       false,
		"https://user:pw@contoso-my.sharepoint.com/upload":               false,
		"not a url": false,
	} {
		if got := uploadAllowed(u, DefaultUploadHosts()); got != want {
			t.Errorf("uploadAllowed(%q) = %v, want %v", u, got, want)
		}
	}
	if !uploadAllowed("http://127.0.0.1:8080/upload", []string{"127.0.0.1"}) || uploadAllowed("http://localhost.evil/x", []string{"127.0.0.1"}) {
		t.Error("a loopback host named exactly is allowed over http, nothing else")
	}
}
