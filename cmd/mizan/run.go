package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/mizan-budget/mizan"
)

// errUsage marks errors already explained by a usage message.
var errUsage = errors.New("usage")

// Main holds the program's configuration and outputs; end-to-end tests
// drive it the way main does.
type Main struct {
	Stdout, Stderr io.Writer
	// DataDir is where the DuckDB file and everything Mizan keeps live.
	DataDir string
	// Addr is the address serve listens on.
	Addr string
	// Logger is the program's structured logger.
	Logger *slog.Logger
}

// NewMain returns a Main writing to the given outputs, with defaults taken
// from the environment.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{
		Stdout:  stdout,
		Stderr:  stderr,
		DataDir: envOr("MIZAN_DATA", "./mizan-data"),
		Addr:    envOr("MIZAN_ADDR", "127.0.0.1:8080"),
		Logger:  slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

const usage = `usage: mizan COMMAND [flags]

Commands:
  serve      run the API and dashboard (ingests the synthetic demo on an empty data dir)
  ingest     ingest dataset descriptors or Fiscal Data Packages
  datasets   list datasets, versions, row counts and sources
  publish    publish a draft version (locally, or on a server with --server)
  token      create, list and revoke API tokens
  backup     write the whole database as Parquet plus a manifest
  restore    rebuild a database from a backup
  generate   write a synthetic dataset (CSV + descriptor)
  version    print the version

Run 'mizan COMMAND -h' for a command's flags.
`

// Run parses args and runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errUsage
	}
	slog.SetDefault(m.Logger)
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return m.serve(ctx, rest)
	case "ingest":
		return m.ingest(ctx, rest)
	case "datasets":
		return m.datasets(ctx, rest)
	case "publish":
		return m.publish(ctx, rest)
	case "token":
		return m.token(ctx, rest)
	case "backup":
		return m.backup(ctx, rest)
	case "restore":
		return m.restore(ctx, rest)
	case "generate":
		return m.generate(ctx, rest)
	case "version", "--version", "-version":
		fmt.Fprintln(m.Stdout, "mizan", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	default:
		fmt.Fprintf(m.Stderr, "mizan: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

// flagSet returns a FlagSet with the flags every command shares.
func (m *Main) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory: the DuckDB file and everything Mizan keeps (env MIZAN_DATA)")
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return errUsage
	}
	return nil
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// exitCode maps an error to the process exit status: 2 for usage and
// invalid input, 1 otherwise.
func exitCode(err error) int {
	if errors.Is(err, errUsage) || mizan.ErrorCode(err) == mizan.EINVALID {
		return 2
	}
	return 1
}
