# Lutetia: `make run` serves the demo city, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*/pyproject.toml)
PYTEST_ARGS ?=

.PHONY: install run test lint lint-imports migrations-check i18n-check messages bench clean help

help:
	@echo "make run    install, migrate, load the demo city and serve it on http://127.0.0.1:8000"
	@echo "make test   the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint   ruff, import boundaries, missing migrations"
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

test: install $(OIDC_PROVIDER)
	$(BIN)/pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) var .pytest_cache tests/oidc_provider/node_modules
