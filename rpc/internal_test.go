package rpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

func TestConnectError(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		wantCode connect.Code
		wantMsg  string
		wantLog  bool
	}{
		{"invalid names the field", nil, mizan.FieldErrorf("drilldown", "unknown dimension %q", "x"), connect.CodeInvalidArgument, `drilldown: unknown dimension "x"`, false},
		{"wrapped invalid", nil, fmt.Errorf("resolve: %w", mizan.FieldErrorf("cuts", "bad")), connect.CodeInvalidArgument, "cuts: bad", false},
		{"not found", nil, mizan.Errorf(mizan.ENOTFOUND, "no dataset %q", "x"), connect.CodeNotFound, `no dataset "x"`, false},
		{"conflict", nil, mizan.Errorf(mizan.ECONFLICT, "not a budget"), connect.CodeFailedPrecondition, "not a budget", false},
		{"exhausted", nil, mizan.Errorf(mizan.EEXHAUSTED, "server busy"), connect.CodeResourceExhausted, "server busy", false},
		{"unauthorized", nil, mizan.Errorf(mizan.EUNAUTHORIZED, "no token"), connect.CodeUnauthenticated, "no token", false},
		{"forbidden", nil, mizan.Errorf(mizan.EFORBIDDEN, "drafts need a scope"), connect.CodePermissionDenied, "drafts need a scope", false},
		{"unavailable", nil, mizan.Errorf(mizan.EUNAVAILABLE, "shutting down"), connect.CodeUnavailable, "shutting down", false},
		{"deadline", nil, fmt.Errorf("query aggregate: %w", context.DeadlineExceeded), connect.CodeDeadlineExceeded, "deadline exceeded", false},
		{"canceled", nil, fmt.Errorf("query facts: %w", context.Canceled), connect.CodeCanceled, "request canceled", false},
		{"driver error after cancel", canceled, errors.New("INTERRUPT Error: interrupted"), connect.CodeCanceled, "request canceled", false},
		{"internal code", nil, mizan.Errorf(mizan.EINTERNAL, "SELECT 1"), connect.CodeInternal, "internal error", true},
		{"plain error", nil, errors.New("Binder Error: SELECT secret FROM t"), connect.CodeInternal, "internal error", true},
		{"connect error passes", nil, connect.NewError(connect.CodeUnimplemented, errors.New("no")), connect.CodeUnimplemented, "no", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			err := connectError(ctx, log, "/p", tt.err)
			var ce *connect.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %T", err)
			}
			if diff := cmp.Diff([2]string{tt.wantCode.String(), tt.wantMsg}, [2]string{ce.Code().String(), ce.Message()}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if logged := strings.Contains(logs.String(), tt.err.Error()); logged != tt.wantLog {
				t.Errorf("logged = %v, want %v: %s", logged, tt.wantLog, logs.String())
			}
		})
	}
	if connectError(context.Background(), slog.Default(), "/p", nil) != nil {
		t.Error("nil error mapped to non-nil")
	}
}

func TestPageToken(t *testing.T) {
	req := &mizanv1.FactsRequest{Dataset: "d", PageSize: 10, Cuts: []*mizanv1.Cut{{Dimension: "year", Values: []string{"2024"}}}}
	tok, err := encodePageToken(req, page{Offset: 20, Version: 3})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not unpadded base64url", tok)
	}
	tests := []struct {
		name    string
		req     *mizanv1.FactsRequest
		token   string
		want    page
		wantErr string
	}{
		{"first page", req, "", page{}, ""},
		{"round trip", req, tok, page{Offset: 20, Version: 3}, ""},
		{"page size may change", &mizanv1.FactsRequest{Dataset: "d", PageSize: 50, Cuts: req.Cuts}, tok, page{Offset: 20, Version: 3}, ""},
		{"other cuts", &mizanv1.FactsRequest{Dataset: "d", PageSize: 10}, tok, page{}, "page_token does not match this request"},
		{"other dataset", &mizanv1.FactsRequest{Dataset: "e", PageSize: 10, Cuts: req.Cuts}, tok, page{}, "page_token does not match this request"},
		{"garbage", req, "%%%", page{}, "page_token: malformed"},
		{"truncated", req, tok[:len(tok)-3], page{}, "page_token: malformed"},
		{"trailing bytes", req, tok + "AA", page{}, "page_token: malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodePageToken(tt.req, tt.token)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || mizan.ErrorCode(err) != mizan.EINVALID {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// A token of another request type never matches, even with equal fields.
	other := &mizanv1.AggregateRequest{Dataset: "d"}
	otok, _ := encodePageToken(other, page{Offset: 1})
	if _, err := decodePageToken(&mizanv1.FactsRequest{Dataset: "d"}, otok); err == nil {
		t.Error("an Aggregate token was accepted by Facts")
	}
}
