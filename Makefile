# `make test` is the project's one test command (README); CI runs it through .ci/run.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo bench clean golden-jsbson

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,testing,examples,server]'
	touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy integrations_core

pytest: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	@echo "u-alice holds manage-own-incoming + manage-outgoing: she sees her own incoming webhooks"
	@echo "and every outgoing one (even without a recorded creator). Oldest first, first page of 5:"
	$(BIN)/integrations-core list --user u-alice --permission manage-own-incoming-integrations \
		--permission manage-outgoing-integrations --sort '{"_createdAt": 1}' --count 5 \
		--fields '{"name": 1, "type": 1, "_createdBy.username": 1, "_createdAt": 1}'

# Benchmarks report and exit 0; `make bench BENCH_FLAGS=--check` fails on a missed target.
BENCH_FLAGS ?=

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f $(BENCH_FLAGS) || exit 1; done

# The bson package Rocket.Chat 7.x runs: its Node driver, mongodb 6.16.0, depends on bson ^6.10.3,
# which resolves to 6.10.4 (the last 6.x). Installed into build/ (not committed); needs node + npm.
JSBSON_VERSION ?= 6.10.4
JSBSON_DIR := build/jsbson

golden-jsbson:
	mkdir -p $(JSBSON_DIR)
	cd $(JSBSON_DIR) && npm install --no-audit --no-fund --no-save --no-package-lock \
		bson@$(JSBSON_VERSION)
	node tests/golden/make_jsbson_golden.cjs $(JSBSON_DIR) > tests/golden/jsbson.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
