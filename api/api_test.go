package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/smart90/smart90/api"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/redis/redistest"
)

// People of the tests. Ana's name holds markup: the API gives it back as
// the plain string she typed.
var (
	cora  = bot.UserRef{ExternalID: "UCORA", DisplayName: "Cora Coach", TimeZone: "Europe/Berlin"}
	ana   = bot.UserRef{ExternalID: "UANA", DisplayName: "Ana *bold* & <b>co</b>", TimeZone: "Europe/Berlin"}
	bea   = bot.UserRef{ExternalID: "UBEA", DisplayName: "Bea Client", TimeZone: "America/New_York"}
	otto  = bot.UserRef{ExternalID: "UOTTO", DisplayName: "Otto Othercoach", TimeZone: "UTC"}
	oscar = bot.UserRef{ExternalID: "UOSCAR", DisplayName: "Oscar (Otto's client)", TimeZone: "UTC"}
)

// world is an API over a store with two coaches and their clients, and a
// token for each person, made in chat.
type world struct {
	b       *bottest.Bundle
	h       http.Handler
	tokens  map[string]string // by ExternalID
	ids     map[string]int64  // person ids, by ExternalID
	anaEng  *bot.Engagement
	checkIn int // how many check-ins Ana has
}

// options change a world.
type options struct {
	store bot.Store
	rate  float64
	burst int
	log   *slog.Logger
}

func setup(t *testing.T, o options) *world {
	t.Helper()
	b := bottest.SetupWith(t, bottest.Options{Store: o.store, NoCharts: true})
	w := &world{b: b, tokens: map[string]string{}, ids: map[string]int64{}}
	w.anaEng = b.Engage(t, cora, ana)
	b.Engage(t, cora, bea)
	b.Engage(t, otto, oscar)
	for _, u := range []bot.UserRef{cora, ana, bea, otto, oscar} {
		w.tokens[u.ExternalID] = newToken(t, b, u, "sheets")
		w.ids[u.ExternalID] = b.Person(t, u).ID
	}

	// Ana's rocks, check-ins, weekly reports, scorecard and a session.
	b.Command(t, ana, "rocks add Ship the <b>book</b> | 200 pages | due 2027-02-01")
	b.Command(t, ana, "rocks add Run a 10k")
	ctx := context.Background()
	rocks, err := b.Store.Rocks(ctx, w.anaEng.ID)
	must(t, err)
	start := w.anaEng.Start
	w.checkIn = 23
	for i := range w.checkIn {
		c := &bot.CheckIn{EngagementID: w.anaEng.ID, Day: start.AddDays(i), Moved: "moved <@U1> " + start.AddDays(i).String(),
			Priority: "write", PriorityRockID: rocks[0].ID, Stuck: "nothing", Energy: 1 + i%5, Status: bot.AnswerComplete,
			SubmittedAt: b.Clock.Now(), UpdatedAt: b.Clock.Now()}
		must(t, b.Store.SaveCheckIn(ctx, c))
	}
	for i := range 3 {
		must(t, b.Store.SaveWeeklyReport(ctx, &bot.WeeklyReport{EngagementID: w.anaEng.ID, Week: start.WeekStart().AddDays(7 * (i + 1)),
			Rocks: []bot.RockUpdate{{RockID: rocks[1].ID, Status: bot.RockOffTrack, Progress: 10 * i, Note: "knee"}},
			Win:   "a win", Stuck: "", Ask: "pacing?", Status: bot.AnswerComplete, SubmittedAt: b.Clock.Now(), UpdatedAt: b.Clock.Now()}, 0))
	}
	m := &bot.Measurable{EngagementID: w.anaEng.ID, Name: "pages", Goal: 15, Direction: bot.AtLeast, Unit: "/ week", CreatedAt: b.Clock.Now()}
	must(t, b.Store.CreateMeasurable(ctx, m))
	must(t, b.Store.SaveMeasurableValues(ctx, w.anaEng.ID, start.WeekStart(), []bot.MeasurableValue{{MeasurableID: m.ID, Value: 17.5}}))
	b.Command(t, cora, "session <@UANA> "+start.String()+" she wants pacing")

	rate, burst := o.rate, o.burst
	if rate == 0 {
		rate, burst = 1000, 1000
	}
	log := o.log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w.h, err = api.New(api.Config{Store: b.Store, Limiter: inproc.NewRateLimiter(b.Clock), Clock: b.Clock, Logger: log, Rate: rate, Burst: burst})
	must(t, err)
	return w
}

