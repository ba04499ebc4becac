package parse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// SniffSize is how many bytes NewDecoder looks at to detect an encoding.
const SniffSize = 64 << 10

// Encoding names returned by DetectEncoding and NewDecoder.
const (
	UTF8        = "utf-8"        // UTF-8 without a byte order mark
	UTF8BOM     = "utf-8-sig"    // UTF-8 that started with a byte order mark
	UTF16LE     = "utf-16le"     // UTF-16, little-endian (Windows "Unicode")
	UTF16BE     = "utf-16be"     // UTF-16, big-endian
	Windows1256 = "windows-1256" // Arabic, Windows code page
	ISO8859_6   = "iso-8859-6"   // Arabic, ISO code page
	Windows1252 = "windows-1252" // Western European, Windows code page
	CP850       = "cp850"        // Western European, DOS code page (older Mexican and Spanish exports)
	ISO8859_1   = "iso-8859-1"   // Western European, ISO Latin-1
)

var (
	bomUTF8     = []byte{0xEF, 0xBB, 0xBF}
	mojibakeBOM = []byte{0xC3, 0xAF, 0xC2, 0xBB, 0xC2, 0xBF} // "ï»¿" in UTF-8
)

// canonicalEncoding maps a declared name to one of the names above; "" means
// detect. "utf-16" (no byte order given) is returned as is.
func canonicalEncoding(declared string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(declared))
	n = strings.ReplaceAll(n, "_", "-")
	switch n {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return UTF8, nil
	case "utf-8-sig", "utf8-sig", "utf-8-bom":
		return UTF8BOM, nil
	case "utf-16", "utf16":
		return "utf-16", nil
	case "utf-16le", "utf16le", "utf-16-le":
		return UTF16LE, nil
	case "utf-16be", "utf16be", "utf-16-be":
		return UTF16BE, nil
	case "windows-1256", "cp1256", "win-1256", "x-cp1256":
		return Windows1256, nil
	case "iso-8859-6", "iso8859-6", "arabic", "asmo-708", "iso-ir-127":
		return ISO8859_6, nil
	case "windows-1252", "cp1252", "win-1252", "x-cp1252":
		return Windows1252, nil
	case "cp850", "ibm850", "ibm-850", "850", "dos-850":
		return CP850, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-ir-100":
		return ISO8859_1, nil
	}
	return "", fmt.Errorf("unsupported text encoding %q: use utf-8, utf-8-sig, utf-16, utf-16le, utf-16be, windows-1256, iso-8859-6, windows-1252, cp850 or iso-8859-1, or leave it empty to detect", declared)
}

func singleByte(name string) *charmap.Charmap {
	switch name {
	case Windows1256:
		return charmap.Windows1256
	case ISO8859_6:
		return charmap.ISO8859_6
	case Windows1252:
		return charmap.Windows1252
	case CP850:
		return charmap.CodePage850
	case ISO8859_1:
		return charmap.ISO8859_1
	}
	return nil
}

