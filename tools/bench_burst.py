"""`make bench-burst`: 50 staff at once against gunicorn, on a tier's benchmark database.

Usage: .venv/bin/python tools/bench_burst.py [--sqlite] [--workers N] [--run-time S] [TIER]

The tier's database is tools/bench.py's (PostgreSQL bench_<tier> by default, SQLite
bench-<tier>.sqlite3 with --sqlite); build it with `tools/bench.py --postgres <tier>` or pass
--prepare. The driver
  1. picks 50 staff of the tier by role (rektor, specialpedagog, elevhälsa, mentors, teachers,
     huvudman administrators; the demo users first, then a seeded sample), the pages each visits
     with weights (a realistic mix), and signs each in by creating a session directly (no login
     form: django-axes and the second factor are not what is measured);
  2. starts gunicorn on 127.0.0.1 with tools/bench_wsgi.py (the project plus the bare view of
     tools/bench.py, behind the full middleware), waits until it answers, and requests every
     planned URL once (a check that each answers 200, and a warm-up);
  3. runs locust headless three times, each for --run-time seconds: the bare view without think
     time, the mix without think time, the mix with 1–5 s think time;
  4. prints one table, the mix-to-bare throughput ratio and the goals of scale.md (5. Burst):
     0 errors, p95 ≤ 300 ms with think time, mixed throughput ≥ 0.2× the bare view's.
gunicorn is stopped and the sessions are deleted at the end, also after a failure or Ctrl-C.
Missed goals are flags; the exit code is non-zero only when the run itself failed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import bench  # noqa: E402 - tools/bench.py: the tiers, their databases and the bare view

REPO_ROOT = bench.REPO_ROOT
HOST = "127.0.0.1"  # never anything else: the burst is a local measurement
SEED = 1
DEFAULT_USERS = 50
DEFAULT_RUN_TIME = 60  # seconds per phase
DEFAULT_SPAWN_RATE = 25  # users per second: all 50 within 2 s; stats are reset after that
THINK_SECONDS = (1.0, 5.0)
# gunicorn's own rule of thumb, 2 × cores + 1 sync workers (5 on the 2-core target machine):
# a sync worker waits on PostgreSQL for part of each request, so one per core would leave the
# cores idle then, while many more only add memory and context switches. --workers overrides.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1) + 1
READY_TIMEOUT = 120.0  # seconds for gunicorn to answer the bare view (slow on a busy machine)
CHECK_TIMEOUT = 240.0  # seconds for the check and warm-up of every planned URL
CHECK_THREADS = 4
REQUEST_TIMEOUT = 60.0
LOCUST_GRACE = 90.0  # seconds beyond --run-time before a locust phase counts as hung
STOP_TIMEOUT = 10.0

# Goals (scale.md, 5. Burst); flags only, they do not change the exit code.
MAX_ERRORS = 0
MAX_P95_THINK_MS = 300.0
MIN_THROUGHPUT_RATIO = 0.2

# The staff of the burst, by role: how many of the 50 (proportionally for another --users),
# the demo user who comes first, and each page's weight in that role's mix (relative
# frequency of the page among the user's requests).
ROLES: dict[str, tuple[int, str, dict[str, float]]] = {
    "rektor": (
        4,
        "rektor",
        {
            "start": 3,
            "pupil list": 2,
            "pupil page": 2,
            "support page": 2,
            "my tasks": 3,
            "programme editor": 1,
            "principal dashboard": 3,
            "API pupils": 1,
        },
    ),
    "specialpedagog": (
        6,
        "specialpedagog",
        {
            "start": 2,
            "pupil list": 3,
            "pupil page": 3,
            "support page": 4,
            "my tasks": 3,
            "programme editor": 3,
            "API pupils": 1,
        },
    ),
    "elevhälsa": (
        4,
        "kurator",
        {"start": 2, "pupil list": 3, "pupil page": 3, "support page": 3, "my tasks": 2},
    ),
    "mentor": (
        15,
        "mentor",
        {
            "start": 3,
            "pupil list": 3,
            "pupil page": 4,
            "support page": 3,
            "my tasks": 2,
            "my adaptations": 1,
        },
    ),
    "lärare": (
        18,
        "larare",
        {
            "start": 3,
            "pupil list": 3,
            "pupil page": 4,
            "support page": 2,
            "my tasks": 1,
            "my adaptations": 2,
        },
    ),
    "huvudman": (
        3,
        "huvudman",
        {"start": 2, "huvudman dashboard": 4, "organisation": 3, "pupil list": 1},
    ),
}
PUPIL_PAGES = 3  # pupils per user for "pupil page" (the first of their pupil list)
SUPPORT_SAMPLE = 200  # visible pupils searched for one with an extra adaptation
CANDIDATE_TRIES = 5  # per place: candidates tried before a role takes fewer people


class BurstError(Exception):
    """The run itself failed (not a missed goal); the message says where."""


@dataclass
class PlannedUser:
    index: int
    role: str
    username: str
    session_key: str = ""
    pages: list[dict[str, Any]] = field(default_factory=list)  # label, url, weight


@dataclass
class PhaseResult:
    name: str
    think: str
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    median: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    pages: dict[str, dict[str, float]] = field(default_factory=dict)
    failure_lines: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tier", nargs="?", default="large", choices=bench.TIERS, metavar="TIER")
    parser.add_argument("--sqlite", action="store_true", help="SQLite bench-<tier>.sqlite3")
    parser.add_argument("--prepare", action="store_true", help="build or migrate the database")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers")
    parser.add_argument("--users", type=int, default=DEFAULT_USERS, help="simulated staff")
    parser.add_argument("--spawn-rate", type=float, default=DEFAULT_SPAWN_RATE)
    parser.add_argument("--run-time", type=int, default=DEFAULT_RUN_TIME, help="s per phase")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args(argv)
    if args.users < 1 or args.workers < 1 or args.run_time < 5:
        parser.error("--users and --workers must be at least 1, --run-time at least 5")

    # A plain `kill` ends the run like Ctrl-C: through the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return run(args)
    except BurstError as exc:
        print(f"\nbench-burst FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench-burst interrupted; gunicorn stopped, sessions deleted.", file=sys.stderr)
        return 130


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    description = bench.setup_django(args.tier, postgres=not args.sqlite)
    check_database(args.tier, postgres=not args.sqlite, prepare=args.prepare)
    print(f"=== Burst, tier {args.tier}: {description} ===")
    print(f"Data: {bench.describe_data()}")
    started = time.perf_counter()
    users = plan_users(args.users)
    print(f"Plan: {describe_plan(users)} ({time.perf_counter() - started:.1f} s)")

    with tempfile.TemporaryDirectory(prefix="elevstod-burst-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            create_sessions(users)
            plan_path = write_plan(users, tmp / "plan.json")
            from django.db import connection

            connection.close()  # hold no connection while gunicorn and locust run
            port = args.port or free_port()
            print(f"gunicorn: {args.workers} sync workers on {HOST}:{port} ...", flush=True)
            ready = time.perf_counter()
            with Gunicorn(port, args.workers, tmp / "gunicorn.log") as server:
                print(
                    f"gunicorn answered after {time.perf_counter() - ready:.1f} s "
                    f"({os.cpu_count()} cores); locust: {args.users} users, "
                    f"{args.run_time} s per phase",
                    flush=True,
                )
                dropped = check_urls(server.base_url, users)
                if dropped:
                    plan_path = write_plan(users, tmp / "plan.json")
                phases = [
                    ("bare view", "bare", (0.0, 0.0)),
                    ("mix, no think time", "mixed", (0.0, 0.0)),
                    ("mix, 1–5 s think time", "mixed", THINK_SECONDS),
                ]
                results = []
                for name, kind, think in phases:
                    results.append(
                        run_locust(name, kind, think, args, server, plan_path, tmp / kind)
                    )
        finally:
            delete_sessions(users)
    print_report(results, dropped)
    return 0


# --------------------------------------------------------------------------------------------
# The database and the plan.


def check_database(tier: str, *, postgres: bool, prepare: bool) -> None:
    """The tier's database must exist, hold the demo municipality and be migrated."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import OperationalError

    build = f".venv/bin/python tools/bench.py {'--postgres ' if postgres else ''}{tier}"
    if prepare:
        try:
            bench.ensure_data(tier, postgres=postgres, fresh=False)
        except bench.BenchError as exc:
            raise BurstError(str(exc)) from exc
    try:
        has_data = bench._has_demo_data()
    except OperationalError as exc:
        raise BurstError(f"cannot open the tier's database ({exc}); build it: {build}") from exc
    if not has_data:
        raise BurstError(f"the tier's database has no demo municipality; build it: {build}")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        # A warning, not a failure: a pending migration that changes no table (planner
        # settings, say) leaves the pages working; one that does shows up as failing URLs.
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in pending)
        print(
            f"WARNING: not applied to the tier's database: {names}; the burst measures the "
            f"database as it is (run {build}, which migrates, or pass --prepare)"
        )


