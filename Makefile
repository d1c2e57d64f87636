# The two commands: `make run` (the portal with demo data on SQLite) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
# A development setup: the portal may generate its own secret key (PORTAL_DATA_DIR/secret_key)
# and load the demo data. Production sets neither (see README, "Production settings").
export PORTAL_DEV ?= 1

.PHONY: run test install browser axe messages static lint bench clean serve stack-packages worker beat redis
AXE_VERSION := 4.10.3
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages static

# Static files under hashed names, with compressed copies (served by WhiteNoise).
static: $(STAMP)
	$(PY) manage.py collectstatic --noinput -v 0

# Compiled translation catalogs (.mo) are built, not committed.
messages: $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gettext; }
	mkdir -p portal/locale
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# Debian's Chromium for the browser tests (Playwright's own download does not work here).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core; }

# axe-core (the npm package) for the browser tests' accessibility checks.
axe: $(AXE)
$(AXE):
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm; }
	mkdir -p $(VENV)/axe
	npm install --prefix $(VENV)/axe --no-audit --no-fund --silent axe-core@$(AXE_VERSION)

# Debian's nginx (the entry port) and redis-server (cache and task queue) for `make serve`.
stack-packages:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { apt-get update -qq && apt-get install -y -qq nginx-light; }
	@command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-server; }

# The production stack on this machine (bin/serve; README, "Production on one machine"):
# nginx on PORT, the client pages' and the dispatch look-up's gunicorn pools, the Celery
# worker and beat, redis-server when REDIS_URL is not given. Ctrl-C stops everything.
serve: install stack-packages
	$(PY) bin/serve

# The task queue (portal/celery.py; README, "The task queue"): a worker, and the beat that
# sends the project's periodic tasks (its state in PORTAL_DATA_DIR). Both need REDIS_URL;
# without it the tasks run inside the portal's own process and neither is needed.
worker: install
	@test -n "$$REDIS_URL" || { echo "REDIS_URL is not set: tasks run inside the portal (make run needs no worker)"; exit 1; }
	$(PY) -m celery -A portal worker --loglevel INFO

beat: install
	@test -n "$$REDIS_URL" || { echo "REDIS_URL is not set: tasks run inside the portal (make run needs no beat)"; exit 1; }
	$(PY) -m celery -A portal beat --loglevel INFO

run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's redis-server for the suite's cache and task queue (tests/taskqueue.py: the local Redis
# at 127.0.0.1:6379, else one the run starts on a free port; without any, tasks run in-process).
redis:
	@command -v redis-server >/dev/null 2>&1 || test -x /usr/bin/redis-server || { apt-get update -qq && apt-get install -y -qq redis-server; }

# The suite runs on several processes (pytest-xdist): browser and subprocess tests mostly wait.
TEST_WORKERS ?= 4
test: install browser axe redis stack-packages
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install
	$(PY) bench/ingest.py

clean:
	rm -rf $(VENV) var artifacts
