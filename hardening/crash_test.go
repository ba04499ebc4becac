package hardening

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mizan-budget/mizan/backup"
	"github.com/mizan-budget/mizan/store"
)

// killAfter runs the binary and kills it with SIGKILL after delay. It
// reports whether the process was killed (false: it finished first, and
// successfully; any other failure fails the test), and what it logged.
func killAfter(t *testing.T, delay time.Duration, args ...string) (killed bool, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(mizanBin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(delay, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	switch {
	case err == nil:
		return false, errOut.String()
	case killedBy(err, syscall.SIGKILL):
		return true, errOut.String()
	default:
		t.Fatalf("mizan %s failed on its own: %v\n%s", strings.Join(args, " "), err, errOut.String())
		return false, ""
	}
}

// timed runs the binary to completion and returns how long it took.
func timed(t *testing.T, args ...string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	out := run(t, args...)
	return out, time.Since(start)
}

// TestCrashDuringIngest kills ingests of a large file with SIGKILL at
// random points, MIZAN_CRASH_KILLS times (default 3; 20 in make crash),
// and checks the database after each: it opens, the committed versions
// are there with the totals of their files, nothing of the killed ingest
// is visible (unless it had committed before the kill, while closing the
// database: then its version is whole), and a last ingest of the same file
// succeeds. Backups and
// restores are then killed the same way: a killed backup leaves no backup
// directory, a killed restore no database.
func TestCrashDuringIngest(t *testing.T) {
	kills := int(envInt(t, "MIZAN_CRASH_KILLS", 3))
	rows := envInt(t, "MIZAN_CRASH_ROWS", 30_000)
	seed := uint64(envInt(t, "MIZAN_CRASH_SEED", time.Now().UnixNano()&(1<<62-1)))
	t.Logf("%d kills of a %d-row ingest; MIZAN_CRASH_SEED=%d", kills, rows, seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	first := generate(t, rows, 1)
	second := generate(t, rows, 2)
	data := t.TempDir()
	_, full := timed(t, "ingest", "--data", data, "--json", first.descriptor)
	t.Logf("a full ingest took %s", full.Round(time.Millisecond))
	committed := []generated{first}
	checkDatabase(t, data, committed)

	var killed, afterCommit, finished int
	for i := 0; i < kills && !t.Failed(); i++ {
		// Anywhere from start-up to the commit and the checkpoint after it.
		delay := time.Duration(rng.Int64N(int64(full) + 1))
		wasKilled, logged := killAfter(t, delay, "ingest", "--data", data, "--force", "--json", second.descriptor)
		switch {
		case !wasKilled:
			finished++
			committed = append(committed, second)
		case countVersions(t, data) == len(committed)+1:
			// Killed after its commit (while checkpointing on close): the
			// version is durable, and must be whole.
			if !strings.Contains(logged, "ingest: done") {
				t.Errorf("kill %d after %s: a version appeared, but the ingest had not reported its commit:\n%s", i+1, delay, logged)
			}
			afterCommit++
			committed = append(committed, second)
		default:
			killed++
		}
		checkDatabase(t, data, committed)
		if st, err := os.Stat(filepath.Join(data, store.FileName)); err == nil {
			t.Logf("kill %d after %s: database %d MiB, versions %d", i+1, delay.Round(time.Millisecond), st.Size()>>20, len(committed))
		}
	}
	t.Logf("%d ingests killed before their commit, %d after it, %d finished before their kill", killed, afterCommit, finished)

	// The same ingest, left alone, succeeds.
	s := parseSummary(t, run(t, "ingest", "--data", data, "--force", "--json", second.descriptor))
	committed = append(committed, second)
	if s.Version != len(committed) {
		t.Errorf("final ingest stored version %d, want %d", s.Version, len(committed))
	}
	checkDatabase(t, data, committed)
	if t.Failed() {
		return
	}

	// Backups killed at random points leave no backup directory, or a
	// whole one: moving the finished backup into place is its last step
	// but for an fsync of the parent directory.
	parent := t.TempDir()
	complete := filepath.Join(parent, "complete")
	_, full = timed(t, "backup", "--data", data, complete)
	t.Logf("a full backup of %d versions took %s", len(committed), full.Round(time.Millisecond))
	for i := 0; i < min(kills, 5); i++ {
		dir := filepath.Join(parent, "killed")
		delay := time.Duration(rng.Int64N(int64(full) + 1))
		k, _ := killAfter(t, delay, "backup", "--data", data, dir)
		switch _, err := os.Stat(dir); {
		case os.IsNotExist(err) && k:
		case err == nil:
			checkBackup(t, dir)
		default:
			t.Errorf("backup (killed %v after %s): %s: %v", k, delay, dir, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		checkDatabase(t, data, committed)
	}
	checkBackup(t, complete)

	// Restores killed at random points leave no database.
	_, full = timed(t, "restore", "--data", t.TempDir(), complete)
	t.Logf("a full restore took %s", full.Round(time.Millisecond))
	for i := 0; i < min(kills, 5); i++ {
		target := t.TempDir()
		delay := time.Duration(rng.Int64N(int64(full) + 1))
		// Moving the database into place is the restore's last step: a
		// database there is a complete one; without one, the killed
		// restore's leftovers must not stop the next.
		if k, _ := killAfter(t, delay, "restore", "--data", target, complete); k {
			if _, err := os.Stat(filepath.Join(target, store.FileName)); os.IsNotExist(err) {
				run(t, "restore", "--data", target, complete)
			}
		}
		checkDatabase(t, target, committed)
	}
}

// checkBackup verifies a finished backup: manifest, files and sha256s.
func checkBackup(t *testing.T, dir string) {
	t.Helper()
	m, err := backup.ReadManifest(dir)
	if err != nil {
		t.Fatalf("backup %s: %v", dir, err)
	}
	if err := backup.Verify(dir, m); err != nil {
		t.Errorf("backup %s: %v", dir, err)
	}
}

// countVersions returns how many versions of the dataset the database in
// data holds (checkDatabase then checks each of them).
func countVersions(t *testing.T, data string) int {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{Dir: data, Threads: 2})
	if err != nil {
		t.Fatalf("the database does not open: %v", err)
	}
	defer db.Close()
	var n int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM versions WHERE dataset_id = ?`, dataset).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
