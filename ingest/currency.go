package ingest

import "strings"

// currencyCodes lists the ISO 4217 currency codes Mizan accepts, with the
// minor units each is kept with by default.
var currencyCodes = func() map[string]int32 {
	m := map[string]int32{}
	// Two minor units, the common case.
	for _, c := range strings.Fields(`AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND
BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP
ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR
KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VES WST XCD XCG XDR YER ZAR
ZMW ZWG ZWL`) {
		m[c] = 2
	}
	for _, c := range strings.Fields(`BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF`) {
		m[c] = 0
	}
	for _, c := range strings.Fields(`BHD IQD JOD KWD LYD OMR TND`) {
		m[c] = 3
	}
	for _, c := range strings.Fields(`CLF UYW`) {
		m[c] = 4
	}
	return m
}()

// MinorUnits returns the number of decimal places ISO 4217 gives a
// currency (2 for EUR, 3 for BHD, 0 for JPY) and whether the code is known.
func MinorUnits(code string) (int32, bool) {
	n, ok := currencyCodes[code]
	return n, ok
}
