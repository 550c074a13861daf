# Two entry points: `make demo` runs the product, `make test` runs every check.
# The virtualenv is rebuilt only when pyproject.toml changes (the stamp carries its hash).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck pytest jstest tools bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# HOST and PORT pass through: `make demo PORT=8001`.
demo: $(STAMP)
	$(BIN)/customer-health demo

tools:
	@scripts/ensure-test-tools

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) tools
	$(BIN)/pytest

jstest: tools
	node --test zendesk_app/tests/

test: lint typecheck jstest pytest

bench: $(STAMP)
	@scripts/ensure-bench-tools
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done
