"""The daily reminder job's bookkeeping (elevstod.support.tasks).

One ReminderRun per day makes the job idempotent: a second run for the same day, from a retry, a
second worker or a manual `send_reminders`, finds the row and sends nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from elevstod.support.models import ReminderRun


def reminder_run_start(*, day: date) -> ReminderRun | None:
    """Claim `day` for the reminder job; None if it is already claimed (never send twice)."""
    try:
        with transaction.atomic():
            return ReminderRun.objects.create(day=day, started_at=timezone.now())
    except IntegrityError:
        return None


def reminder_run_finish(*, run: ReminderRun, emails_sent: int) -> None:
    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), emails_sent=emails_sent
    )
