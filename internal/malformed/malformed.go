// Package malformed makes hostile inputs for the tests of every reader:
// decompression bombs (zip and gzip streams of a few megabytes that
// inflate to gigabytes), UTF-16 text, and a heap sampler to check that
// reading them keeps memory bounded.
package malformed

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
)

// DeflateBomb is a deflate stream of head followed by size bytes of fill,
// built from one compressed megabyte repeated: a few megabytes that
// inflate to gigabytes. It returns the stream, the data's CRC-32 and size.
func DeflateBomb(head []byte, fill byte, size int64) ([]byte, uint32, int64) {
	unit := bytes.Repeat([]byte{fill}, 1<<20)
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(head)
	w.Write(unit)
	w.Flush()
	n := buf.Len()
	// After a flush the stream is byte-aligned and the window holds only
	// fill bytes, so the next megabyte's blocks can be repeated verbatim.
	w.Write(unit)
	w.Flush()
	seg := slices.Clone(buf.Bytes()[n:])
	out := slices.Clone(buf.Bytes())
	crc := crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, unit)
	crc = crc32.Update(crc, crc32.IEEETable, unit)
	for k := int64(2); k < size>>20; k++ {
		out = append(out, seg...)
		crc = crc32.Update(crc, crc32.IEEETable, unit)
	}
	out = append(out, 0x03, 0x00) // a final, empty block
	return out, crc, int64(len(head)) + size>>20<<20
}

// BombZip is a zip archive whose one member, name, is a DeflateBomb.
func BombZip(name string, head []byte, fill byte, size int64) []byte {
	raw, crc, n := DeflateBomb(head, fill, size)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(n)})
	if err != nil {
		panic(err)
	}
	w.Write(raw)
	zw.Close()
	return buf.Bytes()
}

// BombGzip is a gzip stream of a DeflateBomb.
func BombGzip(head []byte, fill byte, size int64) []byte {
	raw, crc, n := DeflateBomb(head, fill, size)
	return GzipRaw(raw, crc, uint32(n))
}

// GzipRaw wraps a raw deflate stream in a gzip header and trailer with the
// given CRC-32 and size (true or not).
func GzipRaw(raw []byte, crc, size uint32) []byte {
	out := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	out = append(out, raw...)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, size)
}

// UTF16LE is s in UTF-16, little-endian, without a byte order mark.
func UTF16LE(s string) []byte {
	var b []byte
	for _, r := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, r)
	}
	return b
}

// HeapPeak runs fn while sampling the heap every 5 ms, and returns the
// largest heap seen above the heap before fn.
func HeapPeak(fn func() error) (uint64, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base && ms.HeapAlloc-base > peak.Load() {
				peak.Store(ms.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	err := fn()
	close(stop)
	wg.Wait()
	return peak.Load(), err
}
