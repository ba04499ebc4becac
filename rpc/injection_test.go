package rpc_test

// No request field is ever spliced into SQL, a path or a command: every
// string field of every RPC of package mizan.v1 (found by reflection over
// the generated descriptors, so services added later are covered) is set,
// one at a time, to hostile values, and sent to a real server over
// loopback holding real data. The server must answer each with a client
// error or a normal answer (never Internal), keep answering, create no
// file, and leave every table and total as it was.

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/flags"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// Dataset ids of the injection server.
const (
	injBudgetID    = "inj-budget"
	injContractsID = "inj-contracts"
)

// injectionFile is where the COPY attempts would write.
const injectionFile = "/tmp/x"

// hostileValues are what every string field is set to.
func hostileValues() []string {
	return []string{
		`'; DROP TABLE datasets; --`,
		`"; DROP TABLE datasets; --`,
		`admin"; DROP TABLE versions; --`,
		`../../etc/passwd`,
		`/etc/passwd`,
		`..\..\windows\win.ini`,
		`read_csv('/etc/passwd')`,
		`x' UNION SELECT * FROM read_text('/etc/passwd') --`,
		`"; COPY (SELECT 1) TO '` + injectionFile + ``,
		`'); COPY (SELECT 1) TO '` + injectionFile + `'; --`,
		`ATTACH '` + injectionFile + `.db' AS x; --`,
		`INSTALL httpfs; LOAD httpfs; --`,
		`' OR 1=1 --`,
		`amount.sum); DROP TABLE tokens; --`,
		`%`, `_`, `*`, `\`,
		"nul\x00byte",
		"\x00",
		strings.Repeat("A", 100<<10),
		"\u202eadmin\u202c",
		"1e400",
		"-9223372036854775809",
	}
}

// injectionEnv is a real server, with every service wired the way `mizan
// serve` wires it, over a database holding the synthetic budget and
// contracts.
type injectionEnv struct {
	db        *store.DB
	url       string
	hc        *http.Client
	token     string // every scope
	uploadDir string
	ocid      string // a contract of the contracts dataset
	entity    string // a party of it
}

func newInjectionEnv(t *testing.T) *injectionEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	descs, fsys, err := synth.Bundle(synth.Config{ID: injBudgetID, Rows: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Ingest(ctx, db, descs[0], ingest.Options{FS: fsys}); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.WriteContracts(ctx, db, synth.ContractsConfig{ID: injContractsID, Processes: 300}); err != nil {
		t.Fatal(err)
	}
	ts := store.NewTokens(db)
	token, _, err := ts.CreateToken(ctx, "injector", store.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	svc := query.NewService(db, query.NewDuckDB(db), query.Options{})
	fl := flags.NewService(db)
	e := &injectionEnv{db: db, token: token, uploadDir: filepath.Join(t.TempDir(), "uploads")}
	srv, err := rpc.NewServer(rpc.Options{
		Catalog: db, Query: svc, Exporter: svc,
		Contracts: contracts.NewService(db, contracts.ServiceOptions{Flags: fl}), Flags: fl,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tokens: ts, Publisher: db, Ingester: testIngester{db: db},
		UploadDir: e.uploadDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.url = serve(t, srv)
	e.hc = h2cClient()
	t.Cleanup(e.hc.CloseIdleConnections)

	// A real contract and party, so requests naming one reach the store.
	cc := mizanv1connect.NewContractServiceClient(e.hc, e.url)
	res, err := cc.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{
		Datasets: []*mizanv1.DatasetVersion{{Id: injContractsID}}, PageSize: 5}))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Msg.GetResults() {
		if e.ocid == "" {
			e.ocid = h.GetOcid()
		}
		for _, s := range h.GetSuppliers() {
			if e.entity == "" {
				e.entity = s.GetEntity()
			}
		}
	}
	if e.ocid == "" || e.entity == "" {
		t.Fatalf("the synthetic contracts have no contract or supplier: %v", res.Msg)
	}
	return e
}

func TestInjection(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of calls")
	}
	_, statErr := os.Stat(injectionFile)
	fileBefore := statErr == nil
	e := newInjectionEnv(t)
	before := dbState(t, e.db)
	// Where a hostile file name would land, joined to the upload directory.
	outside := map[string]bool{}
	for _, v := range hostileValues() {
		if p := filepath.Join(e.uploadDir, v); !strings.HasPrefix(p, e.uploadDir+string(filepath.Separator)) {
			_, err := os.Stat(p)
			outside[p] = err == nil
		}
	}

	services := mizanServices(t)
	if len(services) < 5 {
		t.Fatalf("found %d services in package mizan.v1", len(services))
	}
	ctx := context.Background()
	calls, served := 0, 0
	// A hostile value may be a valid token name ("1e400"): CreateToken then
	// adds a token, the one change to the database a call may make.
	created := 0
	for _, sd := range services {
		for i := 0; i < sd.Methods().Len(); i++ {
			md := sd.Methods().Get(i)
			name := string(sd.FullName()) + "/" + string(md.Name())
			t.Run(name, func(t *testing.T) {
				base := e.baseRequest(sd, md)
				// Without a token: public methods answer, the others refuse.
				code := e.call(ctx, md, "", proto.Clone(base).(*dynamicpb.Message))
				if code == connect.CodeUnimplemented {
					t.Skipf("%s is not served by this server", name)
				}
				served++
				checkCode(t, "no token", code)
				// With the token, the base request is a working one (admin
				// requests name no dataset, so they cannot be).
				baseCode := e.call(ctx, md, e.token, proto.Clone(base).(*dynamicpb.Message))
				admin := strings.HasSuffix(string(sd.FullName()), "AdminService") || md.IsStreamingClient()
				if baseCode != 0 && !admin {
					t.Errorf("the base request %v answers %v", base, baseCode)
				}
				for _, tok := range []string{"", "' OR 1=1 --", "../../etc/passwd", strings.Repeat("A", 8<<10)} {
					code := e.callAuth(ctx, md, "Bearer "+tok, proto.Clone(base).(*dynamicpb.Message))
					checkCode(t, fmt.Sprintf("token %q", tok), code)
				}
				paths := stringPaths(md.Input(), nil, map[protoreflect.FullName]bool{})
				if len(paths) == 0 {
					t.Logf("%s has no string field", md.Input().FullName())
				}
				counts := map[connect.Code]int{}
				for _, p := range paths {
					for _, v := range hostileValues() {
						msg := proto.Clone(base).(*dynamicpb.Message)
						setPath(msg, p, v)
						code := e.call(ctx, md, e.token, msg)
						calls++
						if code == 0 && md.FullName() == "mizan.v1.AdminService.CreateToken" {
							created++
						}
						counts[code]++
						checkCode(t, fmt.Sprintf("%s = %.40q", pathName(p), v), code)
					}
				}
				t.Logf("%d string fields, answers %v", len(paths), counts)
				// The server still answers.
				cat := mizanv1connect.NewCatalogServiceClient(e.hc, e.url)
				if _, err := cat.GetDataset(ctx, connect.NewRequest(&mizanv1.GetDatasetRequest{Dataset: injBudgetID})); err != nil {
					t.Fatalf("the server stopped answering after %s: %v", name, err)
				}
			})
		}
	}
	t.Logf("%d hostile calls to %d served methods", calls, served)

	if _, err := os.Stat(injectionFile); err == nil && !fileBefore {
		t.Errorf("%s was created", injectionFile)
	}
	for p, existed := range outside {
		if _, err := os.Stat(p); err == nil && !existed {
			t.Errorf("a request created %s, outside the upload directory", p)
		}
	}
	tokens := store.Quote("main") + "." + store.Quote("tokens")
	st := before[tokens]
	st.rows += int64(created)
	before[tokens] = st
	if diff := diffStates(before, dbState(t, e.db)); diff != "" {
		t.Errorf("the database changed (%d tokens created):\n%s", created, diff)
	}
}

// checkCode fails on answers only a server bug gives.
func checkCode(t *testing.T, what string, code connect.Code) {
	t.Helper()
	switch code {
	case connect.CodeInternal, connect.CodeUnknown, connect.CodeDataLoss, connect.CodeUnavailable, connect.CodeUnimplemented:
		t.Errorf("%s: answer %v", what, code)
	}
}

// mizanServices lists the services of package mizan.v1.
func mizanServices(t *testing.T) []protoreflect.ServiceDescriptor {
	t.Helper()
	_ = mizanv1.File_mizan_v1_query_proto // the package's files are registered
	var out []protoreflect.ServiceDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage("mizan.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			out = append(out, fd.Services().Get(i))
		}
		return true
	})
	slices.SortFunc(out, func(a, b protoreflect.ServiceDescriptor) int {
		return strings.Compare(string(a.FullName()), string(b.FullName()))
	})
	return out
}

// baseRequest is a valid request of md: the dataset, contract and party
// fields name real ones, so a hostile value in another field reaches as
// far into the server as it can. Admin requests name no dataset, so that
// nothing is published or deleted.
func (e *injectionEnv) baseRequest(sd protoreflect.ServiceDescriptor, md protoreflect.MethodDescriptor) *dynamicpb.Message {
	msg := dynamicpb.NewMessage(md.Input())
	dataset := injBudgetID
	switch {
	case strings.HasSuffix(string(sd.FullName()), "ContractService"):
		dataset = injContractsID
	case strings.HasSuffix(string(sd.FullName()), "AdminService"):
		dataset = "no-such-dataset"
	}
	fields := md.Input().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		str := fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap()
		switch fd.Name() {
		case "dataset":
			if str {
				msg.Set(fd, protoreflect.ValueOfString(dataset))
			} else if fd.Kind() == protoreflect.MessageKind && !fd.IsList() {
				if id := fd.Message().Fields().ByName("id"); id != nil {
					msg.Mutable(fd).Message().Set(id, protoreflect.ValueOfString(dataset))
				}
			}
		case "datasets":
			if fd.IsList() && fd.Kind() == protoreflect.MessageKind {
				if id := fd.Message().Fields().ByName("id"); id != nil {
					l := msg.Mutable(fd).List()
					el := l.NewElement()
					el.Message().Set(id, protoreflect.ValueOfString(dataset))
					l.Append(el)
				}
			}
		case "ocid":
			if str {
				msg.Set(fd, protoreflect.ValueOfString(e.ocid))
			}
		case "entity":
			if str {
				msg.Set(fd, protoreflect.ValueOfString(e.entity))
			}
		case "dimension":
			if str {
				msg.Set(fd, protoreflect.ValueOfString("admin"))
			}
		case "version":
			if dataset == "no-such-dataset" && fd.Kind() == protoreflect.Int32Kind {
				msg.Set(fd, protoreflect.ValueOfInt32(1))
			}
		case "facts", "aggregate":
			// Export: the query is a nested request, in a oneof.
			if fd.Kind() == protoreflect.MessageKind && fd.Name() == "facts" {
				fillDataset(msg.Mutable(fd).Message())
			}
		case "format":
			// CSV: the format every export takes.
			if fd.Kind() == protoreflect.EnumKind {
				if v := fd.Enum().Values().ByName("EXPORT_FORMAT_CSV"); v != nil {
					msg.Set(fd, protoreflect.ValueOfEnum(v.Number()))
				}
			}
		}
	}
	return msg
}

