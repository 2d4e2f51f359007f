"""manage.py sync_ss12000 [--full]: read the municipality's SS 12000 provider (decision 0021)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elevstod.sync import services
from elevstod.sync.mapping import refusal_label
from elevstod.sync.models import SyncStatus, SyncTrigger


class Command(BaseCommand):
    help = (
        "Hämtar personer, organisation, grupper och tjänstgöringar från kommunens "
        "SS 12000-leverantör: ändringar sedan förra körningen, eller allt med --full."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Läs allt och avsluta det som leverantören inte längre har med.",
        )

    def handle(self, *args: Any, full: bool = False, **options: Any) -> None:
        try:
            run = services.run_sync(full=full, trigger=SyncTrigger.COMMAND)
        except services.SyncNotConfiguredError as error:
            raise CommandError("ELEVSTOD_SS12000_URL är inte satt.") from error
        except services.SyncAlreadyRunningError as error:
            raise CommandError("En synkronisering pågår redan.") from error
        seconds = run.duration_seconds or 0.0
        self.stdout.write(
            f"{run.get_kind_display()}: {run.get_status_display()} på {seconds:.1f} s"
        )
        for entity, counts in run.counts.items():
            line = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
            self.stdout.write(f"  {entity}: {line}")
        for row in run.refusals:
            self.stdout.write(
                f"  avvisat ({row['entity']}): {refusal_label(row['reason'])} × {row['count']}"
            )
        if run.status == SyncStatus.FAILED:
            raise CommandError(f"Synkroniseringen misslyckades ({run.error_code}).")
