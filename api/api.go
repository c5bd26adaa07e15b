package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

// Store is what the API reads. bot.Store implementations satisfy it; the
// contract (ENOTFOUND for a missing row, empty lists) is bot.Store's.
type Store interface {
	APITokenByHash(ctx context.Context, hash []byte) (*bot.APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	Person(ctx context.Context, id int64) (*bot.Person, error)
	EngagementsForCoach(ctx context.Context, coachID int64, statuses ...bot.EngagementStatus) ([]*bot.Engagement, error)
	EngagementsForClient(ctx context.Context, clientID int64) ([]*bot.Engagement, error)
	Rocks(ctx context.Context, engagementID int64) ([]*bot.Rock, error)
	CheckIns(ctx context.Context, engagementID int64, from, to bot.Date) ([]*bot.CheckIn, error)
	WeeklyReports(ctx context.Context, engagementID int64, from, to bot.Date) ([]*bot.WeeklyReport, error)
	Measurables(ctx context.Context, engagementID int64) ([]*bot.Measurable, error)
	MeasurableValues(ctx context.Context, engagementID int64, from, to bot.Date) ([]bot.MeasurableValue, error)
	Sessions(ctx context.Context, engagementID int64) ([]*bot.Session, error)
}

var _ Store = bot.Store(nil)

// Config configures the API handler.
type Config struct {
	Store   Store           // required
	Limiter bot.RateLimiter // required: paces each token
	Clock   bot.Clock       // default bot.SystemClock
	Logger  *slog.Logger    // default slog.Default()
	// Rate is each token's requests per second (default 5), Burst how many
	// it may make at once (default 20), across all replicas.
	Rate  float64
	Burst int
}

// Pagination limits.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Error codes of the API's refusals: the "code" of an error body.
const (
	CodeMissingToken     = "missing_token"
	CodeInvalidToken     = "invalid_token"
	CodeRevokedToken     = "revoked_token"
	CodeNotFound         = "not_found"
	CodeBadRequest       = "bad_request"
	CodeRateLimited      = "rate_limited"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeUnavailable      = "unavailable"
)

// handler serves the API.
type handler struct {
	store Store
	lim   bot.RateLimiter
	clock bot.Clock
	log   *slog.Logger
	rate  float64
	burst int
	mux   *http.ServeMux
	doc   []byte // the OpenAPI document, compacted
}

// New returns the API's handler, for the routes under /api/v1/. It checks
// cfg once: a missing Store or Limiter, or a rate and burst the limiter
// would refuse, is an error.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil || cfg.Limiter == nil {
		return nil, errors.New("api: Store and Limiter are required")
	}
	h := &handler{
		store: cfg.Store,
		lim:   cfg.Limiter,
		clock: cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{}),
		log:   cmp.Or(cfg.Logger, slog.Default()),
		rate:  cmp.Or(cfg.Rate, 5),
		burst: cmp.Or(cfg.Burst, 20),
		mux:   http.NewServeMux(),
	}
	if err := bot.CheckRate(h.rate, h.burst); err != nil {
		return nil, errors.New("api: " + bot.ErrorMessage(err))
	}
	doc, err := compactJSON(openAPIDocument)
	if err != nil {
		return nil, fmt.Errorf("api: read the OpenAPI document: %w", err)
	}
	h.doc = doc
	h.mux.HandleFunc("/api/v1/openapi.json", h.openAPI)
	h.mux.Handle("/api/v1/me", h.auth(h.me))
	h.mux.Handle("/api/v1/clients", h.auth(h.clients))
	h.mux.Handle("/api/v1/clients/{id}", h.auth(h.client))
	h.mux.Handle("/api/v1/clients/{id}/cycles", h.auth(h.cycles))
	h.mux.Handle("/api/v1/clients/{id}/rocks", h.auth(h.rocks))
	h.mux.Handle("/api/v1/clients/{id}/checkins", h.auth(h.checkIns))
	h.mux.Handle("/api/v1/clients/{id}/weekly-reports", h.auth(h.weeklyReports))
	h.mux.Handle("/api/v1/clients/{id}/scorecard", h.auth(h.scorecard))
	h.mux.Handle("/api/v1/clients/{id}/sessions", h.auth(h.sessions))
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, CodeNotFound, "There is no such API route; see /api/v1/openapi.json.")
	})
	return h, nil
}

// ServeHTTP implements http.Handler. The API is read-only: any method
// but GET and HEAD is 405.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "The API is read-only: use GET.")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// caller is the authenticated request's person and token.
type caller struct {
	me    *bot.Person
	token *bot.APIToken
	now   time.Time
}