// fieldPath is a chain of fields from a request down to a string field.
type fieldPath []protoreflect.FieldDescriptor

func pathName(p fieldPath) string {
	names := make([]string, len(p))
	for i, f := range p {
		names[i] = string(f.Name())
	}
	return strings.Join(names, ".")
}

// stringPaths lists every string field reachable from md: plain, repeated,
// map keys and values, and inside nested messages (each message type once
// per path, so recursive types end).
func stringPaths(md protoreflect.MessageDescriptor, prefix fieldPath, open map[protoreflect.FullName]bool) []fieldPath {
	var out []fieldPath
	open[md.FullName()] = true
	defer delete(open, md.FullName())
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		p := append(slices.Clone(prefix), fd)
		switch {
		case fd.IsMap():
			if fd.MapKey().Kind() == protoreflect.StringKind || fd.MapValue().Kind() == protoreflect.StringKind {
				out = append(out, p)
			}
		case fd.Kind() == protoreflect.StringKind:
			out = append(out, p)
		case fd.Kind() == protoreflect.MessageKind && !open[fd.Message().FullName()]:
			out = append(out, stringPaths(fd.Message(), p, open)...)
		}
	}
	return out
}

// setPath sets the string field at p to v: the first element of a list of
// messages (added when empty), an added element of a list of strings, a
// map entry with v as key and (string) value.
func setPath(m protoreflect.Message, p fieldPath, v string) {
	fd := p[0]
	sv := protoreflect.ValueOfString(v)
	if len(p) == 1 {
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			key := protoreflect.ValueOfString("k").MapKey()
			if fd.MapKey().Kind() == protoreflect.StringKind {
				key = sv.MapKey()
			}
			val := mp.NewValue()
			if fd.MapValue().Kind() == protoreflect.StringKind {
				val = sv
			}
			mp.Set(key, val)
		case fd.IsList():
			m.Mutable(fd).List().Append(sv)
		default:
			m.Set(fd, sv)
		}
		return
	}
	if fd.IsList() {
		l := m.Mutable(fd).List()
		if l.Len() == 0 {
			l.Append(l.NewElement())
		}
		setPath(l.Get(0).Message(), p[1:], v)
		return
	}
	fresh := !m.Has(fd)
	sub := m.Mutable(fd).Message()
	if fresh {
		fillDataset(sub)
	}
	setPath(sub, p[1:], v)
}

