package ingest

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// maxReserveRows bounds the rows a worker reserves column space for.
const maxReserveRows = 1 << 16

// result is what a worker made of a chunk.
type result struct {
	cols    []arrow.Array // the facts' columns but row_id; nil when no fact was stored
	rejects []store.Reject
	members []mizan.Member // first sightings within the chunk, in row order
	levels  []int          // each member's index in model.levels
	counts  counts
	totals  map[totalKey]*totalAgg
	agg     map[string]*aggEntry // sums for reconciliation, when the plan needs them
	checks  []check
	err     error
}

// aggEntry sums the facts sharing every key.
type aggEntry struct {
	f   fact
	sum decimal128.Num
}

// check is a published total (or parent row) to compare with its parts.
type check struct {
	line   int64
	parent bool
	column string // the unpivoted column, if any
	f      fact
}

// work runs one worker until the chunks run out.
func (pl *pipeline) worker() {
	defer pl.wg.Done()
	var sizes columnSizes
	for c := range pl.work {
		if err := pl.ctx.Err(); err != nil {
			c.done <- &result{err: err} // abandoned: keep draining so the reader never blocks
			continue
		}
		c.done <- pl.process(c, &sizes)
	}
}

// process maps every row of a chunk. sizes carries the string columns'
// sizes from one chunk to the next, to allocate them once.
func (pl *pipeline) process(c *chunk, sizes *columnSizes) *result {
	res := &result{totals: map[totalKey]*totalAgg{}}
	p := c.in.plan
	if p == nil || (c.data == "" && len(c.rows) == 0) {
		return res
	}
	rows := len(c.rows)
	if c.rows == nil {
		rows = strings.Count(c.data, "\n") + 1
	}
	// Reserve for at most maxReserveRows: a chunk of 2 MiB of bare newlines
	// (a decompression bomb) would otherwise reserve columns for two
	// million facts in every worker. Builders grow past it as needed.
	fb := newFactBuilder(pl.schema, len(pl.m.levels), min(rows, maxReserveRows), sizes)
	seen := make([]map[string]int32, len(pl.m.levels))
	for i := range seen {
		seen[i] = map[string]int32{}
	}
	if p.aggregate {
		res.agg = map[string]*aggEntry{}
	}
	last := make([]int, len(pl.m.levels)) // per level: the member of the previous row
	lastFull := make([]bool, len(pl.m.levels))
	for i := range last {
		last[i] = -1
	}
	var known []map[string]int // what the collector has of each level's members
	if snap := pl.snap.Load(); snap != nil {
		known = *snap
	}
	byPacked := map[uint64]*totalAgg{} // res.totals by packTotal
	var lastPacked uint64              // the previous fact's total, as rows often share one
	var lastTotal *totalAgg
	var o rowOut
	fields := make([]string, 0, p.ncols+4)
	var keyBuf strings.Builder
	srcID := int32(c.in.id)
	handle := func(fields []string, line int64) {
		p.mapRow(fields, line, &o)
		res.counts.read++
		if len(o.rejects) > 0 {
			res.counts.rejected++
			res.rejects = append(res.rejects, o.rejects...)
		}
		switch o.kind {
		case rowBlank, rowSkip:
			res.counts.skipped++
			return
		case rowRejected:
			return
		case rowTotal, rowParent:
			res.counts.totals++
			for i := range o.facts {
				f := o.facts[i]
				f.keys = cloneAll(f.keys)
				for j := range f.vals {
					f.vals[j] = strings.Clone(f.vals[j])
				}
				ck := check{line: line, parent: o.kind == rowParent, f: f}
				if p.amount < 0 && len(p.unpivot) > 1 {
					ck.column = cleanHeader(p.header[f.col])
				}
				res.checks = append(res.checks, ck)
			}
		case rowFacts:
			res.counts.accepted++
			for i := range o.facts {
				f := &o.facts[i]
				fb.add(f, srcID, line)
				res.counts.facts++
				var t *totalAgg
				pk, packed := packTotal(f)
				if packed {
					if t = lastTotal; t == nil || pk != lastPacked {
						t = byPacked[pk]
					}
				}
				if t == nil {
					tk := totalKey{year: f.year, hasYear: f.hasYear, phase: f.vals[fPhase], direction: f.vals[fDirection], currency: f.vals[fCurrency]}
					if t = res.totals[tk]; t == nil {
						t = &totalAgg{}
						tk.phase, tk.direction, tk.currency = strings.Clone(tk.phase), strings.Clone(tk.direction), strings.Clone(tk.currency)
						res.totals[tk] = t
					}
					if packed {
						byPacked[pk] = t
					}
				}
				lastTotal, lastPacked = t, pk
				if !packed {
					lastTotal = nil
				}
				t.sum = t.sum.Add(f.amount)
				t.rows++
				if res.agg != nil {
					k := aggKey(&keyBuf, f)
					e := res.agg[k]
					if e == nil {
						e = &aggEntry{f: *f}
						e.f.keys = cloneAll(f.keys)
						for j := range e.f.vals {
							e.f.vals[j] = strings.Clone(e.f.vals[j])
						}
						res.agg[strings.Clone(k)] = e
					}
					e.sum = e.sum.Add(f.amount)
				}
			}
		}
		for _, mo := range o.members {
			if last[mo.level] >= 0 && lastFull[mo.level] && res.members[last[mo.level]].Key == mo.key {
				continue // the same member as on the previous row (sorted files)
			}
			if known != nil {
				if n, ok := known[mo.level][mo.key]; ok && n >= p.levels[mo.level].nlabels {
					continue // an earlier chunk gave the collector all this could add
				}
			}
			// seen holds index<<1, with the low bit set once every label
			// the level's columns can give is known.
			if v, ok := seen[mo.level][mo.key]; ok {
				i := int(v >> 1)
				last[mo.level], lastFull[mo.level] = i, v&1 == 1
				if v&1 == 1 {
					continue
				}
				lbl := res.members[i].Label
				for _, l := range mo.labels {
					if lbl[l.lang] == "" {
						lbl[l.lang] = strings.Clone(l.text)
					}
				}
				if len(lbl) >= p.levels[mo.level].nlabels {
					seen[mo.level][res.members[i].Key] = v | 1
				}
				continue
			}
			lr := pl.m.levels[mo.level]
			m := mizan.Member{Dimension: lr.dim, Level: lr.level, Key: strings.Clone(mo.key), Parent: strings.Clone(mo.parent), Label: mizan.Text{}}
			for _, l := range mo.labels {
				if m.Label[l.lang] == "" {
					m.Label[l.lang] = strings.Clone(l.text)
				}
			}
			full := len(m.Label) >= p.levels[mo.level].nlabels
			v := int32(len(res.members)) << 1
			if full {
				v |= 1
			}
			seen[mo.level][m.Key] = v
			last[mo.level], lastFull[mo.level] = len(res.members), full
			res.members = append(res.members, m)
			res.levels = append(res.levels, mo.level)
		}
	}
	if c.rows != nil {
		for i, row := range c.rows {
			handle(row, c.rowNums[i])
		}
	} else {
		// Decoded text holds NUL or U+FFFD only when damaged: check cells
		// only in the chunks that have any.
		o.checkText = strings.IndexByte(c.data, 0) >= 0 || strings.Contains(c.data, "\uFFFD")
		data, line := c.data, c.line
		d, q := c.in.dialect.delim, c.in.dialect.quote
		for len(data) > 0 {
			var rest string
			var nl int
			fields, rest, nl = nextFields(data, d, q, fields[:0])
			handle(fields, line)
			line += int64(nl)
			data = rest
		}
	}
	res.cols = fb.finish(sizes)
	return res
}

