package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isoCurrencies lists ISO 4217 codes (current ones and a few recently
// replaced ones still found in older budget files).
const isoCurrencies = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND
BOB BOV BRL BSD BTN BWP BYN BYR BZD CAD CDF CHF CLF CLP CNY COP CRC CUC CUP CVE CYP CZK DEM DJF
DKK DOP DZD EEK EGP ERN ESP ETB EUR FIM FJD FKP FRF GBP GEL GHS GIP GMD GNF GRD GTQ GYD HKD HNL HRK
HTG HUF IDR IEP ILS INR IQD IRR ISK ITL JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT MOP MRO MRU MTL MUR MVR MWK MXN MXV MYR MZN NAD
NGN NIO NLG NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PTE PYG QAR ROL RON RSD RUB RWF SAR SBD SCR
SDG SEK SGD SHP SIT SKK SLE SLL SOS SRD SSP STD STN SVC SYP SZL THB TJS TMT TND TOP TRL TRY TTD
TWD TZS UAH UGX USD USN UYU UZS VEB VEF VES VND VUV WST XAF XCD XCG XDR XOF XPF YER ZAR ZMK ZMW
ZWG ZWL`

// localCurrencies lists common local abbreviations and names, upper-cased
// and without dots: "BD" and "د.ب" for Bahraini dinars, "ر.س" for riyals,
// "ден" for Macedonian denars. Subunits (fils, cents) are deliberately absent:
// "500 fils" must not silently read as 500 dinars.
const localCurrencies = `BD KD SR QR RO LE DH DHS RS RP RM KR FR SFR FT ZŁ ZL TL YEN RMB NIS KSH USH TSH
ДЕН МКД ЛВ РУБ ГРН ТГ
دب بد دك دع دا دإ دأ دج دت دل دم رس رق رع ري جم جس لل لس ريال ريالا درهم دراهم دينار دينارا جنيه ليرة دولار يورو تومان`

// dollarPrefixes are currency marks that combine letters and a symbol.
var dollarPrefixes = []string{"US$", "NZ$", "HK$", "NT$", "MX$", "RD$", "C$", "A$", "S$", "R$", "S/.", "S/"}

var currencyWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(isoCurrencies + " " + localCurrencies) {
		m[w] = true
	}
	return m
}()

// isCurrencyWord reports whether w (letters and dots) is a currency code or
// abbreviation, ignoring case and dots. It does not allocate.
func isCurrencyWord(w string) bool {
	var buf [40]byte
	b := buf[:0]
	for _, r := range w {
		if r == '.' {
			continue
		}
		r = unicode.ToUpper(r)
		if len(b)+utf8.RuneLen(r) > len(buf) {
			return false
		}
		b = utf8.AppendRune(b, r)
	}
	return len(b) > 0 && currencyWords[string(b)]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) }

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// currencyPrefix returns the length in bytes of a currency symbol or code at
// the start of s, or 0 if there is none.
func currencyPrefix(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if r < utf8.RuneSelf && !isASCIILetter(r) {
		if r == '$' {
			return 1
		}
		return 0
	}
	if unicode.Is(unicode.Sc, r) {
		return n
	}
	for _, p := range dollarPrefixes {
		if strings.HasPrefix(s, p) {
			return len(p)
		}
	}
	if !isWordRune(r) {
		return 0
	}
	k := 0
	for k < len(s) {
		r, n := utf8.DecodeRuneInString(s[k:])
		if !isWordRune(r) && r != '.' {
			break
		}
		k += n
	}
	for w := s[:k]; w != ""; w = w[:len(w)-1] {
		if isCurrencyWord(w) {
			return len(w)
		}
		if !strings.HasSuffix(w, ".") {
			break
		}
	}
	return 0
}

// currencySuffix returns the length in bytes of a currency symbol or code at
// the end of s, or 0 if there is none.
func currencySuffix(s string) int {
	r, n := utf8.DecodeLastRuneInString(s)
	if r < utf8.RuneSelf && !isASCIILetter(r) && r != '.' {
		if r == '$' {
			return 1
		}
		return 0
	}
	if unicode.Is(unicode.Sc, r) {
		return n
	}
	if !isWordRune(r) && r != '.' {
		return 0
	}
	k := len(s)
	for k > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:k])
		if !isWordRune(r) && r != '.' {
			break
		}
		k -= n
	}
	// Dots at the start of the run belong to the number ("5.BHD").
	for k < len(s) && s[k] == '.' {
		k++
	}
	if k < len(s) && isCurrencyWord(s[k:]) {
		return len(s) - k
	}
	return 0
}
