// Package publicnet keeps outbound requests that a person chose the
// address of (a coach's calendar, a coach's webhook) on the public
// internet: they must not reach the service's own network (loopback,
// private ranges, link-local cloud metadata).
package publicnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Client returns an HTTP client that connects to public internet
// addresses only and fails with refusal (wrapped) for any other. The
// check runs on the resolved address at connect time, so a name that
// resolves to a private address is refused too, redirects included, and
// so is a name whose answer changed since it was last checked. The client
// uses no proxy: a proxy would connect on its behalf, unchecked.
func Client(refusal error) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !Public(ap.Addr()) {
			return refusal
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

// Public reports whether a is a global unicast address outside the
// private (IPv4 RFC 1918, IPv6 unique local fc00::/7), loopback,
// link-local, carrier-grade NAT, benchmarking and NAT64 ranges. The
// unspecified and multicast addresses are not global unicast; nor is
// 0.0.0.0/8, which Linux connects to this host itself, nor 240.0.0.0/4.
// An IPv6 address must be in 2000::/3, the global unicast space, and not
// one that embeds an IPv4 address a relay or translator could reach
// (6to4, NAT64), so the deprecated IPv4-compatible (::a.b.c.d),
// IPv4-translated and site-local forms are refused too.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	if a.Is6() && !globalIPv6.Contains(a) {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// globalIPv6 is the IPv6 global unicast space.
var globalIPv6 = netip.MustParsePrefix("2000::/3")

// notPublic are the ranges inside the global unicast space that are not
// the public internet.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network": Linux connects it to this host
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 can reach IPv4 private ranges
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4 embeds any IPv4 address
	netip.MustParsePrefix("2001::/32"),      // Teredo embeds one too
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
}

// ErrNotPublic is what CheckHost returns, wrapped, for a host that is or
// resolves to an address that is not Public.
var ErrNotPublic = errors.New("not on the public internet")

// Resolver resolves a host name to its addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckHost returns nil when host is a public address, or a name all of
// whose addresses are public, as r resolves it (net.DefaultResolver when
// nil). It is the early, friendly check at the time a person gives the
// address; Client checks again at every connection, which is what
// protects.
func CheckHost(ctx context.Context, r Resolver, host string) error {
	if a, err := netip.ParseAddr(host); err == nil {
		if !Public(a) {
			return fmt.Errorf("%s is %w", host, ErrNotPublic)
		}
		return nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if !Public(a) {
			return fmt.Errorf("%s resolves to %s, which is %w", host, a.Unmap(), ErrNotPublic)
		}
	}
	return nil
}
