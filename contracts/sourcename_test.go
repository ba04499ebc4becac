package contracts

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSourceName(t *testing.T) {
	dir := t.TempDir()
	pub := filepath.Join(dir, "publisher")
	if err := os.MkdirAll(filepath.Join(pub, "2014"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(pub, "2014", "releases.json")
	tests := []struct {
		name       string
		args       []string
		root, want string
	}{
		{"file argument", []string{file}, "", "releases.json"},
		{"directory argument", []string{pub}, "", "publisher/2014/releases.json"},
		{"directory argument with a trailing slash", []string{pub + "/"}, "", "publisher/2014/releases.json"},
		{"other directory first", []string{filepath.Join(dir, "elsewhere"), pub}, "", "publisher/2014/releases.json"},
		{"root", []string{file}, pub, "2014/releases.json"},
		{"root not above the file", []string{file}, filepath.Join(dir, "other"), "releases.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sourceName(file, tt.args, tt.root); got != tt.want {
				t.Errorf("sourceName = %q, want %q", got, tt.want)
			}
		})
	}
}
