# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
FUZZ_REQUESTS ?= 20000

.PHONY: serve test lint install init-db bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

init-db: $(STAMP)
	$(BIN)/flask --app wsgi bcf init-db

serve: init-db
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) lint
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/test-services $(BIN)/python -m pytest $(PYTEST_ARGS)

fuzz: $(STAMP)  # a long schemathesis run with fresh random data; `make test` runs a derandomized 2,700
	FUZZ_REQUESTS=$(FUZZ_REQUESTS) FUZZ_RANDOM=1 $(BIN)/python -m pytest tests/fuzz -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)  # on demand, never part of `make test`; figures go to docs/performance.md
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/test-services sh -c 'for b in benchmarks/*.py; do \
	  $(BIN)/python $$b || exit 1; done'

clean:
	rm -rf $(VENV) .pytest_cache instance
