// Package inproc holds the in-process implementations of what replicas
// otherwise share through Redis (store/redis): conversation state, event
// de-duplication and the outbound rate limiter. It is the embedded default
// for a single smart90 process.
package inproc

import (
	"context"
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
)

// State is an in-memory bot.ConversationState with expiry by an injected
// clock. It is safe for concurrent use.
type State struct {
	clock   bot.Clock
	mu      sync.Mutex
	vals    map[string]entry
	sweepAt int // sweep expired entries when len(vals) reaches this
}

type entry struct {
	value   string
	expires time.Time
}

var _ bot.ConversationState = (*State)(nil)

// NewState returns an empty State that reads time from clock.
func NewState(clock bot.Clock) *State {
	return &State{clock: clock, vals: map[string]entry{}}
}

// Get returns the value under key, or "" when missing or expired.
func (s *State) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.vals[key]
	if !ok || !s.clock.Now().Before(e.expires) {
		delete(s.vals, key)
		return "", nil
	}
	return e.value, nil
}

// Set stores value under key for ttl.
func (s *State) Set(_ context.Context, key, value string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if len(s.vals) >= s.sweepAt {
		// Keys nobody reads again would otherwise stay forever.
		for k, e := range s.vals {
			if !now.Before(e.expires) {
				delete(s.vals, k)
			}
		}
		s.sweepAt = max(2*len(s.vals), minSweep)
	}
	s.vals[key] = entry{value, now.Add(ttl)}
	return nil
}

// Delete removes key.
func (s *State) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vals, key)
	return nil
}
