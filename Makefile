# CarePress: `make demo` builds the demo hub, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check setup clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## demo: build the patient and HCP sites of the demo hub into site/, with reports
demo: $(STAMP)
	$(BIN)/carepress build --audience all
	@echo "Open site/patient/index.html and site/hcp/index.html"

## check: run every rule on the demo content without building
check: $(STAMP)
	$(BIN)/carepress check

## test: the whole suite (unit, real builds, headless Chromium)
test: $(STAMP)
	./scripts/ensure-chromium
	$(BIN)/python -m pytest -n 2

## bench: vanilla MkDocs against CarePress on generated hubs of 500, 2,000 and 10,000 articles (long; see docs/performance.md)
bench: $(STAMP)
	$(BIN)/python -m benchmarks --workdir build/bench --json reports/bench.json

clean:
	rm -rf site .pytest_cache
