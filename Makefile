# Every verb installs what it needs into project-local environments:
#   .venv          the SDK with its dev dependency group (tests, lint, types; pinned in pyproject.toml)
#   .tools/codegen the pinned generator (codegen/requirements.txt)
#   node_modules   the pinned mock server and OpenAPI linter (package.json, package-lock.json; needs Node.js + npm)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/codegen
TOOL_PY := $(TOOLS)/bin/python
NODE_MODULES := node_modules/.package-lock.json
REDOCLY := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly

.PHONY: help install codegen codegen-check test test-matrix docs contract check lint typecheck verifytypes spec-check \
	spec-lint spec-diff spec-gate release-notes release mock demo bench clean

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	@touch $(BIN)/python

$(TOOL_PY): codegen/requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOL_PY) -m pip install --quiet --upgrade pip
	$(TOOL_PY) -m pip install --quiet -r codegen/requirements.txt
	@touch $(TOOL_PY)

# Prism and Redocly CLI, exactly as locked. No install scripts run (the only one is an analytics ping). Prism
# 5.16 declares Node.js >= 24 but runs on Node.js 20 (the contract suite is the check); npm warns about it.
$(NODE_MODULES): package.json package-lock.json
	@command -v node >/dev/null 2>&1 || { echo "error: Node.js is not installed. The contract tests, make demo and \
	make check run the mock server (Prism) and the OpenAPI linter (Redocly) from npm: install Node.js >= 20 with npm \
	(https://nodejs.org/en/download), then run make again." >&2; exit 1; }
	@command -v npm >/dev/null 2>&1 || { echo "error: npm is not installed (it comes with Node.js): install it, \
	then run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

install: $(BIN)/python ## Create .venv with the SDK and its dev tools

codegen: $(TOOL_PY) ## Regenerate avala/types, avala/resources, avala/_client_resources.py, avala/cli/_table.py, docs/reference/
	$(TOOL_PY) -m codegen generate

codegen-check: $(TOOL_PY) ## Fail if the committed generated code differs from a fresh generation
	$(TOOL_PY) -m codegen check

test: $(BIN)/python $(NODE_MODULES) ## Run the test suite, contract tests against the mock server included
	$(BIN)/pytest -q

test-matrix: $(BIN)/python ## Run the unit suite against the lowest and the newest httpx and attrs (.tools/matrix-*)
	$(BIN)/python scripts/test_matrix.py

docs: $(BIN)/python ## Build the documentation site into site/ (MkDocs, --strict: a broken link or anchor fails)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

contract: $(BIN)/python $(NODE_MODULES) ## Run only the contract tests (every operation against the mock server)
	$(BIN)/pytest -q tests/contract

mock: $(BIN)/python $(NODE_MODULES) ## Serve openapi.yaml with the mock server on http://127.0.0.1:4010 until Ctrl-C
	$(BIN)/python scripts/mockserver.py

demo: $(BIN)/python $(NODE_MODULES) ## Run examples/quickstart.py against the mock server started from openapi.yaml
	$(BIN)/python scripts/mockserver.py -- $(BIN)/python examples/quickstart.py

lint: $(BIN)/python ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/python ## mypy --strict on the package, the generator, examples/ and benchmarks/
	$(BIN)/mypy

# pyright (pinned in package.json) checks the package as a user's checker sees it once installed: it runs outside the
# checkout, because it leaves the sources of the directory it runs in out of --verifytypes.
verifytypes: $(BIN)/python $(NODE_MODULES) ## Type completeness of the public API (pyright --verifytypes avala): 100 %
	@dir=$$(mktemp -d) && cd $$dir && PYTHONPATH=$(CURDIR) $(CURDIR)/node_modules/.bin/pyright \
		--pythonpath $(CURDIR)/$(BIN)/python --verifytypes avala --ignoreexternal > report.txt 2>&1; status=$$?; \
		if [ $$status -eq 0 ]; then grep -E '^(Symbols exported|Type completeness)' report.txt; else cat report.txt; fi; \
		rm -rf $$dir; exit $$status

spec-check: $(BIN)/python ## Validate openapi.yaml
	$(BIN)/python -m codegen.speccheck openapi.yaml

spec-lint: $(NODE_MODULES) ## Lint openapi.yaml with Redocly CLI (redocly.yaml: every example against its schema, ...)
	$(REDOCLY) lint openapi.yaml --config redocly.yaml --format=summary

check: lint typecheck verifytypes spec-check spec-lint codegen-check spec-gate ## Lint, types, type completeness, spec, drift, API gate

# BASE: RELEASE (release/openapi.yaml, the last release's spec), a git revision (HEAD, $$(git merge-base main HEAD))
# or a file.
BASE ?= RELEASE
spec-diff: $(TOOL_PY) ## Semantic diff of openapi.yaml since the last release (or BASE=<git revision>) to the working tree
	$(TOOL_PY) -m codegen diff $(BASE) WORKTREE

spec-gate: $(TOOL_PY) ## Fail on a breaking change since the last release that CHANGELOG.md does not acknowledge
	$(TOOL_PY) -m codegen gate

release-notes: $(TOOL_PY) ## Print the next version and its changelog entry (from the spec diff since the last release)
	$(TOOL_PY) -m codegen release --dry-run

release: $(TOOL_PY) ## Write the next version's CHANGELOG.md entry, bump avala/_version.py, record the released spec
	$(TOOL_PY) -m codegen release

bench: $(BIN)/python $(TOOL_PY) ## Benchmarks against raw httpx and the published avala (one table; ~4 min, AVALA_BENCH_SMALL=1 for less)
	$(BIN)/python benchmarks/run.py

clean: ## Remove the project-local environments
	rm -rf $(VENV) .tools node_modules site .mypy_cache .ruff_cache .pytest_cache
