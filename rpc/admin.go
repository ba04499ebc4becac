package rpc

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"

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

// adminService implements mizanv1connect.AdminServiceHandler. The
// authenticator has checked the scope before a handler runs.
type adminService struct {
	pub Publisher
	log *slog.Logger
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
