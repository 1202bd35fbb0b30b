# Patron: two commands on a fresh machine —  `make run`  and  `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgresql venv demo clean messages
.PHONY: cluster
.PHONY: bench-ledger bench-lookup bench-export bench-import bench-dedup bench-cluster

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

## Start Patron on SQLite (var/patron.sqlite3) with demo data, at http://127.0.0.1:8000
## (a first run prints the admin's login; DATABASE_URL, HOST and PORT change the defaults).
run: $(STAMP)
	$(BIN)/patron migrate
	$(BIN)/patron demo --if-empty
	$(BIN)/patron serve --host $(HOST) --port $(PORT) --with-worker

## A chain on one machine (docs/operations.md, "Running a chain"): two servers and two job workers
## on a fresh PostgreSQL primary with a streaming replica (run as root; the demo data loaded, removed
## at the end), or on the database CLUSTER_DB without a replica. Ctrl+C stops them all.
cluster: $(STAMP)
	$(if $(CLUSTER_DB),DATABASE_URL="$(CLUSTER_DB)" $(BIN)/python -m scripts.cluster,$(BIN)/python -m scripts.cluster --replica --demo)

## Add another demo data set (and the demo users, if there are no users yet).
demo: $(STAMP)
	$(BIN)/patron demo

## The whole suite on SQLite and, at the same time, on PostgreSQL when it can be reached (CI
## requires both). Each engine's lines are prefixed with its name; each has its own var/ directory.
test: $(STAMP)
	@set -o pipefail; \
	{ $(MAKE) --no-print-directory test-sqlite 2>&1 | sed -u 's/^/[sqlite] /'; } & sqlite=$$!; \
	{ $(MAKE) --no-print-directory test-postgresql 2>&1 | sed -u 's/^/[postgresql] /'; } & postgresql=$$!; \
	wait $$sqlite; sqlite_status=$$?; wait $$postgresql; postgresql_status=$$?; \
	echo "== SQLite: $$([ $$sqlite_status = 0 ] && echo passed || echo FAILED)," \
		"PostgreSQL: $$([ $$postgresql_status = 0 ] && echo passed || echo FAILED) =="; \
	[ $$sqlite_status = 0 ] && [ $$postgresql_status = 0 ]

test-sqlite: $(STAMP)
	@echo "== tests on SQLite =="
	env -u DATABASE_URL PATRON_EXPECT_ENGINE=sqlite PATRON_VAR_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgresql: $(STAMP)
	@echo "== tests on PostgreSQL ($(PG_URL)) =="
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" PATRON_EXPECT_ENGINE=postgresql PATRON_VAR_DIR=$(CURDIR)/var/test-postgresql \
			$(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$PATRON_REQUIRE_ALL" = "1" ]; then \
		echo "PostgreSQL is required (PATRON_REQUIRE_ALL=1) but $(PG_URL) cannot be reached"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): skipped (set PG_URL, or see README)"; \
	fi

## Translations: extract every marked string (Python and templates), merge it into
## patron/locale/<language>/LC_MESSAGES/django.po (new ones empty) and compile the .mo files.
## Babel only, no GNU gettext needed; translate the empty entries, then run it again.
messages: $(STAMP)
	$(BIN)/python -m patron.core.translation

## Load test of the credit ledger: test L1's harness at a larger scale against the real server on
## SQLite and PostgreSQL; prints charges/s, latencies and the invariant checks (see bench/README.md).
## MUTATION=1 runs test L1 against a deliberately naive build instead, which must fail.
bench-ledger: $(STAMP)
	$(BIN)/python -m bench.ledger --pg-url "$(PG_URL)" $(if $(MUTATION),--mutation) $(BENCH_ARGS)

## Lookup benchmark (issue 4): SIZE customers (default 100000; SIZE=1000000 for the goals) loaded
## through the bulk path, queried through the API of a real server on SQLite and PostgreSQL; prints
## latencies, throughput, relevance and the goals (see bench/README.md). ENGINES=sqlite|postgresql
## picks one; KEEP=1 keeps the loaded database; REUSE=<database url> runs again on a kept one.
bench-lookup: $(STAMP)
	$(BIN)/python -m bench.lookup --pg-url "$(PG_URL)" $(if $(SIZE),--size $(SIZE)) \
		$(if $(ENGINES),--engines $(ENGINES)) $(if $(KEEP),--keep) $(if $(REUSE),--reuse "$(REUSE)") $(BENCH_ARGS)

## Chain load (issue 19): SIZE customers (default 20000) on a fresh primary and streaming replica, two
## servers and two workers; lookups and creations per second through both servers, without and with
## the replica, and the ratio (see bench/README.md). Run as root.
bench-cluster: $(STAMP)
	$(BIN)/python -m bench.cluster_load $(if $(SIZE),--size $(SIZE)) $(BENCH_ARGS)

## Duplicate detection benchmark (issue 17): SIZE labelled customers (default 20000; SIZE=100000 and
## 1000000 for the goals) loaded into SQLite and PostgreSQL; prints precision, recall and F1 of the
## review queue per variation, the entry warning's catch rate, scan time and peak memory, and the
## incremental check's latency (see bench/README.md). ENGINES=sqlite|postgresql picks one.
bench-dedup: $(STAMP)
	$(BIN)/python -m bench.dedup --pg-url "$(PG_URL)" $(if $(SIZE),--size $(SIZE)) \
		$(if $(ENGINES),--engines $(ENGINES)) $(BENCH_ARGS)

## Export benchmark (issue 5): every customer of a loaded database in each format, with time and peak
## memory. REUSE=<database url> names the database, e.g. one kept by make bench-lookup KEEP=1.
bench-export: $(STAMP)
	@test -n "$(REUSE)" || { echo "make bench-export REUSE=<database url> (e.g. kept by make bench-lookup KEEP=1)"; exit 2; }
	$(BIN)/python -m bench.export --database "$(REUSE)" $(BENCH_ARGS)

## Import benchmark (issue 5): generated files of SIZES rows (default 100000; SIZES="100000 1000000" for
## the goals) imported as new customers into empty SQLite and PostgreSQL databases; prints rows/s and
## peak memory against reading the file alone. ENGINES=sqlite|postgresql picks one.
bench-import: $(STAMP)
	$(BIN)/python -m bench.imports --pg-url "$(PG_URL)" $(if $(SIZES),--sizes $(SIZES)) \
		$(if $(ENGINES),--engines $(ENGINES)) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static
