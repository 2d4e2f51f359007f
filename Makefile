# Elevstöd: the two commands are `make demo` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TIERS ?= small medium
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: demo test install lint typecheck check bench messages clean

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

test: install
	$(BIN)/python -m pytest

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

bench: install
	$(BIN)/python tools/bench.py $(TIERS)

messages: install
	cd elevstod && ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete
	$(BIN)/python manage.py compilemessages -l en

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles bench-*.sqlite3
