package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealthcheck runs `smart90 healthcheck URL` against a ready server
// (success), one answering 503 (failure) and an address nobody listens on
// (failure).
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer ready.Close()
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":"stopping"}`, http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	// An address that was listening and is closed: nothing answers there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + l.Addr().String() + "/readyz"
	l.Close()

	for _, tc := range []struct {
		name, url string
		ok        bool
		says      string
	}{
		{"ready", ready.URL + "/readyz", true, ""},
		{"wrong path", ready.URL + "/nope", false, "404"},
		{"503", notReady.URL + "/readyz", false, "503"},
		{"unreachable", gone, false, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Run(t.Context(), []string{"healthcheck", tc.url}, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
			if tc.ok {
				if err != nil || strings.TrimSpace(out.String()) != "ok" {
					t.Fatalf("healthcheck %s: err %v, out %q; want ok", tc.url, err, out.String())
				}
				return
			}
			if err == nil {
				t.Fatalf("healthcheck %s succeeded; want a failure", tc.url)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("healthcheck %s: error %q does not say %q", tc.url, err, tc.says)
			}
		})
	}
}