// fillDataset names the budget in a nested request created on the way to a
// field (the aggregate query of an Export).
func fillDataset(m protoreflect.Message) {
	if fd := m.Descriptor().Fields().ByName("dataset"); fd != nil && fd.Kind() == protoreflect.StringKind && !fd.IsList() {
		m.Set(fd, protoreflect.ValueOfString(injBudgetID))
	}
}

// call sends msg to md with a token ("" for none) and returns the answer's
// code (0 for OK).
func (e *injectionEnv) call(ctx context.Context, md protoreflect.MethodDescriptor, token string, msg *dynamicpb.Message) connect.Code {
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	return e.callAuth(ctx, md, auth, msg)
}

func (e *injectionEnv) callAuth(ctx context.Context, md protoreflect.MethodDescriptor, auth string, msg *dynamicpb.Message) connect.Code {
	client := connect.NewClient[dynamicpb.Message, dynamicpb.Message](e.hc,
		e.url+"/"+string(md.Parent().FullName())+"/"+string(md.Name()),
		connect.WithSchema(md), connect.WithResponseInitializer(func(spec connect.Spec, m any) error {
			if d, ok := m.(*dynamicpb.Message); ok {
				*d = *dynamicpb.NewMessage(md.Output())
			}
			return nil
		}))
	var err error
	switch {
	case md.IsStreamingClient():
		stream := client.CallClientStream(ctx)
		if auth != "" {
			stream.RequestHeader().Set("Authorization", auth)
		}
		if err = stream.Send(msg); err == nil || errors.Is(err, io.EOF) {
			_, err = stream.CloseAndReceive()
		}
	case md.IsStreamingServer():
		req := connect.NewRequest(msg)
		if auth != "" {
			req.Header().Set("Authorization", auth)
		}
		var stream *connect.ServerStreamForClient[dynamicpb.Message]
		if stream, err = client.CallServerStream(ctx, req); err == nil {
			for n := 0; n < 10_000 && stream.Receive(); n++ {
			}
			err = stream.Err()
			stream.Close()
		}
	default:
		req := connect.NewRequest(msg)
		if auth != "" {
			req.Header().Set("Authorization", auth)
		}
		_, err = client.CallUnary(ctx, req)
	}
	if err == nil {
		return 0
	}
	return connect.CodeOf(err)
}

