package query

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/sql")

var rollupBase = []string{"year", "phase", "direction", "currency", "measure"}

// goldenSource is the catalog of the budget fixture, without a database.
func goldenSource() Source {
	return Source{Dataset: "budget", Version: 1, Table: "facts_budget_v1", Scale: 3, Rollups: []mizan.Rollup{
		{Table: "rollup_budget_v1_0", Columns: append(append([]string{}, rollupBase...), "admin__ministry", "economic__chapter"), Rows: 30},
		{Table: "rollup_budget_v1_1", Columns: append(append([]string{}, rollupBase...), "admin__ministry", "admin__department"), Rows: 12},
	}}
}

var (
	colMinistry   = Column{Name: "admin__ministry", Type: TypeString}
	colDepartment = Column{Name: "admin__department", Type: TypeString}
	colChapter    = Column{Name: "economic__chapter", Type: TypeString}
	colYear       = Column{Name: "year", Type: TypeInt}
	colPhase      = Column{Name: "phase", Type: TypeString}
	colPeriod     = Column{Name: "period", Type: TypeString}
	colDate       = Column{Name: "date", Type: TypeDate}
	colCurrency   = Column{Name: "currency", Type: TypeString}
)

func in(c Column, vals ...any) Filter { return Filter{Terms: []Term{{Column: c, Values: vals}}} }

func TestCompileGolden(t *testing.T) {
	src := goldenSource()
	year2024 := in(colYear, int32(2024))
	approved := in(colPhase, "approved", "revised")
	cases := []struct {
		name    string
		compile func() (stmt, error)
	}{
		{"aggregate_rollup", func() (stmt, error) {
			return compileAggregate(&AggregatePlan{Source: src, Groups: []Column{colMinistry}, Filters: []Filter{year2024, approved},
				Order: []Order{{By: OrderSum, Desc: true}}, Limit: 100, Offset: 200})
		}},
		{"aggregate_smallest_rollup", func() (stmt, error) {
			return compileAggregate(&AggregatePlan{Source: src, Groups: []Column{colMinistry, colYear}, Order: []Order{{By: OrderKey, Key: 1, Desc: true}}, Limit: 10})
		}},
		{"aggregate_facts", func() (stmt, error) {
			d1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			return compileAggregate(&AggregatePlan{Source: src, Groups: []Column{colPeriod, colChapter},
				Filters: []Filter{
					{Terms: []Term{{Column: colMinistry, Values: []any{"M1"}}}, Negate: true},
					{Terms: []Term{{Column: colYear, From: int32(2020), To: int32(2024)}}},
					{Terms: []Term{{Column: colDate, From: d1}}},
					{Terms: []Term{{Column: colMinistry, Values: []any{"M3"}}, {Column: colDepartment, Values: []any{"D11", "D21"}}}},
				},
				Order: []Order{{By: OrderAvg, Desc: true}, {By: OrderCount}}, Limit: 100})
		}},
		{"aggregate_total", func() (stmt, error) {
			return compileAggregate(&AggregatePlan{Source: src, Filters: []Filter{year2024}, Order: []Order{{By: OrderSum, Desc: true}}, Limit: 100})
		}},
		{"aggregate_stats", func() (stmt, error) {
			return compileAggregate(&AggregatePlan{Source: src, Groups: []Column{colMinistry, colCurrency}, Totals: []Column{colCurrency}, Filters: []Filter{year2024},
				Order: []Order{{By: OrderSum, Desc: true}}, Stats: true, Limit: 100, Offset: 100})
		}},
		{"aggregate_top", func() (stmt, error) {
			return compileAggregate(&AggregatePlan{Source: src, Groups: []Column{colMinistry, colCurrency}, Totals: []Column{colCurrency}, Filters: []Filter{year2024},
				Order: []Order{{By: OrderKey, Key: 1}, {By: OrderSum, Desc: true}}, Stats: true, Extremes: true, Top: 5})
		}},
		{"count", func() (stmt, error) {
			return compileCount(&AggregatePlan{Source: src, Groups: []Column{colDepartment, colChapter}, Filters: []Filter{year2024}})
		}},
		{"summary_by_currency", func() (stmt, error) {
			return compileSummary(&AggregatePlan{Source: src, Groups: []Column{colMinistry, colCurrency}, Totals: []Column{colCurrency}, Filters: []Filter{approved}})
		}},
		{"rest", func() (stmt, error) {
			return compileRest(&AggregatePlan{Source: src, Groups: []Column{colMinistry, colCurrency}, Totals: []Column{colCurrency},
				Filters: []Filter{year2024}, Order: []Order{{By: OrderKey, Key: 1}, {By: OrderSum, Desc: true}}, Offset: 5})
		}},
		{"execution_rollup", func() (stmt, error) {
			return compileExecution(&ExecutionPlan{Source: src, Groups: []Column{colMinistry}, Filters: []Filter{year2024},
				Order: []Order{{By: OrderRate, Desc: true}}, ExecutedZero: true, Limit: 100})
		}},
		{"execution_facts", func() (stmt, error) {
			return compileExecution(&ExecutionPlan{Source: src, Groups: []Column{colChapter, colDepartment},
				Order: []Order{{By: OrderVariance}}, Limit: 50, Offset: 50})
		}},
		{"execution_stats", func() (stmt, error) {
			return compileExecution(&ExecutionPlan{Source: src, Groups: []Column{colMinistry}, Filters: []Filter{year2024},
				Order: []Order{{By: OrderExecuted, Desc: true}}, Stats: true, Limit: 100})
		}},
		{"facts", func() (stmt, error) {
			return compileFacts(&FactsPlan{Source: src, Columns: []Column{{Name: store.ColRow, Type: TypeBigInt}, colYear, colMinistry, {Name: store.ColAmount, Type: TypeDecimal}},
				Filters: []Filter{in(colMinistry, "M1")}, Order: []Order{{By: OrderKey, Key: 3, Desc: true}}, Limit: 100, Offset: 100})
		}},
		{"facts_row_order", func() (stmt, error) {
			return compileFacts(&FactsPlan{Source: src, Columns: []Column{{Name: store.ColRow, Type: TypeBigInt}, colYear, colMinistry, {Name: store.ColAmount, Type: TypeDecimal}},
				Filters: []Filter{in(colMinistry, "M1")}, Limit: 100, Offset: 500000})
		}},
		{"facts_keyset", func() (stmt, error) {
			after := int64(65536)
			return compileFacts(&FactsPlan{Source: src, Columns: []Column{{Name: store.ColRow, Type: TypeBigInt}, {Name: store.ColAmount, Type: TypeDecimal}},
				Filters: []Filter{year2024}, AfterRow: &after, Limit: 65536})
		}},
		{"members", func() (stmt, error) {
			return compileMembers(&MembersPlan{Dataset: "budget", Version: 1, Dimension: "admin", Levels: []string{"ministry"}, Keys: []string{"M1", "M2"}})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := c.compile()
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("%s\n-- args: %#v\n", st.SQL, st.Args)
			path := filepath.Join("testdata", "sql", c.name+".sql")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
			checkIdentifiers(t, st.SQL, src)
		})
	}
}

