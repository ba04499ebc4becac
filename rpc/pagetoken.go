package rpc

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
)

// A page token is opaque to clients: base64url (unpadded) of
//
//	tokenFormat (1 byte) | offset (uvarint) | dataset version (uvarint) | request hash (8 bytes)
//
// The version is the one the first page was read from, so later pages read
// the same immutable version even if a newer one is published meanwhile.
// The hash covers every request field except page_token and page_size, so a
// token only works with the request that produced it.
const tokenFormat = 1

// pageFields are the request fields a token may change between pages.
var pageFields = map[protoreflect.Name]bool{"page_token": true, "page_size": true}

// page is the decoded position a page token carries.
type page struct {
	Offset  int
	Version int
}

// errTokenMismatch is returned for a token used with another request.
// The message names the field itself, so Field stays empty.
var errTokenMismatch = &mizan.Error{Code: mizan.EINVALID, Message: "page_token does not match this request"}

// requestHash fingerprints req without its paging fields.
func requestHash(req proto.Message) ([8]byte, error) {
	m := proto.Clone(req)
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		if f := fields.Get(i); pageFields[f.Name()] {
			r.Clear(f)
		}
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return [8]byte{}, fmt.Errorf("hash request: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(r.Descriptor().FullName()))
	h.Write([]byte{0})
	h.Write(b)
	var out [8]byte
	copy(out[:], h.Sum(nil))
	return out, nil
}

// encodePageToken returns the token of the page at offset of req's result,
// read from the given dataset version.
func encodePageToken(req proto.Message, p page) (string, error) {
	h, err := requestHash(req)
	if err != nil {
		return "", err
	}
	b := []byte{tokenFormat}
	b = binary.AppendUvarint(b, uint64(p.Offset))
	b = binary.AppendUvarint(b, uint64(p.Version))
	b = append(b, h[:]...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodePageToken returns the position token carries for req; an empty
// token is the first page (offset 0, version as asked).
func decodePageToken(req proto.Message, token string) (page, error) {
	if token == "" {
		return page{}, nil
	}
	bad := mizan.FieldErrorf("page_token", "malformed; pass back a next_page_token unchanged")
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 1 || b[0] != tokenFormat {
		return page{}, bad
	}
	r := bytes.NewReader(b[1:])
	off, err1 := binary.ReadUvarint(r)
	ver, err2 := binary.ReadUvarint(r)
	var h [8]byte
	n, _ := r.Read(h[:])
	if err1 != nil || err2 != nil || n != len(h) || r.Len() != 0 || off > 1<<40 || ver > 1<<31-1 {
		return page{}, bad
	}
	want, err := requestHash(req)
	if err != nil {
		return page{}, err
	}
	if h != want {
		return page{}, errTokenMismatch
	}
	return page{Offset: int(off), Version: int(ver)}, nil
}

// nextPageToken returns the token of the page at next, or "" when next is 0
// (no next page).
func nextPageToken(req proto.Message, next, version int) (string, error) {
	if next <= 0 {
		return "", nil
	}
	return encodePageToken(req, page{Offset: next, Version: version})
}

// A search page token pins several dataset versions: base64url (unpadded) of
//
//	searchTokenFormat (1 byte) | offset (uvarint) | n (uvarint) |
//	n × (len(id) (uvarint) | id | version (uvarint)) | request hash (8 bytes)
//
// so later pages search exactly the versions the first page searched, even
// when the request named none ("the latest of every dataset").
const searchTokenFormat = 2

// maxPinned bounds the versions a search token may carry.
const maxPinned = 1000

// encodeSearchToken returns the token of the page at offset of req's
// result over the given versions.
func encodeSearchToken(req proto.Message, offset int, versions []contracts.VersionRef) (string, error) {
	h, err := requestHash(req)
	if err != nil {
		return "", err
	}
	b := []byte{searchTokenFormat}
	b = binary.AppendUvarint(b, uint64(offset))
	b = binary.AppendUvarint(b, uint64(len(versions)))
	for _, v := range versions {
		b = binary.AppendUvarint(b, uint64(len(v.Dataset)))
		b = append(b, v.Dataset...)
		b = binary.AppendUvarint(b, uint64(v.Version))
	}
	b = append(b, h[:]...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeSearchToken returns the offset and pinned versions token carries
// for req; an empty token is the first page (offset 0, nil versions).
func decodeSearchToken(req proto.Message, token string) (int, []contracts.VersionRef, error) {
	if token == "" {
		return 0, nil, nil
	}
	bad := mizan.FieldErrorf("page_token", "malformed; pass back a next_page_token unchanged")
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 1 || b[0] != searchTokenFormat {
		return 0, nil, bad
	}
	r := bytes.NewReader(b[1:])
	off, err1 := binary.ReadUvarint(r)
	n, err2 := binary.ReadUvarint(r)
	if err1 != nil || err2 != nil || off > 1<<40 || n == 0 || n > maxPinned {
		return 0, nil, bad
	}
	versions := make([]contracts.VersionRef, 0, n)
	for range n {
		l, err := binary.ReadUvarint(r)
		if err != nil || l == 0 || l > 64 || int(l) > r.Len() {
			return 0, nil, bad
		}
		id := make([]byte, l)
		_, _ = r.Read(id)
		v, err := binary.ReadUvarint(r)
		if err != nil || v == 0 || v > 1<<31-1 || !mizan.ValidDatasetID(string(id)) {
			return 0, nil, bad
		}
		versions = append(versions, contracts.VersionRef{Dataset: string(id), Version: int(v)})
	}
	var h [8]byte
	if k, _ := r.Read(h[:]); k != len(h) || r.Len() != 0 {
		return 0, nil, bad
	}
	want, err := requestHash(req)
	if err != nil {
		return 0, nil, err
	}
	if h != want {
		return 0, nil, errTokenMismatch
	}
	return int(off), versions, nil
}
