# rmresearch: `make demo` and `make test` build the environment themselves.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
COHORT ?= demo
# pytest-xdist workers for the package tests (`make test PYTEST_WORKERS=1` runs them in one process)
PYTEST_WORKERS ?= 2

.PHONY: help env demo test test-unit test-notebooks lab report validate bench strip clean

help:
	@echo "make demo        create .venv if needed, generate the synthetic demo cohort, build its report"
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

demo: $(STAMP)
	$(BIN)/rmresearch demo
	$(BIN)/rmresearch anonymise run --cohort demo
	$(BIN)/rmresearch report --cohort demo
	@echo "Open reports/demo/report.html"

# nbval runs the notebooks against the demo cohort, so the demo data is generated first.
test: $(STAMP)
	$(BIN)/rmresearch demo --quiet
	$(BIN)/rmresearch anonymise run --cohort demo --no-progress
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider notebooks

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
