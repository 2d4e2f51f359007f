"""Time the SS 12000 sync of a generated municipality (decision 0021; issue 11's speed goals).

For each tier: the generator's municipality is served by the mock provider over HTTP on
127.0.0.1 (``elevstod.demo.ss12000_export``), synced into a fresh database (a full sync), then
1,000 changes are made at the provider (names, moves between units, new and ended duties, group
memberships, deletions) and synced as a delta; last a second full sync, which changes nothing.
Goals: a full sync of the large tier (110,000 pupils) ≤ 15 minutes, a 1,000-change delta ≤ 30 s.

    .venv/bin/python tools/bench_sync.py small medium large [--postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
GOALS = {"full": 15 * 60.0, "delta": 30.0}
CHANGES = 1000


def setup_django(tier: str, *, postgres: bool) -> str:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["ELEVSTOD_DEBUG"] = "false"
    if postgres:
        os.environ["ELEVSTOD_DB_ENGINE"] = "postgresql"
        os.environ["ELEVSTOD_DB_NAME"] = f"bench_sync_{tier}"
        description = f"PostgreSQL bench_sync_{tier}"
    else:
        path = REPO_ROOT / f"bench-sync-{tier}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["ELEVSTOD_DB_ENGINE"] = "sqlite"
        os.environ["ELEVSTOD_SQLITE_PATH"] = str(path)
        description = f"SQLite {path.name}"
    import django

    django.setup()
    return description


def fresh_database(postgres: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    if postgres:
        import psycopg
        from psycopg import sql

        name = str(connection.settings_dict["NAME"])
        connection.close()
        params = connection.get_connection_params()
        params["dbname"] = "postgres"
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    call_command("migrate", verbosity=0)


def make_changes(dataset: Any, at: dt.datetime, rng: random.Random) -> dict[str, int]:
    """About 1,000 changes of the kinds a school-administration system sends in a day."""
    persons = dataset.entities["persons"]
    pupils = sorted(pid for pid, row in persons.items() if row.get("enrolments"))
    units = sorted(
        oid
        for oid, row in dataset.entities["organisations"].items()
        if row["organisationType"] == "Skolenhet"
    )
    done = {"renamed": 0, "moved": 0, "duties": 0, "groups": 0, "deleted": 0}
    # The small tier has fewer pupils than a day's changes of a large one: a share of them.
    scale = min(1.0, len(pupils) / 2000)

    def sample(population: list[str], n: int) -> list[str]:
        return rng.sample(population, min(len(population), max(1, int(n * scale))))

    for pid in sample(pupils, 500):
        dataset.update("persons", pid, {"familyName": persons[pid]["familyName"] + "-Ek"}, at=at)
        done["renamed"] += 1
    for pid in sample(pupils, 200):
        enrolment = dict(persons[pid]["enrolments"][0])
        ended = dict(enrolment, endDate=(at.date() - dt.timedelta(days=1)).isoformat())
        moved = dict(
            enrolment,
            enroledAt={"id": rng.choice(units)},
            startDate=at.date().isoformat(),
        )
        moved.pop("endDate", None)
        dataset.update("persons", pid, {"enrolments": [ended, moved]}, at=at)
        done["moved"] += 1
    duties = sorted(dataset.entities["duties"])
    for did in sample(duties, 150):
        dataset.update("duties", did, {"endDate": at.date().isoformat()}, at=at)
        done["duties"] += 1
    groups = sorted(
        gid for gid, row in dataset.entities["groups"].items() if row.get("groupMemberships")
    )
    for gid in sample(groups, 100):
        members = list(dataset.entities["groups"][gid]["groupMemberships"])
        dataset.update("groups", gid, {"groupMemberships": members[1:]}, at=at)
        done["groups"] += 1
    for pid in sample(pupils, 50):
        if pid in persons:
            dataset.delete("persons", pid, at=at)
            done["deleted"] += 1
    return done


def bench_tier(tier: str, postgres: bool) -> list[tuple[str, str, float, str]]:
    from elevstod.demo.ss12000_export import dataset_for_tier
    from elevstod.ss12000.client import ClientConfig, SS12000Client
    from elevstod.ss12000.mock.server import MockProvider
    from elevstod.sync import services
    from elevstod.sync.models import SyncRun

    fresh_database(postgres)
    started = time.perf_counter()
    dataset = dataset_for_tier(tier)
    built = time.perf_counter() - started
    persons = len(dataset.entities["persons"])
    print(
        f"{tier}: the generator's municipality in SS 12000 shape, {persons} persons, {built:.1f} s"
    )
    mock = MockProvider(dataset, page_size=1000, keep_responses=False).start()
    rows: list[tuple[str, str, float, str]] = []
    try:
        config = ClientConfig(base_url=mock.url, page_size=1000, timeout_seconds=120)
        with SS12000Client(config) as client:
            for label, full, change in (
                ("full", True, False),
                ("delta", False, True),
                ("full again", True, False),
            ):
                if change:
                    moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
                    done = make_changes(dataset, moment, random.Random(1))
                    print(f"  changes at the provider: {done} (total {sum(done.values())})")
                SyncRun.objects.filter(status="running").update(status="failed")
                began = time.perf_counter()
                run = services.run_sync(full=full, client=client)
                seconds = time.perf_counter() - began
                touched = {
                    entity: {k: v for k, v in counts.items() if k != "unchanged"}
                    for entity, counts in run.counts.items()
                }
                summary = ", ".join(
                    f"{entity} {'/'.join(f'{k[0]}{v}' for k, v in sorted(c.items()))}"
                    for entity, c in touched.items()
                    if c
                )
                print(
                    f"  {label}: {run.status} in {seconds:.1f} s — {summary or 'nothing changed'}"
                )
                rows.append((tier, label, seconds, run.status))
    finally:
        mock.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tiers", nargs="+", choices=("small", "medium", "large"))
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # one tier in this process, its own fresh database
        print(setup_django(args.tiers[0], postgres=args.postgres))
        for tier, label, seconds, status in bench_tier(args.tiers[0], args.postgres):
            print(f"RESULT {tier} {label.replace(' ', '_')} {seconds:.1f} {status}")
        return 0
    results: list[str] = []
    for tier in args.tiers:
        command = [sys.executable, __file__, tier, "--one"] + (
            ["--postgres"] if args.postgres else []
        )
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own script
        for line in done.stdout.splitlines():
            (results.append(line) if line.startswith("RESULT ") else print(line))
        if done.returncode:
            print(done.stderr)
            return done.returncode
    print("\nSS 12000 sync timings (goal: large full <= 900 s, a delta of 1,000 changes <= 30 s)")
    print(f"{'tier':<8} {'run':<11} {'seconds':>9}  status")
    for line in results:
        _result, tier, label, seconds, status = line.split()
        print(f"{tier:<8} {label.replace('_', ' '):<11} {float(seconds):>9.1f}  {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
