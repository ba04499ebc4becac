package loadtest

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// clientStats is what one client saw; clients never share one, so
// recording takes no lock.
type clientStats struct {
	ok          map[Kind][]time.Duration // latencies of successful requests
	exhausted   map[Kind]int64
	errors      map[Kind]map[connect.Code]int64
	samples     []string // the first error messages
	exportBytes int64
	slowest     map[Kind]slowRequest
}

// slowRequest is the slowest request of a kind, as JSON.
type slowRequest struct {
	d   time.Duration
	req string
}

func newClientStats() *clientStats {
	return &clientStats{ok: map[Kind][]time.Duration{}, exhausted: map[Kind]int64{}, errors: map[Kind]map[connect.Code]int64{}, slowest: map[Kind]slowRequest{}}
}

func (s *clientStats) record(k Kind, d time.Duration, err error, req proto.Message) {
	if d > s.slowest[k].d && req != nil {
		s.slowest[k] = slowRequest{d: d, req: protojson.Format(req)}
	}
	switch code := connect.CodeOf(err); {
	case err == nil:
		s.ok[k] = append(s.ok[k], d)
	case code == connect.CodeResourceExhausted:
		s.exhausted[k]++
	default:
		if s.errors[k] == nil {
			s.errors[k] = map[connect.Code]int64{}
		}
		s.errors[k][code]++
		if len(s.samples) < 3 {
			s.samples = append(s.samples, fmt.Sprintf("%s: %v", k, err))
		}
	}
}

// KindResult is what one kind of request (or all of them) measured.
type KindResult struct {
	// Kind is the request kind; "all" for the overall row.
	Kind Kind
	// Requests is every request sent; OK + Exhausted + the errors.
	Requests int64
	// OK is the requests answered without error.
	OK int64
	// Exhausted is the requests refused with ResourceExhausted (the
	// server's bounded queue working as intended).
	Exhausted int64
	// Errors counts every other failure by Connect code ("deadline_exceeded").
	Errors map[string]int64
	// Latency percentiles and maximum of the successful requests.
	P50, P95, P99, Max time.Duration
}

// ErrorCount is the requests that failed with an error other than
// ResourceExhausted.
func (k KindResult) ErrorCount() int64 {
	var n int64
	for _, c := range k.Errors {
		n += c
	}
	return n
}

// Result is what a load run measured.
type Result struct {
	// Clients is the number of concurrent clients.
	Clients int
	// Elapsed is the wall time from the first request to the last answer.
	Elapsed time.Duration
	// Datasets are the datasets queried, with their rows.
	Datasets []string
	// Kinds has one entry per kind in the mix, in report order.
	Kinds []KindResult
	// Overall adds up every kind.
	Overall KindResult
	// PeakRSS is the largest VmRSS sampled (every 100 ms), in bytes.
	PeakRSS int64
	// HWM is the server's VmHWM at the end: its peak RSS over its whole
	// life, in bytes.
	HWM int64
	// RSSSamples is the number of memory samples taken.
	RSSSamples int
	// ExportBytes is the CSV bytes read from exports.
	ExportBytes int64
	// GoroutinesBefore and GoroutinesAfter are the server's goroutines
	// before the load and once it has settled after it.
	GoroutinesBefore, GoroutinesAfter int
	// InFlightAfter is the requests the server still counts in flight
	// after every client has its answer (a hung request if not zero).
	InFlightAfter int
	// Slowest is the slowest request of each kind (JSON), with its time.
	Slowest map[Kind]string
	// ErrorSamples are the first error messages.
	ErrorSamples []string
	// Notes say what was dropped from the mix and why.
	Notes []string
}

// Errors is the number of failed requests other than ResourceExhausted:
// the load_errors figure.
func (r *Result) Errors() int64 { return r.Overall.ErrorCount() }

// PeakMemory is the larger of the sampled peak RSS and VmHWM, in bytes.
func (r *Result) PeakMemory() int64 { return max(r.PeakRSS, r.HWM) }