// tableState is a table's row count and, for fact tables, its total.
type tableState struct {
	rows  int64
	total string
}

// dbState reads every table's row count and amount total.
func dbState(t *testing.T, db *store.DB) map[string]tableState {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var s, n string
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		names = append(names, store.Quote(s)+"."+store.Quote(n))
	}
	rows.Close()
	out := map[string]tableState{}
	for _, n := range names {
		var st tableState
		if err := db.SQL.QueryRow(`SELECT count(*) FROM ` + n).Scan(&st.rows); err != nil {
			t.Fatal(err)
		}
		var hasAmount bool
		_ = db.SQL.QueryRow(`SELECT count(*) > 0 FROM (DESCRIBE ` + n + `) WHERE column_name = 'amount'`).Scan(&hasAmount)
		if hasAmount {
			if err := db.SQL.QueryRow(`SELECT coalesce(CAST(sum(amount) AS VARCHAR), '') FROM ` + n).Scan(&st.total); err != nil {
				t.Fatal(err)
			}
		}
		out[n] = st
	}
	if len(out) < 5 {
		t.Fatalf("only %d tables: %v", len(out), names)
	}
	return out
}

func diffStates(a, b map[string]tableState) string {
	var diff []string
	for n, s := range a {
		if s2, ok := b[n]; !ok {
			diff = append(diff, "dropped: "+n)
		} else if s2 != s {
			diff = append(diff, fmt.Sprintf("%s: %+v → %+v", n, s, s2))
		}
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			diff = append(diff, "created: "+n)
		}
	}
	slices.Sort(diff)
	return strings.Join(diff, "\n")
}

