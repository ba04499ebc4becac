package rpc

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
)

// connectError maps err to the error a client sees. It is the only place
// mizan error codes become transport codes. Internal errors are logged with
// their detail and reach the client only as "internal error", so SQL, file
// paths and stack traces never leave the server.
func connectError(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	var me *mizan.Error
	if errors.As(err, &me) {
		if code, ok := codeOf(me.Code); ok {
			return connect.NewError(code, errors.New(me.Error()))
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("deadline exceeded"))
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, errors.New("request canceled"))
	}
	// A storage driver interrupted by the request's context may not wrap
	// the context's error; the context says what happened.
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("deadline exceeded"))
	case context.Canceled:
		return connect.NewError(connect.CodeCanceled, errors.New("request canceled"))
	}
	log.ErrorContext(ctx, "internal error", "procedure", procedure, "error", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error"))
}

// codes maps mizan error codes to transport codes; the others are
// internal.
var codes = map[string]connect.Code{
	mizan.EINVALID:      connect.CodeInvalidArgument,
	mizan.ENOTFOUND:     connect.CodeNotFound,
	mizan.ECONFLICT:     connect.CodeFailedPrecondition,
	mizan.EEXHAUSTED:    connect.CodeResourceExhausted,
	mizan.EUNAUTHORIZED: connect.CodeUnauthenticated,
	mizan.EFORBIDDEN:    connect.CodePermissionDenied,
	mizan.EUNAVAILABLE:  connect.CodeUnavailable,
}

// codeOf returns the transport code of a mizan error code; false means the
// error is internal.
func codeOf(code string) (connect.Code, bool) {
	c, ok := codes[code]
	return c, ok
}

// MizanCode returns the mizan error code a client should see for a
// transport code, the reverse of what the server maps: EINTERNAL for a
// code no mizan error has.
func MizanCode(c connect.Code) string {
	for k, v := range codes {
		if v == c {
			return k
		}
	}
	return mizan.EINTERNAL
}
