"""`make bench-writes`: time saving a follow-up with a full year's access log present (scale.md
goal 6: p95 ≤ 100 ms with 25 M log rows, on PostgreSQL).

Usage: .venv/bin/python tools/bench_writes.py [--rows N] [--repeat N] [--fresh] [--database NAME]
       [--prepared] [--atomic-requests] [--profile]

The run uses its own PostgreSQL database, bench_writes (connection settings from ELEVSTOD_DB_*
as for the app). It is built on first use as tools/bench.py builds a tier (`migrate`, then
`generate_municipality --tier small --seed 1`), and its access log is then padded to --rows rows
(default 25,000,000, the large tier's year) by set-based INSERT ... SELECT FROM generate_series.
The padding rows follow elevstod/demo/access_log.py's shares (refusals, lists without a pupil,
prints, exports, API reads), name the tier's staff as actors and its pupils (a fifth of them read
eight times as often), and are dated over the 365 days before today (weekends included; 07-17
Swedish winter time), in id order. The log's plain indexes are dropped for the load and rebuilt
from their own definitions in the same transaction, then the table is ANALYZEd. A later run with
a bigger --rows tops the log up (the top-up is dated over the same year, so ids and times no
longer grow together: use --fresh for a clean log of the new size).

The measurement signs in (force_login) as the demo specialpedagog and POSTs the follow-up form
of programmes in force at their unit, one programme after another, through the whole middleware
stack as a browser would (the test client does not check CSRF). Each response must be the
redirect to the new follow-up, whose row and access-log rows are then checked. Timed next to it:
one bare access-log INSERT (record_access in its own transaction: the log's own cost, commit
included), a breakdown of a save's SQL statements and commits by duration, with EXPLAIN ANALYZE
of its slowest SELECT and of one log INSERT. --prepared and --atomic-requests change the
connection's settings for this process only, to measure a proposal without changing the app.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "tools"))

import bench  # noqa: E402 - tools/bench.py, next to this file

DATABASE_SUFFIX = "writes"  # bench.setup_django names the database bench_<suffix> ...
DATABASE = f"bench_{DATABASE_SUFFIX}"  # ... which is this one
TIER = "small"
DEFAULT_ROWS = 25_000_000  # scale.md: the large tier's access-log rows per year
DEFAULT_REPEAT = 50
WARMUP = 5
BATCH_ROWS = 2_500_000
GOAL_P95_MS = 100.0
BUILD_MEMORY = "512MB"  # maintenance_work_mem for the index rebuild, in the transaction only
DAYS = 365  # the padding covers this many days before today
# School hours in UTC (07:00-17:00 Swedish winter time), as access_log.py's HOUR_WEIGHTS span.
DAY_START_UTC_HOURS = 6
DAY_HOURS = 10
# Shares as in elevstod/demo/access_log.py.
FOCUS_SHARE = 0.2
FOCUS_WEIGHT = 8
ROLE_WEIGHTS = {
    "mentor": 30,
    "teacher": 30,
    "special_education": 18,
    "pupil_health_team": 12,
    "principal": 10,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="access-log rows present")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed saves")
    parser.add_argument("--fresh", action="store_true", help="rebuild bench_writes first")
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="experiment: server-side binding and psycopg's prepared statements (OPTIONS "
        "server_side_binding, prepare_threshold=5), which skip re-planning repeated queries",
    )
    parser.add_argument(
        "--atomic-requests",
        action="store_true",
        help="experiment: ATOMIC_REQUESTS, so the door's read row commits with the save "
        "(one commit per save instead of two)",
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help=f"the PostgreSQL database (default {DATABASE}; another name for a comparison)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print cProfile's top functions of one save"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.rows < 0:
        parser.error("--repeat must be at least 1 and --rows not negative")
    # --fresh drops the database: only ever one of the benchmarks' own, never the tiers' that
    # tools/bench.py builds (bench_small, bench_medium, bench_large).
    tier_databases = {f"bench_{tier}" for tier in bench.TIERS}
    if not args.database.startswith("bench_writes") or args.database in tier_databases:
        parser.error("--database must name a database of its own, starting with bench_writes")

    try:
        bench.setup_django(DATABASE_SUFFIX, postgres=True)
        from django.db import connection

        if connection.vendor != "postgresql":
            raise bench.BenchError("bench_writes runs on PostgreSQL only")
        # setup_django names the database bench_<suffix>; --database picks another before the
        # first connection.
        connection.settings_dict["NAME"] = args.database
        database = f"PostgreSQL database {args.database}"
        # The tier's data is the small tier's; bench.ensure_data builds it in bench_writes.
        bench.ensure_data(TIER, postgres=True, fresh=args.fresh)
        pad_access_log(args.rows)
        print(f"\n=== Writes: {database}, {args.repeat} timed saves after {WARMUP} warm-up ===")
        print(f"Data: {bench.describe_data()}")
        # The timings depend on what else the machine runs: say how busy it was.
        print("Load average (1, 5, 15 min): {:.1f}, {:.1f}, {:.1f}".format(*os.getloadavg()))
        print_log_size()
        if args.prepared:
            _use_prepared_statements()
        if args.atomic_requests:
            connection.settings_dict["ATOMIC_REQUESTS"] = True
            print("Experiment: ATOMIC_REQUESTS=True (this run only)")
        measure_saves(args.repeat, profile=args.profile)
    except bench.BenchError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------------------------
# The padding: a year of access-log rows, set-based.


def pad_access_log(target: int) -> None:
    from django.db import connection, transaction

    from elevstod.audit.models import AccessEvent
    from elevstod.demo.access_log import drop_plain_indexes, plain_index_definitions

    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - the model's table
        present = cursor.fetchone()[0]
    missing = target - present
    if missing <= 0:
        print(f"access log: {present:,} rows present, target {target:,}: no padding")
        return
    pupils, units, staff = _padding_sources()
    print(
        f"access log: {present:,} rows present, padding {missing:,} rows "
        f"({len(staff)} staff, {len(pupils)} pupils) in batches of {BATCH_ROWS:,}"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        definitions = drop_plain_indexes(cursor)
        dropped = time.perf_counter()
        print(f"  dropped {len(definitions)} plain indexes ({dropped - started:.1f} s)")
        end = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = end - dt.timedelta(days=DAYS)
        done = 0
        while done < missing:
            size = min(BATCH_ROWS, missing - done)
            batch_started = time.perf_counter()
            cursor.execute(
                _padding_sql(table),
                {
                    "first": done,
                    "last": done + size - 1,
                    "total": missing,
                    "start": start,
                    "days": DAYS,
                    "day_start": DAY_START_UTC_HOURS,
                    "day_hours": DAY_HOURS,
                    "pupils": pupils,
                    "units": units,
                    "staff": staff,
                    "roles": _weighted_roles(),
                },
            )
            done += size
            print(
                f"  inserted {done:,}/{missing:,} rows "
                f"({time.perf_counter() - batch_started:.1f} s this batch)",
                flush=True,
            )
        inserted = time.perf_counter()
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        for definition in definitions:
            index_started = time.perf_counter()
            cursor.execute(definition)
            name = definition.split(" ON ")[0].rsplit(" ", 1)[-1]
            print(f"  rebuilt {name} ({time.perf_counter() - index_started:.1f} s)", flush=True)
        rebuilt = time.perf_counter()
        after = plain_index_definitions(cursor)
        if sorted(after.values()) != sorted(definitions):
            raise bench.BenchError(f"the log's indexes differ after the rebuild: {after}")
    committed = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    analyzed = time.perf_counter()
    print(
        f"  padding: insert {inserted - dropped:.1f} s, index rebuild {rebuilt - inserted:.1f} s, "
        f"commit {committed - rebuilt:.1f} s, ANALYZE {analyzed - committed:.1f} s, "
        f"total {analyzed - started:.1f} s"
    )


def _padding_sources() -> tuple[list[uuid.UUID], list[uuid.UUID | None], list[uuid.UUID]]:
    """The pupils (a FOCUS_SHARE of them repeated FOCUS_WEIGHT times, as access_log.py weights
    them), each one's current unit alongside, and the staff with a duty at a unit."""
    from elevstod.organisation.models import UnitDuty
    from elevstod.people.models import Placement

    # Each pupil's latest placement (one row per pupil after the dict): their current unit.
    latest = Placement.objects.order_by("pupil_id", "starts_on").values_list(
        "pupil_id", "school_unit_id"
    )
    rows = sorted(dict(latest).items(), key=lambda row: str(row[0]))
    if not rows:
        raise bench.BenchError("bench_writes has no pupils to pad the log with")
    rng = random.Random("bench-writes")
    weighted = [
        row for row in rows for _ in range(FOCUS_WEIGHT if rng.random() < FOCUS_SHARE else 1)
    ]
    staff = sorted(set(UnitDuty.objects.values_list("user_id", flat=True)), key=str)
    if not staff:
        raise bench.BenchError("bench_writes has no staff to pad the log with")
    return [pk for pk, _unit in weighted], [unit for _pk, unit in weighted], staff


