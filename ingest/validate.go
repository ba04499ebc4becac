package ingest

import (
	"errors"
	"fmt"
	"math/big"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// reservedColumns are fact columns a dimension level may not shadow.
var reservedColumns = map[string]bool{
	"row_id": true, mizan.DimYear: true, mizan.DimPeriod: true, mizan.DimDate: true, mizan.DimPhase: true,
	mizan.DimDirection: true, mizan.DimCurrency: true, mizan.DimMeasure: true, "amount": true,
	"source_id": true, "source_row": true,
}

// unpivotTargets are the fields an unpivoted column may set.
var unpivotTargets = []string{mizan.DimYear, mizan.DimPhase, mizan.DimDirection, mizan.DimMeasure, mizan.DimPeriod, mizan.DimCurrency}

// problems collects validation errors with the descriptor line they concern.
type problems struct {
	lines map[string]int
	errs  []error
}

func (p *problems) add(field, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line := p.line(field); line > 0 {
		msg += fmt.Sprintf(" (line %d)", line)
	}
	p.errs = append(p.errs, mizan.FieldErrorf(field, "%s", msg))
}

// line finds the line of field, or of the nearest enclosing field.
func (p *problems) line(field string) int {
	for f := field; f != ""; {
		if l, ok := p.lines[f]; ok {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return 0
}

// Validate checks a descriptor built in code (Load and Parse already did).
func (d *Descriptor) Validate() error { return d.validate(nil) }

func (d *Descriptor) validate(lines map[string]int) error {
	p := &problems{lines: lines}
	if !mizan.ValidDatasetID(d.ID) {
		p.add("id", "%q is not a valid dataset id: lower-case letters, digits and hyphens, starting with a letter, 2 to 63 characters", d.ID)
	}
	switch d.Kind {
	case "", mizan.KindBudget, mizan.KindPayments, mizan.KindSeries, mizan.KindContracts:
	default:
		p.add("kind", "%q is not a dataset kind: budget, payments, series or contracts", d.Kind)
	}
	if len(d.Title) == 0 {
		p.add("title", "a title is required")
	}
	if _, ok := MinorUnits(d.Currency); !ok {
		p.add("currency", "%q is not an ISO 4217 currency code (e.g. BHD, EUR, USD)", d.Currency)
	}
	if d.Decimals != nil && (*d.Decimals < 0 || *d.Decimals > 12) {
		p.add("decimals", "%d decimal places: it must be between 0 and 12", *d.Decimals)
	}
	if d.Precision != 0 && d.Precision != store.DefaultPrecision && d.Precision != store.WidePrecision {
		p.add("precision", "%d digits: precision must be %d (the default) or %d (for single amounts of %d digits or more)", d.Precision, store.DefaultPrecision, store.WidePrecision, store.DefaultPrecision+1)
	}
	if d.Factor != "" {
		if _, err := parseFactor(d.Factor); err != nil {
			p.add("factor", "%v", err)
		}
	}
	if d.RejectThreshold != "" {
		if _, _, err := parseThreshold(d.RejectThreshold); err != nil {
			p.add("reject_threshold", "%v", err)
		}
	}
	dims := map[string]*DimensionSpec{}
	for i := range d.Dimensions {
		dm := &d.Dimensions[i]
		f := fmt.Sprintf("dimensions[%d]", i)
		if !mizan.ValidName(dm.ID) {
			p.add(f+".id", "%q is not a valid dimension id: lower snake_case", dm.ID)
		}
		if dims[dm.ID] != nil {
			p.add(f+".id", "dimension %q is declared twice", dm.ID)
		}
		dims[dm.ID] = dm
		switch dm.Kind {
		case "", mizan.KindClassification, mizan.KindAttribute:
		default:
			p.add(f+".kind", "%q is not a dimension kind: classification or attribute", dm.Kind)
		}
		switch dm.Classification {
		case "", "cofog":
		default:
			p.add(f+".classification", "%q is not a known classification (cofog)", dm.Classification)
		}
		if len(dm.Levels) == 0 {
			p.add(f+".levels", "dimension %q needs at least one level", dm.ID)
		}
		seen := map[string]bool{}
		for j, l := range dm.Levels {
			lf := fmt.Sprintf("%s.levels[%d].id", f, j)
			if !mizan.ValidName(l.ID) {
				p.add(lf, "%q is not a valid level id: lower snake_case", l.ID)
			}
			if seen[l.ID] {
				p.add(lf, "level %q is declared twice in %s", l.ID, dm.ID)
			}
			seen[l.ID] = true
			if col := mizan.ColumnFor(dm.ID, l.ID); reservedColumns[col] {
				p.add(lf, "%s.%s would be stored as column %q, which Mizan uses itself", dm.ID, l.ID, col)
			}
		}
	}
	for ref := range d.Labels {
		dim, level := mizan.SplitRef(ref)
		if _, ok := findLevel(dims[dim], level); !ok {
			p.add("labels."+ref, "labels for %q: no such dimension level (write dimension.level)", ref)
		}
	}
	if d.Package == "" && len(d.Sources) == 0 {
		p.add("sources", "at least one source is required")
	}
	for i := range d.Sources {
		s := mergeSource(d.Defaults, d.Sources[i])
		validateSource(p, d, dims, fmt.Sprintf("sources[%d]", i), &s)
	}
	return errors.Join(p.errs...)
}

// findLevel returns the index of a level of dm ("" = the only level).
func findLevel(dm *DimensionSpec, level string) (int, bool) {
	if dm == nil {
		return 0, false
	}
	if level == "" && len(dm.Levels) == 1 {
		return 0, true
	}
	for i, l := range dm.Levels {
		if l.ID == level {
			return i, true
		}
	}
	return 0, false
}

func validateSource(p *problems, d *Descriptor, dims map[string]*DimensionSpec, f string, s *SourceSpec) {
	if s.Name == "" && s.URL == "" {
		p.add(f, "a source needs a name or a url")
	}
	if s.Name != "" {
		if err := checkRelPath(s.Name); err != nil {
			p.add(f+".name", "%v", err)
		} else if isGlob(s.Name) {
			if _, err := path.Match(s.Name, ""); err != nil {
				p.add(f+".name", "%q is not a valid file pattern", s.Name)
			}
			if s.URL != "" || s.SHA256 != "" {
				p.add(f+".name", "a file pattern cannot have a url or a sha256; list the files one by one")
			}
		}
	}
	if s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") {
		p.add(f+".url", "%q is not an http(s) address", s.URL)
	}
	if s.SHA256 != "" && !isHex64(s.SHA256) {
		p.add(f+".sha256", "%q is not a sha256 (64 hexadecimal digits)", s.SHA256)
	}
	if d.Kind == mizan.KindContracts {
		return // OCDS files: their structure is the standard's, not a mapping's
	}
	switch s.Format {
	case "", "csv", "tsv", "xlsx":
	default:
		p.add(f+".format", "%q is not a format Mizan reads: csv, tsv or xlsx", s.Format)
	}
	if s.Delimiter != "" {
		if _, err := delimiterByte(s.Delimiter); err != nil {
			p.add(f+".delimiter", "%v", err)
		}
	}
	if s.HeaderRow < 0 {
		p.add(f+".header_row", "header_row is 1-based")
	}
	if _, err := numberFormat(s.Number); err != nil {
		p.add(f+".number", "%v", err)
	}
	switch s.Empty {
	case "", "reject", "zero", "skip":
	default:
		p.add(f+".empty", "%q: empty must be reject, zero or skip", s.Empty)
	}
	if s.Member != "" && checkRelPath(s.Member) != nil {
		p.add(f+".member", "%q is not a path inside an archive", s.Member)
	}
	validateMapping(p, d, dims, f+".mapping", &s.Mapping)
}

func validateMapping(p *problems, d *Descriptor, dims map[string]*DimensionSpec, f string, m *Mapping) {
	if m.Amount == nil && m.Unpivot == nil {
		p.add(f+".amount", "say where amounts come from: mapping.amount or mapping.unpivot")
	}
	if m.Amount != nil && m.Unpivot != nil {
		p.add(f+".amount", "amounts come from the unpivoted columns; drop mapping.amount")
	}
	if m.Amount != nil && m.Amount.Column == "" {
		p.add(f+".amount.column", "amount needs a column")
	}
	checkField(p, f+".year", m.Year, mizan.DimYear)
	checkField(p, f+".period", m.Period, mizan.DimPeriod)
	checkField(p, f+".date", m.Date, mizan.DimDate)
	checkField(p, f+".phase", m.Phase, mizan.DimPhase)
	checkField(p, f+".direction", m.Direction, mizan.DimDirection)
	checkField(p, f+".currency", m.Currency, mizan.DimCurrency)
	checkField(p, f+".measure", m.Measure, mizan.DimMeasure)
	if m.Year != nil && m.Year.From != "" {
		if m.Year.From != "date" {
			p.add(f+".year.from", "%q: the year can only be taken from the date", m.Year.From)
		} else if m.Date == nil {
			p.add(f+".year.from", "the year is taken from the date, but no date is mapped")
		}
	}
	for dimID, levels := range m.Dimensions {
		df := f + ".dimensions." + dimID
		dm := dims[dimID]
		if dm == nil {
			p.add(df, "dimension %q is not declared in dimensions", dimID)
			continue
		}
		last := -1
		prefix := map[string]int{}
		for i, lm := range levels {
			lf := fmt.Sprintf("%s[%d]", df, i)
			idx, ok := findLevel(dm, lm.Level)
			if !ok {
				p.add(lf+".level", "%s has no level %q", dimID, lm.Level)
				continue
			}
			if idx <= last {
				p.add(lf+".level", "levels of %s must be mapped once each, top level first", dimID)
			}
			last = idx
			codes := lm.CodeColumns()
			switch {
			case lm.Value != "":
				if len(codes) > 0 || lm.Label != "" || len(lm.Labels) > 0 || lm.Prefix != 0 || len(lm.Map) > 0 {
					p.add(lf+".value", "level %s.%s takes a constant value or columns (code, label, prefix, map), not both", dimID, dm.Levels[idx].ID)
				}
			case len(codes) == 0 && lm.Label == "":
				p.add(lf, "level %s.%s needs a code or a label column, or a value", dimID, dm.Levels[idx].ID)
			}
			if lm.Code != "" && len(lm.Codes) > 0 {
				p.add(lf+".code", "give the code as one column or a list, not both")
			}
			for _, c := range lm.Codes {
				if c == "" {
					p.add(lf+".code", "a composite code lists column names; one is empty")
				}
			}
			if lm.Prefix < 0 {
				p.add(lf+".prefix", "prefix is a number of characters")
			}
			if lm.Prefix > 0 {
				if lm.Code == "" {
					p.add(lf+".prefix", "a prefix needs a single code column")
				} else if prev, ok := prefix[lm.Code]; ok && lm.Prefix <= prev {
					p.add(lf+".prefix", "prefixes must grow from one level to the next (%d after %d)", lm.Prefix, prev)
				}
				prefix[lm.Code] = lm.Prefix
			}
		}
	}
	if u := m.Unpivot; u != nil {
		uf := f + ".unpivot"
		if len(u.Columns) == 0 && u.Pattern == "" {
			p.add(uf, "unpivot needs columns or a pattern")
		}
		if u.Pattern != "" {
			if _, err := regexp.Compile(u.Pattern); err != nil {
				p.add(uf+".pattern", "%q is not a valid regular expression: %v", u.Pattern, err)
			}
		}
		if !slices.Contains(unpivotTargets, u.Into) {
			p.add(uf+".into", "%q: unpivot into year, phase, direction, measure, period or currency", u.Into)
		}
		for col, v := range u.Values {
			if err := checkValue(u.Into, v); err != nil {
				p.add(uf+".values."+col, "%v", err)
			}
		}
		for col, set := range u.Also {
			for k, v := range set {
				if !slices.Contains(unpivotTargets, k) {
					p.add(uf+".also."+col+"."+k, "%q: a column can also set year, phase, direction, measure, period or currency", k)
				} else if err := checkValue(k, v); err != nil {
					p.add(uf+".also."+col+"."+k, "%v", err)
				}
			}
		}
	}
	if m.Totals != nil {
		checkRowMatch(p, f+".totals", *m.Totals)
	}
	for i, s := range m.Skip {
		checkRowMatch(p, fmt.Sprintf("%s.skip[%d]", f, i), s)
	}
}

func checkRowMatch(p *problems, f string, r RowMatch) {
	if r.Match == "" {
		p.add(f+".match", "a row match needs a regular expression")
		return
	}
	if _, err := regexp.Compile(r.Match); err != nil {
		p.add(f+".match", "%q is not a valid regular expression: %v", r.Match, err)
	}
}

func checkField(p *problems, f string, fl *Field, kind string) {
	if fl == nil {
		return
	}
	if fl.Column == "" && fl.Value == "" && fl.From == "" {
		p.add(f, "a field needs a column or a value")
	}
	if fl.Column != "" && fl.Value != "" {
		p.add(f, "a field takes a column or a value, not both")
	}
	if fl.Value != "" {
		v := fl.Value
		if m, ok := fl.Map[v]; ok {
			v = m
		}
		if err := checkValue(kind, v); err != nil {
			p.add(f+".value", "%v", err)
		}
	}
	for raw, v := range fl.Map {
		if err := checkValue(kind, v); err != nil {
			p.add(f+".map."+raw, "%v", err)
		}
	}
	if kind == mizan.DimYear && fl.Format != "" && fl.Format != "end" && fl.Format != "start" {
		p.add(f+".format", "%q: a fiscal year format is start or end", fl.Format)
	}
}

// checkValue checks a constant for a canonical field.
func checkValue(kind, v string) error {
	switch kind {
	case mizan.DimPhase:
		if _, ok := canonicalPhase(v); !ok {
			return fmt.Errorf("%q is not a budget phase: %s", v, strings.Join(mizan.Phases, ", "))
		}
	case mizan.DimDirection:
		if _, ok := canonicalDirection(v); !ok {
			return fmt.Errorf("%q is not a direction: expenditure or revenue", v)
		}
	case mizan.DimCurrency:
		if _, ok := MinorUnits(strings.ToUpper(strings.TrimSpace(v))); !ok {
			return fmt.Errorf("%q is not an ISO 4217 currency code", v)
		}
	case mizan.DimYear:
		if y, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || y < 1000 || y > 9999 {
			return fmt.Errorf("%q is not a year", v)
		}
	}
	return nil
}

// canonicalPhase accepts a phase in any case.
func canonicalPhase(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	return v, slices.Contains(mizan.Phases, v)
}

// canonicalDirection accepts a direction in any case.
func canonicalDirection(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	return v, v == mizan.DirectionExpenditure || v == mizan.DirectionRevenue
}

// checkRelPath refuses names that leave the descriptor's directory.
func checkRelPath(name string) error {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || (len(name) > 1 && name[1] == ':') {
		return fmt.Errorf("%q is an absolute path; name sources relative to the descriptor", name)
	}
	for _, el := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if el == ".." {
			return fmt.Errorf("%q leaves the descriptor's directory (\"..\"); keep sources beside or below it", name)
		}
	}
	if strings.ContainsRune(name, 0) {
		return fmt.Errorf("%q is not a file name", name)
	}
	return nil
}

func isGlob(name string) bool { return strings.ContainsAny(name, "*?[") }

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// parseFactor reads a scale factor: a positive whole number.
func parseFactor(s string) (int64, error) {
	n, ok := new(big.Int).SetString(strings.TrimSpace(s), 10)
	if !ok || n.Sign() <= 0 || !n.IsInt64() {
		return 0, fmt.Errorf("factor %q must be a positive whole number such as 1000", s)
	}
	return n.Int64(), nil
}

// parseThreshold reads "100" (rows) or "2%" (of rows read).
func parseThreshold(s string) (count int64, percent float64, err error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || f > 100 {
			return 0, 0, fmt.Errorf("reject_threshold %q: a share is written like \"2%%\"", s)
		}
		return -1, f, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, 0, fmt.Errorf("reject_threshold %q: write a number of rows (\"100\") or a share (\"2%%\")", s)
	}
	return n, 0, nil
}