// TestBadUploads sends malformed files through IngestService: each is
// refused with InvalidArgument (never Internal), the server keeps
// answering, and nothing stored changes.
func TestBadUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests")
	}
	e := newInjectionEnv(t)
	ctx := context.Background()
	ing := mizanv1connect.NewIngestServiceClient(e.hc, e.url, connect.WithInterceptors(bearerToken(e.token)))
	const id = "inj-upload"
	good := []byte("Year,Ministry,Amount\n2023,Health,1.500\n2024,Works,2\n")
	if _, err := sendUpload(ctx, ing, descriptorHeader(id+".yaml", false), budgetUpload(id, good)); err != nil {
		t.Fatalf("good upload: %v", err)
	}
	before := dbState(t, e.db)

	desc := func(source string) []byte {
		return bytes.Replace(budgetDescriptor(id, "data/budget.csv"), []byte("name: data/budget.csv"), []byte("name: "+source), 1)
	}
	withCSV := func(data []byte) []upFile {
		return []upFile{{name: id + ".yaml", data: budgetDescriptor(id, "data/budget.csv")}, {name: "data/budget.csv", data: data}}
	}
	zipped := func(name string, data []byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(name)
		w.Write(data)
		zw.Close()
		return buf.Bytes()
	}
	bomb := zipped("budget.csv", append([]byte("Year,Ministry,Amount\n2023,"), bytes.Repeat([]byte("0"), 64<<20)...))
	billion := "id: " + id + "\na0: &a0 [lol]\n"
	for i := 1; i <= 9; i++ {
		billion += fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	for _, tc := range []struct {
		name  string
		files []upFile
	}{
		{"empty CSV", withCSV(nil)},
		{"header only", withCSV([]byte("Year,Ministry,Amount\n"))},
		{"an image named .csv", withCSV(append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 0xff, 0x13}, 2000)...))},
		{"truncated zip", withCSV(zipped("budget.csv", good)[:40])},
		{"zip bomb of one endless line", withCSV(bomb)},
		{"duplicate columns", withCSV([]byte("Year,Ministry,Amount,Amount\n2023,Health,1,2\n"))},
		{"source ../../etc/passwd", []upFile{{name: id + ".yaml", data: desc("../../etc/passwd")}}},
		{"source /etc/passwd", []upFile{{name: id + ".yaml", data: desc("/etc/passwd")}}},
		{"source url file:///etc/passwd", []upFile{{name: id + ".yaml", data: bytes.Replace(desc("x.csv"), []byte("name: x.csv"), []byte("url: file:///etc/passwd"), 1)}}},
		{"source url on the server's network", []upFile{{name: id + ".yaml", data: bytes.Replace(desc("x.csv"), []byte("name: x.csv"), []byte("url: http://127.0.0.1:1/x.csv"), 1)}}},
		{"YAML bomb", []upFile{{name: id + ".yaml", data: []byte(billion)}}},
		{"descriptor 10,000 deep", []upFile{{name: id + ".yaml", data: []byte(`{"id": "` + id + `", "title": ` + strings.Repeat(`{"en": `, 10000) + `"x"` + strings.Repeat("}", 10000) + "}")}}},
		{"file name ../../x.csv", []upFile{{name: id + ".yaml", data: budgetDescriptor(id, "data/budget.csv")}, {name: "../../x.csv", data: good}}},
		{"file name /etc/cron.d/x", []upFile{{name: id + ".yaml", data: budgetDescriptor(id, "data/budget.csv")}, {name: "/etc/cron.d/x", data: good}}},
		{"declared size larger than sent", []upFile{{name: id + ".yaml", data: budgetDescriptor(id, "data/budget.csv")}, {name: "data/budget.csv", data: good, size: 1 << 20}}},
		{"wrong sha256", []upFile{{name: id + ".yaml", data: budgetDescriptor(id, "data/budget.csv")}, {name: "data/budget.csv", data: good, sha256: strings.Repeat("0", 64)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sendUpload(ctx, ing, descriptorHeader(id+".yaml", false), tc.files)
			if code := connect.CodeOf(err); err == nil || code != connect.CodeInvalidArgument {
				t.Errorf("answer %v (%v), want InvalidArgument", code, err)
			}
			t.Logf("%v", err)
			cat := mizanv1connect.NewCatalogServiceClient(e.hc, e.url)
			if _, err := cat.GetDataset(ctx, connect.NewRequest(&mizanv1.GetDatasetRequest{Dataset: id})); err != nil {
				t.Fatalf("the server stopped answering: %v", err)
			}
		})
	}
	if diff := diffStates(before, dbState(t, e.db)); diff != "" {
		t.Errorf("the database changed:\n%s", diff)
	}
}

