package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fetch sends method to url without following redirects and returns the
// response with its body read.
func fetch(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// checkPageHeaders fails t unless resp carries an HTML page's type and
// security headers.
func checkPageHeaders(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
}

// TestServePages: serve answers /privacy with the default text and
// /terms with the operator's file, escaped; HEAD works and other methods
// are refused.
func TestServePages(t *testing.T) {
	t.Parallel()
	terms := filepath.Join(t.TempDir(), "terms.md")
	if err := os.WriteFile(terms, []byte("# Our terms\r\n\r\nBe kind.\nReally <script>alert(1)</script> & more.\n\n\n\nSecond part.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, done := startServe(t, map[string]string{"SMART90_TERMS_FILE": terms}, t.Output(), "-dry-run", "-log-level", "error")
	base := "http://" + addr

	resp, body := fetch(t, "GET", base+"/privacy")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /privacy = %d %q", resp.StatusCode, body)
	}
	checkPageHeaders(t, "/privacy", resp)
	for _, want := range []string{
		"<title>Privacy statement</title>",
		"is the controller of your data",
		"Nothing is sold",
		"your e-mail address if you gave it",
		"your rocks (your goals for the quarter)",
		"your daily check-ins, your weekly reports, your quarterly reviews and your scorecard",
		"Sessions with your coach",
		"Deliveries: a record of each prompt",
		"kept until you delete them with forget-me, or until the operator deletes them",
		"kept at most 36 hours",
		"deleted after about an hour",
		"stored encrypted and never logged or shown",
		"Type export",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/privacy lacks %q:\n%s", want, body)
		}
	}

	resp, body = fetch(t, "GET", base+"/terms")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /terms = %d %q", resp.StatusCode, body)
	}
	checkPageHeaders(t, "/terms", resp)
	if strings.Contains(body, "<script>") || !strings.Contains(body, "Really &lt;script&gt;alert(1)&lt;/script&gt; &amp; more.") {
		t.Errorf("/terms does not show the file's <script> as text:\n%s", body)
	}
	for _, want := range []string{"<p># Our terms</p>", "<p>Be kind.\nReally", "<p>Second part.</p>"} {
		if !strings.Contains(body, want) {
			t.Errorf("/terms lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "No warranty") {
		t.Errorf("/terms shows the default text beside the file:\n%s", body)
	}

	resp, body = fetch(t, "HEAD", base+"/privacy")
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD /privacy = %d %q %v", resp.StatusCode, body, resp.Header)
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		if resp, _ := fetch(t, m, base+"/terms"); resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("%s /terms = %d, Allow %q; want 405 allowing GET", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}

	stopServe(t, stop, done)
}

// TestPagesRedirect: with the operator's URLs, /privacy and /terms
// redirect there.
func TestPagesRedirect(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	if err := pageRoutes(mux, pagesConfig{PrivacyURL: "https://example.com/legal/privacy?lang=en", TermsURL: "http://localhost:8080/terms"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for path, want := range map[string]string{"/privacy": "https://example.com/legal/privacy?lang=en", "/terms": "http://localhost:8080/terms"} {
		for _, m := range []string{"GET", "HEAD"} {
			resp, _ := fetch(t, m, srv.URL+path)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
				t.Errorf("%s %s = %d to %q, want 302 to %q", m, path, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
	}
}

// TestServeRefusesBadPages: a page URL that is not https (http outside
// localhost), a page with both a URL and a file, and a file that cannot be
// read stop serve at start with words naming the setting.
func TestServeRefusesBadPages(t *testing.T) {
	t.Parallel()
	page := filepath.Join(t.TempDir(), "p.txt")
	if err := os.WriteFile(page, []byte("ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"SMART90_PRIVACY_URL": "http://example.com/privacy"}, []string{"SMART90_PRIVACY_URL", "use https"}},
		{map[string]string{"SMART90_TERMS_URL": "ftp://example.com/terms"}, []string{"SMART90_TERMS_URL", "not an https URL"}},
		{map[string]string{"SMART90_TERMS_URL": "/terms"}, []string{"SMART90_TERMS_URL", "not an https URL"}},
		{map[string]string{"SMART90_PRIVACY_URL": "https://user:pw@example.com/privacy"}, []string{"SMART90_PRIVACY_URL", "not an https URL"}},
		{map[string]string{"SMART90_PRIVACY_URL": "https://example.com/p", "SMART90_PRIVACY_FILE": page}, []string{"SMART90_PRIVACY_URL and SMART90_PRIVACY_FILE are both set"}},
		{map[string]string{"SMART90_PRIVACY_URL": "http://example.com/p", "SMART90_TERMS_URL": "http://example.org/t"}, []string{"SMART90_PRIVACY_URL", "SMART90_TERMS_URL"}},
		{map[string]string{"SMART90_TERMS_FILE": page + ".missing"}, []string{"read the terms of use page's file", "p.txt.missing"}},
	} {
		args := []string{"serve", "-dry-run", "-log-level", "error", "-sqlite", filepath.Join(t.TempDir(), "s.db"), "-http-addr", "127.0.0.1:0"}
		err := Run(t.Context(), args, strings.NewReader(""), io.Discard, io.Discard, func(k string) string { return tt.env[k] })
		if err == nil {
			t.Errorf("%v: serve started", tt.env)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: err = %v, want it to mention %q", tt.env, err, w)
			}
		}
	}
}

func TestCheckPageURL(t *testing.T) {
	t.Parallel()
	for u, ok := range map[string]bool{
		"https://example.com/privacy": true,
		"http://localhost:8080/p":     true,
		"http://127.0.0.1/p":          true,
		"http://[::1]:9/p":            true,
		"http://example.com/p":        false,
		"http://localhost.example/p":  false,
		"https:///p":                  false,
		"example.com/p":               false,
		"javascript:alert(1)":         false,
	} {
		if err := checkPageURL(u); (err == nil) != ok {
			t.Errorf("checkPageURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

// TestTeamsPackagePageURLs: the operator's page URLs go into the package's
// manifest instead of the website's /privacy and /terms.
func TestTeamsPackagePageURLs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env                 map[string]string
		args                []string
		privacy, termsOfUse string
	}{
		{map[string]string{}, nil, "https://smart90.example.com/privacy", "https://smart90.example.com/terms"},
		{map[string]string{"SMART90_PRIVACY_URL": "https://example.com/legal/privacy", "SMART90_TERMS_URL": "https://example.com/legal/terms"}, nil,
			"https://example.com/legal/privacy", "https://example.com/legal/terms"},
		{map[string]string{"SMART90_PRIVACY_URL": "https://example.com/legal/privacy"}, []string{"-terms-url", "https://example.org/t"},
			"https://example.com/legal/privacy", "https://example.org/t"},
	} {
		tt.env["MICROSOFT_APP_ID"] = testTeamsAppID
		tt.env["SMART90_PUBLIC_URL"] = "https://smart90.example.com"
		zipPath := filepath.Join(t.TempDir(), "p.zip")
		if _, errs, err := runTeamsPackageCmd(t, tt.env, append([]string{"-o", zipPath}, tt.args...)...); err != nil {
			t.Fatalf("teams-package: %v\n%s", err, errs)
		}
		dev, _ := packageManifest(t, zipPath)["developer"].(map[string]any)
		if dev["privacyUrl"] != tt.privacy || dev["termsOfUseUrl"] != tt.termsOfUse {
			t.Errorf("%v %v: developer = %v, want privacyUrl %q and termsOfUseUrl %q", tt.env, tt.args, dev, tt.privacy, tt.termsOfUse)
		}
	}

	zipPath := filepath.Join(t.TempDir(), "p.zip")
	_, _, err := runTeamsPackageCmd(t, map[string]string{"MICROSOFT_APP_ID": testTeamsAppID, "SMART90_PUBLIC_URL": "https://smart90.example.com",
		"SMART90_PRIVACY_URL": "http://example.com/privacy"}, "-o", zipPath)
	if err == nil || !strings.Contains(err.Error(), "privacy") || !strings.Contains(err.Error(), "https") {
		t.Errorf("teams-package with an http privacy URL: err = %v", err)
	}
	if _, err := os.Stat(zipPath); !os.IsNotExist(err) {
		t.Errorf("a refused package left %s: %v", zipPath, err)
	}
}

// packageManifest reads manifest.json from the Teams package at zipPath.
func packageManifest(t *testing.T, zipPath string) map[string]any {
	t.Helper()
	z, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	rc, err := z.Open("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var m map[string]any
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m
}
