"""The support chain built through its services, step by step, for the service and rule tests.

Each builder takes the test world (tests/world.py) and makes one step as the people the world
names would: mentor_a reports and adapts for pupil x at unit A, principal_a receives and decides,
special_educator_a investigates (and holds the world's delegation for "no programme"). A test
then changes only what it is about.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from elevstod.organisation.models import Delegation
from elevstod.support import models as chain
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.services import communication as communicating
from tests.world import World

NEED = wf.NeedCategory.READING_WRITING
NO_NEED = "Utredningen visar inget behov av särskilt stöd."


def today() -> date:
    return timezone.localdate()


@contextmanager
def refused(rule: str) -> Iterator[pytest.ExceptionInfo[wf.RefusalError]]:
    """The block is refused by the workflow rule `rule`; the caught refusal is yielded."""
    with pytest.raises(wf.RefusalError) as caught:
        yield caught
    assert caught.value.refusal.rule == rule


# ----------------------------------------------------------------------------- before the case


def adaptation(world: World, **extra: Any) -> chain.Adaptation:
    """An extra adaptation for pupil x, made by mentor_a, evaluated by teacher_a in six weeks."""
    return services.adaptation_create(
        actor=world.users["mentor_a"],
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        values={
            "need_categories": [NEED],
            "need_description": "Behöver stöd att komma igång",
            "measure": extra.pop("measure", "Uppdelade uppgifter"),
            "responsible": world.users["teacher_a"],
            "starts_on": today(),
            "evaluate_on": today() + timedelta(days=42),
        },
        today=today(),
        **extra,
    )


def evaluate(
    world: World, adaptation: chain.Adaptation, effect: str, next_step: str, **extra: Any
) -> None:
    services.adaptation_evaluate(
        actor=world.users["teacher_a"],
        adaptation=adaptation,
        effect=effect,
        next_step=next_step,
        today=today(),
        **extra,
    )


# ----------------------------------------------------------------------------- the case


def referral(world: World, **extra: Any) -> chain.Referral:
    return services.referral_create(
        actor=world.users["mentor_a"],
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        ground=extra.pop("ground", wf.ReferralGround.OTHER_DIFFICULTIES),
        description="Svårt att komma igång med skrivuppgifter.",
        today=today(),
        **extra,
    )


def investigation(world: World, *, needed: bool = True) -> chain.Investigation:
    """A received report's investigation, written up with the conclusion `needed`, not yet
    concluded."""
    case = referral(world)
    principal = world.users["principal_a"]
    services.referral_receive(actor=principal, referral=case, today=today())
    opened = services.investigation_open(
        actor=principal,
        referral=case,
        investigator_ids=[world.users["special_educator_a"].pk, world.users["mentor_a"].pk],
        target_on=today() + timedelta(days=30),
        today=today(),
    )
    save(
        world,
        opened,
        {
            "individual_level": "Läser långsamt men förstår muntligt.",
            "pupil_view": "Jag vill ha mer tid.",
            "eht_consulted": False,
            "eht_skip_reason": "Inga tecken på annat än läs- och skrivsvårigheter.",
            "special_support_needed": needed,
        },
        needs=[(NEED, "Stöd i att läsa längre texter")] if needed else [],
        persona="special_educator_a",
    )
    opened.refresh_from_db()
    return opened


def save(
    world: World,
    investigation: chain.Investigation,
    values: dict[str, Any],
    *,
    persona: str = "mentor_a",
    version: int | None = None,
    **extra: Any,
) -> None:
    """`persona` saves the investigation over `version` (default: the one it has)."""
    services.investigation_save(
        actor=world.users[persona],
        investigation=investigation,
        expected_version=investigation.version if version is None else version,
        values=values,
        today=today(),
        **extra,
    )


def conclude(world: World, investigation: chain.Investigation) -> chain.ActionProgramme | None:
    return services.investigation_conclude(
        actor=world.users["special_educator_a"], investigation=investigation, today=today()
    )


def communicated(
    world: World,
    *,
    investigation: chain.Investigation | None = None,
    programme: chain.ActionProgramme | None = None,
) -> chain.Communication:
    """The family had the material and answered today (FL 25 §), so an adverse decision on
    `investigation` or `programme` may be made: for tests about something else."""
    communication = communicating.communication_record(
        actor=world.users["principal_a"],
        investigation=investigation,
        programme=programme,
        values=communicating.CommunicationInput(
            sent_on=today(),
            recipients="Vårdnadshavare och eleven",
            material="Utredningen och förslaget till beslut",
            answer_by=today() + timedelta(days=10),
        ),
        today=today(),
    )
    communicating.communication_answer(
        actor=world.users["principal_a"],
        communication=communication,
        answered_on=today(),
        answer="Vi har tagit del av underlaget.",
        today=today(),
    )
    return communication


# ----------------------------------------------------------------------------- the programme


def fill_programme(world: World, programme: chain.ActionProgramme, **measure: Any) -> None:
    """Everything SL 3 kap. 9 § asks of a programme, with one measure (`measure` changes it)."""
    need = programme.needs.first()
    assert need is not None
    services.programme_save(
        actor=world.users["special_educator_a"],
        programme=programme,
        expected_version=programme.version,
        values={
            "follow_up_on": today() + timedelta(days=30),
            "follow_up_responsible": world.users["mentor_a"],
            "evaluation_on": today() + timedelta(days=60),
            "evaluation_responsible": world.users["special_educator_a"],
            "pupil_participation_offered": True,
            "guardian_participation_offered": True,
        },
        needs=[services.NeedInput(key=str(need.pk), category=need.category, description="Läsa")],
        measures=[
            services.MeasureInput(
                need_key=str(need.pk),
                description="Inläsningstjänst och lästräning 3 × 20 min/vecka",
                responsible_id=world.users["teacher_a"].pk,
                extent="3 × 20 minuter i veckan",
                **measure,
            )
        ],
        today=today(),
    )
    programme.refresh_from_db()


def concluded_programme(world: World, **measure: Any) -> chain.ActionProgramme:
    """The draft the assessment "special support needed" made, filled in, ready for decision."""
    programme = conclude(world, investigation(world, needed=True))
    assert programme is not None
    fill_programme(world, programme, **measure)
    return programme


def distance_teaching(starts_on: date, ends_on: date) -> dict[str, Any]:
    """A measure given as distance teaching, with its special reasons, for `fill_programme`."""
    return {
        "setting": wf.MeasureSetting.DISTANCE_TEACHING,
        "special_reasons": "Särskilda skäl.",
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def delegate_programmes(world: World) -> Delegation:
    """principal_a delegates programme decisions to special_educator_a for a month."""
    return Delegation.objects.create(
        school_unit=world.units["a"],
        delegated_by=world.users["principal_a"],
        delegate=world.users["special_educator_a"],
        decision_type="action_programme",
        valid_from=today() - timedelta(days=1),
        valid_until=today() + timedelta(days=30),
    )


def review_of_the_measure(programme: chain.ActionProgramme, effect: str) -> services.ReviewInput:
    """The review of the programme's one measure: carried out, with `effect`."""
    measure = programme.measures.get()
    return services.ReviewInput(measure_id=measure.pk, carried_out=wf.CarriedOut.YES, effect=effect)


