package contracts

import (
	"math/big"
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

func TestFormatBig(t *testing.T) {
	tests := []struct {
		n     int64
		scale int32
		want  string
	}{
		{125, 1, "12.50"},
		{12, 0, "12.00"},
		{-1234, 2, "-12.34"},
		{12500, 3, "12.50"},
		{12345, 3, "12.345"},
		{5, 3, "0.005"},
	}
	for _, tt := range tests {
		if got := formatBig(big.NewInt(tt.n), tt.scale); got != tt.want {
			t.Errorf("formatBig(%d, %d) = %q, want %q", tt.n, tt.scale, got, tt.want)
		}
	}
}
