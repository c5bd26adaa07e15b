package teams

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
)

// keysFetchTimeout bounds one refresh of the signing keys (metadata and
// key set together), so the requests waiting on it still answer in time.
const keysFetchTimeout = 5 * time.Second

// keyCache holds the signing keys of one OpenID metadata document.
//
// The keys themselves are read by github.com/MicahParks/jwkset and picked
// for a token by github.com/MicahParks/keyfunc/v3 (which also refuses a
// key whose "alg" differs from the token's). What stays here is what
// those libraries cannot express: the OpenID metadata -> jwks_uri step,
// a refresh policy on the injected clock (theirs runs on timers and a
// rate.Limiter of the wall clock), and the Bot Framework's
// "endorsements" member of each key, which jwkset does not keep.
type keyCache struct {
	metadataURL string
	client      *http.Client
	now         func() time.Time
	log         *slog.Logger

	set atomic.Pointer[keySet] // read without locking on every request

	mu          sync.Mutex // serialises fetches and guards the fields below
	lastAttempt time.Time
	lastErr     error
}

// keySet is one fetch of the key set.
type keySet struct {
	keys keyfunc.Keyfunc // over a jwkset memory storage of the usable keys
	// endorsements are the channel ids each key (by kid) may sign for;
	// nil for a key that carries none.
	endorsements map[string][]string
	fetchedAt    time.Time
}

// has reports whether the set holds a key with that kid.
func (s *keySet) has(ctx context.Context, kid string) bool {
	_, err := s.keys.Storage().KeyRead(ctx, kid)
	return err == nil
}

// key returns a key set holding kid, fetching the key set when it is
// missing, stale or lacks that kid, within the rate limits above.
func (c *keyCache) key(ctx context.Context, kid string) (*keySet, error) {
	if set, ok := c.fresh(ctx, kid); ok {
		return set, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Another request may have fetched while this one waited.
	if set, ok := c.fresh(ctx, kid); ok {
		return set, nil
	}
	set := c.set.Load()
	now := c.now()
	wait := keysRefreshEvery
	if set == nil {
		wait = keysRetryEvery
	}
	if c.lastAttempt.IsZero() || now.Sub(c.lastAttempt) >= wait {
		c.lastAttempt = now
		c.lastErr = nil
		// Bounded: requests wait on this fetch, and Teams on them.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keysFetchTimeout)
		fetched, err := c.fetch(fctx)
		cancel()
		if err != nil {
			c.lastErr = err
			c.log.Warn("teams auth: fetch signing keys", "metadata_url", c.metadataURL, "err", err)
		} else {
			c.set.Store(fetched)
			set = fetched
		}
	}
	// A stale key is still better than none when a refresh failed.
	if set != nil && set.has(ctx, kid) {
		return set, nil
	}
	if c.lastErr != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, c.lastErr)
	}
	return nil, fmt.Errorf("%w %q", errUnknownKid, kid)
}

// fresh returns the key set when it is younger than keysMaxAge and holds kid.
func (c *keyCache) fresh(ctx context.Context, kid string) (*keySet, bool) {
	set := c.set.Load()
	if set == nil || c.now().Sub(set.fetchedAt) >= keysMaxAge {
		return nil, false
	}
	return set, set.has(ctx, kid)
}

// fetch reads the metadata document, then the key set it points to.
func (c *keyCache) fetch(ctx context.Context) (*keySet, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := c.getJSON(ctx, c.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("get OpenID metadata: %w", err)
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("OpenID metadata has no jwks_uri")
	}
	if err := checkFetchURL(meta.JWKSURI); err != nil {
		return nil, fmt.Errorf("OpenID metadata jwks_uri: %w", err)
	}
	var jwks struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := c.getJSON(ctx, meta.JWKSURI, &jwks); err != nil {
		return nil, fmt.Errorf("get signing keys: %w", err)
	}
	store := jwkset.NewMemoryStorage()
	set := &keySet{endorsements: map[string][]string{}, fetchedAt: c.now()}
	for _, raw := range jwks.Keys {
		k, err := parseKey(raw)
		if err != nil {
			c.log.Warn("teams auth: skip signing key", "kid", k.kid, "err", err)
			continue
		}
		if k.jwk == nil {
			continue
		}
		if err := store.KeyWrite(ctx, *k.jwk); err != nil {
			return nil, fmt.Errorf("keep signing key %q: %w", k.kid, err)
		}
		set.endorsements[k.kid] = k.endorsements
	}
	if len(set.endorsements) == 0 {
		return nil, errors.New("the key set has no usable RSA signing key")
	}
	keys, err := keyfunc.New(keyfunc.Options{Storage: store})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	set.keys = keys
	return set, nil
}

func (c *keyCache) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, keysMaxBody+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > keysMaxBody {
		return fmt.Errorf("GET %s: body over %d bytes", u, keysMaxBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: decode: %w", u, err)
	}
	return nil
}

// signingKey is one key of the Bot Framework's JWKS as parseKey reads it.
type signingKey struct {
	kid string
	jwk *jwkset.JWK // nil: not an RSA signing key, skipped
	// endorsements are the channel ids the key may sign for: nil when the
	// key has no "endorsements" member, empty when it endorses nothing.
	endorsements []string
}

// parseKey reads one key of the JWKS with jwkset, keeping only RSA
// signing keys (jwk nil for the others) and refusing, around jwkset, a
// key without a kid, a modulus under 2048 bits or an exponent that is
// even, under 3 or over 4 bytes.
func parseKey(raw json.RawMessage) (signingKey, error) {
	var m jwkset.JWKMarshal
	var extra struct {
		Endorsements []string `json:"endorsements"` // nil when absent; [] when empty
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return signingKey{}, err
	}
	if err := json.Unmarshal(raw, &extra); err != nil {
		return signingKey{}, err
	}
	k := signingKey{kid: m.KID}
	if m.KTY != jwkset.KtyRSA || m.USE != "" && m.USE != jwkset.UseSig {
		return k, nil
	}
	if m.KID == "" {
		return k, errors.New("no kid")
	}
	if len(strings.TrimRight(m.E, "=")) > 6 { // more than 4 bytes
		return k, errors.New("bad exponent")
	}
	jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return k, err
	}
	pub, ok := jwk.Key().(*rsa.PublicKey)
	if !ok {
		return k, fmt.Errorf("an RSA key read as %T", jwk.Key())
	}
	if pub.N.BitLen() < 2048 {
		return k, fmt.Errorf("modulus of %d bits, want at least 2048", pub.N.BitLen())
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return k, errors.New("bad exponent")
	}
	k.jwk, k.endorsements = &jwk, extra.Endorsements
	return k, nil
}
