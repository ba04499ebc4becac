package rpc

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
)

// codeLabel names the outcome of a call as a metric and log value: "ok" or
// the connect code ("invalid_argument", "internal"...).
func codeLabel(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

// observer is an interceptor that records metrics and logs every call with
// its procedure, protocol, code and duration.
type observer struct {
	m   *metrics
	log *slog.Logger
}

var _ connect.Interceptor = (*observer)(nil)

func (o *observer) done(ctx context.Context, spec connect.Spec, peer connect.Peer, start time.Time, err error) {
	d := time.Since(start)
	o.m.observe(spec.Procedure, err, d)
	level := slog.LevelInfo
	if code := connect.CodeOf(err); err != nil && (code == connect.CodeInternal || code == connect.CodeUnknown) {
		level = slog.LevelError
	}
	o.log.LogAttrs(ctx, level, "rpc",
		slog.String("procedure", spec.Procedure),
		slog.String("protocol", peer.Protocol),
		slog.String("code", codeLabel(err)),
		slog.Duration("duration", d),
		slog.String("peer", peer.Addr),
	)
}

// WrapUnary implements connect.Interceptor.
func (o *observer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		defer o.m.started(req.Spec().Procedure)()
		start := time.Now()
		resp, err := next(ctx, req)
		o.done(ctx, req.Spec(), req.Peer(), start, err)
		return resp, err
	}
}

// WrapStreamingClient implements connect.Interceptor; clients are not observed.
func (o *observer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (o *observer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		defer o.m.started(conn.Spec().Procedure)()
		start := time.Now()
		err := next(ctx, conn)
		o.done(ctx, conn.Spec(), conn.Peer(), start, err)
		return err
	}
}
