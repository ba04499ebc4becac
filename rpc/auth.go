package rpc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/store"
)

// TokenVerifier checks bearer tokens. *store.Tokens implements it.
type TokenVerifier interface {
	// VerifyToken returns the valid token whose text is secret, or an
	// EUNAUTHORIZED error.
	VerifyToken(ctx context.Context, secret string) (store.Token, error)
}

var _ TokenVerifier = (*store.Tokens)(nil)

// requiredScopes names the scope each protected procedure needs. Every
// other procedure reads published data and is public; a valid token of any
// scope also shows drafts (see canReadDrafts).
var requiredScopes = map[string]string{
	mizanv1connect.AdminServicePublishVersionProcedure: store.ScopePublish,
	mizanv1connect.AdminServiceDeleteVersionProcedure:  store.ScopeDelete,
	mizanv1connect.IngestServiceUploadProcedure:        store.ScopeIngest,
	mizanv1connect.AdminServiceCreateTokenProcedure:    store.ScopeTokens,
	mizanv1connect.AdminServiceListTokensProcedure:     store.ScopeTokens,
	mizanv1connect.AdminServiceRevokeTokenProcedure:    store.ScopeTokens,
}

// RequiredScope returns the scope a procedure needs, or "" when it is
// public.
func RequiredScope(procedure string) string { return requiredScopes[procedure] }

type callerKey struct{}

// CallerFrom returns the token the request was authenticated with, if any.
func CallerFrom(ctx context.Context) (store.Token, bool) {
	t, ok := ctx.Value(callerKey{}).(store.Token)
	return t, ok
}

// canReadDrafts reports whether the caller may see draft versions: any
// authenticated caller may. Every scope is given to people who review
// drafts before citizens see them (whoever ingests, publishes or deletes
// must see what they act on), and "read-drafts" is the scope of a token
// that may do nothing else, for an auditor.
func canReadDrafts(ctx context.Context) bool {
	_, ok := CallerFrom(ctx)
	return ok
}

// authenticator is the interceptor that reads "Authorization: Bearer
// <token>", puts the caller into the context and enforces the scopes of
// protected procedures. Without a header a public call goes on anonymously;
// a header with an invalid token is refused even on public calls, so that a
// revoked or mistyped token is noticed rather than silently hiding drafts.
type authenticator struct {
	tokens TokenVerifier // nil: no tokens, every call is anonymous
	log    *slog.Logger
}

var _ connect.Interceptor = (*authenticator)(nil)

// authenticate returns ctx with the caller, or the error to answer.
func (a *authenticator) authenticate(ctx context.Context, procedure string, h http.Header) (context.Context, error) {
	scope, protected := requiredScopes[procedure]
	auth := h.Get("Authorization")
	if auth == "" {
		if protected {
			return nil, mizan.Errorf(mizan.EUNAUTHORIZED, "%s needs a token with the %q scope: send Authorization: Bearer <token>", procedure, scope)
		}
		return ctx, nil
	}
	kind, secret, _ := strings.Cut(auth, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(kind, "Bearer") || secret == "" {
		return nil, mizan.Errorf(mizan.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
	}
	if a.tokens == nil {
		return nil, mizan.Errorf(mizan.EUNAUTHORIZED, "this server accepts no tokens")
	}
	tok, err := a.tokens.VerifyToken(ctx, secret)
	if err != nil {
		return nil, err
	}
	if protected && !tok.Has(scope) {
		return nil, &mizan.Error{Code: mizan.EFORBIDDEN, Message: fmt.Sprintf("token %q lacks the %q scope that %s needs", tok.Name, scope, procedure)}
	}
	return context.WithValue(ctx, callerKey{}, tok), nil
}

// fail maps an authentication error and, for Unauthenticated, tells the
// client which scheme to use.
func (a *authenticator) fail(ctx context.Context, procedure string, err error) error {
	cerr := connectError(ctx, a.log, procedure, err)
	if ce, ok := cerr.(*connect.Error); ok && ce.Code() == connect.CodeUnauthenticated {
		ce.Meta().Set("WWW-Authenticate", `Bearer realm="mizan"`)
	}
	return cerr
}

// WrapUnary implements connect.Interceptor.
func (a *authenticator) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		actx, err := a.authenticate(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, a.fail(ctx, req.Spec().Procedure, err)
		}
		return next(actx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor; clients pass through.
func (a *authenticator) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor. Headers arrive
// before the first message, so an upload is refused before any of its
// bytes are read.
func (a *authenticator) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		actx, err := a.authenticate(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return a.fail(ctx, conn.Spec().Procedure, err)
		}
		return next(actx, conn)
	}
}
