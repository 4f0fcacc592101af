# Every verb installs what it needs into project-local environments:
#   .venv          the SDK with its dev extra (tests, lint, types)
#   .tools/codegen the pinned generator (codegen/requirements.txt)
#   node_modules   the pinned mock server (package.json)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/codegen
TOOL_PY := $(TOOLS)/bin/python

.PHONY: help install codegen codegen-check test check lint typecheck spec-check spec-diff demo bench clean

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/python

$(TOOL_PY): codegen/requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOL_PY) -m pip install --quiet --upgrade pip
	$(TOOL_PY) -m pip install --quiet -r codegen/requirements.txt
	@touch $(TOOL_PY)

install: $(BIN)/python ## Create .venv with the SDK and its dev tools

codegen: $(TOOL_PY) ## Regenerate avala/types, avala/resources and avala/_client_resources.py from openapi.yaml
	$(TOOL_PY) -m codegen generate

codegen-check: $(TOOL_PY) ## Fail if the committed generated code differs from a fresh generation
	$(TOOL_PY) -m codegen check

test: $(BIN)/python ## Run the test suite
	$(BIN)/pytest -q

lint: $(BIN)/python ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/python ## mypy --strict on the package and the generator
	$(BIN)/mypy

spec-check: $(BIN)/python ## Validate openapi.yaml
	$(BIN)/python -m codegen.speccheck openapi.yaml

check: lint typecheck spec-check codegen-check ## Lint, types, spec validation, generated-code drift

spec-diff: $(TOOL_PY) ## Semantic diff of openapi.yaml: last commit against the working tree
	$(TOOL_PY) -m codegen diff HEAD WORKTREE

clean: ## Remove the project-local environments
	rm -rf $(VENV) .tools node_modules .mypy_cache .ruff_cache .pytest_cache