// NewDecoder returns a reader producing UTF-8 from r. declared: "" (detect),
// "utf-8", "utf-8-sig", "utf-16", "utf-16le", "utf-16be",
// "windows-1256"/"cp1256", "iso-8859-6", "windows-1252"/"cp1252",
// "cp850"/"ibm850", "iso-8859-1"/"latin1" (names case-insensitive). used is
// the encoding actually applied, one of the constants above ("utf-8-sig"
// when a UTF-8 byte order mark was removed).
//
// Detection (see DetectEncoding) looks only at the first SniffSize bytes,
// through a bufio.Reader: the stream is never read whole, so memory stays
// bounded for files of any size. A byte order mark is honoured for "utf-16"
// and removed; without one, "utf-16" is read little-endian unless the NUL
// bytes say otherwise. A UTF-8 byte order mark is removed whatever the
// declared encoding (UTF-16 aside), and so is a mojibake one ("ï»¿": a UTF-8 BOM that went
// through windows-1252 and back to UTF-8) at the very start.
//
// Invalid UTF-8 in a stream read as UTF-8 (declared, or detected from the
// sample when the damage comes later) is never passed on: each invalid byte
// becomes U+FFFD, the replacement character '�', so callers can spot damaged
// values with strings.ContainsRune(v, utf8.RuneError) and reject or flag them.
func NewDecoder(r io.Reader, declared string) (rd io.Reader, used string, err error) {
	name, err := canonicalEncoding(declared)
	if err != nil {
		return nil, "", err
	}
	br := bufio.NewReaderSize(r, SniffSize)
	sample, err := br.Peek(SniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", fmt.Errorf("reading the start of the file: %w", err)
	}
	if name == "" {
		name = DetectEncoding(sample)
	}
	discard := func(n int) { _, _ = br.Discard(n) }

	var dec *encoding.Decoder
	switch name {
	case UTF8, UTF8BOM:
		name = UTF8
		switch {
		case bytes.HasPrefix(sample, bomUTF8):
			discard(len(bomUTF8))
			name = UTF8BOM
		case bytes.HasPrefix(sample, mojibakeBOM):
			discard(len(mojibakeBOM))
		}
		return &utf8Reader{r: br}, name, nil
	case "utf-16", UTF16LE, UTF16BE:
		switch {
		case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
			name = UTF16LE
		case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
			name = UTF16BE
		case name == "utf-16":
			name = sniffUTF16(sample)
			if name == "" {
				name = UTF16LE
			}
		}
		order := xunicode.LittleEndian
		if name == UTF16BE {
			order = xunicode.BigEndian
		}
		dec = xunicode.UTF16(order, xunicode.UseBOM).NewDecoder()
	default:
		if bytes.HasPrefix(sample, bomUTF8) {
			discard(len(bomUTF8))
		}
		dec = singleByte(name).NewDecoder()
	}
	return transform.NewReader(br, dec), name, nil
}

// DetectEncoding guesses the encoding of the start of a file and returns one
// of the encoding names above. In order:
//
//  1. a byte order mark: UTF-8, UTF-16 LE or BE;
//  2. UTF-16 without a mark: at least a quarter of the byte pairs have a NUL
//     in one position (odd: little-endian, even: big-endian) and hardly any
//     NUL in the other;
//  3. UTF-8 when the sample is valid UTF-8 (a sequence cut off by the end of
//     the sample is allowed), or when valid multi-byte sequences outnumber
//     invalid bytes four to one (a damaged UTF-8 file: see NewDecoder);
//  4. otherwise the single-byte code page whose decoding reads most like
//     text: each byte ≥ 0x80 is decoded by windows-1252, cp850, iso-8859-1,
//     windows-1256 and iso-8859-6 and scored with its neighbours. Accented
//     letters between ASCII letters of the same case score high, Arabic
//     letters next to Arabic letters score high, symbols inside words,
//     box-drawing characters, control codes and undefined bytes score low,
//     Latin letters mixed into Arabic words score low. The highest total
//     wins; ties go to the earlier code page in the list above.
//
// An empty or pure-ASCII sample is "utf-8".
func DetectEncoding(sample []byte) string {
	switch {
	case bytes.HasPrefix(sample, bomUTF8):
		return UTF8BOM
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return UTF16LE
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return UTF16BE
	}
	if e := sniffUTF16(sample); e != "" {
		return e
	}
	if mostlyUTF8(sample) {
		return UTF8
	}
	best, bestScore := "", 0
	for i := range sbCandidates {
		c := &sbCandidates[i]
		if s := c.score(sample); best == "" || s > bestScore {
			best, bestScore = c.name, s
		}
	}
	return best
}

// sniffUTF16 recognises UTF-16 without a byte order mark by its NUL bytes.
func sniffUTF16(b []byte) string {
	n := len(b) &^ 1
	if n < 4 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*4 >= pairs && even*10 <= odd:
		return UTF16LE
	case even*4 >= pairs && odd*10 <= even:
		return UTF16BE
	}
	return ""
}

// mostlyUTF8 reports whether b is UTF-8, allowing a rune cut off at the end
// and a few damaged bytes.
func mostlyUTF8(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(b[i:]) {
				break // cut off by the end of the sample
			}
			invalid++
			i++
			continue
		}
		valid++
		i += n
	}
	return invalid == 0 || valid >= 4*invalid
}

// sbCandidate is a single-byte code page considered by DetectEncoding, with
// its bytes pre-classified so that scoring a sample is table look-ups only.
type sbCandidate struct {
	name string
	cls  [256]uint8 // character class of each byte
	base [256]int8  // how common the byte's letter is (accented Latin letters)
	sym  [256]uint8 // typographic role of the byte's symbol
	bad  [256]bool  // byte undefined in this code page
}

