"""The application's database role cannot erase the access log (issue 10 item 10; P1).

The test suite connects as the role that owns the tables (it creates the test database and
migrates it). These tests grant the application role exactly as `migrate --database owner`
does (elevstod.audit.roles) and then connect as that role, psycopg directly, to the same test
database. CI (.ci/run) creates the role and sets ELEVSTOD_REQUIRE_DB_ROLES=1: there a missing
role fails instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from elevstod.audit.roles import (
    ACCESS_LOG_TABLE,
    application_role_to_grant,
    grant_application_role,
    grant_statements,
)

APP_ROLE = os.environ.get("ELEVSTOD_DB_APP_USER", "elevstod_app")
APP_PASSWORD = os.environ.get("ELEVSTOD_DB_APP_PASSWORD", "elevstod_app")

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles and privileges exist on PostgreSQL only (SQLite has no roles)",
)

INSERT = (
    "INSERT INTO audit_accessevent (occurred_at, acting_role, record_type, record_id, action,"
    " outcome, purpose, channel) VALUES (now(), 'mentor', 'pupil', '1', 'view', 'allowed', '',"
    " 'web') RETURNING id"
)

# Every way of making a row go away that a role with table rights could try.
ERASURES = {
    "delete": ["DELETE FROM audit_accessevent"],
    "update": ["UPDATE audit_accessevent SET action = 'export'"],
    "truncate": ["TRUNCATE audit_accessevent"],
    "disable_trigger_then_delete": [
        "ALTER TABLE audit_accessevent DISABLE TRIGGER ALL",
        "DELETE FROM audit_accessevent",
    ],
    "drop_table": ["DROP TABLE audit_accessevent"],
}


@pytest.fixture
def app_connection(transactional_db: Any) -> Iterator[Any]:
    """A connection as the application role to the test database, after the grants."""
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        exists = cursor.fetchone() is not None
    if not exists:
        message = f"no role {APP_ROLE!r}: create it as .ci/run does"
        if os.environ.get("ELEVSTOD_REQUIRE_DB_ROLES"):
            pytest.fail(message)
        pytest.skip(message)
    grant_application_role(connection, APP_ROLE)
    settings = connection.settings_dict
    app = psycopg.connect(
        dbname=settings["NAME"],
        user=APP_ROLE,
        password=APP_PASSWORD,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )
    try:
        yield app
    finally:
        app.close()


def _run(app: Any, statements: list[str]) -> None:
    with app.transaction():
        for statement in statements:
            app.execute(statement)


def _count(pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accessevent WHERE id = %s", [pk])
        return int(cursor.fetchone()[0])


@on_postgresql
def test_application_role_can_append_to_and_read_the_access_log(app_connection: Any) -> None:
    pk = app_connection.execute(INSERT).fetchone()[0]
    read = app_connection.execute(
        "SELECT action FROM audit_accessevent WHERE id = %s",
        [pk],
    ).fetchone()
    assert read == ("view",)
    assert _count(pk) == 1


@on_postgresql
@pytest.mark.parametrize("means", list(ERASURES))
def test_application_role_cannot_remove_a_log_row(app_connection: Any, means: str) -> None:
    import psycopg

    pk = app_connection.execute(INSERT).fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _run(app_connection, ERASURES[means])
    assert _count(pk) == 1
    assert app_connection.execute(
        "SELECT action FROM audit_accessevent WHERE id = %s",
        [pk],
    ).fetchone() == ("view",)


@on_postgresql
def test_application_role_does_not_own_the_access_log(app_connection: Any) -> None:
    owner = app_connection.execute(
        "SELECT tableowner FROM pg_tables WHERE tablename = %s", [ACCESS_LOG_TABLE]
    ).fetchone()[0]
    assert owner != APP_ROLE
    rights = app_connection.execute(
        "SELECT privilege_type FROM information_schema.role_table_grants"
        " WHERE table_name = %s AND grantee = %s",
        [ACCESS_LOG_TABLE, APP_ROLE],
    ).fetchall()
    assert sorted(r[0] for r in rights) == ["INSERT", "SELECT"]


@on_postgresql
def test_application_role_keeps_full_rights_on_other_tables(app_connection: Any) -> None:
    """The grants do not starve the application: sessions are written and deleted."""
    app_connection.execute(
        "INSERT INTO django_session (session_key, session_data, expire_date)"
        " VALUES ('roles-test', '', now())"
    )
    app_connection.execute(
        "UPDATE django_session SET session_data = 'x' WHERE session_key = 'roles-test'"
    )
    app_connection.execute("DELETE FROM django_session WHERE session_key = 'roles-test'")


def test_a_later_broad_grant_is_taken_back_on_the_access_log() -> None:
    statements = grant_statements("app", lambda name: f'"{name}"')
    broad = next(i for i, s in enumerate(statements) if "ON ALL TABLES" in s)
    revoke = statements.index('REVOKE ALL ON "audit_accessevent" FROM "app"')
    assert broad < revoke
    assert statements[-1] == 'GRANT SELECT, INSERT ON "audit_accessevent" TO "app"'


POSTGRESQL = "django.db.backends.postgresql"


def test_migrating_as_the_owner_grants_the_application_role() -> None:
    owner = {"ENGINE": POSTGRESQL, "USER": "elevstod_owner", "APP_USER": "elevstod_app"}
    assert application_role_to_grant(owner) == "elevstod_app"


def test_migrating_as_the_application_itself_grants_nothing() -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    one_role = {"ENGINE": POSTGRESQL, "USER": "elevstod", "APP_USER": "elevstod"}
    assert application_role_to_grant(sqlite) is None
    assert application_role_to_grant(one_role) is None
