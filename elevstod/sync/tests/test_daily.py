"""The worker's daily delta through the Tasks API, and the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from elevstod.ss12000.mock.server import MockProvider
from elevstod.sync.models import SyncRun, SyncStatus, SyncTrigger

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, ELEVSTOD_REMINDER_HOUR=0)
def test_the_worker_runs_one_sync_a_day_where_a_provider_is_connected(
    provider: MockProvider,
) -> None:
    with override_settings(ELEVSTOD_SS12000_URL=provider.url):
        call_command("run_reminders_worker", "--once", stdout=StringIO())
        call_command("run_reminders_worker", "--once", stdout=StringIO())

    run = SyncRun.objects.get()
    assert (run.trigger, run.status) == (SyncTrigger.SCHEDULE, SyncStatus.SUCCEEDED)
    task = DBTaskResult.objects.get(task_path="elevstod.sync.tasks.sync_ss12000")
    assert task.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, ELEVSTOD_REMINDER_HOUR=0, ELEVSTOD_SS12000_URL="")
def test_without_a_provider_the_worker_enqueues_no_sync() -> None:
    call_command("run_reminders_worker", "--once", stdout=StringIO())
    assert not DBTaskResult.objects.filter(task_path="elevstod.sync.tasks.sync_ss12000").exists()


@pytest.mark.django_db
def test_the_command_prints_the_counts_and_refuses_without_a_provider(
    provider: MockProvider,
) -> None:
    out = StringIO()
    with override_settings(ELEVSTOD_SS12000_URL=provider.url):
        call_command("sync_ss12000", "--full", stdout=out)
    assert "Fullständig: Klar" in out.getvalue()
    assert "pupil: created 4" in out.getvalue()
    with override_settings(ELEVSTOD_SS12000_URL=""), pytest.raises(CommandError):
        call_command("sync_ss12000", stdout=StringIO())
