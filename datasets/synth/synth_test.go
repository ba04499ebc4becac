package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/classification"
)

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestDeterministic(t *testing.T) {
	for _, cfg := range []Config{{}, {Rows: 12_345, Seed: 7}, {Rows: 5_000, CodesOnly: true}} {
		a, b := sum(generate(t, cfg)), sum(generate(t, cfg))
		if a != b {
			t.Errorf("%+v: two runs differ: %s, %s", cfg, a, b)
		}
	}
	if sum(generate(t, Config{Rows: 5000, Seed: 1})) == sum(generate(t, Config{Rows: 5000, Seed: 2})) {
		t.Error("different seeds give the same output")
	}
}

// The output is part of the benchmarks' contract: a change here means
// every generated dataset changed. Update the hashes only on purpose.
func TestGolden(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Rows: 3000}, "b55580330a183eb0be0852d13290c2f9b8b33b2fe2fd1bcaacd233412f879dda"},
		{Config{Rows: 3000, CodesOnly: true}, "6c9cc23e3bae2ebd0e9546545c60ae108e7290fe195770c802fa679e6e68d6dd"},
	}
	for _, tt := range tests {
		if got := sum(generate(t, tt.cfg)); got != tt.want {
			t.Errorf("%+v: sha256 %s; want %s", tt.cfg, got, tt.want)
		}
	}
}

// Small datasets sample every ministry and, from 20,000 rows, keep
// plausible totals.
func TestSmall(t *testing.T) {
	for _, rows := range []int64{1_000, 20_000} {
		cfg := Config{Rows: rows}.normalized()
		tab := parseCSV(t, generate(t, cfg))
		ms := map[string]bool{}
		for _, row := range tab.rows {
			ms[tab.get(row, "admin_ministry_code")] = true
		}
		if rows >= 20_000 && len(ms) != len(ministries) {
			t.Errorf("%d rows: %d of %d ministries", rows, len(ms), len(ministries))
		}
		tot := totals(t, tab)
		for y := cfg.StartYear; y <= cfg.EndYear(); y++ {
			if b := billions(tot[totalKey{strconv.Itoa(y), mizan.PhaseApproved, mizan.DirectionExpenditure}]); rows >= 20_000 && (b < 7 || b > 11) {
				t.Errorf("%d rows: %d approved expenditure %.3f billion", rows, y, b)
			}
		}
	}
}

