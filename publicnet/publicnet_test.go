package publicnet_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/smart90/smart90/publicnet"
)

// TestPublic checks which addresses count as the public internet.
func TestPublic(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"93.184.215.14":         true,
		"2606:2800:21f:cb07::1": true,
		"127.0.0.1":             false,
		"10.1.2.3":              false,
		"172.16.0.1":            false,
		"192.168.1.1":           false,
		"169.254.169.254":       false, // cloud metadata
		"100.64.0.1":            false, // carrier-grade NAT
		"0.0.0.0":               false,
		"224.0.0.1":             false,
		"::1":                   false,
		"::":                    false,
		"fd00::1":               false, // unique local
		"fe80::1":               false,
		"ff02::1":               false,
		"::ffff:127.0.0.1":      false,
		"64:ff9b::a00:1":        false,
	} {
		if got := publicnet.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestCheckHost checks addresses and names given by a person: literal
// private addresses and names that resolve to one are refused.
func TestCheckHost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, host := range []string{"127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "fd00::1", "localhost"} {
		if err := publicnet.CheckHost(ctx, nil, host); !errors.Is(err, publicnet.ErrNotPublic) {
			t.Errorf("CheckHost(%s) = %v, want ErrNotPublic", host, err)
		}
	}
	if err := publicnet.CheckHost(ctx, nil, "93.184.215.14"); err != nil {
		t.Errorf("CheckHost of a public address: %v", err)
	}
}

// TestClient checks the client refuses a loopback server at connect time.
func TestClient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	refusal := errors.New("refused")
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
	resp, err := publicnet.Client(refusal).Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request to a loopback server went through")
	}
	if !errors.Is(err, refusal) {
		t.Errorf("error = %v, want it to wrap the refusal", err)
	}
}
