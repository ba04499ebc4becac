package rpc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// DefaultMaxUploadBytes bounds the bytes of one upload (all its files)
// when Options names no limit.
const DefaultMaxUploadBytes = 2 << 30

// maxUploadFiles bounds the files of one upload.
const maxUploadFiles = 10_000

// Ingester stores uploaded files as a new dataset version, the way
// `mizan ingest` does; cmd/mizan wires the ingest and contracts packages
// behind it.
type Ingester interface {
	// Ingest runs one ingest of the files in job.Dir. A failed ingest
	// stores nothing.
	Ingest(ctx context.Context, job IngestJob) (*IngestResult, error)
}

// IngestJob is an upload, received and checked, ready to ingest.
type IngestJob struct {
	// Dir holds the uploaded files and nothing else; it is removed after
	// the ingest.
	Dir string
	// Descriptor is the path of the descriptor or datapackage.json to
	// ingest; "" for a contracts upload.
	Descriptor string
	// ContractsDataset is the contracts dataset the files become a version
	// of; "" for a descriptor upload.
	ContractsDataset string
	// Files are the paths of every uploaded file, in upload order.
	Files []string
	// Draft stores the version as a draft; Force ingests even unchanged
	// files.
	Draft, Force bool
	// Actor names the caller ("token:NAME").
	Actor string
}

// IngestResult is what an ingest did.
type IngestResult struct {
	Dataset string
	Version int
	NoOp    bool
	Status  string
	// Summary is the ingest's summary; it is sent as JSON.
	Summary any
}

// ingestService implements mizanv1connect.IngestServiceHandler.
type ingestService struct {
	ing      Ingester
	dir      string // where uploads are staged
	maxBytes int64
	log      *slog.Logger
}

var _ mizanv1connect.IngestServiceHandler = (*ingestService)(nil)

// newIngestService prepares the staging directory, removing uploads a
// crash left behind.
func newIngestService(ing Ingester, dir string, maxBytes int64, log *slog.Logger) (*ingestService, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxUploadBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create upload directory: %w", err)
	}
	stale, _ := filepath.Glob(filepath.Join(dir, "mizan-upload-*"))
	for _, p := range stale {
		if err := os.RemoveAll(p); err != nil {
			log.Warn("remove stale upload", "path", p, "error", err)
		}
	}
	return &ingestService{ing: ing, dir: dir, maxBytes: maxBytes, log: log}, nil
}

