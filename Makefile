# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-out

.PHONY: setup demo test lint typecheck unit browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/echotrace run echotrace/data/demo --db $(DEMO)/demo.duckdb --aliases echotrace/data/demo_aliases.yaml
	$(BIN)/echotrace report --db $(DEMO)/demo.duckdb -o $(DEMO)/report.html
	@echo ""
	@echo "Report:  $(abspath $(DEMO)/report.html)"
	@echo "Web app: $(BIN)/echotrace serve --db $(DEMO)/demo.duckdb   (then open http://127.0.0.1:8765/)"
	@echo "Status:  $(BIN)/echotrace status --db $(DEMO)/demo.duckdb"

lint: setup
	$(BIN)/ruff check echotrace tests bench

typecheck: setup
	$(BIN)/mypy echotrace tests bench

# Browser tests drive Debian's Chromium (no browser download); installed when missing and apt is usable.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium missing and apt-get unavailable: browser tests will be skipped"; fi; }

unit: setup browser-deps
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck unit

clean:
	rm -rf $(DEMO) .mypy_cache .ruff_cache .pytest_cache