// endpoint answers an authenticated request: the value to encode as the
// body of a 200, or an error (an *apiError, or a store error).
type endpoint func(ctx context.Context, c *caller, r *http.Request) (any, http.Header, error)

// auth checks the bearer token and the token's rate, then runs e.
func (h *handler) auth(e endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := h.authenticate(ctx, r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		wait, err := h.lim.Reserve(ctx, "api:token:"+strconv.FormatInt(c.token.ID, 10), h.rate, h.burst)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			writeError(w, http.StatusTooManyRequests, CodeRateLimited,
				"Too many requests with this token; retry after "+strconv.Itoa(max(secs, 1))+" s.")
			return
		}
		// The stored last use is coarse (bot.TouchEvery): most requests
		// need no write at all. It is a convenience for `token list`, so
		// the read goes on when it fails.
		if c.now.Sub(c.token.LastUsedAt) >= bot.TouchEvery {
			if err := h.store.TouchAPIToken(ctx, c.token.ID, c.now); err != nil {
				h.log.WarnContext(ctx, "api: record token use", "token_id", c.token.ID, "err", err)
			}
		}
		v, hdr, err := e(ctx, c, r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for k, vs := range hdr {
			w.Header()[k] = vs
		}
		writeJSON(w, r, v)
	})
}

// authenticate finds the request's live token and its person.
func (h *handler) authenticate(ctx context.Context, r *http.Request) (*caller, error) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		return nil, &apiError{http.StatusUnauthorized, CodeMissingToken, "Send a token: Authorization: Bearer s90_… (make one with `token new` in chat)."}
	}
	scheme, secret, ok := strings.Cut(strings.TrimSpace(vals[0]), " ")
	if len(vals) != 1 || !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, &apiError{http.StatusUnauthorized, CodeInvalidToken, "The Authorization header is not \"Bearer <token>\"."}
	}
	invalid := &apiError{http.StatusUnauthorized, CodeInvalidToken, "That token is not valid."}
	secret = strings.TrimSpace(secret)
	if !bot.WellFormedAPIToken(secret) {
		return nil, invalid
	}
	t, err := h.store.APITokenByHash(ctx, bot.HashAPIToken(secret))
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	if !t.Live() {
		return nil, &apiError{http.StatusUnauthorized, CodeRevokedToken, "That token was revoked."}
	}
	me, err := h.store.Person(ctx, t.PersonID)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	return &caller{me: me, token: t, now: h.clock.Now().UTC()}, nil
}

// apiError is a refusal with its status and code.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// badRequest is a 400 with message.
func badRequest(message string) error {
	return &apiError{http.StatusBadRequest, CodeBadRequest, message}
}

// notFound is the 404 of a client the caller may not see, or that does
// not exist: the same answer for both.
var notFound = &apiError{http.StatusNotFound, CodeNotFound, "No such client of yours."}

// fail writes err as a JSON error: an *apiError as it is, a domain error
// by its code, anything else as 503 (the store could not be read), logged
// but never shown.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		if ae.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="smart90"`)
		}
		writeError(w, ae.status, ae.code, ae.message)
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		writeError(w, http.StatusNotFound, CodeNotFound, bot.ErrorMessage(err))
	case bot.ErrorCode(err) == bot.EINVALID:
		writeError(w, http.StatusBadRequest, CodeBadRequest, bot.ErrorMessage(err))
	default:
		h.log.ErrorContext(r.Context(), "api: request failed", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "smart90 cannot read its data just now; please retry in a few seconds.")
	}
}

// errorBody is every refusal's body.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(errorBody{errorDetail{code, message}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// writeJSON writes v as a 200 with a strong ETag (a hash of the body), or
// a 304 when If-None-Match names that ETag.
func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "smart90 could not write its answer.")
		return
	}
	body = append(body, '\n')
	writeBody(w, r, "application/json", body)
}

// writeBody writes body as a 200 with a strong ETag, or a 304.
func writeBody(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	// Private: the answer depends on the token; no-cache: a client revalidates.
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Add("Vary", "Authorization")
	if matches(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// matches reports whether an If-None-Match header names etag (the weak
// comparison RFC 9110 asks for If-None-Match), or is "*".
func matches(headers []string, etag string) bool {
	for _, h := range headers {
		for _, tag := range strings.Split(h, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag {
				return true
			}
		}
	}
	return false
}

// instant is an instant as the API writes it: RFC 3339 in UTC, whole
// seconds.
type instant time.Time

// MarshalJSON implements json.Marshaler.
func (t instant) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// IsZero lets omitzero leave a zero instant out.
func (t instant) IsZero() bool { return time.Time(t).IsZero() }

// list is every list's body.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// compactJSON is body without insignificant space, for the embedded
// document.
func compactJSON(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
