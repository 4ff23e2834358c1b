# `make run` and `make test` each set up .venv (if missing or out of date) first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SCENARIO ?= scenarios/retail_bank.toml

.PHONY: run test test-slow lint bench clean browser docs

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "planner needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false \
		--client.toolbarMode minimal --server.maxUploadSize 50 --server.fileWatcherType none \
		-- --scenario $(SCENARIO)

# The browser test drives Debian's chromium; install it where we can (root with apt-get),
# otherwise the test is skipped and pytest's summary says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "make: cannot install chromium (needs root and apt-get): the browser test will be skipped"; \
	  fi; }

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site
	$(BIN)/python -m pytest -m "not slow"
	$(BIN)/python -m pytest --nbmake notebooks

# The slow tests: statistical checks with many replications, long app pages and the
# browser (Debian's chromium). CI runs them after make test.
test-slow: $(STAMP) browser
	$(BIN)/python -m pytest -m slow

# The docs site, served at http://127.0.0.1:8000 as you edit docs/.
docs: $(STAMP)
	$(BIN)/mkdocs serve

# Every benchmark; what they print is also written to docs/performance.md.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