def _weighted_roles() -> list[str]:
    return [role for role, weight in ROLE_WEIGHTS.items() for _ in range(weight)]


def _padding_sql(table: str) -> str:
    """Rows `first`..`last` of `total`, dated in order over `days` days of school hours.

    r1 picks the kind of row as access_log.py shares them: 0.5 % refusals, 6 % lists (a tenth
    over the API without a unit, else half of them with the unit), the rest reads of one pupil
    (2 % prints, 0.8 % exports, 4 % over the API)."""
    return f"""
        INSERT INTO {table} (occurred_at, actor_id, acting_role, school_unit_id, pupil_id,
                             record_type, record_id, action, outcome, purpose, channel)
        SELECT
            occurred_at,
            (%(staff)s::uuid[])[1 + floor(r_actor * cardinality(%(staff)s::uuid[]))::int],
            CASE WHEN r1 < 0.065 THEN ''
                 ELSE (%(roles)s::text[])[1 + floor(r_role * cardinality(%(roles)s::text[]))::int]
            END,
            CASE WHEN r1 >= 0.005 AND r1 < 0.065
                      AND (r2 < 0.1 OR r3 < 0.5) THEN NULL
                 ELSE (%(units)s::uuid[])[p] END,
            CASE WHEN r1 >= 0.005 AND r1 < 0.065 THEN NULL ELSE (%(pupils)s::uuid[])[p] END,
            CASE WHEN r1 >= 0.005 AND r1 < 0.065 THEN 'pupil_list' ELSE 'pupil' END,
            CASE WHEN r1 >= 0.005 AND r1 < 0.065 THEN '' ELSE ((%(pupils)s::uuid[])[p])::text END,
            CASE WHEN r1 >= 0.005 AND r1 < 0.065 THEN 'list'
                 WHEN r1 >= 0.065 AND r2 < 0.02 THEN 'print'
                 WHEN r1 >= 0.065 AND r2 < 0.028 THEN 'export'
                 ELSE 'view' END,
            CASE WHEN r1 < 0.005 THEN 'denied' ELSE 'allowed' END,
            CASE WHEN r1 < 0.005 THEN 'pupil_page'
                 WHEN r1 < 0.065 THEN CASE WHEN r2 >= 0.1 AND r3 < 0.3 THEN 'search' ELSE '' END
                 WHEN r2 < 0.02 THEN 'pupil_page'
                 WHEN r2 < 0.028 THEN ''
                 WHEN r2 < 0.068 THEN 'api_pupil'
                 ELSE 'pupil_page' END,
            CASE WHEN r1 >= 0.005 AND r1 < 0.065 AND r2 < 0.1 THEN 'api'
                 WHEN r1 >= 0.065 AND r2 >= 0.028 AND r2 < 0.068 THEN 'api'
                 ELSE 'web' END
        FROM (
            SELECT
                -- Day d of `days`, then a moment within its school hours: in order of g.
                %(start)s::timestamptz
                    + make_interval(days => floor(f * %(days)s)::int)
                    + make_interval(hours => %(day_start)s)
                    + make_interval(secs => (f * %(days)s - floor(f * %(days)s))
                                            * %(day_hours)s * 3600) AS occurred_at,
                random() AS r1, random() AS r2, random() AS r3,
                random() AS r_actor, random() AS r_role,
                1 + floor(random() * cardinality(%(pupils)s::uuid[]))::int AS p
            FROM (
                SELECT g, g::float8 / %(total)s AS f
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
            ) AS series
        ) AS drawn
    """  # noqa: S608 - the table name is the model's


