# Two commands do everything (see README.md):
#   make lab    set up .venv and open the course in JupyterLab
#   make test   set up .venv and run every test (lint, package tests, all notebooks)
#   make check  the contributor's inner loop: lint, import contracts, package tests (no notebooks)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cnncourse-installed
# Tests run offline, in quick mode, with a throwaway data folder.
TEST_ENV := CNNCOURSE_QUICK=1 CNNCOURSE_OFFLINE=1 CNNCOURSE_DATA=$(CURDIR)/build/test-data \
	CNNCOURSE_LEADERBOARD=$(CURDIR)/build/test-data/leaderboard.csv

.PHONY: setup lab test check lint clean site hub hub-setup test-oldest

setup: $(STAMP)

# Re-installs only when pyproject.toml changes, so both commands work offline afterwards.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python tests/ipywidgets7/install.py   # cache Colab's ipywidgets 7 for its test
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and VMs often are root.
lab: setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# ruff, then the layer contracts in pyproject.toml ([tool.importlinter]).
lint: setup
	$(BIN)/ruff check cnncourse tests benchmarks
	$(BIN)/lint-imports --no-cache

# The inner loop: everything but the notebooks, JupyterLab, the website and the room (tests/hub).
check: lint
	$(TEST_ENV) $(BIN)/pytest -q -m "not notebooks and not browser and not hub" --ignore=tests/site tests

# Each notebook is executed at most twice (tests/test_notebooks.py): once as a learner runs
# it, kept in build/executed, from which the website is built without running anything again;
# and once with its exercises skipped, then solved with the references and checked.
# hub-setup installs the proxy the workshop-room test (tests/hub) starts JupyterHub with.
test: lint hub-setup
	rm -rf build/solved build/test-data build/executed
	$(BIN)/cnncourse notebooks --solved build/solved
	$(BIN)/cnncourse stamp --check
	$(TEST_ENV) $(BIN)/pytest tests --ignore=tests/site
	$(MAKE) site SITE=build/site-quick SITE_SRC=build/executed SITE_EXECUTE=off
	$(TEST_ENV) $(BIN)/pytest tests/site   # the website in headless Chromium

# The oldest torch/torchvision pyproject.toml allows, in a throwaway venv: package tests and
# quick notebooks (.ci/test-oldest; CI: .github/workflows/oldest.yml). Not part of `make test`:
# PyPI's Linux torch wheels pull about 3 GB of CUDA libraries (TORCH_INDEX= picks CPU wheels).
test-oldest:
	PYTHON=$(PYTHON) .ci/test-oldest

# The course website (Jupyter Book 1: Sphinx + MyST-NB). Every notebook runs top to bottom on
# whatever data this machine has (run `cnncourse data download` first for the real datasets;
# without them every page says it shows the stand-in). Full mode; pages land in
# $(SITE)/_build/html. `make test` builds a quick one into build/site-quick and tests it.
SITE ?= build/site
SITE_ENV ?= env -u CNNCOURSE_QUICK
# make test passes SITE_SRC=build/executed (notebooks its tests already ran) and
# SITE_EXECUTE=off (the copies hold their outputs).
SITE_SRC ?= notebooks
SITE_EXECUTE ?= force
site: setup
	rm -rf $(SITE)
	mkdir -p $(SITE)/src
	cp -R site/. $(SITE_SRC)/*.ipynb $(SITE)/src/
	sed -i.orig 's/^  execute_notebooks: force/  execute_notebooks: $(SITE_EXECUTE)/' \
		$(SITE)/src/_config.yml && rm $(SITE)/src/_config.yml.orig
	$(SITE_ENV) CNNCOURSE_WIDGETS=0 $(BIN)/jupyter-book build --quiet --path-output $(SITE) $(SITE)/src
	@echo "site: open $(SITE)/_build/html/index.html"

# A workshop room on this machine (run as root): JupyterHub for the learners named in
# LEARNERS, each a system user with CPU_LIMIT=1, the shared data in DATA (read-only for them),
# one room leaderboard, and the course handed out as an nbgitpuller link (printed).
# See docs/instructor-guide.md, "A workshop server".
CHP := node_modules/.bin/configurable-http-proxy
LEARNERS ?= learner1,learner2,learner3,learner4
DATA ?= /srv/data
HUB_ARGS ?=
hub-setup: $(CHP)
$(CHP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error \
		&& touch $(CHP); else echo "WARNING: npm not found: install Node.js (apt-get install \
		nodejs npm) for make hub; the room test (tests/hub) will be skipped."; fi

hub: setup hub-setup
	$(BIN)/cnncourse hub --learners $(LEARNERS) --create-users --data $(DATA) $(HUB_ARGS)

clean:
	rm -rf build .pytest_cache