// TestRequestLimits checks the request limits on every RPC: page sizes
// past the cap or negative are refused (or, where a service clamps, no
// page is larger than mizan.MaxPageSize), and a request larger than
// rpc.DefaultMaxRequestBytes is refused with ResourceExhausted.
func TestRequestLimits(t *testing.T) {
	e := newInjectionEnv(t)
	ctx := context.Background()
	for _, sd := range mizanServices(t) {
		for i := 0; i < sd.Methods().Len(); i++ {
			md := sd.Methods().Get(i)
			t.Run(string(sd.Name())+"/"+string(md.Name()), func(t *testing.T) {
				base := e.baseRequest(sd, md)
				if code := e.call(ctx, md, "", proto.Clone(base).(*dynamicpb.Message)); code == connect.CodeUnimplemented {
					t.Skip("not served")
				}
				if ps := md.Input().Fields().ByName("page_size"); ps != nil {
					for _, n := range []int32{-1, mizan.MaxPageSize + 1, math.MaxInt32} {
						msg := proto.Clone(base).(*dynamicpb.Message)
						msg.Set(ps, protoreflect.ValueOfInt32(n))
						res, code := e.callUnary(ctx, md, msg)
						switch {
						case code == connect.CodeInvalidArgument:
						case code == 0 && n > 0:
							if l := longestList(res); l > mizan.MaxPageSize {
								t.Errorf("page_size %d: a page of %d", n, l)
							}
						default:
							t.Errorf("page_size %d: answer %v", n, code)
						}
					}
				}
				// One string field 2 MiB long: over the request bound.
				paths := stringPaths(md.Input(), nil, map[protoreflect.FullName]bool{})
				if len(paths) == 0 {
					return
				}
				msg := proto.Clone(base).(*dynamicpb.Message)
				setPath(msg, paths[0], strings.Repeat("x", 2*rpc.DefaultMaxRequestBytes))
				if code := e.call(ctx, md, e.token, msg); code != connect.CodeResourceExhausted {
					t.Errorf("a %d-byte request: answer %v, want %v", 2*rpc.DefaultMaxRequestBytes, code, connect.CodeResourceExhausted)
				}
			})
		}
	}
}

