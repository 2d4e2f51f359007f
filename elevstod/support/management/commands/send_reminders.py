"""Enqueue the daily reminder e-mail for a day (default: today). The worker sends it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from elevstod.support.tasks import send_daily_reminders


class Command(BaseCommand):
    help = (
        "Ställer dagens påminnelser (eller en annan dags) i kön. Varje dag skickas bara en "
        "gång, hur många gånger kommandot än körs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="Dagen som YYYY-MM-DD (standard: i dag)")

    def handle(self, *args: Any, day: str | None = None, **options: Any) -> None:
        try:
            on = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--day ska vara ett datum som YYYY-MM-DD") from exc
        result = send_daily_reminders.enqueue(on.isoformat())
        self.stdout.write(f"Påminnelser för {on.isoformat()} köade (uppgift {result.id}).")
