package seal_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/smart90/smart90/store/seal"
)

// newSealer returns a Sealer on a fresh random key.
func newSealer(t testing.TB) *seal.Sealer {
	t.Helper()
	sl, err := seal.New(randomKey(t, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return sl
}

// randomKey returns n bytes from crypto/rand.
func randomKey(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

const ctxT1 = "slack:T1"

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	for _, plain := range []string{
		"xoxb-secret-123",
		"x",
		"\x00\x01\xfe\xff x\x00", // token bytes are opaque
		"héllo, 世界",
		strings.Repeat("long token ", 1000),
	} {
		sealed, err := sl.Seal(plain, ctxT1)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if !strings.HasPrefix(sealed, "v1:") || !seal.IsSealed(sealed) {
			t.Errorf("sealed value %q has no v1: prefix", sealed)
		}
		if len(plain) >= 8 && strings.Contains(sealed, plain) {
			t.Errorf("sealed value %q contains the plaintext", sealed)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimPrefix(sealed, "v1:")); err != nil {
			t.Errorf("sealed value is not unpadded base64url: %v", err)
		}
		got, err := sl.Open(sealed, ctxT1)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if got != plain {
			t.Errorf("Open(Seal(%q)) = %q", plain, got)
		}
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	sealed, err := sl.Seal("", ctxT1)
	if err != nil || sealed != "" {
		t.Errorf(`Seal("") = %q, %v; want "", nil`, sealed, err)
	}
	plain, err := sl.Open("", ctxT1)
	if err != nil || plain != "" {
		t.Errorf(`Open("") = %q, %v; want "", nil`, plain, err)
	}
}

func TestSealIsRandomized(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	a, err := sl.Seal("xoxb-secret-123", ctxT1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sl.Seal("xoxb-secret-123", ctxT1)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two seals of the same token are equal: %q", a)
	}
	// The nonces themselves differ, not only the ciphertexts.
	na, _ := base64.RawURLEncoding.DecodeString(a[3:])
	nb, _ := base64.RawURLEncoding.DecodeString(b[3:])
	if bytes.Equal(na[:12], nb[:12]) {
		t.Errorf("two seals used the same nonce %x", na[:12])
	}
}

func TestTamper(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	sealed, err := sl.Seal("xoxb-secret-123", ctxT1)
	if err != nil {
		t.Fatal(err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	// Every character of the value, prefix included, to every other
	// base64url character: the last character's spare bits included.
	for i := range len(sealed) {
		for _, c := range []byte(alphabet + ":v2") {
			if c == sealed[i] {
				continue
			}
			tampered := sealed[:i] + string(c) + sealed[i+1:]
			if got, err := sl.Open(tampered, ctxT1); err == nil {
				t.Fatalf("Open of the value with byte %d changed to %q succeeded: %q", i, c, got)
			}
		}
	}
	// Every bit of the decoded nonce, ciphertext and tag.
	raw, err := base64.RawURLEncoding.DecodeString(sealed[3:])
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for bit := range 8 {
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			tampered := "v1:" + base64.RawURLEncoding.EncodeToString(b)
			if _, err := sl.Open(tampered, ctxT1); !errors.Is(err, seal.ErrMismatch) {
				t.Fatalf("Open with bit %d of byte %d flipped: err = %v, want ErrMismatch", bit, i, err)
			}
		}
	}
	for name, tampered := range map[string]string{
		"truncated":     sealed[:len(sealed)-1],
		"tag cut off":   "v1:" + base64.RawURLEncoding.EncodeToString(raw[:len(raw)-16]),
		"extended":      sealed + "A",
		"byte appended": "v1:" + base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw), 0)),
		"padded":        "v1:" + base64.URLEncoding.EncodeToString(raw),
		"prefix only":   "v1:",
		"nonce only":    "v1:" + base64.RawURLEncoding.EncodeToString(raw[:12]),
	} {
		if got, err := sl.Open(tampered, ctxT1); err == nil {
			t.Errorf("Open of the %s value succeeded: %q", name, got)
		}
	}
}

func TestWrongKey(t *testing.T) {
	t.Parallel()
	sealed, err := newSealer(t).Seal("xoxb-secret-123", ctxT1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := newSealer(t).Open(sealed, ctxT1)
	if !errors.Is(err, seal.ErrMismatch) {
		t.Fatalf("Open with another key = %q, %v; want ErrMismatch", got, err)
	}
	if got != "" {
		t.Errorf("Open with another key returned %q with its error", got)
	}
	if !strings.Contains(err.Error(), "encryption key does not match") {
		t.Errorf("error %q does not say the encryption key does not match", err)
	}
	if strings.Contains(err.Error(), sealed[3:]) {
		t.Errorf("error %q contains the sealed value", err)
	}
}

func TestWrongContext(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	sealed, err := sl.Seal("xoxb-secret-123", "slack:T1")
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"slack:T2", "teams:T1", "slack:T1 ", "", "slack:"} {
		if got, err := sl.Open(sealed, other); !errors.Is(err, seal.ErrMismatch) {
			t.Errorf("Open for context %q = %q, %v; want ErrMismatch", other, got, err)
		}
	}
}

func TestOpenPlaintext(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	for _, legacy := range []string{"xoxb-secret-123", "V1:abc", " v1:abc", "v1"} {
		if seal.IsSealed(legacy) {
			t.Errorf("IsSealed(%q) = true", legacy)
		}
		got, err := sl.Open(legacy, ctxT1)
		if !errors.Is(err, seal.ErrNotSealed) {
			t.Errorf("Open(%q) = %q, %v; want ErrNotSealed", legacy, got, err)
		}
		if err != nil && len(legacy) > 4 && strings.Contains(err.Error(), legacy) {
			t.Errorf("error %q contains the value", err)
		}
	}
	if seal.IsSealed("") {
		t.Error(`IsSealed("") = true`)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	// 0xfb 0xff gives '+' and '/' in standard base64, '-' and '_' in URL.
	key := bytes.Repeat([]byte{0xfb, 0xff, 0xbf, 0x01}, 8)
	std := base64.StdEncoding.EncodeToString(key)
	url := base64.URLEncoding.EncodeToString(key)
	if !strings.ContainsAny(std, "+/") || !strings.ContainsAny(url, "-_") || !strings.HasSuffix(std, "=") {
		t.Fatalf("test key does not exercise both alphabets and padding: %s %s", std, url)
	}
	for name, s := range map[string]string{
		"std padded":     std,
		"std unpadded":   strings.TrimRight(std, "="),
		"url padded":     url,
		"url unpadded":   strings.TrimRight(url, "="),
		"hex":            hex.EncodeToString(key),
		"upper hex":      strings.ToUpper(hex.EncodeToString(key)),
		"trailing space": std + "\n",
	} {
		got, err := seal.ParseKey(s)
		if err != nil {
			t.Errorf("ParseKey(%s): %v", name, err)
			continue
		}
		if !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%s) = %x, want %x", name, got, key)
		}
		if _, err := seal.New(got); err != nil {
			t.Errorf("New(ParseKey(%s)): %v", name, err)
		}
	}

	secret := randomKey(t, 48)
	for name, s := range map[string]string{
		"empty":             "",
		"blank":             "  \n",
		"16 bytes base64":   base64.StdEncoding.EncodeToString(secret[:16]),
		"31 bytes base64":   base64.StdEncoding.EncodeToString(secret[:31]),
		"33 bytes base64":   base64.RawURLEncoding.EncodeToString(secret[:33]),
		"48 bytes base64":   base64.StdEncoding.EncodeToString(secret),
		"62 hex digits":     hex.EncodeToString(secret[:31]),
		"66 hex digits":     hex.EncodeToString(secret[:33]),
		"64 non-hex":        strings.Repeat("zq", 32),
		"passphrase":        "correct horse battery staple!",
		"mixed alphabets":   strings.Replace(strings.Replace(std, "+", "-", 1), "/", "/", 1),
		"padding inside":    std[:8] + "=" + std[9:],
		"16 bytes hex only": hex.EncodeToString(secret[:16]),
	} {
		got, err := seal.ParseKey(s)
		if err == nil {
			t.Errorf("ParseKey(%s) = %x, want an error", name, got)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "openssl rand -base64 32") {
			t.Errorf("ParseKey(%s) error %q does not say how to make a key", name, msg)
		}
		if !strings.Contains(msg, "SMART90_ENCRYPTION_KEY") {
			t.Errorf("ParseKey(%s) error %q does not name the variable", name, msg)
		}
		if trimmed := strings.TrimSpace(s); len(trimmed) >= 4 && strings.Contains(msg, trimmed) {
			t.Errorf("ParseKey(%s) error %q contains the given value", name, msg)
		}
	}
}

