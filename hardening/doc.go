// Package hardening holds end-to-end tests of what must survive crashes
// and signals: the real mizan binary (built once per test run) is killed
// with SIGKILL at random points of ingests, backups and restores, and sent
// SIGTERM and SIGINT mid-ingest and mid-request, and the database is
// checked after each: it opens, every committed version is intact with the
// same totals, and nothing half-written is visible.
//
//	go test -tags duckdb_arrow ./hardening/                               # reduced: 3 kills of a 30,000-row ingest
//	MIZAN_CRASH_KILLS=20 MIZAN_CRASH_ROWS=1000000 go test -tags duckdb_arrow -run Crash -v ./hardening/   # make crash
//
// MIZAN_CRASH_SEED fixes the random kill delays (the seed used is logged).
package hardening
