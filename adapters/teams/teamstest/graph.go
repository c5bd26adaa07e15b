package teamstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Graph is a fake of the two Microsoft Graph calls the proactive install
// makes: finding the app in the tenant's catalog by its manifest id, and
// installing it for a user. It is safe for concurrent use.
type Graph struct {
	URL string // the API base, like https://graph.microsoft.com/v1.0

	// Valid checks a bearer token; nil accepts any.
	Valid func(token string) bool
	// AppID is the manifest id the catalog holds, as catalog id "catalog-1".
	AppID string

	mu        sync.Mutex
	forbidden bool
	installed map[string]bool // by Entra object id
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
	if forbidden {
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
	default:
		http.Error(w, `{"error":{"code":"NotFound"}}`, http.StatusNotFound)
	}
}