// delimiterByte reads a declared delimiter.
func delimiterByte(s string) (byte, error) {
	switch strings.ToLower(s) {
	case "tab", `\t`, "\t":
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	if len(s) == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r' && s[0] < 0x80 {
		return s[0], nil
	}
	return 0, fmt.Errorf("delimiter %q: use one ASCII character such as \",\" \";\" \"|\" or \"tab\"", s)
}

// mergeSource fills a source's unset settings from the defaults.
func mergeSource(def, s SourceSpec) SourceSpec {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	s.Format = pick(s.Format, def.Format)
	s.Member = pick(s.Member, def.Member)
	s.Encoding = pick(s.Encoding, def.Encoding)
	s.Delimiter = pick(s.Delimiter, def.Delimiter)
	s.Empty = pick(s.Empty, def.Empty)
	if len(s.Sheets) == 0 {
		s.Sheets = def.Sheets
	}
	if s.HeaderRow == 0 {
		s.HeaderRow = def.HeaderRow
	}
	s.Number.Decimal = pick(s.Number.Decimal, def.Number.Decimal)
	s.Number.Group = pick(s.Number.Group, def.Number.Group)
	m, dm := &s.Mapping, def.Mapping
	ownAmount, ownUnpivot := m.Amount != nil, m.Unpivot != nil
	for _, fp := range []struct {
		dst **Field
		src *Field
	}{
		{&m.Year, dm.Year}, {&m.Period, dm.Period}, {&m.Date, dm.Date}, {&m.Phase, dm.Phase},
		{&m.Direction, dm.Direction}, {&m.Currency, dm.Currency}, {&m.Measure, dm.Measure},
	} {
		if *fp.dst == nil {
			*fp.dst = fp.src
		}
	}
	if !ownAmount && !ownUnpivot {
		m.Amount, m.Unpivot = dm.Amount, dm.Unpivot
	}
	if len(dm.Dimensions) > 0 {
		dims := map[string][]LevelMapping{}
		for k, v := range dm.Dimensions {
			dims[k] = v
		}
		for k, v := range m.Dimensions {
			dims[k] = v
		}
		m.Dimensions = dims
	}
	if m.Totals == nil {
		m.Totals = dm.Totals
	}
	if m.Skip == nil {
		m.Skip = dm.Skip
	}
	return s
}
