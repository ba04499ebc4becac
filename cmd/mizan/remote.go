package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// uploadChunkBytes is the size of an upload's data messages, well under
// the server's 1 MiB message limit.
const uploadChunkBytes = 256 << 10

// remote is a running server the command line talks to.
type remote struct {
	url   string
	token string
	http  *http.Client
}

// newRemote checks the server URL and picks the token: the flag, else
// MIZAN_TOKEN.
func newRemote(server, token string) (*remote, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, mizan.FieldErrorf("server", "%q is not an http:// or https:// URL", server)
	}
	if token == "" {
		token = os.Getenv("MIZAN_TOKEN")
	}
	if token == "" {
		return nil, mizan.FieldErrorf("token", "required with --server: pass --token or set MIZAN_TOKEN (see mizan token create)")
	}
	// HTTP/2 lets the server answer (say, "too large") while the upload is
	// still being sent; on plain http that is h2c, which mizan serve speaks.
	var p http.Protocols
	if u.Scheme == "http" {
		p.SetUnencryptedHTTP2(true)
	} else {
		p.SetHTTP1(true)
		p.SetHTTP2(true)
	}
	return &remote{
		url:   strings.TrimSuffix(server, "/"),
		token: token,
		http:  &http.Client{Transport: &http.Transport{Protocols: &p, Proxy: http.ProxyFromEnvironment}},
	}, nil
}

// clientOptions sends the token with every call.
func (r *remote) clientOptions() []connect.ClientOption {
	return []connect.ClientOption{connect.WithInterceptors(bearer(r.token))}
}

// bearer is a client interceptor adding "Authorization: Bearer <token>".
type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// remoteError turns a server's error into one the command prints, keeping
// the meaning of its code for the exit status.
func remoteError(server string, err error) error {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", server, err)
	}
	return &mizan.Error{Code: rpc.MizanCode(ce.Code()), Message: fmt.Sprintf("%s: %s (%s)", server, ce.Message(), ce.Code())}
}

// uploadFile is one local file and the name it is uploaded under.
type uploadFile struct {
	local string
	name  string
	size  int64
	sum   string
}

// remoteIngest is `mizan ingest --server`: each descriptor (with its
// sources) or the set of OCDS inputs is one upload.
type remoteIngest struct {
	from                 string
	dataset              string
	draft, force, asJSON bool
}

func (m *Main) ingestRemote(ctx context.Context, r *remote, paths []string, opts remoteIngest) error {
	client := mizanv1connect.NewIngestServiceClient(r.http, r.url, r.clientOptions()...)
	if isOCDSIngest(opts.dataset, paths) {
		files, err := ocdsUploadFiles(paths)
		if err != nil {
			return err
		}
		h := &mizanv1.UploadHeader{Target: &mizanv1.UploadHeader_ContractsDataset{ContractsDataset: opts.dataset}, Draft: opts.draft, Force: opts.force}
		resp, err := upload(ctx, client, h, files)
		if err != nil {
			return remoteError(r.url, err)
		}
		return m.printRemoteSummary(resp, opts.asJSON, true)
	}
	var all []json.RawMessage
	for _, p := range paths {
		files, err := descriptorUploadFiles(p, opts.from)
		if err != nil {
			return err
		}
		h := &mizanv1.UploadHeader{Target: &mizanv1.UploadHeader_DescriptorFile{DescriptorFile: files[0].name}, Draft: opts.draft, Force: opts.force}
		resp, err := upload(ctx, client, h, files)
		if err != nil {
			return fmt.Errorf("ingest %s: %w", p, remoteError(r.url, err))
		}
		if opts.asJSON {
			raw, err := resp.GetSummary().MarshalJSON()
			if err != nil {
				return err
			}
			all = append(all, raw)
			continue
		}
		if err := m.printRemoteSummary(resp, false, false); err != nil {
			return err
		}
	}
	if opts.asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if len(all) == 1 {
			return enc.Encode(all[0])
		}
		return enc.Encode(all)
	}
	return nil
}