// summarize merges the clients' stats.
func (r *Result) summarize(stats []*clientStats, p *plan) {
	var all []time.Duration
	r.Overall = KindResult{Kind: "all", Errors: map[string]int64{}}
	for _, k := range Kinds {
		if p.weights[k] == 0 {
			continue
		}
		kr := KindResult{Kind: k, Errors: map[string]int64{}}
		var lat []time.Duration
		for _, s := range stats {
			lat = append(lat, s.ok[k]...)
			kr.Exhausted += s.exhausted[k]
			for code, n := range s.errors[k] {
				kr.Errors[code.String()] += n
				r.Overall.Errors[code.String()] += n
			}
		}
		kr.OK = int64(len(lat))
		kr.Requests = kr.OK + kr.Exhausted + kr.ErrorCount()
		kr.P50, kr.P95, kr.P99, kr.Max = percentiles(lat)
		r.Kinds = append(r.Kinds, kr)
		r.Overall.Requests += kr.Requests
		r.Overall.OK += kr.OK
		r.Overall.Exhausted += kr.Exhausted
		all = append(all, lat...)
	}
	r.Overall.P50, r.Overall.P95, r.Overall.P99, r.Overall.Max = percentiles(all)
	slowest := map[Kind]slowRequest{}
	for _, s := range stats {
		for k, sr := range s.slowest {
			if sr.d > slowest[k].d {
				slowest[k] = sr
			}
		}
	}
	r.Slowest = map[Kind]string{}
	for k, sr := range slowest {
		r.Slowest[k] = fmt.Sprintf("%s ms: %s", msText(sr.d), compactJSON(sr.req))
	}
	for _, s := range stats {
		r.ExportBytes += s.exportBytes
		for _, e := range s.samples {
			if len(r.ErrorSamples) < 10 {
				r.ErrorSamples = append(r.ErrorSamples, e)
			}
		}
	}
}

// percentiles returns the 50th, 95th and 99th percentiles (nearest rank)
// and the maximum of ds; zeros when empty. ds is sorted in place.
func percentiles(ds []time.Duration) (p50, p95, p99, maxd time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	return Percentile(ds, 50), Percentile(ds, 95), Percentile(ds, 99), ds[len(ds)-1]
}

// Percentile returns the p-th percentile of sorted durations by the
// nearest-rank method: the smallest value with at least p% of the values
// at or below it.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// MiB converts bytes to whole MiB.
func MiB(b int64) int64 { return b >> 20 }

// WriteReport writes the per-kind table and the server figures.
func (r *Result) WriteReport(w io.Writer) {
	fmt.Fprintf(w, "load: %d clients for %s; datasets: %s\n\n", r.Clients, r.Elapsed.Round(time.Millisecond), strings.Join(r.Datasets, ", "))
	fmt.Fprintln(w, "| kind | requests | ok | exhausted | errors | p50 ms | p95 ms | p99 ms | max ms |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
	for _, k := range append(slices.Clone(r.Kinds), r.Overall) {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %s | %s | %s | %s | %s |\n", k.Kind, k.Requests, k.OK, k.Exhausted,
			errorText(k.Errors), msText(k.P50), msText(k.P95), msText(k.P99), msText(k.Max))
	}
	fmt.Fprintln(w)
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "- throughput: %.0f requests/s, %.0f answered/s; exports read %d MiB\n",
		float64(r.Overall.Requests)/secs, float64(r.Overall.OK)/secs, MiB(r.ExportBytes))
	fmt.Fprintf(w, "- server memory: peak VmRSS %d MiB (%d samples every 100 ms), VmHWM %d MiB\n", MiB(r.PeakRSS), r.RSSSamples, MiB(r.HWM))
	fmt.Fprintf(w, "- server goroutines: %d before, %d after; requests in flight after: %d\n", r.GoroutinesBefore, r.GoroutinesAfter, r.InFlightAfter)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- note: %s\n", n)
	}
	for _, e := range r.ErrorSamples {
		fmt.Fprintf(w, "- error: %s\n", e)
	}
	for _, k := range r.Kinds {
		if s := r.Slowest[k.Kind]; s != "" {
			fmt.Fprintf(w, "- slowest %s: %s\n", k.Kind, s)
		}
	}
}

// compactJSON joins protojson's output onto one line.
func compactJSON(s string) string { return strings.Join(strings.Fields(s), " ") }

func errorText(errs map[string]int64) string {
	if len(errs) == 0 {
		return "0"
	}
	var parts []string
	for code, n := range errs {
		parts = append(parts, fmt.Sprintf("%s=%d", code, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func msText(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}