def plan_users(count: int) -> list[PlannedUser]:
    """`count` staff by role, their targets chosen once, deterministically (seed SEED)."""
    candidates = role_candidates()
    rng = random.Random(SEED)  # a reproducible sample
    quotas = role_quotas(count)
    taken: set[str] = set()
    users: list[PlannedUser] = []
    for role, (_share, demo, mix) in ROLES.items():
        pool = sorted(candidates[role] - {demo} - taken)
        rng.shuffle(pool)
        ordered = [demo, *pool] if demo in candidates[role] else pool
        chosen: list[PlannedUser] = []
        for username in ordered[: quotas[role] * CANDIDATE_TRIES]:
            if len(chosen) == quotas[role]:
                break
            if username in taken:
                continue
            pages = plan_pages(username, mix)
            if pages is None:  # sees no pupil: not the staff member this role stands for
                continue
            taken.add(username)
            chosen.append(PlannedUser(0, role, username, pages=pages))
        if not chosen:
            raise BurstError(f"no staff member of role {role!r} in this tier")
        # A small tier has fewer people in a role than the burst wants: some sign in twice.
        for i in range(quotas[role] - len(chosen)):
            first = chosen[i % len(chosen)]
            chosen.append(PlannedUser(0, role, first.username, pages=list(first.pages)))
        users += chosen[: quotas[role]]
    for index, user in enumerate(users):
        user.index = index
    return users


