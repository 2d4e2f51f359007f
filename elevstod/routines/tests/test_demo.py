"""The demo content on a small generated municipality: fast, deterministic, valid, and something
to see for "rektor", "specialpedagog" and "huvudman"."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.accounts.models import User
from elevstod.audit.models import AccessEvent
from elevstod.organisation.models import SchoolUnit, UnitDuty
from elevstod.routines import demo, rules
from elevstod.routines.models import (
    DeviationReport,
    DeviationStatus,
    Routine,
    RoutineCategory,
    RoutineVersion,
)
from elevstod.routines.services import DEVIATION_RECORD
from elevstod.routines.tasks import send_routine_review_reminders
from tests.scoped_data import demo_municipality_for_scope


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Generated once for the module (tests/scoped_data.py); a test's own writes are undone."""
    with demo_municipality_for_scope(django_db_blocker, today=timezone.localdate()) as result:
        # The generator writes the routines demo itself; these tests run it again on a clean
        # slate, to see what it writes and that it writes the same every time.
        assert Routine.objects.exists()
        DeviationReport.objects.all().delete()
        Routine.objects.all().delete()
        yield result


@pytest.fixture
def municipality(_generated, db, settings):  # type: ignore[no-untyped-def]
    settings.ELEVSTOD_DEMO_MODE = True
    return _generated


def _client(username: str) -> Client:
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class _RollbackError(Exception):
    pass


def test_it_is_fast_deterministic_and_covers_every_unit(municipality) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    try:
        with transaction.atomic():
            first = demo.generate(today=today, seed=7)
            first_ids = sorted(str(pk) for pk in Routine.objects.values_list("pk", flat=True))
            raise _RollbackError
    except _RollbackError:
        pass
    assert not Routine.objects.exists()
    started = time.perf_counter()
    counts = demo.generate(today=today, seed=7)
    seconds = time.perf_counter() - started
    assert counts == first
    assert sorted(str(pk) for pk in Routine.objects.values_list("pk", flat=True)) == first_ids
    assert seconds < 5
    assert counts["Routine"] == Routine.objects.count() > 0
    assert counts["RoutineVersion"] == RoutineVersion.objects.count() > counts["Routine"]
    assert counts["DeviationReport"] == DeviationReport.objects.count() > 0
    # Every unit with staff has routines of its own or its huvudman's.
    staffed = set(UnitDuty.objects.values_list("school_unit_id", flat=True))
    own = set(Routine.objects.values_list("school_unit_id", flat=True))
    assert staffed <= own
    # Every routine points at its highest version, and its text is dated before today.
    for routine in Routine.objects.select_related("current_version").annotate(n=Count("versions")):
        assert routine.current_version is not None
        assert routine.current_version.number == routine.n
        assert routine.current_version.approved_on < today
        assert routine.review_by > routine.reviewed_on
    # Reports name a pupil only with a reason, and each such report left its log row.
    named = DeviationReport.objects.filter(pupil__isnull=False)
    assert all(report.pupil_reason for report in named)
    logged = AccessEvent.objects.filter(record_type=DEVIATION_RECORD)
    assert logged.count() == named.count() == counts["AccessEvent"]
    assert set(DeviationReport.objects.values_list("status", flat=True)) == set(
        DeviationStatus.values
    )
    assert not DeviationReport.objects.filter(occurred_on__gt=today).exists()


def test_the_demo_users_see_meaningful_content(municipality) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    demo.generate(today=today, seed=1)
    unit_a = SchoolUnit.objects.get(pk=municipality["unit_a_id"])
    at_a = Routine.objects.filter(school_unit=unit_a)
    categories = set(at_a.values_list("category", flat=True))
    assert RoutineCategory.HABILITATION not in categories  # shown as missing
    states = [rules.review_state(r.review_by, today) for r in at_a]
    assert rules.ReviewState.OVERDUE in states
    assert rules.ReviewState.DUE_SOON in states

    rektor = _client("rektor")
    html = rektor.get(reverse("routines:routine_list")).content.decode()
    assert "Utredning av behov av särskilt stöd" in html
    assert "Avvikelserapportering enligt BUS-överenskommelsen" in html  # the huvudman's
    assert "badge-overdue" in html
    missing = html[html.index('id="missing-heading"') :]
    assert "Extern samverkan med habilitering" in missing
    deviations = rektor.get(reverse("routines:deviation_list")).content.decode()
    assert "Rapporter att handlägga" in deviations
    assert "väntar på handläggning" in deviations

    specialpedagog = User.objects.get(username="specialpedagog")
    own = list(DeviationReport.objects.filter(created_by=specialpedagog))
    assert len(own) >= 3
    assert any(report.concerns_pupil for report in own)
    mine = _client("specialpedagog").get(reverse("routines:deviation_list")).content.decode()
    for report in own:
        assert reverse("routines:deviation_detail", args=[report.pk]) in mine
    assert Routine.objects.filter(owner=specialpedagog).exists()

    overview = _client("huvudman").get(reverse("routines:deviation_overview"))
    assert overview.status_code == 200
    assert "Per kvartal" in overview.content.decode()
    assert "Björkskolan" in overview.content.decode()


def test_the_demo_gives_the_specialpedagog_a_reminder(municipality) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    demo.generate(today=today, seed=1)
    send_routine_review_reminders.enqueue(today.isoformat())
    recipients = {message.to[0].split("@")[0] for message in mail.outbox}
    assert {"specialpedagog", "rektor", "huvudman"} <= recipients