func TestChooseRollup(t *testing.T) {
	src := goldenSource()
	for _, tt := range []struct {
		need []string
		want string
	}{
		{[]string{"year", "admin__ministry"}, "rollup_budget_v1_1"},
		{[]string{"year", "economic__chapter"}, "rollup_budget_v1_0"},
		{[]string{"admin__department"}, "rollup_budget_v1_1"},
		{[]string{"admin__department", "economic__chapter"}, ""},
		{[]string{"period"}, ""},
	} {
		if got := chooseRollup(src, tt.need); got != tt.want {
			t.Errorf("chooseRollup(%v) = %q, want %q", tt.need, got, tt.want)
		}
	}
}

var quoted = regexp.MustCompile(`"((?:[^"]|"")*)"`)

// allowedIdentifiers lists every identifier SQL over src may quote.
func allowedIdentifiers(src Source) map[string]bool {
	ok := map[string]bool{src.Table: true, "members": true}
	for _, f := range store.FactSchema(budgetDims, 0, src.Scale).Fields() {
		ok[f.Name] = true
	}
	for _, r := range src.Rollups {
		ok[r.Table] = true
	}
	for _, c := range []string{"amount_sum", "amount_count", "amount_min", "amount_max",
		"dataset_id", "version", "dim", "level", "depth", "key", "label_en", "label_ar", "label_src"} {
		ok[c] = true
	}
	return ok
}

// checkIdentifiers fails when SQL quotes an identifier outside the catalog
// or contains a string literal.
func checkIdentifiers(t testing.TB, sql string, src Source) {
	t.Helper()
	ok := allowedIdentifiers(src)
	for _, m := range quoted.FindAllStringSubmatch(sql, -1) {
		if !ok[m[1]] {
			t.Errorf("SQL quotes %q, which is not in the catalog:\n%s", m[1], sql)
		}
	}
	if strings.Contains(quoted.ReplaceAllString(sql, ""), "'") {
		t.Errorf("SQL contains a string literal:\n%s", sql)
	}
}

