"""Database check: on PostgreSQL the application must not own the access log (decision 0017).

Run in production as `manage.py check --deploy --database default` (README)."""

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

from elevstod.audit.roles import ACCESS_LOG_TABLE


@register(Tags.database)
def application_role_does_not_own_the_access_log(**kwargs: Any) -> list[CheckMessage]:
    databases: list[str] | None = kwargs.get("databases")
    errors: list[CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tableowner = current_user FROM pg_tables WHERE tablename = %s",
                [ACCESS_LOG_TABLE],
            )
            row = cursor.fetchone()
        if row and row[0]:
            errors.append(
                Error(
                    "The application connects to PostgreSQL as the owner of the access log, "
                    "so it can disable its trigger and erase it.",
                    hint="Run `manage.py migrate` as the owner role with ELEVSTOD_DB_APP_USER "
                    "naming the application's role, and run the application as that role "
                    "(README, decision 0017).",
                    id="audit.E001",
                )
            )
    return errors
