package ingest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan/store"
)

const crashChildEnv = "MIZAN_CRASH_CHILD"

const crashDescriptor = `
id: crash
title: {en: Crash}
currency: USD
dimensions:
  - id: admin
    levels: [{id: ministry}, {id: programme}]
sources:
  - name: %s
    mapping:
      year: {column: Year}
      phase: {column: Phase}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin:
          - {level: ministry, code: Ministry Code, label: Ministry}
          - {level: programme, label: Programme}
`

// crashChild runs in a re-executed test binary: it ingests the file named
// by MIZAN_CRASH_FILE into the store in MIZAN_CRASH_CHILD and reports
// progress on stdout until it is killed.
func crashChild() int {
	dir, file := os.Getenv(crashChildEnv), os.Getenv("MIZAN_CRASH_FILE")
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	d, err := Parse([]byte(fmt.Sprintf(crashDescriptor, filepath.Base(file))), filepath.Dir(file))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_, err = Ingest(ctx, db, d, Options{Workers: 2, Progress: func(p Progress) { fmt.Printf("progress %d\n", p.Rows) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

func TestCrashLeavesPreviousVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dataDir, srcDir := t.TempDir(), t.TempDir()
	small := filepath.Join(srcDir, "small.csv")
	genCSV(t, small, 1000)
	big := filepath.Join(srcDir, "big.csv")
	genCSV(t, big, 400_000)

	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse([]byte(fmt.Sprintf(crashDescriptor, "small.csv")), srcDir)
	if err != nil {
		t.Fatal(err)
	}
	s1 := mustIngest(t, db, d, Options{})
	want := factTotals(t, db, "crash", 1)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for run := 0; run < 3; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dataDir, "MIZAN_CRASH_FILE="+big)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of progress reports (or at once).
		waitFor := r.IntN(4)
		sc := bufio.NewScanner(out)
		for i := 0; i < waitFor && sc.Scan(); i++ {
		}
		time.Sleep(time.Duration(r.IntN(30)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("run %d: killed after %d progress reports", run, waitFor)

		db, err := store.Open(ctx, store.Options{Dir: dataDir})
		if err != nil {
			t.Fatalf("open after kill: %v", err)
		}
		var latest int
		if err := db.SQL.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM versions WHERE dataset_id = 'crash'`).Scan(&latest); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, factTotals(t, db, "crash", 1)); diff != "" {
			t.Errorf("version 1 changed after kill (-want +got):\n%s", diff)
		}
		if latest != 1 {
			// The child may have finished before the kill: then version 2 must be whole.
			var n int64
			if err := db.SQL.QueryRow(fmt.Sprintf("SELECT count(*) FROM %s", store.Quote(store.FactsTable("crash", latest)))).Scan(&n); err != nil || n != 400_000 {
				t.Errorf("version %d after kill has %d facts (%v)", latest, n, err)
			}
		}
		db.Close()
	}

	db, err = store.Open(ctx, store.Options{Dir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d2, err := Parse([]byte(fmt.Sprintf(crashDescriptor, "big.csv")), srcDir)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Ingest(ctx, db, d2, Options{Force: true})
	if err != nil {
		t.Fatalf("re-run after kills: %v", err)
	}
	if s2.Version <= s1.Version || s2.Facts != 400_000 {
		t.Errorf("re-run: version %d, %d facts", s2.Version, s2.Facts)
	}
	if diff := cmp.Diff(want, factTotals(t, db, "crash", 1)); diff != "" {
		t.Errorf("version 1 changed (-want +got):\n%s", diff)
	}
}
