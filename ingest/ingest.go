package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// hashVersion changes when the same bytes would ingest differently.
const hashVersion = "mizan-ingest/2"

// Ingest reads every source of d and stores it as the dataset's next
// version, in one transaction: a failed, cancelled or killed ingest leaves
// no trace and the previous versions intact. When the descriptor and the
// sources' bytes are those of the latest version (and the status is the
// same), nothing is written and the summary says NoOp, unless opts.Force.
func Ingest(ctx context.Context, db *store.DB, d *Descriptor, opts Options) (*Summary, error) {
	start := time.Now()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if d.Kind == mizan.KindContracts {
		return nil, mizan.FieldErrorf("kind", "%s lists OCDS files (kind contracts): read them with the contracts ingest (mizan ingest does), not as tables", d.ID)
	}
	status := opts.Status
	switch status {
	case "":
		status = mizan.StatusPublished
	case mizan.StatusPublished, mizan.StatusDraft:
	default:
		return nil, mizan.FieldErrorf("status", "%q is not a version status: published or draft", status)
	}
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	loc := &locator{d: d, opts: &opts, maxBytes: maxBytes}
	defer loc.cleanup()

	var inputs []*input
	var total int64
	for _, s0 := range d.Sources {
		s := mergeSource(d.Defaults, s0)
		names, err := loc.expand(s)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			rf, err := loc.locate(ctx, s, name)
			if err != nil {
				return nil, err
			}
			total += rf.size
			ins, err := loc.inputsOf(rf)
			if err != nil {
				return nil, err
			}
			for _, in := range ins {
				in.id = len(inputs) + 1
				inputs = append(inputs, in)
			}
		}
	}
	slog.DebugContext(ctx, "ingest: located", "elapsed", time.Since(start))
	hash, err := contentHash(d, inputs)
	if err != nil {
		return nil, err
	}
	m := newModel(d)
	if !opts.Force {
		version, unchanged, err := db.Unchanged(ctx, d.ID, hash, status)
		if err != nil {
			return nil, err
		}
		if unchanged {
			slog.InfoContext(ctx, "ingest: sources unchanged", "dataset", d.ID, "version", version)
			return &Summary{Dataset: d.ID, Version: version, NoOp: true, ContentHash: hash, Status: status, Scale: m.scale,
				Sources: sourceSummaries(inputs, nil), Duration: time.Since(start)}, nil
		}
	}

	sources := make([]mizan.SourceFile, len(inputs))
	for i, in := range inputs {
		name := in.raw.name
		if in.member != "" {
			name += "!" + in.member
		}
		sources[i] = mizan.SourceFile{ID: in.id, Name: name, Sheet: in.sheet, SHA256: in.raw.sha256, URL: in.raw.url, Bytes: in.raw.size}
	}
	w, err := db.BeginVersion(ctx, store.VersionSpec{
		Dataset: d.DatasetMeta(), ContentHash: hash, Status: status, Scale: m.scale, Precision: m.prec, Factor: factorString(d),
		Dimensions: m.dims, Sources: sources,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", d.ID, err)
	}
	defer w.Rollback()
	slog.InfoContext(ctx, "ingest: started", "dataset", d.ID, "version", w.Version(), "sources", len(inputs), "bytes", total)

	pl := &pipeline{m: m, w: w, schema: w.Schema(), inputs: inputs, maxBytes: maxBytes, opts: &opts, totalBytes: total, limit: -1,
		labels: descriptorLabels(d, m)}
	if d.RejectThreshold != "" {
		pl.limit, pl.share, _ = parseThreshold(d.RejectThreshold)
	}
	if err := pl.run(ctx); err != nil {
		return nil, fmt.Errorf("ingest %s: %w", d.ID, err)
	}
	slog.DebugContext(ctx, "ingest: pipeline done", "elapsed", time.Since(start))
	sum := &Summary{Dataset: d.ID, Version: w.Version(), ContentHash: hash, Status: status, Scale: m.scale,
		Sources: sourceSummaries(inputs, pl.states), Totals: sortedTotals(pl.totals, m.scale),
		Reconciliation: Reconciliation{Checked: pl.checked, Mismatches: pl.mismatch},
		Warnings:       pl.warnings, RejectSamples: pl.samples}
	for _, s := range sum.Sources {
		sum.RowsRead += s.RowsRead
		sum.RowsAccepted += s.RowsAccepted
		sum.RowsRejected += s.RowsRejected
		sum.RowsSkipped += s.RowsSkipped
		sum.RowsTotals += s.RowsTotals
		sum.Facts += s.Facts
	}
	if sum.Facts == 0 && sum.RowsTotals == 0 {
		return nil, fmt.Errorf("ingest %s: %w", d.ID, noFactsError(sum))
	}
	if pl.limit < 0 && pl.share > 0 && sum.RowsRead > 0 && float64(sum.RowsRejected) > pl.share/100*float64(sum.RowsRead) {
		return nil, fmt.Errorf("ingest %s: %w", d.ID, pl.thresholdError())
	}
	// The store keeps the sources slice it was given; their row counts are
	// only known now.
	for i := range sources {
		sources[i].Rows = pl.states[i+1].counts.read
	}
	sum.Duration = time.Since(start)
	if _, err := w.Commit(ctx, sum.RowsRead, sum); err != nil {
		return nil, fmt.Errorf("ingest %s: %w", d.ID, err)
	}
	sum.Duration = time.Since(start)
	slog.InfoContext(ctx, "ingest: done", "dataset", d.ID, "version", sum.Version, "rows", sum.RowsRead,
		"facts", sum.Facts, "rejected", sum.RowsRejected, "mismatches", sum.Reconciliation.Mismatches, "duration", sum.Duration)
	return sum, nil
}

