package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/datasets/synth"
)

// pgBin is where Debian's postgresql package puts PostgreSQL 15.
const pgBin = "/usr/lib/postgresql/15/bin"

// postgres is a throw-away PostgreSQL cluster the harness started.
type postgres struct {
	dir, data, sock string
	port            int
	cred            *syscall.Credential // the unprivileged user when running as root
}

// startPostgres initialises a cluster under the scratch directory and
// starts it on a unix socket only, tuned for a benchmark (no fsync). The
// caller must call stop, which also runs on interrupt since it is deferred
// by the caller and the context only aborts the work in between.
func startPostgres(ctx context.Context, cfg *config) (*postgres, error) {
	if _, err := os.Stat(filepath.Join(pgBin, "postgres")); err != nil {
		return nil, fmt.Errorf("PostgreSQL 15 not found in %s (apt-get install -y postgresql): %w", pgBin, err)
	}
	pg := &postgres{dir: filepath.Join(cfg.work, "pg")}
	pg.data = filepath.Join(pg.dir, "data")
	pg.sock = pg.dir
	if err := os.MkdirAll(pg.dir, 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the postgres user.
		cred, err := userCredential("postgres")
		if err != nil {
			return nil, err
		}
		pg.cred = cred
		if err := os.Chown(pg.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	pg.port = port
	if err := pg.cmd(ctx, "initdb", "-D", pg.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, err
	}
	opts := []string{
		"-c listen_addresses=''",
		"-c unix_socket_directories='" + pg.sock + "'",
		"-p " + strconv.Itoa(port),
		"-c fsync=off",
		"-c synchronous_commit=off",
		"-c full_page_writes=off",
		"-c shared_buffers=2GB",
		"-c work_mem=256MB",
		"-c maintenance_work_mem=1GB",
		"-c max_parallel_workers_per_gather=2",
		"-c max_wal_size=16GB",
		"-c checkpoint_timeout=30min",
	}
	if err := pg.cmd(ctx, "pg_ctl", "start", "-D", pg.data, "-w", "-t", "120", "-l", filepath.Join(pg.dir, "server.log"),
		"-o", strings.Join(opts, " ")); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, tail(filepath.Join(pg.dir, "server.log"), 2000))
	}
	slog.Info("postgres started", "dir", pg.dir, "port", port)
	return pg, nil
}

// stop stops the cluster immediately; its files go with the scratch
// directory. It ignores ctx cancellation: it must run on interrupt too.
func (pg *postgres) stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	err := pg.cmd(ctx, "pg_ctl", "stop", "-D", pg.data, "-m", "immediate", "-w")
	if rerr := os.RemoveAll(pg.dir); rerr != nil {
		err = errors.Join(err, rerr)
	}
	slog.Info("postgres stopped and removed", "dir", pg.dir)
	return err
}

