package rpc

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/store"
)

// amountAggregates are the aggregate functions the amount measure supports.
var amountAggregates = []string{mizan.AggSum, mizan.AggCount, mizan.AggAvg, mizan.AggMin, mizan.AggMax, mizan.AggShare}

// amountLabel labels the amount measure.
var amountLabel = mizan.Text{"en": "Amount", "ar": "المبلغ"}

func textToProto(t mizan.Text) map[string]string {
	if len(t) == 0 {
		return nil
	}
	out := make(map[string]string, len(t))
	for l, s := range t {
		if s != "" {
			out[l] = s
		}
	}
	return out
}

func datasetKindToProto(k mizan.Kind) mizanv1.DatasetKind {
	switch k {
	case mizan.KindBudget:
		return mizanv1.DatasetKind_DATASET_KIND_BUDGET
	case mizan.KindPayments:
		return mizanv1.DatasetKind_DATASET_KIND_PAYMENTS
	case mizan.KindSeries:
		return mizanv1.DatasetKind_DATASET_KIND_SERIES
	case mizan.KindContracts:
		return mizanv1.DatasetKind_DATASET_KIND_CONTRACTS
	}
	return mizanv1.DatasetKind_DATASET_KIND_UNSPECIFIED
}

func versionStatusToProto(s string) mizanv1.VersionStatus {
	switch s {
	case mizan.StatusPublished:
		return mizanv1.VersionStatus_VERSION_STATUS_PUBLISHED
	case mizan.StatusDraft:
		return mizanv1.VersionStatus_VERSION_STATUS_DRAFT
	}
	return mizanv1.VersionStatus_VERSION_STATUS_UNSPECIFIED
}

func dimensionKindToProto(k mizan.DimensionKind) mizanv1.DimensionKind {
	switch k {
	case mizan.KindClassification:
		return mizanv1.DimensionKind_DIMENSION_KIND_CLASSIFICATION
	case mizan.KindAttribute:
		return mizanv1.DimensionKind_DIMENSION_KIND_ATTRIBUTE
	case mizan.KindTime:
		return mizanv1.DimensionKind_DIMENSION_KIND_TIME
	case mizan.KindFixed:
		return mizanv1.DimensionKind_DIMENSION_KIND_FIXED
	}
	return mizanv1.DimensionKind_DIMENSION_KIND_UNSPECIFIED
}

func int32s(xs []int) []int32 {
	if len(xs) == 0 {
		return nil
	}
	out := make([]int32, len(xs))
	for i, x := range xs {
		out[i] = int32(x)
	}
	return out
}

func datasetSummaryToProto(d *mizan.Dataset, v mizan.Version) *mizanv1.DatasetSummary {
	return &mizanv1.DatasetSummary{
		Id:            d.ID,
		Title:         textToProto(d.Title),
		Kind:          datasetKindToProto(d.Kind),
		Country:       d.Country,
		Currency:      d.Currency,
		Synthetic:     d.Synthetic,
		LatestVersion: int32(v.Number),
		RowCount:      v.Rows,
		Years:         int32s(v.Years),
		Phases:        v.Phases,
		Directions:    v.Directions,
		Publisher:     textToProto(d.Publisher),
		Language:      d.Language,
	}
}

func versionToProto(v *mizan.Version) *mizanv1.Version {
	pv := &mizanv1.Version{
		Number:      int32(v.Number),
		Status:      versionStatusToProto(v.Status),
		ContentHash: v.ContentHash,
		Rows:        v.Rows,
		RowsRead:    v.RowsRead,
		Rejected:    v.Rejected,
		Scale:       v.Scale,
		Factor:      v.Factor,
	}
	if !v.CreatedAt.IsZero() {
		pv.CreatedAt = timestamppb.New(v.CreatedAt)
	}
	return pv
}

func dimensionToProto(d *mizan.Dimension) *mizanv1.Dimension {
	pd := &mizanv1.Dimension{
		Id:             d.ID,
		Kind:           dimensionKindToProto(d.Kind),
		Label:          textToProto(d.Label),
		Classification: d.Classification,
	}
	for _, l := range d.Levels {
		pd.Levels = append(pd.Levels, &mizanv1.Level{
			Id:          l.ID,
			Ref:         d.ID + "." + l.ID,
			Label:       textToProto(l.Label),
			MemberCount: l.Members,
		})
	}
	return pd
}

