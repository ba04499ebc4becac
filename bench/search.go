package main

// Keyword search over the Canadian contracts and the Manchester payments
// (about 500k records), side by side with a plain DuckDB ILIKE scan over the
// same records' searchable text.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// canadaDir holds the Canadian OCDS releases of 2014.
const canadaDir = "/work/shared/datasets/ocds-canada-buyandsell-2014"

// searchQueries are what a journalist types: supplier names, words of
// titles and expense types, two-word phrases and prefixes.
var searchQueries = []string{
	"capita", "biffa", "computacenter", "serco", "snow removal", "elevator", "consult", "translation services",
	"furniture", "univ", "cleaning", "security services", "software", "construction", "legal fees", "repair",
	"fuel", "printing", "training", "transport", "social care", "hotel",
}

// benchSearch ingests Canada and Manchester into a store of its own, then
// times the same keyword searches through contracts.Service (text match,
// facets, total and the first page by amount) and as DuckDB ILIKE scans
// (every word ANDed over the same searchable text, total count and the
// first page by amount), alternately, and sets search_p50_ms and
// search_vs_ilike (ILIKE median ÷ Mizan median).
func benchSearch(ctx context.Context, cfg *config, rep *report) error {
	for _, d := range []string{canadaDir, manchesterDir} {
		if _, err := os.Stat(d); err != nil {
			slog.Warn("search: shared datasets missing; skipping", "dir", d, "err", err)
			rep.set("search_p50_ms", "n/a")
			rep.set("search_vs_ilike", "n/a")
			return nil
		}
	}
	dir := filepath.Join(cfg.work, "search")
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if _, err := contracts.Ingest(ctx, db, []string{canadaDir}, contracts.Options{Dataset: mizan.Dataset{ID: "canada", Title: mizan.Text{"en": "Canada 2014"}}}); err != nil {
		return fmt.Errorf("search: ingest Canada: %w", err)
	}
	d, err := ingest.Load(filepath.Join(cfg.root, "datasets", "manchester-spending.yaml"))
	if err != nil {
		return err
	}
	if _, err := ingest.Ingest(ctx, db, d, ingest.Options{From: manchesterDir}); err != nil {
		return fmt.Errorf("search: ingest Manchester: %w", err)
	}
	slog.Info("search: ingested", "took", time.Since(start).Round(time.Millisecond))
	svc := contracts.NewService(db, contracts.ServiceOptions{})
	start = time.Now()
	if err := svc.Warm(ctx); err != nil {
		return err
	}
	warm := time.Since(start)
	records, err := buildIlikeTable(ctx, db)
	if err != nil {
		return err
	}

	mizanRun := func(q string) (int, error) {
		res, err := svc.Search(ctx, contracts.SearchQuery{Text: q, PageSize: 20})
		if err != nil {
			return 0, err
		}
		return res.Total, nil
	}
	ilikeRun := func(q string) (int, error) { return ilikeSearch(ctx, db, q) }
	var mz, il []time.Duration
	perQuery := map[string][2][]time.Duration{}
	counts := map[string][2]int{}
	for rep := -1; rep < cfg.reps; rep++ { // rep -1 warms up
		for _, q := range searchQueries {
			// Index 0 is Mizan, 1 the baseline; the baseline goes first on
			// even repetitions.
			order := []int{1, 0}
			if rep%2 != 0 {
				order = []int{0, 1}
			}
			var took [2]time.Duration
			var n [2]int
			for _, i := range order {
				run := mizanRun
				if i == 1 {
					run = ilikeRun
				}
				st := time.Now()
				c, err := run(q)
				if err != nil {
					return fmt.Errorf("search %q: %w", q, err)
				}
				took[i], n[i] = time.Since(st), c
			}
			if rep < 0 {
				counts[q] = n
				continue
			}
			mz, il = append(mz, took[0]), append(il, took[1])
			pq := perQuery[q]
			pq[0], pq[1] = append(pq[0], took[0]), append(pq[1], took[1])
			perQuery[q] = pq
		}
	}
	mMed, iMed := median(mz), median(il)
	rep.set("search_p50_ms", fmt.Sprintf("%.2f", float64(mMed)/float64(time.Millisecond)))
	rep.set("search_vs_ilike", fmtRatio(float64(iMed)/float64(mMed)))
	rep.note("search: %d records (Canada 2014 processes and Manchester payments); %d queries × %d repetitions; index build %s; median %s ms (Mizan: prefix match, facets, total, first page by amount) vs %s ms (DuckDB ILIKE '%%word%%' ANDed over the same text: total, first page by amount)",
		records, len(searchQueries), cfg.reps, warm.Round(time.Millisecond), ms(mMed), ms(iMed))
	for _, q := range searchQueries {
		pq, n := perQuery[q], counts[q]
		rep.note("search %q: Mizan %s ms (%d records), ILIKE %s ms (%d: substrings, not word prefixes)", q, ms(median(pq[0])), n[0], ms(median(pq[1])), n[1])
	}
	rpcMed, err := searchOverRPC(ctx, db, svc)
	if err != nil {
		return err
	}
	rep.note("search through the RPC (Connect, binary, loopback), median of the same queries once each: %s ms", ms(rpcMed))
	return nil
}

