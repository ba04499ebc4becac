# Mizan's one entry point for building, testing and benchmarking.
# Everything DuckDB-related builds with the duckdb_arrow tag.
GO       ?= go
TAGS     := duckdb_arrow
GOTEST   := $(GO) test -tags $(TAGS)
BIN      := bin/mizan
DATA     ?= ./mizan-data
ADDR     ?= 127.0.0.1:8080

include gen.mk

.PHONY: all run build frontend test test-go test-frontend e2e lint ci bench load crash fmt clean

all: build

## run: build everything and serve the embedded default (demo dataset + dashboard) at $(ADDR)
run: build
	$(BIN) serve --data $(DATA) --addr $(ADDR)

## build: the mizan binary with the dashboard embedded
build: frontend
	$(GO) build -tags $(TAGS) -o $(BIN) ./cmd/mizan

## frontend: build the dashboard assets into frontend/dist
frontend: gen-tools
	cd frontend && npm run build

## test: every test: Go (race detector, real DuckDB, real loopback server), dashboard unit tests, browser end-to-end
test: lint test-go test-frontend e2e

test-go: frontend
	$(GOTEST) -race -timeout 20m ./...

test-frontend: gen-tools
	cd frontend && npm test

## e2e: the dashboard in headless Chromium against a real mizan serve
e2e: build
	bash frontend/scripts/install-chromium.sh
	bash scripts/e2e.sh $(BIN)

## lint: gofmt, go vet, buf lint/format, generated code fresh
lint: gen-tools
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(MAKE) buflint checkgenerate

## ci: what .ci/run calls on a clean clone
ci: test

## bench: side-by-side benchmarks; ends with one 'bench: key=value ...' line (BENCH_ROWS scales them)
bench: build
	$(GO) run -tags $(TAGS) ./bench

## load: the load test at full size: 64 clients for 60 s on the demo, a generated 10M-row budget and the shared real data; prints a table per request kind
load:
	MIZAN_LOAD_FULL=1 $(GOTEST) -run '^TestLoad$$' -count=1 -v -timeout 60m ./loadtest

## crash: 20 ingests of a 1M-row file killed with SIGKILL at random points, then killed backups and restores (CI runs 3 kills of 30k rows)
crash:
	MIZAN_CRASH_KILLS=$${MIZAN_CRASH_KILLS:-20} MIZAN_CRASH_ROWS=$${MIZAN_CRASH_ROWS:-1000000} $(GOTEST) -count=1 -run 'Crash|Signal|SIGTERM' -v -timeout 90m ./hardening/

fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v '^gen/')

clean:
	rm -rf bin frontend/dist/assets
