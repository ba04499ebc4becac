package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mizan-budget/mizan"
)

// Token scopes: what a token may do beyond reading published data.
const (
	// ScopeIngest allows uploading files as new versions (IngestService).
	ScopeIngest = "ingest"
	// ScopePublish allows publishing draft versions.
	ScopePublish = "publish"
	// ScopeDelete allows deleting draft versions.
	ScopeDelete = "delete"
	// ScopeReadDrafts allows nothing but reading drafts, which every valid
	// token may do: it is the scope of a reviewer's token.
	ScopeReadDrafts = "read-drafts"
	// ScopeTokens allows creating, listing and revoking tokens through the
	// server. It grants no other scope: a token may only create tokens
	// whose scopes it holds itself (see Token.Lacks).
	ScopeTokens = "tokens"
)

// Scopes lists every scope, in the order they are shown.
var Scopes = []string{ScopeIngest, ScopePublish, ScopeDelete, ScopeReadDrafts, ScopeTokens}

// TokenPrefix starts every token, so that secret scanners and people can
// recognise one.
const TokenPrefix = "mizan_"

// tokenTouchInterval is how stale a token's last-used time may get: it is
// written at most this often, so that verifying a token is not a write on
// every request.
const tokenTouchInterval = time.Minute

// Token describes an API token. The token's text is never stored.
type Token struct {
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsed is zero when the token was never used; it lags by up to a
	// minute.
	LastUsed time.Time `json:"last_used,omitzero"`
	// RevokedAt is zero while the token is valid.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Has reports whether the token carries scope.
func (t *Token) Has(scope string) bool { return slices.Contains(t.Scopes, scope) }

// Lacks returns the scopes of want that the token does not carry, in
// want's order; read-drafts is never lacking, since every token may read
// drafts. A token creating another may give it only scopes it holds, so
// that the "tokens" scope is not a way to gain the others.
func (t *Token) Lacks(want []string) []string {
	var out []string
	for _, s := range want {
		if s != ScopeReadDrafts && !t.Has(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Revoked reports whether the token was revoked.
func (t *Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Tokens creates, lists, revokes and verifies API tokens. It caches the
// tokens table: this process is the database's only writer (DuckDB locks
// the file), so the cache is exact as long as every change goes through
// one Tokens per database.
type Tokens struct {
	db    *DB
	mu    sync.Mutex
	cache []storedToken // nil: reload
}

// NewTokens returns the token store of db.
func NewTokens(db *DB) *Tokens { return &Tokens{db: db} }

// storedToken is a token with its hash, as the verifier keeps it.
type storedToken struct {
	Token
	hash [sha256.Size]byte
}

var tokenNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`)

// ParseScopes reads a comma-separated scope list ("ingest,publish"),
// checking each name; an empty list means read-drafts only.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if !slices.Contains(Scopes, f) {
			return nil, mizan.FieldErrorf("scope", "%q is not a scope: use %s", f, strings.Join(Scopes, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		out = []string{ScopeReadDrafts}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Scopes, a) - slices.Index(Scopes, b) })
	return out, nil
}

// hashToken returns the SHA-256 of a token's text. Tokens carry 256 random
// bits, so no slow key-derivation function is needed: nobody can guess a
// preimage whatever the hash costs, and a fast hash keeps every request's
// check cheap.
func hashToken(secret string) [sha256.Size]byte { return sha256.Sum256([]byte(secret)) }

// CreateToken creates a token with the given name and scopes and returns
// its text, which is shown this once and never stored.
func (ts *Tokens) CreateToken(ctx context.Context, name string, scopes []string) (string, Token, error) {
	if !tokenNamePattern.MatchString(name) {
		return "", Token{}, mizan.FieldErrorf("name", "%q is not a valid token name: 1 to 64 letters, digits, dots, hyphens or underscores", name)
	}
	scopes, err := ParseScopes(strings.Join(scopes, ","))
	if err != nil {
		return "", Token{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := hashToken(secret)
	t := Token{Name: name, Scopes: scopes, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	var n int
	if err := ts.db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE name = ?`, name).Scan(&n); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	if n > 0 {
		return "", Token{}, &mizan.Error{Code: mizan.ECONFLICT, Field: "name", Message: fmt.Sprintf("a token named %q exists (names are never reused, even after revocation)", name)}
	}
	if _, err := ts.db.SQL.ExecContext(ctx, `INSERT INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?)`,
		name, hex.EncodeToString(h[:]), strings.Join(scopes, ","), t.CreatedAt); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	ts.invalidateTokens()
	return secret, t, nil
}

// ListTokens returns every token, revoked ones included, oldest first.
func (ts *Tokens) ListTokens(ctx context.Context) ([]Token, error) {
	all, err := ts.loadTokens(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Token, len(all))
	for i := range all {
		out[i] = all[i].Token
	}
	return out, nil
}

// RevokeToken revokes the named token; revoking a revoked token changes
// nothing.
func (ts *Tokens) RevokeToken(ctx context.Context, name string) error {
	res, err := ts.db.SQL.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, time.Now().UTC().Truncate(time.Second), name)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	ts.invalidateTokens()
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	var n int
	if err := ts.db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	if n == 0 {
		return &mizan.Error{Code: mizan.ENOTFOUND, Field: "name", Message: fmt.Sprintf("no token named %q", name)}
	}
	return nil
}

// VerifyToken returns the valid token whose text is secret, or an
// EUNAUTHORIZED error. The hash of secret is compared with every stored
// hash in constant time, without stopping at a match, so the time taken
// says nothing about which hash or how much of it matched.
func (ts *Tokens) VerifyToken(ctx context.Context, secret string) (Token, error) {
	invalid := &mizan.Error{Code: mizan.EUNAUTHORIZED, Message: "invalid or revoked token"}
	if secret == "" {
		return Token{}, invalid
	}
	h := hashToken(secret)
	now := time.Now().UTC()
	ts.mu.Lock()
	if err := ts.loadLocked(ctx); err != nil {
		ts.mu.Unlock()
		return Token{}, err
	}
	found := -1
	for i := range ts.cache {
		if subtle.ConstantTimeCompare(h[:], ts.cache[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 || ts.cache[found].Revoked() {
		ts.mu.Unlock()
		return Token{}, invalid
	}
	st := &ts.cache[found]
	touch := now.Sub(st.LastUsed) >= tokenTouchInterval
	if touch {
		st.LastUsed = now.Truncate(time.Second)
	}
	t := st.Token
	t.Scopes = slices.Clone(t.Scopes)
	ts.mu.Unlock()
	if touch {
		// The cache moved first, so concurrent requests do not write the
		// same row at once. A failed write only loses the time of use.
		if _, err := ts.db.SQL.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE name = ?`, t.LastUsed, t.Name); err != nil {
			slog.WarnContext(ctx, "record token use", "token", t.Name, "error", err)
		}
	}
	return t, nil
}

// loadTokens returns a copy of the cached tokens.
func (ts *Tokens) loadTokens(ctx context.Context) ([]storedToken, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if err := ts.loadLocked(ctx); err != nil {
		return nil, err
	}
	return slices.Clone(ts.cache), nil
}

// loadLocked fills the cache, reading the table after a change; ts.mu is
// held. This process is the database's only writer, so the cache is exact.
func (ts *Tokens) loadLocked(ctx context.Context) error {
	if ts.cache != nil {
		return nil
	}
	rows, err := ts.db.SQL.QueryContext(ctx, `SELECT name, hash, scopes, created_at, last_used_at, revoked_at FROM tokens ORDER BY created_at, name`)
	if err != nil {
		return fmt.Errorf("read tokens: %w", err)
	}
	defer rows.Close()
	out := []storedToken{}
	for rows.Next() {
		var st storedToken
		var hash, scopes string
		var used, revoked sql.NullTime
		if err := rows.Scan(&st.Name, &hash, &scopes, &st.CreatedAt, &used, &revoked); err != nil {
			return fmt.Errorf("read tokens: %w", err)
		}
		b, err := hex.DecodeString(hash)
		if err != nil || len(b) != sha256.Size {
			return errors.New("read tokens: a stored hash is not a hex SHA-256")
		}
		copy(st.hash[:], b)
		st.Scopes = strings.Split(scopes, ",")
		st.CreatedAt = st.CreatedAt.UTC()
		if used.Valid {
			st.LastUsed = used.Time.UTC()
		}
		if revoked.Valid {
			st.RevokedAt = revoked.Time.UTC()
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read tokens: %w", err)
	}
	ts.cache = out
	return nil
}

// invalidateTokens makes the next token check read the table again.
func (ts *Tokens) invalidateTokens() {
	ts.mu.Lock()
	ts.cache = nil
	ts.mu.Unlock()
}
