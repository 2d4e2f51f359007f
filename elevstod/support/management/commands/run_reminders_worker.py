"""The background worker: enqueues the day's reminders after the set hour and runs the queue.

It reuses django_tasks_db's own Worker (the engine of `manage.py db_worker`) in batch mode:
each round runs every task that is ready, then the command sleeps and looks again. A day is
enqueued at most once per process, and `send_daily_reminders` itself refuses a day that has
a ReminderRun, so several workers or a retry never send twice.

    manage.py run_reminders_worker           # keep running (make worker)
    manage.py run_reminders_worker --once    # one round, then exit (cron, tests)
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from elevstod.quality.services import refreshed_on
from elevstod.quality.tasks import refresh_quality_figures
from elevstod.routines.tasks import send_routine_review_reminders
from elevstod.support.due import reminder_sent_for
from elevstod.support.tasks import send_daily_reminders
from elevstod.sync.services import is_configured as sync_configured
from elevstod.sync.services import synced_on
from elevstod.sync.tasks import sync_ss12000


def local_now() -> datetime:
    """The local time the reminder hour is compared with (a seam for tests)."""
    return timezone.localtime()


class Command(BaseCommand):
    help = (
        "Kör bakgrundsjobben: ställer dagens påminnelser i kön efter ELEVSTOD_REMINDER_HOUR "
        "och kör det som står i kön."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Kör en omgång och avsluta (för cron och test)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="Sekunder mellan omgångarna (standard: 60).",
        )

    def handle(
        self, *args: Any, once: bool = False, interval: float = 60.0, **options: Any
    ) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        # With the immediate backend (the test settings) an enqueued task has already run.
        worker = (
            Worker(
                queue_names=["*"],
                interval=1,
                batch=True,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=False,
                max_tasks=None,
                worker_id=get_random_string(32),
                excluded_queue_names=[],
            )
            if isinstance(backend, DatabaseBackend)
            else None
        )
        if worker is not None and not once:
            # Ctrl+C or SIGTERM: finish the running task, then stop (django_tasks_db's handling).
            worker.configure_signals()
        enqueued_for: date | None = None
        while True:
            enqueued_for = self._enqueue_if_due(enqueued_for)
            if worker is not None:
                worker.run()
            if once or (worker is not None and not worker.running):
                return
            time.sleep(interval)

    def _enqueue_if_due(self, enqueued_for: date | None) -> date | None:
        """Enqueue today's reminders once the hour has come, unless already sent or queued."""
        now = local_now()
        today = now.date()
        if now.hour < settings.ELEVSTOD_REMINDER_HOUR or enqueued_for == today:
            return enqueued_for
        if not reminder_sent_for(today):
            send_daily_reminders.enqueue(today.isoformat())
            # Routines due for review go out with the day's reminders; the task itself sends at
            # most one e-mail per routine and review date (elevstod.routines.tasks).
            send_routine_review_reminders.enqueue(today.isoformat())
            if self.verbosity >= 1:
                self.stdout.write(f"Påminnelser för {today.isoformat()} köade.")
        # The quality dashboards read figures computed once a day (elevstod.quality.tasks).
        if not refreshed_on(today):
            refresh_quality_figures.enqueue(today.isoformat())
        # The daily delta from the school-administration system (decision 0021), before the
        # day's work: people who moved or left are where SS 12000 says.
        if sync_configured() and not synced_on(today):
            sync_ss12000.enqueue()
        return today
