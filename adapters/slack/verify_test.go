package slack

import (
	"github.com/smart90/smart90/adapters/slack/slacktest"

	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verifyExample is Slack's worked example from "Verifying requests from
// Slack", as stored in the shared fixtures.
type verifyExample struct {
	Secret    string            `json:"signing_secret"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"request_body"`
	Signature string            `json:"expected_signature"`

	ts   int64  // Headers' timestamp
	body []byte // the body file, byte for byte
}

func loadVerifyExample(tb testing.TB) verifyExample {
	tb.Helper()
	const dir = "../../testdata/fixtures/"
	raw, err := os.ReadFile(dir + "slack_signing_example.json")
	if err != nil {
		tb.Fatal(err)
	}
	var ex verifyExample
	if err := json.Unmarshal(raw, &ex); err != nil {
		tb.Fatalf("decode signing example: %v", err)
	}
	if ex.body, err = os.ReadFile(dir + "slack_signing_example_body.txt"); err != nil {
		tb.Fatal(err)
	}
	if string(ex.body) != ex.Body {
		tb.Fatal("body file differs from the example's request_body")
	}
	if ex.ts, err = strconv.ParseInt(ex.Headers[headerTimestamp], 10, 64); err != nil {
		tb.Fatalf("example timestamp: %v", err)
	}
	if ex.Headers[headerSignature] != ex.Signature {
		tb.Fatal("example header signature differs from expected_signature")
	}
	return ex
}

// verifyCase is one request to the middleware; an empty ts or sig leaves that
// header out.
type verifyCase struct {
	name       string
	ts, sig    string
	body       []byte
	skew       time.Duration // the clock minus the example's timestamp
	wantStatus int
}

func verifyCases(ex verifyExample) []verifyCase {
	ts := ex.Headers[headerTimestamp]
	sig := ex.Headers[headerSignature]
	tampered := bytes.Clone(ex.body)
	tampered[len(tampered)-1] ^= 1
	old := strconv.FormatInt(ex.ts-301, 10)
	ahead := strconv.FormatInt(ex.ts+301, 10)
	edge := strconv.FormatInt(ex.ts-300, 10)
	full := bytes.Repeat([]byte("a"), verifyMaxBody)
	over := bytes.Repeat([]byte("a"), verifyMaxBody+1)

	return []verifyCase{
		{name: "Slack's worked example", ts: ts, sig: sig, body: ex.body, wantStatus: http.StatusOK},
		{name: "timestamp exactly 5 min old", ts: edge, sig: slacktest.Sign(ex.Secret, edge, ex.body), body: ex.body, wantStatus: http.StatusOK},
		{name: "clock 5 min behind the timestamp", ts: ts, sig: sig, body: ex.body, skew: -5 * time.Minute, wantStatus: http.StatusOK},
		{name: "body of exactly 1 MiB", ts: ts, sig: slacktest.Sign(ex.Secret, ts, full), body: full, wantStatus: http.StatusOK},
		{name: "empty body", ts: ts, sig: slacktest.Sign(ex.Secret, ts, nil), wantStatus: http.StatusOK},

		{name: "wrong secret", ts: ts, sig: slacktest.Sign("not-"+ex.Secret, ts, ex.body), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "signed timestamp over 5 min old", ts: old, sig: slacktest.Sign(ex.Secret, old, ex.body), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "signed timestamp over 5 min ahead", ts: ahead, sig: slacktest.Sign(ex.Secret, ahead, ex.body), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "example replayed 5 min 1 s later", ts: ts, sig: sig, body: ex.body, skew: 5*time.Minute + time.Second, wantStatus: http.StatusUnauthorized},
		{name: "example 5 min 1 s early", ts: ts, sig: sig, body: ex.body, skew: -5*time.Minute - time.Second, wantStatus: http.StatusUnauthorized},
		{name: "tampered body", ts: ts, sig: sig, body: tampered, wantStatus: http.StatusUnauthorized},
		{name: "missing signature", ts: ts, body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "missing timestamp", sig: sig, body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "non-numeric timestamp", ts: "yesterday", sig: slacktest.Sign(ex.Secret, "yesterday", ex.body), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "timestamp with a sign", ts: "+" + ts, sig: slacktest.Sign(ex.Secret, "+"+ts, ex.body), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "signature without v0=", ts: ts, sig: strings.TrimPrefix(sig, "v0="), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "signature with v1=", ts: ts, sig: "v1=" + strings.TrimPrefix(sig, "v0="), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "signature not hex", ts: ts, sig: "v0=" + strings.Repeat("zz", sha256.Size), body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "signature truncated", ts: ts, sig: sig[:len(sig)-2], body: ex.body, wantStatus: http.StatusUnauthorized},
		{name: "body over 1 MiB", ts: ts, sig: slacktest.Sign(ex.Secret, ts, over), body: over, wantStatus: http.StatusRequestEntityTooLarge},
	}
}

// verifyResult is what came out of one request through Verify.
type verifyResult struct {
	rec      *httptest.ResponseRecorder
	called   bool   // next was called
	nextBody []byte // what next read
	nextLen  int64  // next's r.ContentLength
}

// verifyServe sends c through Verify(secret) in front of a recording next.
func verifyServe(tb testing.TB, ex verifyExample, secret string, c verifyCase, log *slog.Logger) verifyResult {
	tb.Helper()
	var res verifyResult
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res.called = true
		res.nextLen = r.ContentLength
		var err error
		if res.nextBody, err = io.ReadAll(r.Body); err != nil {
			tb.Errorf("next: read body: %v", err)
		}
		w.WriteHeader(http.StatusOK)
	})
	now := func() time.Time { return time.Unix(ex.ts, 0).Add(c.skew) }
	req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(c.body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.ts != "" {
		req.Header.Set(headerTimestamp, c.ts)
	}
	if c.sig != "" {
		req.Header.Set(headerSignature, c.sig)
	}
	res.rec = httptest.NewRecorder()
	Verify(secret, now, log)(next).ServeHTTP(res.rec, req)
	return res
}

