# journeylab: two commands do everything on a fresh machine.
#   make demo   set up, generate the default data, run every notebook, render HTML into reports/
#   make test   set up, lint and run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.journeylab-installed

.PHONY: setup system-deps demo dashboard test lint bench clean-notebooks clean

setup: system-deps $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,bench]"
	$(VENV)/bin/journeylab fetch-assets
	touch $(STAMP)

system-deps:
	@sh scripts/system-deps.sh

demo: setup
	$(VENV)/bin/journeylab demo --out reports

dashboard: setup
	$(VENV)/bin/journeylab dashboard

lint: setup
	$(VENV)/bin/ruff check journeylab tests benchmarks

test: lint
	@sh scripts/system-deps.sh test
	$(PY) -m pytest

bench: setup
	sh benchmarks/peers.sh
	$(PY) benchmarks/bench_load.py
	$(PY) benchmarks/bench_paths.py
	$(PY) benchmarks/bench_personas.py
	$(PY) benchmarks/bench_drivers.py

clean-notebooks: setup
	$(PY) scripts/make_notebooks.py

clean:
	rm -rf $(VENV) reports data/processed .pytest_cache .hypothesis
