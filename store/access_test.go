package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

func TestTokensCreateVerifyRevoke(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts := store.NewTokens(db)
	secret, tok, err := ts.CreateToken(ctx, "auditor", []string{"publish", "ingest", "publish"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, store.TokenPrefix) || len(secret) < len(store.TokenPrefix)+43 {
		t.Fatalf("token %q: want the prefix and 32 random bytes", secret)
	}
	if diff := cmp.Diff([]string{"ingest", "publish"}, tok.Scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	// Only the hash is stored: the token's text appears nowhere in the table.
	var stored string
	if err := db.SQL.QueryRowContext(ctx, `SELECT hash FROM tokens WHERE name = 'auditor'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(secret))
	if stored != hex.EncodeToString(sum[:]) {
		t.Errorf("stored hash %s is not the SHA-256 of the token", stored)
	}
	var leaks int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE hash = ? OR name = ? OR scopes = ?`, secret, secret, secret).Scan(&leaks); err != nil || leaks != 0 {
		t.Errorf("token text stored (%d rows, %v)", leaks, err)
	}

	got, err := ts.VerifyToken(ctx, secret)
	if err != nil || got.Name != "auditor" || !got.Has(store.ScopeIngest) || got.Has(store.ScopeDelete) {
		t.Fatalf("VerifyToken = %+v, %v", got, err)
	}
	for _, bad := range []string{"", secret + "x", secret[:len(secret)-1], strings.ToUpper(secret), "mizan_"} {
		if _, err := ts.VerifyToken(ctx, bad); mizan.ErrorCode(err) != mizan.EUNAUTHORIZED {
			t.Errorf("VerifyToken(%q) = %v, want unauthorized", bad, err)
		}
	}
	if _, _, err := ts.CreateToken(ctx, "auditor", nil); mizan.ErrorCode(err) != mizan.ECONFLICT {
		t.Errorf("duplicate name: %v", err)
	}
	for _, bad := range []string{"", "has space", "../x", strings.Repeat("a", 65)} {
		if _, _, err := ts.CreateToken(ctx, bad, nil); mizan.ErrorCode(err) != mizan.EINVALID {
			t.Errorf("CreateToken(%q) = %v, want invalid", bad, err)
		}
	}
	if _, _, err := ts.CreateToken(ctx, "x", []string{"admin"}); mizan.ErrorCode(err) != mizan.EINVALID {
		t.Errorf("unknown scope: %v", err)
	}
	second, reader, err := ts.CreateToken(ctx, "reader", nil)
	if err != nil || !cmp.Equal(reader.Scopes, []string{store.ScopeReadDrafts}) {
		t.Fatalf("default scopes: %+v, %v", reader, err)
	}

	if err := ts.RevokeToken(ctx, "auditor"); err != nil {
		t.Fatal(err)
	}
	if err := ts.RevokeToken(ctx, "auditor"); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	if err := ts.RevokeToken(ctx, "nobody"); mizan.ErrorCode(err) != mizan.ENOTFOUND {
		t.Errorf("revoke unknown: %v", err)
	}
	if _, err := ts.VerifyToken(ctx, secret); mizan.ErrorCode(err) != mizan.EUNAUTHORIZED {
		t.Errorf("revoked token verified: %v", err)
	}
	if _, err := ts.VerifyToken(ctx, second); err != nil {
		t.Errorf("other token after revoke: %v", err)
	}

	// Everything survives a reopen: revocation, last use, scopes.
	db.Close()
	db, err = store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts = store.NewTokens(db)
	list, err := ts.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "auditor" || !list[0].Revoked() || list[0].LastUsed.IsZero() ||
		list[1].Name != "reader" || list[1].Revoked() || list[1].LastUsed.IsZero() {
		t.Errorf("after reopen: %+v", list)
	}
	if _, err := ts.VerifyToken(ctx, secret); mizan.ErrorCode(err) != mizan.EUNAUTHORIZED {
		t.Errorf("revoked token verified after reopen: %v", err)
	}
	if _, err := ts.VerifyToken(ctx, second); err != nil {
		t.Errorf("valid token after reopen: %v", err)
	}
}

func TestPublishAndDeleteDrafts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	write := func(status string, amounts ...int64) int {
		t.Helper()
		s := spec("pub")
		s.Status = status
		w, err := db.BeginVersion(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		writeFacts(t, w, amounts...)
		w.AddMember(mizan.Member{Dimension: "admin", Level: "sector", Key: "S1"})
		if err := w.AddRejects(ctx, []store.Reject{{SourceID: 1, SourceRow: 9, Column: "amount", Raw: "x", Reason: "not a number"}}); err != nil {
			t.Fatal(err)
		}
		v, err := w.Commit(ctx, int64(len(amounts)), map[string]int{"rows": len(amounts)})
		if err != nil {
			t.Fatal(err)
		}
		return v.Number
	}
	v1 := write(mizan.StatusPublished, 1000)
	v2 := write(mizan.StatusDraft, 2000, 3000)
	latest := func(drafts bool) int {
		t.Helper()
		_, v, err := db.ResolveVersion(ctx, "pub", 0, drafts)
		if err != nil {
			t.Fatal(err)
		}
		return v.Number
	}
	if latest(false) != v1 || latest(true) != v2 {
		t.Fatalf("before publish: latest %d / with drafts %d", latest(false), latest(true))
	}
	v, changed, err := db.PublishVersion(ctx, "pub", v2, "auditor")
	if err != nil || !changed || v.Status != mizan.StatusPublished {
		t.Fatalf("publish: %+v %v %v", v, changed, err)
	}
	if latest(false) != v2 {
		t.Errorf("after publish the public latest is %d, want %d", latest(false), v2)
	}
	if total(t, db, "pub", v2) != "5.000" {
		t.Errorf("published total = %s", total(t, db, "pub", v2))
	}
	if _, changed, err := db.PublishVersion(ctx, "pub", v2, "auditor"); err != nil || changed {
		t.Errorf("second publish: changed %v, %v", changed, err)
	}
	if _, _, err := db.PublishVersion(ctx, "pub", 99, "auditor"); mizan.ErrorCode(err) != mizan.ENOTFOUND {
		t.Errorf("publish missing version: %v", err)
	}
	// Published versions are never deleted.
	if err := db.DeleteVersion(ctx, "pub", v2, "auditor"); mizan.ErrorCode(err) != mizan.ECONFLICT {
		t.Errorf("delete published: %v", err)
	}

	v3 := write(mizan.StatusDraft, 7000)
	_, v3meta, err := db.ResolveVersion(ctx, "pub", v3, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteVersion(ctx, "pub", v3, "auditor"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ResolveVersion(ctx, "pub", v3, true); mizan.ErrorCode(err) != mizan.ENOTFOUND {
		t.Errorf("deleted draft still resolves: %v", err)
	}
	// Nothing of v3 is left in any table; v1 and v2 are untouched.
	tables := []string{store.FactsTable("pub", v3)}
	for _, r := range v3meta.Rollups {
		tables = append(tables, r.Table)
	}
	for _, tb := range tables {
		var n int
		if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, tb).Scan(&n); err != nil || n != 0 {
			t.Errorf("table %s still exists (%d, %v)", tb, n, err)
		}
	}
	for _, tb := range []string{"members", "rejects", "versions"} {
		var left, kept int
		if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE version = ?), count(*) FILTER (WHERE version < ?) FROM `+tb+` WHERE dataset_id = 'pub'`, v3, v3).Scan(&left, &kept); err != nil {
			t.Fatal(err)
		}
		if left != 0 || kept != 2 {
			t.Errorf("%s: %d rows of the deleted version, %d of the others (want 0, 2)", tb, left, kept)
		}
	}
	if total(t, db, "pub", v1) != "1.000" || total(t, db, "pub", v2) != "5.000" {
		t.Errorf("other versions changed: %s %s", total(t, db, "pub", v1), total(t, db, "pub", v2))
	}
	events, err := db.VersionEvents(ctx, "pub")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Action+" "+e.Actor+" "+string(rune('0'+e.Version)))
	}
	if diff := cmp.Diff([]string{"publish auditor 2", "delete auditor 3"}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// A deleted draft's number is never given again: caches and citations
	// keyed by (dataset, version) must not see a different version under it.
	if v4 := write(mizan.StatusDraft, 8000); v4 != v3+1 {
		t.Errorf("the version after deleted draft %d is %d, want %d", v3, v4, v3+1)
	}

	// A dataset whose only version was a deleted draft disappears.
	s := spec("only-draft")
	s.Status = mizan.StatusDraft
	w, err := db.BeginVersion(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	writeFacts(t, w, 1)
	if _, err := w.Commit(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteVersion(ctx, "only-draft", 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetDataset(ctx, "only-draft", true); mizan.ErrorCode(err) != mizan.ENOTFOUND {
		t.Errorf("dataset without versions: %v", err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM datasets WHERE id = 'only-draft'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("datasets row left: %d %v", n, err)
	}
}
