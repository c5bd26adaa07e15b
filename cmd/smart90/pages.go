// serve's public pages: the privacy statement and the terms of use the
// Teams app package links to (/privacy and /terms), from default texts,
// from the operator's files, or as redirects to the operator's own pages.

package main

import (
	"bytes"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// pagesConfig says where /privacy and /terms come from. For each page
// a URL wins over a file, and both unset keeps the default text; setting
// both is refused at start.
type pagesConfig struct {
	// PrivacyFile and TermsFile are Markdown or plain-text files shown,
	// escaped, instead of the default texts (SMART90_PRIVACY_FILE,
	// SMART90_TERMS_FILE).
	PrivacyFile, TermsFile string
	// PrivacyURL and TermsURL are the operator's own pages: /privacy and
	// /terms redirect there, and the Teams package links there
	// (SMART90_PRIVACY_URL, SMART90_TERMS_URL).
	PrivacyURL, TermsURL string
}

// pagesFromEnv reads where the pages come from.
func pagesFromEnv(getenv func(string) string) pagesConfig {
	return pagesConfig{
		PrivacyFile: strings.TrimSpace(getenv("SMART90_PRIVACY_FILE")), TermsFile: strings.TrimSpace(getenv("SMART90_TERMS_FILE")),
		PrivacyURL: strings.TrimSpace(getenv("SMART90_PRIVACY_URL")), TermsURL: strings.TrimSpace(getenv("SMART90_TERMS_URL")),
	}
}

// problems lists what is wrong with the pages' settings: a URL that is
// not https (http only to this machine), or a page given both a file and
// a URL.
func (c pagesConfig) problems() []error {
	var errs []error
	for _, p := range []struct{ env, u, fileEnv, file string }{
		{"SMART90_PRIVACY_URL", c.PrivacyURL, "SMART90_PRIVACY_FILE", c.PrivacyFile},
		{"SMART90_TERMS_URL", c.TermsURL, "SMART90_TERMS_FILE", c.TermsFile},
	} {
		if p.u == "" {
			continue
		}
		if err := checkPageURL(p.u); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.env, err))
		}
		if p.file != "" {
			errs = append(errs, fmt.Errorf("%s and %s are both set: set one (the URL redirects there, the file is shown here)", p.env, p.fileEnv))
		}
	}
	return errs
}

// checkPageURL accepts an absolute https URL, or http to localhost or a
// loopback address (a page tried on one machine).
func checkPageURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an https URL like https://example.com/privacy", s)
	}
	if u.Scheme == "http" && !isLocalHost(u.Hostname()) {
		return fmt.Errorf("%q is http: use https (http is allowed only for localhost)", s)
	}
	return nil
}

// isLocalHost reports whether host is localhost or a loopback address.
func isLocalHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pageSection is a part of a default page: a heading, paragraphs and a list.
type pageSection struct {
	Heading string
	Paras   []string
	Items   []string
}

// pageData is what the page template shows: either the default text's
// sections or the operator file's paragraphs.
type pageData struct {
	Title    string
	Sections []pageSection
	Paras    []string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 42em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.text p { white-space: pre-wrap; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Sections}}{{if .Heading}}<h2>{{.Heading}}</h2>
{{end}}{{range .Paras}}<p>{{.}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{end}}{{if .Paras}}<div class="text">
{{range .Paras}}<p>{{.}}</p>
{{end}}</div>
{{end}}</body>
</html>
`))

// renderPage renders d as a whole HTML page, every text escaped.
func renderPage(d pageData) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render the %s page: %w", d.Title, err)
	}
	return b.Bytes(), nil
}

// fileParas splits an operator's text into paragraphs on blank lines.
func fileParas(text string) []string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var paras []string
	for _, p := range strings.Split(text, "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			paras = append(paras, p)
		}
	}
	return paras
}

// maxPageFile bounds an operator's page file.
const maxPageFile = 1 << 20

// pageHandler serves one page: a redirect to u when set, else file's text,
// else the default sections.
func pageHandler(title, u, file string, def []pageSection) (http.Handler, error) {
	if u != "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, u, http.StatusFound)
		}), nil
	}
	d := pageData{Title: title, Sections: def}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read the %s page's file: %w", strings.ToLower(title), err)
		}
		if len(b) > maxPageFile {
			return nil, fmt.Errorf("the %s page's file %s is %d bytes; at most %d", strings.ToLower(title), file, len(b), maxPageFile)
		}
		d = pageData{Title: title, Paras: fileParas(string(b))}
		if len(d.Paras) == 0 {
			return nil, fmt.Errorf("the %s page's file %s is empty", strings.ToLower(title), file)
		}
	}
	body, err := renderPage(d)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "public, max-age=300")
		w.Write(body)
	}), nil
}

// pageRoutes adds GET (and so HEAD) /privacy and /terms to mux; the mux
// answers other methods 405. It fails when an operator's file cannot be
// read.
func pageRoutes(mux *http.ServeMux, c pagesConfig) error {
	privacy, err := pageHandler("Privacy statement", c.PrivacyURL, c.PrivacyFile, defaultPrivacy)
	if err != nil {
		return err
	}
	terms, err := pageHandler("Terms of use", c.TermsURL, c.TermsFile, defaultTerms)
	if err != nil {
		return err
	}
	mux.Handle("GET /privacy", privacy)
	mux.Handle("GET /terms", terms)
	return nil
}
