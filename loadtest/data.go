package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Dataset ids the load's data directory holds, beside the bundled demo.
const (
	// GeneratedID is the id of the generated synthetic budget.
	GeneratedID = "load-budget"
	// ManchesterID is the Manchester payments dataset (its descriptor's id).
	ManchesterID = "manchester-spending"
	// CanadaID is the Canadian OCDS contracts dataset.
	CanadaID = "canada-contracts-2014"
)

// DataOptions say what a load's data directory holds.
type DataOptions struct {
	// Bin is the mizan binary that ingests.
	Bin string
	// Root is the module root (for datasets/*.yaml).
	Root string
	// Dir is the data directory; created when missing. Datasets already
	// there are kept (an ingest of identical sources is a no-op).
	Dir string
	// Scratch holds generated files; required when GeneratedRows > 0.
	Scratch string
	// Demo ingests the bundled synthetic demo.
	Demo bool
	// GeneratedRows, when positive, generates a synthetic budget of that
	// many rows (`mizan generate`) and ingests it as GeneratedID.
	GeneratedRows int64
	// Shared is the shared datasets directory (/work/shared/datasets);
	// when set and present, Manchester payments are ingested.
	Shared string
	// Contracts also ingests the Canadian OCDS contracts from Shared (a
	// minute of ingest on a busy two-core machine).
	Contracts bool
	// Logf, when set, reports each step.
	Logf func(format string, args ...any)
}

// PrepareData fills a data directory for a load run with the real mizan
// commands, and returns notes on what it holds.
func PrepareData(ctx context.Context, o DataOptions) ([]string, error) {
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	var notes []string
	step := func(what string, args ...string) error {
		start := time.Now()
		if _, err := runMizan(ctx, o.Bin, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
		notes = append(notes, what)
		return nil
	}
	if o.Demo {
		if err := step("ingest the bundled synthetic demo", "ingest", "--data", o.Dir, "--demo"); err != nil {
			return nil, err
		}
	}
	if o.GeneratedRows > 0 {
		out := filepath.Join(o.Scratch, "generated")
		if err := step(fmt.Sprintf("generate %d synthetic rows", o.GeneratedRows), "generate", "--out", out,
			"--rows", strconv.FormatInt(o.GeneratedRows, 10), "--codes-only", "--id", GeneratedID); err != nil {
			return nil, err
		}
		err := step(fmt.Sprintf("ingest %s (%d rows)", GeneratedID, o.GeneratedRows),
			"ingest", "--data", o.Dir, "--from", out, filepath.Join(out, GeneratedID+".yaml"))
		// The CSV is as large as the database; it is not needed any more.
		os.RemoveAll(out)
		if err != nil {
			return nil, err
		}
	}
	if o.Shared != "" {
		manchester := filepath.Join(o.Shared, "uk-manchester-spending-500")
		if dirExists(manchester) {
			if err := step("ingest "+ManchesterID, "ingest", "--data", o.Dir, "--from", manchester,
				filepath.Join(o.Root, "datasets", "manchester-spending.yaml")); err != nil {
				return nil, err
			}
		}
		canada := filepath.Join(o.Shared, "ocds-canada-buyandsell-2014")
		if o.Contracts && dirExists(canada) {
			if err := step("ingest "+CanadaID, "ingest", "--data", o.Dir, "--dataset", CanadaID, canada); err != nil {
				return nil, err
			}
		}
	}
	return notes, nil
}

// runMizan runs one mizan command to completion and returns its output.
func runMizan(ctx context.Context, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		b := out.Bytes()
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		return nil, fmt.Errorf("mizan %v: %w\n%s", args, err, b)
	}
	return out.Bytes(), nil
}

func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
