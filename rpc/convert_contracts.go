package rpc

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/flags"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// datasetFromProto validates a DatasetVersion naming one version.
func datasetFromProto(d *mizanv1.DatasetVersion, field string) (string, int, error) {
	if d.GetId() == "" {
		return "", 0, mizan.FieldErrorf(field, "required: a dataset id")
	}
	if d.GetVersion() < 0 {
		return "", 0, mizan.FieldErrorf(field, "version must be 0 (latest) or a version number, got %d", d.GetVersion())
	}
	return d.GetId(), int(d.GetVersion()), nil
}

func dsVersionToProto(v contracts.VersionRef) *mizanv1.DatasetVersion {
	return &mizanv1.DatasetVersion{Id: v.Dataset, Version: int32(v.Version)}
}

// recordKinds maps proto record kinds to the contracts package's.
var recordKinds = map[mizanv1.RecordKind]string{
	mizanv1.RecordKind_RECORD_KIND_PROCESS:  contracts.KindProcess,
	mizanv1.RecordKind_RECORD_KIND_PAYMENT:  contracts.KindPayment,
	mizanv1.RecordKind_RECORD_KIND_CONTRACT: contracts.KindContract,
}

func kindToProto(k string) mizanv1.RecordKind {
	for pk, s := range recordKinds {
		if s == k {
			return pk
		}
	}
	return mizanv1.RecordKind_RECORD_KIND_UNSPECIFIED
}

// searchFromProto converts a search request (paging aside).
func searchFromProto(m *mizanv1.SearchContractsRequest) (contracts.SearchQuery, error) {
	q := contracts.SearchQuery{
		Text:        m.GetQuery(),
		Buyers:      m.GetBuyers(),
		Suppliers:   m.GetSuppliers(),
		Methods:     m.GetMethods(),
		Currencies:  m.GetCurrencies(),
		MinAmount:   m.GetMinAmount(),
		MaxAmount:   m.GetMaxAmount(),
		DateFrom:    m.GetDateFrom(),
		DateTo:      m.GetDateTo(),
		Flags:       m.GetFlags(),
		Competitive: m.Competitive,
		Budgets:     m.GetBudgetIds(),
		Sort:        m.GetSort(),
		Ascending:   m.GetAscending(),
		PageSize:    int(m.GetPageSize()),
	}
	for _, d := range m.GetDatasets() {
		id, v, err := datasetFromProto(d, "datasets")
		if err != nil {
			return q, err
		}
		q.Datasets = append(q.Datasets, contracts.VersionRef{Dataset: id, Version: v})
	}
	for _, k := range m.GetKinds() {
		switch k {
		case mizanv1.RecordKind_RECORD_KIND_PROCESS, mizanv1.RecordKind_RECORD_KIND_PAYMENT:
			q.Kinds = append(q.Kinds, recordKinds[k])
		default:
			return q, mizan.FieldErrorf("kinds", "%s: search finds RECORD_KIND_PROCESS and RECORD_KIND_PAYMENT records", k)
		}
	}
	return q, nil
}

func partyNameToProto(p contracts.PartyRef) *mizanv1.PartyName {
	if p.Entity == "" && p.Name == "" {
		return nil
	}
	return &mizanv1.PartyName{Entity: p.Entity, Name: p.Name}
}

func recordSourceToProto(s contracts.Source) *mizanv1.RecordSource {
	return &mizanv1.RecordSource{File: s.File, Sha256: s.SHA256, Pointer: s.Pointer, Value: int64(s.Value), Row: s.Row}
}

func hitToProto(h *contracts.Hit) *mizanv1.ContractHit {
	out := &mizanv1.ContractHit{
		Kind:          kindToProto(h.Kind),
		Dataset:       &mizanv1.DatasetVersion{Id: h.Dataset, Version: int32(h.Version)},
		RecordId:      h.RecordID,
		Ocid:          h.OCID,
		Title:         h.Title,
		Buyer:         partyNameToProto(h.Buyer),
		Method:        h.Method,
		MethodDetails: h.MethodDetails,
		Date:          h.Date,
		Year:          int32(h.Year),
		Amount:        h.Amount,
		Currency:      h.Currency,
		Awards:        int32(h.Awards),
		Contracts:     int32(h.Contracts),
		Tenderers:     int32(h.Tenderers),
		Competitive:   h.Competitive,
		Flags:         h.Flags,
		Attributes:    h.Attributes,
		Source:        recordSourceToProto(h.Source),
	}
	for _, s := range h.Suppliers {
		out.Suppliers = append(out.Suppliers, partyNameToProto(s))
	}
	return out
}

