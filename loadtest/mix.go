package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"connectrpc.com/connect"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// Kind is one kind of request in the mix.
type Kind string

// The request kinds, as a dashboard and its readers send them.
const (
	// KindOverview is an overview aggregate: totals by year, phase and
	// direction, some with a cut.
	KindOverview Kind = "overview"
	// KindDrilldown is a treemap drilldown: the members of a
	// classification level under a parent member, for a year and phase.
	KindDrilldown Kind = "drilldown"
	// KindExecution is budget against execution per node of a level.
	KindExecution Kind = "execution"
	// KindFacts is a page of line items; a client follows next_page_token
	// for a few pages, as a reader paging through a table does.
	KindFacts Kind = "facts"
	// KindMemberSearch is a member search (ListMembers with search words).
	KindMemberSearch Kind = "member_search"
	// KindContractSearch is a contract and payment search
	// (ContractService.SearchContracts).
	KindContractSearch Kind = "contract_search"
	// KindExport is a CSV export streamed to its end.
	KindExport Kind = "export"
)

// Kinds lists every kind in report order.
var Kinds = []Kind{KindOverview, KindDrilldown, KindExecution, KindFacts, KindMemberSearch, KindContractSearch, KindExport}

// DefaultMix weighs the kinds as a public dashboard's traffic: mostly
// overviews and drilldowns, fewer tables and searches, a few exports.
var DefaultMix = map[Kind]int{
	KindOverview:       25,
	KindDrilldown:      25,
	KindExecution:      10,
	KindFacts:          15,
	KindMemberSearch:   10,
	KindContractSearch: 10,
	KindExport:         5,
}

// member is a member key with its label.
type member struct{ key, label string }

// level is a dimension level with members sampled from it.
type level struct {
	ref     string
	members []member
}

// hierarchy is a dimension with a level under its top level: drilldowns
// cut a top member and group by the level below.
type hierarchy struct {
	top, below *level
}

// dataset is what the mix knows of one queryable dataset.
type dataset struct {
	id         string
	kind       mizanv1.DatasetKind
	rows       int64
	years      []string
	phases     []string
	directions []string
	levels     []*level // every level with sampled members
	hiers      []hierarchy
	execution  bool // has approved (or revised) and executed figures
}

// plan is what the clients pick their requests from.
type plan struct {
	datasets []*dataset
	// memberWords are words from member labels, for member searches.
	memberWords []string
	// contractWords are words for contract searches.
	contractWords []string
	weights       map[Kind]int
	total         int
	notes         []string
}

// contractSeedWords are common procurement words, searched beside words
// from the search results themselves.
var contractSeedWords = []string{"services", "construction", "software", "consulting", "repair", "supply", "maintenance", "equipment", "training", "cleaning"}

// clients are the generated Connect clients of one HTTP client.
type clients struct {
	catalog   mizanv1connect.CatalogServiceClient
	query     mizanv1connect.QueryServiceClient
	contracts mizanv1connect.ContractServiceClient
}

// discover reads the catalog and samples members and search words, then
// drops the kinds the server cannot answer (with a note).
func discover(ctx context.Context, c clients, mix map[Kind]int) (*plan, error) {
	p := &plan{weights: map[Kind]int{}}
	for k, w := range mix {
		if w > 0 {
			p.weights[k] = w
		}
	}
	list, err := c.catalog.ListDatasets(ctx, connect.NewRequest(&mizanv1.ListDatasetsRequest{}))
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	for _, s := range list.Msg.Datasets {
		if s.Kind != mizanv1.DatasetKind_DATASET_KIND_BUDGET && s.Kind != mizanv1.DatasetKind_DATASET_KIND_PAYMENTS {
			continue
		}
		d, err := describe(ctx, c.catalog, s)
		if err != nil {
			return nil, err
		}
		p.datasets = append(p.datasets, d)
		for _, l := range d.levels {
			for _, m := range l.members {
				p.memberWords = appendWords(p.memberWords, m.label)
			}
		}
	}
	if len(p.datasets) == 0 {
		return nil, errors.New("no budget or payments dataset to query")
	}
	if len(p.memberWords) == 0 {
		delete(p.weights, KindMemberSearch)
		p.notes = append(p.notes, "member_search dropped: no member labels to search for")
	}
	if !slices.ContainsFunc(p.datasets, func(d *dataset) bool { return d.execution }) {
		delete(p.weights, KindExecution)
		p.notes = append(p.notes, "execution dropped: no dataset with budget and executed figures")
	}
	if p.weights[KindContractSearch] > 0 {
		if err := p.probeContracts(ctx, c.contracts); err != nil {
			return nil, err
		}
	}
	for _, w := range p.weights {
		p.total += w
	}
	if p.total == 0 {
		return nil, errors.New("the mix holds no request the server answers")
	}
	return p, nil
}

