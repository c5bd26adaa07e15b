package bot_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/redis/redistest"
)

// recordingState remembers every key set, so that a test can ask the
// in-process state, which cannot be listed, about each one afterwards.
type recordingState struct {
	bot.ConversationState
	mu   sync.Mutex
	keys []string
}

func (s *recordingState) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	s.mu.Lock()
	s.keys = append(s.keys, key)
	s.mu.Unlock()
	return s.ConversationState.Set(ctx, key, value, ttl)
}

// stateKeys lists what a coordination holds: each key with its value.
type stateKeys func(t testing.TB) map[string]string

// TestForgetMeLeavesNoState: after forget-me, no conversation state of the
// person is left, on either coordination: no key names them, no value
// points at their data.
func TestForgetMeLeavesNoState(t *testing.T) {
	t.Parallel()
	t.Run("inproc", func(t *testing.T) {
		t.Parallel()
		clock := bottest.NewClock(bottest.Start)
		rec := &recordingState{ConversationState: inproc.NewState(clock)}
		b := bottest.SetupWith(t, bottest.Options{State: rec, Clock: clock})
		testForgetMeLeavesNoState(t, b, func(t testing.TB) map[string]string {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			out := map[string]string{}
			for _, k := range rec.keys {
				if v, err := rec.Get(context.Background(), k); err != nil {
					t.Fatal(err)
				} else if v != "" {
					out[k] = v
				}
			}
			return out
		})
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		url, prefix := redistest.Prefix(t)
		b := bottest.SetupWith(t, bottest.Options{State: redistest.Open(t, url, prefix)})
		o, err := goredis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		rdb := goredis.NewClient(o)
		t.Cleanup(func() { rdb.Close() })
		testForgetMeLeavesNoState(t, b, func(t testing.TB) map[string]string {
			ctx := context.Background()
			out := map[string]string{}
			iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
			for iter.Next(ctx) {
				v, err := rdb.Get(ctx, iter.Val()).Result()
				if err != nil && err != goredis.Nil {
					t.Fatal(err)
				}
				out[strings.TrimPrefix(iter.Val(), prefix)] = v
			}
			if err := iter.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		})
	})
}

func testForgetMeLeavesNoState(t *testing.T, b *bottest.Bundle, keys stateKeys) {
	e := b.Engage(t, coach, ana)
	b.Command(t, ana, "rocks add Launch the pricing page")
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	b.Prompt(t, ana, bot.DeliveryDaily, mon23)
	has(t, b.Say(t, ana, "shipped the draft"), "*2/4*")
	me := b.Person(t, ana)
	// A key or value mentions ana when it names her id, her user id, her
	// name or her engagement.
	mentions := func(s string) bool {
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '/' || r == ' ' })
		return slices.Contains(parts, strconv.FormatInt(me.ID, 10)) || slices.Contains(parts, strconv.FormatInt(e.ID, 10)) ||
			strings.Contains(s, ana.ExternalID) || strings.Contains(s, ana.DisplayName)
	}
	ofAna := func() []string {
		var out []string
		for k, v := range keys(t) {
			if mentions(k) || mentions(v) {
				out = append(out, k+" = "+v)
			}
		}
		return out
	}
	if len(ofAna()) == 0 {
		t.Fatalf("before forget-me, no state mentions ana (id %d): the test would prove nothing", me.ID)
	}

	has(t, b.Click(t, ana, bot.ActionForgetConfirm, ""), "everything smart90 kept about you is deleted")
	for _, kv := range ofAna() {
		t.Errorf("after forget-me, the state still holds %s", kv)
	}
	// The coach's messages and commands write nothing of her back.
	b.Command(t, coach, "clients")
	for _, kv := range ofAna() {
		t.Errorf("after the coach's next command, the state holds %s", kv)
	}
}
