package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// outcomes records what SettleEvent asked of it.
type outcomes struct {
	calls []string
	err   error
}

func (o *outcomes) FinishEvent(ctx context.Context, key string, _ time.Time, keep time.Duration) error {
	if _, ok := ctx.Deadline(); !ok || ctx.Err() != nil {
		o.calls = append(o.calls, "finish on a dead or unbounded context")
	}
	o.calls = append(o.calls, "finish "+key+" "+keep.String())
	return o.err
}

func (o *outcomes) ReleaseEvent(_ context.Context, key string) error {
	o.calls = append(o.calls, "release "+key)
	return o.err
}

func TestSettleEvent(t *testing.T) {
	t.Parallel()
	done, cancel := context.WithCancel(context.Background())
	cancel() // the handling used up its context: the record is still written
	storeDown := errors.New("database unavailable")
	for _, tt := range []struct {
		name      string
		key       string
		handleErr error
		recordErr error
		handled   bool
		calls     string
	}{
		{"handled", "k1", nil, nil, true, "finish k1 1h0m0s"},
		{"refused in plain words", "k2", bot.Errorf(bot.EINVALID, "no"), nil, true, "finish k2 1h0m0s"},
		{"internal failure", "k3", bot.Errorf(bot.EINTERNAL, "store"), nil, false, "release k3"},
		{"a plain error is internal", "k4", storeDown, nil, false, "release k4"},
		{"never claimed", "", storeDown, nil, false, ""},
		{"handled, record failed", "k5", nil, storeDown, true, "finish k5 1h0m0s"},
	} {
		o := &outcomes{err: tt.recordErr}
		handled, err := bot.SettleEvent(done, o, tt.key, time.Now(), time.Hour, time.Second, tt.handleErr)
		if handled != tt.handled || !errors.Is(err, tt.recordErr) {
			t.Errorf("%s: handled %v, %v; want %v, %v", tt.name, handled, err, tt.handled, tt.recordErr)
		}
		if got := strings.Join(o.calls, "; "); got != tt.calls {
			t.Errorf("%s: calls %q, want %q", tt.name, got, tt.calls)
		}
	}
}
