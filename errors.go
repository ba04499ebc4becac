package mizan

import (
	"errors"
	"fmt"
)

// Error codes, mapped to transport codes in exactly one place (package rpc).
const (
	EINVALID      = "invalid"      // the request or input is wrong; Field says where
	ENOTFOUND     = "not_found"    // no such dataset, version, dimension or member
	ECONFLICT     = "conflict"     // the state does not allow it (e.g. a dataset of another kind)
	EEXHAUSTED    = "exhausted"    // too many queries, too large a request
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials lack the scope
	EUNAVAILABLE  = "unavailable"  // shutting down, try again
	EINTERNAL     = "internal"     // a bug or an unexpected storage failure
)

// Error is an application error: a code, a message safe to show to a user,
// and the request field at fault, if any. It never carries SQL.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID Error naming the request field at fault.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL when there is none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err: the *Error's message,
// or a generic one for internal errors so no internals leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}
