"""Planner statistics after bulk loads (issue 12; README "Production planner settings").

PostgreSQL's autovacuum analyses a table after a share of it has changed, minutes later. After a
bulk load (the first full sync of a municipality, the demo generator) the planner would meanwhile
plan with the statistics of an empty database and scan where it should look up. ANALYZE samples
each table (about 30,000 rows), so it takes seconds even at Stockholm's scale.

Only the owner of a table may analyse it. In production the worker runs as the application's
role, which owns nothing (decision 0017): there the statistics are left to autovacuum, and the
README asks the owner to run `vacuumdb --analyze-only` after the first full sync.
"""

import logging
from collections.abc import Iterable

from django.db import connection
from django.db.models import Model

logger = logging.getLogger(__name__)

# A run that wrote fewer rows than this leaves the statistics to autovacuum.
BULK_ROWS = 1_000


def analyze_after_bulk_load(
    rows_written: int, tables: Iterable[type[Model]] | None = None
) -> list[str]:
    """ANALYZE `tables` (every table when None) when `rows_written` makes it a bulk load and
    the connection's role owns them; returns the tables analysed.

    Only on PostgreSQL: SQLite's planner keeps no statistics unless asked, and the embedded
    database's plans do not depend on them.
    """
    if connection.vendor != "postgresql" or rows_written < BULK_ROWS:
        return []
    names = None if tables is None else sorted({model._meta.db_table for model in tables})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND pg_has_role(current_user, tableowner, 'USAGE')"
        )
        owned = {name for (name,) in cursor.fetchall()}
        chosen = sorted(owned) if names is None else [name for name in names if name in owned]
        if names is not None and len(chosen) < len(names):
            logger.info("Statistics left to autovacuum: the role does not own the tables")
        for name in chosen:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return chosen