func TestVerify(t *testing.T) {
	t.Parallel()
	ex := loadVerifyExample(t)
	for _, c := range verifyCases(ex) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			res := verifyServe(t, ex, ex.Secret, c, slog.New(slog.NewTextHandler(&logs, nil)))
			if logs.Len() > 0 {
				t.Log(logs.String())
			}

			if got := res.rec.Code; got != c.wantStatus {
				t.Errorf("status = %d, want %d (body %q)", got, c.wantStatus, res.rec.Body)
			}
			if c.wantStatus == http.StatusOK {
				if !res.called {
					t.Fatal("next not called")
				}
				if !bytes.Equal(res.nextBody, c.body) {
					t.Errorf("next read %d bytes, want the %d sent", len(res.nextBody), len(c.body))
				}
				if res.nextLen != int64(len(c.body)) {
					t.Errorf("next saw ContentLength %d, want %d", res.nextLen, len(c.body))
				}
				if logs.Len() != 0 {
					t.Errorf("logged on success: %s", logs.String())
				}
				return
			}
			if res.called {
				t.Error("next called for a rejected request")
			}
			want := "invalid signature\n"
			if c.wantStatus == http.StatusRequestEntityTooLarge {
				want = "request body too large\n"
			}
			if got := res.rec.Body.String(); got != want {
				t.Errorf("reply = %q, want %q", got, want)
			}
			if ct := res.rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain", ct)
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "remote_addr=192.0.2.1:1234") {
				t.Errorf("want one warning with the remote address, logged: %s", logs.String())
			}
		})
	}
}

// TestVerifyLogsNoSecret sends every case through one logger, at the most
// verbose level, and looks for the secret and each signature in its output.
func TestVerifyLogsNoSecret(t *testing.T) {
	t.Parallel()
	ex := loadVerifyExample(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cases := verifyCases(ex)
	secrets := []string{ex.Secret}
	for _, c := range cases {
		verifyServe(t, ex, ex.Secret, c, log)
		if c.sig != "" {
			secrets = append(secrets, c.sig, strings.TrimPrefix(c.sig, "v0="))
		}
	}
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for line := range strings.Lines(logs.String()) {
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log line holds a secret or signature %.12s…: %s", s, line)
			}
		}
		if !strings.Contains(line, "reason=") {
			t.Errorf("log line without a reason: %s", line)
		}
	}
}

func TestVerifyWithoutSecret(t *testing.T) {
	t.Parallel()
	ex := loadVerifyExample(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	called := false
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })
	h := Verify("", func() time.Time { return time.Unix(ex.ts, 0) }, log)(next)

	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(ex.Body))
		for k, v := range ex.Headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", rec.Code)
		}
		if got, want := rec.Body.String(), "Slack signing secret not configured\n"; got != want {
			t.Errorf("reply = %q, want %q", got, want)
		}
	}
	if called {
		t.Error("next called without a secret")
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("logged %d errors over two requests, want 1: %s", n, logs.String())
	}
}
