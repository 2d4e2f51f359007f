"""`make bench`: time the key pages against a bare Django view, per dataset tier.

Usage: .venv/bin/python tools/bench.py [--repeat N] [--fresh] [--postgres] small medium

Each tier runs in its own child process with its own database (bench-<tier>.sqlite3 in the
repository root, or the PostgreSQL database bench_<tier> with --postgres), built on first use by
`migrate` and `generate_municipality --tier <tier> --seed 1` and reused afterwards. The child
measures every page in PAGES in-process with django.test.Client, through the full middleware
stack, next to a trivial view that returns "ok" (the "bare" view), and prints one table. The
parent then compares query counts and p95 across the tiers. Goals: /work/shared/domain/scale.md.

With --postgres the child also runs EXPLAIN on every SELECT a page sends and flags each sequential
scan of a table with more than 10,000 rows (pg_class.reltuples): "SEQ SCAN" in the page's row,
then the tables and the start of each query under the tier's table. Flags only; the exit code
does not change.

To benchmark another page, add one line to PAGES. A page whose URL name does not reverse (a
route still being built) is listed as "skipped (no route)" and does not fail the run.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import types
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.test import Client

REPO_ROOT = Path(__file__).resolve().parent.parent
TIERS = ("small", "medium", "large")  # as in elevstod.demo.generator.TIERS
SETTINGS_MODULE = "config.settings.dev"
BARE_PATH = "/bench-bare/"
BARE_LABEL = "bare Django view"
# What every page repeats, measured on its own: the bare view with the access context, and with
# the context and the empty layout (issue 12: per-request work in the bare-to-page gap).
CONTEXT_PATH = "/bench-context/"
LAYOUT_PATH = "/bench-layout/"
WARMUP = 3
DEFAULT_REPEAT = 30
TRACEBACK_FRAMES = 4


def _demo_usernames() -> tuple[str, ...]:
    """The generator's demo users; imported late because Django is set up per tier."""
    from elevstod.demo.generator import DEMO_USERNAMES

    return DEMO_USERNAMES


# Goals from scale.md, shown as flags next to each row (they do not change the exit code).
MAX_QUERIES_PAGE = 12
MAX_MEDIAN_RATIO = 15.0
MAX_P95_RATIO = 30.0
MAX_P95_SCALE_RATIO = 1.3
SEQ_SCAN_MIN_ROWS = 10_000  # a sequential scan of a bigger table is flagged (PostgreSQL only)
SQL_SHOWN = 200  # characters of a flagged query printed under the table


@dataclass(frozen=True)
class Page:
    label: str
    user: str  # a demo username (generator.DEMO_USERNAMES); the page is requested as this user
    url: Callable[[Targets, str], str]  # (targets, user) -> URL

    @property
    def name(self) -> str:
        return f"{self.label} ({self.user})"


def named(
    url_name: str, query: str = "", **kwargs: Callable[[Targets, str], object]
) -> Callable[..., str]:
    """A URL by name (plus `query`); each keyword gives a URL argument as a function of
    (targets, user). A name that does not reverse makes the page "skipped (no route)"."""

    def build(targets: Targets, user: str) -> str:
        from django.urls import NoReverseMatch, reverse

        args = {key: value(targets, user) for key, value in kwargs.items()}
        try:
            url = reverse(url_name, kwargs=args)
        except NoReverseMatch as exc:
            raise NoRouteError(url_name) from exc
        return f"{url}?{query}" if query else url

    return build


def literal(path: str) -> Callable[[Targets, str], str]:
    """A literal path; {pupil} and {unit} become a pupil the user sees and a unit the user leads."""

    def build(targets: Targets, user: str) -> str:
        fill: dict[str, object] = {}
        if "{pupil}" in path:
            fill["pupil"] = targets.pupil(user)
        if "{unit}" in path:
            fill["unit"] = targets.led_unit(user)
        return path.format(**fill)

    return build


def pupil(targets: Targets, user: str) -> uuid.UUID:
    return targets.pupil(user)


def unit(targets: Targets, user: str) -> uuid.UUID:
    return targets.led_unit(user)


def demo_child(targets: Targets, user: str) -> uuid.UUID:
    return targets.own_child(user)


def draft_programme(targets: Targets, user: str) -> uuid.UUID:
    return targets.draft_programme(user)