def print_log_size() -> None:
    from django.db import connection

    from elevstod.audit.models import AccessEvent

    table = AccessEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size(%s::regclass)), "
            "pg_size_pretty(pg_relation_size(%s::regclass)), "
            "pg_size_pretty(pg_indexes_size(%s::regclass))",
            [table, table, table],
        )
        total, heap, indexes = cursor.fetchone()
        cursor.execute(
            """
            SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid))
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass ORDER BY pg_relation_size(c.oid) DESC
            """,
            [table],
        )
        each = cursor.fetchall()
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        triggers = [name for (name,) in cursor.fetchall()]
    print(f"Access log {table}: total {total} (table {heap}, {len(each)} indexes {indexes})")
    print("  indexes: " + ", ".join(f"{name} {size}" for name, size in each))
    print(f"  triggers: {', '.join(triggers) or 'none'}")


# --------------------------------------------------------------------------------------------
# The measurement.


class Timer:
    """Every SQL statement and commit on the connection, with its duration (ms)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, float]] = []
        self.params: list[Any] = []  # each statement's parameters (None for a commit)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.statements.append((sql, (time.perf_counter() - started) * 1000))
            self.params.append(params)

    @contextmanager
    def timing(self) -> Iterator[Timer]:
        from django.db import connections

        connection: Any = connections["default"]  # _commit is not in the stubs
        commit = connection._commit

        def timed_commit() -> None:
            started = time.perf_counter()
            try:
                commit()
            finally:
                self.statements.append(("COMMIT", (time.perf_counter() - started) * 1000))
                self.params.append(None)

        connection._commit = timed_commit
        try:
            with connection.execute_wrapper(self):
                yield self
        finally:
            del connection._commit  # back to the class's method


def _use_prepared_statements() -> None:
    """For this process only: what settings OPTIONS would turn on, to measure it."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    print("Experiment: server_side_binding=True, prepare_threshold=5 (this run only)")