func sourceToProto(s *mizan.SourceFile) *mizanv1.SourceFile {
	return &mizanv1.SourceFile{
		Id:     int32(s.ID),
		Name:   s.Name,
		Sheet:  s.Sheet,
		Sha256: s.SHA256,
		Url:    s.URL,
		Bytes:  s.Bytes,
		Rows:   s.Rows,
	}
}

// datasetToProto describes d with v as the version in detail.
func datasetToProto(d *mizan.Dataset, v *mizan.Version) *mizanv1.Dataset {
	pd := &mizanv1.Dataset{
		Id:          d.ID,
		Kind:        datasetKindToProto(d.Kind),
		Title:       textToProto(d.Title),
		Description: textToProto(d.Description),
		Publisher:   textToProto(d.Publisher),
		Country:     d.Country,
		Currency:    d.Currency,
		Language:    d.Language,
		Homepage:    d.Homepage,
		Synthetic:   d.Synthetic,
		Version:     versionToProto(v),
		Years:       int32s(v.Years),
		Phases:      v.Phases,
		Directions:  v.Directions,
		Currencies:  v.Currencies,
		Measures: []*mizanv1.Measure{{
			Id:         store.ColAmount,
			Label:      textToProto(amountLabel),
			Aggregates: amountAggregates,
			Currency:   d.Currency,
		}},
	}
	if d.Licence != (mizan.Licence{}) {
		pd.Licence = &mizanv1.Licence{Name: d.Licence.Name, Url: d.Licence.URL}
	}
	for i := range d.Versions {
		pd.Versions = append(pd.Versions, versionToProto(&d.Versions[i]))
	}
	for i := range v.Dimensions {
		pd.Dimensions = append(pd.Dimensions, dimensionToProto(&v.Dimensions[i]))
	}
	for i := range v.Sources {
		pd.Sources = append(pd.Sources, sourceToProto(&v.Sources[i]))
	}
	return pd
}

func memberToProto(m *mizan.Member, lang string) *mizanv1.Member {
	return &mizanv1.Member{
		Key:        m.Key,
		Parent:     m.Parent,
		Label:      m.Label.Get(lang),
		Labels:     textToProto(m.Label),
		ChildCount: m.Children,
	}
}

// sourceIndex finds a version's source files by id.
type sourceIndex map[int]*mizan.SourceFile

func newSourceIndex(v *mizan.Version) sourceIndex {
	idx := make(sourceIndex, len(v.Sources))
	for i := range v.Sources {
		idx[v.Sources[i].ID] = &v.Sources[i]
	}
	return idx
}

// file returns the name and sheet of source id, or a placeholder naming the
// id when the catalog does not list it.
func (idx sourceIndex) file(id int) (name, sheet string) {
	if s, ok := idx[id]; ok {
		return s.Name, s.Sheet
	}
	return fmt.Sprintf("source %d", id), ""
}

func rejectToProto(idx sourceIndex, r *store.Reject) *mizanv1.Reject {
	file, sheet := idx.file(r.SourceID)
	return &mizanv1.Reject{File: file, Sheet: sheet, Row: r.SourceRow, Column: r.Column, Raw: r.Raw, Reason: r.Reason}
}

func reconciliationToProto(idx sourceIndex, m *store.Mismatch) *mizanv1.ReconciliationCheck {
	file, sheet := idx.file(m.SourceID)
	return &mizanv1.ReconciliationCheck{
		File: file, Sheet: sheet, Row: m.SourceRow, Scope: m.Scope,
		Published: m.Published, Computed: m.Computed, Matches: m.Matches,
	}
}

// summaryToProto turns a stored ingest summary into a Struct. A summary that
// is not a JSON object (or is empty) becomes nil.
func summaryToProto(raw json.RawMessage) (*structpb.Struct, error) {
	var m map[string]any
	if len(raw) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		var anything any
		if json.Unmarshal(raw, &anything) == nil {
			return nil, nil // valid JSON, just not an object
		}
		return nil, fmt.Errorf("decode ingest summary: %w", err)
	}
	if m == nil {
		return nil, nil
	}
	s, err := structpb.NewStruct(m)
	if err != nil {
		return nil, fmt.Errorf("convert ingest summary: %w", err)
	}
	return s, nil
}
