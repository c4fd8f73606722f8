# whosaid: the two commands of the quickstart are `make serve` and `make test`.
# Everything they need is installed into ./.venv from PyPI; nothing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

SOURCES := $(wildcard corpus/*.yaml corpus/articles/*) $(wildcard ontology/*.ttl shapes/*.ttl graph/*.py graph/queries/*.rq)

.PHONY: serve test build validate stats export bench clean install

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

clean:
	rm -rf var .pytest_cache
