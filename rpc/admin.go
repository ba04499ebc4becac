package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/store"
)

// Publisher publishes and deletes draft versions. *store.DB implements it.
type Publisher interface {
	// PublishVersion makes a draft public; changed is false when it
	// already was. actor is recorded in the audit log.
	PublishVersion(ctx context.Context, dataset string, version int, actor string) (v mizan.Version, changed bool, err error)
	// DeleteVersion removes a draft version; published ones are refused
	// with ECONFLICT.
	DeleteVersion(ctx context.Context, dataset string, version int, actor string) error
}

var _ Publisher = (*store.DB)(nil)

// TokenManager creates, lists and revokes tokens. *store.Tokens implements
// it; the server's must be the very one that verifies tokens, whose cache
// a revocation clears, so that a revoked token fails on its next request.
type TokenManager interface {
	// CreateToken creates a token and returns its secret.
	CreateToken(ctx context.Context, name string, scopes []string) (string, store.Token, error)
	// ListTokens returns every token, revoked ones included.
	ListTokens(ctx context.Context) ([]store.Token, error)
	// RevokeToken revokes the named token (ENOTFOUND if there is none).
	RevokeToken(ctx context.Context, name string) error
}

var _ TokenManager = (*store.Tokens)(nil)

// tokenManager returns the token manager of a server's verifier, or nil
// when it manages no tokens (the token RPCs then answer Unimplemented).
func tokenManager(v TokenVerifier) TokenManager {
	tm, _ := v.(TokenManager)
	return tm
}

// adminService implements mizanv1connect.AdminServiceHandler. The
// authenticator has checked the scope before a handler runs.
type adminService struct {
	pub    Publisher
	tokens TokenManager // nil: the token RPCs are unimplemented
	log    *slog.Logger
}

var _ mizanv1connect.AdminServiceHandler = (*adminService)(nil)

// actor names the caller in the audit log.
func actor(ctx context.Context) string {
	if t, ok := CallerFrom(ctx); ok {
		return "token:" + t.Name
	}
	return "anonymous" // cannot happen: the procedures are protected
}

// validateVersionTarget checks the dataset and the explicit version an
// admin request names.
func validateVersionTarget(dataset string, version int32) error {
	if dataset == "" {
		return mizan.FieldErrorf("dataset", "required")
	}
	if version <= 0 {
		return mizan.FieldErrorf("version", "required: the number of a version, got %d", version)
	}
	return nil
}

// PublishVersion implements AdminService.PublishVersion.
func (s *adminService) PublishVersion(ctx context.Context, req *connect.Request[mizanv1.PublishVersionRequest]) (*connect.Response[mizanv1.PublishVersionResponse], error) {
	m := req.Msg
	if err := validateVersionTarget(m.GetDataset(), m.GetVersion()); err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	v, changed, err := s.pub.PublishVersion(ctx, m.GetDataset(), int(m.GetVersion()), actor(ctx))
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	if changed {
		s.log.InfoContext(ctx, "version published", "dataset", m.GetDataset(), "version", v.Number, "by", actor(ctx))
	}
	return connect.NewResponse(&mizanv1.PublishVersionResponse{Version: versionToProto(&v), Changed: changed}), nil
}

// DeleteVersion implements AdminService.DeleteVersion.
func (s *adminService) DeleteVersion(ctx context.Context, req *connect.Request[mizanv1.DeleteVersionRequest]) (*connect.Response[mizanv1.DeleteVersionResponse], error) {
	m := req.Msg
	if err := validateVersionTarget(m.GetDataset(), m.GetVersion()); err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	if err := s.pub.DeleteVersion(ctx, m.GetDataset(), int(m.GetVersion()), actor(ctx)); err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	s.log.InfoContext(ctx, "draft deleted", "dataset", m.GetDataset(), "version", m.GetVersion(), "by", actor(ctx))
	return connect.NewResponse(&mizanv1.DeleteVersionResponse{Dataset: m.GetDataset(), Version: m.GetVersion()}), nil
}

