// Package datasets ships the descriptors of the real public datasets Mizan
// knows how to read (one YAML file each, with source URLs and sha256s), and,
// in package synth, the generator of the bundled synthetic demo.
package datasets

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml
var descriptors embed.FS

// FS returns the embedded descriptors, one "ID.yaml" each.
func FS() fs.FS { return descriptors }

// IDs lists the ids of the embedded descriptors, sorted.
func IDs() []string {
	entries, _ := descriptors.ReadDir(".")
	var ids []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			ids = append(ids, name)
		}
	}
	sort.Strings(ids)
	return ids
}