var sbCandidates = func() []sbCandidate {
	names := []string{Windows1252, CP850, ISO8859_1, Windows1256, ISO8859_6}
	cs := make([]sbCandidate, len(names))
	for i, n := range names {
		c := &cs[i]
		c.name = n
		cm := singleByte(n)
		for b := 0; b < 256; b++ {
			r := rune(b)
			if b >= 0x80 {
				r = cm.DecodeByte(byte(b))
			}
			c.cls[b] = classify(r)
			c.bad[b] = r == utf8.RuneError
			switch {
			case strings.ContainsRune(accentTier1, r):
				c.base[b] = 3
			case strings.ContainsRune(accentTier2, r):
				c.base[b] = 1
			}
			if strings.ContainsRune("’‘", r) {
				c.sym[b] |= symApostrophe
			}
			if strings.ContainsRune("“‘„«", r) {
				c.sym[b] |= symOpen
			}
			if strings.ContainsRune("”’»", r) {
				c.sym[b] |= symClose
			}
			if strings.ContainsRune("–—", r) {
				c.sym[b] |= symDash
			}
			if strings.ContainsRune("€£¥¢", r) {
				c.sym[b] |= symCurrency
			}
			if r == '…' {
				c.sym[b] |= symEllipsis
			}
			if r == '°' {
				c.sym[b] |= symDegree
			}
		}
	}
	return cs
}()

// Character classes for scoring.
const (
	kOther  = iota // ASCII punctuation; start or end of sample
	kSpace         // ASCII space
	kDigit         // ASCII digit
	kDot           // ASCII full stop
	kLower         // lower-case letter
	kUpper         // upper-case letter
	kArabic        // Arabic letter
	kMark          // Arabic diacritic
	kSymbol        // non-ASCII punctuation or symbol
	kNBSP          // no-break space
	kBox           // box drawing and blocks
	kBad           // control code or undefined byte
)

// Typographic roles of symbols.
const (
	symApostrophe = 1 << iota
	symOpen
	symClose
	symDash
	symCurrency
	symEllipsis
	symDegree
)

func classify(r rune) uint8 {
	switch {
	case r == ' ':
		return kSpace
	case r >= '0' && r <= '9':
		return kDigit
	case r == '.':
		return kDot
	case r == '\t' || r == '\n' || r == '\r':
		return kOther
	case r < 0x20 || r == 0x7F || r >= 0x80 && r < 0xA0 || r == utf8.RuneError:
		return kBad
	case r < 0x80 && unicode.IsLower(r):
		return kLower
	case r < 0x80 && unicode.IsUpper(r):
		return kUpper
	case r < 0x80:
		return kOther
	case r == 0xA0:
		return kNBSP
	case r >= 0x2500 && r <= 0x25FF:
		return kBox
	case r >= 0x064B && r <= 0x065F || r == 0x0670:
		return kMark
	case r >= 0x0600 && r <= 0x06FF && unicode.IsLetter(r):
		return kArabic
	case unicode.IsUpper(r):
		return kUpper
	case unicode.IsLetter(r):
		return kLower
	}
	return kSymbol
}

// Accented letters by how often they occur in the Spanish, French,
// Portuguese and Catalan found in budget files.
const (
	accentTier1 = "áéíóúñàèçãõüÁÉÍÓÚÑÀÈÇ"
	accentTier2 = "âêîôûùìòäëïöåæøœßÂÊÎÔÛÙÌÒÄËÏÖÅÆØŒÃÕÜ"
)

func (c *sbCandidate) score(b []byte) int {
	total := 0
	for i, x := range b {
		if x >= 0x80 {
			total += c.weight(b, i)
		}
	}
	return total
}

func isLetterClass(k uint8) bool { return k == kLower || k == kUpper }