// TestQueryTimeoutOverTheWire checks that a query past its time limit
// answers DeadlineExceeded, not Internal, and that the server then serves
// again.
func TestQueryTimeoutOverTheWire(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	descs, fsys, err := synth.Bundle(synth.Config{ID: injBudgetID, Rows: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Ingest(ctx, db, descs[0], ingest.Options{FS: fsys}); err != nil {
		t.Fatal(err)
	}
	url := func(timeout time.Duration) string {
		svc := query.NewService(db, query.NewDuckDB(db), query.Options{QueryTimeout: timeout})
		srv, err := rpc.NewServer(rpc.Options{Catalog: db, Query: svc, Exporter: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return serve(t, srv)
	}
	hc := h2cClient()
	t.Cleanup(hc.CloseIdleConnections)
	req := &mizanv1.AggregateRequest{Dataset: injBudgetID, Drilldown: []string{"admin"}}
	slow := mizanv1connect.NewQueryServiceClient(hc, url(time.Nanosecond))
	_, err = slow.Aggregate(ctx, connect.NewRequest(req))
	if code := connect.CodeOf(err); code != connect.CodeDeadlineExceeded {
		t.Errorf("a query past its time limit: %v (%v), want DeadlineExceeded", code, err)
	}
	fast := mizanv1connect.NewQueryServiceClient(hc, url(0))
	if _, err := fast.Aggregate(ctx, connect.NewRequest(req)); err != nil {
		t.Errorf("the same query with the default limit: %v", err)
	}
}

// callUnary calls a unary method with the injection token and returns the
// response (nil on error) and the code.
func (e *injectionEnv) callUnary(ctx context.Context, md protoreflect.MethodDescriptor, msg *dynamicpb.Message) (*dynamicpb.Message, connect.Code) {
	if md.IsStreamingClient() || md.IsStreamingServer() {
		return nil, e.call(ctx, md, e.token, msg)
	}
	client := connect.NewClient[dynamicpb.Message, dynamicpb.Message](e.hc,
		e.url+"/"+string(md.Parent().FullName())+"/"+string(md.Name()),
		connect.WithSchema(md), connect.WithResponseInitializer(func(spec connect.Spec, m any) error {
			if d, ok := m.(*dynamicpb.Message); ok {
				*d = *dynamicpb.NewMessage(md.Output())
			}
			return nil
		}))
	req := connect.NewRequest(msg)
	req.Header().Set("Authorization", "Bearer "+e.token)
	res, err := client.CallUnary(ctx, req)
	if err != nil {
		return nil, connect.CodeOf(err)
	}
	return res.Msg, 0
}

// longestList is the length of the longest repeated field of m's top level.
func longestList(m *dynamicpb.Message) int {
	n := 0
	if m == nil {
		return 0
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.IsList() {
			n = max(n, v.List().Len())
		}
		return true
	})
	return n
}
