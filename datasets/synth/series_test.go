package synth

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest"
)

func TestSeries(t *testing.T) {
	cfg := Config{}.normalized()
	check := map[Series]func(y int, v float64) bool{
		Population: func(_ int, v float64) bool { return v > 4e6 && v < 6.5e6 },
		CPI:        func(y int, v float64) bool { return v > 80 && v < 130 && (y != 2020 || v == 100) },
		FXUSD:      func(_ int, v float64) bool { return v > 3.1 && v < 3.5 },
	}
	for _, s := range AllSeries {
		var a, b bytes.Buffer
		if err := WriteSeries(&a, cfg, s); err != nil {
			t.Fatal(err)
		}
		if err := WriteSeries(&b, cfg, s); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: not deterministic", s)
		}
		tab := parseCSV(t, a.Bytes())
		if diff := cmp.Diff([]string{"year", "value"}, tab.header); diff != "" {
			t.Errorf("%s header (-want +got):\n%s", s, diff)
		}
		d := SeriesDescriptor(cfg, s)
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", s, err)
		}
		if d.Kind != mizan.KindSeries || !d.Synthetic || d.ID != "demo-budget-"+string(s) {
			t.Errorf("%s: descriptor %s kind %s synthetic %v", s, d.ID, d.Kind, d.Synthetic)
		}
		if len(tab.rows) != cfg.Years {
			t.Fatalf("%s: %d rows", s, len(tab.rows))
		}
		prev := 0.0
		for i, row := range tab.rows {
			y, _ := strconv.Atoi(row[0])
			v, err := strconv.ParseFloat(row[1], 64)
			if y != cfg.StartYear+i || err != nil || !check[s](y, v) {
				t.Errorf("%s: row %v", s, row)
			}
			if frac := len(row[1]) - bytes.IndexByte([]byte(row[1]+"."), '.') - 1; int32(max(frac, 0)) != *d.Decimals {
				t.Errorf("%s: %q has %d decimals; descriptor says %d", s, row[1], frac, *d.Decimals)
			}
			if s == Population && v <= prev {
				t.Errorf("population falls in %d", y)
			}
			prev = v
		}
	}
	if fx := SeriesDescriptor(cfg, FXUSD).Sources[0].Mapping; fx.Currency.Value != "KWD" || fx.Measure.Value != "USD" {
		t.Errorf("exchange rates: currency %q, measure %q; want KWD, USD", fx.Currency.Value, fx.Measure.Value)
	}
	if SeriesDescriptor(cfg, "gdp") != nil || WriteSeries(&bytes.Buffer{}, cfg, "gdp") == nil {
		t.Error("unknown series accepted")
	}
}

func TestBundle(t *testing.T) {
	cfg := Config{Rows: 2000}
	ds, fsys, err := Bundle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1+len(AllSeries) || len(fsys) != len(ds) {
		t.Fatalf("%d descriptors, %d files", len(ds), len(fsys))
	}
	for _, d := range ds {
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", d.ID, err)
		}
		if f := fsys[d.Sources[0].Name]; f == nil || len(f.Data) == 0 {
			t.Errorf("%s: no file %s", d.ID, d.Sources[0].Name)
		}
	}
	if !bytes.Equal(fsys[FileName(cfg)].Data, generate(t, cfg)) {
		t.Error("bundled CSV differs from WriteCSV")
	}
	dir := t.TempDir()
	ws, err := WriteFiles(dir, cfg)
	if err != nil || len(ws) != len(ds) || ws[0].Dir() != dir {
		t.Fatalf("WriteFiles: %v, %d descriptors", err, len(ws))
	}
}

// A descriptor survives YAML, so it can be saved next to its files.
func TestDescriptorYAML(t *testing.T) {
	for _, cfg := range []Config{{}, {Rows: 1000, CodesOnly: true}} {
		d := Descriptor(cfg)
		out, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back ingest.Descriptor
		if err := yaml.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, &back, cmpopts.IgnoreUnexported(ingest.Descriptor{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("YAML round trip (-want +got):\n%s", diff)
		}
	}
}
