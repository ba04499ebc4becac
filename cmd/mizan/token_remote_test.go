package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// secretLine is what token create prints on stdout: the secret alone.
var secretLine = regexp.MustCompile(`^` + store.TokenPrefix + `[A-Za-z0-9_-]{43}\n$`)

// TestTokensThroughServer makes the first token offline, then creates,
// lists and revokes tokens with `mizan token --server` against a running
// `mizan serve`: a revoked token is refused at once, a token cannot hand
// out scopes it lacks, and the remote list prints exactly what the local
// one prints once the server has stopped.
func TestTokensThroughServer(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	admin, err := run(t, ctx, "token", "create", "--data", data, "--name", "admin", "--scope", "tokens,ingest")
	if err != nil || !secretLine.MatchString(admin) {
		t.Fatalf("local create printed %q, %v", admin, err)
	}
	admin = strings.TrimSpace(admin)

	url, done, stop := serveBackground(t, ctx, data)
	defer stop()
	waitPost(t, url+"/mizan.v1.CatalogService/ListDatasets", `{}`, done)
	remote := func(args ...string) (string, error) {
		return run(t, ctx, append([]string{"token", args[0], "--server", url}, args[1:]...)...)
	}

	// Create through the server; the new token works at once.
	reviewer, err := remote("create", "--token", admin, "--name", "reviewer")
	if err != nil || !secretLine.MatchString(reviewer) {
		t.Fatalf("remote create printed %q, %v", reviewer, err)
	}
	reviewer = strings.TrimSpace(reviewer)
	if body := postWith(t, url+"/mizan.v1.CatalogService/ListDatasets", reviewer, `{}`); strings.Contains(body, "unauthenticated") {
		t.Errorf("the new token is refused: %s", body)
	}
	if _, err := remote("list", "--token", reviewer); mizan.ErrorCode(err) != mizan.EFORBIDDEN {
		t.Errorf("list with a read-drafts token: %v", err)
	}
	// The token from MIZAN_TOKEN; scopes it lacks are refused, by name.
	t.Setenv("MIZAN_TOKEN", admin)
	_, err = remote("create", "--name", "releaser", "--scope", "ingest,publish,delete")
	if mizan.ErrorCode(err) != mizan.EFORBIDDEN || !strings.Contains(err.Error(), "publish, delete") || strings.Contains(err.Error(), "ingest") {
		t.Errorf("create with scopes the caller lacks: %v", err)
	}
	if out, err := remote("create", "--name", "loader", "--scope", "ingest"); err != nil || !secretLine.MatchString(out) {
		t.Errorf("create with a scope the caller holds: %q %v", out, err)
	}
	if _, err := remote("create", "--name", "reviewer"); mizan.ErrorCode(err) != mizan.ECONFLICT {
		t.Errorf("create a second reviewer: %v", err)
	}

	// Revoke through the server: refused from the next request on.
	if out, err := remote("revoke", "reviewer"); err != nil || out != "token \"reviewer\" revoked\n" {
		t.Errorf("remote revoke: %q %v", out, err)
	}
	if _, err := remote("list", "--token", reviewer); mizan.ErrorCode(err) != mizan.EUNAUTHORIZED {
		t.Errorf("list with the revoked token: %v", err)
	}
	if _, err := remote("revoke", "nobody"); mizan.ErrorCode(err) != mizan.ENOTFOUND {
		t.Errorf("revoke an unknown token: %v", err)
	}
	t.Setenv("MIZAN_TOKEN", "")
	if _, err := remote("list"); mizan.ErrorCode(err) != mizan.EINVALID {
		t.Errorf("list with --server and no token: %v", err)
	}

	table, err := remote("list", "--token", admin)
	if err != nil {
		t.Fatal(err)
	}
	asJSON, err := remote("list", "--token", admin, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []store.Token
	if err := json.Unmarshal([]byte(asJSON), &list); err != nil {
		t.Fatalf("list --json: %v\n%s", err, asJSON)
	}
	var names []string
	for _, tok := range list {
		names = append(names, tok.Name+":"+strings.Join(tok.Scopes, ",")+":"+map[bool]string{true: "revoked", false: "valid"}[tok.Revoked()])
	}
	if diff := cmp.Diff([]string{"admin:ingest,tokens:valid", "loader:ingest:valid", "reviewer:read-drafts:revoked"}, names); diff != "" {
		t.Errorf("remote list (-want +got):\n%s", diff)
	}
	for _, secret := range []string{admin, reviewer} {
		if strings.Contains(table+asJSON, strings.TrimPrefix(secret, store.TokenPrefix)) {
			t.Error("the list shows a secret")
		}
	}

	// The same lists from the database file, the server stopped.
	stop()
	localTable, err := run(t, ctx, "token", "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	localJSON, err := run(t, ctx, "token", "list", "--data", data, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(localTable, table); diff != "" {
		t.Errorf("token list (-local +remote):\n%s", diff)
	}
	if diff := cmp.Diff(localJSON, asJSON); diff != "" {
		t.Errorf("token list --json (-local +remote):\n%s", diff)
	}
}