// printRemoteSummary prints an upload's summary as a local ingest would.
func (m *Main) printRemoteSummary(resp *mizanv1.UploadResponse, asJSON, isContracts bool) error {
	raw, err := resp.GetSummary().MarshalJSON()
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(json.RawMessage(raw))
	}
	if isContracts {
		var s contracts.Summary
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("read the server's summary: %w", err)
		}
		printContractsSummary(m.Stdout, &s)
	} else {
		var s ingest.Summary
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("read the server's summary: %w", err)
		}
		printSummary(m.Stdout, &s)
	}
	if resp.GetStatus() == mizan.StatusDraft && !resp.GetNoOp() {
		fmt.Fprintf(m.Stdout, "  draft: visible only with a token until `mizan publish %s %d`\n", resp.GetDataset(), resp.GetDatasetVersion())
	}
	return nil
}

// descriptorUploadFiles lists what an upload of one descriptor holds: the
// descriptor first (at the upload's root, under its own name), then its
// package and every source, named as the descriptor names them. Sources
// are read from --from, else beside the descriptor, as a local ingest
// finds them; the server never downloads, so a source that is only a URL
// must be fetched first.
func descriptorUploadFiles(descPath, from string) ([]uploadFile, error) {
	d, err := ingest.Load(descPath)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(descPath)
	files := []uploadFile{{local: descPath, name: filepath.Base(descPath)}}
	seen := map[string]bool{files[0].name: true}
	add := func(name, local string) {
		if !seen[name] {
			seen[name] = true
			files = append(files, uploadFile{local: local, name: name})
		}
	}
	if d.Package != "" {
		add(path.Clean(d.Package), filepath.Join(dir, filepath.FromSlash(d.Package)))
	}
	roots := []string{}
	if from != "" {
		roots = append(roots, from)
	}
	roots = append(roots, dir)
	for _, s := range d.Sources {
		names := []string{path.Clean(s.Name)}
		if s.Name == "" {
			u, err := url.Parse(s.URL)
			if err != nil {
				return nil, mizan.Errorf(mizan.EINVALID, "source url %q: %v", s.URL, err)
			}
			names = []string{path.Base(u.Path)}
		}
		if strings.ContainsAny(s.Name, "*?[") {
			names = nil
			for _, root := range roots {
				if m, err := fs.Glob(os.DirFS(root), s.Name); err == nil && len(m) > 0 {
					names = m
					break
				}
			}
			if len(names) == 0 {
				return nil, mizan.Errorf(mizan.EINVALID, "no file matches the source pattern %q", s.Name)
			}
		}
		for _, n := range names {
			local := ""
			for _, root := range roots {
				p := filepath.Join(root, filepath.FromSlash(n))
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
					local = p
					break
				}
			}
			if local == "" {
				return nil, mizan.Errorf(mizan.EINVALID, "source %s: not found in %s; the server never downloads, so fetch it and pass --from DIR", n, strings.Join(roots, " or "))
			}
			add(n, local)
		}
	}
	return files, nil
}

// ocdsUploadFiles lists the OCDS files of paths (directories walked), each
// named by its path below the argument's parent directory.
func ocdsUploadFiles(paths []string) ([]uploadFile, error) {
	var files []uploadFile
	seen := map[string]bool{}
	for i, p := range paths {
		found, err := ocds.Files([]string{p})
		if err != nil {
			return nil, mizan.Errorf(mizan.EINVALID, "%v", err)
		}
		base := filepath.Dir(filepath.Clean(p))
		for _, f := range found {
			rel, err := filepath.Rel(base, f)
			if err != nil {
				return nil, err
			}
			name := filepath.ToSlash(rel)
			if seen[name] {
				name = strconv.Itoa(i) + "/" + name
			}
			seen[name] = true
			files = append(files, uploadFile{local: f, name: name})
		}
	}
	if len(files) == 0 {
		return nil, mizan.Errorf(mizan.EINVALID, "no OCDS files (.json, .jsonl, .json.gz, .zip) in %s", strings.Join(paths, ", "))
	}
	return files, nil
}

