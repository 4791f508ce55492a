# `make test` is the project's one test command (README); CI runs it through .ci/run.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo bench clean

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

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
