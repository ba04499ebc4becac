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

// codeOf returns the transport code of a mizan error code; false means the
// error is internal.
func codeOf(code string) (connect.Code, bool) {
	switch code {
	case mizan.EINVALID:
		return connect.CodeInvalidArgument, true
	case mizan.ENOTFOUND:
		return connect.CodeNotFound, true
	case mizan.ECONFLICT:
		return connect.CodeFailedPrecondition, true
	case mizan.EEXHAUSTED:
		return connect.CodeResourceExhausted, true
	case mizan.EUNAUTHORIZED:
		return connect.CodeUnauthenticated, true
	case mizan.EFORBIDDEN:
		return connect.CodePermissionDenied, true
	case mizan.EUNAVAILABLE:
		return connect.CodeUnavailable, true
	}
	return 0, false
}
