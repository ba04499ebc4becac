// Package textnorm folds names and labels into search keys, so that the many
// spellings found in budget files meet: "Ministère" and "MINISTERE",
// "SECRETARÍA" and "Secretaria", and Arabic written with or without hamza,
// vowel marks or tatweel, in Arabic or Persian letter forms ("مؤسسة",
// "موسسه" and "مؤسسه" share one key).
//
// A key is for matching only: it is never shown to users.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the search key of s: lower case, Latin accents removed
// (é→e, ñ→n, ç→c), Arabic normalised (every alef form أ إ آ ٱ → ا, hamza
// carriers ؤ → و and ئ → ي, ء removed, ta marbuta ة → ه, alef maqsura
// ى → ي, tatweel ـ and harakat U+064B–U+065F, U+0670 removed, Persian and
// Urdu ک → ك and ی → ي), Arabic-Indic and Persian digits → ASCII digits,
// punctuation → space, runs of spaces collapsed, and trimmed.
//
// In detail, each character is replaced by its compatibility decomposition
// (NFKD: ligatures, full-width forms and Arabic presentation forms become
// plain letters; accented letters become a base letter followed by marks)
// and lower-cased. Non-spacing marks (Mn) are dropped, which removes Latin
// accents, Arabic harakat and the hamza and madda carried by alef, waw and
// yeh. Invisible formatting characters (Cf: bidi marks, zero-width
// non-joiner, soft hyphen) are dropped; ß becomes ss and ς becomes σ.
// Letters, digits and spacing marks are kept; everything else (punctuation,
// symbols, spaces, control characters, invalid UTF-8) separates words, and
// words are joined by single spaces.
//
// Fold is idempotent: Fold(Fold(s)) == Fold(s). When s is already a key, or
// a key followed by separators, Fold returns (part of) s without allocating.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return fold(s, true)
		}
	}
	return foldASCII(s)
}

