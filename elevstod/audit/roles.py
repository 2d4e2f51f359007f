"""The application's database role may read and append to the access log, nothing more (P1).

On PostgreSQL the tables belong to the role that runs `manage.py migrate` (ELEVSTOD_DB_USER set
to the owner for that command); the application connects as another role (ELEVSTOD_DB_APP_USER,
its ELEVSTOD_DB_USER at run time). After every migration this module grants the application role
what it needs: rows in every table, and of the access log only SELECT and INSERT. It owns
nothing, so it can neither disable the log's trigger, nor truncate or drop the table (decision
0017). One role, one connection per process: a data migration written against the default
alias runs as the owner too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

ACCESS_LOG_TABLE = "audit_accessevent"


def grant_statements(app_role: str, quote: Any) -> list[str]:
    """The SQL, in order: the broad grant first, then the access log taken back to read and
    append. Running it again gives the same rights (a later broad grant is undone too)."""
    role = quote(app_role)
    log = quote(ACCESS_LOG_TABLE)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON {log} FROM PUBLIC",
        f"REVOKE ALL ON {log} FROM {role}",
        f"GRANT SELECT, INSERT ON {log} TO {role}",
    ]


def grant_application_role(connection: BaseDatabaseWrapper, app_role: str) -> None:
    """Run `grant_statements` as the connection's role (the owner of the tables)."""
    with connection.cursor() as cursor:
        for statement in grant_statements(app_role, connection.ops.quote_name):
            cursor.execute(statement)


def application_role_to_grant(database: Mapping[str, Any]) -> str | None:
    """The role to grant after migrating through `database` (a DATABASES entry): its APP_USER,
    on PostgreSQL, when that is not the role migrating. None when the application migrates as
    itself (SQLite, the demo, a single-role installation)."""
    app_role = str(database.get("APP_USER") or "")
    if "postgresql" not in str(database.get("ENGINE", "")) or not app_role:
        return None
    return None if database.get("USER") == app_role else app_role


def grant_after_migrate(using: str = "default", **_kwargs: Any) -> None:
    """post_migrate receiver (AuditConfig.ready); it also runs after a test flush."""
    app_role = application_role_to_grant(connections[using].settings_dict)
    if app_role is not None:
        grant_application_role(connections[using], app_role)