var tokenRE = regexp.MustCompile(`s90_[A-Za-z0-9_-]{43}`)

// newToken makes a token as u does in chat, in their DM with smart90.
func newToken(t testing.TB, b *bottest.Bundle, u bot.UserRef, name string) string {
	t.Helper()
	text := bottest.Text(b.Command(t, u, "token new "+name)...)
	tok := tokenRE.FindString(text)
	if tok == "" {
		t.Fatalf("token new: no token in the reply %q", text)
	}
	return tok
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get requests path with the token of u ("" for none) and the headers,
// checks the answer against the OpenAPI document, and returns it.
func (w *world) get(t testing.TB, u string, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return w.do(t, http.MethodGet, u, path, header...)
}

func (w *world) do(t testing.TB, method, u, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if u != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[u])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	conforms(t, req, rec)
	return rec
}

// document is the embedded OpenAPI document, loaded and validated once.
var document = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(loader.Context)
})

// conforms checks an answer against the document: its status is one the
// path's operation lists, and its headers and body match that response.
func conforms(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	doc, err := document()
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	var route *routers.Route
	params := map[string]string{}
	for path, item := range doc.Paths.Map() {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{(\w+)\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `(?P<$1>[^/]+)`) + "$")
		if m := re.FindStringSubmatch(req.URL.Path); m != nil {
			for i, name := range re.SubexpNames()[1:] {
				params[name] = m[i+1]
			}
			route = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: http.MethodGet, Operation: item.Get}
		}
	}
	if route == nil {
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s: %d for a path the document does not have", req.Method, req.URL.Path, rec.Code)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: %d answer does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, rec.Code, err, rec.Body)
	}
}

// decode decodes a 200's body, failing on any other status.
func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", rec.Code, rec.Body)
	}
	must(t, json.Unmarshal(rec.Body.Bytes(), &v))
	return v
}