// Upload implements IngestService.Upload.
func (s *ingestService) Upload(ctx context.Context, stream *connect.ClientStream[mizanv1.UploadRequest]) (*connect.Response[mizanv1.UploadResponse], error) {
	resp, err := s.upload(ctx, stream)
	if err != nil {
		return nil, connectError(ctx, s.log, stream.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *ingestService) upload(ctx context.Context, stream *connect.ClientStream[mizanv1.UploadRequest]) (*mizanv1.UploadResponse, error) {
	if !stream.Receive() {
		if err := stream.Err(); err != nil {
			return nil, err
		}
		return nil, mizan.FieldErrorf("header", "required: the first message of an upload")
	}
	h := stream.Msg().GetHeader()
	if h == nil {
		return nil, mizan.FieldErrorf("header", "the first message of an upload must be its header")
	}
	if err := s.checkHeader(h); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.dir, "mizan-upload-*")
	if err != nil {
		return nil, fmt.Errorf("stage upload: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			s.log.WarnContext(ctx, "remove upload", "path", dir, "error", err)
		}
	}()
	files, err := receiveFiles(stream, dir, h.GetFiles())
	if err != nil {
		return nil, err
	}
	job := IngestJob{Dir: dir, Files: files, ContractsDataset: h.GetContractsDataset(), Draft: h.GetDraft(), Force: h.GetForce(), Actor: actor(ctx)}
	if d := h.GetDescriptorFile(); d != "" {
		job.Descriptor = filepath.Join(dir, filepath.FromSlash(d))
	}
	s.log.InfoContext(ctx, "ingesting upload", "descriptor", h.GetDescriptorFile(), "contracts_dataset", job.ContractsDataset,
		"files", len(files), "draft", job.Draft, "by", job.Actor)
	res, err := s.ing.Ingest(ctx, job)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(res.Summary)
	if err != nil {
		return nil, fmt.Errorf("encode ingest summary: %w", err)
	}
	summary, err := summaryToProto(raw)
	if err != nil {
		return nil, err
	}
	return &mizanv1.UploadResponse{
		Dataset:        res.Dataset,
		DatasetVersion: int32(res.Version),
		NoOp:           res.NoOp,
		Status:         res.Status,
		Summary:        summary,
	}, nil
}

// checkHeader validates an upload's header before any byte is stored: the
// target, every name (relative, clean, unique), sizes within the maximum,
// and checksums.
func (s *ingestService) checkHeader(h *mizanv1.UploadHeader) error {
	switch {
	case h.GetDescriptorFile() == "" && h.GetContractsDataset() == "":
		return mizan.FieldErrorf("header.target", "required: a descriptor file or a contracts dataset")
	case h.GetContractsDataset() != "" && !mizan.ValidDatasetID(h.GetContractsDataset()):
		return mizan.FieldErrorf("header.contracts_dataset", "%q is not a valid dataset id (lower-case letters, digits and hyphens)", h.GetContractsDataset())
	}
	files := h.GetFiles()
	if len(files) == 0 {
		return mizan.FieldErrorf("header.files", "required: at least one file")
	}
	if len(files) > maxUploadFiles {
		return mizan.FieldErrorf("header.files", "at most %d files, got %d", maxUploadFiles, len(files))
	}
	names := make(map[string]bool, len(files))
	var total int64
	for i, f := range files {
		field := fmt.Sprintf("header.files[%d]", i)
		if err := checkUploadName(f.GetName()); err != nil {
			return mizan.FieldErrorf(field+".name", "%v", err)
		}
		if names[f.GetName()] {
			return mizan.FieldErrorf(field+".name", "%q is uploaded twice", f.GetName())
		}
		names[f.GetName()] = true
		if f.GetSize() < 0 {
			return mizan.FieldErrorf(field+".size", "must not be negative, got %d", f.GetSize())
		}
		total += f.GetSize()
		if total > s.maxBytes {
			return &mizan.Error{Code: mizan.EEXHAUSTED, Field: "header.files", Message: fmt.Sprintf("the upload is larger than this server's maximum of %d bytes", s.maxBytes)}
		}
		if !isHexSHA256(f.GetSha256()) {
			return mizan.FieldErrorf(field+".sha256", "required: 64 hexadecimal digits")
		}
	}
	// A file cannot also be a directory of another one.
	for n := range names {
		for d := path.Dir(n); d != "."; d = path.Dir(d) {
			if names[d] {
				return mizan.FieldErrorf("header.files", "%q is a file and the directory of %q", d, n)
			}
		}
	}
	if d := h.GetDescriptorFile(); d != "" && !names[d] {
		return mizan.FieldErrorf("header.descriptor_file", "%q is not among the uploaded files", d)
	}
	return nil
}

// checkUploadName accepts relative, clean, slash-separated paths that stay
// inside the upload: no "..", no absolute path, no hidden elements, no
// backslashes or control characters.
func checkUploadName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("required")
	case len(name) > 1024:
		return fmt.Errorf("longer than 1024 bytes")
	case !utf8.ValidString(name):
		return fmt.Errorf("not valid UTF-8")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' || r == ':' }):
		return fmt.Errorf("%q holds a control character, a backslash or a colon", name)
	case path.IsAbs(name) || path.Clean(name) != name:
		return fmt.Errorf("%q is not a clean relative path (no leading \"/\", \"./\", \"//\" or trailing \"/\")", name)
	}
	for _, el := range strings.Split(name, "/") {
		if strings.HasPrefix(el, ".") {
			return fmt.Errorf("%q has an element starting with \".\" (\"..\" and hidden files are refused)", name)
		}
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// receiveFiles writes the upload's chunks below dir, file after file,
// checking each file's size and sha256 when it is complete. It returns the
// files' paths.
func receiveFiles(stream *connect.ClientStream[mizanv1.UploadRequest], dir string, files []*mizanv1.UploadFile) ([]string, error) {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, filepath.FromSlash(f.GetName()))
	}
	var (
		cur  = -1
		out  *os.File
		sum  hash.Hash
		size int64
	)
	closeCurrent := func() error {
		if out == nil {
			return nil
		}
		err := out.Close()
		out = nil
		if err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		f := files[cur]
		if size != f.GetSize() {
			return mizan.FieldErrorf("chunk", "file %s: %d bytes received, %d declared", f.GetName(), size, f.GetSize())
		}
		if got := hex.EncodeToString(sum.Sum(nil)); !strings.EqualFold(got, f.GetSha256()) {
			return mizan.FieldErrorf("chunk", "file %s: sha256 mismatch: declared %s, received %s", f.GetName(), strings.ToLower(f.GetSha256()), got)
		}
		return nil
	}
	// advance completes files until i is the current one.
	advance := func(i int) error {
		for cur < i {
			if err := closeCurrent(); err != nil {
				return err
			}
			cur++
			if err := os.MkdirAll(filepath.Dir(paths[cur]), 0o700); err != nil {
				return fmt.Errorf("store upload: %w", err)
			}
			f, err := os.OpenFile(paths[cur], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("store upload: %w", err)
			}
			out, sum, size = f, sha256.New(), 0
		}
		return nil
	}
	defer func() {
		if out != nil {
			out.Close()
		}
	}()
	for stream.Receive() {
		c := stream.Msg().GetChunk()
		if c == nil {
			return nil, mizan.FieldErrorf("chunk", "only the first message of an upload may be a header")
		}
		i := int(c.GetFile())
		if i < max(cur, 0) || i >= len(files) {
			return nil, mizan.FieldErrorf("chunk.file", "chunk of file %d: files arrive in order, the current one is %d of %d", i, max(cur, 0), len(files))
		}
		if err := advance(i); err != nil {
			return nil, err
		}
		data := c.GetData()
		if size+int64(len(data)) > files[i].GetSize() {
			return nil, mizan.FieldErrorf("chunk", "file %s: more than the %d bytes declared", files[i].GetName(), files[i].GetSize())
		}
		if _, err := out.Write(data); err != nil {
			return nil, fmt.Errorf("store upload: %w", err)
		}
		sum.Write(data)
		size += int64(len(data))
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	if err := advance(len(files) - 1); err != nil {
		return nil, err
	}
	if err := closeCurrent(); err != nil {
		return nil, err
	}
	return paths, nil
}
