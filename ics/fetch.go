package ics

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// DefaultMaxBytes is the largest calendar Fetch reads when the caller
// gives no limit: 4 MiB, far above a coach's year of events.
const DefaultMaxBytes = 4 << 20

// MaxRedirects is how many redirects Fetch follows.
const MaxRedirects = 3

// Validators are what a server said about the calendar's version, sent
// back so that an unchanged calendar answers 304 Not Modified.
type Validators struct {
	ETag         string
	LastModified string
}

// NormalizeURL parses a calendar address as a coach gives it: http or
// https, or webcal (read as https), with a host. Its errors never
// contain the address.
func NormalizeURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("the calendar address is not a valid web address")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	case "webcal", "webcals":
		u.Scheme = "https"
	default:
		return nil, errors.New("the calendar address must start with https://, http:// or webcal://")
	}
	if u.Hostname() == "" {
		return nil, errors.New("the calendar address has no host")
	}
	return u, nil
}

// Fetch reads the calendar at rawURL with client (nil means
// http.DefaultClient's transport), within ctx's deadline. A request
// carries v so that an unchanged calendar answers 304: then notModified
// is true and body nil. It follows at most MaxRedirects redirects, to
// http or https only, refuses an answer other than 2xx or 304, and one
// longer than maxBytes (DefaultMaxBytes when <= 0), reading at most
// maxBytes+1 bytes. next are the answer's validators (v when it gave
// none). Errors are in words for the coach and never contain the URL.
func Fetch(ctx context.Context, client *http.Client, rawURL string, v Validators, maxBytes int64) (body []byte, next Validators, notModified bool, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return nil, v, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, v, false, errors.New("the calendar address is not a valid web address")
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := limitRedirects(client).Do(req)
	if err != nil {
		return nil, v, false, describe(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, validators(resp, v), true, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, v, false, fmt.Errorf("the calendar address answered %s", statusText(resp.StatusCode))
	}
	if resp.ContentLength > maxBytes {
		return nil, v, false, tooLarge(maxBytes)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, v, false, describe(ctx, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, v, false, tooLarge(maxBytes)
	}
	return body, validators(resp, Validators{}), false, nil
}

// limitRedirects is a copy of client that follows at most MaxRedirects
// redirects, to http or https only.
func limitRedirects(client *http.Client) *http.Client {
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return errTooManyRedirects
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return errBadRedirect
		}
		return nil
	}
	return c
}

var (
	errTooManyRedirects = fmt.Errorf("the calendar address redirected more than %d times", MaxRedirects)
	errBadRedirect      = errors.New("the calendar address redirected to something other than a web address")
)

// validators are resp's validators, or keep's when it gave none.
func validators(resp *http.Response, keep Validators) Validators {
	next := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if next == (Validators{}) {
		return keep
	}
	return next
}

// statusText is "404 Not Found".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

func tooLarge(maxBytes int64) error {
	return fmt.Errorf("the calendar is larger than %s, the most I read", size(maxBytes))
}

// size is n bytes in words: "4 MiB", "512 KiB", "100 bytes".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// describe turns a transport error into words without the URL (a
// *url.Error's message holds it).
func describe(ctx context.Context, err error) error {
	if errors.Is(err, errTooManyRedirects) {
		return errTooManyRedirects
	}
	if errors.Is(err, errBadRedirect) {
		return errBadRedirect
	}
	if errors.Is(err, errNotPublic) {
		return errNotPublic
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return errors.New("the calendar address did not answer in time")
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return errors.New("the calendar address's host was not found")
	}
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	if errors.As(err, &cert) || errors.As(err, &unknown) || errors.As(err, &host) {
		return errors.New("the calendar address's certificate is not valid")
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return errors.New("the calendar address refused the connection")
	}
	return errors.New("the calendar address could not be read (the connection failed)")
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