// wantError checks a refusal: its status, code and Content-Type.
func wantError(t testing.TB, what string, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != status || body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("%s: %d %s, want %d with code %q", what, rec.Code, rec.Body, status, code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
}

func id(w *world, u bot.UserRef) string { return bottest.ID(w.ids[u.ExternalID]) }

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc, err := document()
	if err != nil {
		t.Fatalf("the OpenAPI document does not validate: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	// Served as it is embedded, without a token.
	w := &world{tokens: map[string]string{}}
	w.h, err = api.New(api.Config{Store: noStore{}, Limiter: inproc.NewRateLimiter(bottest.NewClock(bottest.Start))})
	must(t, err)
	rec := w.get(t, "", "/api/v1/openapi.json")
	var served, embedded any
	must(t, json.Unmarshal(rec.Body.Bytes(), &served))
	must(t, json.Unmarshal(api.OpenAPI(), &embedded))
	if rec.Code != http.StatusOK || !jsonEqual(served, embedded) {
		t.Errorf("GET /api/v1/openapi.json: %d, not the embedded document", rec.Code)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// noStore is a Store that is never reached.
type noStore struct{ api.Store }

func TestEndpoints(t *testing.T) {
	t.Parallel()
	testEndpoints(t, setup(t, options{}))
}

// TestEndpointsPostgres runs the endpoints on PostgreSQL.
func TestEndpointsPostgres(t *testing.T) {
	t.Parallel()
	w := setup(t, options{store: pgtest.New(t)})
	testEndpoints(t, w)
	testRefusals(t, w)
}

func testEndpoints(t *testing.T, w *world) {
	me := decode[struct {
		ID      int64
		Name    string
		IsCoach bool `json:"is_coach"`
		Token   struct{ Prefix string }
	}](t, w.get(t, "UANA", "/api/v1/me"))
	if me.ID != w.ids["UANA"] || me.Name != ana.DisplayName || me.IsCoach || !strings.HasPrefix(w.tokens["UANA"], me.Token.Prefix) {
		t.Errorf("/me as Ana: %+v", me)
	}

	type clientList struct {
		Data []struct {
			ID         int64
			Name       string
			Engagement struct {
				Status string
				Cycle  struct{ N, Day int }
			}
		}
	}
	cl := decode[clientList](t, w.get(t, "UCORA", "/api/v1/clients"))
	if len(cl.Data) != 2 || cl.Data[0].Name != ana.DisplayName || cl.Data[1].Name != bea.DisplayName ||
		cl.Data[0].Engagement.Status != "active" || cl.Data[0].Engagement.Cycle.N != 1 {
		t.Errorf("/clients as Cora: %+v, want Ana and Bea, active", cl)
	}
	cl = decode[clientList](t, w.get(t, "UANA", "/api/v1/clients"))
	if len(cl.Data) != 1 || cl.Data[0].ID != w.ids["UANA"] {
		t.Errorf("/clients as Ana: %+v, want Ana alone", cl)
	}

	base := "/api/v1/clients/" + id(w, ana)
	for _, who := range []string{"UANA", "UCORA"} {
		c := decode[struct{ ID int64 }](t, w.get(t, who, base))
		if c.ID != w.ids["UANA"] {
			t.Errorf("%s as %s: %+v", base, who, c)
		}
		cy := decode[struct {
			Data []struct{ N, Day int }
		}](t, w.get(t, who, base+"/cycles"))
		if len(cy.Data) != 1 || cy.Data[0].N != 1 || cy.Data[0].Day != 1 {
			t.Errorf("%s/cycles as %s: %+v, want cycle 1, day 1", base, who, cy)
		}
		rocks := decode[struct {
			Data []struct {
				Number int
				Title  string
				Due    string
			}
		}](t, w.get(t, who, base+"/rocks"))
		if len(rocks.Data) != 2 || rocks.Data[0].Title != "Ship the <b>book</b>" || rocks.Data[0].Due != "2027-02-01" {
			t.Errorf("%s/rocks as %s: %+v", base, who, rocks)
		}
		ci := decode[struct {
			Data []struct {
				Day          string
				MovedForward string `json:"moved_forward"`
				PriorityRock int    `json:"priority_rock"`
			}
		}](t, w.get(t, who, base+"/checkins?limit=1"))
		if len(ci.Data) != 1 || ci.Data[0].Day != w.anaEng.Start.String() || ci.Data[0].PriorityRock != 1 ||
			ci.Data[0].MovedForward != "moved <@U1> "+w.anaEng.Start.String() {
			t.Errorf("%s/checkins as %s: %+v", base, who, ci)
		}
		wr := decode[struct {
			Data []struct {
				Week  string
				Rocks []struct{ Rock int }
			}
		}](t, w.get(t, who, base+"/weekly-reports"))
		if len(wr.Data) != 3 || len(wr.Data[0].Rocks) != 1 || wr.Data[0].Rocks[0].Rock != 2 {
			t.Errorf("%s/weekly-reports as %s: %+v", base, who, wr)
		}
		sc := decode[struct {
			Data []struct {
				Name   string
				Values []struct{ Value float64 }
			}
		}](t, w.get(t, who, base+"/scorecard"))
		if len(sc.Data) != 1 || len(sc.Data[0].Values) != 1 || sc.Data[0].Values[0].Value != 17.5 {
			t.Errorf("%s/scorecard as %s: %+v", base, who, sc)
		}
		ss := decode[struct {
			Data []struct{ Notes *string }
		}](t, w.get(t, who, base+"/sessions"))
		if len(ss.Data) != 1 {
			t.Fatalf("%s/sessions as %s: %+v, want one", base, who, ss)
		}
		// The notes are the coach's, as in chat and `export`.
		if got := ss.Data[0].Notes; who == "UANA" && got != nil || who == "UCORA" && (got == nil || *got != "she wants pacing") {
			t.Errorf("%s/sessions as %s: notes %v", base, who, got)
		}
	}
	// HEAD answers as GET, without a body.
	if rec := w.do(t, http.MethodHead, "UANA", "/api/v1/me"); rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") == "" {
		t.Errorf("HEAD /me: %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	testRefusals(t, setup(t, options{}))
}

func testRefusals(t *testing.T, w *world) {
	anaPath := "/api/v1/clients/" + id(w, ana)
	wantError(t, "no Authorization", w.get(t, "", "/api/v1/me"), http.StatusUnauthorized, api.CodeMissingToken)
	for _, h := range []string{"Token " + w.tokens["UANA"], "Bearer", "Basic dXNlcjpwYXNz", "Bearer s90_short", "Bearer " + w.tokens["UANA"] + "x",
		"Bearer s90_" + strings.Repeat("A", 43), "Bearer " + strings.Replace(w.tokens["UANA"], "s90_", "s91_", 1)} {
		rec := w.get(t, "", "/api/v1/me", "Authorization", h)
		wantError(t, "Authorization: "+h, rec, http.StatusUnauthorized, api.CodeInvalidToken)
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: 401 without WWW-Authenticate", h)
		}
	}

	// Another coach's client is not found, as a client that does not
	// exist is: the same answer.
	other := w.get(t, "UCORA", "/api/v1/clients/"+id(w, oscar)+"/checkins")
	wantError(t, "Cora reading Otto's client", other, http.StatusNotFound, api.CodeNotFound)
	missing := w.get(t, "UCORA", "/api/v1/clients/987654321/checkins")
	if other.Body.String() != missing.Body.String() {
		t.Errorf("another coach's client: %s; a missing one: %s; want the same", other.Body, missing.Body)
	}
	wantError(t, "Otto reading Cora's client", w.get(t, "UOTTO", anaPath), http.StatusNotFound, api.CodeNotFound)
	// A client reads no other client, nor their coach.
	for _, path := range []string{"/api/v1/clients/" + id(w, bea), "/api/v1/clients/" + id(w, bea) + "/rocks", "/api/v1/clients/" + id(w, cora)} {
		wantError(t, "Ana reading "+path, w.get(t, "UANA", path), http.StatusNotFound, api.CodeNotFound)
	}
	wantError(t, "a client id that is no number", w.get(t, "UCORA", "/api/v1/clients/ana/rocks"), http.StatusNotFound, api.CodeNotFound)

	for _, q := range []string{"from=2026-13-01", "to=yesterday", "from=2026-12-02&to=2026-12-01", "limit=0", "limit=201", "limit=ten",
		"cursor=nope", "cursor=MjAyNi0xMi0wMS4w"} {
		wantError(t, "checkins?"+q, w.get(t, "UANA", anaPath+"/checkins?"+q), http.StatusBadRequest, api.CodeBadRequest)
		wantError(t, "weekly-reports?"+q, w.get(t, "UANA", anaPath+"/weekly-reports?"+q), http.StatusBadRequest, api.CodeBadRequest)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		rec := w.do(t, m, "UANA", "/api/v1/me")
		wantError(t, m+" /me", rec, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed)
		if rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /me: Allow %q", m, rec.Header().Get("Allow"))
		}
	}
	wantError(t, "an unknown route", w.get(t, "UANA", "/api/v1/nothing"), http.StatusNotFound, api.CodeNotFound)

	// Revoked in chat: refused at once.
	if rec := w.get(t, "UBEA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Fatalf("Bea's token before the revoke: %d", rec.Code)
	}
	w.b.Command(t, bea, "token revoke 1")
	wantError(t, "a revoked token", w.get(t, "UBEA", "/api/v1/me"), http.StatusUnauthorized, api.CodeRevokedToken)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	w := setup(t, options{rate: 0.5, burst: 2})
	for i := range 2 {
		if rec := w.get(t, "UANA", "/api/v1/me"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := w.get(t, "UANA", "/api/v1/me")
	wantError(t, "past the burst", rec, http.StatusTooManyRequests, api.CodeRateLimited)
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (one request per 2 s)", got)
	}
	// Another token is paced on its own.
	if rec := w.get(t, "UCORA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Errorf("Cora's token while Ana's is limited: %d", rec.Code)
	}
	w.b.Clock.Advance(2 * time.Second)
	if rec := w.get(t, "UANA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Errorf("after Retry-After: %d", rec.Code)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	base := "/api/v1/clients/" + id(w, ana) + "/checkins"
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"limit=7", w.checkIn},
		{"limit=1", w.checkIn},
		{"limit=200", w.checkIn},
		{"", w.checkIn},
		{"limit=4&from=" + w.anaEng.Start.AddDays(3).String() + "&to=" + w.anaEng.Start.AddDays(12).String(), 10},
	} {
		var days []string
		path := base + "?" + tc.query
		for pages := 0; path != ""; pages++ {
			if pages > w.checkIn+1 {
				t.Fatalf("%s: more pages than check-ins", tc.query)
			}
			rec := w.get(t, "UCORA", path)
			p := decode[struct {
				Data       []struct{ Day string }
				NextCursor string `json:"next_cursor"`
			}](t, rec)
			for _, c := range p.Data {
				days = append(days, c.Day)
			}
			link := rec.Header().Get("Link")
			if (p.NextCursor == "") != (link == "") {
				t.Errorf("%s: next_cursor %q with Link %q", path, p.NextCursor, link)
			}
			path = ""
			if p.NextCursor != "" {
				m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(link)
				if m == nil || !strings.Contains(m[1], "cursor="+p.NextCursor) {
					t.Fatalf("%s: Link %q does not lead to cursor %s", tc.query, link, p.NextCursor)
				}
				path = m[1]
			}
		}
		if len(days) != tc.want {
			t.Errorf("%s: %d check-ins across the pages, want %d: %v", tc.query, len(days), tc.want, days)
		}
		for i := 1; i < len(days); i++ {
			if days[i] <= days[i-1] {
				t.Errorf("%s: day %s after %s: a duplicate or out of order", tc.query, days[i], days[i-1])
			}
		}
		first := w.anaEng.Start
		if strings.Contains(tc.query, "from=") {
			first = first.AddDays(3)
		}
		for i, d := range days {
			if want := first.AddDays(i).String(); d != want {
				t.Errorf("%s: check-in %d is %s, want %s (a gap)", tc.query, i, d, want)
				break
			}
		}
	}
}

func TestETag(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	path := "/api/v1/clients/" + id(w, ana) + "/rocks"
	first := w.get(t, "UANA", path)
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("first GET: %d with ETag %q, want 200 with a strong ETag", first.Code, etag)
	}
	again := w.get(t, "UANA", path, "If-None-Match", etag)
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != etag {
		t.Errorf("If-None-Match with the ETag: %d, %d bytes, ETag %q; want 304, empty, the same ETag", again.Code, again.Body.Len(), again.Header().Get("ETag"))
	}
	if rec := w.get(t, "UANA", path, "If-None-Match", `"other", `+etag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with a list naming the ETag: %d, want 304", rec.Code)
	}
	if rec := w.get(t, "UANA", path, "If-None-Match", `"other"`); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: %d, want 200", rec.Code)
	}
	w.b.Command(t, ana, "rocks add Learn Go")
	changed := w.get(t, "UANA", path, "If-None-Match", etag)
	if changed.Code != http.StatusOK || changed.Header().Get("ETag") == etag {
		t.Errorf("after a change: %d with ETag %q, want 200 with a new ETag", changed.Code, changed.Header().Get("ETag"))
	}
}

// failing is a Store whose reads after authentication fail, as a store
// that went down does.
type failing struct {
	api.Store
}

func (failing) CheckIns(context.Context, int64, bot.Date, bot.Date) ([]*bot.CheckIn, error) {
	return nil, storeErr("dial tcp 10.0.0.7:5432: connect: connection refused")
}

type storeErr string

func (e storeErr) Error() string { return string(e) }

func TestStoreDown(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	w := setup(t, options{log: slog.New(slog.NewTextHandler(&logs, nil))})
	h, err := api.New(api.Config{Store: failing{w.b.Store}, Limiter: inproc.NewRateLimiter(w.b.Clock), Clock: w.b.Clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	must(t, err)
	path := "/api/v1/clients/" + id(w, ana) + "/checkins"
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens["UANA"])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	conforms(t, req, rec)
	wantError(t, "a read failing", rec, http.StatusServiceUnavailable, api.CodeUnavailable)
	if strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Errorf("503 body shows the internal error: %s", rec.Body)
	}

	// The whole store down: the token cannot even be checked.
	must(t, w.b.Store.Close())
	rec = w.get(t, "UANA", "/api/v1/me")
	wantError(t, "the store closed", rec, http.StatusServiceUnavailable, api.CodeUnavailable)
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the failure is not logged: %s", logs.String())
	}
	for _, tok := range w.tokens {
		if strings.Contains(logs.String(), tok) {
			t.Errorf("the logs hold a token: %s", logs.String())
		}
	}
}

