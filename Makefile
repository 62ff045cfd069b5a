# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Both create .venv and install framing into it (editable) the first time.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

.PHONY: install demo test lint bench
install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/framing demo --fresh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check framing tests benchmarks

test: lint
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/extract_throughput.py
	$(PY) benchmarks/crawl_throughput.py
	$(PY) benchmarks/tag_throughput.py
	$(PY) benchmarks/tag_memory.py
	$(PY) benchmarks/annotate_load.py
	$(PY) benchmarks/classify_throughput.py
