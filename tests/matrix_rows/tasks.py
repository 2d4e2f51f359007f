"""Matrix rows for the tasks area ("Mina uppgifter", deadline settings) and the records they need.

`seed_due(world)` gives every pupil in the world something due, with responsible staff chosen so
that some of them may NOT see the pupil (mentor_a is responsible for z, who is protected, and
for y, at another unit). The matrix then proves that "Mina uppgifter" never shows a canary to
someone who may not see that pupil. The builders are shared with elevstod/support/tests.

Expectations by hand: "Mina uppgifter" is for every staff member (a duty at a unit or at the
huvudman), never the family; the deadline settings are the huvudman administrator's alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, Adaptation, Decision, Investigation, Referral
from elevstod.support.services import communication as communicating
from tests.matrix import Row
from tests.world import STAFF, World


def unit_of(world: World, key: str) -> Any:
    return world.units["b" if key == "y" else "a"]


def adaptation(
    world: World, key: str, responsible: str, *, evaluate_on: date | None = None
) -> Adaptation:
    today = timezone.localdate()
    return services.adaptation_create(
        actor=world.users[responsible],
        pupil=world.pupils[key],
        school_unit_id=unit_of(world, key).pk,
        values={
            "need_description": "Behöver stöd i läsning",
            "measure": "Inläst läromedel",
            "responsible": world.users[responsible],
            "starts_on": today,
            "evaluate_on": evaluate_on or today + timedelta(days=14),
        },
        today=today,
    )


def referral(world: World, key: str, reporter: str = "mentor_a") -> Referral:
    today = timezone.localdate()
    return services.referral_create(
        actor=world.users[reporter],
        pupil=world.pupils[key],
        school_unit_id=unit_of(world, key).pk,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Svårigheter i skolsituationen",
        today=today,
    )


def received(world: World, key: str, principal: str = "principal_a") -> Referral:
    return services.referral_receive(
        actor=world.users[principal], referral=referral(world, key), today=timezone.localdate()
    )


def investigating(
    world: World, key: str, investigator: str = "special_educator_a", principal: str = "principal_a"
) -> Investigation:
    today = timezone.localdate()
    return services.investigation_open(
        actor=world.users[principal],
        referral=received(world, key, principal),
        investigator_ids=[world.users[investigator].pk],
        target_on=today + timedelta(days=30),
        today=today,
    )


def assessed_no_need(world: World, key: str, principal: str = "principal_a") -> Investigation:
    """An investigation concluded "no need of special support", awaiting its decision."""
    today = timezone.localdate()
    investigation = investigating(world, key, principal=principal)
    services.investigation_save(
        actor=world.users[principal],
        investigation=investigation,
        expected_version=investigation.version,
        values={
            "individual_level": "Kartläggning på individnivå",
            "eht_consulted": True,
            "special_support_needed": False,
        },
        today=today,
    )
    investigation.refresh_from_db()
    services.investigation_conclude(
        actor=world.users[principal], investigation=investigation, today=today
    )
    investigation.refresh_from_db()
    return investigation


def decided_no_programme(world: World, key: str, principal: str = "principal_a") -> Decision:
    """A decision not yet served on anyone: every recipient still lacks a receipt date. The
    family had the material first and answered (FL 25 §; decision 0014)."""
    investigation = assessed_no_need(world, key, principal)
    today = timezone.localdate()
    communication = communicating.communication_record(
        actor=world.users[principal],
        investigation=investigation,
        values=communicating.CommunicationInput(
            sent_on=today,
            recipients="Vårdnadshavare och eleven",
            material="Utredningen och förslaget till beslut",
            answer_by=today + timedelta(days=10),
        ),
        today=today,
    )
    communicating.communication_answer(
        actor=world.users[principal],
        communication=communication,
        answered_on=today,
        answer="Vi har tagit del av underlaget.",
        today=today,
    )
    return services.decide_no_programme(
        actor=world.users[principal],
        investigation=investigation,
        statement_of_reasons="Utredningen visar inget behov av särskilt stöd.",
        instead="Fortsatta extra anpassningar.",
        today=timezone.localdate(),
    )


def programme_in_force(
    world: World,
    key: str,
    *,
    follow_up: str = "mentor_a",
    evaluation: str = "special_educator_a",
    follow_up_on: date | None = None,
    evaluation_on: date | None = None,
) -> ActionProgramme:
    """A programme in force, made directly: its decision path belongs to the programme area."""
    today = timezone.localdate()
    case = investigating(world, key)
    # A programme in force means the case has left the investigation (workflow: DECIDE_PROGRAMME
    # moves INVESTIGATING to PROGRAMME_ACTIVE); otherwise the case would still ask for its
    # investigation to be completed.
    Referral.objects.filter(pk=case.referral_id).update(state=wf.CaseState.PROGRAMME_ACTIVE)
    return ActionProgramme.objects.create(
        referral=case.referral,
        investigation=case,
        pupil=world.pupils[key],
        school_unit=unit_of(world, key),
        created_by=world.users["principal_a"],
        state=wf.ProgrammeState.IN_FORCE,
        in_force_from=today,
        follow_up_on=follow_up_on or today + timedelta(days=20),
        follow_up_responsible=world.users[follow_up],
        evaluation_on=evaluation_on or today + timedelta(days=60),
        evaluation_responsible=world.users[evaluation],
    )


def seed_due(world: World) -> dict[str, object]:
    """Something due for every pupil, once per world; responsible staff who may not see them."""
    if not getattr(world, "_tasks_seeded", False):
        yesterday = timezone.localdate() - timedelta(days=1)
        for key in ("x", "y", "z", "w", "m"):
            adaptation(world, key, "mentor_a", evaluate_on=yesterday)
            adaptation(world, key, "special_educator_a")
        for key in ("x", "z", "w", "m"):
            referral(world, key)
        referral(world, "y", reporter="teacher_b")
        world._tasks_seeded = True  # type: ignore[attr-defined]
    return {}


def prepare(world: World) -> None:
    """What "Mina uppgifter" shows, built before the matrix's first test."""
    seed_due(world)


ROWS: dict[str, Row] = {
    "support:my_tasks": Row(allowed=lambda p, t: p in STAFF, targets={"seeded": seed_due}),
    "support:deadline_settings": Row(allowed=lambda p, t: p == "huvudman_admin"),
}
