"""The daily reminder job (elevstod.support.tasks) and the worker command that runs it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from elevstod.accounts.models import User
from elevstod.quality.models import QualitySnapshot
from elevstod.support.models import ReminderRun
from elevstod.support.tasks import send_daily_reminders
from tests.matrix_rows.tasks import adaptation, programme_in_force, received, referral
from tests.world import CANARIES, World

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _with_email(world: World) -> None:
    for user in User.objects.all():
        user.email = f"{user.username}@skola.example"
        user.save(update_fields=["email"])


def _due_things(world: World) -> None:
    """principal_a: two referrals (one overdue-free receipt, one investigation to open);
    teacher_a: an overdue adaptation evaluation; mentor_a: a follow-up far away only."""
    today = timezone.localdate()
    referral(world, "x")
    received(world, "w")
    adaptation(world, "x", "teacher_a", evaluate_on=today - timedelta(days=2))
    programme_in_force(
        world,
        "m",
        follow_up="mentor_a",
        evaluation="special_educator_a",
        follow_up_on=today + timedelta(days=30),
        evaluation_on=today + timedelta(days=60),
    )


def _by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0].split("@")[0]: message for message in mail.outbox}


def test_one_mail_per_person_with_something_due_soon(world: World) -> None:
    _with_email(world)
    _due_things(world)
    today = timezone.localdate()
    result = send_daily_reminders.enqueue(today.isoformat())
    assert result.return_value == 2
    sent = _by_recipient()
    # mentor_a's follow-up is a month away; special_educator_a's investigation has 30 days.
    assert set(sent) == {"principal_a", "teacher_a"}
    teacher = sent["teacher_a"]
    assert "Utvärdera extra anpassning: 1 (1 försenad)" in teacher.body
    assert teacher.subject == "Elevstöd: 1 uppgift att göra (1 försenad)"
    principal = sent["principal_a"]
    assert "Kvittera anmälan: 1" in principal.body
    assert "Inled utredning" not in principal.body  # 7 days away: beyond the 3-day horizon
    assert principal.subject == "Elevstöd: 1 uppgift att göra"
    assert reverse("support:my_tasks") in principal.body
    assert principal.body.count("http") == 1
    run = ReminderRun.objects.get(day=today)
    assert run.emails_sent == 2
    assert run.finished_at is not None


def test_the_same_day_is_never_sent_twice(world: World) -> None:
    _with_email(world)
    _due_things(world)
    today = timezone.localdate()
    send_daily_reminders.enqueue(today.isoformat())
    assert len(mail.outbox) == 2
    again = send_daily_reminders.enqueue(today.isoformat())
    assert again.return_value == 0
    assert len(mail.outbox) == 2
    assert ReminderRun.objects.filter(day=today).count() == 1
    # The next day is a day of its own.
    tomorrow = today + timedelta(days=1)
    send_daily_reminders.enqueue(tomorrow.isoformat())
    assert len(mail.outbox) == 4


def test_the_mail_carries_no_personal_data_about_pupils(world: World) -> None:
    _with_email(world)
    _due_things(world)
    send_daily_reminders.enqueue(timezone.localdate().isoformat())
    assert mail.outbox
    pupils = world.pupils.values()
    forbidden = [
        *CANARIES.values(),
        *(p.first_name for p in pupils),
        *(p.identity_number for p in pupils),
        *(p.identity_number[2:8] for p in pupils),  # the birth date part
        *(str(p.pk) for p in pupils),
    ]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for value in forbidden:
            assert value not in text, value
        assert "inga elevnamn" in message.body


def test_staff_without_an_address_or_anything_due_get_nothing(world: World) -> None:
    _due_things(world)  # nobody has an e-mail address yet
    assert send_daily_reminders.enqueue(timezone.localdate().isoformat()).return_value == 0
    assert mail.outbox == []


def test_a_failing_recipient_does_not_stop_the_others(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_email(world)
    _due_things(world)
    real_send = mail.EmailMessage.send

    def send(self: mail.EmailMessage, fail_silently: bool = False) -> int:
        if self.to == ["teacher_a@skola.example"]:
            raise ConnectionError("mail server down")
        return real_send(self, fail_silently)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    assert send_daily_reminders.enqueue(timezone.localdate().isoformat()).return_value == 1
    assert set(_by_recipient()) == {"principal_a"}


def test_send_reminders_command_enqueues_a_day(world: World) -> None:
    _with_email(world)
    _due_things(world)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert len(mail.outbox) == 2
    assert timezone.localdate().isoformat() in out.getvalue()
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("send_reminders", "--day", "i morgon", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, ELEVSTOD_REMINDER_HOUR=0)
def test_the_worker_enqueues_the_day_and_runs_it_with_the_database_backend(world: World) -> None:
    _with_email(world)
    _due_things(world)
    out = StringIO()
    call_command("run_reminders_worker", "--once", stdout=out)
    today = timezone.localdate()
    assert f"Påminnelser för {today.isoformat()} köade." in out.getvalue()
    # The day's jobs: the reminders, the routines due for review, and the quality figures
    # the dashboards read.
    tasks = {task.task_path: task.status for task in DBTaskResult.objects.all()}
    assert tasks == {
        "elevstod.support.tasks.send_daily_reminders": "SUCCESSFUL",
        "elevstod.routines.tasks.send_routine_review_reminders": "SUCCESSFUL",
        "elevstod.quality.tasks.refresh_quality_figures": "SUCCESSFUL",
    }
    assert len(mail.outbox) == 2
    assert ReminderRun.objects.get(day=today).emails_sent == 2
    assert QualitySnapshot.objects.filter(as_of=today).exists()
    # A second round the same day enqueues nothing and sends nothing.
    call_command("run_reminders_worker", "--once", stdout=StringIO())
    assert DBTaskResult.objects.count() == 3
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_waits_for_the_reminder_hour(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_email(world)
    _due_things(world)
    early = timezone.localtime().replace(hour=5, minute=59)
    monkeypatch.setattr(
        "elevstod.support.management.commands.run_reminders_worker.local_now",
        lambda: early,
    )
    with override_settings(ELEVSTOD_REMINDER_HOUR=6):
        call_command("run_reminders_worker", "--once", stdout=StringIO())
    assert DBTaskResult.objects.count() == 0
    assert mail.outbox == []
    later = early.replace(hour=6, minute=0)
    monkeypatch.setattr(
        "elevstod.support.management.commands.run_reminders_worker.local_now",
        lambda: later,
    )
    with override_settings(ELEVSTOD_REMINDER_HOUR=6):
        call_command("run_reminders_worker", "--once", stdout=StringIO())
    assert (
        DBTaskResult.objects.get(task_path="elevstod.support.tasks.send_daily_reminders").status
        == "SUCCESSFUL"
    )
    assert len(mail.outbox) == 2
