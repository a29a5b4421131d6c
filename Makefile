# Loket — the commands a newcomer needs. `make run` and `make test` work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INI ?= development.ini
STAMP := $(VENV)/.installed
# PostgreSQL server for the second test run (an admin URL; a throw-away database is made on it).
LOKET_TEST_POSTGRESQL ?= postgresql+psycopg://postgres@127.0.0.1/postgres

.PHONY: install migration run test test-sqlite test-postgresql test-browser lint i18n-extract i18n-compile \
        bench bench-quick clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 'setuptools<81' wheel
	$(BIN)/pip install --quiet -e '.[test,production]'
	touch $(STAMP)

install: $(STAMP) i18n-compile

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d src/loket/locale -D loket --statistics 2>&1 | tail -n 2
	$(BIN)/pybabel compile -d src/loket/locale -D deform
	$(BIN)/pybabel compile -d src/loket/locale -D colander

i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --project=loket -w 100 -o src/loket/locale/loket.pot src/loket
	for lang in nl en; do \
	  $(BIN)/pybabel update -D loket -w 100 -i src/loket/locale/loket.pot -d src/loket/locale -l $$lang --no-fuzzy-matching; \
	done

# Until the first release the schema is one migration, regenerated from the models.
# Hand-written migrations after it (0002_search: full-text indexes no model describes) step
# aside while 0001 is made.
migration: $(STAMP)
	rm -f migrations/versions/0001_initial_schema.py var/autogen.sqlite
	mkdir -p var/migrations-aside
	mv migrations/versions/0002_*.py var/migrations-aside/
	LOKET_DATABASE_URL=sqlite:///var/autogen.sqlite $(BIN)/alembic -c development.ini \
	  revision --autogenerate --rev-id 0001 -m "initial schema" >/dev/null; \
	  status=$$?; mv var/migrations-aside/0002_*.py migrations/versions/; exit $$status
	rm -f var/autogen.sqlite
	$(BIN)/ruff check --fix --unsafe-fixes --quiet migrations || true

# Pyramid 2 imports setuptools' deprecated pkg_resources: nothing an operator can act on.
run: export PYTHONWARNINGS = ignore:pkg_resources is deprecated:UserWarning
run: install
	mkdir -p var
	$(BIN)/loket initdb $(INI)
	$(BIN)/loket demo $(INI)
	@echo "Loket: http://localhost:6543  (simulators: http://localhost:6544)"
	$(BIN)/loket dev $(INI)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations
	@# The layer contract (setup.cfg [importlinter]); only its verdict is printed.
	@mkdir -p var
	@$(BIN)/lint-imports --no-cache > var/lint-imports.txt 2>&1 \
	  || { cat var/lint-imports.txt; exit 1; }; tail -n 1 var/lint-imports.txt

test: install lint test-sqlite test-postgresql

# Coverage is measured on the SQLite run (browser tests included) with a floor.
test-sqlite: install
	$(BIN)/pytest --cov=loket --cov-report= --cov-fail-under=90 $(PYTEST_ARGS)

test-postgresql: install
	LOKET_TEST_POSTGRESQL='$(LOKET_TEST_POSTGRESQL)' $(BIN)/pytest -m 'not browser' $(PYTEST_ARGS)

test-browser: install
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

bench: install
	command -v wrk >/dev/null || apt-get install -y wrk || echo "no wrk: bench uses its Python client"
	$(BIN)/python -m bench.run --full
	$(BIN)/python -m bench.sending
	$(BIN)/python -m bench.payments --orders 20000 --rounds 9 --duration 4
	$(BIN)/python -m bench.signing  # 500 letters signed by two signatories
	$(BIN)/python -m bench.letters --letters 100
	$(BIN)/python -m bench.submissions --applications 400
	$(BIN)/python -m bench.outbox --messages 20000

bench-quick: install
	command -v wrk >/dev/null || apt-get install -y wrk || echo "no wrk: bench uses its Python client"
	$(BIN)/python -m bench.run --quick
	$(BIN)/python -m bench.letters --letters 20

clean:
	rm -rf $(VENV) var *.egg-info src/*.egg-info
