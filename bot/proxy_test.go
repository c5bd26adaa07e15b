package bot_test

import (
	"net/url"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// postgresBehindProxy opens a fresh, migrated test database through a
// TCP proxy: Stop the proxy to cut the database off (the shared server
// runs on), Start it to bring it back.
func postgresBehindProxy(t *testing.T) (*postgres.DB, *toxiproxy.Proxy) {
	t.Helper()
	ctx := t.Context()
	direct := pgtest.URL(t)
	u, err := url.Parse(direct)
	if err != nil || u.Host == "" {
		t.Skipf("the test database URL %q is not a URL with a host", direct)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream += ":5432"
	}
	px := toxiproxy.NewProxy(toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop()), "postgres", "127.0.0.1:0", upstream)
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.Stop)
	u.Host = px.Listen
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db, px
}