func TestLastUsed(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	if text := bottest.Text(w.b.Command(t, ana, "token list")...); !strings.Contains(text, "never used") {
		t.Fatalf("token list before any use: %q", text)
	}
	lastUsed := func() string {
		t.Helper()
		m := regexp.MustCompile(`last used ([^·\n]+)`).FindStringSubmatch(bottest.Text(w.b.Command(t, ana, "token list")...))
		if m == nil {
			t.Fatal("token list shows no last use")
		}
		return strings.TrimSpace(m[1])
	}
	// Ana acts in Berlin: the clock's 18:00 UTC is her 19:00.
	w.get(t, "UANA", "/api/v1/me")
	if got := lastUsed(); !strings.HasSuffix(got, "19:00") {
		t.Errorf("last used after the first use: %q, want 19:00", got)
	}
	w.b.Clock.Advance(2 * time.Minute)
	w.get(t, "UANA", "/api/v1/me")
	if got := lastUsed(); !strings.HasSuffix(got, "19:02") {
		t.Errorf("last used two minutes later: %q, want 19:02", got)
	}
	// Within a minute of the stored use nothing is written (the list
	// shows minutes, so the store says).
	stored := func() time.Time {
		t.Helper()
		tok, err := w.b.Store.APITokenByHash(context.Background(), bot.HashAPIToken(w.tokens["UANA"]))
		must(t, err)
		return tok.LastUsedAt
	}
	before := stored()
	w.b.Clock.Advance(30 * time.Second)
	w.get(t, "UANA", "/api/v1/me")
	if got := stored(); !got.Equal(before) {
		t.Errorf("last use 30 s later: %s, want it kept at %s", got, before)
	}
}

// TestRateLimitAcrossReplicas: two replicas sharing Redis count a
// token's requests together.
func TestRateLimitAcrossReplicas(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	url, prefix := redistest.Prefix(t)
	var replicas []http.Handler
	for range 2 {
		h, err := api.New(api.Config{Store: w.b.Store, Limiter: redistest.Open(t, url, prefix), Clock: w.b.Clock, Rate: 0.001, Burst: 2})
		must(t, err)
		replicas = append(replicas, h)
	}
	var codes []int
	for i := range 3 {
		w.h = replicas[i%2]
		codes = append(codes, w.get(t, "UANA", "/api/v1/me").Code)
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusOK || codes[2] != http.StatusTooManyRequests {
		t.Errorf("three requests across two replicas with a burst of 2: %v, want 200 200 429", codes)
	}
	// Another token has its own count.
	if rec := w.get(t, "UCORA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Errorf("Cora's token: %d", rec.Code)
	}
}
