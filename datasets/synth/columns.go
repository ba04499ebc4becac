package synth

import (
	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest"
)

// level is one classification level as it appears in the CSV and the
// descriptor.
type level struct {
	dim, id string
	label   mizan.Text
}

// prefix is the stem of the level's columns: "admin_ministry", or just
// "programme" when the level is named after its dimension.
func (l level) prefix() string {
	if l.id == l.dim {
		return l.dim
	}
	return l.dim + "_" + l.id
}

// Code, Arabic and English label columns of the level.
func (l level) codeColumn() string { return l.prefix() + "_code" }
func (l level) arColumn() string   { return l.prefix() + "_ar" }
func (l level) enColumn() string   { return l.prefix() + "_en" }

type dimension struct {
	spec   ingest.DimensionSpec
	levels []level
}

func lv(dim, id, en, ar string) level {
	return level{dim: dim, id: id, label: mizan.Text{"en": en, "ar": ar}}
}

// dimensions are the dataset's classification and attribute dimensions, in
// display and column order.
var dimensions = []dimension{
	{ingest.DimensionSpec{ID: mizan.DimAdmin, Label: mizan.Text{"en": "Administrative classification", "ar": "التصنيف الإداري"}, Kind: mizan.KindClassification},
		[]level{lv(mizan.DimAdmin, "ministry", "Ministry", "الوزارة"), lv(mizan.DimAdmin, "department", "Department", "الدائرة"), lv(mizan.DimAdmin, "unit", "Unit", "الوحدة")}},
	{ingest.DimensionSpec{ID: mizan.DimFunctional, Label: mizan.Text{"en": "Functional classification (COFOG)", "ar": "التصنيف الوظيفي (COFOG)"}, Kind: mizan.KindClassification, Classification: "cofog"},
		[]level{lv(mizan.DimFunctional, "division", "Division", "القسم"), lv(mizan.DimFunctional, "group", "Group", "المجموعة"), lv(mizan.DimFunctional, "class", "Class", "الفئة")}},
	{ingest.DimensionSpec{ID: mizan.DimEconomic, Label: mizan.Text{"en": "Economic classification", "ar": "التصنيف الاقتصادي"}, Kind: mizan.KindClassification},
		[]level{lv(mizan.DimEconomic, "chapter", "Chapter", "الفصل"), lv(mizan.DimEconomic, "item", "Item", "البند")}},
	{ingest.DimensionSpec{ID: mizan.DimProgramme, Label: mizan.Text{"en": "Programme", "ar": "البرنامج"}, Kind: mizan.KindAttribute},
		[]level{lv(mizan.DimProgramme, mizan.DimProgramme, "Programme", "البرنامج")}},
	{ingest.DimensionSpec{ID: mizan.DimGeo, Label: mizan.Text{"en": "Geography", "ar": "التوزيع الجغرافي"}, Kind: mizan.KindAttribute},
		[]level{lv(mizan.DimGeo, "governorate", "Governorate", "المحافظة")}},
	{ingest.DimensionSpec{ID: mizan.DimFund, Label: mizan.Text{"en": "Source of funding", "ar": "مصدر التمويل"}, Kind: mizan.KindAttribute},
		[]level{lv(mizan.DimFund, mizan.DimFund, "Source of funding", "مصدر التمويل")}},
}

// Fixed CSV columns.
const (
	colYear      = "year"
	colPhase     = "phase"
	colDirection = "direction"
	colAmount    = "amount"
)

// Columns returns the CSV header of the budget file cfg describes: year,
// phase, direction, then for every level its code column and (unless
// CodesOnly) its Arabic and English label columns, then amount.
func Columns(cfg Config) []string {
	cols := []string{colYear, colPhase, colDirection}
	for _, d := range dimensions {
		for _, l := range d.levels {
			cols = append(cols, l.codeColumn())
			if !cfg.CodesOnly {
				cols = append(cols, l.arColumn(), l.enColumn())
			}
		}
	}
	return append(cols, colAmount)
}
