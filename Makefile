# rmresearch: `make demo` and `make test` build the environment themselves.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
COHORT ?= demo
# pytest-xdist workers for the package tests (`make test PYTEST_WORKERS=1` runs them in one process)
PYTEST_WORKERS ?= 2

.PHONY: help env demo test test-unit test-notebooks nbval-pilot lab report validate bench strip clean

help:
	@echo "make demo        create .venv if needed, generate the two synthetic demo cohorts (demo, pilot), build their reports"
	@echo "make test        create .venv if needed, run every test (pytest + nbval over the notebooks)"
	@echo "make test-unit   the quick tests only: pytest without the tests marked slow (no notebooks)"
	@echo "make lab         open JupyterLab on the notebooks"
	@echo "make report COHORT=name   build the report for cohorts/name.yml"
	@echo "make bench       run the benchmarks and print their figures"
	@echo "make strip       remove outputs from the notebooks before committing"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "rmresearch needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

env: $(STAMP)

# Two synthetic cohorts: the full demo (26 pairs, 20,000 students) and a pilot-shaped one (12 pairs, exports with
# title and totals rows, an auto-caption interview, a participant without interview consent).
demo: $(STAMP)
	$(BIN)/rmresearch demo
	$(BIN)/rmresearch demo --pilot
	$(BIN)/rmresearch anonymise run --cohort demo
	$(BIN)/rmresearch anonymise run --cohort pilot
	$(BIN)/rmresearch report --cohort demo
	$(BIN)/rmresearch report --cohort pilot
	@echo "Open reports/demo/report.html and reports/pilot/report.html"

# nbval runs the notebooks against both demo cohorts, so their data is generated first. The notebooks name the full
# demo in their parameters cell; for the pilot, papermill writes copies with the pilot's cohort file injected
# (--prepare-only: nothing is executed) into build/nbval-pilot, and nbval runs those.
NBVAL := $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider
test: $(STAMP)
	$(BIN)/rmresearch demo --quiet
	$(BIN)/rmresearch demo --pilot --quiet
	$(BIN)/rmresearch anonymise run --cohort demo --no-progress
	$(BIN)/rmresearch anonymise run --cohort pilot --no-progress
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)
	$(NBVAL) notebooks
	$(MAKE) --no-print-directory nbval-pilot

nbval-pilot: $(STAMP)
	rm -rf build/nbval-pilot && mkdir -p build/nbval-pilot
	for nb in notebooks/0*.ipynb; do \
	  $(BIN)/papermill --prepare-only --log-level ERROR -p cohort_config "$(CURDIR)/cohorts/pilot.yml" \
	    "$$nb" "build/nbval-pilot/$$(basename $$nb)" || exit 1; \
	done
	$(NBVAL) build/nbval-pilot

# The tests marked @pytest.mark.slow (report builds, SIGKILL and release runs...) are left out; `make test` runs them.
test-unit: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow"

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

report: $(STAMP)
	$(BIN)/rmresearch report --cohort $(COHORT)

validate: $(STAMP)
	$(BIN)/rmresearch validate --cohort $(COHORT)

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

strip: $(STAMP)
	$(BIN)/nbstripout --keep-id notebooks/*.ipynb

clean:
	rm -rf $(VENV) reports build dist src/*.egg-info
