// Package contracts stores Open Contracting (OCDS) publications as
// versions of a "contracts" dataset and answers questions about them and
// about "payments" datasets (spending files ingested by package ingest):
// full-text search with filters and facets across several dataset versions
// (search.go, index.go), the detail of a process (detail.go) and party
// profiles (party.go). Payees and payers of payments datasets become
// entities by normalised name ("name:" + ocds.NormalizeName), like OCDS
// parties without identifiers, so one search, facet or profile groups a
// supplier's spelling variants; a contracts party's profile also lists the
// payments to the same normalised name in the latest payments datasets,
// marked as matched by name only.
//
// An ingest (Ingest) reads every file with package ocds, compiles one
// record per ocid, resolves parties into entities and writes, for one new
// dataset version, the contract tables of migration 002_contracts.sql and a
// facts table (award and contract values as facts with year, currency,
// buyer, supplier and procurement-method dimensions), so the budget query
// engine can aggregate contracts like any other dataset.
package contracts

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// Scale is the number of decimal places contract tables keep.
const Scale = 6

// MaxStoredProblems bounds the problem rows kept per version; the count is
// always exact.
const MaxStoredProblems = 100_000

// Fact measures.
const (
	MeasureContract = "contract" // a contract's value
	MeasureAward    = "award"    // an award's value
)

// Dimensions of a contracts version's facts.
var Dimensions = []mizan.Dimension{
	{ID: "buyer", Kind: mizan.KindAttribute, Label: mizan.Text{"en": "Buyer", "ar": "الجهة المشترية"},
		Levels: []mizan.Level{{ID: "buyer", Label: mizan.Text{"en": "Buyer", "ar": "الجهة المشترية"}}}},
	{ID: "supplier", Kind: mizan.KindAttribute, Label: mizan.Text{"en": "Supplier", "ar": "المورد"},
		Levels: []mizan.Level{{ID: "supplier", Label: mizan.Text{"en": "Supplier", "ar": "المورد"}}}},
	{ID: "method", Kind: mizan.KindAttribute, Label: mizan.Text{"en": "Procurement method", "ar": "طريقة الشراء"},
		Levels: []mizan.Level{{ID: "method", Label: mizan.Text{"en": "Procurement method", "ar": "طريقة الشراء"}}}},
}

// Options tune an ingest.
type Options struct {
	// Dataset describes the dataset; ID is required, Kind is set to
	// contracts, Title defaults to the ID.
	Dataset mizan.Dataset
	// Status of the new version: published (default) or draft.
	Status string
	// Force ingests even when the files are identical to the latest version's.
	Force bool
	// Root, when set, is the directory source files are named relative to
	// in the catalog (a server names uploads relative to their staging
	// directory). Otherwise a file found in a directory argument is named
	// by that directory's name and its path below it, and a file argument
	// by its base name: the catalog never shows a local absolute path.
	Root string
	// Sources, when it has a path, gives that file's name and URL in the
	// catalog (a descriptor's sources, for files downloaded to temporary
	// paths); it wins over Root.
	Sources map[string]mizan.SourceFile
	// TempDir holds the spill file ("" for the system's).
	TempDir string
}

// Total is the sum of one measure in one currency.
type Total struct {
	Measure  string `json:"measure"`
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
	Count    int64  `json:"count"`
}

// Summary says what an ingest did; it is stored as the version's summary.
type Summary struct {
	Dataset     string          `json:"dataset"`
	Version     int             `json:"version"`
	NoOp        bool            `json:"no_op,omitempty"`
	ContentHash string          `json:"content_hash"`
	Status      string          `json:"status"`
	Files       []ocds.FileInfo `json:"files"`
	Releases    int             `json:"releases"`
	Processes   int             `json:"processes"`
	Awards      int             `json:"awards"`
	Contracts   int             `json:"contracts"`
	Parties     int             `json:"parties"`
	Entities    int             `json:"entities"`
	Facts       int64           `json:"facts"`
	Totals      []Total         `json:"totals"`
	Problems    int             `json:"problems"`
	// ProblemSamples are the first problems in plain words.
	ProblemSamples []string      `json:"problem_samples,omitempty"`
	Duration       time.Duration `json:"duration_ns"`
}

