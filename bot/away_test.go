package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestIsAway: which statuses mean out of office, with the default words.
func TestIsAway(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 14, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		st   bot.Status
		want bool
	}{
		{"no status", bot.Status{}, false},
		{"palm tree", bot.Status{Emoji: ":palm_tree:"}, true},
		{"palm tree, any case", bot.Status{Emoji: ":Palm_Tree:"}, true},
		{"an emoji word in the text is not the emoji", bot.Status{Text: ":palm_tree:"}, false},
		{"coffee", bot.Status{Emoji: ":coffee:", Text: "back in 10"}, false},
		{"OOO till Mon", bot.Status{Text: "OOO till Mon"}, true},
		{"ooo, lower case", bot.Status{Text: "ooo"}, true},
		{"Out of office", bot.Status{Text: "Out of office"}, true},
		{"out of office with extra spaces", bot.Status{Text: "Out   of\toffice until the 3rd"}, true},
		{"punctuation around", bot.Status{Text: "(vacation!)"}, true},
		{"Zoom is not OOO", bot.Status{Text: "Zoom"}, false},
		{"a word holding a word", bot.Status{Text: "sickle cell research"}, false},
		{"holidays", bot.Status{Text: "Christmas holidays"}, true},
		{"on holiday", bot.Status{Text: "On holiday till Monday"}, true},
		{"a holiday at work", bot.Status{Text: "Holiday campaign launch"}, false},
		{"off sick", bot.Status{Text: "Off sick today"}, true},
		{"sick of it", bot.Status{Text: "sick of meetings"}, false},
		{"in a meeting", bot.Status{Emoji: ":spiral_calendar_pad:", Text: "In a meeting"}, false},
		{"the platform says so", bot.Status{OutOfOffice: true}, true},
		{"not yet expired", bot.Status{Emoji: ":palm_tree:", Expires: now.Add(time.Minute)}, true},
		{"expired", bot.Status{Emoji: ":palm_tree:", Expires: now.Add(-time.Minute)}, false},
		{"expires right now", bot.Status{Text: "vacation", Expires: now}, false},
		{"platform OOO expired", bot.Status{OutOfOffice: true, Expires: now.Add(-time.Second)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := bot.IsAway(tt.st, bot.DefaultAwayWords, now); got != tt.want {
				t.Errorf("IsAway(%+v) = %v, want %v", tt.st, got, tt.want)
			}
		})
	}
}

// TestIsAwayOwnWords: a configured list replaces the default one.
func TestIsAwayOwnWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 14, 8, 0, 0, 0, time.UTC)
	words := []string{":sloth:", "Gone fishing"}
	for _, tt := range []struct {
		st   bot.Status
		want bool
	}{
		{bot.Status{Emoji: ":sloth:"}, true},
		{bot.Status{Text: "gone FISHING, back Monday"}, true},
		{bot.Status{Emoji: ":palm_tree:", Text: "vacation"}, false},
		{bot.Status{Text: "gone fishingrods"}, false},
	} {
		if got := bot.IsAway(tt.st, words, now); got != tt.want {
			t.Errorf("IsAway(%+v, %v) = %v, want %v", tt.st, words, got, tt.want)
		}
	}
}

// statused is a Messenger that can read statuses: st for everyone, or err.
type statused struct {
	*bottest.Messenger
	mu    sync.Mutex
	st    bot.Status
	err   error
	reads int
}

func (s *statused) Status(ctx context.Context, _ *bot.Installation, _ string) (bot.Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if _, ok := ctx.Deadline(); !ok {
		return bot.Status{}, errors.New("status read without a deadline")
	}
	return s.st, s.err
}

