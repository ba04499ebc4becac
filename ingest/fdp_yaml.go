package ingest

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// MarshalDescriptor writes a descriptor as YAML, the form descriptors are
// checked in as under datasets/: it is how a translated Fiscal Data Package
// becomes a descriptor that people can read, review and edit. Maps come out
// with sorted keys, so the output is stable.
func MarshalDescriptor(d *Descriptor) ([]byte, error) {
	if d == nil {
		return nil, errors.New("marshal descriptor: no descriptor")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("marshal descriptor %s: %w", d.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal descriptor %s: %w", d.ID, err)
	}
	return buf.Bytes(), nil
}
