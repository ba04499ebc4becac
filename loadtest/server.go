package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BuildBinary builds the mizan command of the module at root (with the
// duckdb_arrow tag) into dir and returns the binary's path.
func BuildBinary(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "mizan")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "duckdb_arrow", "-o", bin, "./cmd/mizan")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build mizan in %s: %w\n%s", root, err, out.Bytes())
	}
	return bin, nil
}

// ServerOptions say how to start `mizan serve`.
type ServerOptions struct {
	// Bin is the mizan binary.
	Bin string
	// DataDir is the data directory; it must already hold the datasets
	// (the server is started with --no-demo).
	DataDir string
	// MemoryLimit is passed as --memory-limit ("1GB"); required, since the
	// memory bound of a load run is stated against it.
	MemoryLimit string
	// MaxConcurrent is passed as --max-concurrent; 0 keeps the server's
	// default.
	MaxConcurrent int
	// Args are more `mizan serve` flags (ProxyArgs, say).
	Args []string
	// Log receives the server's standard output and error; nil discards
	// them.
	Log *os.File
}

// Server is a running `mizan serve` subprocess on a loopback port.
type Server struct {
	// Addr is host:port of the API.
	Addr string

	cmd  *exec.Cmd
	done chan struct{}
	err  error // the process's exit, once done is closed
}

// StartServer starts `mizan serve` on a free loopback port and waits until
// it answers HTTP.
func StartServer(ctx context.Context, opts ServerOptions) (*Server, error) {
	if _, err := ParseBytes(opts.MemoryLimit); err != nil {
		return nil, fmt.Errorf("memory limit: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"serve", "--data", opts.DataDir, "--addr", addr, "--no-demo", "--memory-limit", opts.MemoryLimit}
	if opts.MaxConcurrent > 0 {
		args = append(args, "--max-concurrent", strconv.Itoa(opts.MaxConcurrent))
	}
	args = append(args, opts.Args...)
	// Not CommandContext: Stop ends the server with SIGTERM and waits for
	// its graceful shutdown, which a cancelled context would cut short.
	cmd := exec.Command(opts.Bin, args...)
	if opts.Log != nil {
		cmd.Stdout, cmd.Stderr = opts.Log, opts.Log
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", opts.Bin, err)
	}
	s := &Server{Addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx, 2*time.Minute); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// URL is the base URL of the API.
func (s *Server) URL() string { return "http://" + s.Addr }

// waitReady polls the health endpoint until the server answers.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-s.done:
			return fmt.Errorf("mizan serve exited before it was ready: %v\n%s", s.err, s.logTail(2000))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := hc.Get(s.URL() + "/metrics")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mizan serve on %s not ready after %s: %v", s.Addr, limit, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logTail returns the end of the server's log file, for error messages.
func (s *Server) logTail(n int64) string {
	f, ok := s.cmd.Stderr.(*os.File)
	if !ok {
		return ""
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return ""
	}
	if int64(len(b)) > n {
		b = b[int64(len(b))-n:]
	}
	return string(bytes.TrimSpace(b))
}

// Exited reports whether the server process has ended (a crash under
// load).
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM, waits for the graceful shutdown (at most a minute,
// then SIGKILL) and returns the process's exit error, if any.
func (s *Server) Stop() error {
	if s.Exited() {
		return s.exitErr()
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.exitErr()
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("mizan serve did not stop within a minute of SIGTERM; killed")
	}
}

func (s *Server) exitErr() error {
	if s.err != nil {
		return fmt.Errorf("mizan serve: %w", s.err)
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ParseBytes reads a size as DuckDB's memory_limit takes it ("512MB",
// "1GB", "1.5GiB"): KB, MB, GB, TB are powers of 1000 and KiB, MiB, GiB,
// TiB powers of 1024, as in DuckDB.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, fmt.Errorf("size %q: want a number and a unit, such as 1GB", s)
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	units := map[string]float64{
		"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}
	u, ok := units[strings.ToLower(strings.TrimSpace(t[i:]))]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q", s, t[i:])
	}
	return int64(n * u), nil
}

// memSampler samples a process's resident set size from /proc.
type memSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	peakRSS int64 // bytes, the largest VmRSS sampled
	samples int
	err     error
}

// sampleMemory starts sampling pid's VmRSS every interval.
func sampleMemory(pid int, interval time.Duration) *memSampler {
	m := &memSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) sample() {
	st, err := procStatus(m.pid)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		if m.err == nil {
			m.err = err
		}
		return
	}
	m.samples++
	m.peakRSS = max(m.peakRSS, st["VmRSS"])
}

// finish stops sampling and returns the peak sampled RSS, the process's
// own high-water mark (VmHWM) and the number of samples.
func (m *memSampler) finish() (peakRSS, hwm int64, samples int, err error) {
	close(m.stop)
	<-m.done
	st, herr := procStatus(m.pid)
	m.mu.Lock()
	defer m.mu.Unlock()
	if herr != nil {
		return m.peakRSS, 0, m.samples, errors.Join(m.err, herr)
	}
	return m.peakRSS, st["VmHWM"], m.samples, m.err
}

// procStatus reads the memory lines (kB) of /proc/PID/status, in bytes.
func procStatus(pid int) (map[string]int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.HasPrefix(key, "Vm") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/status %s: %w", pid, key, err)
		}
		out[key] = n << 10
	}
	return out, sc.Err()
}

// DefaultMemoryLimit is the DuckDB memory limit a load run gives the
// server unless told otherwise.
const DefaultMemoryLimit = "1GB"

// MemoryMargin is how far above its DuckDB memory limit the server's
// resident memory may go under load. DuckDB's memory_limit bounds only its
// buffer manager; the rest of the process is outside it: the Go heap (the
// contracts search index, requests and responses being encoded, Arrow
// records converted to protobuf, the label cache), DuckDB's allocations
// outside the buffer pool (catalog, per-thread and per-connection state),
// the C allocator's free lists, goroutine stacks and the binary's text
// pages. Measured on the full-size data (10M-row budget, Manchester's
// 474k payments, 43k Canadian contracts) with a 1GB limit: the idle server
// holds 630 MiB, of which a 300 MiB Go heap, almost all of it the search
// index over 499k contracts and payments; under 64 clients it peaked at
// 1058 to 1326 MiB over three runs. 768 MiB covers that heap, about 100 MiB of binary and runtime,
// and as much again for the requests in flight, on top of a buffer pool
// filled to its limit. The index grows with the contracts and payments
// stored, so a much larger catalog needs a larger margin.
const MemoryMargin = 768 << 20
