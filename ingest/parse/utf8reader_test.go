package parse

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// TestUTF8ReaderMatchesDecoder checks utf8Reader against x/text's UTF-8
// decoder on random text, valid or not, read in pieces of every size.
func TestUTF8ReaderMatchesDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := [][]byte{[]byte("a"), []byte("é"), []byte("€"), []byte("😀"), []byte("ب"), {0xff}, {0xe2, 0x82}, {0xed, 0xa0, 0x80}, {0xf0, 0x9f}, {0x80}, []byte("\n")}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		var in []byte
		for k := r.IntN(200); k > 0; k-- {
			p := pieces[r.IntN(len(pieces))]
			if r.IntN(4) > 0 {
				p = pieces[r.IntN(5)] // mostly valid
			}
			in = append(in, p...)
		}
		want, err := io.ReadAll(transform.NewReader(bytes.NewReader(in), xunicode.UTF8.NewDecoder()))
		if err != nil {
			t.Fatal(err)
		}
		for _, wrap := range []func(io.Reader) io.Reader{
			func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.HalfReader, iotest.DataErrReader,
		} {
			u := &utf8Reader{r: wrap(bytes.NewReader(in))}
			var got []byte
			buf := make([]byte, 1+r.IntN(40))
			for {
				m, err := u.Read(buf)
				got = append(got, buf[:m]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("input %q: got %q, want %q", in, got, want)
			}
		}
	}
}
