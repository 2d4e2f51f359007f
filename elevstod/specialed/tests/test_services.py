"""The services: state changes, who may do what, attribution and the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.specialed import rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.models import (
    CompetencePlanVersion,
    Goal,
    Intervention,
    ReportState,
)
from tests.matrix_rows.specialed import goal, intervention, period, plan, report
from tests.world import World

# ----------------------------------------------------------------------------- interventions


def test_an_intervention_about_a_pupil_is_logged_with_the_pupil_and_unit(world: World) -> None:
    entry = intervention(world, pupil="x")
    event = AccessEvent.objects.get(record_id=str(entry.pk))
    assert event.action == AccessAction.CREATE
    assert event.pupil_id == world.pupils["x"].pk
    assert event.school_unit_id == world.units["a"].pk
    assert event.actor_id == world.users["special_educator_a"].pk
    assert entry.created_by == world.users["special_educator_a"]
    assert entry.updated_by is None


@pytest.mark.parametrize(
    ("level", "field", "message"),
    [
        ("organisation", "pupil", "individnivå"),
        ("group", "pupil", "individnivå"),
        ("individual", "group", "gruppnivå"),
        ("organisation", "group", "gruppnivå"),
    ],
)
def test_pupil_only_at_individual_level_and_group_only_at_group_level(
    world: World, level: str, field: str, message: str
) -> None:
    values = {
        "performed_on": timezone.localdate(),
        "level": level,
        "kind": "mapping",
        "group": None,
        "pupil": None,
        "minutes": 30,
        "description": "Test",
        "hinders": "",
        "supports": "",
        "goal": None,
    }
    values[field] = (
        world.pupils["x"] if field == "pupil" else world.units["a"].groups.get(name="7A")  # type: ignore[attr-defined]
    )
    with pytest.raises(rules.RuleError, match=message):
        services.intervention_create(
            actor=world.users["special_educator_a"],  # type: ignore[arg-type]
            school_unit_id=world.units["a"].pk,
            values=values,
        )
    assert not Intervention.objects.exists()


def test_the_database_refuses_a_pupil_on_an_organisation_level_entry(world: World) -> None:
    entry = intervention(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Intervention.objects.filter(pk=entry.pk).update(pupil=world.pupils["x"])


def test_a_goal_must_belong_to_the_period_of_the_date(world: World) -> None:
    today = timezone.localdate()
    old = period(world, starts_on=today - timedelta(days=300), ends_on=today - timedelta(days=200))
    old_goal = goal(world, old)
    with pytest.raises(rules.RuleError, match=old.name):
        services.intervention_create(
            actor=world.users["special_educator_a"],  # type: ignore[arg-type]
            school_unit_id=world.units["a"].pk,
            values={
                "performed_on": today,
                "level": "organisation",
                "kind": "staff_guidance",
                "minutes": 60,
                "description": "Handledning",
                "hinders": "",
                "supports": "",
                "goal": old_goal,
            },
        )


def test_only_the_author_edits_an_entry_and_the_change_is_attributed(world: World) -> None:
    entry = intervention(world, pupil="x")
    values = {name: getattr(entry, name) for name in services.INTERVENTION_FIELDS}
    values["description"] = "Rättad beskrivning"
    with pytest.raises(rules.RuleError, match="själv"):
        services.intervention_update(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            intervention=entry,
            values=values,
        )
    entry.refresh_from_db()
    assert entry.description != "Rättad beskrivning"
    updated = services.intervention_update(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        intervention=entry,
        values=values,
    )
    assert updated.description == "Rättad beskrivning"
    assert updated.updated_by == world.users["special_educator_a"]
    assert AccessEvent.objects.filter(
        record_id=str(entry.pk), action=AccessAction.UPDATE, pupil_id=world.pupils["x"].pk
    ).exists()


def test_moving_an_entry_to_another_pupil_logs_both_pupils(world: World) -> None:
    entry = intervention(world, pupil="x")
    values = {name: getattr(entry, name) for name in services.INTERVENTION_FIELDS}
    values["pupil"] = world.pupils["w"]
    services.intervention_update(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        intervention=entry,
        values=values,
    )
    logged = set(
        AccessEvent.objects.filter(record_id=str(entry.pk), action=AccessAction.UPDATE).values_list(
            "pupil_id", flat=True
        )
    )
    assert logged == {world.pupils["x"].pk, world.pupils["w"].pk}


def test_figures_count_per_level_and_kind_with_every_level_present(world: World) -> None:
    intervention(world, pupil="x", minutes=30, kind="teaching")
    intervention(world, pupil="w", minutes=60, kind="teaching")
    intervention(world, level="group", minutes=90, kind="staff_guidance")
    figures = sel.figures_of(Intervention.objects.all())
    assert figures.total.count == 3
    assert figures.total.minutes == 180
    assert figures.levels["individual"].count == 2
    assert figures.levels["group"].minutes == 90
    assert figures.levels["organisation"].count == 0
    assert figures.kinds["teaching"].count == 2
    assert figures.kinds["other"].count == 0
    assert sel.Figures.from_json(figures.as_json()).as_json() == figures.as_json()


# ----------------------------------------------------------------------------- periods and goals


def test_period_names_are_unique_per_unit(world: World) -> None:
    period(world, name="HT 2026")
    with pytest.raises(rules.RuleError, match="redan"):
        period(world, name="HT 2026")
    period(world, name="HT 2026", unit="b")  # another unit may use the same name


def test_goals_are_numbered_and_attributed(world: World) -> None:
    running = period(world)
    first = goal(world, running, "Första")
    second = goal(world, running, "Andra")
    assert (first.position, second.position) == (1, 2)
    services.goal_update(
        actor=world.users["deputy_a"],  # type: ignore[arg-type]
        goal=first,
        values={"text": "Första, ändrat", "indicator": "Mäts", "special_educator": None},
    )
    first.refresh_from_db()
    assert first.updated_by == world.users["deputy_a"]
    assert first.created_by == world.users["principal_a"]


# ----------------------------------------------------------------------------- reports


def _report_values(analysis: str = "Analys", improvements: str = "") -> dict[str, str]:
    return {"overall_analysis": analysis, "improvements": improvements}


def test_a_report_is_started_once_per_period_with_the_goals_that_concern_the_author(
    world: World,
) -> None:
    running = period(world)
    for_all = goal(world, running, "För alla")
    services.goal_create(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        period=running,
        values={
            "text": "För någon annan",
            "indicator": "x",
            "special_educator": world.users["mentor_a"],
        },
    )
    author = world.users["special_educator_a"]
    first, created = services.report_start(actor=author, period=running)  # type: ignore[arg-type]
    again, created_again = services.report_start(actor=author, period=running)  # type: ignore[arg-type]
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert list(first.goal_entries.values_list("goal_id", flat=True)) == [for_all.pk]


def test_submit_needs_an_overall_analysis_and_freezes_the_figures(world: World) -> None:
    draft = report(world)
    intervention(world, pupil="x", minutes=40)
    author = world.users["special_educator_a"]
    with pytest.raises(rules.RuleError, match="samlad analys"):
        services.report_save(
            actor=author,  # type: ignore[arg-type]
            report=draft,
            values=_report_values(analysis="  "),
            goal_values={},
            submit=True,
        )
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT
    submitted = services.report_save(
        actor=author,  # type: ignore[arg-type]
        report=draft,
        values=_report_values(),
        goal_values={},
        submit=True,
    )
    assert submitted.state == ReportState.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.figures["count"] == 1
    assert submitted.figures["minutes"] == 40
    # Entries added afterwards do not change what was handed in.
    intervention(world, pupil="w", minutes=20)
    assert sel.report_figures(submitted).total.count == 1


def test_only_the_author_writes_and_only_while_a_draft(world: World) -> None:
    draft = report(world)
    with pytest.raises(rules.RuleError):
        services.report_save(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            report=draft,
            values=_report_values(),
            goal_values={},
        )
    submitted = report(world, state="submitted")
    with pytest.raises(rules.RuleError, match="redan lämnad"):
        services.report_save(
            actor=world.users["special_educator_a"],  # type: ignore[arg-type]
            report=submitted,
            values=_report_values(),
            goal_values={},
        )


def test_goal_results_are_saved_per_goal(world: World) -> None:
    draft = report(world)
    entry = draft.goal_entries.get()
    services.report_save(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        report=draft,
        values=_report_values(),
        goal_values={entry.goal_id: ("Resultatet", "Analysen")},
    )
    entry.refresh_from_db()
    assert (entry.result, entry.analysis) == ("Resultatet", "Analysen")
    draft.refresh_from_db()
    assert draft.updated_by == world.users["special_educator_a"]


def test_review_needs_attainment_for_every_goal_and_is_attributed(world: World) -> None:
    submitted = report(world, state="submitted")
    entry = submitted.goal_entries.get()
    principal = world.users["deputy_a"]
    with pytest.raises(rules.RuleError, match="uppnått"):
        services.report_review(
            actor=principal,  # type: ignore[arg-type]
            report=submitted,
            comment="",
            attainments={},
        )
    reviewed = services.report_review(
        actor=principal,  # type: ignore[arg-type]
        report=submitted,
        comment="Bra",
        attainments={entry.goal_id: "met"},
    )
    assert reviewed.state == ReportState.REVIEWED
    assert reviewed.reviewed_by == principal
    assert reviewed.reviewed_at is not None
    entry.refresh_from_db()
    assert entry.attainment == "met"
    with pytest.raises(rules.RuleError):
        services.report_review(
            actor=principal,  # type: ignore[arg-type]
            report=reviewed,
            comment="Igen",
            attainments={entry.goal_id: "met"},
        )


def test_a_returned_report_is_a_draft_again_with_the_reason(world: World) -> None:
    submitted = report(world, state="submitted")
    with pytest.raises(rules.RuleError, match="kompletteras"):
        services.report_return(actor=world.users["principal_a"], report=submitted, comment=" ")  # type: ignore[arg-type]
    returned = services.report_return(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        report=submitted,
        comment="Analysen av mål 1 saknas.",
    )
    assert returned.state == ReportState.DRAFT
    assert returned.returned_by == world.users["principal_a"]
    assert returned.review_comment == "Analysen av mål 1 saknas."
    assert returned.figures == {}
    # The author can complete and hand it in again.
    again = services.report_save(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        report=returned,
        values=_report_values("Kompletterad analys"),
        goal_values={},
        submit=True,
    )
    assert again.state == ReportState.SUBMITTED


def test_proposals_become_goals_of_a_later_period_once(world: World) -> None:
    reviewed = report(world, state="reviewed", improvements="- Samplanering\n- Övergångar")
    later = period(
        world,
        starts_on=reviewed.period.ends_on + timedelta(days=1),
        ends_on=reviewed.period.ends_on + timedelta(days=100),
    )
    earlier = period(
        world,
        starts_on=reviewed.period.starts_on - timedelta(days=200),
        ends_on=reviewed.period.starts_on - timedelta(days=100),
    )
    with pytest.raises(rules.RuleError, match="senare period"):
        services.report_adopt_proposals(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            report=reviewed,
            period=earlier,
        )
    goals = services.report_adopt_proposals(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        report=reviewed,
        period=later,
    )
    assert [g.text for g in goals] == ["Samplanering", "Övergångar"]
    assert all(g.origin_report_id == reviewed.pk for g in goals)
    assert all(g.special_educator == world.users["special_educator_a"] for g in goals)
    assert all(g.created_by == world.users["principal_a"] for g in goals)
    reviewed.refresh_from_db()
    assert reviewed.proposals_adopted_by == world.users["principal_a"]
    with pytest.raises(rules.RuleError, match="redan"):
        services.report_adopt_proposals(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            report=reviewed,
            period=later,
        )
    assert Goal.objects.filter(period=later).count() == 2


def test_proposals_of_a_report_not_yet_followed_up_are_not_adopted(world: World) -> None:
    submitted = report(world, state="submitted")
    start = submitted.period.ends_on + timedelta(days=1)
    later = period(world, starts_on=start, ends_on=start + timedelta(days=90))
    with pytest.raises(rules.RuleError, match="uppföljd"):
        services.report_adopt_proposals(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            report=submitted,
            period=later,
        )


# ----------------------------------------------------------------------------- competence plans


def test_one_plan_per_special_educator_unit_and_year(world: World) -> None:
    first = plan(world)
    with pytest.raises(rules.RuleError, match="redan"):
        services.plan_create(
            actor=world.users["special_educator_a"],  # type: ignore[arg-type]
            school_unit_id=world.units["a"].pk,
            academic_year=first.academic_year,
            values={"assignment_description": "", "development_needs": "Behov"},
        )


def test_agreeing_needs_described_needs_and_someone_else(world: World) -> None:
    the_plan = plan(world)
    today = timezone.localdate()
    with pytest.raises(rules.RuleError, match="själv"):
        services.plan_agree(actor=world.users["special_educator_a"], plan=the_plan, today=today)  # type: ignore[arg-type]
    agreed = services.plan_agree(actor=world.users["principal_a"], plan=the_plan, today=today)  # type: ignore[arg-type]
    assert (agreed.agreed_on, agreed.agreed_by) == (today, world.users["principal_a"])
    with pytest.raises(rules.RuleError, match="redan"):
        services.plan_agree(actor=world.users["deputy_a"], plan=agreed, today=today)  # type: ignore[arg-type]


def test_changing_an_agreed_plan_keeps_the_agreed_version(world: World) -> None:
    the_plan = plan(world)
    today = timezone.localdate()
    services.plan_agree(actor=world.users["principal_a"], plan=the_plan, today=today)  # type: ignore[arg-type]
    original_needs = the_plan.development_needs
    changed = services.plan_update(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        plan=the_plan,
        values={
            "assignment_description": the_plan.assignment_description,
            "development_needs": "Nya behov efter terminsstart",
        },
    )
    assert changed.version == 2
    assert changed.agreed_on is None
    assert changed.agreed_by is None
    assert changed.updated_by == world.users["special_educator_a"]
    kept = CompetencePlanVersion.objects.get(plan=the_plan)
    assert kept.version == 1
    assert kept.development_needs == original_needs
    assert kept.agreed_by == world.users["principal_a"]
    assert kept.agreed_on == today
    assert kept.replaced_by == world.users["special_educator_a"]
    # Saving the same text again makes no new version.
    services.plan_update(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        plan=changed,
        values={
            "assignment_description": changed.assignment_description,
            "development_needs": changed.development_needs,
        },
    )
    assert CompetencePlanVersion.objects.filter(plan=the_plan).count() == 1


def test_a_plan_that_is_not_agreed_is_changed_in_place(world: World) -> None:
    the_plan = plan(world)
    changed = services.plan_update(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        plan=the_plan,
        values={"assignment_description": "Ny", "development_needs": "Nya"},
    )
    assert changed.version == 1
    assert not CompetencePlanVersion.objects.exists()


def test_only_the_owner_changes_the_plan_and_its_activities(world: World) -> None:
    the_plan = plan(world)
    with pytest.raises(rules.RuleError):
        services.plan_update(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            plan=the_plan,
            values={"assignment_description": "Rektorns text", "development_needs": "x"},
        )
    with pytest.raises(rules.RuleError):
        services.activity_create(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            plan=the_plan,
            values={
                "kind": "course",
                "title": "Kurs",
                "planned_on": None,
                "done_on": None,
                "outcome": "",
            },
        )


def test_follow_ups_are_attributed_to_who_wrote_them(world: World) -> None:
    the_plan = plan(world)
    today = timezone.localdate()
    with pytest.raises(rules.RuleError):
        services.plan_follow_up_add(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            plan=the_plan,
            on_date=today,
            text="  ",
        )
    entry = services.plan_follow_up_add(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        plan=the_plan,
        on_date=today,
        text="Halvtidsavstämning",
    )
    assert entry.created_by == world.users["principal_a"]
