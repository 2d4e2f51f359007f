"""The routine review reminders and the notice to the leaders of a new deviation report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.routines import services
from elevstod.routines.models import Routine, RoutineCategory
from elevstod.routines.tasks import notify_deviation_reported, send_routine_review_reminders
from tests.matrix_rows.routines import provider_routine, report, unit_routine
from tests.world import CANARIES, World


def _with_email(world: World) -> None:
    for user in User.objects.all():
        user.email = f"{user.username}@skola.example"
        user.save(update_fields=["email"])


def _run(day=None) -> int:  # type: ignore[no-untyped-def]
    day = day or timezone.localdate()
    return send_routine_review_reminders.enqueue(day.isoformat()).return_value


def test_owners_get_one_mail_with_their_routines_due_within_thirty_days(world: World) -> None:
    _with_email(world)
    unit_routine(world, owner="special_educator_a", title="Tidig upptäckt", review_in_days=10)
    unit_routine(world, owner="special_educator_a", title="EHT:s arbete", review_in_days=-3)
    unit_routine(world, owner="special_educator_a", title="Långt borta", review_in_days=90)
    unit_routine(world, owner="deputy_a", title="Utredning", review_in_days=30)
    assert _run() == 2
    by_owner = {message.to[0].split("@")[0]: message for message in mail.outbox}
    assert set(by_owner) == {"special_educator_a", "deputy_a"}
    mine = by_owner["special_educator_a"]
    assert "Tidig upptäckt (Björkskolan)" in mine.body
    assert "EHT:s arbete (Björkskolan): skulle ha granskats senast" in mine.body
    assert "Långt borta" not in mine.body
    assert mine.subject == "Elevstöd: 2 rutiner ska granskas (1 försenad)"
    assert reverse("routines:routine_list") in mine.body  # the routine links live under /rutiner/
    assert by_owner["deputy_a"].subject == "Elevstöd: 1 rutin ska granskas"


def test_each_routine_is_reminded_once_per_review_date(world: World) -> None:
    _with_email(world)
    routine = unit_routine(world, owner="deputy_a", review_in_days=7)
    assert _run() == 1
    assert _run() == 0
    assert _run(timezone.localdate() + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    routine.refresh_from_db()
    assert routine.reminded_for == routine.review_by
    assert routine.reminded_at is not None
    # A review sets a new date: that date gets its own reminder when it comes near.
    today = timezone.localdate()
    services.routine_mark_reviewed(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        routine=routine,
        reviewed_on=today,
        next_review_by=today + timedelta(days=20),
        owner=world.users["deputy_a"],  # type: ignore[arg-type]
    )
    assert _run() == 1
    assert len(mail.outbox) == 2


def test_a_failed_mail_is_tried_again_on_the_next_run(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _with_email(world)
    routine = unit_routine(world, owner="deputy_a", review_in_days=7)
    real_send = mail.EmailMessage.send

    def failing(self, fail_silently=False):  # type: ignore[no-untyped-def]
        raise ConnectionError("mail server down")

    monkeypatch.setattr(mail.EmailMessage, "send", failing)
    assert _run() == 0
    routine.refresh_from_db()
    assert routine.reminded_for is None
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    assert _run() == 1


def test_owners_without_an_address_get_nothing_and_stay_due(world: World) -> None:
    routine = unit_routine(world, owner="deputy_a", review_in_days=7)
    assert _run() == 0
    routine.refresh_from_db()
    assert routine.reminded_for is None


def test_huvudman_routines_are_reminded_to_their_owner(world: World) -> None:
    _with_email(world)
    routine = provider_routine(world)
    Routine.objects.filter(pk=routine.pk).update(review_by=timezone.localdate() + timedelta(days=3))
    assert _run() == 1
    assert mail.outbox[0].to == ["huvudman_admin@skola.example"]
    assert "Exempelstads kommun" in mail.outbox[0].body


# ----------------------------------------------------------------------------- deviations


def test_the_units_leaders_are_told_of_a_new_report_without_its_content(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _with_email(world)
    with django_capture_on_commit_callbacks(execute=True):
        created = report(
            world,
            reporter="mentor_a",
            pupil="x",
            description="Hemligt innehåll om samverkan",
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "deputy_a@skola.example",
        "principal_a@skola.example",
    ]
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Björkskolan" in text
        assert reverse("routines:deviation_detail", args=[created.pk]) in message.body
        assert "Hemligt innehåll" not in text
        assert CANARIES["x"] not in text
        assert "ElevX" not in text
        assert "mentor_a" not in message.body


@pytest.mark.parametrize("missing", [True, False])
def test_the_notice_is_quiet_when_nobody_can_receive_it(world: World, missing: bool) -> None:
    created = report(world, "b", "teacher_b")
    report_id = "00000000-0000-4000-8000-000000000000" if missing else str(created.pk)
    assert notify_deviation_reported.enqueue(report_id).return_value == 0
    assert mail.outbox == []


def test_the_category_of_a_reminded_routine_needs_no_personal_data(world: World) -> None:
    _with_email(world)
    unit_routine(
        world, owner="deputy_a", category=RoutineCategory.CHILD_PSYCHIATRY, review_in_days=1
    )
    _run()
    body = mail.outbox[0].body
    for canary in CANARIES.values():
        assert canary not in body