// tokenToProto converts a token for the API: never its secret or hash
// (store.Token holds neither).
func tokenToProto(t *store.Token) *mizanv1.Token {
	pt := &mizanv1.Token{Name: t.Name, Scopes: slices.Clone(t.Scopes), CreatedAt: timestamppb.New(t.CreatedAt)}
	if !t.LastUsed.IsZero() {
		pt.LastUsedAt = timestamppb.New(t.LastUsed)
	}
	if t.Revoked() {
		pt.RevokedAt = timestamppb.New(t.RevokedAt)
	}
	return pt
}

// errNoTokenManager answers the token RPCs of a server without one.
func errNoTokenManager() error {
	return connect.NewError(connect.CodeUnimplemented, errors.New("this server does not manage tokens"))
}

// CreateToken implements AdminService.CreateToken. The caller may only give
// scopes its own token holds. The secret goes into the response alone:
// it is never logged.
func (s *adminService) CreateToken(ctx context.Context, req *connect.Request[mizanv1.CreateTokenRequest]) (*connect.Response[mizanv1.CreateTokenResponse], error) {
	if s.tokens == nil {
		return nil, errNoTokenManager()
	}
	m := req.Msg
	for _, sc := range m.GetScopes() {
		if !slices.Contains(store.Scopes, sc) {
			return nil, connectError(ctx, s.log, req.Spec().Procedure,
				mizan.FieldErrorf("scopes", "%q is not a scope: use %s", sc, strings.Join(store.Scopes, ", ")))
		}
	}
	caller, ok := CallerFrom(ctx)
	if !ok {
		// Cannot happen: the procedure is protected.
		return nil, connectError(ctx, s.log, req.Spec().Procedure, mizan.Errorf(mizan.EUNAUTHORIZED, "a token is required"))
	}
	if lack := caller.Lacks(m.GetScopes()); len(lack) > 0 {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, &mizan.Error{Code: mizan.EFORBIDDEN, Field: "scopes",
			Message: fmt.Sprintf("token %q lacks the scopes %s: a token may only create tokens with scopes it holds", caller.Name, strings.Join(lack, ", "))})
	}
	secret, t, err := s.tokens.CreateToken(ctx, m.GetName(), m.GetScopes())
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	s.log.InfoContext(ctx, "token created", "token", t.Name, "scopes", strings.Join(t.Scopes, ","), "by", actor(ctx))
	return connect.NewResponse(&mizanv1.CreateTokenResponse{Secret: secret, Token: tokenToProto(&t)}), nil
}

// ListTokens implements AdminService.ListTokens.
func (s *adminService) ListTokens(ctx context.Context, req *connect.Request[mizanv1.ListTokensRequest]) (*connect.Response[mizanv1.ListTokensResponse], error) {
	if s.tokens == nil {
		return nil, errNoTokenManager()
	}
	list, err := s.tokens.ListTokens(ctx)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	out := &mizanv1.ListTokensResponse{Tokens: make([]*mizanv1.Token, len(list))}
	for i := range list {
		out.Tokens[i] = tokenToProto(&list[i])
	}
	return connect.NewResponse(out), nil
}

// RevokeToken implements AdminService.RevokeToken. The store clears the
// cache the authenticator verifies against, so the revoked token's next
// request is refused.
func (s *adminService) RevokeToken(ctx context.Context, req *connect.Request[mizanv1.RevokeTokenRequest]) (*connect.Response[mizanv1.RevokeTokenResponse], error) {
	if s.tokens == nil {
		return nil, errNoTokenManager()
	}
	name := req.Msg.GetName()
	if name == "" {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, mizan.FieldErrorf("name", "required"))
	}
	if err := s.tokens.RevokeToken(ctx, name); err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	s.log.InfoContext(ctx, "token revoked", "token", name, "by", actor(ctx))
	list, err := s.tokens.ListTokens(ctx)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	for i := range list {
		if list[i].Name == name {
			return connect.NewResponse(&mizanv1.RevokeTokenResponse{Token: tokenToProto(&list[i])}), nil
		}
	}
	return nil, connectError(ctx, s.log, req.Spec().Procedure, fmt.Errorf("revoke token %s: gone from the list", name))
}
