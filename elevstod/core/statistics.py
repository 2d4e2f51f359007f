"""Planner statistics after bulk loads (issue 12; README "Production").

PostgreSQL's autovacuum analyses a table after a share of it has changed, minutes later. After a
bulk load (the first full sync of a municipality, the demo generator) the planner would meanwhile
plan with the statistics of an empty database and scan where it should look up. ANALYZE samples
each table (about 30,000 rows), so it takes seconds even at Stockholm's scale.
"""

from django.db import connection

# A run that wrote fewer rows than this leaves the statistics to autovacuum.
BULK_ROWS = 1_000


def analyze_after_bulk_load(rows_written: int) -> bool:
    """ANALYZE the database when `rows_written` makes it a bulk load; True if it ran.

    Only on PostgreSQL: SQLite's planner keeps no statistics unless asked, and the embedded
    database's plans do not depend on them.
    """
    if connection.vendor != "postgresql" or rows_written < BULK_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
