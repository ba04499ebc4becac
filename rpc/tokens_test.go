package rpc_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// storedTokens reads the tokens table directly: names, scopes and whether
// each is revoked, oldest first.
func storedTokens(t *testing.T, db *store.DB) [][3]string {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT name, scopes, revoked_at IS NOT NULL FROM tokens ORDER BY created_at, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var name, scopes string
		var revoked bool
		if err := rows.Scan(&name, &scopes, &revoked); err != nil {
			t.Fatal(err)
		}
		r := "valid"
		if revoked {
			r = "revoked"
		}
		out = append(out, [3]string{name, scopes, r})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenRPCs manages tokens through AdminService: scopes are enforced,
// a token never creates a more powerful one, secrets and hashes never
// leave the server except the new secret once, and a revocation takes
// effect on the revoked token's very next request.
func TestTokenRPCs(t *testing.T) {
	ctx := context.Background()
	logs := &syncBuffer{}
	var keeper, chief string
	e := newAccessEnv(t, func(o *rpc.Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		ts := o.Tokens.(*store.Tokens) // the server's own, so that its cache sees these
		var err error
		if keeper, _, err = ts.CreateToken(ctx, "keeper", []string{store.ScopeTokens}); err != nil {
			t.Fatal(err)
		}
		if chief, _, err = ts.CreateToken(ctx, "chief", []string{store.ScopeTokens, store.ScopePublish}); err != nil {
			t.Fatal(err)
		}
	})
	secrets := []string{keeper, chief}
	for _, s := range e.tokens {
		secrets = append(secrets, s)
	}
	create := func(token, name string, scopes ...string) (*mizanv1.CreateTokenResponse, error) {
		resp, err := e.as(token).admin.CreateToken(ctx, connect.NewRequest(&mizanv1.CreateTokenRequest{Name: name, Scopes: scopes}))
		if err != nil {
			return nil, err
		}
		secrets = append(secrets, resp.Msg.GetSecret())
		return resp.Msg, nil
	}
	list := func(token string) error {
		_, err := e.as(token).admin.ListTokens(ctx, connect.NewRequest(&mizanv1.ListTokensRequest{}))
		return err
	}
	revoke := func(token, name string) (*mizanv1.RevokeTokenResponse, error) {
		resp, err := e.as(token).admin.RevokeToken(ctx, connect.NewRequest(&mizanv1.RevokeTokenRequest{Name: name}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
	// isValid reports whether a token is accepted: an invalid token is
	// refused even on a public call.
	isValid := func(token string) error {
		_, err := e.as(token).cat.ListDatasets(ctx, connect.NewRequest(&mizanv1.ListDatasetsRequest{}))
		return err
	}

	// Without the tokens scope, none of the three.
	for name, secret := range map[string]string{"no token": "", "ingester": e.tokens["ingester"], "publisher": e.tokens["publisher"], "deleter": e.tokens["deleter"], "reader": e.tokens["reader"]} {
		want := connect.CodePermissionDenied
		if secret == "" {
			want = connect.CodeUnauthenticated
		}
		_, err := create(secret, "x-"+strings.ReplaceAll(name, " ", "-"))
		wantCode(t, "CreateToken by "+name, err, want)
		wantCode(t, "ListTokens by "+name, list(secret), want)
		_, err = revoke(secret, "reader")
		wantCode(t, "RevokeToken by "+name, err, want)
	}
	if err := isValid(e.tokens["reader"]); err != nil {
		t.Fatalf("the reader token was revoked by a caller without the scope: %v", err)
	}

	// A tokens-only token creates a reviewer's token, which works at once.
	made, err := create(keeper, "reviewer", store.ScopeReadDrafts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(made.GetSecret(), store.TokenPrefix) || made.GetToken().GetName() != "reviewer" ||
		!cmp.Equal(made.GetToken().GetScopes(), []string{store.ScopeReadDrafts}) || made.GetToken().GetRevokedAt() != nil {
		t.Errorf("CreateToken answered %v", made)
	}
	reviewer := made.GetSecret()
	if err := isValid(reviewer); err != nil {
		t.Errorf("the new token is refused: %v", err)
	}
	wantCode(t, "ListTokens by the reviewer", list(reviewer), connect.CodePermissionDenied)
	// No scopes means read-drafts; tokens passes its own scope on.
	if m, err := create(keeper, "deputy", store.ScopeTokens); err != nil || !cmp.Equal(m.GetToken().GetScopes(), []string{store.ScopeTokens}) {
		t.Errorf("keeper creates a tokens token: %v, %v", m, err)
	}
	if m, err := create(keeper, "plain"); err != nil || !cmp.Equal(m.GetToken().GetScopes(), []string{store.ScopeReadDrafts}) {
		t.Errorf("token without scopes: %v, %v", m, err)
	}

	// No escalation: the refusal names exactly the scopes lacking.
	for _, tc := range []struct {
		caller string
		scopes []string
		lack   []string
	}{
		{keeper, []string{store.ScopePublish}, []string{store.ScopePublish}},
		{keeper, []string{store.ScopeIngest, store.ScopeTokens, store.ScopeDelete}, []string{store.ScopeIngest, store.ScopeDelete}},
		{chief, []string{store.ScopePublish, store.ScopeDelete}, []string{store.ScopeDelete}},
	} {
		_, err := create(tc.caller, "escalated", tc.scopes...)
		wantCode(t, "create "+strings.Join(tc.scopes, ","), err, connect.CodePermissionDenied)
		if err != nil && !strings.Contains(err.Error(), "lacks the scopes "+strings.Join(tc.lack, ", ")+":") {
			t.Errorf("create %v: message %q does not name %v", tc.scopes, err, tc.lack)
		}
	}
	// Holding publish, chief may hand it out, and the new token publishes:
	// a missing dataset is NotFound, not PermissionDenied.
	pub, err := create(chief, "releaser", store.ScopePublish)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.as(pub.GetSecret()).admin.PublishVersion(ctx, connect.NewRequest(&mizanv1.PublishVersionRequest{Dataset: "no-such", Version: 1}))
	wantCode(t, "publish with the created token", err, connect.CodeNotFound)

	// Bad requests, and a name already used (revoked or not): the store's
	// own error codes.
	for _, tc := range []struct {
		name   string
		scopes []string
		code   string
	}{
		{"has space", nil, mizan.EINVALID},
		{"", nil, mizan.EINVALID},
		{"ok-name", []string{"admin"}, mizan.EINVALID},
		{"ok-name", []string{"Publish"}, mizan.EINVALID},
		{"ok-name", []string{"ingest,publish"}, mizan.EINVALID},
		{"reviewer", nil, mizan.ECONFLICT},
		{"keeper", nil, mizan.ECONFLICT},
	} {
		_, err := create(chief, tc.name, tc.scopes...)
		if got := rpc.MizanCode(connect.CodeOf(err)); err == nil || got != tc.code {
			t.Errorf("create %q %v: %v (%s), want %s", tc.name, tc.scopes, err, got, tc.code)
		}
	}

	// Revocation: immediate, visible, idempotent.
	if err := isValid(reviewer); err != nil {
		t.Fatalf("the reviewer token before its revocation: %v", err)
	}
	rev, err := revoke(keeper, "reviewer")
	if err != nil {
		t.Fatal(err)
	}
	if rev.GetToken().GetName() != "reviewer" || rev.GetToken().GetRevokedAt() == nil {
		t.Errorf("RevokeToken answered %v", rev)
	}
	wantCode(t, "the revoked token's next request", isValid(reviewer), connect.CodeUnauthenticated)
	_, err = e.as(reviewer).q.Facts(ctx, connect.NewRequest(&mizanv1.FactsRequest{Dataset: "x"}))
	wantCode(t, "the revoked token on another service", err, connect.CodeUnauthenticated)
	if again, err := revoke(keeper, "reviewer"); err != nil || !again.GetToken().GetRevokedAt().AsTime().Equal(rev.GetToken().GetRevokedAt().AsTime()) {
		t.Errorf("second revoke: %v, %v", again, err)
	}
	_, err = revoke(keeper, "nobody")
	wantCode(t, "revoke an unknown token", err, connect.CodeNotFound)
	_, err = revoke(keeper, "")
	wantCode(t, "revoke without a name", err, connect.CodeInvalidArgument)
	// A token may revoke itself, and is refused from then on.
	if _, err := revoke(chief, "chief"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "the chief after revoking itself", list(chief), connect.CodeUnauthenticated)

	// The list matches the table and holds no secret or hash, in the JSON
	// any client receives.
	resp, err := e.as(keeper).admin.ListTokens(ctx, connect.NewRequest(&mizanv1.ListTokensRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	var got [][3]string
	for _, tok := range resp.Msg.GetTokens() {
		r := "valid"
		if tok.GetRevokedAt() != nil {
			r = "revoked"
		}
		if tok.GetCreatedAt() == nil {
			t.Errorf("%s has no creation time", tok.GetName())
		}
		got = append(got, [3]string{tok.GetName(), strings.Join(tok.GetScopes(), ","), r})
	}
	if diff := cmp.Diff(storedTokens(t, e.db), got); diff != "" {
		t.Errorf("ListTokens (-table +answer):\n%s", diff)
	}
	req, err := http.NewRequest(http.MethodPost, e.url+"/mizan.v1.AdminService/ListTokens", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+keeper)
	hr, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(hr.Body)
	hr.Body.Close()
	if err != nil || hr.StatusCode != http.StatusOK || !strings.Contains(string(body), `"lastUsedAt"`) || !strings.Contains(string(body), `"revokedAt"`) {
		t.Fatalf("ListTokens as JSON: %d %v\n%s", hr.StatusCode, err, body)
	}
	var hashes []string
	for _, s := range secrets {
		sum := sha256.Sum256([]byte(s))
		hashes = append(hashes, hex.EncodeToString(sum[:]))
	}
	log := logs.String()
	if !strings.Contains(log, "token created") || !strings.Contains(log, "token revoked") {
		t.Errorf("token changes are not logged:\n%s", log)
	}
	for i, s := range secrets {
		for where, text := range map[string]string{"ListTokens": string(body), "the log": log} {
			if strings.Contains(text, s) || strings.Contains(text, strings.TrimPrefix(s, store.TokenPrefix)) {
				t.Errorf("%s holds secret %d", where, i)
			}
			if strings.Contains(text, hashes[i]) {
				t.Errorf("%s holds the hash of secret %d", where, i)
			}
		}
	}
	if strings.Contains(strings.ToLower(string(body)), "hash") || strings.Contains(strings.ToLower(string(body)), "secret") {
		t.Errorf("ListTokens has a hash or secret field:\n%s", body)
	}
}
