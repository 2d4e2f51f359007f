"""Reading settings from the environment, failing loudly on bad values (as healthchecks does)."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def database_from_env() -> dict[str, object]:
    """SQLite by default; PostgreSQL when ELEVSTOD_DB_ENGINE=postgresql."""
    engine = os.environ.get("ELEVSTOD_DB_ENGINE", "sqlite")
    if engine == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("ELEVSTOD_SQLITE_PATH", "db.sqlite3"),
            "OPTIONS": {
                # WAL and a busy timeout let the demo server and a worker share the file.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if engine == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("ELEVSTOD_DB_NAME", "elevstod"),
            "USER": env_str("ELEVSTOD_DB_USER", "elevstod"),
            "PASSWORD": env_str("ELEVSTOD_DB_PASSWORD", ""),
            "HOST": env_str("ELEVSTOD_DB_HOST", ""),
            "PORT": env_str("ELEVSTOD_DB_PORT", ""),
            "CONN_MAX_AGE": env_int("ELEVSTOD_DB_CONN_MAX_AGE", 60),
            "TEST": {"NAME": env_str("ELEVSTOD_DB_TEST_NAME", "test_elevstod")},
            # The application's own role. `manage.py migrate` runs as the owner of the tables
            # (ELEVSTOD_DB_USER set to it) and then grants this role its rights, of the access
            # log only SELECT and INSERT. The same as USER: nobody is granted (decision 0017).
            "APP_USER": env_str("ELEVSTOD_DB_APP_USER", env_str("ELEVSTOD_DB_USER", "elevstod")),
        }
    raise ImproperlyConfigured(f"ELEVSTOD_DB_ENGINE must be sqlite or postgresql, not {engine!r}")
