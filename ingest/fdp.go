package ingest

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mizan-budget/mizan"
)

// A Fiscal Data Package (https://specs.frictionlessdata.io/fiscal-data-package/)
// is a Tabular Data Package whose datapackage.json also says what its columns
// mean. Two styles exist and both are read here:
//
//   - v0.3 (OpenSpending): a top-level "model" (or the earlier "mapping") with
//     measures and dimensions made of attributes (fdp_model.go);
//   - v1.0: a "columnType" from the fiscal taxonomy on each field of each
//     resource's schema, plus "extraFields" for constants and wide columns
//     (fdp_columntype.go).
//
// Both are translated into the same intermediate fdpModel and from there into
// a Descriptor with one source per data resource.

// fdpMaxBytes bounds the size of a datapackage.json.
const fdpMaxBytes = 16 << 20

// loadDataPackage reads a datapackage.json and translates its model into a
// Descriptor whose sources are the package's data resources, with names
// relative to the directory of the JSON file.
func loadDataPackage(path string) (*Descriptor, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read data package: %w", err)
	}
	if st.Size() > fdpMaxBytes {
		return nil, mizan.Errorf(mizan.EINVALID, "%s is %d bytes, more than the %d a data package descriptor may have", filepath.Base(path), st.Size(), fdpMaxBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read data package: %w", err)
	}
	return translateDataPackageFile(filepath.Base(path), data, filepath.Dir(path))
}

// translateDataPackage translates the text of a datapackage.json; dir is the
// directory its resource paths are relative to.
func translateDataPackage(data []byte, dir string) (*Descriptor, error) {
	return translateDataPackageFile("datapackage.json", data, dir)
}

func translateDataPackageFile(file string, data []byte, dir string) (*Descriptor, error) {
	e := fdpErrors{file: file}
	root, err := fdpParse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, mizan.Errorf(mizan.EINVALID, "%s", err))
	}
	if root.kind != fdpObject {
		return nil, e.at("", "a data package is a JSON object, not %s", root.kind)
	}
	t := &fdpTranslator{e: e, root: root}
	d, err := t.translate()
	if err != nil {
		return nil, err
	}
	d.SetDir(dir)
	return d, nil
}

// fdpTranslator holds the state of one translation.
type fdpTranslator struct {
	e         fdpErrors
	root      *fdpValue
	lang      string // language of the package's texts; "en" when unknown
	resources []*fdpResource
	model     fdpModel
}

// fdpResource is one tabular resource of the package.
type fdpResource struct {
	index  int
	name   string
	v      *fdpValue
	paths  []string // local paths (relative to the package) or URLs
	format string   // csv, tsv or xlsx; "" when the resource is not tabular data Mizan reads
	sha256 string
	encode string
	delim  string
	// fields are the schema's fields by name; nil when there is no schema.
	fields     map[string]*fdpField
	fieldOrder []string
}

// fdpField is one field of a resource's schema.
type fdpField struct {
	v        *fdpValue
	name     string
	typ      string
	format   string
	decimal  string
	group    string
	resource *fdpResource
}

// fdpModel is what either style of package says, before it becomes sources.
type fdpModel struct {
	measures []*fdpMeasure
	dims     []*fdpDim
	// cols are the canonical fields taken from columns, by field name (year,
	// period, date, phase, direction, currency, measure); several entries
	// when resources name the column differently.
	cols map[string][]*fdpColumn
	// yearConst is the year of a one-year fiscalPeriod, used when nothing
	// else gives a year.
	yearConst string
}

// col returns the column of a canonical field that applies to resource r
// (r nil: any).
func (m *fdpModel) col(field string, r *fdpResource) *fdpColumn {
	for _, c := range m.cols[field] {
		if r == nil || c.resource == nil || c.resource == r {
			return c
		}
	}
	return nil
}

// add records the column of a canonical field.
func (m *fdpModel) add(field string, c *fdpColumn) {
	if m.cols == nil {
		m.cols = map[string][]*fdpColumn{}
	}
	m.cols[field] = append(m.cols[field], c)
}

