# newswatch — every target creates the virtual environment itself when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_N ?= 10000
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= false
export DO_NOT_TRACK ?= 1

.PHONY: setup browser demo run test test-fast lint typecheck docs serve bench bench-extraction bench-languages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "newswatch needs Python 3.11 or newer ($(PYTHON) is $$($(PYTHON) -V 2>&1))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(call install,dev)
	@touch $(STAMP)

# uv resolves and installs the same versions as pip in half the time (a new venv on 2 cores:
# 30 s against 58 s); pip stays the way in where uv cannot be had or fails. Both compile the
# bytecode at install: where PYTHONDONTWRITEBYTECODE is set, as here, every process would
# otherwise compile every module it imports, every time (the suite took 12 min, not 9).
define install
	$(BIN)/python -m pip install --quiet uv && \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[$(1)]' || \
		$(BIN)/python -m pip install --quiet -e '.[$(1)]'
endef

# Headless Chromium and the fonts the pages need (CJK included), from Debian's packages: the
# browser tests use them and never install anything themselves. Needs root (or sudo).
BROWSER_PACKAGES := chromium fonts-liberation fonts-noto-cjk
browser:
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt=apt-get; elif command -v sudo >/dev/null; then apt="sudo apt-get"; \
		else echo "make setup: install $$missing (Debian packages) as root for the browser tests"; exit 0; fi; \
		echo "installing $$missing (browser tests)"; \
		DEBIAN_FRONTEND=noninteractive $$apt install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
		{ DEBIAN_FRONTEND=noninteractive $$apt update >/dev/null 2>&1 && \
		  DEBIAN_FRONTEND=noninteractive $$apt install -y --no-install-recommends $$missing >/dev/null; } || \
		echo "make setup: could not install $$missing; the browser tests will say so"; \
	fi

setup: $(STAMP) browser  ## create .venv, install newswatch with its dev tools, and Chromium

demo: $(STAMP)  ## run the whole pipeline on the bundled sample site
	$(BIN)/newswatch demo

run: $(STAMP)  ## run the whole pipeline once on feeds.yaml
	$(BIN)/newswatch run

# Three workers (pytest-xdist) on two cores: the end-to-end tests wait on servers, processes
# and signals for a sixth of their time, which a third worker fills (8:04 against 10:40 for
# two here). Tests that share an expensive module fixture stay together (xdist_group); the
# demo warehouse is built once per session and shared (tests/e2e/conftest.py).
PYTEST_WORKERS ?= 3
# More pytest options, e.g. PYTEST_ARGS="--junitxml=times.xml" for the time of every test.
PYTEST_ARGS ?=
test: $(STAMP) browser  ## the whole test suite (no network beyond 127.0.0.1)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(STAMP)  ## unit and fast integration tests only (not the slow ones): about a minute
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not slow" $(PYTEST_ARGS)

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
	@$(BIN)/python -c 'import psutil' 2>/dev/null || { $(call install,bench); }
	$(BIN)/python -m tools.bench --articles $(BENCH_N) $(BENCH_ARGS)

bench-extraction: $(STAMP)  ## extraction quality on ../shared's article-extraction benchmark
	@$(BIN)/python -c 'import psutil' 2>/dev/null || { $(call install,bench); }
	$(BIN)/python -m tools.bench --extraction

bench-languages: $(STAMP)  ## cost per article per language beside English (also part of make bench)
	@$(BIN)/python -c 'import psutil' 2>/dev/null || { $(call install,bench); }
	$(BIN)/python -m tools.bench languages $(BENCH_ARGS)

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
