package synth

import (
	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest"
)

// Licence of the generated data.
var licence = mizan.Licence{Name: "CC0-1.0", URL: "https://creativecommons.org/publicdomain/zero/1.0/"}

var publisher = mizan.Text{"en": "Mizan demo data generator", "ar": "مولّد البيانات التجريبية في ميزان"}

// Descriptor returns the descriptor of the budget dataset that WriteCSV
// generates for cfg. Its one source is named FileName(cfg).
func Descriptor(cfg Config) *ingest.Descriptor {
	cfg = cfg.normalized()
	d := &ingest.Descriptor{
		ID:    cfg.ID,
		Kind:  mizan.KindBudget,
		Title: mizan.Text{"en": "Demo State Budget (synthetic)", "ar": "ميزانية دولة تجريبية (بيانات اصطناعية)"},
		Description: mizan.Text{
			"en": "Generated, fictional data for demonstration and testing. The state, its ministries, governorates and every figure are invented; the amounts are in " + cfg.Currency + " only so that three-decimal money is exercised, and describe no real country.",
			"ar": "بيانات مولّدة وخيالية لأغراض العرض والاختبار. الدولة ووزاراتها ومحافظاتها وجميع الأرقام مختلقة؛ والمبالغ بعملة " + cfg.Currency + " فقط لاختبار المبالغ ذات المنازل العشرية الثلاث، ولا تصف أي دولة حقيقية.",
		},
		Publisher: publisher,
		Country:   cfg.Country,
		Currency:  cfg.Currency,
		Language:  "ar",
		Licence:   licence,
		Synthetic: true,
		Decimals:  ptr(int32(3)),
	}
	mapping := ingest.Mapping{
		Year:       &ingest.Field{Column: colYear},
		Phase:      &ingest.Field{Column: colPhase},
		Direction:  &ingest.Field{Column: colDirection},
		Currency:   &ingest.Field{Value: cfg.Currency},
		Amount:     &ingest.Field{Column: colAmount},
		Dimensions: map[string][]ingest.LevelMapping{},
	}
	for _, dim := range dimensions {
		spec := dim.spec
		spec.Label = copyText(spec.Label)
		var lms []ingest.LevelMapping
		for _, l := range dim.levels {
			spec.Levels = append(spec.Levels, ingest.LevelSpec{ID: l.id, Label: copyText(l.label)})
			lm := ingest.LevelMapping{Level: l.id, Code: l.codeColumn()}
			if !cfg.CodesOnly {
				lm.Label = l.arColumn()
				lm.Labels = map[string]string{"ar": l.arColumn(), "en": l.enColumn()}
			}
			lms = append(lms, lm)
		}
		d.Dimensions = append(d.Dimensions, spec)
		mapping.Dimensions[spec.ID] = lms
	}
	d.Sources = []ingest.SourceSpec{{
		Name:      FileName(cfg),
		Format:    "csv",
		Encoding:  "utf-8",
		Delimiter: ",",
		HeaderRow: 1,
		Number:    ingest.NumberSpec{Decimal: "."},
		Empty:     "reject",
		Mapping:   mapping,
	}}
	if cfg.CodesOnly {
		d.Labels = Labels(cfg)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

func copyText(t mizan.Text) mizan.Text {
	out := make(mizan.Text, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}
