# Zonale: `make run` installs and starts the app, `make test` runs the test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test migrate lint e2e chromium redis bench bench-report bench-jobs carico fuzz clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test chromium redis

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

# The worker test (tests/indicatori/test_worker.py) needs Redis on 6379: installed from
# Debian like Chromium, then started daemonized if nothing answers there. If neither
# works, that test is skipped and says why.
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installing Debian's redis-server for the worker tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server || true; }
	@(command -v redis-cli >/dev/null 2>&1 && redis-cli -p 6379 ping >/dev/null 2>&1) || { \
	  command -v redis-server >/dev/null 2>&1 && \
	  redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
	    && sleep 1 || echo "redis-server not available: the worker tests will be skipped"; }

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py carica_dati --utenti-demo
	@echo "Zonale: http://$(HOST)/   amministrazione: http://$(HOST)/admin/"
	$(PY) manage.py runserver $(HOST)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache  # no shared cache: CI runs two suites at once
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: install-test
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

BENCH_DB ?= postgres://postgres@127.0.0.1:5432/zonale_bench
# Benchmarks and load run measure the production configuration (DEBUG off: cached
# templates, persistent connections), served over plain HTTP on loopback.
# The cache is Redis (db 13), as in production with several processes: shared by the
# gunicorn workers of `make carico`, and large enough for the national view's entries.
BENCH_REDIS ?= redis://127.0.0.1:6379/13
BENCH_ENV := DATABASE_URL=$(BENCH_DB) DEBUG=0 SECRET_KEY=zonale-bench-only-not-secret \
  ALLOWED_HOSTS=127.0.0.1,testserver SECURE_SSL_REDIRECT=0 REDIS_URL=$(BENCH_REDIS)

# Benchmarks on the national synthetic dataset (PostgreSQL); results in BENCHMARKS.md.
bench: install-test redis
	psql "$(BENCH_DB)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres zonale_bench
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py carica_dati --utenti-demo >/dev/null
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py genera_italia
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) tests/benchmarks/bench.py

# Times the full Relazione di monitoraggio of Visconteo (pages, seconds, memory).
bench-report: migrate
	$(PY) manage.py carica_dati >/dev/null
	$(PY) tests/benchmarks/report.py

# Background jobs (not part of `make test`): the time of the request that starts a
# Relazione, and 20 Relazioni of 20 Ambiti on 2 workers (lost jobs, memory per worker).
# Needs Redis on 6379 (db 12) and the bench dataset (a smaller one is built if missing).
bench-jobs: install-test redis
	psql "$(BENCH_DB)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres zonale_bench
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) tests/benchmarks/lavori.py

# Load run (needs the bench dataset): gunicorn on loopback, 50 users for 60 s.
carico: install-test redis
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(VENV)/bin/gunicorn ambito.wsgi -w 4 -b 127.0.0.1:8765 \
	  --pid .carico.pid --daemon
	sleep 3
	$(BENCH_ENV) $(PY) tests/carico/carico.py; rc=$$?; \
	  kill $$(cat .carico.pid); rm -f .carico.pid; exit $$rc

# API fuzzing. By default the fixed, repeatable CI budget (a few cases per operation,
# a few minutes); `make fuzz ESEMPI=500` is the long run, ESEMPI random cases per
# operation and per role.
ESEMPI ?= 0
fuzz: install-test
	ZONALE_FUZZ_ESEMPI=$(ESEMPI) $(PY) -m pytest -q tests/security/test_api_fuzz.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts .import_linter_cache
