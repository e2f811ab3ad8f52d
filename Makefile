# newswatch — every target creates the virtual environment itself when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_N ?= 10000
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= false
export DO_NOT_TRACK ?= 1

.PHONY: setup demo run test lint typecheck docs serve bench bench-extraction clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "newswatch needs Python 3.11 or newer ($(PYTHON) is $$($(PYTHON) -V 2>&1))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install newswatch with its dev tools

demo: $(STAMP)  ## run the whole pipeline on the bundled sample site
	$(BIN)/newswatch demo

run: $(STAMP)  ## run the whole pipeline once on feeds.yaml
	$(BIN)/newswatch run

test: $(STAMP)  ## the whole test suite (no network beyond 127.0.0.1)
	$(BIN)/pytest

lint: $(STAMP)  ## ruff (lint + format), the layer contracts (import-linter), sqlfluff on dbt
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/analyses dbt_project/tests

typecheck: $(STAMP)  ## mypy on flows/ (settings in pyproject.toml)
	$(BIN)/mypy

docs: $(STAMP)  ## generate and serve the dbt docs on 127.0.0.1
	$(BIN)/newswatch docs

serve: $(STAMP)  ## scheduled runs (Prefect deployments) until interrupted
	$(BIN)/newswatch serve

bench: $(STAMP)  ## benchmark (BENCH_N articles, default 10000); writes docs/benchmarks.md
	@$(BIN)/python -c 'import psutil' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m tools.bench --articles $(BENCH_N) $(BENCH_ARGS)

bench-extraction: $(STAMP)  ## extraction quality on ../shared's article-extraction benchmark
	@$(BIN)/python -c 'import psutil' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m tools.bench --extraction

clean:  ## remove the virtual environment, caches and local data (warehouse files, archive)
	rm -rf $(VENV) .pytest_cache .ruff_cache dbt_project/target dbt_project/logs .bench
	rm -rf *.egg-info build dist
	rm -rf warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.writer warehouse/archive
	@prefect_home="$${PREFECT_HOME:-$$HOME/.prefect}"; \
	echo "Left in place:"; \
	echo "  feeds.yaml and dbt_project/seeds/: your configuration"; \
	echo "  $$prefect_home ($$(du -sh "$$prefect_home" 2>/dev/null | cut -f1)): Prefect's history of every run,"; \
	echo "    newswatch's and any other Prefect project's; it grows with each run."; \
	echo "    'rm -rf $$prefect_home' deletes it if nothing else of yours uses Prefect."
