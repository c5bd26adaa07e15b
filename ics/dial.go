package ics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// errNotPublic is the reason a PublicClient refuses an address.
var errNotPublic = errors.New("the calendar address is not on the public internet")

// PublicClient returns an HTTP client for calendars that connects to
// public internet addresses only: a coach types the address, and it must
// not reach the service's own network (loopback, private ranges, link-
// local cloud metadata). The check runs on the resolved address at
// connect time, so a name that resolves to a private address is refused
// too, redirects included.
func PublicClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !public(ap.Addr()) {
			return errNotPublic
		}
		return nil
	}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: t}
}

// public reports whether a is a global unicast address outside the
// private, shared and documentation ranges.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range []netip.Prefix{
		netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 private ranges
	} {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
