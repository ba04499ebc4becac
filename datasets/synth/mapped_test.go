package synth

import "github.com/mizan-budget/mizan/ingest"

// mappedColumns lists the columns a mapping reads.
func mappedColumns(m ingest.Mapping) []string {
	var cols []string
	for _, f := range []*ingest.Field{m.Year, m.Period, m.Date, m.Phase, m.Direction, m.Currency, m.Measure, m.Amount} {
		if f != nil && f.Column != "" {
			cols = append(cols, f.Column)
		}
	}
	for _, lms := range m.Dimensions {
		for _, lm := range lms {
			for _, c := range []string{lm.Code, lm.Label} {
				if c != "" {
					cols = append(cols, c)
				}
			}
			for _, c := range lm.Labels {
				cols = append(cols, c)
			}
		}
	}
	return cols
}