def measure_saves(repeat: int, *, profile: bool = False) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from elevstod.audit.models import AccessEvent
    from elevstod.support.models import FollowUp

    targets = bench.Targets()
    user = targets.user("specialpedagog")
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    programmes = _programmes_for(client, user)
    print(f"Saving as specialpedagog, cycling over {len(programmes)} programmes in force")

    def post(index: int) -> tuple[float, int]:
        programme_id, data = programmes[index % len(programmes)]
        url = reverse("support:follow_up_create", kwargs={"programme_id": programme_id})
        last_log_id = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
        started = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise bench.BenchError(bench._describe_failure(url, "specialpedagog", response))
        follow_up = FollowUp.objects.filter(programme_id=programme_id).order_by("-created_at")
        saved = follow_up.values_list("pk", flat=True).first()
        if saved is None or str(saved) not in response["Location"]:
            raise bench.BenchError(
                f"POST {url} redirected to {response['Location']}, not a new follow-up"
            )
        new_rows = list(
            AccessEvent.objects.filter(id__gt=last_log_id or 0).values_list("action", "record_id")
        )
        if ("create", str(saved)) not in new_rows:
            raise bench.BenchError(f"no access-log row for the new follow-up {saved}: {new_rows}")
        return elapsed, len(new_rows)

    for index in range(WARMUP):
        post(index)
    timings: list[float] = []
    log_rows = 0
    for index in range(WARMUP, WARMUP + repeat):
        elapsed, rows = post(index)
        timings.append(elapsed)
        log_rows = rows
    bare = _bare_inserts(repeat)
    _print_timings("follow-up save (POST, redirect)", timings)
    print(f"  access-log rows written per save: {log_rows}")
    _print_timings("bare access-log INSERT + COMMIT", bare)
    p95 = bench.p95(timings)
    flag = "MET" if p95 <= GOAL_P95_MS else "MISSED"
    print(f"\nGoal 6 (p95 ≤ {GOAL_P95_MS:g} ms): {flag} (p95 {p95:.1f} ms)")
    _breakdown(client, programmes, WARMUP + repeat, repeat)
    _explain_insert()
    if profile:
        _profile(client, programmes, WARMUP + 2 * repeat)
    connection.close()