def role_quotas(count: int) -> dict[str, int]:
    """ROLES' shares scaled to `count` people (largest remainder), each role at least one."""
    total = sum(share for share, _demo, _mix in ROLES.values())
    exact = {role: share * count / total for role, (share, _d, _m) in ROLES.items()}
    quotas = {role: max(1, int(value)) for role, value in exact.items()}
    by_remainder = sorted(exact, key=lambda role: exact[role] - int(exact[role]), reverse=True)
    for role in by_remainder[: max(0, count - sum(quotas.values()))]:
        quotas[role] += 1
    return quotas


def role_candidates() -> dict[str, set[str]]:
    """Usernames of staff by role, from their current duties, group roles and team seats."""
    from django.db.models import Q
    from django.utils import timezone

    from elevstod.organisation.duties import (
        LEADERSHIP_DUTIES,
        UNIT_WIDE_SUPPORT_DUTIES,
        UnitDutyKind,
    )
    from elevstod.organisation.models import GroupStaff, ProviderDuty, PupilHealthTeam, UnitDuty

    today = timezone.localdate()
    current = UnitDuty.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today
    )

    def holders(duties: Any) -> set[str]:
        return set(current.filter(duty__in=duties).values_list("user__username", flat=True))

    team = PupilHealthTeam.members.through.objects.values_list("user__username", flat=True)
    health = {
        UnitDutyKind.SCHOOL_COUNSELLOR,
        UnitDutyKind.SCHOOL_PSYCHOLOGIST,
        UnitDutyKind.SCHOOL_NURSE,
        UnitDutyKind.SCHOOL_DOCTOR,
    }
    mentors = set(GroupStaff.objects.filter(role="mentor").values_list("user__username", flat=True))
    teachers = set(
        GroupStaff.objects.filter(role="teacher").values_list("user__username", flat=True)
    )
    return {
        "rektor": holders(LEADERSHIP_DUTIES),
        "specialpedagog": holders(UNIT_WIDE_SUPPORT_DUTIES),
        "elevhälsa": holders(health) & set(team),
        "mentor": mentors,
        "lärare": teachers - mentors,
        "huvudman": set(ProviderDuty.objects.values_list("user__username", flat=True)),
    }


