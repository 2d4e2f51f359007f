"""PostgreSQL planner settings that fit the product's shape (issue 12, README "Production").

- random_page_cost 1.1 and effective_io_concurrency 200: production storage is SSD, where a random
  read costs about what a sequential one does. With the default (4.0) the planner preferred
  sequential scans of people_pupil, accounts_user and organisation_group over the index paths the
  access filters are built for; at 110,000 pupils that was the difference between 91 and 18 ms for
  "Mina uppgifter". Set on the database, so every session (the application's, psql's, reports')
  plans the same way; it takes effect for new connections.
- jit off: a page's queries run for milliseconds, and compiling a plan whose estimated cost passes
  jit_above_cost took longer than running it (47 of the organisation page's 146 ms at 170 units).
- The lookup tables with a handful of rows (academic years, huvudmän) are analysed after their
  first rows instead of after 50 changes: never analysed, a two-row table was estimated at 87
  rows and joins through it were misplanned.

Only the database's owner may ALTER DATABASE: a migration run by another role leaves a notice and
the settings to the deploy step the README describes.
"""

from django.db import migrations

SMALL_LOOKUP_TABLES = ("organisation_academicyear", "organisation_educationprovider")

FORWARD = """
DO $$
BEGIN
    IF pg_has_role(
        current_user,
        (SELECT datdba FROM pg_database WHERE datname = current_database()),
        'MEMBER'
    ) THEN
        EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
        EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
        BEGIN  -- refused where the platform lacks posix_fadvise (macOS, Windows)
            EXECUTE format('ALTER DATABASE %I SET effective_io_concurrency = 200', current_database());
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE NOTICE 'effective_io_concurrency is not supported on this platform';
        END;
    ELSE
        RAISE NOTICE 'not the database owner: set random_page_cost = 1.1 as the README says';
    END IF;
END $$;
"""

BACKWARD = """
DO $$
BEGIN
    IF pg_has_role(
        current_user,
        (SELECT datdba FROM pg_database WHERE datname = current_database()),
        'MEMBER'
    ) THEN
        EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
        EXECUTE format('ALTER DATABASE %I RESET effective_io_concurrency', current_database());
        EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
    END IF;
END $$;
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD, params=None)
    for table in SMALL_LOOKUP_TABLES:
        name = schema_editor.quote_name(table)
        schema_editor.execute(f"ALTER TABLE {name} SET (autovacuum_analyze_threshold = 1)")
        schema_editor.execute(f"ANALYZE {name}")


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BACKWARD, params=None)
    for table in SMALL_LOOKUP_TABLES:
        name = schema_editor.quote_name(table)
        schema_editor.execute(f"ALTER TABLE {name} RESET (autovacuum_analyze_threshold)")


class Migration(migrations.Migration):
    dependencies = [("organisation", "0002_school_terms")]
    operations = [migrations.RunPython(forward, backward)]