// cmd runs a PostgreSQL program as the cluster's user.
func (pg *postgres) cmd(ctx context.Context, name string, args ...string) error {
	c := exec.CommandContext(ctx, filepath.Join(pgBin, name), args...)
	if pg.cred != nil {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	}
	c.Dir = pg.dir
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// connect opens a connection using the simple query protocol, as
// babbage's SQLAlchemy over psycopg2 does (no server-side prepared plans).
func (pg *postgres) connect(ctx context.Context) (*pgx.Conn, error) {
	cc, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", pg.sock, pg.port))
	if err != nil {
		return nil, err
	}
	cc.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	return pgx.ConnectConfig(ctx, cc)
}

func userCredential(name string) (*syscall.Credential, error) {
	out, err := exec.Command("id", "-u", name).Output()
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	uid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, err
	}
	out, err = exec.Command("id", "-g", name).Output()
	if err != nil {
		return nil, fmt.Errorf("group of %s: %w", name, err)
	}
	gid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// pgColumns names a level's code and label columns in the PostgreSQL
// table: the CSV's code column and an added label column.
func pgColumns(l level) (code, label string) {
	prefix := l.dim
	if l.id != l.dim {
		prefix += "_" + l.id
	}
	return prefix + "_code", prefix + "_label"
}

// loadPostgres loads the generated CSV the way an OpenSpending deployment
// holds it: one denormalised fact table with the CSV's columns (amount
// NUMERIC(38,3)) plus an English label column per level, a b-tree index on
// every dimension column, vacuumed and analysed.
func loadPostgres(ctx context.Context, conn *pgx.Conn, g *generated, t *target) error {
	start := time.Now()
	cols := synth.Columns(g.cfg)
	var defs []string
	for _, c := range cols {
		typ := "text"
		switch c {
		case "year":
			typ = "integer"
		case "amount":
			typ = "numeric(38,3)"
		}
		defs = append(defs, c+" "+typ)
	}
	if _, err := conn.Exec(ctx, "CREATE UNLOGGED TABLE raw (id bigserial, "+strings.Join(defs, ", ")+")"); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	f, err := os.Open(g.csv)
	if err != nil {
		return err
	}
	defer f.Close()
	tag, err := conn.PgConn().CopyFrom(ctx, f, "COPY raw ("+strings.Join(cols, ", ")+") FROM STDIN WITH (FORMAT csv, HEADER true)")
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	slog.Info("postgres: copied CSV", "rows", tag.RowsAffected(), "elapsed", time.Since(start).Round(time.Millisecond))

	if _, err := conn.Exec(ctx, "CREATE TABLE labels (ref text, key text, label text)"); err != nil {
		return err
	}
	var rows [][]any
	for ref, byKey := range g.desc.Labels {
		for key, text := range byKey {
			rows = append(rows, []any{ref, key, text.Get("en")})
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"labels"}, []string{"ref", "key", "label"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy labels: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE UNIQUE INDEX ON labels (ref, key)"); err != nil {
		return err
	}
	sel := []string{"r.*"}
	var joins []string
	indexed := []string{"year", "phase", "direction"}
	for i, l := range t.levels() {
		code, label := pgColumns(l)
		if !slices.Contains(cols, code) {
			return fmt.Errorf("no CSV column %s for %s", code, l.ref)
		}
		sel = append(sel, fmt.Sprintf("l%d.label AS %s", i, label))
		joins = append(joins, fmt.Sprintf("LEFT JOIN labels l%d ON l%d.ref = '%s' AND l%d.key = r.%s", i, i, l.ref, i, code))
		indexed = append(indexed, code)
	}
	stmts := []string{
		"CREATE TABLE facts AS SELECT " + strings.Join(sel, ", ") + " FROM raw r " + strings.Join(joins, " ") + " ORDER BY r.id",
		"DROP TABLE raw",
		"ALTER TABLE facts ADD PRIMARY KEY (id)",
	}
	for _, c := range indexed {
		stmts = append(stmts, fmt.Sprintf("CREATE INDEX ON facts (%s)", c))
	}
	stmts = append(stmts, "VACUUM ANALYZE facts")
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	slog.Info("postgres: loaded", "indexes", len(indexed)+1, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// pgStmt is one statement of a babbage-style request.
type pgStmt struct {
	sql   string
	args  []any
	count bool // its single value is the request's total
}

// pgSQL is what babbage (OpenSpending's aggregation API) runs for sp on a
// denormalised fact table: for an aggregate, a count of cells, a summary
// over the cuts and the page of cells, grouping by each drilldown level's
// key and label; for facts, a count and the page. An execution comparison,
// which babbage has no call for, is the aggregate by node and phase over
// the three phases.
func pgSQL(t *target, sp spec) ([]pgStmt, error) {
	where, args, err := pgWhere(t, sp.cuts)
	if err != nil {
		return nil, err
	}
	if sp.kind == kindFacts {
		return []pgStmt{
			{sql: "SELECT count(*) FROM facts" + where, args: args, count: true},
			{sql: fmt.Sprintf("SELECT * FROM facts%s ORDER BY id LIMIT %d OFFSET %d", where, sp.size, sp.offset), args: args},
		}, nil
	}
	drill := sp.drill
	size := sp.size
	if sp.kind == kindExecution {
		drill = append(slices.Clone(drill), mizan.DimPhase)
		size *= 3
		w, a, err := pgWhere(t, append(slices.Clone(sp.cuts), cut{mizan.DimPhase, []string{mizan.PhaseApproved, mizan.PhaseRevised, mizan.PhaseExecuted}}))
		if err != nil {
			return nil, err
		}
		where, args = w, a
	}
	var group []string
	keyOf := map[string]string{}
	for _, ref := range drill {
		if slices.Contains(fixedRefs, ref) {
			group = append(group, ref)
			keyOf[ref] = ref
			continue
		}
		_, l, err := t.resolve(ref)
		if err != nil {
			return nil, err
		}
		code, label := pgColumns(*l)
		group = append(group, code, label)
		keyOf[ref] = code
	}
	var ord []string
	used := map[string]bool{}
	for _, o := range sp.order {
		e := "amount_sum"
		if k, ok := keyOf[o.ref]; ok {
			e = k
		}
		used[e] = true
		if o.desc {
			ord = append(ord, e+" DESC")
		} else {
			ord = append(ord, e+" ASC")
		}
	}
	for _, ref := range drill {
		if !used[keyOf[ref]] {
			ord = append(ord, keyOf[ref]+" ASC")
		}
	}
	g := strings.Join(group, ", ")
	return []pgStmt{
		{sql: fmt.Sprintf("SELECT count(*) AS count FROM (SELECT %s FROM facts%s GROUP BY %s) AS q", g, where, g), args: args, count: sp.kind == kindAggregate},
		{sql: "SELECT sum(amount) AS amount_sum, count(*) AS _count FROM facts" + where, args: args},
		{sql: fmt.Sprintf("SELECT %s, sum(amount) AS amount_sum, count(*) AS _count FROM facts%s GROUP BY %s ORDER BY %s LIMIT %d OFFSET 0",
			g, where, g, strings.Join(ord, ", "), size), args: args},
	}, nil
}

// pgWhere writes the cuts over the PostgreSQL table's code columns.
func pgWhere(t *target, cuts []cut) (string, []any, error) {
	var terms []string
	var args []any
	for _, c := range cuts {
		col := c.ref
		if !slices.Contains(fixedRefs, c.ref) {
			_, l, err := t.resolve(c.ref)
			if err != nil {
				return "", nil, err
			}
			col, _ = pgColumns(*l)
		}
		var ps []string
		for _, v := range c.values {
			args = append(args, typedValue(c.ref, v))
			ps = append(ps, fmt.Sprintf("$%d", len(args)))
		}
		if len(ps) == 1 {
			terms = append(terms, col+" = "+ps[0])
		} else {
			terms = append(terms, col+" IN ("+strings.Join(ps, ", ")+")")
		}
	}
	if len(terms) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(terms, " AND "), args, nil
}

// pgRunner runs a babbage-style request, reading every row of every
// statement.
func pgRunner(conn *pgx.Conn, stmts []pgStmt) runner {
	return func(ctx context.Context) (result, error) {
		var r result
		for _, s := range stmts {
			rows, err := conn.Query(ctx, s.sql, s.args...)
			if err != nil {
				return result{}, fmt.Errorf("%s: %w", s.sql, err)
			}
			n := 0
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					rows.Close()
					return result{}, err
				}
				if n == 0 && len(vals) > 0 {
					if s.count {
						r.total, _ = strconv.ParseInt(fmt.Sprint(vals[0]), 10, 64)
					} else {
						r.first = fmt.Sprint(vals[0])
					}
				}
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return result{}, fmt.Errorf("%s: %w", s.sql, err)
			}
			r.rows = n // the page is the last statement
		}
		return r, nil
	}
}

// benchPostgres loads the generated rows into PostgreSQL and compares the
// query set with babbage-style SQL.
func benchPostgres(ctx context.Context, cfg *config, g *generated, srv *server, set []spec, rep *report) (err error) {
	pg, err := startPostgres(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = joinErr(err, pg.stop(ctx)) }()
	conn, err := pg.connect(ctx)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := loadPostgres(ctx, conn, g, srv.t); err != nil {
		return fmt.Errorf("load postgres: %w", err)
	}
	var ratios []float64
	minRatio := -1.0
	for _, sp := range set {
		stmts, err := pgSQL(srv.t, sp)
		if err != nil {
			return err
		}
		m, err := srv.mizanRunner(sp)
		if err != nil {
			return err
		}
		tm, tp, rm, rp, err := compare(ctx, cfg.reps, m, pgRunner(conn, stmts))
		if err != nil {
			return fmt.Errorf("postgres query %s: %w", sp.id, err)
		}
		switch sp.kind {
		case kindAggregate:
			err = checkSame(sp, "postgres", rm, rp)
		case kindFacts:
			// PostgreSQL numbers rows by file order, Mizan by source row:
			// the pages must match in size and the totals agree.
			rp.first = rm.first
			err = checkSame(sp, "postgres", rm, rp)
		}
		if err != nil {
			return err
		}
		ratio := tp.Seconds() / tm.Seconds()
		ratios = append(ratios, ratio)
		if minRatio < 0 || ratio < minRatio {
			minRatio = ratio
		}
		rep.add(secPostgres, sp.name, tm, tp, ratio)
		slog.Info("postgres query", "id", sp.id, "mizan_ms", ms(tm), "postgres_ms", ms(tp), "speedup", fmtRatio(ratio))
	}
	gm := geomean(ratios)
	rep.add(secPostgres, "geomean", 0, 0, gm)
	rep.add(secPostgres, "min", 0, 0, minRatio)
	rep.set("postgres_speedup", fmtRatio(gm))
	rep.set("postgres_min", fmtRatio(minRatio))
	return nil
}
