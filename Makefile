# Two commands do everything (see README.md):
#   make lab    set up .venv and open the course in JupyterLab
#   make test   set up .venv and run every test (lint, package tests, all notebooks)
#   make check  the contributor's inner loop: lint, import contracts, package tests (no notebooks)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cnncourse-installed
# Tests run offline, in quick mode, with a throwaway data folder (conftest.py gives each
# pytest-xdist worker its own sub-folder and leaderboard).
TEST_ENV := CNNCOURSE_QUICK=1 CNNCOURSE_OFFLINE=1 CNNCOURSE_DATA=$(CURDIR)/build/test-data \
	CNNCOURSE_LEADERBOARD=$(CURDIR)/build/test-data/leaderboard.csv
# In parallel where it is safe (pytest-xdist): a worker per core, at most 4, each torch and
# notebook kernel on its share of the cores (conftest.py). worksteal: an idle worker takes tests
# from a busy one, and the longest (tests/durations.json) start first. XDIST= runs everything
# in one process.
XDIST ?= -n auto --maxprocesses 4 --dist worksteal

.PHONY: setup lab test check lint clean site hub hub-setup hub-publish hub-teardown test-oldest

setup: $(STAMP)

# Re-installs only when a pyproject.toml changes, so both commands work offline afterwards.
# Two distributions: the learner's package (cnncourse, this folder) and the instructor's
# tools (cnncourse-instructor, instructor/: solved notebooks, stamp, timing, the room).
$(STAMP): pyproject.toml instructor/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e "./instructor[hub]"
	$(BIN)/python tests/ipywidgets7/install.py   # cache Colab's ipywidgets 7 for its test
	touch $(STAMP)

# JupyterLab (the `lab` extra, which setup installs) refuses to run as root unless told;
# containers and VMs often are root.
lab: setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# ruff, then the layer contracts in pyproject.toml ([tool.importlinter]).
lint: setup
	$(BIN)/ruff check cnncourse instructor tests benchmarks examples
	$(BIN)/lint-imports --no-cache

# The inner loop: everything but the notebooks, JupyterLab, the website and the room
# (tests/unit, tests/checks, tests/instructor, tests/benchmarks and the fast checks elsewhere).
check: lint
	$(TEST_ENV) $(BIN)/pytest -q $(XDIST) -m "not notebooks and not browser and not hub" \
		--ignore=tests/e2e/site tests

# Each notebook is executed at most twice (tests/notebooks/test_notebooks.py): once as a learner runs
# it, kept in build/executed, from which the website is built without running anything again;
# and once with its exercises skipped, then solved with the references and checked.
# hub-setup installs the proxy the workshop-room test (tests/hub) starts JupyterHub with.
# Notebooks and package tests run in parallel; JupyterLab in Chromium and the room (real
# servers, system users, three learners' kernels training at once) run after them in one
# process, then the website: side by side, the room's kernels lost their connection on 2 cores.
test: lint hub-setup
	rm -rf build/solved build/test-data build/executed
	$(BIN)/cnncourse-instructor notebooks --solved build/solved
	$(BIN)/cnncourse-instructor stamp --check
	$(TEST_ENV) $(BIN)/pytest $(XDIST) -m "not browser and not hub" tests --ignore=tests/e2e/site
	@# The website is built from build/executed and tested in headless Chromium while
	@# JupyterLab and the rooms are tested: those tests mostly wait on servers, so on 2 cores
	@# the two overlap. The website's output is printed after the rooms'.
	( $(MAKE) site SITE=build/site-quick SITE_SRC=build/executed SITE_EXECUTE=off && \
		$(TEST_ENV) $(BIN)/pytest tests/e2e/site ) >build/site-quick.log 2>&1 & site=$$!; \
	$(TEST_ENV) $(BIN)/pytest -m "browser or hub" tests/e2e/browser tests/hub; tests=$$?; \
	wait $$site; built=$$?; cat build/site-quick.log; \
	test $$built -eq 0 || echo "make test: the website's build or its tests failed (above)."; \
	test $$tests -eq 0 && test $$built -eq 0

# The oldest torch/torchvision pyproject.toml allows, in a throwaway venv: package tests and
# quick notebooks (.ci/test-oldest; CI: .github/workflows/oldest.yml). Not part of `make test`:
# PyPI's Linux torch wheels pull about 3 GB of CUDA libraries (TORCH_INDEX= picks CPU wheels).
test-oldest:
	PYTHON=$(PYTHON) .ci/test-oldest

# The course website (Jupyter Book 1: Sphinx + MyST-NB). Every notebook runs top to bottom on
# whatever data this machine has (run `cnncourse data download` first for the real datasets;
# without them every page says it shows the stand-in). Full mode; pages land in
# $(SITE)/_build/html. `make test` builds a quick one into build/site-quick and tests it.
# hub-setup (npm ci) installs MathJax, require.js and the widget manager the pages serve
# themselves, so the site needs no network (site/_ext/offline.py).
SITE ?= build/site
SITE_ENV ?= env -u CNNCOURSE_QUICK
# make test passes SITE_SRC=build/executed (notebooks its tests already ran) and
# SITE_EXECUTE=off (the copies hold their outputs).
SITE_SRC ?= notebooks
SITE_EXECUTE ?= force
site: setup hub-setup
	rm -rf $(SITE)
	mkdir -p $(SITE)/src
	cp -R site/. $(SITE_SRC)/*.ipynb $(SITE)/src/
	sed -i.orig 's/^  execute_notebooks: force/  execute_notebooks: $(SITE_EXECUTE)/' \
		$(SITE)/src/_config.yml && rm $(SITE)/src/_config.yml.orig
	$(SITE_ENV) CNNCOURSE_WIDGETS=0 $(BIN)/jupyter-book build --quiet --path-output $(SITE) $(SITE)/src
	@echo "site: open $(SITE)/_build/html/index.html"

# A workshop room on this machine (run as root): JupyterHub for the learners named in
# LEARNERS plus one instructor admin (INSTRUCTOR), each a system user with their own password
# (printed slips in build/hub/private/, mode 700), their server in a cgroup with 1 core and 2G
# where the host allows it, the shared data in DATA (read-only for them), one room
# leaderboard, and the course handed out as an nbgitpuller link (printed). OFFLINE=1: the
# learners' notebooks never touch the network (CNNCOURSE_OFFLINE). hub-publish hands out the
# checkout's current commit while the room runs; hub-teardown stops the room and removes its
# users, homes and cgroups. See docs/instructor-guide.md, "A workshop server".
CHP := node_modules/.bin/configurable-http-proxy
LEARNERS ?= learner1,learner2,learner3,learner4
INSTRUCTOR ?= instructor
DATA ?= /srv/data
OFFLINE ?=
HUB_STATE ?= build/hub
HUB_ARGS ?=
hub-setup: $(CHP)
$(CHP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error \
		&& touch $(CHP); else echo "WARNING: npm not found: install Node.js (apt-get install \
		nodejs npm) for make hub; the room test (tests/hub) will be skipped."; fi

hub: setup hub-setup
	$(BIN)/cnncourse-instructor hub --learners $(LEARNERS) --instructor $(INSTRUCTOR) \
		--create-users --data $(DATA) --state $(HUB_STATE) $(if $(OFFLINE),--offline) $(HUB_ARGS)

hub-publish: setup
	$(BIN)/cnncourse-instructor hub publish --state $(HUB_STATE)

hub-teardown: setup
	$(BIN)/cnncourse-instructor hub teardown --state $(HUB_STATE)

clean:
	rm -rf build .pytest_cache