// fdpColumn is a column of a resource (resource nil: any data resource).
type fdpColumn struct {
	column   string
	resource *fdpResource
	format   string
	path     string
}

// fdpMeasure is one amount column.
type fdpMeasure struct {
	name      string
	column    string
	resource  *fdpResource
	path      string
	currency  string
	factor    string
	direction string
	phase     string
	year      string
	kind      string // value of the measure field when unpivoting into measure
	decimal   string
	group     string
}

// fdpDim is one classification or attribute dimension.
type fdpDim struct {
	spec     DimensionSpec
	levels   []LevelMapping
	columns  []*fdpColumn // every column the levels read, for resource checks
	resource *fdpResource
	path     string
}

func (t *fdpTranslator) text(s string) mizan.Text {
	if s == "" {
		return nil
	}
	return mizan.Text{t.lang: s}
}

var fdpLangRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

func (t *fdpTranslator) translate() (*Descriptor, error) {
	e, root := t.e, t.root
	d := &Descriptor{Kind: mizan.KindBudget}

	// Language first: every text is keyed by it.
	t.lang = "en"
	langs, err := e.strings(root, "language")
	if err != nil {
		return nil, err
	}
	if len(langs) == 0 {
		if langs, err = e.strings(root, "languages"); err != nil {
			return nil, err
		}
	}
	if len(langs) > 0 && langs[0] != "" {
		l := strings.ToLower(langs[0])
		if !fdpLangRE.MatchString(l) {
			return nil, e.at(root.childPath("language"), "%q is not a language tag", langs[0])
		}
		t.lang, d.Language = l, l
	}

	name, err := e.str(root, "name")
	if err != nil {
		return nil, err
	}
	title, err := e.str(root, "title")
	if err != nil {
		return nil, err
	}
	d.ID = fdpDatasetID(name)
	if d.ID == "" {
		d.ID = fdpDatasetID(title)
	}
	if d.ID == "" {
		return nil, e.at(root.childPath("name"), "the package needs a name that can become a dataset id (latin letters, digits, hyphens), have %q", name)
	}
	if title == "" {
		title = name
	}
	d.Title = t.text(title)
	desc, err := e.str(root, "description")
	if err != nil {
		return nil, err
	}
	d.Description = t.text(desc)
	if d.Publisher, err = t.publisher(); err != nil {
		return nil, err
	}
	country, err := e.str(root, "countryCode")
	if err != nil {
		return nil, err
	}
	if country != "" {
		c := strings.ToUpper(country)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return nil, e.at(root.childPath("countryCode"), "%q is not an ISO 3166-1 alpha-2 code", country)
		}
		d.Country = c
	}
	if d.Homepage, err = e.str(root, "homepage"); err != nil {
		return nil, err
	}
	if d.Licence, err = t.licence(); err != nil {
		return nil, err
	}
	granularity, err := e.str(root, "granularity")
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(granularity, "transactional") {
		d.Kind = mizan.KindPayments
	}
	if _, err := e.str(root, "profile"); err != nil { // any profile is accepted; only its type is checked
		return nil, err
	}

	if err := t.readResources(); err != nil {
		return nil, err
	}
	styleV1 := false
	for _, r := range t.resources {
		for _, f := range r.fields {
			if !f.v.get("columnType").isNull() {
				styleV1 = true
			}
		}
	}
	model, err := e.object(root, "model")
	if err != nil {
		return nil, err
	}
	if model == nil {
		if model, err = e.object(root, "mapping"); err != nil {
			return nil, err
		}
	}
	switch {
	case model != nil && !model.get("measures").isNull():
		err = t.readModel(model)
	case styleV1:
		err = t.readColumnTypes()
	case model != nil:
		return nil, e.at(model.childPath("measures"), "no measures: the model names no amount column")
	default:
		return nil, e.at("", "not a Fiscal Data Package: no \"model\", no \"mapping\" and no field with a \"columnType\"")
	}
	if err != nil {
		return nil, err
	}
	if err := t.fiscalPeriod(); err != nil {
		return nil, err
	}
	if err := t.build(d); err != nil {
		return nil, err
	}
	return d, nil
}

