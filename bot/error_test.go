package bot_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// TestRetryAfter: the wait is found wherever the *RetryAfterError sits in
// the chain (behind a wrap, inside a partial send), and is 0 when nothing
// asked for one.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	limited := &bot.RetryAfterError{Err: errors.New("chat.postMessage: slack rate limit exceeded"), After: 2 * time.Second, Method: "chat.postMessage"}
	for _, tt := range []struct {
		name string
		err  error
		want time.Duration
	}{
		{"nil", nil, 0},
		{"another error", errors.New("connection reset"), 0},
		{"the error itself", limited, 2 * time.Second},
		{"wrapped", fmt.Errorf("send check-in: %w", limited), 2 * time.Second},
		{"in a partial send", &bot.PartialSendError{Ref: "m0", Sent: 1, Err: limited}, 2 * time.Second},
		{"no wait asked", &bot.RetryAfterError{Err: errors.New("HTTP 429")}, 0},
		{"ten years asked", &bot.RetryAfterError{After: 10 * 365 * 24 * time.Hour}, bot.MaxRetryAfter},
		{"overflowed to negative", &bot.RetryAfterError{After: -time.Second}, 0},
	} {
		if got := bot.RetryAfter(tt.err); got != tt.want {
			t.Errorf("%s: RetryAfter(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestRetryAfterErrorText: the error reads as the platform's failure and
// unwraps to it; without one it still says what to wait for.
func TestRetryAfterErrorText(t *testing.T) {
	t.Parallel()
	cause := errors.New("chat.postMessage: slack rate limit exceeded, retry after 2s")
	e := &bot.RetryAfterError{Err: cause, After: 2 * time.Second, Method: "chat.postMessage"}
	if e.Error() != cause.Error() || !errors.Is(e, cause) || e.RetryAfter() != 2*time.Second {
		t.Errorf("%q (unwraps to the cause: %v, wait %v); want the cause's text, unwrapping to it, 2s", e, errors.Is(e, cause), e.RetryAfter())
	}
	bare := &bot.RetryAfterError{After: time.Second, Method: "SendToConversation"}
	if got, want := bare.Error(), "SendToConversation: retry after 1s"; got != want {
		t.Errorf("without a cause: %q, want %q", got, want)
	}
}
