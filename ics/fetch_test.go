package ics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/ics"
)

const secretPath = "/calendar/ical/coach%40example.com/private-5ecret/basic.ics"

func TestFetch(t *testing.T) {
	t.Parallel()
	body := read(t, "coaching.ics")
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux := http.NewServeMux()
	mux.HandleFunc("/calendar/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Wed, 03 Mar 2027 09:00:00 GMT")
		w.Write(body)
	})
	mux.HandleFunc("/big.ics", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 2000)))
	})
	mux.HandleFunc("/big-declared.ics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.Write([]byte(strings.Repeat("x", 5000)))
	})
	mux.HandleFunc("/slow.ics", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/moved/", func(w http.ResponseWriter, r *http.Request) {
		n := strings.Count(r.URL.Path, "/") - 2 // /moved/ → 0, /moved/x/ → 1…
		if n < 4 {
			http.Redirect(w, r, r.URL.Path+"x/", http.StatusFound)
			return
		}
		w.Write(body)
	})
	mux.HandleFunc("/once", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secretPath, http.StatusMovedPermanently)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/cal.ics", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := t.Context()

	got, v, notModified, err := ics.Fetch(ctx, srv.Client(), srv.URL+secretPath, ics.Validators{}, 0)
	if err != nil || notModified || string(got) != string(body) {
		t.Fatalf("first Fetch = %d bytes, notModified %v, %v; want the calendar", len(got), notModified, err)
	}
	if v.ETag != `"v1"` || v.LastModified != "Wed, 03 Mar 2027 09:00:00 GMT" {
		t.Errorf("validators = %+v", v)
	}
	got, v2, notModified, err := ics.Fetch(ctx, srv.Client(), srv.URL+secretPath, v, 0)
	if err != nil || !notModified || got != nil || v2 != v {
		t.Errorf("conditional Fetch = %d bytes, %+v, notModified %v, %v; want 304 keeping the validators", len(got), v2, notModified, err)
	}
	// Redirects: one is followed; more than three are refused, as is one
	// away from the web.
	if got, _, _, err := ics.Fetch(ctx, srv.Client(), srv.URL+"/once", ics.Validators{}, 0); err != nil || string(got) != string(body) {
		t.Errorf("Fetch through a redirect = %d bytes, %v", len(got), err)
	}

	fails := []struct {
		name, url string
		max       int64
		ctx       func() (context.Context, context.CancelFunc)
		want      string
	}{
		{"404", srv.URL + "/calendar-gone" + secretPath, 0, nil, "the calendar address answered 404 Not Found"},
		{"over the limit", srv.URL + "/big.ics", 1000, nil, "the calendar is larger than 1000 bytes, the most I read"},
		{"declared over the limit", srv.URL + "/big-declared.ics", 4096, nil, "the calendar is larger than 4 KiB, the most I read"},
		{"timeout", srv.URL + "/slow.ics", 0, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 50*time.Millisecond)
		}, "the calendar address did not answer in time"},
		{"four redirects", srv.URL + "/moved/", 0, nil, "the calendar address redirected more than 3 times"},
		{"redirect to ftp", srv.URL + "/ftp", 0, nil, "the calendar address redirected to something other than a web address"},
		{"ftp", "ftp://example.com" + secretPath, 0, nil, "the calendar address must start with https://, http:// or webcal://"},
		{"no host", "https://" + secretPath, 0, nil, "the calendar address has no host"},
	}
	for _, f := range fails {
		c, cancel := ctx, context.CancelFunc(func() {})
		if f.ctx != nil {
			c, cancel = f.ctx()
		}
		_, _, _, err := ics.Fetch(c, srv.Client(), f.url, ics.Validators{}, f.max)
		cancel()
		if err == nil || err.Error() != f.want {
			t.Errorf("%s: err = %v, want %q", f.name, err, f.want)
		}
		if err != nil && (strings.Contains(err.Error(), "5ecret") || strings.Contains(err.Error(), srv.URL)) {
			t.Errorf("%s: the error %q holds the address", f.name, err)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	u, err := ics.NormalizeURL(" webcal://calendar.example.com/private/basic.ics ")
	if err != nil || u.String() != "https://calendar.example.com/private/basic.ics" {
		t.Errorf("webcal: %v, %v; want https", u, err)
	}
}

// TestPublicClient checks the client for coaches' addresses refuses the
// service's own network: the loopback test server here.
func TestPublicClient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("BEGIN:VCALENDAR")) }))
	t.Cleanup(srv.Close)
	_, _, _, err := ics.Fetch(t.Context(), ics.PublicClient(), srv.URL+secretPath, ics.Validators{}, 0)
	if err == nil || err.Error() != "the calendar address is not on the public internet" {
		t.Errorf("Fetch of a loopback address with PublicClient: %v, want a refusal", err)
	}
	host := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if _, _, _, err := ics.Fetch(t.Context(), ics.PublicClient(), host+secretPath, ics.Validators{}, 0); err == nil {
		t.Error("Fetch of localhost with PublicClient worked, want a refusal")
	}
}