// TestDeliverSkipsWhenAway: a prompt to a person whose status says out of
// office is not sent and carries the reason; one whose status expired, or
// whose status cannot be read, is sent.
func TestDeliverSkipsWhenAway(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	ctx := context.Background()
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	now := b.Clock.Now()
	for _, tt := range []struct {
		name     string
		st       bot.Status
		err      error
		wantSent bool
	}{
		{"palm tree", bot.Status{Emoji: ":palm_tree:", Text: "Back on the 30th", Expires: now.Add(48 * time.Hour)}, nil, false},
		{"teams out of office", bot.Status{OutOfOffice: true}, nil, false},
		{"expired", bot.Status{Emoji: ":palm_tree:", Expires: now.Add(-time.Hour)}, nil, true},
		{"not granted", bot.Status{}, bot.ErrNoStatus, true},
		{"read fails", bot.Status{Text: "OOO"}, errors.New("users.profile.get: ratelimited"), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgr := &statused{Messenger: &bottest.Messenger{}, st: tt.st, err: tt.err}
			core, err := bot.New(bot.Config{Store: b.Store, Messenger: msgr, State: b.State, Clock: b.Clock})
			if err != nil {
				t.Fatal(err)
			}
			d := &bot.Delivery{PersonID: b.Person(t, ana).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily,
				Period: mon23.String(), DueAt: now.UTC(), State: bot.DeliveryPending}
			ref, needed, err := core.Deliver(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			sent := len(msgr.Messenger.SentTo(ana.ExternalID)) > 0
			if sent != tt.wantSent || needed != tt.wantSent || (ref != "") != tt.wantSent {
				t.Errorf("sent %v, needed %v, ref %q; want sent %v", sent, needed, ref, tt.wantSent)
			}
			wantReason := ""
			if !tt.wantSent {
				wantReason = bot.ReasonOutOfOffice
			}
			if d.SkipReason != wantReason {
				t.Errorf("SkipReason %q, want %q", d.SkipReason, wantReason)
			}
			if msgr.reads != 1 {
				t.Errorf("%d status reads, want 1", msgr.reads)
			}
		})
	}
}

// TestPaceForwardsStatus: a paced Messenger reads statuses through the
// one it paces, and says ErrNoStatus for one that cannot.
func TestPaceForwardsStatus(t *testing.T) {
	t.Parallel()
	lim := brokenLimiter{}
	inner := &statused{Messenger: &bottest.Messenger{}, st: bot.Status{Emoji: ":palm_tree:"}}
	m, err := bot.Pace(inner, bot.PaceConfig{Limiter: lim, Rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st, err := m.(bot.StatusReader).Status(ctx, &bot.Installation{}, "U1")
	if err != nil || st.Emoji != ":palm_tree:" {
		t.Errorf("paced status %+v, %v; want the inner one's", st, err)
	}
	plain, err := bot.Pace(&bottest.Messenger{}, bot.PaceConfig{Limiter: lim, Rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.(bot.StatusReader).Status(ctx, &bot.Installation{}, "U1"); !errors.Is(err, bot.ErrNoStatus) {
		t.Errorf("paced Messenger without statuses: %v, want ErrNoStatus", err)
	}
}

// stuckReader is a StatusReader that never answers until released, and
// does not heed its context (as a token fetch without one would not).
type stuckReader struct {
	*bottest.Messenger
	release chan struct{}
}

func (s *stuckReader) Status(context.Context, *bot.Installation, string) (bot.Status, error) {
	<-s.release
	return bot.Status{OutOfOffice: true}, nil
}

// TestDeliverDoesNotWaitForAStuckStatus: a status read that does not come
// back is given up after its bound, and the prompt goes out.
func TestDeliverDoesNotWaitForAStuckStatus(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	msgr := &stuckReader{Messenger: &bottest.Messenger{}, release: make(chan struct{})}
	t.Cleanup(func() { close(msgr.release) })
	core, err := bot.New(bot.Config{Store: b.Store, Messenger: msgr, State: b.State, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	d := &bot.Delivery{PersonID: b.Person(t, ana).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily,
		Period: mon23.String(), DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
	ref, needed, err := core.Deliver(context.Background(), d)
	if err != nil || !needed || ref == "" || d.SkipReason != "" {
		t.Fatalf("Deliver with a stuck status read: %q, %v, %v, reason %q; want the prompt sent", ref, needed, err, d.SkipReason)
	}
}

// TestStatusFailuresLoggedNowAndThen: a platform whose status reads fail
// is logged once in a while, not at every prompt.
func TestStatusFailuresLoggedNowAndThen(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	var logs bottest.Buffer
	msgr := &statused{Messenger: &bottest.Messenger{}, err: errors.New("users.profile.get: internal_error")}
	core, err := bot.New(bot.Config{Store: b.Store, Messenger: msgr, State: b.State, Clock: b.Clock,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	deliver := func() {
		t.Helper()
		d := &bot.Delivery{PersonID: b.Person(t, ana).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily,
			Period: mon23.String(), DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
		if _, needed, err := core.Deliver(context.Background(), d); err != nil || !needed {
			t.Fatalf("deliver: %v, %v", needed, err)
		}
	}
	const line = "read status: prompt sent as usual"
	for range 3 {
		deliver()
	}
	if n := strings.Count(logs.String(), line); n != 1 {
		t.Errorf("%d log lines for 3 failed reads, want 1:\n%s", n, logs.String())
	}
	b.Clock.Advance(10 * time.Minute)
	deliver()
	if n := strings.Count(logs.String(), line); n != 2 {
		t.Errorf("%d log lines after 10 minutes, want 2", n)
	}
}