def _programmes_for(client: Any, user: Any) -> list[tuple[uuid.UUID, dict[str, str]]]:
    """The programmes in force the user may follow up (their form answers 200), each with the
    form's data: every measure carried out with some effect, the programme continues."""
    from django.urls import reverse
    from django.utils import timezone

    from elevstod.access.context import load_user_context
    from elevstod.support import workflow as wf
    from elevstod.support.models import ActionProgramme, ProgrammeMeasure

    ctx = load_user_context(user)
    candidates = list(
        ActionProgramme.objects.filter(
            state=wf.ProgrammeState.IN_FORCE, school_unit_id__in=ctx.staff_units
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    next_on = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    found: list[tuple[uuid.UUID, dict[str, str]]] = []
    for pk in candidates:
        url = reverse("support:follow_up_create", kwargs={"programme_id": pk})
        if client.get(url).status_code != 200:
            continue
        data = {
            "kind": wf.FollowUpKind.FOLLOW_UP.value,
            "participants": "Specialpedagog, mentor, elev och vårdnadshavare",
            "pupil_invited": "on",
            "guardian_invited": "on",
            "pupil_view": "Eleven tycker att stödet hjälper på lektionerna.",
            "guardian_view": "Vårdnadshavarna ser att läxorna går bättre.",
            "summary": "Åtgärderna har genomförts och ger effekt; programmet fortsätter.",
            "outcome": wf.FollowUpOutcome.CONTINUE.value,
            "next_on": next_on,
        }
        for index in range(ProgrammeMeasure.objects.filter(programme_id=pk).count()):
            data[f"carried_out_{index}"] = wf.CarriedOut.YES.value
            data[f"effect_{index}"] = wf.MeasureEffect.CLEAR_PROGRESS.value
            data[f"comment_{index}"] = "Fungerar bra."
        found.append((pk, data))
    if not found:
        raise bench.BenchError("specialpedagog may follow up no programme in force")
    return found


def _bare_inserts(repeat: int) -> list[float]:
    """One access-log row as the services write it (record_access), in its own transaction."""
    from django.db import transaction

    from elevstod.audit.models import AccessAction
    from elevstod.audit.recording import record_access

    pupil, unit = _a_placement()
    actor = bench.Targets().user("specialpedagog").pk
    timings: list[float] = []
    for index in range(WARMUP + repeat):
        started = time.perf_counter()
        with transaction.atomic():
            record_access(
                actor_id=actor,
                action=AccessAction.VIEW,
                record_type="pupil",
                pupil_id=pupil,
                school_unit_id=unit,
                record_id=pupil,
                purpose="bench_writes",
            )
        if index >= WARMUP:
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _a_placement() -> tuple[uuid.UUID, uuid.UUID]:
    """A pupil and their unit, the same every run, for the log rows timed on their own."""
    from elevstod.people.models import Placement

    found = (
        Placement.objects.order_by("pupil_id", "starts_on")
        .values_list("pupil_id", "school_unit_id")
        .first()
    )
    if found is None:
        raise bench.BenchError("bench_writes has no placements")
    return found


def _print_timings(label: str, timings: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(timings):.1f} ms, p95 {bench.p95(timings):.1f} ms, "
        f"max {max(timings):.1f} ms (n={len(timings)})"
    )


def _breakdown(client: Any, programmes: list[Any], start: int, repeat: int) -> None:
    """Each statement of a save, by its median duration over `repeat` more saves."""
    from django.urls import reverse

    per_statement: dict[int, list[tuple[str, float]]] = defaultdict(list)
    totals: list[float] = []
    cpu: list[float] = []
    sql_totals: list[float] = []
    last = Timer()
    for index in range(start, start + repeat):
        programme_id, data = programmes[index % len(programmes)]
        url = reverse("support:follow_up_create", kwargs={"programme_id": programme_id})
        timer = Timer()
        with timer.timing():
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(url, data)
            totals.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        last = timer
        if response.status_code != 302:
            raise bench.BenchError(bench._describe_failure(url, "specialpedagog", response))
        sql_totals.append(sum(ms for _sql, ms in timer.statements))
        for position, (sql, ms) in enumerate(timer.statements):
            per_statement[position].append((sql, ms))
    print(
        f"\nBreakdown over {repeat} more saves: request median {statistics.median(totals):.1f} ms, "
        f"of which SQL and commits median {statistics.median(sql_totals):.1f} ms "
        f"({len(per_statement)} statements incl. commits); this process's CPU time "
        f"median {statistics.median(cpu):.1f} ms"
    )
    print("  #   median ms  p95 ms  statement")
    for position in sorted(per_statement):
        rows = per_statement[position]
        durations = [ms for _sql, ms in rows]
        sql = " ".join(rows[-1][0].split())
        print(
            f"  {position + 1:<3} {statistics.median(durations):9.2f}  "
            f"{bench.p95(durations):6.2f}  {sql[:110]}"
        )
    _explain_slowest_select(per_statement, last)


def _explain_slowest_select(per_statement: dict[int, list[tuple[str, float]]], last: Timer) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the SELECT with the highest median, with the last save's
    parameters."""
    from django.db import connection

    selects = [
        (statistics.median(ms for _sql, ms in rows), position)
        for position, rows in per_statement.items()
        if rows[-1][0].lstrip().upper().startswith("SELECT")
    ]
    if not selects:
        return
    median, position = max(selects)
    sql, params = last.statements[position][0], last.params[position]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    text = " ".join(sql.split())
    print(f"\nSlowest SELECT (#{position + 1}, median {median:.2f} ms): {text[:160]} ...")
    print(f"  ... {text[-300:]}")
    print("EXPLAIN (ANALYZE, BUFFERS) with the last save's parameters:")
    for line in plan:
        print(f"  {line}")


def _explain_insert() -> None:
    """EXPLAIN (ANALYZE, BUFFERS, WAL) of one access-log INSERT, rolled back."""
    from django.db import connection, transaction

    from elevstod.audit.models import AccessEvent

    pupil, unit = _a_placement()
    actor = bench.Targets().user("specialpedagog").pk
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS, WAL) INSERT INTO {table} "  # noqa: S608 - model's table
            "(occurred_at, actor_id, acting_role, school_unit_id, pupil_id, record_type, "
            "record_id, action, outcome, purpose, channel) "
            "VALUES (now(), %s, 'special_education', %s, %s, 'pupil', %s, 'view', 'allowed', "
            "'bench_writes', 'web')",
            [actor, unit, pupil, str(pupil)],
        )
        plan = [line for (line,) in cursor.fetchall()]
        transaction.set_rollback(True)
    print("\nEXPLAIN (ANALYZE, BUFFERS, WAL) of one access-log INSERT (rolled back):")
    for line in plan:
        print(f"  {line}")


def _profile(client: Any, programmes: list[Any], index: int) -> None:
    """cProfile of one save: where the time outside SQL goes."""
    import cProfile
    import pstats

    from django.urls import reverse

    programme_id, data = programmes[index % len(programmes)]
    url = reverse("support:follow_up_create", kwargs={"programme_id": programme_id})
    profiler = cProfile.Profile()
    profiler.enable()
    client.post(url, data)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs()
    print("\ncProfile of one save, top 40 by cumulative time:")
    stats.sort_stats("cumulative").print_stats(40)
    print("cProfile of one save, top 20 by own time:")
    stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    sys.exit(main())
