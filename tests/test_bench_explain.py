"""tools/bench.py's EXPLAIN check: which plan nodes count, which queries are explained, and what
the report shows. No database: EXPLAIN itself only runs on PostgreSQL in `make bench`."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH_PATH = Path(__file__).resolve().parent.parent / "tools" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("elevstod_tools_bench", BENCH_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_the_walk_finds_scans_in_children_init_plans_and_sub_plans(bench):
    plan = {
        "Node Type": "Hash Join",
        "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "people_pupil"},
            {
                "Node Type": "Hash",
                "Plans": [{"Node Type": "Index Scan", "Relation Name": "people_placement"}],
            },
            {
                "Node Type": "Seq Scan",
                "Parent Relationship": "SubPlan",
                "Relation Name": "people_pupil",
            },
            {
                "Node Type": "Aggregate",
                "Parent Relationship": "InitPlan",
                "Plans": [{"Node Type": "Seq Scan", "Relation Name": "support_referral"}],
            },
        ],
    }

    assert bench.seq_scan_tables(plan) == ["people_pupil", "people_pupil", "support_referral"]


def test_only_reads_are_explained_and_small_tables_are_not_flagged(bench, monkeypatch):
    explained: list[str] = []

    def seq_scanned(sql):
        explained.append(sql)
        return ["people_pupil", "people_pupil", "academic_year"]

    rows = {"people_pupil": 110_000.0, "academic_year": 2.0}
    monkeypatch.setattr(bench, "_seq_scanned", seq_scanned)
    monkeypatch.setattr(bench, "_table_rows", rows.__getitem__)
    sqls = [
        'SAVEPOINT "s1"',
        "INSERT INTO audit_accessevent VALUES (1)",
        None,  # a query psycopg could not show
        'SELECT "people_pupil"."id" FROM "people_pupil"',
        "(SELECT 1 FROM people_pupil) UNION (SELECT 2 FROM people_pupil)",
        'UPDATE "django_session" SET x = 1',
    ]

    tables, queries = bench.find_seq_scans(sqls)

    assert explained == [sqls[3], sqls[4]]
    assert tables == ["people_pupil (110,000 rows)"]
    assert queries[0].startswith("query 4: people_pupil (110,000 rows) x2: SELECT")
    assert queries[1].startswith("query 5: people_pupil (110,000 rows) x2: (SELECT 1")


def test_the_sql_shown_skips_the_select_list_but_not_a_subquery(bench):
    columns = ", ".join(f'"people_pupil"."c{i}"' for i in range(20))
    # Only shortened for the report, never executed.
    sql = f'SELECT {columns},\n (SELECT 1 FROM x) AS y FROM "people_pupil" WHERE id IN (1)'  # noqa: S608

    shown = bench._sql_start(sql)

    assert shown == 'SELECT "people_pupil"."c0", … FROM "people_pupil" WHERE id IN (1)'
    assert len(bench._sql_start("SELECT 1 WHERE " + "x" * 500)) == bench.SQL_SHOWN


def test_the_tier_report_lists_the_flags_and_says_when_explain_did_not_run(bench, capsys):
    flagged = bench.Result(
        label="my tasks (rektor)",
        user="rektor",
        url="/mina-uppgifter/",
        queries=5,
        median_ms=10.0,
        p95_ms=12.0,
        seq_scans=["people_pupil (110,000 rows)"],
        seq_scan_queries=["query 4: people_pupil (110,000 rows) x4: (SELECT …"],
    )
    report = bench.TierReport("large", "PostgreSQL", "", None, [flagged], [], explained=True)

    bench.print_tier(report, 1)
    report.explained = False
    bench.print_seq_scans(report)

    out = capsys.readouterr().out
    assert "SEQ SCAN" in out
    assert "  my tasks (rektor): people_pupil (110,000 rows)" in out
    assert "    query 4: people_pupil (110,000 rows) x4: (SELECT …" in out
    assert "EXPLAIN check skipped (PostgreSQL only)." in out