// weight scores the byte b[i] (≥ 0x80) as decoded by c, in context.
func (c *sbCandidate) weight(b []byte, i int) int {
	x := b[i]
	k := c.cls[x]
	var pk, nk uint8 = kOther, kOther
	prevASCII, nextASCII := false, false
	if i > 0 {
		pk, prevASCII = c.cls[b[i-1]], b[i-1] < 0x80
	}
	if i+1 < len(b) {
		nk, nextASCII = c.cls[b[i+1]], b[i+1] < 0x80
	}
	switch k {
	case kBad:
		if c.bad[x] {
			return -10 // a byte this code page does not define
		}
		return -6 // a C1 control code
	case kBox:
		return -4
	case kMark:
		if pk == kArabic || pk == kMark {
			return 2
		}
		return -4
	case kArabic:
		w := 2
		for _, nb := range [2]uint8{pk, nk} {
			switch nb {
			case kArabic, kMark:
				w += 2
			case kLower, kUpper:
				w -= 3
			}
		}
		return w
	case kLower, kUpper:
		if !isLetterClass(pk) && !isLetterClass(nk) {
			return 0 // an accented letter standing alone is rare
		}
		w := 1 + int(c.base[x])
		switch {
		case isLetterClass(pk) && prevASCII:
			if k == kUpper && pk == kLower {
				w -= 2
			} else {
				w += 2
			}
		case pk == kArabic:
			w -= 3
		case pk == kSymbol:
			w--
		}
		switch {
		case isLetterClass(nk) && nextASCII:
			if k == kLower && nk == kUpper {
				w -= 2
			} else {
				w += 2
			}
		case nk == kArabic:
			w -= 3
		case nk == kSymbol:
			w--
		}
		return w
	case kNBSP:
		switch {
		case isLetterClass(pk) && isLetterClass(nk):
			return -4
		case pk == kDigit && nk == kDigit:
			return 1
		}
		return 0
	}
	// Punctuation and symbols: typographic marks in their usual places are
	// good evidence (for windows-1252 in particular); inside words they are not.
	sym := c.sym[x]
	wordish := func(k uint8) bool { return isLetterClass(k) || k == kDigit }
	switch {
	case sym&symApostrophe != 0 && isLetterClass(pk) && isLetterClass(nk):
		return 5
	case isLetterClass(pk) && isLetterClass(nk):
		return -5
	case sym&symOpen != 0 && !wordish(pk) && wordish(nk):
		return 4
	case sym&symClose != 0 && !wordish(nk) && pk != kSpace && i > 0:
		return 4
	case sym&symDash != 0 && (pk == kSpace && nk == kSpace || pk == kDigit && nk == kDigit):
		return 4
	case sym&symCurrency != 0 && (pk == kDigit || nk == kDigit || nk == kSpace && i+2 < len(b) && c.cls[b[i+2]] == kDigit):
		return 3
	case sym&symEllipsis != 0 && (isLetterClass(pk) || pk == kDot):
		return 3
	case sym&symDegree != 0 && pk == kDigit:
		return 3
	}
	return -1
}

// utf8Reader decodes UTF-8 as xunicode.UTF8's decoder does (each invalid
// byte sequence becomes U+FFFD), but passes valid text through without a
// transformer's copies: it only checks it. From the first invalid byte on,
// it hands the rest of the stream to the decoder.
type utf8Reader struct {
	r    io.Reader
	hold []byte // the start of a sequence cut by the end of the last read
	err  error  // the source's error, once it has one
	slow io.Reader
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	if u.slow != nil {
		return u.slow.Read(p)
	}
	if len(p) < utf8.UTFMax {
		u.toSlow(nil)
		return u.slow.Read(p)
	}
	n := copy(p, u.hold)
	u.hold = u.hold[:0]
	end := 0
	for {
		if u.err == nil {
			m, err := u.r.Read(p[n:])
			n += m
			u.err = err
		}
		end = n
		if u.err == nil {
			end = completeRunes(p[:n])
		}
		if end > 0 || u.err != nil || n == len(p) {
			break
		}
	}
	if !utf8.Valid(p[:end]) {
		i := firstInvalid(p[:end])
		u.toSlow(p[i:n])
		if i > 0 {
			return i, nil
		}
		return u.slow.Read(p)
	}
	u.hold = append(u.hold, p[end:n]...)
	if u.err != nil && len(u.hold) == 0 {
		return end, u.err
	}
	return end, nil
}

// toSlow decodes rest, then what the source has left, with xunicode.
func (u *utf8Reader) toSlow(rest []byte) {
	src := []io.Reader{bytes.NewReader(append(append([]byte(nil), u.hold...), rest...))}
	switch {
	case u.err == nil:
		src = append(src, u.r)
	case u.err != io.EOF:
		src = append(src, errReader{u.err})
	}
	u.hold = nil
	u.slow = transform.NewReader(io.MultiReader(src...), xunicode.UTF8.NewDecoder())
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// completeRunes returns the length of b without a multi-byte sequence
// that its end cuts short.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// firstInvalid returns the index of the first invalid sequence of b.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
