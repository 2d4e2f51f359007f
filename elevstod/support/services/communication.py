"""Kommunicering before an adverse decision (FL 25 § via SL 29 kap. 10 §; decision 0014):
recording what was sent to the family and by when they may answer, or the exception; recording
their answer; and the check the decision services make before an adverse decision.

The decisions themselves are services.decisions: `decide_no_programme` and `decide_closure`
call `refuse_adverse_decision_without_communication` before they decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from elevstod.accounts.models import User
from elevstod.support.models import (
    ActionProgramme,
    Communication,
    Investigation,
    ParticipantView,
)
from elevstod.support.services._recording import created, record, refuse_unless
from elevstod.support.workflow.communication import (
    CommunicationFacts,
    CommunicationPurpose,
    adverse,
    may_decide_adversely,
    may_record_answer,
    may_record_communication,
)
from elevstod.support.workflow.states import ProgrammeState


@dataclass(frozen=True)
class CommunicationInput:
    """What staff record: the material sent, to whom and the time to answer; or the exception
    (FL 25 § andra stycket) and its reason."""

    sent_on: date | None = None
    recipients: str = ""
    material: str = ""
    answer_by: date | None = None
    exception_ground: str = ""
    exception_reason: str = ""


def _about(
    investigation: Investigation | None, programme: ActionProgramme | None
) -> tuple[CommunicationPurpose, Investigation | ActionProgramme]:
    if programme is not None:
        return CommunicationPurpose.CLOSURE, programme
    if investigation is not None:
        return CommunicationPurpose.NO_PROGRAMME, investigation
    raise ValueError("a communication concerns an investigation or a programme")


def communication_record(
    *,
    actor: User,
    values: CommunicationInput,
    today: date,
    investigation: Investigation | None = None,
    programme: ActionProgramme | None = None,
    channel: str = "web",
) -> Communication:
    """Before a decision not to draw up a programme (on the `investigation`) or to close the
    `programme`: the material sent to the family and their time to answer, or the exception."""
    purpose, about = _about(investigation, programme)
    # As saved now, not as the caller loaded it.
    pending = (
        ActionProgramme.objects.filter(pk=programme.pk, state=ProgrammeState.IN_FORCE).exists()
        if programme is not None
        else Investigation.objects.filter(pk=about.pk, closed_on__isnull=True).exists()
    )
    refuse_unless(
        may_record_communication(
            decision_pending=pending,
            sent_on=values.sent_on,
            recipients=values.recipients,
            material=values.material,
            answer_by=values.answer_by,
            exception_ground=values.exception_ground,
            exception_reason=values.exception_reason,
            today=today,
        )
    )
    excepted = bool(values.exception_ground)
    with transaction.atomic():
        return created(
            actor,
            Communication,
            "communication.excepted" if excepted else "communication.sent",
            today,
            channel,
            pupil_id=about.pupil_id,
            school_unit_id=about.school_unit_id,
            referral_id=about.referral_id,
            purpose=purpose,
            investigation=investigation,
            programme=programme,
            sent_on=None if excepted else values.sent_on,
            recipients="" if excepted else values.recipients.strip(),
            material="" if excepted else values.material.strip(),
            answer_by=None if excepted else values.answer_by,
            exception_ground=values.exception_ground,
            exception_reason=values.exception_reason.strip() if excepted else "",
        )


def communication_answer(
    *,
    actor: User,
    communication: Communication | None,
    answered_on: date,
    answer: str,
    today: date,
    channel: str = "web",
) -> None:
    """The family's answer as it came in (in writing, or noted from a call or a meeting), to
    `communication` (the record's latest; None: nothing was sent, refused)."""
    if communication is None:
        refuse_unless(may_record_answer(None, answered_on, today))
        return
    with transaction.atomic():
        # Locked, so that two people recording the answer at once cannot overwrite each other.
        locked = Communication.objects.select_for_update().get(pk=communication.pk)
        refuse_unless(
            may_record_answer(locked.sent_on, answered_on, today, recorded_on=locked.answered_on)
        )
        Communication.objects.filter(pk=communication.pk).update(
            answered_on=answered_on, answer=answer.strip(), answer_recorded_by=actor
        )
        communication.refresh_from_db()
        record(actor, communication, "communication.answered", today, channel)


def latest_communication(
    *, investigation: Investigation | None = None, programme: ActionProgramme | None = None
) -> Communication | None:
    """The communication the decision rests on: the latest recorded for the record."""
    rows = Communication.objects.select_related("answer_recorded_by", "created_by")
    if programme is not None:
        rows = rows.filter(programme=programme)
    elif investigation is not None:
        rows = rows.filter(investigation=investigation)
    else:
        return None
    return rows.order_by("-created_at").first()


def communication_facts(communication: Communication | None) -> CommunicationFacts | None:
    if communication is None:
        return None
    return CommunicationFacts(
        sent_on=communication.sent_on,
        answer_by=communication.answer_by,
        answered_on=communication.answered_on,
        exception_ground=communication.exception_ground,
        exception_reason=communication.exception_reason,
    )


def family_has_stated_a_view(programme: ActionProgramme) -> bool:
    """The family has recorded a view on the programme or one of its follow-ups
    (participant views), so closing it may go against that view (decision 0014)."""
    return ParticipantView.objects.filter(programme=programme).exists() or (
        ParticipantView.objects.filter(follow_up__programme=programme).exists()
    )


def refuse_adverse_decision_without_communication(
    *,
    today: date,
    investigation: Investigation | None = None,
    programme: ActionProgramme | None = None,
) -> None:
    """RefusalError (FL 25 §) unless the family had the material and their time to answer, or
    an exception is recorded. A decision not to draw up a programme (`investigation`) is always
    adverse; closing a `programme` is when the family has stated a view on it."""
    purpose, _about_record = _about(investigation, programme)
    family_objects = programme is not None and family_has_stated_a_view(programme)
    latest = latest_communication(investigation=investigation, programme=programme)
    refuse_unless(
        may_decide_adversely(
            communication_facts(latest),
            today,
            is_adverse=adverse(purpose, family_objects=family_objects),
        )
    )
