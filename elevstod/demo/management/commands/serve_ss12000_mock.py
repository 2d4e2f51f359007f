"""`manage.py serve_ss12000_mock --tier small|medium|large [--seed N] [--today YYYY-MM-DD]
[--port 8012]`: the generated municipality from a mock SS 12000 provider, until Ctrl+C.

The plan is built in memory (elevstod.demo.generator.build_plan writes nothing), converted by
elevstod.demo.ss12000_export and served by elevstod.ss12000.mock (decision 0018). The same tier,
seed and day give the same ids as `generate_municipality`, so a sync against this provider finds
the rows the generator wrote.
"""

import argparse
import contextlib
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from elevstod.demo.generator import TIERS
from elevstod.demo.ss12000_export import dataset_for_tier
from elevstod.ss12000.mock.server import MockProvider


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ogiltigt datum {value!r}; skriv ÅÅÅÅ-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Startar en låtsasleverantör av SS 12000 med den påhittade kommunen (ingenting skrivs "
        "till databasen). Stoppas med Ctrl+C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tier", choices=sorted(TIERS), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Dagen som datan beskriver (ÅÅÅÅ-MM-DD); standard är dagens datum.",
        )
        parser.add_argument(
            "--demo-users",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Döp om några personer till demoanvändarna (standard: i demoläge).",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8012)
        parser.add_argument("--base-path", default="/v2.0")
        parser.add_argument("--token", default="", help="Bearer-token som krävs (standard: ingen).")
        parser.add_argument(
            "--page-size", type=int, default=1000, help="Högst så många rader per sida."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo_users = options["demo_users"]
        if demo_users is None:
            demo_users = bool(settings.ELEVSTOD_DEMO_MODE)
        started = time.perf_counter()
        dataset = dataset_for_tier(
            options["tier"], options["seed"], options["today"], demo_users=demo_users
        )
        counts = ", ".join(
            f"{endpoint} {len(rows)}" for endpoint, rows in dataset.entities.items() if rows
        )
        self.stdout.write(
            f"Nivå {options['tier']}, frö {options['seed']}: {counts} "
            f"({time.perf_counter() - started:.1f} s)."
        )
        provider = MockProvider(
            dataset,
            host=options["host"],
            port=options["port"],
            base_path=options["base_path"],
            token=options["token"],
            page_size=options["page_size"],
            verbose=options["verbosity"] > 1,
            keep_responses=False,
        )
        self.stdout.write(
            f"SS 12000-låtsasleverantör på http://{options['host']}:{options['port']}"
            f"{options['base_path']} (Ctrl+C stoppar den)"
        )
        self.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            provider.serve_forever()