// probeContracts asks SearchContracts once: a server without the
// ContractService (Unimplemented) drops the kind from the mix; one that
// answers gives search words from its results.
func (p *plan) probeContracts(ctx context.Context, c mizanv1connect.ContractServiceClient) error {
	res, err := c.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{PageSize: 100}))
	if notServed(err) {
		delete(p.weights, KindContractSearch)
		p.notes = append(p.notes, fmt.Sprintf("contract_search dropped: the server does not serve SearchContracts (%v)", err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("probe SearchContracts: %w", err)
	}
	p.contractWords = slices.Clone(contractSeedWords)
	for _, h := range res.Msg.Results {
		p.contractWords = appendWords(p.contractWords, h.Title)
		if h.Buyer != nil {
			p.contractWords = appendWords(p.contractWords, h.Buyer.Name)
		}
		for _, s := range h.Suppliers {
			p.contractWords = appendWords(p.contractWords, s.Name)
		}
	}
	p.notes = append(p.notes, fmt.Sprintf("contract_search: %d records searchable, %d search words", res.Msg.TotalCount, len(p.contractWords)))
	return nil
}

// notServed reports whether err says the server has no such procedure:
// Unimplemented, or the HTTP 404 or 405 of a handler that is not Connect's
// (the dashboard, mounted at "/", answers paths no service holds).
func notServed(err error) bool {
	if err == nil {
		return false
	}
	switch connect.CodeOf(err) {
	case connect.CodeUnimplemented:
		return true
	case connect.CodeUnknown:
		msg := err.Error()
		return strings.Contains(msg, "404 Not Found") || strings.Contains(msg, "405 Method Not Allowed")
	}
	return false
}

// describe reads a dataset's dimensions and samples members of the top
// two levels of each dimension.
func describe(ctx context.Context, c mizanv1connect.CatalogServiceClient, s *mizanv1.DatasetSummary) (*dataset, error) {
	res, err := c.GetDataset(ctx, connect.NewRequest(&mizanv1.GetDatasetRequest{Dataset: s.Id}))
	if err != nil {
		return nil, fmt.Errorf("get dataset %s: %w", s.Id, err)
	}
	ds := res.Msg.Dataset
	d := &dataset{id: s.Id, kind: s.Kind, rows: s.RowCount, phases: ds.Phases, directions: ds.Directions}
	for _, y := range ds.Years {
		d.years = append(d.years, fmt.Sprint(y))
	}
	d.execution = slices.Contains(ds.Phases, "executed") &&
		(slices.Contains(ds.Phases, "approved") || slices.Contains(ds.Phases, "revised"))
	for _, dim := range ds.Dimensions {
		if dim.Kind == mizanv1.DimensionKind_DIMENSION_KIND_TIME || len(dim.Levels) == 0 {
			continue
		}
		var sampled []*level
		for _, l := range dim.Levels[:min(2, len(dim.Levels))] {
			lv, err := sampleLevel(ctx, c, s.Id, l.Ref)
			if err != nil {
				return nil, err
			}
			if len(lv.members) == 0 {
				break
			}
			sampled = append(sampled, lv)
		}
		d.levels = append(d.levels, sampled...)
		if len(sampled) == 2 {
			d.hiers = append(d.hiers, hierarchy{top: sampled[0], below: sampled[1]})
		}
	}
	if len(d.levels) == 0 {
		return nil, fmt.Errorf("dataset %s: no dimension level with members", s.Id)
	}
	return d, nil
}

// sampleLevel reads the first page of a level's members (by label).
func sampleLevel(ctx context.Context, c mizanv1connect.CatalogServiceClient, dataset, ref string) (*level, error) {
	res, err := c.ListMembers(ctx, connect.NewRequest(&mizanv1.ListMembersRequest{Dataset: dataset, Dimension: ref, PageSize: 200, Lang: "en"}))
	if err != nil {
		return nil, fmt.Errorf("list members of %s %s: %w", dataset, ref, err)
	}
	l := &level{ref: ref}
	for _, m := range res.Msg.Members {
		l.members = append(l.members, member{key: m.Key, label: m.Label})
	}
	return l, nil
}

// appendWords adds the words of s of at least four letters not yet in
// words (at most 2000 words in all).
func appendWords(words []string, s string) []string {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(words) >= 2000 {
			break
		}
		if utf8.RuneCountInString(w) < 4 {
			continue
		}
		w = strings.ToLower(w)
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
}

// pick returns a random element.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickKind draws a kind by weight.
func (p *plan) pickKind(r *rand.Rand) Kind {
	n := r.IntN(p.total)
	for _, k := range Kinds {
		if n < p.weights[k] {
			return k
		}
		n -= p.weights[k]
	}
	return KindOverview
}

// langs are the dashboard's languages.
var langs = []string{"en", "ar"}

func cut(ref string, values ...string) *mizanv1.Cut {
	return &mizanv1.Cut{Dimension: ref, Values: values}
}

// overview is an overview aggregate of a random dataset: totals over the
// years by phase and direction, or one year's totals.
func (p *plan) overview(r *rand.Rand) *mizanv1.AggregateRequest {
	d := pick(r, p.datasets)
	req := &mizanv1.AggregateRequest{Dataset: d.id, Lang: pick(r, langs), PageSize: 1000}
	switch r.IntN(4) {
	case 0:
		req.Drilldown = []string{"year", "phase", "direction"}
	case 1:
		req.Drilldown = []string{"year", "phase"}
		req.Cuts = []*mizanv1.Cut{cut("direction", pick(r, d.directions))}
	case 2:
		req.Drilldown = []string{"phase", "direction"}
		req.Cuts = []*mizanv1.Cut{cut("year", pick(r, d.years))}
	default:
		req.Drilldown = []string{"year"}
		req.Aggregates = []string{"amount.sum", "amount.count"}
		req.Cuts = []*mizanv1.Cut{cut("phase", pick(r, d.phases)), cut("direction", pick(r, d.directions))}
	}
	return req
}

// drilldown is a treemap step: the largest members of a level, either at
// the top of a dimension or under one member of the level above, for a
// year and phase.
func (p *plan) drilldown(r *rand.Rand) *mizanv1.AggregateRequest {
	d := pick(r, p.datasets)
	req := &mizanv1.AggregateRequest{
		Dataset: d.id, Lang: pick(r, langs), PageSize: 50,
		Aggregates: []string{"amount.sum", "amount.share"},
		Order:      []*mizanv1.Order{{Ref: "amount.sum", Desc: true}},
		Cuts:       []*mizanv1.Cut{cut("year", pick(r, d.years)), cut("phase", pick(r, d.phases))},
	}
	if len(d.hiers) > 0 && r.IntN(3) > 0 {
		h := pick(r, d.hiers)
		req.Drilldown = []string{h.below.ref}
		req.Cuts = append(req.Cuts, cut(h.top.ref, pick(r, h.top.members).key))
	} else {
		req.Drilldown = []string{pick(r, d.levels).ref}
		req.Top = 20
	}
	return req
}

// execution compares budget and execution for a year by the top level of
// a dimension, sometimes under a member.
func (p *plan) execution(r *rand.Rand) *mizanv1.ExecutionRequest {
	var ds []*dataset
	for _, d := range p.datasets {
		if d.execution {
			ds = append(ds, d)
		}
	}
	d := pick(r, ds)
	req := &mizanv1.ExecutionRequest{Dataset: d.id, Lang: pick(r, langs), PageSize: 100,
		Cuts: []*mizanv1.Cut{cut("year", pick(r, d.years))}}
	if len(d.hiers) > 0 && r.IntN(2) == 0 {
		h := pick(r, d.hiers)
		req.Drilldown = []string{h.below.ref}
		req.Cuts = append(req.Cuts, cut(h.top.ref, pick(r, h.top.members).key))
	} else {
		req.Drilldown = []string{pick(r, d.levels).ref}
	}
	if r.IntN(2) == 0 {
		req.Order = []*mizanv1.Order{{Ref: "rate", Desc: r.IntN(2) == 0}}
	}
	return req
}

// facts is the first page of the line items of a member in a year.
func (p *plan) facts(r *rand.Rand) *mizanv1.FactsRequest {
	d := pick(r, p.datasets)
	l := pick(r, d.levels)
	req := &mizanv1.FactsRequest{Dataset: d.id, Lang: pick(r, langs), PageSize: int32(pick(r, []int{25, 50, 100})),
		Cuts: []*mizanv1.Cut{cut(l.ref, pick(r, l.members).key)}}
	if r.IntN(3) > 0 {
		req.Cuts = append(req.Cuts, cut("year", pick(r, d.years)))
	}
	if r.IntN(2) == 0 {
		req.Order = []*mizanv1.Order{{Ref: "amount", Desc: true}}
	}
	return req
}

// memberSearch searches a level's members for a word or a word's start.
func (p *plan) memberSearch(r *rand.Rand) *mizanv1.ListMembersRequest {
	d := pick(r, p.datasets)
	w := pick(r, p.memberWords)
	if r.IntN(2) == 0 {
		w = string([]rune(w)[:3+r.IntN(utf8.RuneCountInString(w)-2)])
	}
	return &mizanv1.ListMembersRequest{Dataset: d.id, Dimension: pick(r, d.levels).ref, Search: w, Lang: pick(r, langs), PageSize: 20}
}

// contractSearch searches contracts and payments for one or two words.
func (p *plan) contractSearch(r *rand.Rand) *mizanv1.SearchContractsRequest {
	q := pick(r, p.contractWords)
	if r.IntN(4) == 0 {
		q += " " + pick(r, p.contractWords)
	}
	req := &mizanv1.SearchContractsRequest{Query: q, PageSize: 20}
	if r.IntN(3) == 0 {
		req.Sort = "date"
	}
	return req
}

// export is a CSV export: a level by year under a member, or the facts of
// a member in a year.
func (p *plan) export(r *rand.Rand) *mizanv1.ExportRequest {
	d := pick(r, p.datasets)
	req := &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV}
	if r.IntN(2) == 0 {
		l := pick(r, d.levels)
		req.Query = &mizanv1.ExportRequest_Aggregate{Aggregate: &mizanv1.AggregateRequest{
			Dataset: d.id, Lang: pick(r, langs), Drilldown: []string{"year", "phase", l.ref},
			Cuts: []*mizanv1.Cut{cut("direction", pick(r, d.directions))},
		}}
		return req
	}
	l := pick(r, d.levels)
	if len(d.hiers) > 0 {
		l = pick(r, d.hiers).below
	}
	req.Query = &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{
		Dataset: d.id, Lang: pick(r, langs),
		Cuts: []*mizanv1.Cut{cut(l.ref, pick(r, l.members).key), cut("year", pick(r, d.years))},
	}}
	return req
}
