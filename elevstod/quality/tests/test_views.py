"""The quality pages: what the principal and the huvudman see, and the analysis they write."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elevstod.audit.models import AccessEvent
from elevstod.organisation.models import AcademicYear
from elevstod.quality.models import ImprovementAction, QualityAnalysis, QualitySnapshot
from elevstod.support.models import Referral
from tests.matrix_rows.tasks import referral
from tests.world import CANARIES, World

pytestmark = pytest.mark.django_db


def _overdue(world: World, key: str, days: int = 20) -> Referral:
    """A report to the principal that nobody has acknowledged for `days` days."""
    case = referral(world, key)
    Referral.objects.filter(pk=case.pk).update(
        reported_on=timezone.localdate() - timedelta(days=days)
    )
    return case


def test_the_principal_sees_the_cases_outside_the_deadlines_by_name(world: World) -> None:
    _overdue(world, "x")
    response = world.client_for("principal_a").get(reverse("quality:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert CANARIES["x"] in body
    assert "Kvittera anmälan" in body
    # Reported 20 days ago; the default receipt deadline is 2 days: 18 days late.
    assert '<td class="overdue">18</td>' in body
    # The list of names is one LIST row in the access log (security.md P1).
    assert AccessEvent.objects.filter(
        actor_id=world.users["principal_a"].pk,
        record_type="quality_dashboard",
        action="list",
        school_unit_id=world.units["a"].pk,
    ).exists()


def test_a_protected_pupils_overdue_case_shows_without_the_name(world: World) -> None:
    """The rektor is not assigned to z (security.md P6): the case counts, the name does not."""
    _overdue(world, "z")
    body = world.client_for("principal_a").get(reverse("quality:dashboard")).content.decode()
    assert CANARIES["z"] not in body
    assert "Elev med skyddade personuppgifter" in body


def test_figures_are_computed_per_year_group_and_recomputed_when_old(world: World) -> None:
    client = world.client_for("principal_a")
    client.get(reverse("quality:dashboard"), {"arskurs": "7"})
    row = QualitySnapshot.objects.get(school_unit=world.units["a"], grade="7")
    assert row.as_of == timezone.localdate()
    QualitySnapshot.objects.filter(pk=row.pk).update(as_of=row.as_of - timedelta(days=1))
    client.get(reverse("quality:dashboard"), {"arskurs": "7"})
    row.refresh_from_db()
    assert row.as_of == timezone.localdate()


def test_an_unknown_period_or_unit_is_not_found(world: World) -> None:
    client = world.client_for("principal_a")
    assert client.get(reverse("quality:dashboard"), {"period": "1999/00"}).status_code == 404
    other = {"enhet": str(world.units["b"].pk)}
    assert client.get(reverse("quality:dashboard"), other).status_code == 404


def test_the_unit_report_is_a_logged_pdf(world: World) -> None:
    response = world.client_for("principal_a").get(reverse("quality:unit_report"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessEvent.objects.filter(record_type="quality_report", action="print").count() == 1


def test_the_huvudman_report_is_a_pdf(world: World) -> None:
    response = world.client_for("huvudman_admin").get(reverse("quality:provider_report"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def _analysis_url(world: World, name: str = "quality:analysis", **kwargs: object) -> str:
    """The analysis page of unit a, or one of its actions (each its own URL)."""
    return f"{reverse(name, kwargs=kwargs or None)}?enhet={world.units['a'].pk}"


def test_an_empty_analysis_is_refused_in_swedish(world: World) -> None:
    response = world.client_for("principal_a").post(
        _analysis_url(world), {"analysis": "", "version": "0"}
    )
    assert response.status_code == 400
    assert "Skriv analysen innan du sparar." in response.content.decode()
    assert not QualityAnalysis.objects.exists()


def test_the_analysis_is_saved_attributed_and_version_checked(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(
        _analysis_url(world),
        {"analysis": "Fler anmälningar i åk 8.", "version": "0"},
    )
    assert response.status_code == 302
    saved = QualityAnalysis.objects.get()
    assert saved.school_unit == world.units["a"]
    assert saved.updated_by == world.users["principal_a"]
    assert saved.version == 1
    # The deputy saves on top of version 1; the rektor's form still says version 1.
    world.client_for("deputy_a").post(
        _analysis_url(world),
        {"analysis": "Biträdande rektorns text", "version": "1"},
    )
    response = client.post(_analysis_url(world), {"analysis": "Min nya text", "version": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Min nya text" in body  # what the user typed is kept
    assert "Biträdande rektorns text" in body  # and the saved text is shown
    saved.refresh_from_db()
    assert saved.analysis == "Biträdande rektorns text"
    assert saved.version == 2
    assert AccessEvent.objects.filter(record_type="quality_analysis", action="update").exists()


def test_improvement_actions_become_next_years_goals_and_are_followed_up(world: World) -> None:
    this_year = AcademicYear.objects.get(
        starts_on__lte=timezone.localdate(), ends_on__gte=timezone.localdate()
    )
    last_year = AcademicYear.objects.create(
        name="prev",
        starts_on=this_year.starts_on - timedelta(days=365),
        ends_on=this_year.starts_on - timedelta(days=1),
    )
    earlier = QualityAnalysis.objects.create(
        school_unit=world.units["a"],
        school_year=last_year.name,
        analysis="Förra årets analys",
        updated_by=world.users["principal_a"],
    )
    goal = ImprovementAction.objects.create(
        analysis=earlier,
        text="Korta tiden till påbörjad utredning",
        created_by=world.users["principal_a"],
    )
    client = world.client_for("principal_a")
    page = client.get(_analysis_url(world)).content.decode()
    assert "Korta tiden till påbörjad utredning" in page
    follow_up_url = _analysis_url(world, "quality:analysis_goal_follow_up", goal_id=goal.pk)
    response = client.post(
        follow_up_url,
        {
            f"{goal.pk}-status": "",
            f"{goal.pk}-note": "X",
        },
    )
    assert response.status_code == 400
    assert "Välj om målet är uppnått." in response.content.decode()
    response = client.post(
        follow_up_url,
        {
            f"{goal.pk}-status": "partly",
            f"{goal.pk}-note": "Från 12 till 9 dagar",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.follow_up_status == "partly"
    assert goal.followed_up_by == world.users["principal_a"]
    # A new action this year: next year's goal.
    response = client.post(
        _analysis_url(world, "quality:analysis_action_add"),
        {"text": "Elevens syn i varje utredning", "responsible": "Rektor"},
    )
    assert response.status_code == 302
    action = ImprovementAction.objects.get(text="Elevens syn i varje utredning")
    assert action.analysis.school_year == this_year.name
    assert action.created_by == world.users["principal_a"]


def test_nobody_else_writes_a_units_analysis(world: World) -> None:
    for persona in (
        "principal_b",
        "mentor_a",
        "special_educator_a",
        "guardian_x",
        "huvudman_admin",
    ):
        response = world.client_for(persona).post(
            _analysis_url(world), {"analysis": "Intrång", "version": "0"}
        )
        assert response.status_code == 404, persona
    assert not QualityAnalysis.objects.exists()


def test_each_analysis_action_has_its_own_url_and_takes_only_a_post(world: World) -> None:
    client = world.client_for("principal_a")
    add = _analysis_url(world, "quality:analysis_action_add")
    follow_up = _analysis_url(world, "quality:analysis_goal_follow_up", goal_id=uuid.uuid4())
    assert client.get(add).status_code == 405
    assert client.get(follow_up).status_code == 405
    # A goal that is not last year's goal of this unit is not found.
    assert client.post(follow_up, {}).status_code == 404
    # The page's own form saves the analysis: a field naming another action changes nothing.
    response = client.post(_analysis_url(world), {"step": "action", "text": "Åtgärd"})
    assert response.status_code == 400
    assert not ImprovementAction.objects.exists()


def test_nobody_else_adds_or_follows_up_a_units_actions(world: World) -> None:
    earlier = QualityAnalysis.objects.create(
        school_unit=world.units["a"],
        school_year="prev",
        analysis="Förra årets analys",
        updated_by=world.users["principal_a"],
    )
    goal = ImprovementAction.objects.create(
        analysis=earlier, text="Mål", created_by=world.users["principal_a"]
    )
    add = _analysis_url(world, "quality:analysis_action_add")
    follow_up = _analysis_url(world, "quality:analysis_goal_follow_up", goal_id=goal.pk)
    for persona in ("principal_b", "mentor_a", "guardian_x", "huvudman_admin"):
        client = world.client_for(persona)
        assert client.post(add, {"text": "Intrång"}).status_code == 404, persona
        posted = {f"{goal.pk}-status": "partly", f"{goal.pk}-note": "Intrång"}
        assert client.post(follow_up, posted).status_code == 404, persona
    assert ImprovementAction.objects.get() == goal
    goal.refresh_from_db()
    assert goal.follow_up_status == ""


def test_the_huvudman_writes_its_own_analysis(world: World) -> None:
    provider_id = world.units["a"].provider_id
    url = f"{reverse('quality:analysis')}?huvudman={provider_id}"
    response = world.client_for("huvudman_admin").post(
        url, {"analysis": "Huvudmannens analys", "version": "0"}
    )
    assert response.status_code == 302
    assert QualityAnalysis.objects.get().provider_id == provider_id


def test_the_huvudmans_tables_follow_a_refresh_of_the_figures(world: World) -> None:
    """The published table and the page's tables are reused until the figures change."""
    client = world.client_for("huvudman_admin")
    url = reverse("quality:provider_dashboard")
    assert client.get(url).status_code == 200
    for unit, pupils in (("a", 4321), ("b", 1234)):
        row = QualitySnapshot.objects.get(school_unit=world.units[unit], grade="")
        summary = dict(row.summary)
        summary["pyramid"] = {**summary["pyramid"], "pupils": {"v": pupils, "p": pupils}}
        QualitySnapshot.objects.filter(pk=row.pk).update(
            summary=summary, computed_at=row.computed_at + timedelta(seconds=1)
        )
    body = client.get(url).content.decode()
    assert "4321" in body
    assert "5555" in body  # the huvudman's total
    api = client.get("/api/v1/quality/summary/").json()
    assert api["total"]["counts"]["pupils"]["value"] == 5555
