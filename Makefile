# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test soak e2e-deps lint format clean bench loadtest

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

install: $(INSTALLED)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --base-url http://$(HOST):$(PORT)

run: demo
	@echo "Newsroom Explainers: http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

# The stateful desk test (tests/test_stateful_desk.py) much longer, with random seeds:
# hundreds of examples of 60 steps each (hours). Set DATABASE_URL for PostgreSQL.
DESK_EXAMPLES ?= 300
DESK_STEPS ?= 60
soak: install
	DESK_RANDOM=1 DESK_EXAMPLES=$(DESK_EXAMPLES) DESK_STEPS=$(DESK_STEPS) DESK_THOROUGH=1 \
		$(BIN)/python -m pytest tests/test_stateful_desk.py -p no:logging -x

# Tools of the browser tests (tests/e2e): axe-core and vnu-jar, as package-lock.json pins them.
# Re-installs only when the lock file changed. Chromium and Java come from apt (see .ci/run).
e2e-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

# Benchmark (docs/performance.md): own SQLite file in /tmp, gunicorn + wrk on loopback, a few
# minutes; writes bench/results/latest.md. Installs wrk with apt-get when missing.
bench: install
	$(BIN)/python bench/run.py

# Load and fault test (docs/performance.md, "Load and faults"): own SQLite file in /tmp, gunicorn + wrk for
# 60 s on loopback while another process publishes every second, one worker SIGKILLed, then
# PostgreSQL crashed during a publish on a throwaway cluster; about two minutes. Writes
# loadtest/results/latest.md.
loadtest: install
	$(BIN)/python loadtest/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/bandit -q -r newsroom explainers bench loadtest -x '*/migrations/*' --severity-level medium

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles
