# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= index
CORPUS ?= corpus

.PHONY: setup run test test-quick lint bench ocr-engine doc-reader clean-index

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,cluster]'
	touch $(STAMP)

# Tesseract is the OCR engine (Debian packages; no model download at run time).
ocr-engine:
	@command -v tesseract >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing tesseract-ocr (OCR for scanned responses)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null) \
	      || echo "warning: could not install tesseract-ocr; scanned pages will be reported as ocr_unavailable"; \
	  else \
	    echo "note: install tesseract-ocr (e.g. sudo apt-get install tesseract-ocr) to OCR scanned pages"; \
	  fi; }

# antiword reads Word 97-2003 (.doc) files; without it they are reported as unsupported.
doc-reader:
	@command -v antiword >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing antiword (text of Word 97-2003 .doc files)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq antiword >/dev/null) \
	      || echo "warning: could not install antiword; .doc files will be reported as unsupported"; \
	  else \
	    echo "note: install antiword (e.g. sudo apt-get install antiword) to index .doc files"; \
	  fi; }

setup: $(STAMP) ocr-engine doc-reader

run: setup
	$(BIN)/foi index $(CORPUS) --index $(INDEX)
	$(BIN)/foi tui --index $(INDEX)

# Bytecode caches (in .venv, not the source tree) even where PYTHONDONTWRITEBYTECODE is set:
# the suite starts hundreds of `foi` processes, and each would compile indexer/ again (0.2 s).
PYCACHE := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache

# worksteal: each worker starts on its share of the suite in file order (module fixtures are
# built once, not on every worker) and takes half of another's remaining tests when idle.
# Three workers on two cores: the tests wait about a fifth of the time (processes starting,
# signals, timeouts); measured on 2 quiet cores, -n 2: 5 min 22 s with the cores 80% busy,
# -n 3: 4 min 33 s, 94% busy.
TEST_WORKERS ?= 3
test: setup
	$(PYCACHE) $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -q

# The suite without the tests marked slow (kill rounds, hostile corpora, bench smoke run).
test-quick: setup
	$(PYCACHE) $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -q -m "not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/pip install --quiet -e '.[test,cluster,bench]'
	$(BIN)/python -m bench.run

clean-index:
	rm -rf $(INDEX)/* && touch $(INDEX)/.gitkeep
