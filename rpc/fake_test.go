package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// boomDataset makes the fake query service fail the way a storage bug
// would: with an error carrying SQL that must never reach a client.
const boomDataset = "boom"

// leakySQL is the text of the fake storage error.
const leakySQL = `Binder Error: SELECT secret_column FROM facts_boom_v1`

// fakeQuery stands in for the query package's Service: it answers from the
// fixture facts in Go, pinning versions through the real catalog, so the
// tests exercise the rpc layer (conversion, paging, errors, protocols) on
// their own; realquery_test.go runs the same API against query.Service.
type fakeQuery struct {
	db *store.DB
}

var (
	_ rpc.Querier  = (*fakeQuery)(nil)
	_ rpc.Exporter = (*fakeQuery)(nil)
)

func (f *fakeQuery) version(ctx context.Context, dataset string, v int) (int, error) {
	if dataset == boomDataset {
		return 0, fmt.Errorf("query aggregate: %s", leakySQL)
	}
	if dataset == "" {
		return 0, mizan.FieldErrorf("dataset", "dataset is required")
	}
	_, ver, err := f.db.ResolveVersion(ctx, dataset, v, false)
	return ver.Number, err
}

// key returns a fact's key for a drilldown reference.
func key(ref string, ft fact) (string, error) {
	switch ref {
	case mizan.DimYear:
		return strconv.Itoa(int(ft.year)), nil
	case mizan.DimPhase:
		return ft.phase, nil
	case "admin", "admin.ministry":
		return ft.ministry, nil
	case "admin.department":
		return ft.department, nil
	}
	return "", mizan.FieldErrorf("drilldown", "unknown dimension %q", ref)
}

func fils(n int64) string { return new(big.Rat).SetFrac64(n, 1000).FloatString(3) }

func keep(cuts []mizan.Cut, ft fact) (bool, error) {
	for _, c := range cuts {
		k, err := key(c.Ref, ft)
		if err != nil {
			return false, mizan.FieldErrorf("cuts", "unknown dimension %q", c.Ref)
		}
		in := false
		for _, v := range c.Values {
			in = in || v == k
		}
		if in == c.Negate {
			return false, nil
		}
	}
	return true, nil
}

func page(n, size, offset int) (lo, hi, next int) {
	if size == 0 {
		size = 100
	}
	lo, hi = min(offset, n), min(offset+size, n)
	if hi < n {
		next = hi
	}
	return lo, hi, next
}

