package bot

import (
	"errors"
	"fmt"
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
