package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/store"
)

func (m *Main) ingest(ctx context.Context, args []string) error {
	fs := m.flagSet("ingest")
	from := fs.String("from", "", "read source files from this local directory instead of their URLs (sha256 still verified)")
	asJSON := fs.Bool("json", false, "print the machine-readable summary as JSON")
	draft := fs.Bool("draft", false, "store the new version as a draft, visible only with a token")
	force := fs.Bool("force", false, "ingest even when the sources are identical to the latest version's")
	demo := fs.Bool("demo", false, "ingest the bundled synthetic demo (what serve does on an empty data dir)")
	dataset := fs.String("dataset", "", "store OCDS files and folders (PATH...) as a version of this contracts dataset")
	server := fs.String("server", "", "upload to the running server at this URL (e.g. http://127.0.0.1:8080) instead of opening the database")
	token := fs.String("token", "", "token with the ingest scope, for --server (env MIZAN_TOKEN)")
	threads := fs.Int("duckdb-threads", 0, "DuckDB threads for a local ingest (0: one per core; each stores a row group of its own in parallel)")
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, "usage: mizan ingest [flags] DESCRIPTOR_OR_DATAPACKAGE...")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 && !*demo {
		fs.Usage()
		return errUsage
	}
	if err := remoteConflicts(*server, *demo); err != nil {
		return err
	}
	if *server != "" {
		r, err := newRemote(*server, *token)
		if err != nil {
			return err
		}
		return m.ingestRemote(ctx, r, fs.Args(), remoteIngest{from: *from, dataset: *dataset, draft: *draft, force: *force, asJSON: *asJSON})
	}
	db, err := store.Open(ctx, store.Options{Dir: m.DataDir, Threads: *threads})
	if err != nil {
		return err
	}
	defer db.Close()
	if isOCDSIngest(*dataset, fs.Args()) {
		return m.ingestContracts(ctx, db, *dataset, fs.Args(), *asJSON, *force, *draft)
	}
	if *demo {
		if err := ingestDemo(ctx, db); err != nil {
			return err
		}
	}
	var summaries []*ingest.Summary
	var contractSummaries []*contracts.Summary
	for _, path := range fs.Args() {
		d, err := ingest.Load(path)
		if err != nil {
			return err
		}
		opts := ingest.Options{From: *from, Force: *force}
		if *draft {
			opts.Status = "draft"
		}
		if d.Kind == mizan.KindContracts {
			s, err := ingestContractsDescriptor(ctx, db, d, opts, *force)
			if err != nil {
				return fmt.Errorf("ingest %s: %w", path, err)
			}
			if *asJSON {
				contractSummaries = append(contractSummaries, s)
			} else {
				printContractsSummary(m.Stdout, s)
			}
			continue
		}
		var bar *progressBar
		if !*asJSON && isTerminal(m.Stderr) {
			bar = &progressBar{w: m.Stderr, name: d.ID, start: time.Now()}
			opts.Progress = bar.update
		}
		s, err := ingest.Ingest(ctx, db, d, opts)
		bar.finish()
		if err != nil {
			return fmt.Errorf("ingest %s: %w", path, err)
		}
		summaries = append(summaries, s)
		if !*asJSON {
			printSummary(m.Stdout, s)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		var all []any
		for _, s := range summaries {
			all = append(all, s)
		}
		for _, s := range contractSummaries {
			all = append(all, s)
		}
		if len(all) == 1 {
			return enc.Encode(all[0])
		}
		return enc.Encode(all)
	}
	return nil
}

func printSummary(w io.Writer, s *ingest.Summary) {
	if s.NoOp {
		fmt.Fprintf(w, "%s: unchanged; version %d already holds these exact sources\n", s.Dataset, s.Version)
		return
	}
	fmt.Fprintf(w, "%s: version %d: %d rows read, %d accepted, %d rejected (%s)\n",
		s.Dataset, s.Version, s.RowsRead, s.RowsAccepted, s.RowsRejected, s.Duration.Round(time.Millisecond))
	for _, t := range s.Totals {
		fmt.Fprintf(w, "  %d %-9s %-11s %s %s (%d rows)\n", t.Year, t.Phase, t.Direction, t.Amount, t.Currency, t.Rows)
	}
	if s.Reconciliation.Checked > 0 {
		fmt.Fprintf(w, "  reconciliation: %d published totals checked, %d mismatches\n", s.Reconciliation.Checked, s.Reconciliation.Mismatches)
	}
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws rows, bytes and an ETA on one terminal line.
type progressBar struct {
	w     io.Writer
	name  string
	start time.Time
	drawn bool
}

func (b *progressBar) update(p ingest.Progress) {
	elapsed := time.Since(b.start)
	line := fmt.Sprintf("%s: %s rows, %s", b.name, humanCount(p.Rows), humanBytes(p.BytesRead))
	if p.TotalBytes > 0 {
		frac := float64(p.BytesRead) / float64(p.TotalBytes)
		if frac > 1 {
			frac = 1
		}
		const width = 24
		filled := int(frac * width)
		line = fmt.Sprintf("%s [%s%s] %3.0f%%", line, strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100)
		if frac > 0.01 {
			eta := time.Duration(float64(elapsed)/frac) - elapsed
			line += fmt.Sprintf(" ETA %s", eta.Round(time.Second))
		}
	}
	fmt.Fprintf(b.w, "\r\033[K%s", line)
	b.drawn = true
}

func (b *progressBar) finish() {
	if b != nil && b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func humanCount(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