def programme(targets: Targets, user: str) -> uuid.UUID:
    return targets.programme(user)


def decision(targets: Targets, user: str) -> uuid.UUID:
    return targets.decision(user)


# The key pages, one line each: label, demo user, URL.
PAGES: list[Page] = [
    Page("per request: access context", "rektor", literal(CONTEXT_PATH)),
    Page("per request: context + layout", "rektor", literal(LAYOUT_PATH)),
    Page("start", "rektor", named("front:start")),
    Page("start", "mentor", named("front:start")),
    Page("start", "larare", named("front:start")),
    Page("start", "specialpedagog", named("front:start")),
    Page("start", "huvudman", named("front:start")),
    Page("pupil list", "specialpedagog", named("front:pupil_list")),
    # A name, so GET is allowed (a personnummer only comes by POST, decision 0016).
    Page("pupil search", "specialpedagog", named("front:pupil_list", query="q=Johansson")),
    Page("pupil detail", "mentor", named("front:pupil_detail", pupil_id=pupil)),
    Page("unit detail", "rektor", named("front:unit_detail", unit_id=unit)),
    Page("organisation", "huvudman", named("front:organisation")),
    Page("log review", "rektor", named("audit:log_review")),
    Page("API pupils limit=50", "specialpedagog", literal("/api/v1/pupils/?limit=50")),
    Page("API pupil detail", "mentor", literal("/api/v1/pupils/{pupil}/")),
    Page("support page", "mentor", named("support:pupil_support", pupil_id=demo_child)),
    Page("support page", "vardnadshavare", named("support:pupil_support", pupil_id=demo_child)),
    Page("my tasks", "rektor", named("support:my_tasks")),
    Page("my tasks", "specialpedagog", named("support:my_tasks")),
    Page("my adaptations", "larare", named("support:my_adaptations")),
    Page(
        "programme editor",
        "specialpedagog",
        named("support:programme_edit", programme_id=draft_programme),
    ),
    Page("decision page", "rektor", named("support:decision_detail", decision_id=decision)),
    Page(
        "API action programmes limit=50",
        "rektor",
        named("api:list_action_programmes", query="limit=50"),
    ),
    Page(
        "API action programme", "rektor", named("api:get_action_programme", programme_id=programme)
    ),
    Page("API decision", "rektor", named("api:get_decision", decision_id=decision)),
    # The quality dashboards (scale.md goal 4: principal p95 ≤ 150 ms, huvudman ≤ 250 ms).
    Page("principal dashboard", "rektor", named("quality:dashboard")),
    Page("principal dashboard åk 8", "rektor", named("quality:dashboard", query="arskurs=8")),
    Page("huvudman dashboard", "huvudman", named("quality:provider_dashboard")),
    Page("API quality summary", "huvudman", literal("/api/v1/quality/summary/")),
]


class BenchError(Exception):
    """A setup step or a page failed; the message says which."""


class NoRouteError(Exception):
    """The page's URL name does not reverse (yet): the page is skipped, not failed."""