// buildIlikeTable writes the baseline's table: one row per searchable
// record with its text as published and its amount, so the scan does no
// join. It returns the number of records.
func buildIlikeTable(ctx context.Context, db *store.DB) (int, error) {
	facts := store.Quote(store.FactsTable("manchester-spending", 1))
	_, err := db.SQL.ExecContext(ctx, `CREATE TABLE bench_search AS
		SELECT 'canada' AS dataset, CAST(process_id AS BIGINT) AS record, coalesce(search_raw, '') || ' ' || ocid AS text, CAST(amount AS DOUBLE) AS amount
		FROM contract_processes WHERE dataset_id = 'canada'
		UNION ALL
		SELECT 'manchester-spending', row_id, concat_ws(' ', buyer, supplier, service_area, expense_type, "transaction"), CAST(amount AS DOUBLE) FROM `+facts)
	if err != nil {
		return 0, fmt.Errorf("search: baseline table: %w", err)
	}
	var n int
	err = db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM bench_search`).Scan(&n)
	return n, err
}

// ilikeSearch is the baseline: every word of q ILIKE'd against the text,
// the total count and the first page by amount.
func ilikeSearch(ctx context.Context, db *store.DB, q string) (int, error) {
	var conds []string
	var args []any
	for _, w := range strings.Fields(q) {
		conds = append(conds, "text ILIKE ?")
		args = append(args, "%"+w+"%")
	}
	where := strings.Join(conds, " AND ")
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM bench_search WHERE `+where, args...).Scan(&n); err != nil {
		return 0, err
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT dataset, record, amount FROM bench_search WHERE `+where+` ORDER BY amount DESC NULLS LAST, dataset, record LIMIT 20`, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var ds string
		var rec int64
		var a *float64
		if err := rows.Scan(&ds, &rec, &a); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// searchOverRPC runs each query once through a real server on loopback and
// returns the median.
func searchOverRPC(ctx context.Context, db *store.DB, svc *contracts.Service) (time.Duration, error) {
	srv, err := rpc.NewServer(rpc.Options{
		Catalog:   db,
		Query:     query.NewService(db, query.NewDuckDB(db), query.Options{}),
		Contracts: svc,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return 0, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rpc.ServeListener(sctx, ln, srv) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			slog.Warn("search: server", "err", err)
		}
	}()
	client := mizanv1connect.NewContractServiceClient(http.DefaultClient, "http://"+ln.Addr().String())
	var ds []time.Duration
	for _, q := range searchQueries {
		st := time.Now()
		if _, err := client.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{Query: q})); err != nil {
			return 0, fmt.Errorf("search %q over RPC: %w", q, err)
		}
		ds = append(ds, time.Since(st))
	}
	return median(ds), nil
}