// upload hashes the files, then streams the header and their bytes, and
// returns the server's answer.
func upload(ctx context.Context, client mizanv1connect.IngestServiceClient, h *mizanv1.UploadHeader, files []uploadFile) (*mizanv1.UploadResponse, error) {
	for i := range files {
		if err := hashFile(&files[i]); err != nil {
			return nil, err
		}
		h.Files = append(h.Files, &mizanv1.UploadFile{Name: files[i].name, Size: files[i].size, Sha256: files[i].sum})
	}
	stream := client.Upload(ctx)
	send := func(req *mizanv1.UploadRequest) (bool, error) {
		err := stream.Send(req)
		if errors.Is(err, io.EOF) {
			return false, nil // the server has answered: CloseAndReceive says how
		}
		return err == nil, err
	}
	ok, err := send(&mizanv1.UploadRequest{Part: &mizanv1.UploadRequest_Header{Header: h}})
	if err != nil {
		return nil, err
	}
	buf := make([]byte, uploadChunkBytes)
	for i := 0; ok && i < len(files); i++ {
		if ok, err = sendFile(files[i], int32(i), buf, send); err != nil {
			return nil, err
		}
	}
	resp, err := stream.CloseAndReceive()
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

func sendFile(f uploadFile, index int32, buf []byte, send func(*mizanv1.UploadRequest) (bool, error)) (bool, error) {
	in, err := os.Open(f.local)
	if err != nil {
		return false, fmt.Errorf("upload %s: %w", f.local, err)
	}
	defer in.Close()
	for {
		n, err := in.Read(buf)
		if n > 0 {
			ok, serr := send(&mizanv1.UploadRequest{Part: &mizanv1.UploadRequest_Chunk{Chunk: &mizanv1.UploadChunk{File: index, Data: buf[:n]}}})
			if serr != nil || !ok {
				return ok, serr
			}
		}
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("upload %s: %w", f.local, err)
		}
	}
}

func hashFile(f *uploadFile) error {
	in, err := os.Open(f.local)
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.local, err)
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(h, in)
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.local, err)
	}
	f.size, f.sum = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// publish is `mizan publish DATASET VERSION`: through a running server's
// AdminService with --server, else on the database file.
func (m *Main) publish(ctx context.Context, args []string) error {
	fs := m.flagSet("publish")
	server := fs.String("server", "", "publish through the running server at this URL (e.g. http://127.0.0.1:8080)")
	token := fs.String("token", "", "token with the publish scope, for --server (env MIZAN_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, "usage: mizan publish [--server URL --token T] DATASET VERSION")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return errUsage
	}
	dataset := fs.Arg(0)
	version, err := strconv.Atoi(fs.Arg(1))
	if err != nil || version <= 0 {
		return mizan.FieldErrorf("version", "%q is not a version number", fs.Arg(1))
	}
	var v *mizanv1.Version
	changed := false
	if *server != "" {
		r, err := newRemote(*server, *token)
		if err != nil {
			return err
		}
		client := mizanv1connect.NewAdminServiceClient(r.http, r.url, r.clientOptions()...)
		resp, err := client.PublishVersion(ctx, connect.NewRequest(&mizanv1.PublishVersionRequest{Dataset: dataset, Version: int32(version)}))
		if err != nil {
			return remoteError(r.url, err)
		}
		v, changed = resp.Msg.GetVersion(), resp.Msg.GetChanged()
	} else {
		db, err := store.Open(ctx, store.Options{Dir: m.DataDir})
		if err != nil {
			return err
		}
		defer db.Close()
		dv, ch, err := db.PublishVersion(ctx, dataset, version, "cli")
		if err != nil {
			return err
		}
		v, changed = &mizanv1.Version{Number: int32(dv.Number), Rows: dv.Rows}, ch
	}
	if !changed {
		fmt.Fprintf(m.Stdout, "%s: version %d was already published\n", dataset, v.GetNumber())
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s: version %d published (%d rows)\n", dataset, v.GetNumber(), v.GetRows())
	return nil
}

// remoteConflicts refuses local-only flags combined with --server.
func remoteConflicts(server string, demo bool) error {
	if server != "" && demo {
		return mizan.FieldErrorf("demo", "--demo ingests into the local database; it cannot be combined with --server")
	}
	return nil
}
