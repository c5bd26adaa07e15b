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
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/smart90/smart90/api"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
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