func searchToProto(r *contracts.SearchResult) *mizanv1.SearchContractsResponse {
	resp := &mizanv1.SearchContractsResponse{TotalCount: int64(r.Total)}
	for i := range r.Hits {
		resp.Results = append(resp.Results, hitToProto(&r.Hits[i]))
	}
	for _, f := range r.Facets {
		pf := &mizanv1.Facet{Name: f.Name}
		for _, v := range f.Values {
			pf.Values = append(pf.Values, &mizanv1.FacetValue{Key: v.Key, Label: v.Label, Count: int64(v.Count)})
		}
		resp.Facets = append(resp.Facets, pf)
	}
	for _, v := range r.Versions {
		resp.Datasets = append(resp.Datasets, dsVersionToProto(v))
	}
	return resp
}

func moneyToProto(m contracts.Money) *mizanv1.Money {
	if m.Amount == "" {
		return nil
	}
	return &mizanv1.Money{Amount: m.Amount, Currency: m.Currency}
}

func contractToProto(c *contracts.ContractDetail) *mizanv1.ContractDetail {
	out := &mizanv1.ContractDetail{
		Summary:      hitToProto(&c.Summary),
		Description:  c.Description,
		Tags:         c.Tags,
		Releases:     int32(c.Releases),
		CompiledJson: c.Compiled,
	}
	if t := c.Tender; t != nil {
		out.Tender = &mizanv1.Tender{Method: t.Method, MethodDetails: t.MethodDetails, MethodRationale: t.MethodRationale, Tenderers: int32(t.Tenderers),
			StartDate: t.StartDate, EndDate: t.EndDate, Value: moneyToProto(t.Value)}
	}
	for _, a := range c.Awards {
		pa := &mizanv1.Award{Id: a.ID, Title: a.Title, Status: a.Status, Date: a.Date, Value: moneyToProto(a.Value), Pointer: a.Pointer}
		for _, s := range a.Suppliers {
			pa.Suppliers = append(pa.Suppliers, partyNameToProto(s))
		}
		out.Awards = append(out.Awards, pa)
	}
	for _, k := range c.Contracts {
		pk := &mizanv1.Contract{Id: k.ID, AwardId: k.AwardID, Title: k.Title, Status: k.Status, DateSigned: k.DateSigned, StartDate: k.StartDate, EndDate: k.EndDate,
			Value: moneyToProto(k.Value), InitialValue: moneyToProto(k.InitialValue), Supplier: partyNameToProto(k.Supplier), Pointer: k.Pointer}
		for _, a := range k.Amendments {
			pk.Amendments = append(pk.Amendments, &mizanv1.Amendment{Id: a.ID, Date: a.Date, Rationale: a.Rationale, Description: a.Description,
				ValueBefore: moneyToProto(a.ValueBefore), ValueAfter: moneyToProto(a.ValueAfter), Pointer: a.Pointer})
		}
		out.Contracts = append(out.Contracts, pk)
	}
	for _, it := range c.Items {
		out.Items = append(out.Items, &mizanv1.ContractItem{Id: it.ID, Description: it.Description, Scheme: it.Scheme, Classification: it.Classification,
			Quantity: it.Quantity, Unit: it.Unit, UnitValue: moneyToProto(it.UnitValue), Parent: it.Parent, ParentId: it.ParentID, Pointer: it.Pointer})
	}
	for _, b := range c.Budget {
		out.Budget = append(out.Budget, &mizanv1.BudgetLink{Id: b.ID, Description: b.Description, Project: b.Project, ProjectId: b.ProjectID, Uri: b.URI,
			Amount: moneyToProto(b.Amount)})
	}
	for _, p := range c.Parties {
		out.Parties = append(out.Parties, &mizanv1.ContractParty{Entity: partyNameToProto(p.Entity), Name: p.Name, Scheme: p.Scheme, Identifier: p.Identifier, Roles: p.Roles})
	}
	return out
}

