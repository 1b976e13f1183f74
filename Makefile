# Lutetia: `make run` serves the demo city, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*/pyproject.toml)
PYTEST_ARGS ?=

.PHONY: install run test a11y lint lint-imports migrations-check i18n-check messages bench clean help

help:
	@echo "make run    install, migrate, load the demo city and serve it on http://127.0.0.1:8000"
	@echo "make test   the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint   ruff, import boundaries, missing migrations"
	@echo "make a11y   the accessibility report: axe-core on every front-office page, every theme"
	@echo "make messages    refresh the fr/hu catalogues from the code (then translate them)"
	@echo "make bench  front-office benchmark (see bench/)"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml $(PLUGINS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $@

run: install
	$(BIN)/lutetia migrate --noinput
	$(BIN)/lutetia demo
	$(BIN)/lutetia run

# The OpenID Connect provider the sign-in tests run against (npm oidc-provider, locked).
OIDC_PROVIDER := tests/oidc_provider/node_modules/.package-lock.json

$(OIDC_PROVIDER): tests/oidc_provider/package-lock.json
	npm ci --prefix tests/oidc_provider --no-audit --no-fund --silent

# axe-core, for the accessibility gate (tests/browser/test_accessibility.py), locked.
AXE := tests/a11y/node_modules/.package-lock.json

$(AXE): tests/a11y/package-lock.json
	npm ci --prefix tests/a11y --no-audit --no-fund --silent

test: install $(OIDC_PROVIDER) $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

# The accessibility report: every front-office page under every theme, rules run, violations.
a11y: install $(AXE)
	mkdir -p var && rm -f var/a11y-report.jsonl
	A11Y_REPORT=var/a11y-report.jsonl $(BIN)/pytest -p no:cacheprovider -q tests/browser/test_accessibility.py; \
	  status=$$?; $(BIN)/python -m lutetia.testing.a11y var/a11y-report.jsonl; exit $$status

lint: install lint-imports migrations-check i18n-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-imports: install
	$(BIN)/python scripts/lint_imports.py

migrations-check: install
	$(BIN)/lutetia makemigrations --check --dry-run

i18n-check: install
	$(BIN)/python scripts/i18n_check.py

messages: install
	$(BIN)/python scripts/i18n_check.py --update

bench: install
	$(BIN)/python bench/frontoffice.py

clean:
	rm -rf $(VENV) var .pytest_cache tests/oidc_provider/node_modules tests/a11y/node_modules
