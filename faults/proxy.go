package faults

import (
	"fmt"
	"net/url"
	"strings"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
)

// proxies are the TCP proxies in front of PostgreSQL and Redis.
type proxies struct {
	byName map[string]*toxiproxy.Proxy
}

// newProxies starts a proxy on a free loopback port for each upstream
// (name → host:port).
func newProxies(upstreams map[string]string) (*proxies, error) {
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := &proxies{byName: map[string]*toxiproxy.Proxy{}}
	for name, up := range upstreams {
		px := toxiproxy.NewProxy(srv, name, "127.0.0.1:0", up)
		if err := px.Start(); err != nil {
			p.close()
			return nil, fmt.Errorf("start the %s proxy: %w", name, err)
		}
		p.byName[name] = px
	}
	return p, nil
}

// addr is where the named proxy listens; a restarted proxy listens there
// again, so clients reconnect to the same address.
func (p *proxies) addr(name string) string {
	px := p.byName[name]
	px.Lock()
	defer px.Unlock()
	return px.Listen
}

// cut closes the named proxy's connections and refuses new ones.
func (p *proxies) cut(name string) error {
	px, ok := p.byName[name]
	if !ok {
		return fmt.Errorf("no proxy %q", name)
	}
	px.Stop()
	return nil
}

// restore accepts connections on the named proxy again.
func (p *proxies) restore(name string) error {
	px := p.byName[name]
	px.Lock()
	enabled := px.Enabled
	px.Unlock()
	if enabled {
		return nil
	}
	if err := px.Start(); err != nil {
		return fmt.Errorf("restore the %s proxy: %w", name, err)
	}
	return nil
}

func (p *proxies) close() {
	for _, px := range p.byName {
		px.Stop()
	}
}

// hostPort is the host:port a postgres:// or redis:// URL connects to.
func hostPort(raw, defPort string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not a URL with a host", raw)
	}
	if u.Port() == "" {
		return u.Host + ":" + defPort, nil
	}
	return u.Host, nil
}

// via returns raw with its host:port replaced by addr (a proxy's).
func via(raw, addr string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Host = addr
	return u.String()
}

// withParam adds key=value to a URL's query.
func withParam(raw, key, value string) string {
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + url.QueryEscape(key) + "=" + url.QueryEscape(value)
}