def plan_pages(username: str, mix: dict[str, float]) -> list[dict[str, Any]] | None:
    """The user's pages with weights; None if the role's mix needs pupils and they see none."""
    from django.urls import reverse

    from elevstod.access.context import load_user_context
    from elevstod.access.scoping import pupils_visible_to
    from elevstod.support.models import Adaptation

    targets = bench.Targets()
    user = targets.user(username)
    ctx = load_user_context(user)
    visible = pupils_visible_to(ctx)
    pupils = list(
        visible.order_by("last_name", "first_name", "pk").values_list("pk", flat=True)[:PUPIL_PAGES]
    )
    needs_pupils = "pupil page" in mix or "support page" in mix
    if needs_pupils and not pupils:
        return None
    sample = list(visible.order_by("pk").values_list("pk", flat=True)[:SUPPORT_SAMPLE])
    supported = (
        Adaptation.objects.filter(pupil_id__in=sample)
        .order_by("pupil_id")
        .values_list("pupil_id", flat=True)
        .first()
    )
    pages: list[dict[str, Any]] = []

    def add(label: str, url: str, share: float = 1.0) -> None:
        pages.append({"label": label, "url": url, "weight": mix[label] * share})

    for label in mix:
        if label == "start":
            add(label, reverse("front:start"))
        elif label == "pupil list":
            add(label, reverse("front:pupil_list"))
        elif label == "pupil page":
            for pk in pupils:
                add(label, reverse("front:pupil_detail", kwargs={"pupil_id": pk}), 1 / len(pupils))
        elif label == "support page":
            pk = supported or pupils[0]
            add(label, reverse("support:pupil_support", kwargs={"pupil_id": pk}))
        elif label == "my tasks":
            add(label, reverse("support:my_tasks"))
        elif label == "my adaptations":
            add(label, reverse("support:my_adaptations"))
        elif label == "programme editor":
            try:
                programme = targets.draft_programme(username)
            except bench.BenchError:
                continue  # no draft at the user's units: the page is not in their day
            add(label, reverse("support:programme_edit", kwargs={"programme_id": programme}))
        elif label == "principal dashboard":
            add(label, reverse("quality:dashboard"))
        elif label == "huvudman dashboard":
            add(label, reverse("quality:provider_dashboard"))
        elif label == "organisation":
            add(label, reverse("front:organisation"))
        elif label == "API pupils":
            add(label, "/api/v1/pupils/?limit=50")
        else:
            raise BurstError(f"no URL for page {label!r}")
    return pages


def describe_plan(users: list[PlannedUser]) -> str:
    by_role: dict[str, list[PlannedUser]] = {}
    for user in users:
        by_role.setdefault(user.role, []).append(user)
    parts = []
    for role, members in by_role.items():
        distinct = len({user.username for user in members})
        again = f", {len(members) - distinct} signed in twice" if distinct < len(members) else ""
        parts.append(f"{len(members)} {role} ({distinct} people{again})")
    return f"{len(users)} staff: " + ", ".join(parts)