// sourceName is the catalog's name for file: relative to root when given,
// else relative to the parent of the directory argument it was found in,
// else (a file argument) its base name.
func sourceName(path string, args []string, root string) string {
	name := filepath.Base(path)
	rel := func(base string) (string, bool) {
		r, err := filepath.Rel(base, path)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", false
		}
		return filepath.ToSlash(r), true
	}
	if root != "" {
		if r, ok := rel(root); ok {
			name = r
		}
	} else {
		for _, a := range args {
			if st, err := os.Stat(a); err == nil && st.IsDir() {
				if r, ok := rel(filepath.Dir(filepath.Clean(a))); ok && strings.HasPrefix(path, filepath.Clean(a)+string(filepath.Separator)) {
					name = r
					break
				}
			}
		}
	}
	return name
}

// ContentHash returns the content hash of a set of read files, each named
// by name (its catalog name): the same files (base names and bytes) give
// the same hash.
func ContentHash(files []ocds.FileInfo, name func(path string) string) string {
	h := sha256.New()
	h.Write([]byte("mizan-ocds-2\n")) // 2: process amounts fall back to awards when no contract has a value
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = path.Base(name(f.Name)) + " " + f.SHA256
	}
	sort.Strings(lines)
	for _, l := range lines {
		h.Write([]byte(l + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Ingest reads OCDS files and folders (format detected) and stores them as
// a new version of a contracts dataset.
func Ingest(ctx context.Context, db *store.DB, paths []string, opts Options) (*Summary, error) {
	start := time.Now()
	ds := opts.Dataset
	if !mizan.ValidDatasetID(ds.ID) {
		return nil, mizan.FieldErrorf("dataset", "%q is not a valid dataset id (lower-case letters, digits and hyphens)", ds.ID)
	}
	ds.Kind = mizan.KindContracts
	if len(ds.Title) == 0 {
		ds.Title = mizan.Text{"en": ds.ID}
	}
	status := cmp.Or(opts.Status, mizan.StatusPublished)
	files, err := ocds.Files(paths)
	if err != nil {
		return nil, mizan.Errorf(mizan.EINVALID, "%v", err)
	}
	if len(files) == 0 {
		return nil, mizan.Errorf(mizan.EINVALID, "no OCDS files (.json, .jsonl, .json.gz, .zip) in %s", strings.Join(paths, ", "))
	}
	comp, err := ocds.NewCompiler(opts.TempDir)
	if err != nil {
		return nil, err
	}
	defer comp.Close()
	sum := &Summary{Dataset: ds.ID, Status: status}
	name := func(p string) string {
		if n := opts.Sources[p].Name; n != "" {
			return n
		}
		return sourceName(p, paths, opts.Root)
	}
	// Problems name files as the catalog does ("archive.zip!member.json"
	// for a member), never by a local path.
	public := strings.NewReplacer(func() []string {
		var r []string
		// Longest first: the replacer tries its pairs in order.
		for _, f := range slices.SortedFunc(slices.Values(files), func(a, b string) int { return len(b) - len(a) }) {
			r = append(r, f, name(f))
		}
		return r
	}()...)
	var problems []ocds.Problem
	addProblem := func(p ocds.Problem) {
		p.File, p.Message = public.Replace(p.File), public.Replace(p.Message)
		sum.Problems++
		if len(problems) < MaxStoredProblems {
			problems = append(problems, p)
		}
		if len(sum.ProblemSamples) < 20 {
			sum.ProblemSamples = append(sum.ProblemSamples, p.String())
		}
	}
	// Pass 1: read every file into the compiler, noting the decimal places
	// of award and contract values (the facts' scale).
	factScale := int32(2)
	add := func(r *ocds.Release) error {
		factScale = max(factScale, valueScale(r.Data))
		return comp.Add(r)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info, err := ocds.ReadFile(f, add, addProblem)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		sum.Files = append(sum.Files, info)
	}
	_, sum.Releases = comp.Counts()
	sum.ContentHash = ContentHash(sum.Files, name)
	if !opts.Force {
		version, unchanged, err := db.Unchanged(ctx, ds.ID, sum.ContentHash, status)
		if err != nil {
			return nil, err
		}
		if unchanged {
			sum.NoOp, sum.Version = true, version
			sum.Duration = time.Since(start)
			return sum, nil
		}
	}
	sources := make([]mizan.SourceFile, len(sum.Files))
	sourceID := map[string]int{}
	for i, f := range sum.Files {
		sources[i] = mizan.SourceFile{ID: i + 1, Name: name(f.Name), URL: opts.Sources[f.Name].URL, SHA256: f.SHA256, Bytes: f.Bytes, Rows: int64(f.Releases)}
		sourceID[f.Name] = i + 1
	}
	dims := cloneDims(Dimensions)
	w, err := db.BeginVersion(ctx, store.VersionSpec{Dataset: ds, ContentHash: sum.ContentHash, Status: status, Scale: factScale, Precision: store.WidePrecision, Factor: "1", Dimensions: dims, Sources: sources})
	if err != nil {
		return nil, err
	}
	defer w.Rollback()
	// Contract rows are written inside the version's own transaction: they
	// become visible with it, or not at all.
	in := &writer{factScale: factScale, ctx: ctx, conn: w.Conn(), w: w, ds: ds.ID, version: w.Version(), sourceID: sourceID, res: comp.Resolver,
		entities: map[string]*entityAcc{}, totals: map[[2]string]*total{}, lang: cmp.Or(ds.Language, "en")}
	in.facts = w.NewFactBuilder(memory.DefaultAllocator)
	defer in.facts.Release()
	err = comp.Each(func(rec *ocds.Record) error {
		for _, p := range rec.Problems {
			addProblem(p)
		}
		p, probs := ocds.Extract(rec, comp.Resolver)
		for _, pr := range probs {
			addProblem(pr)
		}
		return in.process(p, rec)
	})
	if err != nil {
		return nil, err
	}
	if err := in.finish(problems); err != nil {
		return nil, err
	}
	sum.Processes, sum.Awards, sum.Contracts, sum.Parties, sum.Entities = in.processes, in.awards, in.contracts, in.parties, len(in.entities)
	sum.Facts = w.Rows()
	sum.Totals = in.totalList()
	sum.Version = w.Version()
	sum.Duration = time.Since(start)
	if _, err := w.Commit(ctx, int64(sum.Releases), sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// valueSum adds up values; mixed when they are in several currencies or
// overflow.
type valueSum struct {
	amount     parse.Decimal
	currency   string
	any, mixed bool
}

func (s *valueSum) add(v ocds.Value) {
	if !v.Set {
		return
	}
	if !s.any {
		s.currency = v.Currency
	} else if v.Currency != s.currency {
		s.mixed = true
	}
	s.any = true
	if d, err := s.amount.Add(v.Amount); err == nil {
		s.amount = d
	} else {
		s.mixed = true
	}
}

func cloneDims(ds []mizan.Dimension) []mizan.Dimension {
	out := make([]mizan.Dimension, len(ds))
	for i, d := range ds {
		d.Levels = slices.Clone(d.Levels)
		out[i] = d
	}
	return out
}

type total struct {
	sum   parse.Decimal
	count int64
}

type entityAcc struct {
	spellings  map[string]int
	norm       string
	scheme, id string
	processes  int
	lastProc   int
}

// writer accumulates rows per table and appends them in batches.
type writer struct {
	ctx       context.Context
	conn      *sql.Conn // the version's transaction
	w         *store.VersionWriter
	ds        string
	version   int
	lang      string
	sourceID  map[string]int
	res       *ocds.Resolver
	rows      map[string][][]any
	pending   int
	facts     *array.RecordBuilder
	factScale int32
	factRows  int
	rowID     int64
	entities  map[string]*entityAcc
	totals    map[[2]string]*total

	processes, awards, contracts, parties int
}

func (in *writer) add(table string, row ...any) {
	if in.rows == nil {
		in.rows = map[string][][]any{}
	}
	in.rows[table] = append(in.rows[table], append([]any{in.ds, int32(in.version)}, row...))
	in.pending++
}

func (in *writer) flush() error {
	tables := make([]string, 0, len(in.rows))
	for t := range in.rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		rows := in.rows[t]
		if len(rows) == 0 {
			continue
		}
		err := store.RawConn(in.ctx, in.conn, func(c driver.Conn) error {
			a, err := duckdb.NewAppenderFromConn(c, "", t)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := a.AppendRow(toDriver(r)...); err != nil {
					return errors.Join(fmt.Errorf("append %s: %w", t, err), a.Close())
				}
			}
			return a.Close()
		})
		if err != nil {
			return fmt.Errorf("store %s: %w", t, err)
		}
		in.rows[t] = rows[:0]
	}
	in.pending = 0
	return nil
}

func toDriver(r []any) []driver.Value {
	out := make([]driver.Value, len(r))
	for i, v := range r {
		out[i] = v
	}
	return out
}

// dec returns an amount for a DECIMAL(38, 6) column, or nil.
func dec(v ocds.Value) any {
	if !v.Set {
		return nil
	}
	n, err := v.Amount.Rescale(Scale)
	if err != nil {
		return nil
	}
	return duckdb.Decimal{Width: 38, Scale: Scale, Value: n.BigInt()}
}

func cur(v ocds.Value) any {
	if !v.Set || v.Currency == "" {
		return nil
	}
	return v.Currency
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func date(s string) any {
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil
	}
	return t
}

func year(s string) int {
	if len(s) < 4 {
		return 0
	}
	y := 0
	for _, c := range s[:4] {
		if c < '0' || c > '9' {
			return 0
		}
		y = y*10 + int(c-'0')
	}
	return y
}

// Competitive says whether a procurement method is competitive: open and
// selective are; limited and direct are not; anything else is unknown.
func Competitive(method string) (competitive, known bool) {
	switch strings.ToLower(method) {
	case "open", "selective":
		return true, true
	case "limited", "direct":
		return false, true
	}
	return false, false
}

// source returns the catalog id of the file a release was read from: a
// zip member ("archive.zip!member.json") is cited by its archive, the file
// whose sha256 the catalog holds.
func (in *writer) source(file string) int32 {
	if id, ok := in.sourceID[file]; ok {
		return int32(id)
	}
	if i := strings.LastIndex(file, "!"); i > 0 {
		return int32(in.sourceID[file[:i]])
	}
	return 0
}

func (in *writer) process(p *ocds.Process, rec *ocds.Record) error {
	id := int32(in.processes)
	in.processes++
	src := p.Sources[0]
	sid := in.source(src.File)
	var texts []string
	addText := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			texts = append(texts, s)
		}
	}
	addText(p.Title)
	if p.Description != p.Title {
		addText(p.Description)
	}
	// Parties and entities.
	entity := func(i int) string { return p.Parties[i].Entity }
	for i, pt := range p.Parties {
		in.parties++
		in.add("contract_parties", id, int32(i), nz(pt.Ref), nz(pt.Entity), nz(pt.Name), nz(pt.NormName), nz(pt.Identifier.Scheme), nz(pt.Identifier.ID), strings.Join(pt.Roles, ","), pt.Pointer)
		if pt.Entity == "" {
			continue
		}
		e := in.entities[pt.Entity]
		if e == nil {
			e = &entityAcc{spellings: map[string]int{}, norm: pt.NormName, lastProc: -1}
			in.entities[pt.Entity] = e
		}
		if pt.Name != "" {
			e.spellings[pt.Name]++
		}
		if e.id == "" && pt.Identifier.Key() != "" {
			e.scheme, e.id = pt.Identifier.Scheme, pt.Identifier.ID
		}
		if e.lastProc != int(id) {
			e.lastProc = int(id)
			e.processes++
		}
	}
	buyerEntity, buyerName := "", ""
	if p.Buyer != nil {
		buyerEntity, buyerName = entity(p.Buyer.Party), p.Buyer.Name
		addText(buyerName)
	}
	method, details, rationale := "", "", ""
	var competitive any
	var tenderers any
	var tStart, tEnd any
	var tAmount, tCur any
	if t := p.Tender; t != nil {
		method, details, rationale = t.Method, t.MethodDetails, t.MethodRationale
		if c, ok := Competitive(t.Method); ok {
			competitive = c
		}
		if t.NumberOfTenderers >= 0 {
			tenderers = int32(t.NumberOfTenderers)
		}
		tStart, tEnd = date(t.Period.Start), date(t.Period.End)
		tAmount, tCur = dec(t.Value), cur(t.Value)
		for _, it := range t.Items {
			addText(it.Description)
			in.item(id, "tender", t.ID, it)
		}
		for _, tr := range t.Tenderers {
			in.add("contract_tenderers", id, nz(entity(tr.Party)), nz(tr.Name))
		}
		if t.ProcuringEntity != nil {
			addText(t.ProcuringEntity.Name)
		}
	}
	// Awards.
	awardSupplier := map[string]string{}
	awardDate := map[string]string{}
	firstDate := ""
	// The process's amount is its contracts' value, or its awards' when
	// no contract has one (as the red flags' records are).
	var awarded, contracted valueSum
	for i, a := range p.Awards {
		in.awards++
		in.add("contract_awards", id, int32(i), nz(a.ID), nz(a.Title), nz(a.Status), date(a.Date), dec(a.Value), cur(a.Value), a.Pointer)
		addText(a.Title)
		sup := ""
		for _, s := range a.Suppliers {
			in.add("contract_award_suppliers", id, int32(i), nz(entity(s.Party)), nz(s.Name))
			addText(s.Name)
			if sup == "" {
				sup = entity(s.Party)
			}
		}
		if a.ID != "" {
			awardSupplier[a.ID], awardDate[a.ID] = sup, a.Date
		}
		for _, it := range a.Items {
			addText(it.Description)
			in.item(id, "award", a.ID, it)
		}
		if firstDate == "" {
			firstDate = a.Date
		}
		if err := in.fact(MeasureAward, a.Value, a.Date, p.Date, buyerEntity, sup, method, sid, int64(id)); err != nil {
			return err
		}
		awarded.add(a.Value)
	}
	for i, c := range p.Contracts {
		in.contracts++
		sup := awardSupplier[c.AwardID]
		if sup == "" && len(p.Awards) == 1 {
			sup = awardSupplier[p.Awards[0].ID]
		}
		d := cmp.Or(c.DateSigned, awardDate[c.AwardID], c.Period.Start)
		if firstDate == "" {
			firstDate = d
		}
		in.add("contract_contracts", id, int32(i), nz(c.ID), nz(c.AwardID), nz(sup), nz(c.Title), nz(c.Status), date(c.DateSigned), date(d),
			date(c.Period.Start), date(c.Period.End), dec(c.Value), cur(c.Value), dec(c.InitialValue), cur(c.InitialValue), int32(len(c.Amendments)), c.Pointer)
		addText(c.Title)
		for _, it := range c.Items {
			addText(it.Description)
			in.item(id, "contract", c.ID, it)
		}
		for _, am := range c.Amendments {
			in.add("contract_amendments", id, nz(c.ID), nz(am.ID), date(am.Date), nz(am.Rationale), nz(am.Description), dec(am.ValueBefore), dec(am.ValueAfter),
				cmp.Or(cur(am.ValueAfter), cur(am.ValueBefore)), am.Pointer)
		}
		if err := in.fact(MeasureContract, c.Value, d, p.Date, buyerEntity, sup, method, sid, int64(id)); err != nil {
			return err
		}
		contracted.add(c.Value)
	}
	for _, b := range p.Budget {
		in.add("contract_budget", id, nz(b.ID), nz(b.Description), nz(b.Project), nz(b.ProjectID), nz(b.URI), dec(b.Amount), cur(b.Amount), b.Pointer)
	}
	for _, r := range rec.Releases {
		in.add("contract_releases", id, nz(r.ID), nz(r.Date), strings.Join(r.Tag, ","), r.Kind, in.source(r.Src.File), int32(r.Src.Value), r.Src.Pointer)
	}
	// Search postings.
	seen := map[string]bool{}
	for _, t := range append(texts, p.OCID) {
		for _, tok := range textnorm.Tokens(t) {
			if !seen[tok] {
				seen[tok] = true
				in.add("contract_tokens", tok, id)
			}
		}
	}
	var amount, currency any
	sum := contracted
	if !sum.any {
		sum = awarded
	}
	if sum.any && !sum.mixed {
		amount, currency = dec(ocds.Value{Amount: sum.amount, Currency: sum.currency, Set: true}), nz(sum.currency)
	}
	y := year(cmp.Or(firstDate, Date(p.Date)))
	var yv any
	if y > 0 {
		yv = int32(y)
	}
	in.add("contract_processes", id, p.OCID, nz(p.Title), nz(p.Description), nz(buyerEntity), nz(buyerName), nz(method), nz(details), nz(rationale),
		competitive, tenderers, tStart, tEnd, tAmount, tCur, date(ocds.Date(p.Date)), yv, amount, currency, int32(len(p.Awards)), int32(len(p.Contracts)),
		int32(p.Releases), strings.Join(p.Tags, ","), sid, int32(src.Value), src.Pointer, strings.Join(texts, " | "), string(p.Compiled))
	if in.pending > 50_000 {
		return in.flush()
	}
	return nil
}

// Date is ocds.Date.
func Date(s string) string { return ocds.Date(s) }

func (in *writer) item(id int32, parent, parentID string, it ocds.Item) {
	in.add("contract_items", id, parent, nz(parentID), nz(it.ID), nz(it.Description), nz(it.Scheme), nz(it.Classification), nz(it.Quantity), nz(it.Unit),
		dec(it.UnitValue), cur(it.UnitValue), it.Pointer)
}

// fact appends one award or contract value to the facts table.
func (in *writer) fact(measure string, v ocds.Value, d, fallback, buyer, supplier, method string, sid int32, row int64) error {
	if !v.Set || v.Currency == "" {
		return nil
	}
	n, err := v.Amount.Rescale(in.factScale)
	if err != nil {
		return nil
	}
	k := [2]string{measure, v.Currency}
	t := in.totals[k]
	if t == nil {
		t = &total{}
		in.totals[k] = t
	}
	if s, err := t.sum.Add(v.Amount); err == nil {
		t.sum = s
	}
	t.count++
	d = cmp.Or(d, ocds.Date(fallback))
	b := in.facts
	in.rowID++
	b.Field(0).(*array.Int64Builder).Append(in.rowID)
	if y := year(d); y > 0 {
		b.Field(1).(*array.Int32Builder).Append(int32(y))
	} else {
		b.Field(1).AppendNull()
	}
	b.Field(2).AppendNull()
	if tm, err := time.Parse("2006-01-02", d); err == nil {
		b.Field(3).(*array.Date32Builder).Append(arrow.Date32FromTime(tm))
	} else {
		b.Field(3).AppendNull()
	}
	b.Field(4).(*array.StringBuilder).Append(mizan.PhaseCommitted)
	b.Field(5).(*array.StringBuilder).Append(mizan.DirectionExpenditure)
	b.Field(6).(*array.StringBuilder).Append(v.Currency)
	b.Field(7).(*array.StringBuilder).Append(measure)
	for i, key := range []string{buyer, supplier, method} {
		f := b.Field(8 + i).(*array.StringBuilder)
		if key == "" {
			f.AppendNull()
			continue
		}
		f.Append(key)
		dim := Dimensions[i].ID
		if !in.w.HasMember(dim, dim, key) {
			label := key
			if i < 2 {
				label = in.entityName(key)
			}
			in.w.AddMember(mizan.Member{Dimension: dim, Level: dim, Key: key, Label: mizan.Text{in.lang: label}})
		}
	}
	b.Field(11).(*array.Decimal128Builder).Append(n)
	b.Field(12).(*array.Int32Builder).Append(sid)
	b.Field(13).(*array.Int64Builder).Append(row)
	in.factRows++
	if in.factRows >= 16384 {
		return in.writeFacts()
	}
	return nil
}

func (in *writer) entityName(key string) string {
	e := in.entities[key]
	if e == nil {
		return key
	}
	return e.best()
}

func (e *entityAcc) best() string {
	best, n := "", -1
	for s, c := range e.spellings {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

func (in *writer) writeFacts() error {
	if in.factRows == 0 {
		return nil
	}
	rec := in.facts.NewRecordBatch()
	defer rec.Release()
	in.factRows = 0
	return in.w.Write(in.ctx, rec)
}

func (in *writer) finish(problems []ocds.Problem) error {
	if err := in.writeFacts(); err != nil {
		return err
	}
	keys := make([]string, 0, len(in.entities))
	for k := range in.entities {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := in.entities[k]
		sp := make([]string, 0, len(e.spellings))
		for s := range e.spellings {
			sp = append(sp, s)
		}
		sort.Strings(sp)
		b, _ := json.Marshal(sp)
		in.add("contract_entities", k, nz(e.best()), nz(e.norm), nz(e.scheme), nz(e.id), string(b), int32(e.processes))
	}
	for _, p := range problems {
		in.add("contract_problems", p.File, int32(p.Value), nz(p.OCID), nz(p.Path), p.Message)
	}
	return in.flush()
}

func (in *writer) totalList() []Total {
	var out []Total
	for k, t := range in.totals {
		out = append(out, Total{Measure: k[0], Currency: k[1], Amount: t.sum.String(), Count: t.count})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Measure != out[j].Measure {
			return out[i].Measure < out[j].Measure
		}
		return out[i].Currency < out[j].Currency
	})
	return out
}

// valueScale returns the most decimal places of the award and contract
// values of a release (at most Scale).
func valueScale(m map[string]any) int32 {
	var sc int32
	for _, key := range []string{"awards", "contracts"} {
		arr, _ := m[key].([]any)
		for _, x := range arr {
			o, _ := x.(map[string]any)
			v, _ := o["value"].(map[string]any)
			if v == nil || v["amount"] == nil {
				continue
			}
			if d, err := ocds.Amount(v["amount"]); err == nil {
				sc = max(sc, min(d.Scale(), Scale))
			}
		}
	}
	return sc
}