class Targets:
    """Objects the URLs point at, chosen once per tier and deterministically."""

    def __init__(self) -> None:
        self._users: dict[str, Any] = {}

    def user(self, username: str) -> Any:
        if username not in self._users:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise BenchError(f"demo user {username!r} does not exist in this database")
            self._users[username] = user
        return self._users[username]

    def pupil(self, username: str) -> uuid.UUID:
        """The first pupil (by name) that this user may see."""
        from elevstod.access.context import load_user_context
        from elevstod.access.scoping import pupils_visible_to

        ctx = load_user_context(self.user(username))
        pk = (
            pupils_visible_to(ctx)
            .order_by("last_name", "first_name", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise BenchError(f"no pupil is visible to {username!r}")
        return pk

    def own_child(self, username: str) -> uuid.UUID:
        """The demo household's child: the pupil record of the demo user "elev"."""
        from elevstod.people.models import Pupil

        pk = Pupil.objects.filter(user=self.user("elev")).values_list("pk", flat=True).first()
        if pk is None:
            raise BenchError("the demo pupil 'elev' has no pupil record")
        return pk

    def draft_programme(self, username: str) -> uuid.UUID:
        """The draft programme with the most measures at a unit where the user works."""
        return self._largest_programme(username, "draft", "no draft programme")

    def programme(self, username: str) -> uuid.UUID:
        """The programme in force with the most measures at a unit where the user works."""
        return self._largest_programme(username, "in_force", "no programme in force")

    def _largest_programme(self, username: str, state: str, missing: str) -> uuid.UUID:
        from django.db.models import Count

        from elevstod.access.context import load_user_context
        from elevstod.support.models import ActionProgramme

        ctx = load_user_context(self.user(username))
        pk = (
            ActionProgramme.objects.filter(state=state, school_unit_id__in=ctx.staff_units)
            .annotate(size=Count("measures"))
            .order_by("-size", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise BenchError(f"{missing} at {username!r}'s units")
        return pk

    def decision(self, username: str) -> uuid.UUID:
        """The decision on special support (an action programme) with the most service rows
        (delgivning) at a unit where the user works; the latest of those."""
        from django.db.models import Count

        from elevstod.access.context import load_user_context
        from elevstod.support.models import Decision

        ctx = load_user_context(self.user(username))
        pk = (
            Decision.objects.filter(kind="action_programme", school_unit_id__in=ctx.staff_units)
            .annotate(size=Count("services"))
            .order_by("-size", "-decided_on", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise BenchError(f"no decision on an action programme at {username!r}'s units")
        return pk

    def led_unit(self, username: str) -> uuid.UUID:
        """A school unit this user leads (the smallest id, so the choice is stable)."""
        from elevstod.access.context import load_user_context

        units = load_user_context(self.user(username)).leader_units
        if not units:
            raise BenchError(f"{username!r} leads no school unit")
        return min(units)


@dataclass
class Result:
    label: str
    user: str
    url: str
    queries: int
    median_ms: float
    p95_ms: float
    median_ratio: float = 0.0
    p95_ratio: float = 0.0
    seq_scans: list[str] = field(default_factory=list)  # "people_pupil (110,000 rows)", once each
    seq_scan_queries: list[str] = field(default_factory=list)  # the tables, then the SQL's start


@dataclass
class TierReport:
    tier: str
    database: str
    data: str
    bare: Result | None
    results: list[Result]
    errors: list[str]
    skipped: list[str] = field(default_factory=list)  # pages whose URL name does not reverse
    explained: bool = False  # EXPLAIN ran (PostgreSQL); the seq-scan flags mean something


# --------------------------------------------------------------------------------------------
# Parent: one child process per tier, then the comparison across tiers.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tiers", nargs="+", choices=TIERS, metavar="TIER", help=", ".join(TIERS))
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed requests")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL database bench_<tier>")
    parser.add_argument("--fresh", action="store_true", help="rebuild the tier's database")
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="build the tier without its access log (the large tier's 25 M rows take hours)",
    )
    parser.add_argument("--worker-output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if args.worker_output:
        return run_worker(
            args.tiers[0],
            args.repeat,
            args.postgres,
            args.fresh,
            args.worker_output,
            access_log=not args.no_access_log,
        )

    reports: list[TierReport] = []
    failed = False
    for tier in dict.fromkeys(args.tiers):
        with tempfile.TemporaryDirectory(prefix="elevstod-bench-") as tmp:
            output = Path(tmp) / "report.json"
            command = [sys.executable, str(Path(__file__).resolve()), tier, "--repeat"]
            command += [str(args.repeat), "--worker-output", str(output)]
            command += ["--postgres"] if args.postgres else []
            command += ["--fresh"] if args.fresh else []
            command += ["--no-access-log"] if args.no_access_log else []
            code = subprocess.call(command, cwd=REPO_ROOT)  # noqa: S603 (our own script)
            if output.exists():
                reports.append(_load_report(output))
            if code != 0:
                failed = True
                print(f"\nTier {tier}: FAILED (exit code {code})", file=sys.stderr)
    if len(reports) > 1:
        print_comparison(reports)
    return 1 if failed else 0


def _load_report(path: Path) -> TierReport:
    raw = json.loads(path.read_text())
    bare = Result(**raw["bare"]) if raw["bare"] else None
    return TierReport(
        tier=raw["tier"],
        database=raw["database"],
        data=raw["data"],
        bare=bare,
        results=[Result(**r) for r in raw["results"]],
        errors=raw["errors"],
        skipped=raw.get("skipped", []),
        explained=raw.get("explained", False),
    )


def print_comparison(reports: list[TierReport]) -> None:
    tiers = [r.tier for r in reports]
    rows_of = {r.tier: ([r.bare] if r.bare else []) + r.results for r in reports}
    by_tier = {tier: {res.label: res for res in rows} for tier, rows in rows_of.items()}
    labels = list(dict.fromkeys(res.label for rows in rows_of.values() for res in rows))
    first, last = tiers[0], tiers[-1]
    header = ["page", *(f"q {t}" for t in tiers), *(f"p95 {t}" for t in tiers)]
    header += [f"p95 {last}/{first}", "flags"]
    rows: list[list[str]] = []
    differing = 0
    for label in labels:
        found = [by_tier[t].get(label) for t in tiers]
        counts = {res.queries for res in found if res is not None}
        flags = []
        if len(counts) > 1:
            differing += 1
            flags.append("QUERY COUNT DIFFERS")
        if any(res is None for res in found):
            flags.append("missing in a tier")
        scanning = [t for t, res in zip(tiers, found, strict=True) if res and res.seq_scans]
        if scanning:
            flags.append(f"SEQ SCAN ({', '.join(scanning)})")
        scale = ""
        if found[0] is not None and found[-1] is not None and found[0].p95_ms > 0:
            ratio = found[-1].p95_ms / found[0].p95_ms
            scale = f"{ratio:.2f}x"
            if ratio > MAX_P95_SCALE_RATIO:
                flags.append(f"p95 grew >{MAX_P95_SCALE_RATIO}x")
        rows.append(
            [
                label,
                *(str(res.queries) if res else "-" for res in found),
                *(f"{res.p95_ms:.2f}" if res else "-" for res in found),
                scale,
                ", ".join(flags),
            ]
        )
    print()
    print(f"=== Across tiers: {', '.join(tiers)} (q = queries, p95 in ms) ===")
    print(_table(header, rows, right_from=1))
    if differing:
        print(f"\n{differing} page(s) have query counts that differ between tiers (goal 1).")
    else:
        print("\nQuery counts are equal across tiers for every page.")


# --------------------------------------------------------------------------------------------
# Child: one tier, one database, one Django process.


def run_worker(
    tier: str, repeat: int, postgres: bool, fresh: bool, output: str, *, access_log: bool = True
) -> int:
    report = TierReport(tier=tier, database="", data="", bare=None, results=[], errors=[])
    try:
        report.database = setup_django(tier, postgres=postgres)
        ensure_data(tier, postgres=postgres, fresh=fresh, access_log=access_log)
        report.data = describe_data()
        measure_tier(report, repeat)
    except BenchError as exc:
        report.errors.append(str(exc))
    except Exception as exc:
        traceback.print_exc()
        report.errors.append(f"setting up tier {tier} failed: {exc!r}")
    Path(output).write_text(json.dumps(asdict(report)))
    print_tier(report, repeat)
    return 1 if report.errors else 0


def setup_django(tier: str, *, postgres: bool) -> str:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["ELEVSTOD_REQUIRE_SECOND_FACTOR"] = "false"
    os.environ["ELEVSTOD_DEBUG"] = "false"  # DEBUG would log every query and skew the timings
    if postgres:
        os.environ["ELEVSTOD_DB_ENGINE"] = "postgresql"
        os.environ["ELEVSTOD_DB_NAME"] = f"bench_{tier}"
        description = f"PostgreSQL database bench_{tier}"
    else:
        os.environ["ELEVSTOD_DB_ENGINE"] = "sqlite"
        path = REPO_ROOT / f"bench-{tier}.sqlite3"
        os.environ["ELEVSTOD_SQLITE_PATH"] = str(path)
        description = f"SQLite {path.name}"

    import django

    django.setup()
    install_bare_view()
    return description


def bare_view(request: HttpRequest) -> HttpResponse:
    from django.http import HttpResponse

    return HttpResponse("ok")


def context_view(request: HttpRequest) -> HttpResponse:
    """The bare view plus the access context every page loads (elevstod.access.context)."""
    from django.http import HttpResponse

    from elevstod.access.context import context_for

    context_for(request)
    return HttpResponse("ok")


def layout_view(request: HttpRequest) -> HttpResponse:
    """The access context plus the layout every page renders (base.html, nothing in it)."""
    from django.shortcuts import render

    from elevstod.access.context import context_for

    context_for(request)
    return render(request, "base.html")


def install_bare_view() -> None:
    """Serve the project's URLs plus BARE_PATH from a urlconf module built here."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    module = types.ModuleType("elevstod_bench_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path(BARE_PATH.strip("/") + "/", bare_view),
        path(CONTEXT_PATH.strip("/") + "/", context_view),
        path(LAYOUT_PATH.strip("/") + "/", layout_view),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def ensure_data(tier: str, *, postgres: bool, fresh: bool, access_log: bool = True) -> None:
    from django.core.management import call_command
    from django.db import connection

    if postgres:
        _ensure_postgres_database(fresh=fresh)
    else:
        path = Path(os.environ["ELEVSTOD_SQLITE_PATH"])
        if fresh and path.exists():
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            print(f"[{tier}] --fresh: removed {path.name}")

    if _has_demo_data():
        print(f"[{tier}] reusing existing data in {_db_label()} (--fresh rebuilds it)")
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"[{tier}] migrations up to date ({time.perf_counter() - started:.1f} s)")
        return
    if _has_any_users():
        raise BenchError(
            f"{_db_label()} has users but not the demo users {', '.join(_demo_usernames())}; "
            "rerun with --fresh to rebuild it"
        )
    print(f"[{tier}] building {_db_label()}: migrate, then generate_municipality --tier {tier}")
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    try:
        call_command("generate_municipality", tier=tier, seed=1, no_access_log=not access_log)
    except Exception as exc:
        traceback.print_exc()
        raise BenchError(f"generate_municipality --tier {tier} failed: {exc!r}") from exc
    done = time.perf_counter()
    print(f"[{tier}] migrate {migrated - started:.1f} s, generate {done - migrated:.1f} s")
    if not _has_demo_data():
        raise BenchError(f"generate_municipality did not create the demo users {_demo_usernames()}")


def describe_data() -> str:
    from django.contrib.auth import get_user_model

    from elevstod.audit.models import AccessEvent
    from elevstod.organisation.models import SchoolUnit
    from elevstod.people.models import Pupil

    counts = {
        "school units": SchoolUnit.objects.count(),
        "pupils": Pupil.objects.count(),
        "user accounts": get_user_model().objects.count(),
        "access-log rows": AccessEvent.objects.count(),
    }
    return ", ".join(f"{count:,} {what}" for what, count in counts.items())


def _db_label() -> str:
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    return Path(name).name if connection.vendor == "sqlite" else f"database {name}"


def _user_table_exists() -> bool:
    from django.contrib.auth import get_user_model
    from django.db import connection

    return get_user_model()._meta.db_table in connection.introspection.table_names()


def _has_demo_data() -> bool:
    from django.contrib.auth import get_user_model

    if not _user_table_exists():
        return False
    usernames = _demo_usernames()
    found = get_user_model().objects.filter(username__in=usernames).count()
    return found == len(usernames)


def _has_any_users() -> bool:
    from django.contrib.auth import get_user_model

    return _user_table_exists() and get_user_model().objects.exists()


def _ensure_postgres_database(*, fresh: bool) -> None:
    """Create bench_<tier> if it is missing (drop it first with --fresh), via the postgres db."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    connection.close()
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(**params, autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists and fresh:
                admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                print(f"--fresh: dropped database {name}")
                exists = None
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    except psycopg.Error as exc:
        raise BenchError(
            f"cannot prepare PostgreSQL database {name} (set ELEVSTOD_DB_USER, "
            f"ELEVSTOD_DB_PASSWORD, ELEVSTOD_DB_HOST as for the app): {exc}"
        ) from exc


def measure_tier(report: TierReport, repeat: int) -> None:
    from django.db import connection
    from django.test import Client

    targets = Targets()
    clients: dict[str, Client] = {}
    report.explained = connection.vendor == "postgresql"

    def client_for(username: str) -> Client:
        if username not in clients:
            # Keep a failing view's exception on the response, so the report can name it.
            client = Client(raise_request_exception=False)
            client.force_login(
                targets.user(username), backend="django.contrib.auth.backends.ModelBackend"
            )
            clients[username] = client
        return clients[username]

    # The bare view shares the first page's signed-in client, hence its whole middleware path.
    bare_user = PAGES[0].user
    report.bare = measure(BARE_LABEL, bare_user, BARE_PATH, client_for(bare_user), repeat)
    for page in PAGES:
        try:
            url = page.url(targets, page.user)
            result = measure(page.name, page.user, url, client_for(page.user), repeat)
        except NoRouteError as exc:
            report.skipped.append(f"{page.name}: {exc}")
            continue
        except BenchError as exc:
            report.errors.append(f"{page.name}: {exc}")
            continue
        except Exception as exc:
            report.errors.append(f"{page.name}: {exc!r}")
            continue
        result.median_ratio = result.median_ms / report.bare.median_ms
        result.p95_ratio = result.p95_ms / report.bare.p95_ms
        report.results.append(result)


def measure(label: str, username: str, url: str, client: Client, repeat: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(_describe_failure(url, username, response))

    for _ in range(WARMUP):
        get()
    with CaptureQueriesContext(connection) as captured:
        get()
    # Read now: every later request clears the connection's query log (reset_queries).
    sqls = [query["sql"] for query in captured.captured_queries]
    gc.collect()
    timings: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        get()
        timings.append((time.perf_counter() - started) * 1000)
    result = Result(
        label=label,
        user=username,
        url=url,
        queries=len(sqls),
        median_ms=statistics.median(timings),
        p95_ms=p95(timings),
    )
    if connection.vendor == "postgresql":  # after the timings, so EXPLAIN does not skew them
        result.seq_scans, result.seq_scan_queries = find_seq_scans(sqls)
    return result


# Reads are explained; writes, SAVEPOINT, SET and the like are not. "(SELECT" starts a UNION.
EXPLAINED = ("SELECT", "(SELECT", "WITH")


def find_seq_scans(sqls: list[str | None]) -> tuple[list[str], list[str]]:
    """EXPLAIN every read among `sqls` and find its sequential scans of big tables. Returns the
    tables once each ("people_pupil (110,000 rows)") and, per query that scans one, the tables
    and the start of its SQL. The SQL is what psycopg sent (Django binds parameters client-side
    and logs the bound query), so it can be explained as it is."""
    from django.db import DatabaseError

    tables: dict[str, None] = {}
    queries: list[str] = []
    for number, sql in enumerate(sqls, start=1):
        if not sql or not sql.lstrip().upper().startswith(EXPLAINED):
            continue
        start = _sql_start(sql)
        try:
            scanned = [t for t in _seq_scanned(sql) if _table_rows(t) > SEQ_SCAN_MIN_ROWS]
        except DatabaseError as exc:
            queries.append(f"query {number}: EXPLAIN failed ({str(exc).strip()}): {start}")
            continue
        if not scanned:
            continue
        labels = {t: f"{t} ({_table_rows(t):,.0f} rows)" for t in scanned}
        tables.update(dict.fromkeys(labels.values()))
        counted = [
            name + (f" x{scanned.count(t)}" if scanned.count(t) > 1 else "")
            for t, name in labels.items()
        ]
        queries.append(f"query {number}: {', '.join(counted)}: {start}")
    return list(tables), queries


def _sql_start(sql: str) -> str:
    """The first SQL_SHOWN characters of `sql` on one line, with a long select list cut after
    its first column, so that the FROM and WHERE that locate the query are shown."""
    text = " ".join(sql.split())
    level = 1 if text.startswith("(") else 0  # a UNION's first branch: "(SELECT … FROM …)"
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == level and text.startswith(" FROM ", i):
            columns = text[:i]
            if len(columns) > 60 and "," in columns:
                text = f"{columns.split(',', 1)[0]}, … {text[i + 1 :]}"
            break
    return text[:SQL_SHOWN]


def _seq_scanned(sql: str) -> list[str]:
    """The tables that the plan of `sql` reads by "Seq Scan", once per scan node."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return seq_scan_tables(plan[0]["Plan"])


def seq_scan_tables(node: dict[str, Any]) -> list[str]:
    """The relations of the "Seq Scan" nodes in an EXPLAIN (FORMAT JSON) plan node and below.
    Child nodes, InitPlans and SubPlans all sit in "Plans" (their "Parent Relationship" says
    which), so one walk finds every scan."""
    found = [node["Relation Name"]] if node.get("Node Type") == "Seq Scan" else []
    for child in node.get("Plans", []):
        found += seq_scan_tables(child)
    return found


@functools.cache
def _table_rows(table: str) -> float:
    """The planner's row estimate for `table` (pg_class.reltuples), or, for a table never
    analysed (reltuples -1), its live-row count from the statistics collector."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.n_live_tup FROM pg_class c "
            "LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid "
            "WHERE c.relname = %s ORDER BY c.reltuples DESC LIMIT 1",
            [table],
        )
        row = cursor.fetchone()
    if row is None:
        return 0.0
    reltuples, live = row
    return float(reltuples) if reltuples >= 0 else float(live or 0)


def _describe_failure(url: str, username: str, response: Any) -> str:
    detail = f"GET {url} as {username} returned {response.status_code}"
    location = response.get("Location")
    if location:
        detail += f" (redirect to {location})"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        detail += f": {exc_info[0].__name__}: {exc_info[1]}"
        frames = traceback.extract_tb(exc_info[2])[-TRACEBACK_FRAMES:]
        for frame in frames:
            where = Path(frame.filename)
            if where.is_relative_to(REPO_ROOT):
                where = where.relative_to(REPO_ROOT)
            detail += f"\n      at {where}:{frame.lineno} in {frame.name}: {frame.line}"
    return detail


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def print_tier(report: TierReport, repeat: int) -> None:
    print()
    print(
        f"=== Tier {report.tier}: {report.database}, {repeat} timed requests per page "
        f"after {WARMUP} warm-up ==="
    )
    if report.data:
        print(f"Data: {report.data}")
    header = ["page", "queries", "median ms", "p95 ms", "median/bare", "p95/bare", "flags"]
    rows: list[list[str]] = []
    if report.bare is not None:
        b = report.bare
        rows.append(
            [b.label, str(b.queries), f"{b.median_ms:.2f}", f"{b.p95_ms:.2f}", "1.0x", "1.0x", ""]
        )
    for r in report.results:
        flags = []
        if r.queries > MAX_QUERIES_PAGE:
            flags.append(f">{MAX_QUERIES_PAGE} queries")
        if r.median_ratio > MAX_MEDIAN_RATIO:
            flags.append(f"median >{MAX_MEDIAN_RATIO:g}x")
        if r.p95_ratio > MAX_P95_RATIO:
            flags.append(f"p95 >{MAX_P95_RATIO:g}x")
        if r.seq_scans:
            flags.append("SEQ SCAN")
        rows.append(
            [
                r.label,
                str(r.queries),
                f"{r.median_ms:.2f}",
                f"{r.p95_ms:.2f}",
                f"{r.median_ratio:.1f}x",
                f"{r.p95_ratio:.1f}x",
                ", ".join(flags),
            ]
        )
    for skipped in report.skipped:
        label, _sep, url_name = skipped.rpartition(": ")
        rows.append([label, "-", "-", "-", "-", "-", f"skipped (no route {url_name})"])
    if rows:
        print(_table(header, rows, right_from=1, right_to=6))
    else:
        print("(nothing measured)")
    print_seq_scans(report)
    if report.errors:
        print(f"\nERRORS in tier {report.tier}:", file=sys.stderr)
        for error in report.errors:
            print(f"  - {error}", file=sys.stderr)
    sys.stdout.flush()


def print_seq_scans(report: TierReport) -> None:
    if not report.explained:
        print("\nEXPLAIN check skipped (PostgreSQL only).")
        return
    flagged = [r for r in report.results if r.seq_scans or r.seq_scan_queries]
    limit = f"{SEQ_SCAN_MIN_ROWS:,}"
    if not flagged:
        print(f"\nEXPLAIN: no page's query scans a table over {limit} rows sequentially.")
        return
    print(f"\nEXPLAIN: sequential scans of tables over {limit} rows, per page and query:")
    for r in flagged:
        print(f"  {r.label}: {', '.join(r.seq_scans) or 'EXPLAIN failed'}")
        for query in r.seq_scan_queries:
            print(f"    {query}")


def _table(header: list[str], rows: list[list[str]], right_from: int, right_to: int = -1) -> str:
    """Plain-text columns; columns right_from..right_to (exclusive) are right-aligned."""
    end = len(header) - 1 if right_to < 0 else right_to
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if right_from <= i < end else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


if __name__ == "__main__":
    sys.exit(main())