// foldASCII is Fold for ASCII text.
func foldASCII(s string) string {
	// Find where the key stops being a prefix of s.
	i := 0
	for i < len(s) {
		if keyByte[s[i]] {
			i++
			continue
		}
		if s[i] == ' ' && i > 0 && i+1 < len(s) && keyByte[s[i+1]] {
			i += 2
			continue
		}
		break
	}
	rest := i
	for rest < len(s) && asciiMap[s[rest]] == 0 {
		rest++
	}
	if rest == len(s) {
		return s[:i] // the rest is separators
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	pending := false
	for ; i < len(s); i++ {
		m := asciiMap[s[i]]
		if m == 0 {
			pending = true
			continue
		}
		if pending {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			pending = false
		}
		b.WriteByte(m)
	}
	return b.String()
}

// fold is Fold; with cached == false it does not use smallTable, which is
// how smallTable itself is built.
func fold(s string, cached bool) string {
	f := folder{src: s}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// Copy a run of bytes that are already key bytes in one go.
			j := i
			for j < len(s) && keyByte[s[j]] {
				j++
			}
			if j > i {
				f.word()
				f.writeString(s[i:j])
				i = j
				continue
			}
			if m := asciiMap[c]; m != 0 {
				f.word()
				f.writeByte(m)
			} else {
				f.pending = true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n == 1 { // invalid UTF-8
			f.pending = true
			continue
		}
		if cached && r < smallRunes {
			switch e := &smallTable[r]; e.kind {
			case kindWord:
				f.word()
				f.writeString(e.out)
				continue
			case kindSep:
				f.pending = true
				continue
			case kindDrop:
				continue
			}
		}
		if d := norm.NFKD.PropertiesString(s[i-n : i]).Decomposition(); len(d) > 0 {
			for _, x := range string(d) {
				f.rune(x, 0)
			}
		} else {
			f.rune(r, 0)
		}
	}
	return f.result()
}

// asciiMap maps an ASCII byte to its key byte, or 0 for a separator.
// keyByte reports the bytes that are their own key byte (a-z, 0-9).
var asciiMap, keyByte = func() (m [128]byte, k [256]bool) {
	for c := byte('0'); c <= '9'; c++ {
		m[c], k[c] = c, true
	}
	for c := byte('a'); c <= 'z'; c++ {
		m[c], k[c] = c, true
		m[c-'a'+'A'] = c
	}
	return m, k
}()

// smallTable caches how each character below smallRunes (Latin, Greek,
// Cyrillic, Hebrew, Arabic…) folds, when that does not depend on its
// neighbours; kindSlow entries go through the full path.
const smallRunes = 0x800

const (
	kindSlow = iota
	kindWord // part of a word: write out
	kindSep  // separates words
	kindDrop // vanishes
)

type smallEntry struct {
	out  string
	kind uint8
}

var smallTable *[smallRunes]smallEntry

func init() { smallTable = buildSmallTable() }

func buildSmallTable() *[smallRunes]smallEntry {
	var t [smallRunes]smallEntry
	for r := rune(utf8.RuneSelf); r < smallRunes; r++ {
		// Fold the character between two letters to see what it does.
		k := fold("a"+string(r)+"a", false)
		switch {
		case k == "a a":
			t[r].kind = kindSep
		case k == "aa":
			t[r].kind = kindDrop
		case len(k) > 2 && k[0] == 'a' && k[len(k)-1] == 'a' && !strings.Contains(k, " "):
			t[r] = smallEntry{out: k[1 : len(k)-1], kind: kindWord}
		}
	}
	return &t
}

// Tokens returns the folded words of s (split on spaces), for indexing. It
// returns nil when s has no words.
func Tokens(s string) []string {
	k := Fold(s)
	if k == "" {
		return nil
	}
	return strings.Split(k, " ")
}

// folder writes a key. As long as the key is a prefix of the source it
// writes nothing and only counts; it copies into b at the first difference.
type folder struct {
	src      string
	b        strings.Builder
	building bool
	n        int  // bytes of key so far
	pending  bool // a separator is waiting for the next word
}

func (f *folder) result() string {
	if f.building {
		return f.b.String()
	}
	return f.src[:f.n]
}

func (f *folder) diverge() {
	f.building = true
	f.b.Grow(len(f.src))
	f.b.WriteString(f.src[:f.n])
}

func (f *folder) writeByte(c byte) {
	if !f.building {
		if f.n < len(f.src) && f.src[f.n] == c {
			f.n++
			return
		}
		f.diverge()
	}
	f.b.WriteByte(c)
	f.n++
}

func (f *folder) writeString(s string) {
	if !f.building {
		if strings.HasPrefix(f.src[f.n:], s) {
			f.n += len(s)
			return
		}
		f.diverge()
	}
	f.b.WriteString(s)
	f.n += len(s)
}

func (f *folder) writeRune(r rune) {
	if r < utf8.RuneSelf {
		f.writeByte(byte(r))
		return
	}
	var buf [utf8.UTFMax]byte
	e := utf8.EncodeRune(buf[:], r)
	f.writeString(string(buf[:e]))
}

// word starts or continues a word.
func (f *folder) word() {
	if f.pending {
		f.pending = false
		if f.n > 0 {
			f.writeByte(' ')
		}
	}
}

func (f *folder) sep() { f.pending = true }

func (f *folder) ascii(c byte) {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		f.word()
		f.writeByte(c)
	case c >= 'A' && c <= 'Z':
		f.word()
		f.writeByte(c + 'a' - 'A')
	default:
		f.sep()
	}
}

// rune folds one fully decomposed character.
func (f *folder) rune(r rune, depth int) {
	if r < utf8.RuneSelf {
		f.ascii(byte(r))
		return
	}
	switch r {
	case 'ٱ', 'ٲ', 'ٳ': // alef wasla and alef with wavy hamza
		r = 'ا'
	case 'ء', 'ٴ', 'ـ': // hamza, high hamza, tatweel
		return
	case 'ة', 'ھ', 'ہ', 'ە': // ta marbuta; Urdu and Kurdish heh
		r = 'ه'
	case 'ى', 'ی', 'ې', 'ے': // alef maqsura; Persian and Urdu yeh
		r = 'ي'
	case 'ک', 'ڪ': // Persian and swash kaf
		r = 'ك'
	case 'ß':
		f.word()
		f.writeByte('s')
		f.writeByte('s')
		return
	case 'ς':
		r = 'σ'
	}
	switch {
	case r >= '٠' && r <= '٩':
		f.ascii(byte('0' + r - '٠'))
		return
	case r >= '۰' && r <= '۹':
		f.ascii(byte('0' + r - '۰'))
		return
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return
	case unicode.IsLetter(r):
		if lr := unicode.ToLower(r); lr != r && depth < 4 {
			if lr >= utf8.RuneSelf && depth < 3 {
				if d := norm.NFKD.PropertiesString(string(lr)).Decomposition(); len(d) > 0 {
					for _, x := range string(d) {
						f.rune(x, depth+1)
					}
					return
				}
			}
			f.rune(lr, depth+1)
			return
		}
		f.word()
		f.writeRune(r)
	case unicode.In(r, unicode.N, unicode.Mc):
		f.word()
		f.writeRune(r)
	default:
		f.sep()
	}
}
