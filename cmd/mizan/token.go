package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

const tokenUsage = `usage: mizan token COMMAND [--server URL --token T] [flags]

Commands:
  create --name NAME [--scope ingest,publish,delete,tokens,read-drafts]
             create a token and print it (once: only its hash is kept)
  list [--json]
             list tokens: name, scopes, created, last used, revoked
  revoke NAME
             revoke a token

Every valid token may read drafts; "read-drafts" alone is a reviewer's
token that may do nothing else. With --server URL (and --token or
MIZAN_TOKEN, a token with the "tokens" scope) the commands go through the
running server: a revoked token is refused from its next request on, and a
token may only create tokens with scopes it holds itself. Without --server
they open the database file, so the server must be stopped: that is how
the first token (say --scope tokens,ingest,publish,delete) is made.
`

func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, tokenUsage)
		return errUsage
	}
	switch args[0] {
	case "create":
		return m.tokenCreate(ctx, args[1:])
	case "list":
		return m.tokenList(ctx, args[1:])
	case "revoke":
		return m.tokenRevoke(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, tokenUsage)
		return nil
	}
	fmt.Fprintf(m.Stderr, "mizan token: unknown command %q\n\n%s", args[0], tokenUsage)
	return errUsage
}

// tokenFlags are the flags every token command takes to reach a server.
type tokenFlags struct {
	server, token *string
}

func addTokenFlags(fs *flag.FlagSet) tokenFlags {
	return tokenFlags{
		server: fs.String("server", "", "manage tokens through the running server at this URL (e.g. http://127.0.0.1:8080)"),
		token:  fs.String("token", "", `token with the "tokens" scope, for --server (env MIZAN_TOKEN)`),
	}
}

// openTokens returns where the command acts: the running server with
// --server, else the database file. close releases it.
func (m *Main) openTokens(ctx context.Context, f tokenFlags) (tm rpc.TokenManager, close func(), err error) {
	if *f.server != "" {
		r, err := newRemote(*f.server, *f.token)
		if err != nil {
			return nil, nil, err
		}
		return &remoteTokens{r: r, c: mizanv1connect.NewAdminServiceClient(r.http, r.url, r.clientOptions()...)}, r.http.CloseIdleConnections, nil
	}
	db, err := store.Open(ctx, store.Options{Dir: m.DataDir})
	if err != nil {
		return nil, nil, err
	}
	return store.NewTokens(db), func() { db.Close() }, nil
}

func (m *Main) tokenCreate(ctx context.Context, args []string) error {
	fs := m.flagSet("token create")
	name := fs.String("name", "", "the token's name: who or what holds it (required, never reused)")
	scope := fs.String("scope", store.ScopeReadDrafts, "comma-separated scopes: "+strings.Join(store.Scopes, ", "))
	tf := addTokenFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		fmt.Fprintln(m.Stderr, "usage: mizan token create [--server URL --token T] --name NAME [--scope ingest,publish,delete,tokens,read-drafts]")
		return errUsage
	}
	scopes, err := store.ParseScopes(*scope)
	if err != nil {
		return err
	}
	ts, closeTokens, err := m.openTokens(ctx, tf)
	if err != nil {
		return err
	}
	defer closeTokens()
	secret, t, err := ts.CreateToken(ctx, *name, scopes)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, secret)
	fmt.Fprintf(m.Stderr, "token %q with scopes %s created; it is shown only this once: keep it in a secret store (clients read it from --token or MIZAN_TOKEN)\n",
		t.Name, strings.Join(t.Scopes, ","))
	return nil
}

func (m *Main) tokenList(ctx context.Context, args []string) error {
	fs := m.flagSet("token list")
	asJSON := fs.Bool("json", false, "print JSON")
	tf := addTokenFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ts, closeTokens, err := m.openTokens(ctx, tf)
	if err != nil {
		return err
	}
	defer closeTokens()
	list, err := ts.ListTokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	stamp := func(t time.Time, none string) string {
		if t.IsZero() {
			return none
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPES\tCREATED\tLAST USED\tREVOKED")
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, strings.Join(t.Scopes, ","), stamp(t.CreatedAt, "-"), stamp(t.LastUsed, "never"), stamp(t.RevokedAt, "-"))
	}
	return tw.Flush()
}

func (m *Main) tokenRevoke(ctx context.Context, args []string) error {
	fs := m.flagSet("token revoke")
	tf := addTokenFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(m.Stderr, "usage: mizan token revoke [--server URL --token T] NAME")
		return errUsage
	}
	ts, closeTokens, err := m.openTokens(ctx, tf)
	if err != nil {
		return err
	}
	defer closeTokens()
	if err := ts.RevokeToken(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "token %q revoked\n", fs.Arg(0))
	return nil
}

// remoteTokens manages tokens through a running server's AdminService.
type remoteTokens struct {
	r *remote
	c mizanv1connect.AdminServiceClient
}

var _ rpc.TokenManager = (*remoteTokens)(nil)

// CreateToken implements rpc.TokenManager.
func (rt *remoteTokens) CreateToken(ctx context.Context, name string, scopes []string) (string, store.Token, error) {
	resp, err := rt.c.CreateToken(ctx, connect.NewRequest(&mizanv1.CreateTokenRequest{Name: name, Scopes: scopes}))
	if err != nil {
		return "", store.Token{}, remoteError(rt.r.url, err)
	}
	return resp.Msg.GetSecret(), tokenFromProto(resp.Msg.GetToken()), nil
}

// ListTokens implements rpc.TokenManager.
func (rt *remoteTokens) ListTokens(ctx context.Context) ([]store.Token, error) {
	resp, err := rt.c.ListTokens(ctx, connect.NewRequest(&mizanv1.ListTokensRequest{}))
	if err != nil {
		return nil, remoteError(rt.r.url, err)
	}
	out := make([]store.Token, len(resp.Msg.GetTokens()))
	for i, t := range resp.Msg.GetTokens() {
		out[i] = tokenFromProto(t)
	}
	return out, nil
}

// RevokeToken implements rpc.TokenManager.
func (rt *remoteTokens) RevokeToken(ctx context.Context, name string) error {
	if _, err := rt.c.RevokeToken(ctx, connect.NewRequest(&mizanv1.RevokeTokenRequest{Name: name})); err != nil {
		return remoteError(rt.r.url, err)
	}
	return nil
}

// tokenFromProto reads a token the server sent, so that remote commands
// print exactly what local ones do.
func tokenFromProto(pt *mizanv1.Token) store.Token {
	t := store.Token{Name: pt.GetName(), Scopes: pt.GetScopes()}
	if pt.GetCreatedAt() != nil {
		t.CreatedAt = pt.GetCreatedAt().AsTime()
	}
	if pt.GetLastUsedAt() != nil {
		t.LastUsed = pt.GetLastUsedAt().AsTime()
	}
	if pt.GetRevokedAt() != nil {
		t.RevokedAt = pt.GetRevokedAt().AsTime()
	}
	return t
}
