package teamstest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Graph is a fake of the Microsoft Graph calls smart90 makes: finding the
// app in the tenant's catalog by its manifest id and installing it for a
// user (the proactive install), and reading a user's presence (out of
// office). It is safe for concurrent use.
type Graph struct {
	URL string // the API base, like https://graph.microsoft.com/v1.0

	// Valid checks a bearer token; nil accepts any.
	Valid func(token string) bool
	// AppID is the manifest id the catalog holds, as catalog id "catalog-1".
	AppID string
	// Forbid, when set, answers 403 to the calls made with the tokens it
	// says: a tenant whose admin did not grant the permission.
	Forbid func(token string) bool

	mu        sync.Mutex
	forbidden bool
	installed map[string]bool // by Entra object id
	presence  map[string]Presence
	requests  []string
}

// NewGraph starts a fake Graph, closed with the test.
func NewGraph(t testing.TB, appID string) *Graph {
	t.Helper()
	g := &Graph{AppID: appID, installed: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.URL = srv.URL + "/v1.0"
	return g
}

// SetForbidden makes every call answer 403, as when no admin consented.
func (g *Graph) SetForbidden(v bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.forbidden = v
}

// Presence is a user's presence as GET /users/{id}/presence answers it.
type Presence struct {
	Availability, Activity string // default "Available"
	// AutoReply is the mailbox's automatic replies
	// (outOfOfficeSettings.isOutOfOffice).
	AutoReply bool
	// Message is the status message the person typed, Expiry when it
	// clears (zero: never).
	Message string
	Expiry  time.Time
}

// SetPresence sets the presence answered for the user with that Entra
// object id from now on.
func (g *Graph) SetPresence(aadObjectID string, p Presence) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.presence == nil {
		g.presence = map[string]Presence{}
	}
	g.presence[aadObjectID] = p
}

// Installed reports whether the app was installed for that user.
func (g *Graph) Installed(aadObjectID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.installed[aadObjectID]
}

// Requests returns the requests so far, as "METHOD path".
func (g *Graph) Requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.requests...)
}

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.requests = append(g.requests, r.Method+" "+r.URL.Path)
	forbidden := g.forbidden
	g.mu.Unlock()
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || g.Valid != nil && !g.Valid(token) {
		http.Error(w, `{"error":{"code":"InvalidAuthenticationToken"}}`, http.StatusUnauthorized)
		return
	}
	if forbidden || g.Forbid != nil && g.Forbid(token) {
		http.Error(w, `{"error":{"code":"Forbidden"}}`, http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	path := strings.TrimPrefix(r.URL.Path, "/v1.0")
	switch {
	case r.Method == http.MethodGet && path == "/appCatalogs/teamsApps":
		var value []map[string]string
		if r.URL.Query().Get("$filter") == fmt.Sprintf("externalId eq '%s'", g.AppID) {
			value = append(value, map[string]string{"id": "catalog-1", "externalId": g.AppID})
		}
		json.NewEncoder(w).Encode(map[string]any{"value": value})
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/users/") && strings.HasSuffix(path, "/teamwork/installedApps"):
		user := strings.TrimSuffix(strings.TrimPrefix(path, "/users/"), "/teamwork/installedApps")
		var body map[string]string
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &body) != nil || !strings.HasSuffix(body["teamsApp@odata.bind"], "/appCatalogs/teamsApps/catalog-1") {
			http.Error(w, `{"error":{"code":"BadRequest"}}`, http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.installed[user] {
			http.Error(w, `{"error":{"code":"Conflict"}}`, http.StatusConflict)
			return
		}
		g.installed[user] = true
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/users/") && strings.HasSuffix(path, "/presence"):
		user := strings.TrimSuffix(strings.TrimPrefix(path, "/users/"), "/presence")
		g.mu.Lock()
		p := g.presence[user]
		g.mu.Unlock()
		json.NewEncoder(w).Encode(presenceBody(user, p))
	default:
		http.Error(w, `{"error":{"code":"NotFound"}}`, http.StatusNotFound)
	}
}

// presenceBody is p as Graph's presence resource.
func presenceBody(id string, p Presence) map[string]any {
	body := map[string]any{"id": id, "availability": cmp.Or(p.Availability, "Available"), "activity": cmp.Or(p.Activity, "Available"),
		"outOfOfficeSettings": map[string]any{"message": "", "isOutOfOffice": p.AutoReply}}
	if p.Message != "" {
		expiry := "9999-12-30T23:00:00.0000000"
		if !p.Expiry.IsZero() {
			expiry = p.Expiry.UTC().Format("2006-01-02T15:04:05.0000000")
		}
		body["statusMessage"] = map[string]any{"message": map[string]any{"content": p.Message, "contentType": "text"},
			"expiryDateTime": map[string]any{"dateTime": expiry, "timeZone": "UTC"}}
	}
	return body
}
