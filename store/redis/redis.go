// Package redis keeps in Redis what smart90 replicas must share in memory:
// short-lived conversation state (bot.ConversationState), event
// de-duplication (bot.Deduper) and the outbound rate limiter
// (bot.RateLimiter). Every key lives under the Client's prefix:
//
//	<prefix>state:<key>   a conversation's value, with its TTL
//	<prefix>seen:<key>    a de-duplication record, with its TTL
//	<prefix>rate:<key>    a limiter's theoretical arrival time, in server
//	                      microseconds, expiring when the key is at rest
//	<prefix>pause:<key>   a limiter's pause (a platform's Retry-After),
//	                      expiring when the pause ends
package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/bot"
)

// DefaultKeyPrefix is the prefix of every key a Client uses unless
// WithKeyPrefix says otherwise.
const DefaultKeyPrefix = "smart90:"

// Client is a connection pool to one Redis server holding the state smart90
// replicas share. It is safe for concurrent use.
type Client struct {
	rdb    *goredis.Client
	prefix string
}

var (
	_ bot.ConversationState = (*Client)(nil)
	_ bot.Deduper           = (*Client)(nil)
	_ bot.RateLimiter       = (*Client)(nil)
)

// DefaultTimeout bounds each step of a Redis call — taking a connection
// from the pool, dialling, writing, reading — unless WithTimeout says
// otherwise. Redis answers in well under a millisecond on a healthy
// network; a call that takes longer is a Redis that is down or cut off,
// and everything smart90 keeps in Redis has a fallback that is better than
// making a platform's request (and its 3-second ack) wait on redials.
const DefaultTimeout = 400 * time.Millisecond

// options is what Options set before the pool exists.
type options struct {
	prefix  string
	timeout time.Duration
}

// Option configures a Client in Open or New.
type Option func(*options)

// WithKeyPrefix puts every key the Client uses under prefix instead of
// DefaultKeyPrefix, so that deployments (or tests) sharing a server keep
// apart.
func WithKeyPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithTimeout bounds each step of a call (pool wait, dial, write, read) by
// d instead of DefaultTimeout or the timeouts the URL names
// (dial_timeout, read_timeout, write_timeout, pool_timeout). A d that is
// not positive is ignored.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// New returns a Client for the Redis server at url (redis:// or rediss://,
// as go-redis's ParseURL reads it) without connecting: the pool dials on
// first use, so a Client made while Redis is down starts working when it
// comes back. Only a URL that cannot be read is an error.
//
// Calls fail fast: each step is bounded (DefaultTimeout, WithTimeout), a
// failed dial is not retried within the call, and a failed command is
// retried at most once (a pooled connection the server closed).
func New(url string, opts ...Option) (*Client, error) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse Redis URL: %w", err)
	}
	var cfg options
	for _, opt := range opts {
		opt(&cfg)
	}
	// The URL's own timeouts stand unless WithTimeout overrides them.
	for _, d := range []*time.Duration{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout} {
		switch {
		case cfg.timeout > 0:
			*d = cfg.timeout
		case *d == 0:
			*d = DefaultTimeout
		}
	}
	// go-redis's defaults retry a dial five times and a command three
	// times with backoff: seconds of redials inside one call while Redis
	// is down. One attempt at dialling and one retry of a command that
	// met a dead pooled connection is enough; the callers fall back.
	o.DialerRetries = 1
	if o.MaxRetries == 0 {
		o.MaxRetries = 1
	}
	if o.MaxRetryBackoff == 0 {
		o.MaxRetryBackoff = 50 * time.Millisecond
	}
	return &Client{rdb: goredis.NewClient(o), prefix: cmp.Or(cfg.prefix, DefaultKeyPrefix)}, nil
}

// Open is New followed by a Ping, so a wrong URL fails here rather than at
// the first event.
func Open(ctx context.Context, url string, opts ...Option) (*Client, error) {
	c, err := New(url, opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Ping(ctx); err != nil {
		_ = c.rdb.Close()
		return nil, err
	}
	return c, nil
}

// Ping checks that the server answers, for readiness probes.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping Redis: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (c *Client) Close() error {
	return c.rdb.Close()
}

