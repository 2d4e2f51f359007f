"""`manage.py demo_logins`: the demo users, their password and what each one is."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from elevstod.accounts.models import User
from elevstod.demo.generator import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Visar demoinloggningarna (bara i demoläge)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ELEVSTOD_DEMO_MODE:
            self.stdout.write(
                "Demoläget är avstängt (ELEVSTOD_DEMO_MODE=False): här finns inga demoanvändare."
            )
            return
        existing = set(
            User.objects.filter(username__in=[demo.username for demo in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        if not existing:
            self.stdout.write(
                "Inga demoanvändare finns ännu. Skapa dem med: "
                "python manage.py generate_municipality --tier small"
            )
            return
        width = max(len(demo.username) for demo in DEMO_USERS) + 2
        self.stdout.write(f"Demoinloggningar – lösenord för alla: {DEMO_PASSWORD}")
        self.stdout.write("")
        self.stdout.write(f"{'Användarnamn'.ljust(width)}  {'Namn'.ljust(18)}  Vem")
        self.stdout.write(f"{'-' * width}  {'-' * 18}  {'-' * 40}")
        for demo in DEMO_USERS:
            name = f"{demo.first_name} {demo.last_name}"
            missing = "" if demo.username in existing else " (saknas i databasen)"
            self.stdout.write(
                f"{demo.username.ljust(width)}  {name.ljust(18)}  {demo.description}{missing}"
            )
