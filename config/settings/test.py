"""The test suite: fast hashing, second factor enforced unless a test says otherwise."""

import os

from config.settings.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ELEVSTOD_DEMO_MODE = False
ELEVSTOD_REQUIRE_SECOND_FACTOR = True
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
    DATABASES["default"]["NAME"] = os.environ.get("ELEVSTOD_SQLITE_PATH", ":memory:")
    DATABASES["default"]["OPTIONS"] = {}
    # Each pytest-xdist worker builds its in-memory database from the models, as Django's own
    # `migrate --run-syncdb` would: replaying every migration cost 4.7 s per worker. The real
    # migrations run on PostgreSQL, the production database, in CI (where the only RunPython,
    # the access log's trigger, applies), and `makemigrations --check` keeps them equal to the
    # models (decision 0010).
    DATABASES["default"]["TEST"] = {"MIGRATE": False}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run at once, in the test's transaction; tests of the worker switch to the database
# backend with override_settings. E-mail is kept in django.core.mail.outbox.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
