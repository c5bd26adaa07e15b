package publicnet_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
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
		// Linux connects 0.0.0.0/8 to this host itself.
		"0.1.2.3":          false,
		"0.0.0.1":          false,
		"240.0.0.1":        false, // reserved
		"::7f00:1":         false, // IPv4-compatible, deprecated
		"::ffff:0:7f00:1":  false, // IPv4-translated
		"64:ff9b:1::a00:1": false, // local-use NAT64
		"2002:7f00:1::":    false, // 6to4 of 127.0.0.1
		"fec0::1":          false, // site-local, deprecated
		"100::1":           false, // discard
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

// TestClient checks the client refuses a loopback server at connect
// time, however its address is written: 0.x.x.x reaches this host on
// Linux, and a mapped IPv6 address is the IPv4 one.
func TestClient(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	refusal := errors.New("refused")
	for _, host := range []string{"127.0.0.1", "0.1.2.3", "0.0.0.0", "[::ffff:127.0.0.1]", "localhost"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+host+":"+port+"/", nil)
		resp, err := publicnet.Client(refusal).Do(req)
		if err == nil {
			resp.Body.Close()
			t.Errorf("a request to %s, this host, went through", host)
			continue
		}
		if !errors.Is(err, refusal) {
			t.Errorf("%s: error = %v, want it to wrap the refusal", host, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}
}
