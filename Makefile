# journeylab: two commands do everything on a fresh machine.
#   make demo   set up, generate the default data, run every notebook, render HTML into reports/
#   make test   set up, lint and run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.journeylab-installed
# the notebooks, each NN_name.ipynb paired with NN_name.py (notebooks/jupytext.toml)
NOTEBOOKS := notebooks/[0-9][0-9]_*.ipynb notebooks/[0-9][0-9]_*.py

.PHONY: setup system-deps demo dashboard lab test lint bench notebooks clean-notebooks lock clean

setup: system-deps $(STAMP)

# The exact versions the tests pass with (requirements.lock), then journeylab itself.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	$(VENV)/bin/journeylab fetch-assets
	touch $(STAMP)

system-deps:
	@sh scripts/system-deps.sh

demo: setup
	$(VENV)/bin/journeylab demo --out reports

dashboard: setup
	$(VENV)/bin/journeylab dashboard

# JupyterLab on this machine only (127.0.0.1), opened on the notebooks; root may run it too
# (a container's user often is root), which JupyterLab refuses unless told.
lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.root_dir=notebooks \
	    $$([ "$$(id -u)" = "0" ] && echo --allow-root)

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
	$(PY) benchmarks/bench_scale.py --sizes 1M,10M,100M

# After editing a notebook (its .ipynb in JupyterLab, or its .py anywhere): sync each pair
# (the file edited last wins), then strip outputs, execution counts and run metadata from
# the .ipynb.
notebooks: setup
	$(VENV)/bin/jupytext --quiet --sync $(NOTEBOOKS)
	$(VENV)/bin/jupyter nbconvert --log-level=WARN --inplace --clear-output \
	    --ClearMetadataPreprocessor.enabled=True \
	    --ClearMetadataPreprocessor.preserve_cell_metadata_mask=tags \
	    --ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec \
	    --ClearMetadataPreprocessor.preserve_nb_metadata_mask=language_info \
	    notebooks/[0-9][0-9]_*.ipynb

clean-notebooks: notebooks

# Refresh requirements.lock: the newest versions pyproject.toml allows, resolved in a
# throwaway environment. Run `make test` on the new lock before committing it.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[test,bench]"
	{ echo "# The exact versions journeylab is tested with: \`make setup\` installs them, then"; \
	  echo "# journeylab itself (--no-deps). Made by \`make lock\` on $$(.lock-venv/bin/python -c \
	    'import platform; print("python", platform.python_version(), platform.system(), platform.machine())')."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable --exclude journeylab; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) reports data/processed .pytest_cache .hypothesis
