# make run   : set up .venv, evaluate sample_inputs/ into out/
# make test  : set up .venv, run the whole test suite (two or more processes: pytest-xdist)
# make test-fast : the pure tests only: no LibreOffice, Chromium, PostgreSQL or whole runs (markers)
# make bench : set up .venv, run the benchmark (100 counties × 300 schools)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# What a test needs beyond Python is declared by its marker (pyproject.toml, tests/conftest.py).
FAST := not libreoffice and not chromium and not postgres and not whole_run

.PHONY: run test test-fast bench samples clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/equity-xlsx run sample_inputs --out out

# pytest-xdist, one worker per core. --dist worksteal: each worker starts on a contiguous half of
# the tests (a module stays on one worker, its module fixtures made once) and a worker that runs
# dry takes tests from the end of the other's queue.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist worksteal

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist worksteal -m "$(FAST)"

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf out bench_out
