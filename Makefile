# rmresearch: `make demo` and `make test` build the environment themselves.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
COHORT ?= demo
# pytest-xdist workers for the package tests and the notebooks (`make test PYTEST_WORKERS=1` runs them in one process)
PYTEST_WORKERS ?= 2
# The synthetic cohorts `make demo` and `make test` build: `rmresearch demo` writes demo (reciprocal, staff and
# students), stemm (reverse mentoring, STEMM staff) and community (senior leaders and community partners, no
# institutional records); `rmresearch demo --pilot` writes pilot (12 pairs).
DEMO_COHORTS := demo stemm community pilot
# cohorts built side by side by `make demo` (`rmresearch report --cohort all --jobs N`)
REPORT_JOBS ?= 2

.PHONY: help env demo demo-data test test-unit test-notebooks nbval lab report validate bench strip clean

help:
	@echo "make demo        create .venv if needed, generate the synthetic demo cohorts ($(DEMO_COHORTS)), build their reports and the trends page"
	@echo "make test        create .venv if needed, run every test (pytest + nbval over the notebooks on every demo cohort)"
	@echo "make nbval-NAME  nbval over the notebooks on one cohort (cohorts/NAME.yml; its data generated already)"
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

# The synthetic cohorts, one per scheme shape (see DEMO_COHORTS), anonymised; then every cohort's report and the
# cross-cohort trends page (reports/trends/), the cohorts side by side.
demo-data: $(STAMP)
	$(BIN)/rmresearch demo $(DEMO_FLAGS)
	$(BIN)/rmresearch demo --pilot $(DEMO_FLAGS)
	@for c in $(DEMO_COHORTS); do \
	  echo "$(BIN)/rmresearch anonymise run --cohort $$c"; \
	  $(BIN)/rmresearch anonymise run --cohort $$c $(ANONYMISE_FLAGS) || exit 1; \
	done

demo: demo-data
	$(BIN)/rmresearch report --cohort all --jobs $(REPORT_JOBS)
	@echo "Open reports/<cohort>/report.html ($(DEMO_COHORTS)) and reports/trends/report.html"

# nbval runs the notebooks against every demo cohort, so their data is generated first. The notebooks name the full
# demo in their parameters cell; `python -m rmresearch.cli.nbval` has papermill write copies with each cohort's
# file injected (--prepare-only: nothing is executed) into build/nbval-<cohort>/, only the notebooks that apply to the
# cohort (a cohort without students has no attainment notebook), the trends notebook with the first cohort. One
# pytest call runs them all, PYTEST_WORKERS notebooks at a time (--dist loadfile: a notebook's cells stay together,
# in order, in one kernel).
NBVAL := $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider
NBVAL_PARALLEL := $(if $(filter-out 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)
test: $(STAMP)
	$(MAKE) --no-print-directory demo-data DEMO_FLAGS=--quiet ANONYMISE_FLAGS=--no-progress
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)
	$(MAKE) --no-print-directory nbval

nbval: $(STAMP)
	$(BIN)/python -m rmresearch.cli.nbval --out build $(foreach c,$(DEMO_COHORTS),cohorts/$(c).yml)
	$(NBVAL) $(NBVAL_PARALLEL) $(foreach c,$(DEMO_COHORTS),build/nbval-$(c))

# one cohort's notebooks (e.g. `make nbval-pilot`), the trends notebook with them
nbval-%: $(STAMP)
	$(BIN)/python -m rmresearch.cli.nbval --out build cohorts/$*.yml
	$(NBVAL) $(NBVAL_PARALLEL) build/nbval-$*

# The tests marked @pytest.mark.slow (report builds, SIGKILL and release runs...) are left out; `make test` runs them.
test-unit: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow"

# JupyterLab refuses to run as root without --allow-root (containers, CI machines run as root), and with no display
# there is no browser to open (--no-browser): it then listens on LAB_IP (all interfaces, so a container's published
# port reaches it; the login token it prints still guards it) and prints the address to open.
# `make lab LAB_IP=127.0.0.1 LAB_PORT=8890` to choose; LAB_UID is who runs it (default: you).
LAB_UID ?= $(shell id -u)
LAB_IP ?= 0.0.0.0
LAB_PORT ?= 8888
LAB_FLAGS := $(if $(filter 0,$(LAB_UID)),--allow-root) \
             $(if $(strip $(DISPLAY)$(WAYLAND_DISPLAY)),,--no-browser --ip=$(LAB_IP)) --port=$(LAB_PORT)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks $(strip $(LAB_FLAGS))

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
