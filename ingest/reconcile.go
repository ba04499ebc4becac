package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/mizan-budget/mizan/store"
)

// inputState accumulates what the collector learns about one input.
type inputState struct {
	counts counts
	agg    map[string]*aggEntry
	checks []check
}

func (st *inputState) merge(res *result) {
	st.counts.add(res.counts)
	st.checks = append(st.checks, res.checks...)
	if res.agg == nil {
		return
	}
	if st.agg == nil {
		st.agg = res.agg
		return
	}
	for k, e := range res.agg {
		if old := st.agg[k]; old != nil {
			old.sum = old.sum.Add(e.sum)
		} else {
			st.agg[k] = e
		}
	}
}

// checkMask says which keys a check carries: year, each value, each level.
func checkMask(f *fact) string {
	b := make([]byte, 0, 1+nFields+len(f.keys))
	bit := func(ok bool) {
		if ok {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	bit(f.hasYear)
	for _, v := range f.vals {
		bit(v != "")
	}
	for _, k := range f.keys {
		bit(k != "")
	}
	return string(b)
}

// project encodes the keys of f that mask selects.
func project(f *fact, mask string) string {
	var b strings.Builder
	if mask[0] == '1' {
		b.WriteString(strconv.Itoa(int(f.year)))
	}
	for i, v := range f.vals {
		b.WriteByte(0x1f)
		if mask[1+i] == '1' {
			b.WriteString(v)
		}
	}
	for i, k := range f.keys {
		b.WriteByte(0x1e)
		if mask[1+nFields+i] == '1' {
			b.WriteString(k)
		}
	}
	return b.String()
}

// reconcile checks each published total and parent row of an input
// against the sum of the stored facts it covers: same source, same year,
// phase, direction and currency, and the same key on every level the
// total row carries itself.
func (pl *pipeline) reconcile(in *input, st *inputState) []store.Mismatch {
	if len(st.checks) == 0 {
		return nil
	}
	sums := map[string]map[string]decimal128.Num{}
	out := make([]store.Mismatch, 0, len(st.checks))
	for i := range st.checks {
		ck := &st.checks[i]
		mask := checkMask(&ck.f)
		proj := sums[mask]
		if proj == nil {
			proj = map[string]decimal128.Num{}
			for _, e := range st.agg {
				k := project(&e.f, mask)
				proj[k] = proj[k].Add(e.sum)
			}
			sums[mask] = proj
		}
		computed := proj[project(&ck.f, mask)]
		out = append(out, store.Mismatch{
			SourceID:  in.id,
			SourceRow: ck.line,
			Scope:     pl.scope(in, ck),
			Published: formatNum(ck.f.amount, pl.m.scale),
			Computed:  formatNum(computed, pl.m.scale),
			Matches:   computed == ck.f.amount,
		})
	}
	return out
}

// scope says in words what a check covers, e.g. "Total of
// govt-subsidies.csv, 2016, approved expenditure".
func (pl *pipeline) scope(in *input, ck *check) string {
	parts := []string{"Total of " + in.label}
	if ck.parent {
		parts[0] = "Subtotal of " + in.label
	}
	for i, k := range ck.f.keys {
		if k != "" {
			l := pl.m.levels[i]
			parts = append(parts, fmt.Sprintf("%s.%s %s", l.dim, l.level, k))
		}
	}
	if ck.column != "" {
		parts = append(parts, fmt.Sprintf("column %q", ck.column))
	}
	if ck.f.hasYear {
		parts = append(parts, strconv.Itoa(int(ck.f.year)))
	}
	if v := ck.f.vals[fPeriod]; v != "" {
		parts = append(parts, "period "+v)
	}
	if pd := strings.TrimSpace(ck.f.vals[fPhase] + " " + ck.f.vals[fDirection]); pd != "" {
		parts = append(parts, pd)
	}
	if v := ck.f.vals[fMeasure]; v != "" {
		parts = append(parts, v)
	}
	if v := ck.f.vals[fCurrency]; v != "" && v != pl.m.currency {
		parts = append(parts, "in "+v)
	}
	return strings.Join(parts, ", ")
}
