# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-out

.PHONY: setup demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/echotrace run echotrace/data/demo --db $(DEMO)/demo.duckdb
	$(BIN)/echotrace report --db $(DEMO)/demo.duckdb -o $(DEMO)/report.html
	@echo ""
	@echo "Report:  $(abspath $(DEMO)/report.html)"
	@echo "Status:  $(BIN)/echotrace status --db $(DEMO)/demo.duckdb"

lint: setup
	$(BIN)/ruff check echotrace tests bench

typecheck: setup
	$(BIN)/mypy echotrace

unit: setup
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck unit

clean:
	rm -rf $(DEMO) .mypy_cache .ruff_cache .pytest_cache