def follow_up(
    world: World,
    programme: chain.ActionProgramme,
    *,
    persona: str = "special_educator_a",
    carried_out: str = wf.CarriedOut.YES,
    effect: str = wf.MeasureEffect.SOME_PROGRESS,
    values: dict[str, Any] | None = None,
    next_in_days: int = 30,
) -> chain.FollowUp:
    """`persona` follows up the programme's one measure; the programme continues and is
    followed up again in `next_in_days`."""
    measure = programme.measures.get()
    return services.follow_up_record(
        actor=world.users[persona],
        programme=programme,
        kind=wf.FollowUpKind.FOLLOW_UP,
        reviews=[
            services.ReviewInput(measure_id=measure.pk, carried_out=carried_out, effect=effect)
        ],
        outcome=wf.FollowUpOutcome.CONTINUE,
        values=values or {},
        next_on=today() + timedelta(days=next_in_days),
        today=today(),
    )


def evaluate_programme(
    world: World, programme: chain.ActionProgramme, outcome: str, *, effect: str, **extra: Any
) -> None:
    """special_educator_a (or `actor`) evaluates the programme's one measure."""
    services.follow_up_record(
        actor=extra.pop("actor", world.users["special_educator_a"]),
        programme=programme,
        kind=wf.FollowUpKind.EVALUATION,
        reviews=[review_of_the_measure(programme, effect)],
        outcome=outcome,
        values=extra.pop("values", {}),
        next_on=None,
        today=today(),
    )


# ----------------------------------------------------------------------------- decisions


def decide_no_programme(
    world: World, investigation: chain.Investigation, *, persona: str = "principal_a", **extra: Any
) -> chain.Decision:
    """`persona` decides not to draw up a programme: no need found, nothing instead."""
    extra.setdefault("statement_of_reasons", NO_NEED)
    extra.setdefault("instead", "")
    communicated(world, investigation=investigation)
    return services.decide_no_programme(
        actor=world.users[persona], investigation=investigation, today=today(), **extra
    )


def decide_programme(
    world: World, programme: chain.ActionProgramme, *, persona: str = "principal_a", **extra: Any
) -> chain.Decision:
    extra.setdefault("statement_of_reasons", "…")
    return services.decide_programme(
        actor=world.users[persona], programme=programme, today=today(), **extra
    )


def no_programme_decision(world: World) -> chain.Decision:
    """A decision not to draw up a programme, made some weeks ago, so that receipt days in the
    past are possible."""
    decision = decide_no_programme(
        world,
        investigation(world, needed=False),
        instead="Fortsatta extra anpassningar.",
    )
    chain.Decision.objects.filter(pk=decision.pk).update(decided_on=today() - timedelta(days=40))
    decision.refresh_from_db()
    return decision


def guardian_row(decision: chain.Decision) -> chain.DecisionService:
    return decision.services.get(recipient_kind="guardian")


def serve(
    world: World, row: chain.DecisionService, received: date | None, *, sent_on: date | None = None
) -> chain.DecisionService:
    """principal_a records that the recipient got the decision by letter on `received`, sent
    the same day unless `sent_on` says otherwise."""
    return services.service_record(
        actor=world.users["principal_a"],
        service=row,
        method="letter",
        sent_on=sent_on or received,
        received_on=received,
        today=today(),
    )


# ----------------------------------------------------------------------------- appeals


def register_appeal(
    world: World, decision: chain.Decision, row: chain.DecisionService | None, **extra: Any
) -> chain.Appeal:
    """principal_a registers the recipient's appeal, lodged today unless said otherwise."""
    return services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=row,
        appellant_name=extra.pop("appellant_name", "Vårdnadshavare"),
        lodged_on=extra.pop("lodged_on", today()),
        content=extra.pop("content", "Vi överklagar."),
        today=today(),
        **extra,
    )


def handle_appeal(world: World, appeal: chain.Appeal, *actions: str, **extra: Any) -> chain.Appeal:
    """principal_a takes the appeal through `actions`, in order."""
    for action in actions:
        appeal = services.appeal_handle(
            actor=world.users["principal_a"],
            appeal=appeal,
            action=action,
            note=extra.get("note", ""),
            today=today(),
            **{name: value for name, value in extra.items() if name != "note"},
        )
    return appeal
