package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mizan-budget/mizan"
)

// MaxDescriptorBytes bounds the size of a descriptor file. Descriptors
// carry label tables (the 100M-row synthetic one has about 9 MB of
// Arabic and English labels), so the bound is generous.
const MaxDescriptorBytes = 64 << 20

// Load reads and validates a descriptor: YAML or JSON, or a Fiscal Data
// Package's datapackage.json. Unknown fields are errors that name the field
// and its line. When the descriptor names a Package, that package supplies
// the defaults and every field the descriptor sets itself wins.
func Load(path string) (*Descriptor, error) {
	dir := filepath.Dir(path)
	if strings.EqualFold(filepath.Base(path), "datapackage.json") {
		d, err := loadDataPackage(path)
		if err != nil {
			return nil, fmt.Errorf("read data package %s: %w", path, err)
		}
		if d.dir == "" {
			d.dir = dir
		}
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("data package %s: %w", path, err)
		}
		return d, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read descriptor: %w", err)
	}
	if st.Size() > MaxDescriptorBytes {
		return nil, mizan.Errorf(mizan.EINVALID, "descriptor %s is %d bytes, more than the %d allowed", path, st.Size(), MaxDescriptorBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read descriptor: %w", err)
	}
	d, err := Parse(data, dir)
	if err != nil {
		return nil, fmt.Errorf("descriptor %s: %w", path, err)
	}
	return d, nil
}

// Parse decodes and validates a descriptor held in memory; dir is the
// directory its source names (and Package) are relative to.
func Parse(data []byte, dir string) (*Descriptor, error) {
	if len(data) > MaxDescriptorBytes {
		return nil, mizan.Errorf(mizan.EINVALID, "descriptor is %d bytes, more than the %d allowed", len(data), MaxDescriptorBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		// JSON is YAML, except that YAML refuses tabs as indentation.
		data = untabJSON(data)
	}
	var d Descriptor
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, describeYAMLError(err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded above; the node only gives line numbers
	d.dir = dir
	if d.Package != "" {
		if err := checkRelPath(d.Package); err != nil {
			return nil, mizan.FieldErrorf("package", "%v", err)
		}
		base, err := loadDataPackage(filepath.Join(dir, filepath.FromSlash(d.Package)))
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", d.Package, err)
		}
		// The package's sources are relative to the package.
		if pkgDir := path.Dir(d.Package); pkgDir != "." {
			for i := range base.Sources {
				if base.Sources[i].Name != "" {
					base.Sources[i].Name = path.Join(pkgDir, base.Sources[i].Name)
				}
			}
		}
		overlay(base, &d)
		base.dir = dir
		d = *base
	}
	if err := d.validate(lineIndex(&root)); err != nil {
		return nil, err
	}
	return &d, nil
}

// overlay copies every field own sets onto base.
func overlay(base, own *Descriptor) {
	bv, ov := reflect.ValueOf(base).Elem(), reflect.ValueOf(own).Elem()
	for i := 0; i < ov.NumField(); i++ {
		if !ov.Type().Field(i).IsExported() {
			continue
		}
		if f := ov.Field(i); !f.IsZero() {
			bv.Field(i).Set(f)
		}
	}
}

// untabJSON replaces tabs that indent lines of a JSON document by spaces.
// Tabs inside JSON strings must be escaped, so this never changes a value.
func untabJSON(data []byte) []byte {
	if !bytes.Contains(data, []byte("\t")) {
		return data
	}
	out := make([]byte, 0, len(data))
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		i := 0
		for i < len(line) && (line[i] == '\t' || line[i] == ' ') {
			out = append(out, ' ')
			i++
		}
		out = append(out, bytes.ReplaceAll(line[i:], []byte("\t"), []byte(" "))...)
	}
	return out
}

var unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.+) not found in type ingest\.(\w+)$`)

var sectionNames = map[string]string{
	"Descriptor": "the dataset", "DimensionSpec": "a dimension", "LevelSpec": "a level",
	"SourceSpec": "a source", "NumberSpec": "number", "Mapping": "mapping", "Field": "a field",
	"LevelMapping": "a level mapping", "Unpivot": "unpivot", "RowMatch": "a row match",
}

// describeYAMLError turns the YAML library's errors into plain words.
func describeYAMLError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return mizan.Errorf(mizan.EINVALID, "not a valid descriptor: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		if m := unknownFieldRE.FindStringSubmatch(e); m != nil {
			section := sectionNames[m[3]]
			if section == "" {
				section = m[3]
			}
			msgs = append(msgs, fmt.Sprintf("line %s: unknown field %q in %s", m[1], m[2], section))
			continue
		}
		e = strings.ReplaceAll(e, "mizan.Text", "a text by language (e.g. {en: ..., ar: ...})")
		msgs = append(msgs, e)
	}
	return mizan.Errorf(mizan.EINVALID, "%s", strings.Join(msgs, "; "))
}

// lineIndex maps descriptor paths ("sources[2].mapping.amount") to lines.
func lineIndex(root *yaml.Node) map[string]int {
	idx := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if n == nil {
			return
		}
		if _, ok := idx[path]; !ok {
			idx[path] = n.Line
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				p := key
				if path != "" {
					p = path + "." + key
				}
				idx[p] = n.Content[i].Line
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	walk(root, "")
	return idx
}
