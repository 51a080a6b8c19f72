# make run   : set up .venv, evaluate sample_inputs/ into out/
# make test  : set up .venv, run the whole test suite
# make bench : set up .venv, run the benchmark (100 counties × 300 schools)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench samples clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/equity-xlsx run sample_inputs --out out

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf out bench_out
