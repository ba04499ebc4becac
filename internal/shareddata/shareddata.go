// Package shareddata finds the real public datasets the tests read:
// ../shared/datasets beside the repository (or $MIZAN_DATASETS), and the
// folder there that holds each descriptor's sources.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Folders maps every descriptor in datasets/ to its folder of sources.
var Folders = map[string]string{
	"bahrain-budget":        "bh-bahrain-budgets",
	"manchester-spending":   "uk-manchester-spending-500",
	"mexico-pef-2016":       "mx-pef-2016",
	"mexico-transfers":      "mx-pef-2016",
	"madrid-budget":         "fdp-madrid-municipal-gastos",
	"macedonia-budget":      "fdp-openspending-macedonia",
	"australia-pbs":         "fdp-au-budget",
	"albania-treasury":      "fdp-al-treasury-spending",
	"uk-cra-cofog":          "uk-hmt-cra-cofog-sample",
	"canada-contracts-2014": "ocds-canada-buyandsell-2014",
}

// Root returns the absolute path of the shared datasets: $MIZAN_DATASETS,
// else the first shared/datasets found beside the working directory or one
// of its parents; "" when there is none.
func Root() string {
	if p := os.Getenv("MIZAN_DATASETS"); p != "" {
		if abs, err := filepath.Abs(p); err == nil && isDir(abs) {
			return abs
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if p := filepath.Join(dir, "shared", "datasets"); isDir(p) {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir returns the shared folder of that name, skipping the test when it
// is absent.
func Dir(t testing.TB, folder string) string {
	t.Helper()
	root := Root()
	if root == "" || !isDir(filepath.Join(root, folder)) {
		t.Skipf("real data not available: no %s in the shared datasets (set MIZAN_DATASETS)", folder)
	}
	return filepath.Join(root, folder)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
