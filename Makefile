# whosaid: the two commands of the quickstart are `make serve` and `make test`.
# Everything they need is installed into ./.venv from PyPI; nothing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

SOURCES := $(wildcard corpus/*.yaml corpus/articles/*) $(wildcard ontology/*.ttl shapes/*.ttl graph/*.py graph/queries/*.rq)

.PHONY: serve test build validate stats export bench fuzz soak vendor clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The store is rebuilt when the corpus, ontology, shapes or build code change.
$(STORE)/CURRENT: $(SOURCES) $(VENV)/.installed
	WHOSAID_STORE=$(STORE) $(BIN)/whosaid build

build: $(STORE)/CURRENT

serve: build
	WHOSAID_STORE=$(STORE) $(BIN)/whosaid serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

validate: build
	WHOSAID_STORE=$(STORE) $(BIN)/whosaid validate

stats: build
	WHOSAID_STORE=$(STORE) $(BIN)/whosaid stats

bench: install
	$(BIN)/python -m bench.ingest_scaling

# schemathesis on /graphql and the OpenAPI routes of a real server, for FUZZ_SECONDS (the suite
# runs the same test for 30 s).
FUZZ_SECONDS ?= 600
fuzz: install
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q tests/test_fuzz.py

# Mixed reads from SOAK_CLIENTS clients and one writer against a real server for SOAK_SECONDS;
# fails on any 5xx or internal error, or if the server's threads or memory grew past their bound.
SOAK_SECONDS ?= 600
SOAK_CLIENTS ?= 20
soak: install
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_CLIENTS=$(SOAK_CLIENTS) $(BIN)/python -m bench.soak

# Re-vendor the browser assets of GraphiQL, Swagger UI and ReDoc into api/static/ (needs npm).
vendor:
	sh tools/vendor-assets.sh

clean:
	rm -rf var .pytest_cache
