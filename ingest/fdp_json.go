package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
)

// fdpValue is a decoded JSON value that keeps the order of object keys:
// a Fiscal Data Package lists dimensions and attributes in display order, and
// Go maps would lose it. Every value remembers its JSON path for errors.
type fdpValue struct {
	kind fdpKind
	path string
	str  string // string value, or the literal of a number
	b    bool
	keys []string // object keys in document order (first occurrence)
	obj  map[string]*fdpValue
	arr  []*fdpValue
}

type fdpKind byte

const (
	fdpNull fdpKind = iota
	fdpObject
	fdpArray
	fdpString
	fdpNumber
	fdpBool
)

func (k fdpKind) String() string {
	switch k {
	case fdpObject:
		return "an object"
	case fdpArray:
		return "an array"
	case fdpString:
		return "a string"
	case fdpNumber:
		return "a number"
	case fdpBool:
		return "a boolean"
	}
	return "null"
}

// fdpMaxDepth bounds nesting so a hostile file cannot exhaust the stack.
const fdpMaxDepth = 200

// fdpParse decodes one JSON document, keeping object key order.
func fdpParse(data []byte) (*fdpValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := fdpDecode(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: data after the top-level value")
	}
	return v, nil
}

func fdpDecode(dec *json.Decoder, path string, depth int) (*fdpValue, error) {
	if depth > fdpMaxDepth {
		return nil, fmt.Errorf("invalid JSON: nested deeper than %d levels", fdpMaxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("invalid JSON: unexpected end of file")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	v := &fdpValue{path: path}
	switch t := tok.(type) {
	case nil:
		v.kind = fdpNull
	case bool:
		v.kind, v.b = fdpBool, t
	case string:
		v.kind, v.str = fdpString, t
	case json.Number:
		v.kind, v.str = fdpNumber, string(t)
	case json.Delim:
		switch t {
		case '{':
			v.kind, v.obj = fdpObject, map[string]*fdpValue{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("invalid JSON: object key is not a string")
				}
				child, err := fdpDecode(dec, fdpPath(path, key), depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := v.obj[key]; !dup {
					v.keys = append(v.keys, key)
				}
				v.obj[key] = child
			}
		case '[':
			v.kind = fdpArray
			for i := 0; dec.More(); i++ {
				child, err := fdpDecode(dec, fmt.Sprintf("%s[%d]", path, i), depth+1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, child)
			}
		default:
			return nil, fmt.Errorf("invalid JSON: unexpected %q", t)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
	}
	return v, nil
}

// fdpPath appends an object key to a JSON path: plain keys with a dot,
// keys that would be ambiguous in brackets.
func fdpPath(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[]\"") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// childPath is the path of key below v, whether or not v has it.
func (v *fdpValue) childPath(key string) string {
	if v == nil {
		return key
	}
	return fdpPath(v.path, key)
}

// get returns the member key of an object, or nil.
func (v *fdpValue) get(key string) *fdpValue {
	if v == nil || v.kind != fdpObject {
		return nil
	}
	return v.obj[key]
}

// isNull reports whether v is absent or null.
func (v *fdpValue) isNull() bool { return v == nil || v.kind == fdpNull }

// fdpErrors builds errors that name the file and the JSON path at fault.
type fdpErrors struct{ file string }

func (e fdpErrors) at(path, format string, args ...any) error {
	if path == "" {
		return fmt.Errorf("%s: %w", e.file, mizan.Errorf(mizan.EINVALID, format, args...))
	}
	return fmt.Errorf("%s: %w", e.file, mizan.FieldErrorf(path, format, args...))
}

// str returns the string at key (a number is taken as its literal); absent
// or null gives "".
func (e fdpErrors) str(v *fdpValue, key string) (string, error) {
	c := v.get(key)
	if c.isNull() {
		return "", nil
	}
	switch c.kind {
	case fdpString, fdpNumber:
		return strings.TrimSpace(c.str), nil
	}
	return "", e.at(c.path, "want a string, have %s", c.kind)
}

// char returns the string at key untrimmed: a separator may be a space.
func (e fdpErrors) char(v *fdpValue, key string) (string, error) {
	c := v.get(key)
	if c.isNull() {
		return "", nil
	}
	if c.kind != fdpString {
		return "", e.at(c.path, "want a string, have %s", c.kind)
	}
	return c.str, nil
}

// object returns the object at key; absent or null gives nil.
func (e fdpErrors) object(v *fdpValue, key string) (*fdpValue, error) {
	c := v.get(key)
	if c.isNull() {
		return nil, nil
	}
	if c.kind != fdpObject {
		return nil, e.at(c.path, "want an object, have %s", c.kind)
	}
	return c, nil
}

// array returns the array at key; absent or null gives nil.
func (e fdpErrors) array(v *fdpValue, key string) ([]*fdpValue, error) {
	c := v.get(key)
	if c.isNull() {
		return nil, nil
	}
	if c.kind != fdpArray {
		return nil, e.at(c.path, "want an array, have %s", c.kind)
	}
	return c.arr, nil
}

// strings returns the string or array of strings at key.
func (e fdpErrors) strings(v *fdpValue, key string) ([]string, error) {
	c := v.get(key)
	if c.isNull() {
		return nil, nil
	}
	switch c.kind {
	case fdpString, fdpNumber:
		return []string{strings.TrimSpace(c.str)}, nil
	case fdpArray:
		out := make([]string, 0, len(c.arr))
		for _, x := range c.arr {
			if x.kind != fdpString && x.kind != fdpNumber {
				return nil, e.at(x.path, "want a string, have %s", x.kind)
			}
			out = append(out, strings.TrimSpace(x.str))
		}
		return out, nil
	}
	return nil, e.at(c.path, "want a string or an array of strings, have %s", c.kind)
}
