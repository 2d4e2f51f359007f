# Elevstöd: the two commands are `make demo` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TIERS ?= small medium


.PHONY: demo test install lint typecheck check bench messages messages-check clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py generate_municipality --tier small --seed 1 --if-empty
	@$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on both cores (pytest-xdist, decision 0010). PYTEST_ARGS adds options, e.g.
# PYTEST_ARGS='-n0 -k matrix' for one serial run of the matrix.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production \
	ELEVSTOD_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ELEVSTOD_ALLOWED_HOSTS=elevstod.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# The background worker: enqueues the daily reminder e-mail at ELEVSTOD_REMINDER_HOUR and runs
# the task queue (README "Bakgrundsjobb"). Stop it with Ctrl+C.
.PHONY: worker
worker: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py run_reminders_worker

# The key pages against a bare view per tier; BENCH_ARGS=--postgres uses PostgreSQL bench_<tier>
# and EXPLAINs every page's queries (flags sequential scans of tables over 10,000 rows), e.g.
# make bench TIERS="small large" BENCH_ARGS=--postgres.
BENCH_ARGS ?=
bench: install
	$(BIN)/python tools/bench.py $(BENCH_ARGS) $(TIERS)
	$(BIN)/python tools/bench_sync.py $(TIERS)

# The SS 12000 sync alone (decision 0021), e.g. make bench-sync SYNC_TIERS=large.
SYNC_TIERS ?= small medium
.PHONY: bench-sync
bench-sync: install
	$(BIN)/python tools/bench_sync.py $(SYNC_TIERS)

# 50 staff at once against gunicorn (tools/bench_burst.py): locust on 127.0.0.1, the bare view,
# the page mix without and with 1–5 s think time, 60 s each; gunicorn is stopped at the end.
# The tier's database is PostgreSQL bench_<tier>, built by tools/bench.py --postgres <tier>, with
# ELEVSTOD_DB_HOST/USER/PASSWORD as for the app. BURST_ARGS adds options, e.g.
# make bench-burst BURST_TIER=small BURST_ARGS='--workers 3 --run-time 30'.
BURST_TIER ?= large
BURST_ARGS ?=
.PHONY: bench-burst
bench-burst: install
	$(BIN)/python tools/bench_burst.py $(BURST_TIER) $(BURST_ARGS)

# scale.md goal 6: a follow-up saved with a year's access log (25 M rows) on PostgreSQL, in its own
# database bench_writes (built once: about 8 minutes, 8.7 GB); WRITES_ARGS e.g. --repeat 200.
WRITES_ARGS ?=
.PHONY: bench-writes
bench-writes: install
	$(BIN)/python tools/bench_writes.py $(WRITES_ARGS)

# A mock SS 12000 provider (decision 0018), e.g. for ELEVSTOD_SS12000_URL=http://127.0.0.1:8012/v2.0.
# Without TIER: the small built-in municipality. With TIER=small|medium|large (and SEED, default 1):
# the demo generator's municipality, with the ids `generate_municipality` gives the same tier and
# seed on the same day. Stop it with Ctrl+C.
SS12000_PORT ?= 8012
SEED ?= 1
.PHONY: ss12000-mock
ss12000-mock: install
ifdef TIER
	$(BIN)/python manage.py serve_ss12000_mock --tier $(TIER) --seed $(SEED) --port $(SS12000_PORT)
else
	$(BIN)/python -m elevstod.ss12000.mock --port $(SS12000_PORT)
endif

I18N_IGNORE := --ignore=.venv --ignore=tests --ignore=tools --ignore=staticfiles --ignore=static

# Refresh the English catalogue from the Swedish source strings, then compile it.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --no-location $(I18N_IGNORE)
	$(BIN)/python manage.py compilemessages -l en $(I18N_IGNORE)

# CI: the committed catalogue must cover every string and contain no fuzzy or empty translation.
messages-check: messages
	@if msgattrib --untranslated --no-obsolete locale/en/LC_MESSAGES/django.po | grep -q '^msgid'; then \
	  echo "Untranslated strings in locale/en:"; msgattrib --untranslated locale/en/LC_MESSAGES/django.po; exit 1; fi
	@if msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po | grep -q '^msgid'; then \
	  echo "Fuzzy translations in locale/en:"; msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po; exit 1; fi

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles bench-*.sqlite3
