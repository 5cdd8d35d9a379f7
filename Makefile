# CarePress: `make demo` builds the demo hub, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check setup clean audit fuzz bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## demo: build the patient and HCP sites of the demo hub into site/, with reports
demo: $(STAMP)
	$(BIN)/carepress build --audience all
	$(BIN)/carepress report compliance
	$(BIN)/carepress report seo
	@echo "Open site/patient/index.html and site/hcp/index.html"

## check: run every rule on the demo content without building
check: $(STAMP)
	$(BIN)/carepress check

## test: the whole suite (unit, real builds, headless Chromium)
test: $(STAMP)
	./scripts/ensure-chromium
	./scripts/ensure-java
	./scripts/ensure-node-packages
	./scripts/ensure-nginx
	$(BIN)/python -m pytest -n 2

## audit: build the demo afresh and run the output gates (Nu HTML checker, axe-core, links); prints a summary table
audit: $(STAMP)
	./scripts/ensure-chromium
	./scripts/ensure-java
	./scripts/ensure-node-packages
	$(BIN)/python -m carepress.hardening.audit

## fuzz: the property-based tests with many more examples than `make test` runs
fuzz: $(STAMP)
	$(BIN)/python -m pytest tests/fuzz --hypothesis-profile=fuzz

## bench: vanilla MkDocs against CarePress on generated hubs of 500, 2,000 and 10,000 articles (long; see docs/performance.md)
bench: $(STAMP)
	$(BIN)/python -m benchmarks --workdir build/bench --json reports/bench.json

clean:
	rm -rf site .pytest_cache
