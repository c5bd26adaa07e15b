package bot

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// Error codes. Adapters map them to a chat reply or an HTTP status.
const (
	ECONFLICT  = "conflict"  // the action conflicts with existing state
	EFORBIDDEN = "forbidden" // the person may not do this
	EINTERNAL  = "internal"  // something broke; details are logged, not shown
	EINVALID   = "invalid"   // bad input; the message says how to fix it
	ENOTFOUND  = "not_found" // the thing does not exist (or is not visible)
)

// Error is the domain error. Message is safe to show to a person; internal
// detail stays in wrapped errors and logs.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("smart90 error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the person-safe message of err: the *Error's message,
// or a generic sentence for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Nothing was lost; please try again in a minute."
}

// RetryAfterError is a failure the platform asked to wait out: Slack's 429
// with Retry-After, a Teams 429, or a Teams 412 or 5xx that came with a
// Retry-After header. It is the one way an adapter says "not now, try again
// at": the scheduler waits exactly After without counting an attempt, and
// Pace holds the installation's sends for as long. After may be 0 (a 429
// without the header): the failure is then transient like any other, and
// the scheduler's own backoff applies.
//
// Platforms throttle per method (Slack's Web API tiers) or per operation
// and conversation (Teams), so Method names the call that was refused, for
// a pacer that pauses only that kind of call.
type RetryAfterError struct {
	// Err is the platform's failure; its text is the error's text, so it
	// says which call failed.
	Err error
	// After is how long the platform asked to wait; 0 when it did not say.
	After time.Duration
	// Method is the platform call refused ("chat.postMessage",
	// "SendToConversation"); "" when the platform has no such name for it.
	Method string
}

// Error returns the platform failure's text.
func (e *RetryAfterError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s: retry after %s", cmp.Or(e.Method, "platform call"), e.After)
	}
	return e.Err.Error()
}

// Unwrap returns the platform failure, so errors.Is and errors.As see it.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns After, the wait the platform asked for.
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// MaxRetryAfter bounds the wait a platform can impose through RetryAfter:
// a header asking for days (or, overflowing, a negative time) is a
// platform's mistake, and a workspace must not go silent for it.
const MaxRetryAfter = time.Hour

// RetryAfter returns the wait asked for by the first *RetryAfterError in
// err's chain, between 0 and MaxRetryAfter, and 0 when there is none or it
// asked for none: how long a caller must hold off before trying the same
// call again.
func RetryAfter(err error) time.Duration {
	if e, ok := errors.AsType[*RetryAfterError](err); ok {
		return min(max(e.After, 0), MaxRetryAfter)
	}
	return 0
}
