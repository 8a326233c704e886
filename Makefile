# o2o: `make run` serves the demo, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARQ_STAMP := .venv-arq/.installed

# The real services the second test pass runs on (CI sets O2O_REQUIRE_SERVICES=1).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9

.PHONY: install run test test-embedded test-services lint migrations schema bench bench-quick clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# The demo keeps one signing key in var/ (unless SECRET_KEY is set), so a restart does not
# sign the store app out: it reconnects and shows its pending offers again.
run: install
	$(BIN)/o2o migrate
	$(BIN)/o2o seed --demo
	@mkdir -p var && test -s var/secret-key || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/secret-key
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret-key)}" $(BIN)/o2o serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# SQLite + in-process Redis, then PostgreSQL + Redis.
test: lint test-embedded test-services

test-embedded: install
	$(BIN)/pytest

test-services: install
	O2O_TEST_DATABASE_URL=$(TEST_DATABASE_URL) O2O_TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest

# Needs PostgreSQL and Redis as for test-services; see benchmarks/README.md.
bench: install $(ARQ_STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: install $(ARQ_STAMP)
	$(BIN)/python -m benchmarks.run --quick

# arq, benchmark 2's reference, pins redis<6: it gets an environment of its own.
$(ARQ_STAMP): benchmarks/arq-requirements.txt
	$(PYTHON) -m venv .venv-arq
	.venv-arq/bin/pip install --quiet -r benchmarks/arq-requirements.txt
	touch $(ARQ_STAMP)

# After changing a model: write the migration, then commit it.
migrations: install
	$(BIN)/tortoise -c domain.db.TORTOISE_ORM makemigrations

schema: install
	$(BIN)/o2o export-schema

clean:
	rm -rf $(VENV) .venv-arq var .pytest_cache .mypy_cache .ruff_cache
