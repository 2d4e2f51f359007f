"""The special-education demo content on a small generated municipality: every state present,
the demo users see meaningful content, the same data for the same seed, nothing after today."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Q
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.access.context import load_user_context
from elevstod.accounts.models import User
from elevstod.organisation.models import SchoolUnit, UnitDuty
from elevstod.specialed import demo
from elevstod.specialed import selectors as sel
from elevstod.specialed.models import (
    CompetencePlan,
    Goal,
    Intervention,
    Period,
    PlanFollowUp,
    PlannedActivity,
    Report,
    ReportGoal,
    ReportState,
)
from tests.scoped_data import demo_municipality_for_scope

# As in elevstod/demo/tests: a pinned day, so the tests pass on any real date.
TODAY = date(2026, 11, 16)


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Generated once for the module (tests/scoped_data.py); a test's own writes are undone."""
    # The generator writes the special-education demo itself (elevstod.demo.generator).
    with demo_municipality_for_scope(django_db_blocker, today=TODAY) as generated:
        yield generated


@pytest.fixture
def municipality(_generated, db, settings):  # type: ignore[no-untyped-def]
    settings.ELEVSTOD_DEMO_MODE = True
    return _generated, _generated["counts"]


def test_every_unit_gets_periods_goals_interventions_reports_and_plans(municipality) -> None:  # type: ignore[no-untyped-def]
    _generated, counts = municipality
    assert counts["Intervention"] == Intervention.objects.count() > 0
    for model in (Period, Goal, Report, ReportGoal, CompetencePlan, PlannedActivity):
        assert counts[model.__name__] == model.objects.count() > 0, model
    assert counts["PlanFollowUp"] == PlanFollowUp.objects.count()
    for unit in SchoolUnit.objects.all():
        assert Period.objects.filter(school_unit=unit).count() == 2
        assert Intervention.objects.filter(school_unit=unit).exists()
        levels = set(Intervention.objects.filter(school_unit=unit).values_list("level", flat=True))
        assert levels == {"organisation", "group", "individual"}
    assert set(Report.objects.values_list("state", flat=True)) == {s.value for s in ReportState}


def test_the_demo_users_see_work_in_every_state(municipality) -> None:  # type: ignore[no-untyped-def]
    generated, _counts = municipality
    unit_a = generated["unit_a_id"]
    rektor = load_user_context(User.objects.get(username="rektor"), today=TODAY)
    educator = load_user_context(User.objects.get(username="specialpedagog"), today=TODAY)
    assert unit_a in rektor.leader_units
    assert unit_a in educator.support_units

    (rektor_row,) = [row for row in sel.overview(rektor, TODAY) if row.unit.pk == unit_a]
    assert rektor_row.periods
    assert rektor_row.periods[0].goals.all()
    assert len(rektor_row.awaiting_review) >= 1  # a colleague's report waits for the rektor
    assert rektor_row.recent
    assert rektor_row.plans

    (own_row,) = [row for row in sel.overview(educator, TODAY) if row.unit.pk == unit_a]
    states = {report.state for report in own_row.my_reports}
    assert states == {ReportState.DRAFT, ReportState.REVIEWED}
    reviewed = next(r for r in own_row.my_reports if r.state == ReportState.REVIEWED)
    # The rektor can turn its proposals into the running term's goals (seed 001 § 9).
    assert reviewed.improvements
    assert reviewed.proposals_adopted_at is None
    assert sel.later_periods(reviewed.period).exists()
    assert own_row.plans
    assert own_row.plans[0].special_educator_id == educator.user_id


def test_the_second_principal_always_has_a_report_to_review(municipality) -> None:  # type: ignore[no-untyped-def]
    """Whatever the seed draws for rektor2's unit, one report of the running term waits for
    rektor2 (the browser crawl audits the review page for every principal)."""
    rektor2 = load_user_context(User.objects.get(username="rektor2"), today=TODAY)
    rows = [row for row in sel.overview(rektor2, TODAY) if row.unit.pk in rektor2.leader_units]
    assert rows
    assert any(row.awaiting_review for row in rows)


def test_the_demo_pages_open_for_the_demo_users(municipality, client) -> None:  # type: ignore[no-untyped-def]
    generated, _counts = municipality
    unit_a = generated["unit_a_id"]
    for username in ("rektor", "specialpedagog"):
        client.force_login(User.objects.get(username=username))
        session = client.session
        device = TOTPDevice.objects.create(
            user=User.objects.get(username=username), name="app", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        for url in (
            reverse("specialed:index"),
            reverse("specialed:intervention_list", args=[unit_a]),
            reverse("specialed:period_list", args=[unit_a]),
            reverse("specialed:report_list", args=[unit_a]),
            reverse("specialed:plan_list", args=[unit_a]),
        ):
            assert client.get(url).status_code == 200, (username, url)


def test_interventions_are_consistent_and_never_after_today(municipality) -> None:  # type: ignore[no-untyped-def]
    assert not Intervention.objects.filter(performed_on__gt=TODAY).exists()
    assert not Intervention.objects.filter(~Q(level="individual"), pupil__isnull=False).exists()
    assert not Intervention.objects.filter(~Q(level="group"), group__isnull=False).exists()
    assert not Intervention.objects.filter(level="individual", pupil__isnull=True).exists()
    # Entries are by people who are special educators at the unit.
    educators = set(
        UnitDuty.objects.filter(duty__in=["special_educator", "special_teacher"]).values_list(
            "school_unit_id", "user_id"
        )
    )
    written = set(Intervention.objects.values_list("school_unit_id", "created_by_id").distinct())
    assert written <= educators
    # A linked goal belongs to a period of the same unit that contains the date.
    for entry in Intervention.objects.filter(goal__isnull=False).select_related("goal__period"):
        period = entry.goal.period
        assert period.school_unit_id == entry.school_unit_id
        assert period.starts_on <= entry.performed_on <= period.ends_on
    # Frozen figures of handed-in reports count that author's entries in the period.
    for report in Report.objects.exclude(state=ReportState.DRAFT).select_related("period"):
        live = sel.report_figures(Report(period=report.period, author_id=report.author_id))
        assert report.figures["count"] == live.total.count
        assert report.figures["minutes"] == live.total.minutes


def _clear() -> None:
    Intervention.objects.all().delete()
    ReportGoal.objects.all().delete()
    Report.objects.all().delete()
    Goal.objects.all().delete()
    Period.objects.all().delete()
    PlanFollowUp.objects.all().delete()
    PlannedActivity.objects.all().delete()
    CompetencePlan.objects.all().delete()


def test_same_seed_same_content(municipality) -> None:  # type: ignore[no-untyped-def]
    _clear()  # the generator wrote seed 1's content; this test compares two runs of seed 3
    first = demo.generate(today=TODAY, seed=3)
    rows = list(
        Intervention.objects.order_by("id").values_list(
            "id", "performed_on", "level", "kind", "minutes", "pupil_id"
        )
    )
    _clear()
    again = demo.generate(today=TODAY, seed=3)
    assert first == again
    assert rows == list(
        Intervention.objects.order_by("id").values_list(
            "id", "performed_on", "level", "kind", "minutes", "pupil_id"
        )
    )
