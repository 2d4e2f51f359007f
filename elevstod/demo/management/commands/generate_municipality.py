"""`manage.py generate_municipality --tier small|medium|large [--seed N] [--today YYYY-MM-DD]
[--no-access-log] [--if-empty]`."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elevstod.demo.generator import TIERS, generate, generator_allowed
from elevstod.organisation.models import EducationProvider


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ogiltigt datum {value!r}; skriv ÅÅÅÅ-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Skapar en påhittad kommun med skolenheter, personal, elever och vårdnadshavare "
        "(demo och prestandamätning). Körs bara i demoläge."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tier", choices=sorted(TIERS), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Dagen som datan beskriver (ÅÅÅÅ-MM-DD); standard är dagens datum. Samma nivå, "
            "frö och dag ger samma data.",
        )
        parser.add_argument(
            "--no-access-log",
            action="store_true",
            help="Hoppa över åtkomstloggen och loggkontrollerna (snabbare körning).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Gör ingenting om det redan finns en huvudman i databasen.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The guard comes first, so --if-empty never hides that this database is off limits.
        if generator_allowed() and options["if_empty"] and EducationProvider.objects.exists():
            self.stdout.write("Databasen innehåller redan en organisation; ingenting skapades.")
            return
        generate(
            tier=options["tier"],
            seed=options["seed"],
            stdout=self.stdout,
            today=options["today"],
            access_log=not options["no_access_log"],
        )
