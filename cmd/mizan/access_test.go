package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/ingest"
)

// TestIngestThroughServer creates tokens, starts the real server, uploads
// with `mizan ingest --server` as a draft, checks that anonymous callers do
// not see it, publishes it with `mizan publish --server` (token from
// MIZAN_TOKEN), and compares every upload with the same local ingest.
func TestIngestThroughServer(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	token, err := run(t, ctx, "token", "create", "--data", data, "--name", "ci", "--scope", "ingest,publish")
	if err != nil {
		t.Fatal(err)
	}
	token = strings.TrimSpace(token)
	reader, err := run(t, ctx, "token", "create", "--data", data, "--name", "auditor")
	if err != nil {
		t.Fatal(err)
	}
	reader = strings.TrimSpace(reader)

	url, done, stop := serveBackground(t, ctx, data)
	defer stop()
	if body := waitPost(t, url+"/mizan.v1.CatalogService/ListDatasets", `{}`, done); strings.TrimSpace(string(body)) != "{}" {
		t.Fatalf("empty server lists %s", body)
	}

	out, err := run(t, ctx, "ingest", "--server", url, "--token", token, "--json", "--draft", "testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var remote ingest.Summary
	if err := json.Unmarshal([]byte(out), &remote); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	localOut, err := run(t, ctx, "ingest", "--data", t.TempDir(), "--json", "testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var local ingest.Summary
	if err := json.Unmarshal([]byte(localOut), &local); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(local.Totals, remote.Totals); diff != "" {
		t.Errorf("totals (-local +server):\n%s", diff)
	}
	if remote.Status != mizan.StatusDraft || remote.RowsRead != local.RowsRead || remote.RowsRejected != local.RowsRejected || remote.Version != 1 {
		t.Errorf("server ingest: %s v%d read %d rejected %d; local read %d rejected %d", remote.Status, remote.Version, remote.RowsRead, remote.RowsRejected, local.RowsRead, local.RowsRejected)
	}

	// The draft is hidden from the public, shown with a token.
	if body := postWith(t, url+"/mizan.v1.CatalogService/ListDatasets", "", `{}`); strings.Contains(body, "tiny-budget") {
		t.Errorf("anonymous callers see the draft: %s", body)
	}
	if body := postWith(t, url+"/mizan.v1.CatalogService/ListDatasets", reader, `{}`); !strings.Contains(body, "tiny-budget") {
		t.Errorf("the auditor does not see the draft: %s", body)
	}
	// Bad tokens and scopes are refused with their meaning.
	if _, err := run(t, ctx, "ingest", "--server", url, "--token", reader, "testdata/tiny.yaml"); mizan.ErrorCode(err) != mizan.EFORBIDDEN {
		t.Errorf("ingest with a read-drafts token: %v", err)
	}
	if _, err := run(t, ctx, "publish", "--server", url, "--token", "mizan_wrong", "tiny-budget", "1"); mizan.ErrorCode(err) != mizan.EUNAUTHORIZED {
		t.Errorf("publish with a wrong token: %v", err)
	}

	t.Setenv("MIZAN_TOKEN", token)
	if out, err := run(t, ctx, "publish", "--server", url, "tiny-budget", "1"); err != nil || !strings.Contains(out, "published") {
		t.Fatalf("publish: %q %v", out, err)
	}
	if body := postWith(t, url+"/mizan.v1.CatalogService/ListDatasets", "", `{}`); !strings.Contains(body, "tiny-budget") {
		t.Errorf("published dataset not public: %s", body)
	}

	// OCDS files and folders, as `mizan ingest --dataset` takes them.
	ocdsDir := "../../../shared/datasets/ocds-real-examples/colombia/sample"
	if _, err := os.Stat(ocdsDir); err == nil {
		out, err := run(t, ctx, "ingest", "--server", url, "--json", "--dataset", "colombia-sample", ocdsDir)
		if err != nil {
			t.Fatal(err)
		}
		var rc, lc contracts.Summary
		if err := json.Unmarshal([]byte(out), &rc); err != nil {
			t.Fatal(err)
		}
		localOut, err := run(t, ctx, "ingest", "--data", t.TempDir(), "--json", "--dataset", "colombia-sample", ocdsDir)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(localOut), &lc); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(lc.Totals, rc.Totals); diff != "" {
			t.Errorf("contract totals (-local +server):\n%s", diff)
		}
		if rc.Releases == 0 || rc.Releases != lc.Releases || rc.Processes != lc.Processes || len(rc.Files) != len(lc.Files) || rc.ContentHash != lc.ContentHash {
			t.Errorf("server: %d releases %d processes %d files; local: %d %d %d", rc.Releases, rc.Processes, len(rc.Files), lc.Releases, lc.Processes, len(lc.Files))
		}
	} else {
		t.Log("shared OCDS examples not present; OCDS upload not tested")
	}

	// A source only reachable by URL is refused: the server never downloads.
	dir := t.TempDir()
	desc, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "remote.yaml"), []byte(strings.Replace(string(desc), "id: tiny-budget", "id: remote-only", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, ctx, "ingest", "--server", url, filepath.Join(dir, "remote.yaml")); err == nil || !strings.Contains(err.Error(), "--from") {
		t.Errorf("missing local source: %v", err)
	}

	stop()
	out, err = run(t, ctx, "token", "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "ci ") && strings.Contains(line, "never") {
			t.Errorf("token use not recorded: %q", line)
		}
	}
	if out, err := run(t, ctx, "token", "revoke", "--data", data, "ci"); err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %q %v", out, err)
	}
	out, err = run(t, ctx, "token", "list", "--data", data, "--json")
	if err != nil || !strings.Contains(out, `"revoked_at"`) {
		t.Errorf("list after revoke: %s %v", out, err)
	}
}

// postWith sends a JSON POST with an optional token and returns the body.
func postWith(t *testing.T, url, token, body string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