// noFactsError explains an ingest that would store an empty version: a
// header-only or blank file, or one whose every row was rejected.
func noFactsError(sum *Summary) error {
	names := make([]string, len(sum.Sources))
	for i, s := range sum.Sources {
		names[i] = s.Name
		if s.Member != "" {
			names[i] += "!" + s.Member
		}
		if s.Sheet != "" {
			names[i] += " [" + s.Sheet + "]"
		}
	}
	if sum.RowsRejected > 0 && len(sum.RejectSamples) > 0 {
		return mizan.Errorf(mizan.EINVALID, "every row was rejected (%d); the first: %s", sum.RowsRejected, sum.RejectSamples[0])
	}
	return mizan.Errorf(mizan.EINVALID, "no data rows below the header in %s", strings.Join(names, ", "))
}

func factorString(d *Descriptor) string {
	if d.Factor == "" {
		return "1"
	}
	return d.Factor
}

// contentHash identifies what an ingest would store: the descriptor and
// every source's bytes (not the status: a draft, once published, holds the
// same content).
func contentHash(d *Descriptor, inputs []*input) (string, error) {
	desc, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("hash descriptor: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", hashVersion, desc)
	for _, in := range inputs {
		fmt.Fprintf(h, "source %d %q %q %q %s\n", in.id, in.raw.name, in.member, in.sheet, in.raw.sha256)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sourceSummaries(inputs []*input, states []inputState) []SourceSummary {
	out := make([]SourceSummary, len(inputs))
	for i, in := range inputs {
		s := SourceSummary{ID: in.id, Name: in.raw.name, Sheet: in.sheet, Member: in.member, SHA256: in.raw.sha256,
			Bytes: in.raw.size, Format: in.format, Encoding: in.encoding}
		if in.format != "xlsx" && in.encoding != "" {
			s.Delimiter = in.dialect.delimiterName()
		}
		if states != nil {
			c := states[in.id].counts
			s.RowsRead, s.RowsAccepted, s.RowsRejected, s.RowsSkipped, s.RowsTotals, s.Facts = c.read, c.accepted, c.rejected, c.skipped, c.totals, c.facts
		}
		out[i] = s
	}
	return out
}

// descriptorLabels indexes the descriptor's translations by "dim.level".
func descriptorLabels(d *Descriptor, m *model) map[string]map[string]mizan.Text {
	out := map[string]map[string]mizan.Text{}
	for ref, byKey := range d.Labels {
		dim, level := mizan.SplitRef(ref)
		li := m.levelIndex(dim, level)
		if li < 0 {
			continue
		}
		out[m.levels[li].dim+"."+m.levels[li].level] = byKey
	}
	return out
}