// publisher reads "publisher" (a string or {name|title}) or the first
// contributor whose role is publisher.
func (t *fdpTranslator) publisher() (mizan.Text, error) {
	e, root := t.e, t.root
	if p := root.get("publisher"); !p.isNull() {
		switch p.kind {
		case fdpString:
			return t.text(strings.TrimSpace(p.str)), nil
		case fdpObject:
			for _, k := range []string{"title", "name"} {
				s, err := e.str(p, k)
				if err != nil {
					return nil, err
				}
				if s != "" {
					return t.text(s), nil
				}
			}
			return nil, nil
		default:
			return nil, e.at(p.path, "want a string or an object, have %s", p.kind)
		}
	}
	contributors, err := e.array(root, "contributors")
	if err != nil {
		return nil, err
	}
	for _, c := range contributors {
		if c.kind != fdpObject {
			continue
		}
		role, err := e.str(c, "role")
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(role, "publisher") {
			continue
		}
		s, err := e.str(c, "title")
		if err != nil {
			return nil, err
		}
		if s == "" {
			if s, err = e.str(c, "name"); err != nil {
				return nil, err
			}
		}
		return t.text(s), nil
	}
	return nil, nil
}

// licence reads licenses[0] (Data Package v1) or the older "license".
func (t *fdpTranslator) licence() (mizan.Licence, error) {
	e, root := t.e, t.root
	var lic mizan.Licence
	v := root.get("licenses")
	if v.isNull() {
		v = root.get("license")
	}
	if v.isNull() {
		return lic, nil
	}
	if v.kind == fdpArray {
		if len(v.arr) == 0 {
			return lic, nil
		}
		v = v.arr[0]
	}
	switch v.kind {
	case fdpString:
		s := strings.TrimSpace(v.str)
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
			lic.URL = s
		} else {
			lic.Name = s
		}
		return lic, nil
	case fdpObject:
		var err error
		if lic.Name, err = e.str(v, "title"); err != nil {
			return lic, err
		}
		name, err := e.str(v, "name")
		if err != nil {
			return lic, err
		}
		if name == "" {
			if name, err = e.str(v, "type"); err != nil { // Data Package v1.0-beta
				return lic, err
			}
		}
		if lic.Name == "" {
			lic.Name = name
		}
		if lic.URL, err = e.str(v, "path"); err != nil {
			return lic, err
		}
		if lic.URL == "" {
			if lic.URL, err = e.str(v, "url"); err != nil {
				return lic, err
			}
		}
		return lic, nil
	}
	return lic, e.at(v.path, "want a licence object or string, have %s", v.kind)
}