func partyRecordToProto(r *contracts.PartyRecord) *mizanv1.PartyRecord {
	return &mizanv1.PartyRecord{
		Kind:        kindToProto(r.Kind),
		Ocid:        r.OCID,
		Id:          r.ID,
		Title:       r.Title,
		Counterpart: partyNameToProto(r.Counterpart),
		Method:      r.Method,
		Date:        r.Date,
		Value:       moneyToProto(contracts.Money{Amount: r.Amount, Currency: r.Currency}),
		Source:      recordSourceToProto(r.Source),
		Dataset:     dsVersionToProto(r.Dataset),
		RecordId:    r.RecordID,
		NameMatch:   r.NameMatch,
	}
}

func partyToProto(p *contracts.Party) *mizanv1.Party {
	out := &mizanv1.Party{
		Entity:     partyNameToProto(p.Entity),
		Spellings:  p.Spellings,
		Scheme:     p.Scheme,
		Identifier: p.Identifier,
		Role:       p.Role,
		Records:    p.Records,
	}
	for _, t := range p.ByYear {
		out.ByYear = append(out.ByYear, &mizanv1.PartyTotal{Year: int32(t.Year), Currency: t.Currency, Amount: t.Amount, Count: t.Count})
	}
	for _, c := range p.Counterparts {
		out.Counterparts = append(out.Counterparts, &mizanv1.Counterpart{Party: partyNameToProto(c.Party), Currency: c.Currency, Amount: c.Amount, Count: c.Count})
	}
	for _, n := range p.NonCompetitive {
		out.NonCompetitive = append(out.NonCompetitive, &mizanv1.NonCompetitiveShare{Currency: n.Currency, Amount: n.Amount, Total: n.Total, Share: n.Share,
			Contracts: n.Contracts, Unknown: n.Unknown})
	}
	for i := range p.TopContracts {
		out.TopContracts = append(out.TopContracts, partyRecordToProto(&p.TopContracts[i]))
	}
	for i := range p.TopPayments {
		out.TopPayments = append(out.TopPayments, partyRecordToProto(&p.TopPayments[i]))
	}
	return out
}

// paramsFromProto returns the default red flag parameters with the
// request's overrides. Parameters are named as flags.Params names them in
// JSON; values are decimal strings, and split_thresholds is a list of
// currency=amount pairs ("GBP=25000,CAD=30000").
func paramsFromProto(m map[string]string) (flags.Params, error) {
	p := flags.DefaultParams()
	if len(m) == 0 {
		return p, nil
	}
	defaults, err := paramsJSON(p)
	if err != nil {
		return p, err
	}
	over := map[string]json.RawMessage{}
	for name, val := range m {
		def, ok := defaults[name]
		if !ok {
			known := make([]string, 0, len(defaults))
			for k := range defaults {
				known = append(known, k)
			}
			sort.Strings(known)
			return p, mizan.FieldErrorf("params", "unknown parameter %q (known: %s)", name, strings.Join(known, ", "))
		}
		val = strings.TrimSpace(val)
		switch {
		case bytes.HasPrefix(def, []byte(`"`)):
			over[name], _ = json.Marshal(val)
		case bytes.HasPrefix(def, []byte(`{`)):
			th := map[string]string{}
			for _, pair := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
				cur, amt, ok := strings.Cut(pair, "=")
				if !ok {
					cur, amt, ok = strings.Cut(pair, ":")
				}
				if !ok || len(cur) != 3 {
					return p, mizan.FieldErrorf("params", "%s: %q is not a list of currency=amount pairs", name, val)
				}
				th[strings.ToUpper(cur)] = amt
			}
			over[name], _ = json.Marshal(th)
		default:
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				return p, mizan.FieldErrorf("params", "%s: %q is not a number", name, val)
			}
			over[name] = json.RawMessage(val)
		}
	}
	b, _ := json.Marshal(over)
	if err := json.Unmarshal(b, &p); err != nil {
		return p, mizan.FieldErrorf("params", "%v", err)
	}
	if err := p.Validate(); err != nil {
		var me *mizan.Error
		if errors.As(err, &me) && me.Field != "" {
			return p, mizan.FieldErrorf("params", "%s: %s", me.Field, me.Message)
		}
		return p, err
	}
	return p, nil
}