// Aggregate implements rpc.Querier.
func (f *fakeQuery) Aggregate(ctx context.Context, q mizan.AggregateQuery) (*mizan.AggregateResult, error) {
	v, err := f.version(ctx, q.Dataset, q.Version)
	if err != nil {
		return nil, err
	}
	sums := map[string]int64{}
	counts := map[string]int64{}
	keys := map[string]map[string]string{}
	var total, n int64
	for _, ft := range fixtureFacts {
		ok, err := keep(q.Cuts, ft)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		ks := map[string]string{}
		id := ""
		for _, ref := range q.Drilldown {
			k, err := key(ref, ft)
			if err != nil {
				return nil, err
			}
			ks[ref] = k
			id += k + "\x00"
		}
		sums[id] += ft.fils
		counts[id]++
		keys[id] = ks
		total += ft.fils
		n++
	}
	ids := make([]string, 0, len(sums))
	for id := range sums {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	lo, hi, next := page(len(ids), q.PageSize, q.Offset)
	res := &mizan.AggregateResult{
		Summary:        mizan.Cell{Values: map[string]string{"amount.sum": fils(total), "amount.count": strconv.FormatInt(n, 10)}, Currency: "BHD"},
		TotalCellCount: int64(len(ids)),
		Dataset:        q.Dataset,
		Version:        v,
		Currency:       "BHD",
		NextOffset:     next,
	}
	for _, id := range ids[lo:hi] {
		res.Cells = append(res.Cells, mizan.Cell{
			Keys:     keys[id],
			Labels:   map[string]string{},
			Values:   map[string]string{"amount.sum": fils(sums[id]), "amount.count": strconv.FormatInt(counts[id], 10)},
			Currency: "BHD",
		})
	}
	return res, nil
}

// Execution implements rpc.Querier: approved against executed per ministry.
func (f *fakeQuery) Execution(ctx context.Context, q mizan.ExecutionQuery) (*mizan.ExecutionResult, error) {
	v, err := f.version(ctx, q.Dataset, q.Version)
	if err != nil {
		return nil, err
	}
	approved, executed := map[string]int64{}, map[string]int64{}
	for _, ft := range fixtureFacts {
		switch ft.phase {
		case mizan.PhaseApproved:
			approved[ft.ministry] += ft.fils
		case mizan.PhaseExecuted:
			executed[ft.ministry] += ft.fils
		}
	}
	row := func(keys map[string]string, a, e int64) mizan.ExecutionRow {
		r := mizan.ExecutionRow{Keys: keys, Approved: fils(a), Executed: fils(e), RateBase: mizan.PhaseApproved, Variance: fils(e - a), Currency: "BHD"}
		if a != 0 {
			r.Rate = new(big.Rat).SetFrac64(e, a).FloatString(6)
			r.Over = e > a
			r.Under = 2*e < a
		}
		return r
	}
	res := &mizan.ExecutionResult{Dataset: q.Dataset, Version: v, Currency: "BHD", TotalRowCount: 2}
	var ta, te int64
	for _, m := range []string{"M1", "M2"} {
		res.Rows = append(res.Rows, row(map[string]string{"admin.ministry": m}, approved[m], executed[m]))
		ta, te = ta+approved[m], te+executed[m]
	}
	res.Summary = row(nil, ta, te)
	return res, nil
}

// Facts implements rpc.Querier.
func (f *fakeQuery) Facts(ctx context.Context, q mizan.FactsQuery) (*mizan.FactsResult, error) {
	v, err := f.version(ctx, q.Dataset, q.Version)
	if err != nil {
		return nil, err
	}
	var all []mizan.Fact
	for i, ft := range fixtureFacts {
		ok, err := keep(q.Cuts, ft)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		all = append(all, mizan.Fact{
			Row:      int64(i + 1),
			Keys:     map[string]string{"year": strconv.Itoa(int(ft.year)), "phase": ft.phase, "admin.ministry": ft.ministry, "admin.department": ft.department},
			Labels:   map[string]string{},
			Amount:   fils(ft.fils),
			Currency: "BHD",
			SourceID: 1, File: "budget.xlsx", SHA256: "ab12", Sheet: "2023", SourceRow: ft.sourceRow,
		})
	}
	lo, hi, next := page(len(all), q.PageSize, q.Offset)
	return &mizan.FactsResult{Facts: all[lo:hi], TotalCount: int64(len(all)), Dataset: q.Dataset, Version: v, NextOffset: next}, nil
}

// Export implements rpc.Exporter: CSV of the facts (or cells), whatever the
// format, so tests can read it.
func (f *fakeQuery) Export(ctx context.Context, job query.ExportRequest, w io.Writer) error {
	if job.Facts == nil {
		if job.Aggregate == nil {
			return errors.New("empty export job")
		}
		res, err := f.Aggregate(ctx, *job.Aggregate)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "format=%s version=%d\n", job.Format, res.Version)
		for _, c := range res.Cells {
			fmt.Fprintf(w, "%v,%s\n", c.Keys, c.Values["amount.sum"])
		}
		return nil
	}
	res, err := f.Facts(ctx, *job.Facts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "format=%s version=%d\nrow,amount\n", job.Format, res.Version)
	for _, ft := range res.Facts {
		if _, err := fmt.Fprintf(w, "%d,%s\n", ft.Row, ft.Amount); err != nil {
			return err
		}
	}
	return nil
}