// fuzzTarget is the budget fixture's catalog as a resolved target.
func fuzzTarget() *target {
	dims := make([]mizan.Dimension, len(budgetDims))
	for i, d := range budgetDims {
		d.Levels = append([]mizan.Level{}, d.Levels...)
		for j := range d.Levels {
			d.Levels[j].Column = mizan.ColumnFor(d.ID, d.Levels[j].ID)
		}
		dims[i] = d
	}
	ds := budgetDataset("budget")
	return &target{ds: &ds, v: mizan.Version{Number: 1, Scale: 3, Dimensions: dims, Currencies: []string{"BHD"}}, src: goldenSource()}
}

// parseFuzzCut reads "ref=v1|v2", "ref:from..to" or "!ref=v".
func parseFuzzCut(s string) (mizan.Cut, bool) {
	var c mizan.Cut
	if strings.HasPrefix(s, "!") {
		c.Negate, s = true, s[1:]
	}
	if ref, vals, ok := strings.Cut(s, "="); ok {
		c.Ref, c.Values = ref, strings.Split(vals, "|")
		return c, true
	}
	if ref, rng, ok := strings.Cut(s, ":"); ok {
		c.Ref = ref
		c.From, c.To, _ = strings.Cut(rng, "..")
		return c, true
	}
	return c, false
}

func FuzzCompile(f *testing.F) {
	f.Add("admin,year", "phase=approved", "amount.sum", true)
	f.Add("admin.department", "!admin.ministry=M1|M2", "admin.department", false)
	f.Add("economic.chapter,period", "year:2020..2024", "amount.avg", true)
	f.Add(`admin"; DROP TABLE members; --`, `year=1 OR 1=1`, `"admin"`, false)
	f.Add("date", "date:2024-01-01..", "date", false)
	f.Add("currency,phase", "direction=expenditure", "amount.count", false)
	svc := &Service{}
	src := goldenSource()
	f.Fuzz(func(t *testing.T, drill, cut, order string, desc bool) {
		tg := fuzzTarget()
		var refs []string
		if drill != "" {
			refs = strings.Split(drill, ",")
		}
		groups, err := resolveDrilldown(tg, refs)
		if err != nil {
			return
		}
		var cuts []mizan.Cut
		if c, ok := parseFuzzCut(cut); ok {
			cuts = append(cuts, c)
		}
		filters, err := svc.resolveCuts(t.Context(), tg, cuts)
		if err != nil {
			return
		}
		orders, err := resolveAggregateOrder(tg, []mizan.Order{{Ref: order, Desc: desc}}, groups)
		if err != nil {
			return
		}
		p := &AggregatePlan{Source: src, Groups: columns(groups), Filters: filters, Order: orders, Limit: 10, Offset: 3}
		if len(groups) > 0 {
			p.Totals = p.Groups[:1]
		}
		var execOrder []Order
		for _, o := range orders {
			if o.By == OrderKey {
				execOrder = append(execOrder, o)
			}
		}
		fp := &FactsPlan{Source: src, Columns: []Column{{Name: store.ColRow, Type: TypeBigInt}}, Filters: filters}
		fp.Columns = append(fp.Columns, p.Groups...)
		compilers := []func() (stmt, error){
			func() (stmt, error) { return compileAggregate(p) },
			func() (stmt, error) { return compileCount(p) },
			func() (stmt, error) { return compileSummary(p) },
			func() (stmt, error) { return compileRest(p) },
			func() (stmt, error) { q := *p; q.Stats = true; return compileAggregate(&q) },
			func() (stmt, error) { q := *p; q.Stats, q.Extremes, q.Top = true, desc, 3; return compileAggregate(&q) },
			func() (stmt, error) {
				return compileExecution(&ExecutionPlan{Source: src, Groups: p.Groups, Filters: filters, Order: execOrder})
			},
			func() (stmt, error) { return compileFacts(fp) },
			func() (stmt, error) { return compileCountFacts(fp) },
		}
		for _, c := range compilers {
			st, err := c()
			if err != nil {
				t.Fatalf("compile a resolved plan: %v", err)
			}
			checkIdentifiers(t, st.SQL, src)
			if strings.Count(st.SQL, "?") != len(st.Args) {
				t.Fatalf("%d placeholders, %d args:\n%s", strings.Count(st.SQL, "?"), len(st.Args), st.SQL)
			}
		}
	})
}