func TestRowCount(t *testing.T) {
	for _, rows := range []int64{1, 34, 35, 36, 999, 20_000} {
		data := generate(t, Config{Rows: rows})
		if n := int64(bytes.Count(data, []byte("\n"))) - 1; n != rows {
			t.Errorf("Rows %d: wrote %d rows", rows, n)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{Rows: -1}, {ID: "Bad ID"}, {Currency: "kwd"}, {Years: -1}, {StartYear: 10}} {
		if err := WriteCSV(io.Discard, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

var amountRE = regexp.MustCompile(`^[0-9]+\.[0-9]{3}$`)

func TestCSVMatchesDescriptor(t *testing.T) {
	for _, cfg := range []Config{{Rows: 20_000}, {Rows: 20_000, CodesOnly: true}} {
		tab := parseCSV(t, generate(t, cfg))
		if diff := cmp.Diff(Columns(cfg), tab.header); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		d := Descriptor(cfg)
		if err := d.Validate(); err != nil {
			t.Errorf("descriptor does not validate: %v", err)
		}
		mapped := mappedColumns(d.Sources[0].Mapping)
		for _, c := range mapped {
			if _, ok := tab.col[c]; !ok {
				t.Errorf("CodesOnly %v: descriptor maps column %q, which the CSV lacks", cfg.CodesOnly, c)
			}
		}
		for _, h := range tab.header {
			if !slices.Contains(mapped, h) {
				t.Errorf("CodesOnly %v: column %q is not mapped", cfg.CodesOnly, h)
			}
		}
		cfgN := cfg.normalized()
		last := strconv.Itoa(cfgN.EndYear())
		for i, row := range tab.rows {
			if len(row) != len(tab.header) {
				t.Fatalf("row %d has %d fields", i+1, len(row))
			}
			y, err := strconv.Atoi(tab.get(row, colYear))
			if err != nil || y < cfgN.StartYear || y > cfgN.EndYear() {
				t.Fatalf("row %d: year %q", i+1, tab.get(row, colYear))
			}
			ph := tab.get(row, colPhase)
			if !slices.Contains(phases[:], ph) || ph == mizan.PhaseExecuted && tab.get(row, colYear) == last {
				t.Fatalf("row %d: phase %q in %d", i+1, ph, y)
			}
			if dir := tab.get(row, colDirection); !slices.Contains(directions[:], dir) {
				t.Fatalf("row %d: direction %q", i+1, dir)
			}
			if a := tab.get(row, colAmount); !amountRE.MatchString(a) {
				t.Fatalf("row %d: amount %q", i+1, a)
			}
		}
	}
}

func TestDescriptor(t *testing.T) {
	d := Descriptor(Config{})
	got := struct {
		ID, Country, Currency, Language string
		Kind                            mizan.Kind
		Synthetic                       bool
		Title                           mizan.Text
		Decimals                        int32
		Dims                            []string
		Source                          string
	}{d.ID, d.Country, d.Currency, d.Language, d.Kind, d.Synthetic, d.Title, *d.Decimals, nil, d.Sources[0].Name}
	for _, dm := range d.Dimensions {
		var ls []string
		for _, l := range dm.Levels {
			ls = append(ls, l.ID)
		}
		got.Dims = append(got.Dims, dm.ID+":"+dm.Classification+":"+strings.Join(ls, ">"))
	}
	want := struct {
		ID, Country, Currency, Language string
		Kind                            mizan.Kind
		Synthetic                       bool
		Title                           mizan.Text
		Decimals                        int32
		Dims                            []string
		Source                          string
	}{"demo-budget", "ZZ", "KWD", "ar", mizan.KindBudget, true,
		mizan.Text{"en": "Demo State Budget (synthetic)", "ar": "ميزانية دولة تجريبية (بيانات اصطناعية)"}, 3,
		[]string{"admin::ministry>department>unit", "functional:cofog:division>group>class", "economic::chapter>item",
			"programme::programme", "geo::governorate", "fund::fund"},
		"demo-budget.csv"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptor (-want +got):\n%s", diff)
	}
	lm := d.Sources[0].Mapping.Dimensions["admin"][0]
	wantLM := struct {
		Level, Code, Label string
		Labels             map[string]string
	}{"ministry", "admin_ministry_code", "admin_ministry_ar",
		map[string]string{"ar": "admin_ministry_ar", "en": "admin_ministry_en"}}
	if diff := cmp.Diff(wantLM, struct {
		Level, Code, Label string
		Labels             map[string]string
	}{lm.Level, lm.Code, lm.Label, lm.Labels}); diff != "" {
		t.Errorf("admin.ministry mapping (-want +got):\n%s", diff)
	}
	if d := Descriptor(Config{ID: "bench-10m", Rows: 10_000_000}); d.ID != "bench-10m" || d.Sources[0].Name != "bench-10m.csv" {
		t.Errorf("ID not honoured: %s, %s", d.ID, d.Sources[0].Name)
	}
}

func TestTotalsPlausible(t *testing.T) {
	cfg := Config{}.normalized()
	tab := parseCSV(t, generate(t, cfg))
	tot := totals(t, tab)
	get := func(y int, ph, dir string) *big.Rat {
		r := tot[totalKey{strconv.Itoa(y), ph, dir}]
		if r == nil {
			t.Fatalf("no %s %s in %d", dir, ph, y)
		}
		return r
	}
	ratio := func(a, b *big.Rat) float64 { f, _ := new(big.Rat).Quo(a, b).Float64(); return f }
	exp, rev := mizan.DirectionExpenditure, mizan.DirectionRevenue
	for y := cfg.StartYear; y <= cfg.EndYear(); y++ {
		ap := get(y, mizan.PhaseApproved, exp)
		if b := billions(ap); b < 7.5 || b > 10.5 {
			t.Errorf("%d: approved expenditure %.3f billion", y, b)
		}
		if r := ratio(get(y, mizan.PhaseRevised, exp), ap); r < 0.95 || r > 1.05 {
			t.Errorf("%d: revised/approved expenditure %.3f", y, r)
		}
		if r := ratio(get(y, mizan.PhaseApproved, rev), ap); r < 0.7 || r > 1.0 {
			t.Errorf("%d: revenue/expenditure %.3f", y, r)
		}
		if y == cfg.EndYear() {
			if tot[totalKey{strconv.Itoa(y), mizan.PhaseExecuted, exp}] != nil {
				t.Errorf("%d is the current year but has executed figures", y)
			}
			continue
		}
		for _, dir := range []string{exp, rev} {
			if r := ratio(get(y, mizan.PhaseExecuted, dir), get(y, mizan.PhaseRevised, dir)); r < 0.75 || r > 1.05 {
				t.Errorf("%d: executed/revised %s %.3f", y, dir, r)
			}
		}
	}
	if f, l := billions(get(cfg.StartYear, mizan.PhaseApproved, exp)), billions(get(cfg.EndYear(), mizan.PhaseApproved, exp)); l <= f {
		t.Errorf("no growth: %.3f → %.3f billion", f, l)
	}

	// Line by line: revisions stay within ±10%, and some lines are over-
	// and some badly under-executed, for the dashboard's flags.
	var high, low, lines int
	for i := 2; i < len(tab.rows); i++ {
		ap, rv, ex := tab.rows[i-2], tab.rows[i-1], tab.rows[i]
		if tab.get(ap, colPhase) != mizan.PhaseApproved || tab.get(rv, colPhase) != mizan.PhaseRevised || tab.get(ex, colPhase) != mizan.PhaseExecuted {
			continue
		}
		a, r, e := rat(t, tab.get(ap, colAmount)), rat(t, tab.get(rv, colAmount)), rat(t, tab.get(ex, colAmount))
		if a.Sign() == 0 {
			continue
		}
		lines++
		if q := ratio(r, a); q < 0.899 || q > 1.101 {
			t.Errorf("row %d: revised/approved %.3f", i, q)
		}
		switch q := ratio(e, r); {
		case q > 1.05:
			high++
		case q < 0.5:
			low++
		}
	}
	if lines < 10_000 || high < lines/100 || low < lines/100 || high+low > lines/10 {
		t.Errorf("of %d line-years, %d executed above 105%% and %d below 50%%", lines, high, low)
	}
}

// Every ministry has expenditure in every year and phase, and every
// combination of department and economic item shows up in the demo.
func TestCoverage(t *testing.T) {
	cfg := Config{}.normalized()
	tab := parseCSV(t, generate(t, cfg))
	seen := map[string]bool{}
	combos := map[string]bool{}
	for _, row := range tab.rows {
		seen[strings.Join([]string{tab.get(row, "admin_ministry_code"), tab.get(row, colYear), tab.get(row, colPhase), tab.get(row, colDirection)}, "|")] = true
		combos[tab.get(row, "admin_department_code")+"|"+tab.get(row, "economic_item_code")+"|"+tab.get(row, colDirection)] = true
	}
	for i := range ministries {
		for y := cfg.StartYear; y <= cfg.EndYear(); y++ {
			for _, ph := range phases {
				if ph == mizan.PhaseExecuted && y == cfg.EndYear() {
					continue
				}
				if k := fmt.Sprintf("%02d|%d|%s|expenditure", i+1, y, ph); !seen[k] {
					t.Errorf("no rows for %s", k)
				}
			}
		}
	}
	m := newModel(cfg)
	t.Logf("%d lines over %d combinations", m.lines, len(m.combos))
	if len(combos) != len(m.combos) {
		t.Errorf("%d of %d department × item × direction combinations appear", len(combos), len(m.combos))
	}
	if n := len(ministries); n < 20 || n > 30 {
		t.Errorf("%d ministries", n)
	}
}

func hasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

// Every member has an Arabic and an English label, the same wherever it
// appears, equal to the descriptor's Labels; COFOG members carry the
// built-in labels and nest properly.
func TestMemberLabels(t *testing.T) {
	t.Run("demo", func(t *testing.T) { testMemberLabels(t, Config{}) })
	t.Run("cost centres", func(t *testing.T) {
		defer func(n int64) { linesPerCostCentre = n }(linesPerCostCentre)
		linesPerCostCentre = 200
		testMemberLabels(t, Config{Rows: 40_000, Seed: 3})
	})
}

func testMemberLabels(t *testing.T, cfg Config) {
	tab := parseCSV(t, generate(t, cfg))
	labels := Labels(cfg)
	counts := map[string]int{}
	for _, dim := range dimensions {
		for _, l := range dim.levels {
			ref := l.dim + "." + l.id
			members := map[string]mizan.Text{}
			for i, row := range tab.rows {
				code := tab.get(row, l.codeColumn())
				lab := mizan.Text{"ar": tab.get(row, l.arColumn()), "en": tab.get(row, l.enColumn())}
				if code == "" {
					if lab["ar"] != "" || lab["en"] != "" || tab.get(row, colDirection) != mizan.DirectionRevenue {
						t.Fatalf("row %d: %s has labels %v without a code", i+1, ref, lab)
					}
					continue
				}
				if prev, ok := members[code]; ok {
					if !maps.Equal(prev, lab) {
						t.Fatalf("%s %s: labels %v in row %d, %v before", ref, code, lab, i+1, prev)
					}
					continue
				}
				if !hasArabic(lab["ar"]) || lab["en"] == "" || hasArabic(lab["en"]) {
					t.Errorf("%s %s: labels %v", ref, code, lab)
				}
				if diff := cmp.Diff(labels[ref][code], lab); diff != "" {
					t.Errorf("%s %s: Labels() (-want +csv):\n%s", ref, code, diff)
				}
				members[code] = lab
			}
			counts[ref] = len(members)
			if ref == "functional.class" {
				for code, lab := range members {
					want, ok := classification.COFOG(code)
					if !ok || !cmp.Equal(want, lab) {
						t.Errorf("COFOG %s: labels %v; want %v", code, lab, want)
					}
				}
			}
		}
	}
	for i, row := range tab.rows {
		div, grp, cls := tab.get(row, "functional_division_code"), tab.get(row, "functional_group_code"), tab.get(row, "functional_class_code")
		if cls != "" && (classification.COFOGParent(cls) != grp || classification.COFOGParent(grp) != div) {
			t.Fatalf("row %d: COFOG %s > %s > %s does not nest", i+1, div, grp, cls)
		}
		ch, it := tab.get(row, "economic_chapter_code"), tab.get(row, "economic_item_code")
		if !strings.HasPrefix(it, ch) {
			t.Fatalf("row %d: economic item %s is not in chapter %s", i+1, it, ch)
		}
		if dir := tab.get(row, colDirection); (dir == mizan.DirectionRevenue) != (ch[0] == '1') {
			t.Fatalf("row %d: %s in economic chapter %s", i+1, dir, ch)
		}
		d, u := tab.get(row, "admin_department_code"), tab.get(row, "admin_unit_code")
		if !strings.HasPrefix(d, tab.get(row, "admin_ministry_code")) || !strings.HasPrefix(u, d+"-") || u[len(d)+1:len(d)+3] != tab.get(row, "geo_governorate_code") {
			t.Fatalf("row %d: admin %s > %s > %s in governorate %s", i+1, tab.get(row, "admin_ministry_code"), d, u, tab.get(row, "geo_governorate_code"))
		}
	}
	want := map[string]int{
		"admin.ministry": len(ministries), "geo.governorate": 13, "fund.fund": 3,
		"functional.division": 10, "economic.chapter": 10,
	}
	for ref, n := range want {
		if counts[ref] != n {
			t.Errorf("%s: %d members; want %d", ref, counts[ref], n)
		}
	}
	t.Logf("members in %d rows: %v", len(tab.rows), counts)
}

// CodesOnly writes the same rows without the label columns.
func TestCodesOnlyIsLabelledMinusLabels(t *testing.T) {
	full := parseCSV(t, generate(t, Config{Rows: 8000}))
	codes := parseCSV(t, generate(t, Config{Rows: 8000, CodesOnly: true}))
	if len(full.rows) != len(codes.rows) {
		t.Fatalf("%d rows vs %d", len(full.rows), len(codes.rows))
	}
	for i := range full.rows {
		var want []string
		for _, c := range codes.header {
			want = append(want, full.get(full.rows[i], c))
		}
		if diff := cmp.Diff(want, codes.rows[i]); diff != "" {
			t.Fatalf("row %d (-labelled +codes only):\n%s", i+1, diff)
		}
	}
	d := Descriptor(Config{Rows: 8000, CodesOnly: true})
	if len(d.Labels["admin.unit"]) == 0 || len(d.Labels["functional.class"]) == 0 {
		t.Errorf("CodesOnly descriptor lacks labels: %d refs", len(d.Labels))
	}
}

// Large datasets add cost centres, not ministries.
func TestLargeCardinalities(t *testing.T) {
	demo := Labels(Config{})
	for _, rows := range []int64{10_000_000, 100_000_000} {
		l := Labels(Config{Rows: rows})
		for _, ref := range []string{"admin.ministry", "admin.department", "functional.class", "economic.item", "programme.programme", "geo.governorate", "fund.fund"} {
			if len(l[ref]) != len(demo[ref]) {
				t.Errorf("%d rows: %s has %d members; demo %d", rows, ref, len(l[ref]), len(demo[ref]))
			}
		}
		if n := len(l["admin.unit"]); n <= len(demo["admin.unit"]) || n > 100_000 {
			t.Errorf("%d rows: %d units", rows, n)
		}
		t.Logf("%d rows: %d units (demo %d)", rows, len(l["admin.unit"]), len(demo["admin.unit"]))
	}
}

func TestAppendAmount(t *testing.T) {
	for fils, want := range map[int64]string{0: "0.000", 5: "0.005", 1000: "1.000", 1234567: "1234.567", -42: "-0.042"} {
		if got := string(appendAmount(nil, fils)); got != want {
			t.Errorf("appendAmount(%d) = %q; want %q", fils, got, want)
		}
	}
}

func BenchmarkWriteCSV(b *testing.B) {
	for _, cfg := range []Config{{Rows: 1_000_000}, {Rows: 1_000_000, CodesOnly: true}} {
		b.Run(fmt.Sprintf("codesOnly=%v", cfg.CodesOnly), func(b *testing.B) {
			var cw countingWriter
			for b.Loop() {
				if err := WriteCSV(&cw, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cfg.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(cw.n)/float64(b.N)/float64(cfg.Rows), "bytes/row")
			b.SetBytes(cw.n / int64(b.N))
		})
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
