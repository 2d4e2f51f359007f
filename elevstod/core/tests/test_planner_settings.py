"""The planner settings and statistics that are part of the product on PostgreSQL (issue 12)."""

import pytest
from django.apps import apps
from django.db import connection

from elevstod.core.statistics import BULK_ROWS, analyze_after_bulk_load

pytestmark = pytest.mark.django_db

# By name: core sits below every app (the import contracts).
Pupil = apps.get_model("people", "Pupil")
Placement = apps.get_model("people", "Placement")

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner settings exist on PostgreSQL only"
)


@postgresql_only
def test_the_migration_sets_the_database_for_ssd_storage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s"
            " JOIN pg_database d ON d.oid = s.setdatabase"
            " WHERE d.datname = current_database() AND s.setrole = 0"
        )
        (settings,) = cursor.fetchone()
    assert "random_page_cost=1.1" in settings
    assert "effective_io_concurrency=200" in settings
    assert "jit=off" in settings


@postgresql_only
def test_small_lookup_tables_are_analysed_after_their_first_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN "
            "('organisation_academicyear', 'organisation_educationprovider') ORDER BY relname"
        )
        rows = cursor.fetchall()
    assert [name for name, _options in rows] == [
        "organisation_academicyear",
        "organisation_educationprovider",
    ]
    assert all("autovacuum_analyze_threshold=1" in options for _name, options in rows)


def test_a_small_change_leaves_the_statistics_to_autovacuum() -> None:
    assert analyze_after_bulk_load(BULK_ROWS - 1, tables=[Pupil]) == []


def test_a_bulk_load_refreshes_the_statistics_of_its_tables_on_postgresql() -> None:
    analysed = analyze_after_bulk_load(BULK_ROWS, tables=[Pupil, Placement])
    expected = ["people_placement", "people_pupil"] if connection.vendor == "postgresql" else []
    assert analysed == expected
