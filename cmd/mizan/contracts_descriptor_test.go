package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/store"
)

// A descriptor of kind contracts lists OCDS files with their sha256 and
// URL; ingest reads them with the OCDS reader and the catalog gets the
// descriptor's metadata and source names, never local paths.
func TestIngestContractsDescriptor(t *testing.T) {
	src := "../../../shared/datasets/ocds-real-examples/colombia/sample/records"
	names := []string{"ocds-k50g02-16-13-5279502.json", "ocds-k50g02-16-12-5280389.json"}
	if _, err := os.Stat(src); err != nil {
		t.Skipf("real data not available: %v", err)
	}
	dir := t.TempDir()
	descriptor := func(sums ...string) string {
		var b strings.Builder
		b.WriteString("id: colombia-sample\nkind: contracts\ntitle: {en: Colombia sample, ar: عينة كولومبيا}\ncountry: CO\ncurrency: COP\nsources:\n")
		for i, n := range names {
			fmt.Fprintf(&b, "  - name: %s\n    url: https://example.org/ocds/%s\n    sha256: %s\n", n, n, sums[i])
		}
		p := filepath.Join(dir, "colombia.yaml")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var sums []string
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, n))
		if os.IsNotExist(err) {
			t.Skipf("real data not available: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		sums = append(sums, hex.EncodeToString(h[:]))
	}
	ctx := context.Background()
	data := t.TempDir()

	// A wrong sha256 stops the ingest before anything is stored.
	bad := append([]string{strings.Repeat("0", 64)}, sums[1:]...)
	if _, err := run(t, ctx, "ingest", "--data", data, "--from", src, descriptor(bad...)); err == nil || !strings.Contains(err.Error(), "sha256 mismatch") {
		t.Fatalf("wrong sha256: err = %v, want a sha256 mismatch", err)
	}

	path := descriptor(sums...)
	out, err := run(t, ctx, "ingest", "--data", data, "--from", src, "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	var s contracts.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	if s.Dataset != "colombia-sample" || s.Version != 1 || s.Processes != 2 {
		t.Errorf("summary: dataset %s v%d, %d processes; want colombia-sample v1, 2", s.Dataset, s.Version, s.Processes)
	}
	if out, err := run(t, ctx, "ingest", "--data", data, "--from", src, path); err != nil || !strings.Contains(out, "unchanged") {
		t.Errorf("second ingest: %v, printed %q; want unchanged", err, out)
	}

	db, err := store.Open(ctx, store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, v, err := db.ResolveVersion(ctx, "colombia-sample", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != mizan.KindContracts || d.Country != "CO" || d.Title["ar"] != "عينة كولومبيا" {
		t.Errorf("dataset: kind %s, country %s, title %v", d.Kind, d.Country, d.Title)
	}
	if len(v.Sources) != len(names) {
		t.Fatalf("%d sources, want %d", len(v.Sources), len(names))
	}
	for i, sf := range v.Sources {
		if sf.Name != names[i] || sf.URL != "https://example.org/ocds/"+names[i] || sf.SHA256 != sums[i] {
			t.Errorf("source %d = %s %s %s; want %s, its url and sha256", i, sf.Name, sf.URL, sf.SHA256, names[i])
		}
	}
}
