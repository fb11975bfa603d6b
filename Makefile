# On the Record — `make demo` sets up, ingests the bundled example and serves it;
# `make test` runs the test suite. Both create the virtualenv on first use.

PYTHON ?= python3
VENV ?= .venv
ARCHIVE ?= archive
HOST ?= 127.0.0.1
PORT ?= 5000
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: demo install test lint bench clean

# The CPU build of torch goes in first: anything that later asks for torch then finds it,
# instead of pulling gigabytes of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ontherecord ingest examples/bargaining-session.ogg --archive $(ARCHIVE) \
	    --title "Teachers bargaining session (example)" --date 2026-10-14 --unit Teachers
	$(BIN)/ontherecord serve --archive $(ARCHIVE) --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/asr.py --model base --out bench/results-asr-base.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