def create_sessions(users: list[PlannedUser]) -> None:
    """Sign each planned user in as django.test.Client.force_login does: a session row."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from elevstod.accounts.middleware import SESSION_SEEN, SESSION_STARTED

    store = import_module(settings.SESSION_ENGINE).SessionStore
    targets = bench.Targets()
    now = time.time()
    for planned in users:
        user = targets.user(planned.username)
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # As after a sign-in, so the first request does not have to write the session.
        session[SESSION_STARTED] = now
        session[SESSION_SEEN] = now
        session.save()
        planned.session_key = session.session_key or ""


def delete_sessions(users: list[PlannedUser]) -> None:
    from django.contrib.sessions.models import Session

    keys = [user.session_key for user in users if user.session_key]
    if keys:
        Session.objects.filter(session_key__in=keys).delete()


def write_plan(users: list[PlannedUser], path: Path) -> Path:
    from django.conf import settings

    plan = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "bare_path": bench.BARE_PATH,
        "bare_label": "bare view",
        "users": [
            {
                "index": u.index,
                "role": u.role,
                "session_key": u.session_key,
                "pages": [p for p in u.pages if p["weight"] > 0],
            }
            for u in users
        ],
    }
    path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# gunicorn, the check of the plan, and locust.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """gunicorn in its own process group, stopped on leaving the `with` whatever happened."""

    def __init__(self, port: int, workers: int, log: Path) -> None:
        self.port = port
        self.workers = workers
        self.log = log
        self.base_url = f"http://{HOST}:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench_wsgi:application",
            "--chdir",
            str(REPO_ROOT),
            "--pythonpath",
            str(TOOLS),
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=REPO_ROOT, stdout=log, stderr=log, start_new_session=True
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise BurstError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            try:
                status, _body = get(self.base_url, bench.BARE_PATH, None, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise BurstError(
            f"gunicorn did not answer within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # The whole group, master and workers; SIGTERM lets the workers finish their request.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def get(base_url: str, path: str, cookie: str | None, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check_urls(base_url: str, users: list[PlannedUser]) -> list[str]:
    """Request every planned URL once as its user (also the warm-up); drop the ones that do
    not answer 200 and return what was dropped, so the phases measure pages that work."""
    from django.conf import settings

    cookie_name = settings.SESSION_COOKIE_NAME
    work = [(user, page) for user in users for page in user.pages]
    failed: dict[int, str] = {}
    deadline = time.monotonic() + CHECK_TIMEOUT
    started = time.perf_counter()

    def one(item: tuple[PlannedUser, dict[str, Any]]) -> None:
        user, page = item
        if time.monotonic() > deadline:
            return  # out of time: the rest stay in the plan unchecked
        try:
            status, _body = get(
                base_url, page["url"], f"{cookie_name}={user.session_key}", REQUEST_TIMEOUT
            )
        except OSError as exc:
            failed[id(page)] = f"{user.username} ({user.role}) {page['url']}: {exc!r}"
            return
        if status != 200:
            failed[id(page)] = f"{user.username} ({user.role}) {page['url']}: HTTP {status}"

    pool = concurrent.futures.ThreadPoolExecutor(CHECK_THREADS)
    try:
        for future in [pool.submit(one, item) for item in work]:
            future.result()
    finally:
        # On Ctrl-C, drop the requests not yet started instead of waiting for all of them.
        pool.shutdown(wait=True, cancel_futures=True)
    for user in users:
        user.pages = [page for page in user.pages if id(page) not in failed]
    elapsed = time.perf_counter() - started
    late = " (stopped at the time limit)" if time.monotonic() > deadline else ""
    print(f"Checked and warmed {len(work)} planned URLs in {elapsed:.1f} s{late}")
    if any(not user.pages for user in users):
        raise BurstError("a planned user has no page left that answers 200:\n" + _lines(failed))
    return sorted(failed.values())


def _lines(failed: dict[int, str]) -> str:
    return "\n".join(f"  - {line}" for line in sorted(failed.values()))


def run_locust(
    name: str,
    kind: str,
    think: tuple[float, float],
    args: argparse.Namespace,
    server: Gunicorn,
    plan: Path,
    prefix: Path,
) -> PhaseResult:
    think_text = f"{think[0]:g}–{think[1]:g} s" if think[1] else "none"
    load = os.getloadavg()[0]
    print(f"Phase {name}: {args.run_time} s (load average before: {load:.2f}) ...", flush=True)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(TOOLS / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.run_time}s",
        "--host",
        server.base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        # Measure the steady state: the counters start again once all users are running.
        "--reset-stats",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "BURST_PLAN": str(plan),
        "BURST_PHASE": kind,
        "BURST_THINK": f"{think[0]},{think[1]}",
    }
    log = prefix.with_suffix(".log")
    limit = args.run_time + args.users / args.spawn_rate + LOCUST_GRACE
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
        try:
            code = process.wait(limit)
        except subprocess.TimeoutExpired as exc:
            raise BurstError(f"locust phase {name!r} did not end within {limit:.0f} s") from exc
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    stats = Path(f"{prefix}_stats.csv")
    if code != 0 or not stats.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise BurstError(f"locust phase {name!r} failed (exit code {code}):\n{tail}")
    if server.process is None or server.process.poll() is not None:
        raise BurstError(f"gunicorn died during phase {name!r}:\n{server.log_tail()}")
    return read_stats(name, think_text, stats, Path(f"{prefix}_failures.csv"))


def read_stats(name: str, think: str, stats: Path, failures: Path) -> PhaseResult:
    result = PhaseResult(name, think)
    with stats.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            numbers = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "median": _ms(row["50%"]),
                "p95": _ms(row["95%"]),
                "p99": _ms(row["99%"]),
                "max": _ms(row["100%"]),
            }
            if row["Name"] == "Aggregated":
                for key, value in numbers.items():
                    setattr(result, key, value)
            else:
                result.pages[row["Name"]] = numbers
    if failures.exists():
        with failures.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                result.failure_lines.append(f"{row['Occurrences']}× {row['Name']}: {row['Error']}")
    return result


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


# --------------------------------------------------------------------------------------------
# The report.


def print_report(results: list[PhaseResult], dropped: list[str]) -> None:
    bare, busy, thinking = results
    print()
    header = ["phase", "think", "requests", "failures", "req/s", "median ms", "p95 ms", "p99 ms"]
    header.append("max ms")
    rows = [
        [
            r.name,
            r.think,
            str(r.requests),
            str(r.failures),
            f"{r.rps:.1f}",
            f"{r.median:.0f}",
            f"{r.p95:.0f}",
            f"{r.p99:.0f}",
            f"{r.max:.0f}",
        ]
        for r in results
    ]
    print(bench._table(header, rows, right_from=2, right_to=len(header)))

    print("\nPer page (mix; ms, locust's rounded percentiles):")
    labels = sorted(set(busy.pages) | set(thinking.pages))
    page_rows = []
    for label in labels:
        cells = [label]
        for result in (busy, thinking):
            numbers = result.pages.get(label)
            if not numbers or not numbers["requests"]:
                cells += ["-", "-", "-"]
            else:
                cells += [
                    str(int(numbers["requests"])),
                    f"{numbers['median']:.0f}",
                    f"{numbers['p95']:.0f}",
                ]
        page_rows.append(cells)
    page_header = ["page", "n (no think)", "median", "p95", "n (think)", "median", "p95"]
    print(bench._table(page_header, page_rows, right_from=1, right_to=len(page_header)))

    ratio = busy.rps / bare.rps if bare.rps else 0.0
    errors = sum(r.failures for r in results)
    print(f"\nMixed throughput / bare view's: {busy.rps:.1f} / {bare.rps:.1f} req/s = {ratio:.3f}x")
    goals = [
        (f"errors: {errors} (goal {MAX_ERRORS})", errors <= MAX_ERRORS),
        (
            f"p95 with think time: {thinking.p95:.0f} ms (goal ≤ {MAX_P95_THINK_MS:.0f} ms)",
            thinking.p95 <= MAX_P95_THINK_MS,
        ),
        (
            f"mixed throughput: {ratio:.3f}x the bare view's (goal ≥ {MIN_THROUGHPUT_RATIO}x)",
            ratio >= MIN_THROUGHPUT_RATIO,
        ),
    ]
    print("Goals (scale.md, 5. Burst):")
    for text, met in goals:
        print(f"  {'ok    ' if met else 'MISSED'}  {text}")
    for result in results:
        for line in result.failure_lines:
            print(f"  failure in {result.name}: {line}")
    if dropped:
        print(
            f"\n{len(dropped)} planned URL(s) did not answer 200 before the run and were left out:"
        )
        for line in dropped:
            print(f"  - {line}")


if __name__ == "__main__":
    sys.exit(main())
