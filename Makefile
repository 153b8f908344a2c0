# The two commands of the README: `make run` and `make test` (plus `make bench`, `make lint`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
GATEWAY_PORT ?= 8770
export PRAKERJA_HOME := $(CURDIR)

.PHONY: run test install install-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e . || $(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install -q -r requirements-test.lock
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	@mkdir -p var
	$(BIN)/prakerja migrate --noinput -v0
	$(BIN)/prakerja load-regions
	$(BIN)/prakerja seed-demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl+C stops); bank gateway simulator on 127.0.0.1:$(GATEWAY_PORT)"
	@# The simulated banks run beside the site (incentive payouts go there) and stop with it.
	$(BIN)/prakerja gateway-simulator --port $(GATEWAY_PORT) --book var/gateway-book.json & SIM=$$!; \
	  trap 'kill $$SIM 2>/dev/null' EXIT INT TERM; \
	  PAYMENT_GATEWAY_URL=http://127.0.0.1:$(GATEWAY_PORT) $(BIN)/prakerja runserver 127.0.0.1:$(PORT)

test: install-test
	bash scripts/test.sh

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
