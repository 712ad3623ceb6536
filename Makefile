# Tessera developer commands. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install browser demo serve worker test test-sqlite test-postgres check lint fmt typecheck lint-imports migrations-check messages compilemessages bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Tessera with its development tools (playwright among them)

# The browser test drives Debian's Chromium (`playwright install` needs the internet); CJK fonts draw the Chinese and
# Korean pages. Installed only when missing, and only where apt-get can (as root); elsewhere the test says why it skips.
browser: ## Install Chromium and CJK fonts for the browser test, if missing and apt-get is available as root
	@if command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get install -y --no-install-recommends chromium fonts-noto-cjk || \
		{ apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }; \
	else echo "make browser: Chromium or fonts-noto-cjk missing and apt-get unavailable as root; the browser test will skip"; fi

demo: $(STAMP) ## Install, load the demo data (SQLite) and serve http://127.0.0.1:8000
	$(BIN)/tessera demo

serve: $(STAMP) ## Serve the current database at http://127.0.0.1:8000
	$(BIN)/tessera serve

worker: $(STAMP) ## Run the background worker (outbox relay, programme jobs) on the current database
	$(BIN)/tessera worker

test: $(STAMP) browser ## Install and run the whole suite, on SQLite and then on PostgreSQL
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite: $(STAMP) ## The suite on SQLite only
	$(BIN)/pytest -n 2 -q

test-postgres: $(STAMP) ## The suite on PostgreSQL (127.0.0.1:5432, or a throwaway cluster; fails if CI=true and none)
	TESSERA_TEST_DB=postgres $(BIN)/pytest -n 2 -q

check: lint typecheck lint-imports migrations-check compilemessages ## ruff, mypy, import-linter, migrations and messages checks

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check src bench conftest.py
	$(BIN)/ruff format --check src bench conftest.py

fmt: $(STAMP) ## Format and autofix with ruff
	$(BIN)/ruff format src bench conftest.py
	$(BIN)/ruff check --fix src bench conftest.py

typecheck: $(STAMP) ## mypy (strict on services, selectors, rules, ledger and kit)
	$(BIN)/mypy

lint-imports: $(STAMP) ## import-linter layer contracts
	$(BIN)/lint-imports

migrations-check: $(STAMP) ## Fail if a model change lacks a migration
	DJANGO_SETTINGS_MODULE=tessera.config.settings TESSERA_HOME=$$(mktemp -d) $(BIN)/django-admin makemigrations --check --dry-run

messages: $(STAMP) ## Extract translatable strings into the .po catalogues
	cd src/tessera && DJANGO_SETTINGS_MODULE=tessera.config.settings TESSERA_HOME=$$(mktemp -d) ../../$(BIN)/django-admin makemessages -l en -l zh_Hans -l zh_Hant -l ko --no-obsolete --no-location

compilemessages: $(STAMP) ## Compile catalogues and fail if a committed .mo file was stale
	$(BIN)/python -m tessera.devtools.messages --check

bench: $(STAMP) ## Checkout benchmark against pgbench (a throwaway cluster); BENCH_ARGS=--quick for a short run
	$(BIN)/python bench/checkout.py $(BENCH_ARGS)

clean: ## Remove the virtual environment and local databases
	rm -rf $(VENV) tessera.sqlite3* .static
