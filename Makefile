# The two commands a new user needs: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all bench lint format clean browser

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

# torch first, pinned: that CPU wheel is on disk; a looser pin pulls a multi-GB CUDA build.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The tour: every job of a generative model on the bundled data, offline.
demo: $(STAMP)
	$(BIN)/genlab tour --out runs/tour
	@echo "Open runs/tour/index.html (or read runs/tour/report.md)"

# Debian's chromium for the playground's browser tests (Playwright drives /usr/bin/chromium;
# the venv has playwright from the dev extra). sudo only when not root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

test-all: $(STAMP) lint
	$(BIN)/python -m pytest -q -m ''

bench: $(STAMP)
	$(BIN)/genlab bench --out runs/bench

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) runs build *.egg-info src/*.egg-info
