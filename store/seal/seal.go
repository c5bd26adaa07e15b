// Package seal encrypts bot tokens and calendar addresses at rest.
//
// A Sealer seals a token with AES-256-GCM under the key from
// SMART90_ENCRYPTION_KEY, binding it to a context string (the
// installation's platform and external id), so a sealed token copied to
// another installation's row does not open. Store wraps a bot.Store so
// that callers only ever see plaintext tokens and the database only ever
// holds sealed ones.
//
// A sealed value is "v1:" followed by the unpadded base64url encoding of a
// 12-byte random nonce and the ciphertext with its 16-byte tag. The prefix
// names the format, so a later one can be told apart and a plaintext token
// left in the database is refused rather than used.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// prefix starts every sealed value of the current format.
const prefix = "v1:"

// encoding is strict so that every character of a sealed value matters:
// a lenient decoder ignores the spare bits of the last character, and a
// change there would open as if nothing had been touched.
var encoding = base64.RawURLEncoding.Strict()

// ErrNotSealed is returned by Open for a value that is not sealed, such as
// a plaintext token stored before encryption was turned on.
var ErrNotSealed = errors.New("the value is not sealed (no " + prefix + " prefix)")

// ErrMismatch is returned by Open when a sealed value does not open: it was
// sealed under another encryption key, for another context, or altered.
// AES-GCM cannot tell these apart; a changed key is by far the most likely.
var ErrMismatch = errors.New("the encryption key does not match the one the value was sealed with " +
	"(or the value was altered, or belongs to another installation)")

// howTo ends every key error: how to make a good key.
const howTo = "SMART90_ENCRYPTION_KEY must be 32 random bytes as base64 or as 64 hex digits; " +
	"make one with: openssl rand -base64 32"

// ParseKey decodes a key as given in SMART90_ENCRYPTION_KEY: 32 bytes as
// base64 (standard or URL alphabet, padded or not) or as 64 hex digits.
// Surrounding white space is ignored. Its errors never contain s, which is
// a secret.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("parse encryption key: it is empty; " + howTo)
	}
	// 64 hex digits are also valid base64 (of 48 bytes), so hex goes first.
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	decoded := false
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) == KeySize {
			return key, nil
		}
		decoded = true
	}
	if decoded {
		// Base64 that decodes to a key of the wrong size: most often
		// "openssl rand -base64 16" or a truncated copy.
		return nil, errors.New("parse encryption key: it is not 32 bytes long; " + howTo)
	}
	return nil, errors.New("parse encryption key: it is neither base64 nor hex; " + howTo)
}

// Sealer seals and opens values with one key. It is safe for concurrent
// use.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer for a KeySize-byte key, as ParseKey returns it.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("new sealer: the key is %d bytes, want %d; %s", len(key), KeySize, howTo)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext for context and returns the sealed value. The
// same context must be given to Open. An empty plaintext (no token) seals
// to "". Each call draws a fresh random nonce, so sealing the same value
// twice gives two different results.
func (s *Sealer) Seal(plaintext, context string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	ns := s.aead.NonceSize()
	buf := make([]byte, ns, ns+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("seal: read nonce: %w", err)
	}
	buf = s.aead.Seal(buf, buf[:ns], []byte(plaintext), []byte(context))
	return prefix + encoding.EncodeToString(buf), nil
}

// Open decrypts a value that Seal returned for the same context. "" opens
// to "". A value without the "v1:" prefix is ErrNotSealed; one that does
// not authenticate is ErrMismatch. Errors never contain the
// value.
func (s *Sealer) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if !IsSealed(sealed) {
		return "", fmt.Errorf("open sealed value: %w", ErrNotSealed)
	}
	buf, err := encoding.DecodeString(sealed[len(prefix):])
	ns := s.aead.NonceSize()
	if err != nil || len(buf) < ns+s.aead.Overhead() {
		return "", errors.New("open sealed value: it is malformed (not base64url, or too short)")
	}
	plaintext, err := s.aead.Open(nil, buf[:ns], buf[ns:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("open sealed value: %w", ErrMismatch)
	}
	return string(plaintext), nil
}

// IsSealed reports whether s is in the sealed format (it has the "v1:"
// prefix), so a migration can find plaintext tokens stored before
// encryption and seal them. It does not check that s opens. A platform
// token never starts with "v1:".
func IsSealed(s string) bool {
	return strings.HasPrefix(s, prefix)
}
