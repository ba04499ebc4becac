package rpc

import (
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// FuzzPageToken feeds client-made page tokens to both decoders: they never
// panic, refuse what they cannot read with an InvalidArgument naming
// page_token, and give back exactly what the encoders put in.
func FuzzPageToken(f *testing.F) {
	req := &mizanv1.FactsRequest{Dataset: "d", PageSize: 10, Cuts: []*mizanv1.Cut{{Dimension: "year", Values: []string{"2024"}}}}
	search := &mizanv1.SearchContractsRequest{Query: "roads"}
	tok, _ := encodePageToken(req, page{Offset: 20, Version: 3})
	stok, _ := encodeSearchToken(search, 40, []contracts.VersionRef{{Dataset: "c", Version: 2}})
	for _, s := range []string{"", tok, stok, "AQ", "Ag", "AQAA", "____", tok + "A", stok[:len(stok)-1]} {
		f.Add(s, uint32(0), uint32(0))
	}
	f.Fuzz(func(t *testing.T, token string, offset, version uint32) {
		for _, dec := range []func() error{
			func() error { _, err := decodePageToken(req, token); return err },
			func() error { _, _, err := decodeSearchToken(search, token); return err },
		} {
			if err := dec(); err != nil {
				if mizan.ErrorCode(err) != mizan.EINVALID {
					t.Fatalf("token %q: %v is not a client error", token, err)
				}
			}
		}
		// Round trip: what is encoded decodes unchanged, within the bounds.
		p := page{Offset: int(offset % (1 << 30)), Version: int(version%(1<<31-1)) + 1}
		enc, err := encodePageToken(req, p)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decodePageToken(req, enc); err != nil || got != p {
			t.Fatalf("round trip of %+v: %+v, %v", p, got, err)
		}
		refs := []contracts.VersionRef{{Dataset: "contracts-a", Version: p.Version}}
		senc, err := encodeSearchToken(search, p.Offset, refs)
		if err != nil {
			t.Fatal(err)
		}
		off, got, err := decodeSearchToken(search, senc)
		if err != nil || off != p.Offset || len(got) != 1 || got[0] != refs[0] {
			t.Fatalf("search round trip of %d %+v: %d %+v, %v", p.Offset, refs, off, got, err)
		}
	})
}
