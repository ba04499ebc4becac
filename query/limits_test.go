package query

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mizan-budget/mizan"
)

func TestCancelStopsLongQuery(t *testing.T) {
	db := openDB(t)
	eng := NewDuckDB(db)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// A cross join far too big to finish: only cancellation ends it.
	rdr, err := eng.run(ctx, "test", stmt{SQL: "SELECT count(*) FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range < 0"})
	if err == nil {
		err = eachRow(rdr, func(arrow.RecordBatch, int) error { return nil })
	}
	if err == nil {
		t.Fatal("long query finished without error")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	// The connection pool still works afterwards.
	n, err := eng.count(context.Background(), "test", stmt{SQL: "SELECT 42"})
	if err != nil || n != 42 {
		t.Errorf("after cancel: %d, %v", n, err)
	}
}

func TestQueryTimeout(t *testing.T) {
	f := newFixture(t)
	svc := NewService(f.db, f.eng, Options{QueryTimeout: time.Nanosecond})
	_, err := svc.Aggregate(context.Background(), mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if mizan.ErrorMessage(err) != "internal error" {
		t.Errorf("message %q leaks internals", mizan.ErrorMessage(err))
	}
}

func TestServerBusy(t *testing.T) {
	f := newFixture(t)
	svc := NewService(f.db, f.eng, Options{MaxConcurrent: 1, QueueWait: 10 * time.Millisecond})
	release, err := svc.lim.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Aggregate(context.Background(), mizan.AggregateQuery{Dataset: "budget"})
	if mizan.ErrorCode(err) != mizan.EEXHAUSTED {
		t.Errorf("busy: error = %v, want %s", err, mizan.EEXHAUSTED)
	}
	release()
	if _, err := svc.Aggregate(context.Background(), mizan.AggregateQuery{Dataset: "budget"}); err != nil {
		t.Errorf("after release: %v", err)
	}
}

// Exports have slots of their own: a long export cannot leave the quick
// queries waiting, and exports beyond their slots are refused as busy.
func TestExportSlotsApart(t *testing.T) {
	f := newFixture(t)
	svc := NewService(f.db, f.eng, Options{MaxConcurrent: 4, QueueWait: 10 * time.Millisecond})
	if svc.opts.MaxConcurrentExports != 1 {
		t.Fatalf("export slots = %d, want 1 (a quarter of 4)", svc.opts.MaxConcurrentExports)
	}
	release, err := svc.exp.acquire(context.Background()) // an export running
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := svc.Aggregate(context.Background(), mizan.AggregateQuery{Dataset: "budget"}); err != nil {
		t.Errorf("a query while an export runs: %v", err)
	}
	var buf bytes.Buffer
	err = svc.Export(context.Background(), ExportRequest{Format: FormatCSV, Facts: &mizan.FactsQuery{Dataset: "budget"}}, &buf)
	if mizan.ErrorCode(err) != mizan.EEXHAUSTED {
		t.Errorf("a second export: error = %v, want %s", err, mizan.EEXHAUSTED)
	}
}
