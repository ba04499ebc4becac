package synth

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest"
)

// Series names one of the reference series that come with the budget, for
// per-capita, constant-price and currency normalisation.
type Series string

// The reference series.
const (
	// Population is the mid-year population, in persons (0 decimals).
	Population Series = "population"
	// CPI is the consumer price index, base year = 100 (3 decimals); the
	// base year is 2020 when covered, else the first year.
	CPI Series = "cpi"
	// FXUSD is the exchange rate in US dollars per unit of the budget's
	// currency, the annual average (6 decimals): multiply to convert.
	FXUSD Series = "fx-usd"
)

// AllSeries lists the reference series in a fixed order.
var AllSeries = []Series{Population, CPI, FXUSD}

// seriesMeta is what differs between the series.
type seriesMeta struct {
	measure  string // for exchange rates, the target currency
	decimals int32
	title    func(Config) mizan.Text
}

var seriesInfo = map[Series]seriesMeta{
	Population: {"population", 0, func(Config) mizan.Text {
		return mizan.Text{"en": "Demo State population (synthetic)", "ar": "عدد سكان الدولة التجريبية (بيانات اصطناعية)"}
	}},
	CPI: {"cpi", 3, func(c Config) mizan.Text {
		b := strconv.Itoa(cpiBaseYear(c))
		return mizan.Text{"en": "Demo State consumer price index, " + b + " = 100 (synthetic)", "ar": "الرقم القياسي لأسعار المستهلك في الدولة التجريبية، " + b + " = 100 (بيانات اصطناعية)"}
	}},
	FXUSD: {"USD", 6, func(c Config) mizan.Text {
		return mizan.Text{"en": "Demo State exchange rate, US dollars per " + c.Currency + " (synthetic)", "ar": "سعر الصرف في الدولة التجريبية، دولار أمريكي لكل " + c.Currency + " (بيانات اصطناعية)"}
	}},
}

// SeriesID returns the dataset id of a series: the budget's id, a hyphen
// and the series name ("demo-budget-population").
func SeriesID(cfg Config, s Series) string { return cfg.normalized().ID + "-" + string(s) }

// SeriesFileName is the name of a series' CSV in its descriptor's source.
func SeriesFileName(cfg Config, s Series) string { return SeriesID(cfg, s) + ".csv" }

// SeriesDescriptor returns the descriptor of a series dataset (kind
// series): one row per year with columns year and value. Population and CPI
// rows have the measure "population" or "cpi"; exchange-rate rows have the
// budget's currency and the measure "USD", the target currency, as the
// query package reads rates (one unit of the currency is value US dollars).
// Every series carries the budget's currency because ingest requires an
// ISO 4217 code and does not accept XXX ("no currency").
func SeriesDescriptor(cfg Config, s Series) *ingest.Descriptor {
	cfg = cfg.normalized()
	info, ok := seriesInfo[s]
	if !ok {
		return nil
	}
	return &ingest.Descriptor{
		ID:    SeriesID(cfg, s),
		Kind:  mizan.KindSeries,
		Title: info.title(cfg),
		Description: mizan.Text{
			"en": "Generated reference series of the fictional Demo State, for normalising " + cfg.ID + ". Not real data.",
			"ar": "سلسلة مرجعية مولّدة للدولة التجريبية الخيالية، لمعايرة " + cfg.ID + ". ليست بيانات حقيقية.",
		},
		Publisher: publisher,
		Country:   cfg.Country,
		Currency:  cfg.Currency,
		Licence:   licence,
		Synthetic: true,
		Decimals:  ptr(info.decimals),
		Sources: []ingest.SourceSpec{{
			Name:      SeriesFileName(cfg, s),
			Format:    "csv",
			Encoding:  "utf-8",
			Delimiter: ",",
			HeaderRow: 1,
			Number:    ingest.NumberSpec{Decimal: "."},
			Mapping: ingest.Mapping{
				Year:     &ingest.Field{Column: "year"},
				Measure:  &ingest.Field{Value: info.measure},
				Currency: &ingest.Field{Value: cfg.Currency},
				Amount:   &ingest.Field{Column: "value"},
			},
		}},
	}
}

