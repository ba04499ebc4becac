package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mizan-budget/mizan/store"
)

const tokenUsage = `usage: mizan token COMMAND [flags]

Commands:
  create --name NAME [--scope ingest,publish,delete,read-drafts]
             create a token and print it (once: only its hash is kept)
  list [--json]
             list tokens: name, scopes, created, last used, revoked
  revoke NAME
             revoke a token

Every valid token may read drafts; "read-drafts" alone is a reviewer's
token that may do nothing else. Like ingest, these commands open the
database file, so run them while the server is stopped; a revoked token
stops working when the server starts again.
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

func (m *Main) openTokens(ctx context.Context) (*store.DB, *store.Tokens, error) {
	db, err := store.Open(ctx, store.Options{Dir: m.DataDir})
	if err != nil {
		return nil, nil, err
	}
	return db, store.NewTokens(db), nil
}

func (m *Main) tokenCreate(ctx context.Context, args []string) error {
	fs := m.flagSet("token create")
	name := fs.String("name", "", "the token's name: who or what holds it (required, never reused)")
	scope := fs.String("scope", store.ScopeReadDrafts, "comma-separated scopes: "+strings.Join(store.Scopes, ", "))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		fmt.Fprintln(m.Stderr, "usage: mizan token create --name NAME [--scope ingest,publish,delete,read-drafts]")
		return errUsage
	}
	scopes, err := store.ParseScopes(*scope)
	if err != nil {
		return err
	}
	db, ts, err := m.openTokens(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, ts, err := m.openTokens(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(m.Stderr, "usage: mizan token revoke NAME")
		return errUsage
	}
	db, ts, err := m.openTokens(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := ts.RevokeToken(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "token %q revoked\n", fs.Arg(0))
	return nil
}
