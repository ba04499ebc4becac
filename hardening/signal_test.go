package hardening

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"connectrpc.com/connect"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// TestIngestSignal sends SIGTERM (and SIGINT) to an ingest once it has
// started writing: it must roll back, exit non-zero saying it was
// interrupted, and leave the previous version as it was.
func TestIngestSignal(t *testing.T) {
	rows := envInt(t, "MIZAN_CRASH_ROWS", 30_000)
	first := generate(t, rows, 1)
	second := generate(t, rows, 2)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			data := t.TempDir()
			run(t, "ingest", "--data", data, first.descriptor)
			errOut := newLockedBuffer()
			cmd := exec.Command(mizanBin, "ingest", "--data", data, "--json", second.descriptor)
			cmd.Stderr = errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			var err error
			go func() { err = cmd.Wait(); close(done) }()
			if !errOut.waitFor("ingest: started", done) {
				<-done
				t.Fatalf("the ingest ended before starting: %v\n%s", err, errOut)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			<-done
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
				t.Fatalf("after %s the ingest exited with %v, want a non-zero exit status\n%s", sig, err, errOut)
			}
			msg := errOut.String()
			if !strings.Contains(msg, "interrupted") || !strings.Contains(msg, "rolled back") {
				t.Errorf("after %s the ingest said:\n%s\nwant a message saying it was interrupted and rolled back", sig, msg)
			}
			checkDatabase(t, data, []generated{first})
			// And the interrupted ingest, run again, succeeds.
			s := parseSummary(t, run(t, "ingest", "--data", data, "--json", second.descriptor))
			if s.Version != 2 {
				t.Errorf("re-run stored version %d, want 2", s.Version)
			}
			checkDatabase(t, data, []generated{first, second})
		})
	}
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// TestServeSIGTERMFinishesRequests starts mizan serve, begins a facts
// export larger than the socket buffers and reads part of it, sends
// SIGTERM, then reads the rest: the export must arrive whole and the
// server exit cleanly.
func TestServeSIGTERMFinishesRequests(t *testing.T) {
	// Big enough that the CSV (tens of MB) cannot all sit in socket
	// buffers when the signal arrives.
	g := generate(t, max(envInt(t, "MIZAN_CRASH_ROWS", 30_000), 200_000), 3)
	data := t.TempDir()
	run(t, "ingest", "--data", data, g.descriptor)
	errOut := newLockedBuffer()
	cmd := exec.Command(mizanBin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--no-demo")
	cmd.Stderr = errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	if !errOut.waitFor("msg=serving", done) {
		t.Fatalf("serve did not start: %v\n%s", exitErr, errOut)
	}
	m := servingAddr.FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("no address in:\n%s", errOut)
	}
	client := mizanv1connect.NewQueryServiceClient(http.DefaultClient, "http://"+m[1])
	ctx := context.Background()
	stream, err := client.Export(ctx, connect.NewRequest(&mizanv1.ExportRequest{
		Query:  &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: dataset}},
		Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var file bytes.Buffer
	receive := func() bool {
		if !stream.Receive() {
			return false
		}
		file.Write(stream.Msg().GetData())
		return true
	}
	for i := 0; i < 3; i++ {
		if !receive() {
			t.Fatalf("export ended early: %v", stream.Err())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !errOut.waitFor("shutting down", done) {
		t.Fatalf("serve did not begin shutting down:\n%s", errOut)
	}
	for receive() {
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("export interrupted by the shutdown: %v", err)
	}
	records, err := csv.NewReader(&file).ReadAll()
	if err != nil {
		t.Fatalf("exported CSV: %v", err)
	}
	if int64(len(records)) != g.rows+1 {
		t.Errorf("export had %d records, want %d facts and a header", len(records), g.rows)
	}
	<-done
	if exitErr != nil {
		t.Errorf("serve exited with %v after SIGTERM\n%s", exitErr, errOut)
	}
	// New requests are refused once it is gone.
	if _, err := http.Get("http://" + m[1] + "/"); err == nil {
		t.Error("serve still answers after exiting")
	}
}