var fdpSHA256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// readResources reads every resource: name, paths, format, dialect, hash
// and schema fields.
func (t *fdpTranslator) readResources() error {
	e := t.e
	resources, err := e.array(t.root, "resources")
	if err != nil {
		return err
	}
	if len(resources) == 0 {
		return e.at(t.root.childPath("resources"), "the package has no resources")
	}
	names := map[string]bool{}
	for i, rv := range resources {
		if rv.kind != fdpObject {
			return e.at(rv.path, "want a resource object, have %s", rv.kind)
		}
		r := &fdpResource{index: i, v: rv}
		if r.name, err = e.str(rv, "name"); err != nil {
			return err
		}
		if r.name == "" {
			r.name = fmt.Sprintf("resource%d", i+1)
		}
		if names[r.name] {
			return e.at(rv.childPath("name"), "two resources are named %q", r.name)
		}
		names[r.name] = true
		paths, err := e.strings(rv, "path")
		if err != nil {
			return err
		}
		if len(paths) == 0 {
			if paths, err = e.strings(rv, "url"); err != nil { // Data Package v1.0-beta
				return err
			}
		}
		for j, p := range paths {
			pp := rv.childPath("path")
			if len(paths) > 1 {
				pp = fmt.Sprintf("%s[%d]", pp, j)
			}
			if p == "" {
				return e.at(pp, "empty path")
			}
			if fdpIsURL(p) {
				continue
			}
			if strings.Contains(p, "\\") || path.IsAbs(p) || filepath.IsAbs(p) {
				return e.at(pp, "%q: resource paths must be relative, with forward slashes", p)
			}
			if c := path.Clean(p); c == ".." || strings.HasPrefix(c, "../") {
				return e.at(pp, "%q points outside the package", p)
			}
		}
		r.paths = paths
		format, err := e.str(rv, "format")
		if err != nil {
			return err
		}
		mediatype, err := e.str(rv, "mediatype")
		if err != nil {
			return err
		}
		r.format = fdpFormat(format, mediatype, paths)
		if r.encode, err = e.str(rv, "encoding"); err != nil {
			return err
		}
		r.encode = strings.ToLower(r.encode)
		if dialect, err := e.object(rv, "dialect"); err != nil {
			return err
		} else if dialect != nil {
			if r.delim, err = e.char(dialect, "delimiter"); err != nil {
				return err
			}
		}
		hash, err := e.str(rv, "hash")
		if err != nil {
			return err
		}
		if h, ok := strings.CutPrefix(strings.ToLower(hash), "sha256:"); ok {
			if !fdpSHA256RE.MatchString(h) {
				return e.at(rv.childPath("hash"), "%q is not a sha256 digest", hash)
			}
			r.sha256 = h
		}
		if err := t.readSchema(r); err != nil {
			return err
		}
		t.resources = append(t.resources, r)
	}
	return nil
}