// Get returns the conversation state under key, or "" when there is none or
// it expired.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	v, err := c.rdb.Get(ctx, c.prefix+"state:"+key).Result()
	if errors.Is(err, goredis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("get conversation state: %w", err)
	}
	return v, nil
}

// Set stores value under key for ttl (rounded up to a millisecond). A ttl
// that is not positive leaves no value, as an entry expired at once would.
func (c *Client) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl <= 0 {
		return c.Delete(ctx, key)
	}
	if err := c.rdb.Set(ctx, c.prefix+"state:"+key, value, ceilMillis(ttl)).Err(); err != nil {
		return fmt.Errorf("set conversation state: %w", err)
	}
	return nil
}

// Delete removes the conversation state under key.
func (c *Client) Delete(ctx context.Context, key string) error {
	if err := c.rdb.Del(ctx, c.prefix+"state:"+key).Err(); err != nil {
		return fmt.Errorf("delete conversation state: %w", err)
	}
	return nil
}

// Seen records key for ttl (rounded up to a millisecond) with SET NX, so
// that of concurrent calls on any replicas exactly one finds it new.
func (c *Client) Seen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, bot.Errorf(bot.EINVALID, "A de-duplication TTL must be positive, not %v.", ttl)
	}
	fresh, err := c.rdb.SetNX(ctx, c.prefix+"seen:"+key, 1, ceilMillis(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("record event key: %w", err)
	}
	return !fresh, nil
}

// reserve is GCRA in one script, so a reservation is atomic, and on the
// server's clock (TIME), so replicas whose clocks differ still agree.
// KEYS[1] holds the theoretical arrival time (TAT) of the next send in
// microseconds; ARGV[1] is the emission interval in microseconds, ARGV[2]
// the burst. It returns 0 when admitted, else the microseconds to wait.
// Scripts replicate by effects (Redis ≥ 5 by default, always from 7), so
// reading TIME before a write is allowed.
// KEYS[2] is the key's pause: while it lives nothing is admitted.
var reserve = goredis.NewScript(`
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then
	return paused * 1000
end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < now then
	tat = now
end
local next = tat + interval
local allow_at = next - interval * burst
if now < allow_at then
	return allow_at - now
end
redis.call('SET', KEYS[1], string.format('%d', next),
	'PX', string.format('%d', math.ceil((next - now) / 1000)))
return 0
`)

// Reserve admits one send under key, or says how long to wait. The
// emission interval is rounded up to a microsecond, the server clock's
// resolution, which errs on the side of sending less.
func (c *Client) Reserve(ctx context.Context, key string, rate float64, burst int) (time.Duration, error) {
	if err := bot.CheckRate(rate, burst); err != nil {
		return 0, err
	}
	interval := int64(math.Ceil(1e6 / rate))
	us, err := reserve.Run(ctx, c.rdb, []string{c.prefix + "rate:" + key, c.prefix + "pause:" + key}, interval, burst).Int64()
	if err != nil {
		return 0, fmt.Errorf("reserve a send: %w", err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// pause extends KEYS[1]'s life to ARGV[1] milliseconds unless it already
// lives longer, so that a pause is never shortened.
var pause = goredis.NewScript(`
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
	redis.call('SET', KEYS[1], 1, 'PX', ms)
end
return 0
`)

// Pause holds every send under key for d (rounded up to a millisecond),
// on every replica sharing the server.
func (c *Client) Pause(ctx context.Context, key string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if err := pause.Run(ctx, c.rdb, []string{c.prefix + "pause:" + key}, ceilMillis(d).Milliseconds()).Err(); err != nil {
		return fmt.Errorf("pause sends: %w", err)
	}
	return nil
}

// ceilMillis rounds d up to a whole millisecond, Redis's TTL resolution, so
// nothing expires before it was asked to.
func ceilMillis(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