// WriteSeries writes a series as CSV with the columns year and value, one
// row per year of cfg.
func WriteSeries(w io.Writer, cfg Config, s Series) error {
	cfg = cfg.normalized()
	if err := cfg.validate(); err != nil {
		return err
	}
	var values []int64
	switch s {
	case Population:
		values = population(cfg)
	case CPI:
		values = cpi(cfg)
	case FXUSD:
		values = fxUSD(cfg)
	default:
		return fmt.Errorf("synth: unknown series %q", s)
	}
	decimals := seriesInfo[s].decimals
	b := []byte("year,value\n")
	for t, v := range values {
		b = strconv.AppendInt(b, int64(cfg.StartYear+t), 10)
		b = append(b, ',')
		b = appendDecimal(b, v, decimals)
		b = append(b, '\n')
	}
	_, err := w.Write(b)
	return err
}

// seriesRand returns a random stream for a series, apart from the
// budget lines' streams.
func seriesRand(cfg Config, s Series) rng {
	var h uint64 = 1 << 63
	for _, c := range s {
		h = h*31 + uint64(c)
	}
	return rng{rand.NewPCG(cfg.Seed, h)}
}

// population grows from 4.62 million in 2015 by 1.9% a year, slowing.
func population(cfg Config) []int64 {
	r := seriesRand(cfg, Population)
	v := int64(4_620_000)
	for y := 2015; y > cfg.StartYear; y-- { // back-cast before 2015
		v = v * 1000 / 1019
	}
	out := make([]int64, cfg.Years)
	for t := range out {
		if t > 0 {
			g := max(12, 19-int64(cfg.StartYear+t-2016)/2) // per mille
			v = v * (10_000 + 10*g + r.between(-8, 8)) / 10_000
		}
		out[t] = v
	}
	return out
}

// inflation by calendar year, in basis points.
var inflation = map[int]int64{
	2016: -60, 2017: 330, 2018: 450, 2019: 70, 2020: 40, 2021: 130,
	2022: 420, 2023: 210, 2024: 160, 2025: 190, 2026: 200,
}

func cpiBaseYear(cfg Config) int {
	cfg = cfg.normalized()
	if cfg.StartYear <= 2020 && 2020 <= cfg.EndYear() {
		return 2020
	}
	return cfg.StartYear
}

// cpi is the price level in thousandths of an index point, base year =
// 100.000.
func cpi(cfg Config) []int64 {
	level := make([]int64, cfg.Years) // in millionths
	v := int64(1_000_000)
	for t := range level {
		if t > 0 {
			inf, ok := inflation[cfg.StartYear+t]
			if !ok {
				inf = 200
			}
			v = v * (10_000 + inf) / 10_000
		}
		level[t] = v
	}
	base := level[cpiBaseYear(cfg)-cfg.StartYear]
	out := make([]int64, len(level))
	for t, l := range level {
		out[t] = mulDiv(l, 100_000, base)
	}
	return out
}

// usdPerUnit is the US dollar value of one unit of the 3-decimal currencies,
// in millionths, and how far it drifts in a year (per ten thousand): the
// pegged currencies do not.
var usdPerUnit = map[string][2]int64{
	"KWD": {3_290_000, 60},
	"BHD": {2_659_574, 0},
	"OMR": {2_600_780, 0},
	"JOD": {1_410_437, 0},
	"TND": {340_000, 300},
	"LYD": {720_000, 400},
	"IQD": {760, 100},
}

// fxUSD is the annual average rate in millionths of a US dollar per unit;
// currencies not listed get 1.000000.
func fxUSD(cfg Config) []int64 {
	r := seriesRand(cfg, FXUSD)
	p, ok := usdPerUnit[cfg.Currency]
	if !ok {
		p = [2]int64{1_000_000, 0}
	}
	v := p[0]
	out := make([]int64, cfg.Years)
	for t := range out {
		if t > 0 && p[1] > 0 {
			v = v * (10_000 + r.between(-p[1], p[1]/2)) / 10_000
		}
		out[t] = v
	}
	return out
}

// appendDecimal appends v / 10^decimals with exactly decimals places.
func appendDecimal(b []byte, v int64, decimals int32) []byte {
	if decimals == 0 {
		return strconv.AppendInt(b, v, 10)
	}
	p := int64(1)
	for range decimals {
		p *= 10
	}
	b = strconv.AppendInt(b, v/p, 10)
	b = append(b, '.')
	return appendPadded(b, v%p, int(decimals))
}