func fdpIsURL(p string) bool {
	u, err := url.Parse(p)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// fdpFormat returns the format Mizan reads a resource in, from its format,
// media type or file name; "" when it is none of csv, tsv and xlsx.
func fdpFormat(format, mediatype string, paths []string) string {
	switch strings.ToLower(format) {
	case "csv", "text/csv":
		return "csv"
	case "tsv", "tab":
		return "tsv"
	case "xlsx":
		return "xlsx"
	case "":
	default:
		return ""
	}
	switch strings.ToLower(mediatype) {
	case "text/csv":
		return "csv"
	case "text/tab-separated-values":
		return "tsv"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return "xlsx"
	}
	if len(paths) == 0 {
		return ""
	}
	p := strings.ToLower(paths[0])
	if u, err := url.Parse(p); err == nil && fdpIsURL(p) {
		p = u.Path
	}
	for _, suffix := range []string{".gz", ".zip"} {
		p = strings.TrimSuffix(p, suffix)
	}
	switch path.Ext(p) {
	case ".csv":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	case ".xlsx":
		return "xlsx"
	}
	return ""
}

// readSchema reads a resource's schema fields.
func (t *fdpTranslator) readSchema(r *fdpResource) error {
	e := t.e
	schema, err := e.object(r.v, "schema")
	if err != nil || schema == nil {
		return err
	}
	fields, err := e.array(schema, "fields")
	if err != nil {
		return err
	}
	r.fields = map[string]*fdpField{}
	for _, fv := range fields {
		if fv.kind != fdpObject {
			return e.at(fv.path, "want a field object, have %s", fv.kind)
		}
		f, err := t.readField(fv, r)
		if err != nil {
			return err
		}
		if _, dup := r.fields[f.name]; dup {
			return e.at(fv.childPath("name"), "two fields of resource %q are named %q", r.name, f.name)
		}
		r.fields[f.name] = f
		r.fieldOrder = append(r.fieldOrder, f.name)
	}
	return nil
}

func (t *fdpTranslator) readField(fv *fdpValue, r *fdpResource) (*fdpField, error) {
	e := t.e
	f := &fdpField{v: fv, resource: r}
	var err error
	// Field names are column headers: keep them exactly (only a number is
	// turned into its literal).
	switch n := fv.get("name"); {
	case n.isNull():
		return nil, e.at(fv.childPath("name"), "a field needs a name")
	case n.kind == fdpString || n.kind == fdpNumber:
		f.name = n.str
	default:
		return nil, e.at(n.path, "want a string, have %s", n.kind)
	}
	if f.name == "" {
		return nil, e.at(fv.childPath("name"), "a field needs a name")
	}
	if f.typ, err = e.str(fv, "type"); err != nil {
		return nil, err
	}
	f.typ = strings.ToLower(f.typ)
	if f.format, err = e.str(fv, "format"); err != nil {
		return nil, err
	}
	if f.decimal, err = e.char(fv, "decimalChar"); err != nil {
		return nil, err
	}
	if f.group, err = e.char(fv, "groupChar"); err != nil {
		return nil, err
	}
	return f, nil
}

// resource returns the resource named name.
func (t *fdpTranslator) resource(name string) *fdpResource {
	for _, r := range t.resources {
		if r.name == name {
			return r
		}
	}
	return nil
}

// fdpDateFormat turns a Table Schema date format ("%d/%m/%Y", "fmt:%Y-%m-%d",
// "default", "any") into a Mizan one ("d/m/Y"); "" means detect.
func fdpDateFormat(format string) (string, error) {
	format = strings.TrimPrefix(strings.TrimSpace(format), "fmt:")
	switch strings.ToLower(format) {
	case "", "default", "any", "iso", "iso8601":
		return "", nil
	}
	if !strings.Contains(format, "%") {
		return "", fmt.Errorf("%q is not a date format (want strftime directives such as %%d/%%m/%%Y)", format)
	}
	// A time of day after the date ("%Y-%m-%dT%H:%M:%S") is not kept.
	date := format
	if i := strings.Index(format, "%H"); i > 0 {
		date = strings.TrimRight(format[:i], " T")
	}
	var b strings.Builder
	for i := 0; i < len(date); i++ {
		c := date[i]
		if c != '%' {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
				return "", fmt.Errorf("date format %q: literal letter %q is not supported", format, c)
			}
			b.WriteByte(c)
			continue
		}
		if i+1 == len(date) {
			return "", fmt.Errorf("date format %q ends in %%", format)
		}
		i++
		switch date[i] {
		case 'Y', 'm', 'd', 'y':
			b.WriteByte(date[i])
		default:
			return "", fmt.Errorf("date format %q: directive %%%c is not supported", format, date[i])
		}
	}
	return b.String(), nil
}

// fiscalPeriod gives every fact the year of the package's fiscalPeriod when
// nothing else sets a year and the period spans at most one year.
func (t *fdpTranslator) fiscalPeriod() error {
	e := t.e
	fp, err := e.object(t.root, "fiscalPeriod")
	if err != nil {
		if v := t.root.get("fiscalPeriod"); v != nil && v.kind == fdpString {
			return nil // an old free-text period: nothing to use
		}
		return err
	}
	if fp == nil {
		return nil
	}
	var start, end time.Time
	for _, k := range []string{"start", "end"} {
		s, err := e.str(fp, k)
		if err != nil {
			return err
		}
		if s == "" {
			continue
		}
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return e.at(fp.childPath(k), "%q is not a date (YYYY-MM-DD)", s)
		}
		if k == "start" {
			start = tm
		} else {
			end = tm
		}
	}
	if start.IsZero() {
		return nil
	}
	if !end.IsZero() && end.Before(start) {
		return e.at(fp.childPath("end"), "the fiscal period ends before it starts")
	}
	m := &t.model
	if m.col("year", nil) != nil || m.col("date", nil) != nil {
		return nil
	}
	for _, ms := range m.measures {
		if ms.year != "" {
			return nil
		}
	}
	// One year: [start, start + 1 year], allowing an end on the next
	// fiscal year's first day.
	if end.IsZero() || !end.After(start.AddDate(1, 0, 0)) {
		m.yearConst = fmt.Sprint(start.Year())
	}
	return nil
}
