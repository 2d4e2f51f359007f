"""The services: versioning, reviews, deviation handling, attribution and the access log; and
the record-level permission rules that the pages ask."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from elevstod.access.context import UserContext, load_user_context
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.routines import permissions, services
from elevstod.routines.models import (
    Counterpart,
    DeviationNature,
    DeviationStatus,
    DeviationStatusChange,
    Routine,
    RoutineCategory,
    RoutineReview,
    RoutineVersion,
)
from elevstod.routines.tests.handling import handle
from tests.matrix_rows.routines import provider_routine, report, unit_routine
from tests.world import PERSONAS, World


def _ctx(world: World, persona: str):  # type: ignore[no-untyped-def]
    return load_user_context(world.users[persona]) if persona != "anonymous" else None


def _revise(world: World, routine: Routine, actor: str = "deputy_a", **changes: object):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    current = routine.current_version
    assert current is not None
    values: dict[str, object] = {
        "actor": world.users[actor],
        "routine": routine,
        "base_version": current.number,
        "title": current.title,
        "purpose": current.purpose,
        "content": current.content + "\nEHT informeras.",
        "change_note": "EHT informeras om varje utredning.",
        "category": routine.category,
        "owner": routine.owner,
        "approved_on": today,
        "review_by": today + timedelta(days=365),
    }
    values.update(changes)
    return services.routine_revise(**values)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- routines


def test_a_new_routine_is_published_as_version_one_and_attributed(world: World) -> None:
    routine = unit_routine(world, owner="special_educator_a")
    routine.refresh_from_db()
    version = routine.current_version
    assert version is not None
    assert version.number == 1
    assert version.created_by == world.users["principal_a"]
    assert routine.created_by == routine.updated_by == world.users["principal_a"]
    assert routine.owner == world.users["special_educator_a"]
    assert routine.reviewed_on == version.approved_on
    assert routine.school_unit == world.units["a"]
    assert routine.provider is None


def test_the_next_review_must_come_after_the_approval(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(services.RefusalError):
        services.routine_create(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            school_unit_id=world.units["a"].pk,
            provider_id=None,
            category=RoutineCategory.EARLY_DETECTION,
            owner=world.users["principal_a"],  # type: ignore[arg-type]
            title="Tidig upptäckt",
            purpose="Syfte",
            content="Innehåll",
            approved_on=today,
            review_by=today,
        )
    assert not Routine.objects.exists()


def test_a_revision_makes_a_new_version_and_never_changes_the_published_one(
    world: World,
) -> None:
    routine = unit_routine(world)
    first = routine.current_version
    assert first is not None
    original = (first.title, first.purpose, first.content, first.approved_on)
    version = _revise(world, routine, category=RoutineCategory.PUPIL_HEALTH_TEAM)
    first.refresh_from_db()
    routine.refresh_from_db()
    assert (first.title, first.purpose, first.content, first.approved_on) == original
    assert version.number == 2
    assert routine.current_version == version
    assert version.change_note == "EHT informeras om varje utredning."
    assert version.created_by == world.users["deputy_a"]
    assert routine.updated_by == world.users["deputy_a"]
    assert routine.created_by == world.users["principal_a"]
    assert routine.category == RoutineCategory.PUPIL_HEALTH_TEAM
    assert RoutineVersion.objects.filter(routine=routine).count() == 2


def test_a_revision_with_an_unchanged_text_is_refused(world: World) -> None:
    routine = unit_routine(world)
    current = routine.current_version
    assert current is not None
    with pytest.raises(services.RefusalError, match="markera den som granskad"):
        _revise(world, routine, content=current.content)
    assert RoutineVersion.objects.filter(routine=routine).count() == 1


def test_a_revision_needs_a_change_note(world: World) -> None:
    routine = unit_routine(world)
    with pytest.raises(services.RefusalError, match="Skriv vad som har ändrats"):
        _revise(world, routine, change_note="  ")


def test_a_revision_based_on_an_old_version_is_a_conflict_and_writes_nothing(
    world: World,
) -> None:
    routine = unit_routine(world)
    _revise(world, routine, actor="principal_a")
    stale = Routine.objects.get(pk=routine.pk)
    with pytest.raises(services.VersionConflictError) as caught:
        _revise(world, stale, base_version=1, content="Helt annan text")
    assert caught.value.current.number == 2
    assert RoutineVersion.objects.filter(routine=routine).count() == 2


def test_marking_reviewed_records_who_and_when_and_sets_the_next_date(world: World) -> None:
    routine = unit_routine(world, review_in_days=5)
    today = timezone.localdate()
    review = services.routine_mark_reviewed(
        actor=world.users["deputy_a"],  # type: ignore[arg-type]
        routine=routine,
        reviewed_on=today,
        next_review_by=today + timedelta(days=200),
        owner=world.users["counsellor_a"],  # type: ignore[arg-type]
        note="Genomgången på EHT.",
    )
    routine.refresh_from_db()
    assert review.created_by == world.users["deputy_a"]
    assert review.version_number == 1
    assert routine.review_by == today + timedelta(days=200)
    assert routine.reviewed_on == today
    assert routine.owner == world.users["counsellor_a"]
    assert routine.updated_by == world.users["deputy_a"]
    assert RoutineVersion.objects.filter(routine=routine).count() == 1  # no new version
    assert RoutineReview.objects.filter(routine=routine).count() == 1


def test_routine_changes_read_no_pupil_data_and_write_no_log_rows(world: World) -> None:
    before = AccessEvent.objects.count()
    routine = unit_routine(world)
    _revise(world, routine)
    assert AccessEvent.objects.count() == before


# ----------------------------------------------------------------------------- deviations


def test_a_report_without_a_pupil_starts_reported_and_logs_no_pupil(world: World) -> None:
    before = AccessEvent.objects.count()
    created = report(world, counterparts=(Counterpart.SOCIAL_SERVICES, Counterpart.HABILITATION))
    assert created.status == DeviationStatus.REPORTED
    assert created.counterparts == [Counterpart.SOCIAL_SERVICES, Counterpart.HABILITATION]
    assert created.natures == [DeviationNature.NOT_SOLVABLE_LOCALLY]
    assert not created.concerns_pupil
    assert created.pupil_id is None
    assert created.created_by == created.updated_by == world.users["teacher_a"]
    change = DeviationStatusChange.objects.get(report=created)
    assert (change.from_status, change.to_status) == ("", DeviationStatus.REPORTED)
    assert AccessEvent.objects.count() == before


def test_linking_a_pupil_needs_a_reason_and_is_logged_with_the_pupil(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(services.RefusalError, match="varför"):
        services.deviation_report_create(
            actor=world.users["mentor_a"],  # type: ignore[arg-type]
            school_unit_id=world.units["a"].pk,
            occurred_on=today,
            counterparts=[Counterpart.CHILD_PSYCHIATRY],
            natures=[DeviationNature.PRINCIPLED],
            description="BUP tar inte emot remisser.",
            tried_locally="Samtal.",
            pupil_id=world.pupils["x"].pk,
            pupil_reason=" ",
            today=today,
        )
    created = report(world, reporter="mentor_a", pupil="x")
    assert created.concerns_pupil
    event = AccessEvent.objects.get(record_id=str(created.pk))
    assert event.action == AccessAction.CREATE
    assert event.pupil_id == world.pupils["x"].pk
    assert event.actor_id == world.users["mentor_a"].pk
    assert event.school_unit_id == world.units["a"].pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"counterparts": []}, "verksamheter"),
        ({"counterparts": ["police"]}, "verksamheter"),
        ({"natures": []}, "sorts avvikelse"),
        ({"occurred_on": 1}, "framtiden"),
    ],
)
def test_a_report_is_refused_without_counterpart_or_nature_or_with_a_future_date(
    world: World, changes: dict[str, object], message: str
) -> None:
    today = timezone.localdate()
    values: dict[str, object] = {
        "actor": world.users["teacher_a"],
        "school_unit_id": world.units["a"].pk,
        "occurred_on": today,
        "counterparts": [Counterpart.PAEDIATRICS],
        "natures": [DeviationNature.PRINCIPLED],
        "description": "Beskrivning",
        "tried_locally": "Prövat",
        "today": today,
    }
    if "occurred_on" in changes:
        changes = {"occurred_on": today + timedelta(days=1)}
    values.update(changes)
    with pytest.raises(services.RefusalError, match=message):
        services.deviation_report_create(**values)  # type: ignore[arg-type]


def test_the_handling_goes_reported_handling_ksl_closed_with_attribution(world: World) -> None:
    created = report(world)
    today = timezone.localdate()
    principal = world.users["principal_a"]
    move = partial(handle, world, created, today=today)
    move(DeviationStatus.UNDER_HANDLING, note="Tas upp med socialtjänstens enhetschef.")
    with pytest.raises(services.RefusalError, match="KSL"):
        move(DeviationStatus.REPORTED_TO_KSL)
    move(DeviationStatus.REPORTED_TO_KSL, by="deputy_a", ksl_reported_on=today)
    with pytest.raises(services.RefusalError, match="utfallet"):
        move(DeviationStatus.CLOSED)
    move(DeviationStatus.CLOSED, outcome="Ny rutin för återkoppling till skolan.")
    created.refresh_from_db()
    assert created.status == DeviationStatus.CLOSED
    assert created.ksl_reported_on == today
    assert created.closed_on == today
    assert created.outcome == "Ny rutin för återkoppling till skolan."
    assert created.updated_by == principal
    steps = list(
        DeviationStatusChange.objects.filter(report=created).values_list(
            "from_status", "to_status", "created_by__username"
        )
    )
    assert steps == [
        ("", "reported", "teacher_a"),
        ("reported", "under_handling", "principal_a"),
        ("under_handling", "reported_to_ksl", "deputy_a"),
        ("reported_to_ksl", "closed", "principal_a"),
    ]
    with pytest.raises(services.RefusalError):
        move(DeviationStatus.UNDER_HANDLING)


def test_the_ksl_date_cannot_precede_the_deviation_or_lie_ahead(world: World) -> None:
    created = report(world, occurred_days_ago=5)
    today = timezone.localdate()
    for day in (today - timedelta(days=6), today + timedelta(days=1)):
        with pytest.raises(services.RefusalError):
            handle(
                world, created, DeviationStatus.REPORTED_TO_KSL, ksl_reported_on=day, today=today
            )
    created.refresh_from_db()
    assert created.status == DeviationStatus.REPORTED


def test_a_status_change_of_a_pupil_report_is_logged_with_the_pupil(world: World) -> None:
    plain, linked = report(world), report(world, reporter="mentor_a", pupil="x")
    before = AccessEvent.objects.count()
    for item in (plain, linked):
        handle(world, item, DeviationStatus.UNDER_HANDLING)
    events = AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before]
    assert [(e.action, e.pupil_id, e.record_id) for e in events] == [
        (AccessAction.UPDATE, world.pupils["x"].pk, str(linked.pk))
    ]


def test_every_export_is_logged(world: World) -> None:
    services.deviation_export_record(
        actor=world.users["huvudman_admin"],  # type: ignore[arg-type]
        export_format="csv",
        rows=3,
    )
    event = AccessEvent.objects.get(record_type=services.DEVIATION_EXPORT_RECORD)
    assert event.action == AccessAction.EXPORT
    assert event.pupil_id is None
    assert event.purpose == "csv:3"


# ----------------------------------------------------------------------------- who may


def test_who_reads_and_manages_which_routine(world: World) -> None:
    unit_a, shared = unit_routine(world), provider_routine(world)

    def allowed(check: Callable[[UserContext, Routine], bool], routine: Routine) -> set[str]:
        return {p for p in PERSONAS if p != "anonymous" and check(_ctx(world, p), routine)}

    readers_a = allowed(permissions.can_read_routine, unit_a)
    readers_shared = allowed(permissions.can_read_routine, shared)
    managers_a = allowed(permissions.can_manage_routine, unit_a)
    managers_shared = allowed(permissions.can_manage_routine, shared)
    staff_a = {
        "principal_a", "deputy_a", "special_educator_a", "mentor_a", "teacher_a",
        "teacher_a_unrelated", "counsellor_a", "nurse_a_not_eht",
    }  # fmt: skip
    assert readers_a == staff_a
    assert readers_shared == staff_a | {"principal_b", "teacher_b", "huvudman_admin"}
    assert managers_a == {"principal_a", "deputy_a"}
    assert managers_shared == {"huvudman_admin"}


def test_only_the_reporter_and_the_units_leaders_see_a_report(world: World) -> None:
    created = report(world, reporter="mentor_a", pupil="x")
    viewers = {
        p
        for p in PERSONAS
        if p != "anonymous" and permissions.can_view_report(_ctx(world, p), created)
    }
    handlers = {
        p
        for p in PERSONAS
        if p != "anonymous" and permissions.can_handle_report(_ctx(world, p), created)
    }
    assert viewers == {"mentor_a", "principal_a", "deputy_a"}
    assert handlers == {"principal_a", "deputy_a"}


def test_a_leader_handles_a_report_on_a_protected_pupil_without_learning_who(
    world: World,
) -> None:
    created = report(world, reporter="special_educator_a", pupil="z")
    assert permissions.can_view_report(_ctx(world, "principal_a"), created)
    hidden = permissions.linked_pupil(_ctx(world, "principal_a"), created)
    assert hidden.pupil is None
    assert hidden.acting_role == "principal"  # handles it as the unit's leader
    shown = permissions.linked_pupil(_ctx(world, "special_educator_a"), created)
    assert shown.pupil == world.pupils["z"]
    assert shown.acting_role == "special_education"
