package rpc

import (
	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

func cutsFromProto(cs []*mizanv1.Cut) []mizan.Cut {
	if len(cs) == 0 {
		return nil
	}
	out := make([]mizan.Cut, len(cs))
	for i, c := range cs {
		out[i] = mizan.Cut{
			Ref:     c.GetDimension(),
			Values:  c.GetValues(),
			From:    c.GetFrom(),
			To:      c.GetTo(),
			Negate:  c.GetNegate(),
			Subtree: c.GetSubtree(),
		}
	}
	return out
}

func orderFromProto(os []*mizanv1.Order) []mizan.Order {
	if len(os) == 0 {
		return nil
	}
	out := make([]mizan.Order, len(os))
	for i, o := range os {
		out[i] = mizan.Order{Ref: o.GetRef(), Desc: o.GetDesc()}
	}
	return out
}

func normalizationFromProto(n *mizanv1.Normalization) mizan.Normalization {
	return mizan.Normalization{
		PerCapita:      n.GetPerCapita(),
		Deflator:       n.GetDeflator(),
		BaseYear:       int(n.GetBaseYear()),
		FXRates:        n.GetFxRates(),
		TargetCurrency: n.GetTargetCurrency(),
	}
}

// aggregateFromProto builds the domain query of req at page p.
func aggregateFromProto(req *mizanv1.AggregateRequest, p page) mizan.AggregateQuery {
	return mizan.AggregateQuery{
		Dataset:       req.GetDataset(),
		Version:       pinned(int(req.GetVersion()), p),
		Aggregates:    req.GetAggregates(),
		Drilldown:     req.GetDrilldown(),
		Cuts:          cutsFromProto(req.GetCuts()),
		Order:         orderFromProto(req.GetOrder()),
		PageSize:      int(req.GetPageSize()),
		Offset:        p.Offset,
		Lang:          req.GetLang(),
		Top:           int(req.GetTop()),
		Normalization: normalizationFromProto(req.GetNormalization()),
	}
}

func executionFromProto(req *mizanv1.ExecutionRequest, p page) mizan.ExecutionQuery {
	return mizan.ExecutionQuery{
		Dataset:      req.GetDataset(),
		Version:      pinned(int(req.GetVersion()), p),
		Drilldown:    req.GetDrilldown(),
		Cuts:         cutsFromProto(req.GetCuts()),
		Lang:         req.GetLang(),
		PageSize:     int(req.GetPageSize()),
		Offset:       p.Offset,
		Order:        orderFromProto(req.GetOrder()),
		LowThreshold: req.GetLowThreshold(),
	}
}

func factsFromProto(req *mizanv1.FactsRequest, p page) mizan.FactsQuery {
	return mizan.FactsQuery{
		Dataset:  req.GetDataset(),
		Version:  pinned(int(req.GetVersion()), p),
		Cuts:     cutsFromProto(req.GetCuts()),
		Order:    orderFromProto(req.GetOrder()),
		PageSize: int(req.GetPageSize()),
		Offset:   p.Offset,
		Lang:     req.GetLang(),
	}
}

// pinned returns the version a page reads: the one its token pinned, else
// the one asked for (0 = latest).
func pinned(asked int, p page) int {
	if p.Version != 0 {
		return p.Version
	}
	return asked
}

func cellToProto(c *mizan.Cell) *mizanv1.Cell {
	return &mizanv1.Cell{
		Keys:       c.Keys,
		Labels:     c.Labels,
		LabelLangs: c.LabelLangs,
		Values:     c.Values,
		Currency:   c.Currency,
		Other:      c.Other,
	}
}

func aggregateToProto(r *mizan.AggregateResult) *mizanv1.AggregateResponse {
	resp := &mizanv1.AggregateResponse{
		Summary:        cellToProto(&r.Summary),
		TotalCellCount: r.TotalCellCount,
		Dataset:        r.Dataset,
		DatasetVersion: int32(r.Version),
		Currency:       r.Currency,
	}
	resp.Cells = make([]*mizanv1.Cell, len(r.Cells))
	for i := range r.Cells {
		resp.Cells[i] = cellToProto(&r.Cells[i])
	}
	for _, a := range r.Applied {
		resp.Applied = append(resp.Applied, &mizanv1.AppliedSeries{
			Kind: a.Kind, Dataset: a.Dataset, Version: int32(a.Version), Year: int32(a.Year), Value: a.Value,
		})
	}
	return resp
}

func executionRowToProto(r *mizan.ExecutionRow) *mizanv1.ExecutionRow {
	return &mizanv1.ExecutionRow{
		Keys:       r.Keys,
		Labels:     r.Labels,
		LabelLangs: r.LabelLangs,
		Approved:   r.Approved,
		Revised:    r.Revised,
		Executed:   r.Executed,
		Rate:       r.Rate,
		RateBase:   r.RateBase,
		Variance:   r.Variance,
		Over:       r.Over,
		Under:      r.Under,
		Currency:   r.Currency,
	}
}

func executionToProto(r *mizan.ExecutionResult) *mizanv1.ExecutionResponse {
	resp := &mizanv1.ExecutionResponse{
		Summary:        executionRowToProto(&r.Summary),
		TotalRowCount:  r.TotalRowCount,
		Dataset:        r.Dataset,
		DatasetVersion: int32(r.Version),
		Currency:       r.Currency,
	}
	resp.Rows = make([]*mizanv1.ExecutionRow, len(r.Rows))
	for i := range r.Rows {
		resp.Rows[i] = executionRowToProto(&r.Rows[i])
	}
	return resp
}

func factToProto(f *mizan.Fact) *mizanv1.Fact {
	return &mizanv1.Fact{
		Row:        f.Row,
		Keys:       f.Keys,
		Labels:     f.Labels,
		LabelLangs: f.LabelLangs,
		Amount:     f.Amount,
		Currency:   f.Currency,
		Provenance: &mizanv1.Provenance{
			SourceId: int32(f.SourceID),
			File:     f.File,
			Sha256:   f.SHA256,
			Sheet:    f.Sheet,
			Row:      f.SourceRow,
		},
	}
}

func factsToProto(r *mizan.FactsResult) *mizanv1.FactsResponse {
	resp := &mizanv1.FactsResponse{
		TotalCount:     r.TotalCount,
		Dataset:        r.Dataset,
		DatasetVersion: int32(r.Version),
	}
	resp.Facts = make([]*mizanv1.Fact, len(r.Facts))
	for i := range r.Facts {
		resp.Facts[i] = factToProto(&r.Facts[i])
	}
	return resp
}