// packTotal packs a fact's totalKey into 64 bits: the year, a canonical
// phase and direction, and a three-letter currency; false when it cannot.
func packTotal(f *fact) (uint64, bool) {
	var k uint64
	if f.hasYear {
		k = uint64(uint32(f.year)) | 1<<32
	}
	var ph uint64
	switch f.vals[fPhase] {
	case "":
	case mizan.PhaseProposed:
		ph = 1
	case mizan.PhaseApproved:
		ph = 2
	case mizan.PhaseRevised:
		ph = 3
	case mizan.PhaseCommitted:
		ph = 4
	case mizan.PhaseExecuted:
		ph = 5
	case mizan.PhasePaid:
		ph = 6
	default:
		return 0, false
	}
	var dir uint64
	switch f.vals[fDirection] {
	case "":
	case mizan.DirectionExpenditure:
		dir = 1
	case mizan.DirectionRevenue:
		dir = 2
	default:
		return 0, false
	}
	c := f.vals[fCurrency]
	if len(c) != 3 {
		return 0, false
	}
	return k | ph<<33 | dir<<36 | uint64(c[0])<<38 | uint64(c[1])<<46 | uint64(c[2])<<54, true
}

// aggKey encodes every key of a fact.
func aggKey(b *strings.Builder, f *fact) string {
	b.Reset()
	if f.hasYear {
		b.WriteString(strconv.Itoa(int(f.year)))
	}
	for _, v := range f.vals {
		b.WriteByte(0x1f)
		b.WriteString(v)
	}
	for _, k := range f.keys {
		b.WriteByte(0x1e)
		b.WriteString(k)
	}
	return b.String()
}
