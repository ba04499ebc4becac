# gen.mk: code generation from the protobuf API in proto/ (package mizan.v1).
# Included by the top-level Makefile (`include gen.mk`); it also runs on its
# own: `make -f gen.mk generate`.
#
# Needs: go (the protoc-gen-go and protoc-gen-connect-go plugins are Go tools
# pinned in go.mod and run with `go tool`), node >= 20 and npm (buf and
# protoc-gen-es are pinned in frontend/package-lock.json and installed with
# `npm ci`). No other download: generation is reproducible from a clean clone.
#
# Targets:
#   generate       install the pinned tools if needed, then `buf generate`
#                  into gen/ (Go) and frontend/src/gen/ (TypeScript)
#   checkgenerate  generate, then fail if the generated code differs from
#                  what is committed (changed, deleted or untracked files)
#   buflint        buf lint, buf format check, and buf breaking against the
#                  main branch when main already holds proto/

# Repository root: the directory holding this file, wherever make runs.
GEN_ROOT := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GEN_NPM ?= npm
GEN_BUF := frontend/node_modules/.bin/buf
# Directories holding generated code.
GEN_DIRS := gen frontend/src/gen
# Branch that buf breaking compares against.
GEN_BREAKING_BRANCH ?= main

.PHONY: generate checkgenerate buflint gen-tools

# npm ci writes node_modules/.package-lock.json; it is out of date whenever
# package.json or the lock file is newer. Install scripts are not needed
# (buf's binary ships in a platform package) and are not run.
$(GEN_ROOT)/frontend/node_modules/.package-lock.json: $(GEN_ROOT)/frontend/package.json $(GEN_ROOT)/frontend/package-lock.json
	cd $(GEN_ROOT)/frontend && $(GEN_NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

gen-tools: $(GEN_ROOT)/frontend/node_modules/.package-lock.json

generate: gen-tools
	cd $(GEN_ROOT) && $(GEN_BUF) generate

checkgenerate: generate
	@cd $(GEN_ROOT) && \
	if ! git diff --exit-code --stat -- $(GEN_DIRS); then \
		echo "checkgenerate: generated code is out of date; run 'make generate' and commit the result" >&2; exit 1; \
	fi; \
	untracked="$$(git ls-files --others --exclude-standard -- $(GEN_DIRS))"; \
	if [ -n "$$untracked" ]; then \
		echo "checkgenerate: generated files not committed:" >&2; echo "$$untracked" >&2; exit 1; \
	fi; \
	echo "checkgenerate: generated code is up to date"

buflint: gen-tools
	cd $(GEN_ROOT) && $(GEN_BUF) lint
	cd $(GEN_ROOT) && $(GEN_BUF) format --diff --exit-code
	@cd $(GEN_ROOT) && \
	if git rev-parse --verify --quiet "$(GEN_BREAKING_BRANCH):proto" >/dev/null 2>&1; then \
		echo "buf breaking --against '.git#branch=$(GEN_BREAKING_BRANCH)'"; \
		$(GEN_BUF) breaking --against '.git#branch=$(GEN_BREAKING_BRANCH)'; \
	else \
		echo "buflint: branch $(GEN_BREAKING_BRANCH) has no proto/ yet; skipping buf breaking"; \
	fi