// paramsJSON returns the parameters by JSON name.
func paramsJSON(p flags.Params) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("red flag parameters: %w", err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("red flag parameters: %w", err)
	}
	return m, nil
}

// paramsToProto returns every parameter as the request takes it.
func paramsToProto(p flags.Params) map[string]string {
	m, err := paramsJSON(p)
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, raw := range m {
		switch {
		case bytes.HasPrefix(raw, []byte(`"`)):
			var s string
			_ = json.Unmarshal(raw, &s)
			out[k] = s
		case bytes.HasPrefix(raw, []byte(`{`)):
			var th map[string]string
			_ = json.Unmarshal(raw, &th)
			pairs := make([]string, 0, len(th))
			for c, a := range th {
				pairs = append(pairs, c+"="+a)
			}
			sort.Strings(pairs)
			out[k] = strings.Join(pairs, ",")
		default:
			out[k] = string(raw)
		}
	}
	return out
}

// evidenceKinds maps flags' evidence kinds to record kinds.
var evidenceKinds = map[string]mizanv1.RecordKind{
	flags.EvidenceProcess:   mizanv1.RecordKind_RECORD_KIND_PROCESS,
	flags.EvidenceAward:     mizanv1.RecordKind_RECORD_KIND_AWARD,
	flags.EvidenceContract:  mizanv1.RecordKind_RECORD_KIND_CONTRACT,
	flags.EvidenceAmendment: mizanv1.RecordKind_RECORD_KIND_AMENDMENT,
	flags.EvidencePayment:   mizanv1.RecordKind_RECORD_KIND_PAYMENT,
}

// flagParty returns the party a flag names: contracts flags carry entity
// ids; payments flags carry names as published, which become entities by
// normalised name, as search and profiles show them.
func flagParty(kind mizan.Kind, key, name string) *mizanv1.PartyName {
	if key == "" && name == "" {
		return nil
	}
	if kind == mizan.KindPayments {
		return &mizanv1.PartyName{Entity: contracts.PaymentEntity(cmp.Or(name, key)), Name: cmp.Or(name, key)}
	}
	return &mizanv1.PartyName{Entity: key, Name: cmp.Or(name, key)}
}

func (s *contractService) flagToProto(ctx context.Context, kind mizan.Kind, f *flags.Flag) *mizanv1.RedFlag {
	out := &mizanv1.RedFlag{
		Code:     f.Code,
		Dataset:  &mizanv1.DatasetVersion{Id: f.Dataset, Version: int32(f.Version)},
		RecordId: f.ProcessID,
		Ocid:     f.OCID,
		Buyer:    flagParty(kind, f.Buyer, f.BuyerName),
		Supplier: flagParty(kind, f.Supplier, f.SupplierName),
		Year:     int32(f.Year),
		Value:    moneyToProto(contracts.Money{Amount: f.Amount, Currency: f.Currency}),
		Score:    f.Score,
		Figures:  f.Figures,
		Reason:   f.Reason,
	}
	for _, e := range f.Evidence {
		pe := &mizanv1.Evidence{Kind: evidenceKinds[e.Kind], Ocid: e.OCID, Id: e.ID, Title: e.Title, Date: e.Date,
			Value: moneyToProto(contracts.Money{Amount: e.Amount, Currency: e.Currency}), RecordId: -1,
			Source: &mizanv1.RecordSource{File: e.File, Sha256: e.SHA256, Pointer: e.Pointer}}
		if kind == mizan.KindPayments {
			pe.Source.Row = e.Row
		} else {
			pe.Source.Value = e.Row
		}
		if id, err := s.c.RecordOf(ctx, f.Dataset, f.Version, e.OCID, e.File, e.Row); err == nil {
			pe.RecordId = id
		}
		out.Evidence = append(out.Evidence, pe)
	}
	return out
}

func definitionToProto(d *flags.Definition) *mizanv1.RedFlagDefinition {
	out := &mizanv1.RedFlagDefinition{Code: d.Code, Title: d.Title, Description: d.Description}
	for _, k := range d.Applies {
		out.AppliesTo = append(out.AppliesTo, string(k))
	}
	for _, p := range d.Params {
		out.Params = append(out.Params, &mizanv1.RedFlagParam{Name: p.Name, Description: p.Description, DefaultValue: p.Default})
	}
	return out
}
