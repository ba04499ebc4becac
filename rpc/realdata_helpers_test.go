package rpc_test

// Helpers of the RealData tests: calling the generated clients, exact
// decimal arithmetic and reading exports back.

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/big"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/protobuf/proto"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// must calls a unary RPC of a generated client and fails the test on error.
func must[Req, Resp any](t *testing.T, m func(context.Context, *connect.Request[Req]) (*connect.Response[Resp], error), req *Req) *Resp {
	t.Helper()
	resp, err := m(context.Background(), connect.NewRequest(req))
	if err != nil {
		t.Fatalf("%T: %v", req, err)
	}
	return resp.Msg
}

// wire is the deterministic binary encoding of a message, for byte-for-byte
// comparisons.
func wire(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exportFile runs an export through p and returns its header and the file.
func exportFile(t *testing.T, p protocol, req *mizanv1.ExportRequest) (*mizanv1.ExportHeader, []byte) {
	t.Helper()
	r, err := exportAll(context.Background(), p, req)
	if err != nil {
		t.Fatalf("export through %s: %v", p.name, err)
	}
	if len(r.parts) == 0 || r.parts[0].GetHeader() == nil {
		t.Fatalf("export through %s: the first message is not a header", p.name)
	}
	var data bytes.Buffer
	for i, part := range r.parts[1:] {
		if part.GetHeader() != nil {
			t.Fatalf("export through %s: message %d is a second header", p.name, i+1)
		}
		data.Write(part.GetData())
	}
	return r.parts[0].GetHeader(), data.Bytes()
}

// pow10 returns 10^n.
func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// roundHalfEven renders r rounded half to even to digits decimals.
func roundHalfEven(r *big.Rat, digits int) string {
	scale := pow10(digits)
	num := new(big.Int).Mul(r.Num(), scale)
	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if c := twice.Cmp(r.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(q, scale).FloatString(digits)
}

// csvTable is a parsed CSV export.
type csvTable struct {
	header []string
	rows   [][]string
}

func parseCSVExport(t *testing.T, data []byte) *csvTable {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv export: %v", err)
	}
	if len(recs) == 0 {
		t.Fatal("csv export is empty")
	}
	return &csvTable{header: recs[0], rows: recs[1:]}
}

func (c *csvTable) col(t *testing.T, name string) int {
	t.Helper()
	for i, h := range c.header {
		if h == name {
			return i
		}
	}
	t.Fatalf("csv export has no column %q: %q", name, c.header)
	return -1
}

// sum adds a decimal column up exactly.
func (c *csvTable) sum(t *testing.T, name string) *big.Rat {
	t.Helper()
	i := c.col(t, name)
	s := new(big.Rat)
	for _, r := range c.rows {
		s.Add(s, ratOf(t, r[i]))
	}
	return s
}

// arrowTable is an Arrow IPC export read back with arrow-go's ipc reader:
// decimals as exact rationals, integers and strings as such.
type arrowTable struct {
	schema *arrow.Schema
	cols   map[string][]any
	n      int
}

func readArrowExport(t *testing.T, data []byte) *arrowTable {
	t.Helper()
	rdr, err := ipc.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("arrow export: %v", err)
	}
	defer rdr.Release()
	out := &arrowTable{schema: rdr.Schema(), cols: map[string][]any{}}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for j, f := range rec.Schema().Fields() {
			col := rec.Column(j)
			for i := 0; i < int(rec.NumRows()); i++ {
				var v any
				if !col.IsNull(i) {
					switch c := col.(type) {
					case *array.Decimal128:
						scale := f.Type.(*arrow.Decimal128Type).Scale
						v = new(big.Rat).SetFrac(c.Value(i).BigInt(), pow10(int(scale)))
					case *array.Int64:
						v = c.Value(i)
					case *array.Int32:
						v = int64(c.Value(i))
					case *array.String:
						v = c.Value(i)
					default:
						v = col.ValueStr(i)
					}
				}
				out.cols[f.Name] = append(out.cols[f.Name], v)
			}
		}
		out.n += int(rec.NumRows())
	}
	if err := rdr.Err(); err != nil {
		t.Fatalf("arrow export: %v", err)
	}
	return out
}

// foldArabic is a small, independent folding of the Arabic letter variants
// the search is documented to ignore.
func foldArabic(s string) string {
	r := strings.NewReplacer("أ", "ا", "إ", "ا", "آ", "ا", "ة", "ه", "ى", "ي")
	var b strings.Builder
	for _, c := range r.Replace(s) {
		if c >= 0x064B && c <= 0x0652 { // harakat
			continue
		}
		b.WriteRune(c)
	}
	return strings.ToLower(b.String())
}