func TestNewRejectsShortKeys(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 24, 31, 33} {
		if _, err := seal.New(make([]byte, n)); err == nil {
			t.Errorf("New with a %d-byte key succeeded, want an error (AES-256 only)", n)
		}
	}
}

// TestRoundTripRandom is a property test: random tokens and contexts
// round-trip, and do not open for another context.
func TestRoundTripRandom(t *testing.T) {
	t.Parallel()
	seed := mrand.Uint64()
	t.Logf("seed %d", seed)
	r := mrand.New(mrand.NewPCG(seed, seed))
	sl := newSealer(t)
	for range 2000 {
		plain := randomBytes(r, r.IntN(300))
		context := string(randomBytes(r, r.IntN(40)))
		sealed, err := sl.Seal(string(plain), context)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 0 && !seal.IsSealed(sealed) {
			t.Fatalf("Seal(%q) = %q, not sealed", plain, sealed)
		}
		got, err := sl.Open(sealed, context)
		if err != nil {
			t.Fatalf("Open(Seal(%q, %q)): %v", plain, context, err)
		}
		if got != string(plain) {
			t.Fatalf("Open(Seal(%q, %q)) = %q", plain, context, got)
		}
		if len(plain) > 0 {
			if _, err := sl.Open(sealed, context+"x"); err == nil {
				t.Fatalf("Seal(%q, %q) opened for another context", plain, context)
			}
		}
	}
}

func randomBytes(r *mrand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("xoxb-secret-123", "slack:T1")
	f.Add("", "")
	f.Add("\x00\xff", "teams:tenant:with:colons")
	sl := newSealer(f)
	f.Fuzz(func(t *testing.T, plain, context string) {
		sealed, err := sl.Seal(plain, context)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sl.Open(sealed, context)
		if err != nil || got != plain {
			t.Fatalf("Open(Seal(%q, %q)) = %q, %v", plain, context, got, err)
		}
	})
}

// FuzzOpen checks that Open never panics, and never accepts a value Seal
// did not make.
func FuzzOpen(f *testing.F) {
	sl := newSealer(f)
	sealed, err := sl.Seal("xoxb-secret-123", ctxT1)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add("v1:")
	f.Add("v1:AAAA")
	f.Add("xoxb-secret-123")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := sl.Open(s, ctxT1)
		if err == nil && s != "" && s != sealed {
			t.Fatalf("Open(%q) = %q, accepted a forged value", s, got)
		}
	})
}
