"""What every service shares: refusing, attributing a change, and saving against a version.

`record` writes the change's ChainEvent (the pupil's timeline) and its access-log row; services
call it inside their own `transaction.atomic`, so the audit row commits with the change or not at
all (style.md, "audit inside the transaction").
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, TypeVar

from django.db.models import F
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access_to
from elevstod.organisation.duties import UNIT_DUTY_LABELS, UnitDutyKind
from elevstod.organisation.models import UnitDuty
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    ChainEvent,
    Investigation,
    PupilRecord,
    Referral,
)


class EditConflictError(Exception):
    """Someone else saved the document since it was opened. Nothing was written.

    `theirs` holds the saved values, `mine` what this user typed: the form shows both (rule 7).
    """

    def __init__(self, *, theirs: dict[str, Any], mine: dict[str, Any], version: int) -> None:
        super().__init__("edit conflict")
        self.theirs = theirs
        self.mine = mine
        self.version = version


def following(parent: PupilRecord) -> dict[str, Any]:
    """What a new record takes from the one it follows in the chain: its pupil and unit."""
    return {"pupil_id": parent.pupil_id, "school_unit_id": parent.school_unit_id}


def refuse_unless(outcome: wf.Outcome) -> None:
    if isinstance(outcome, wf.Refused):
        raise wf.RefusalError(outcome)


def record(
    actor: User,
    changed: PupilRecord,
    verb: str,
    on_date: date,
    channel: str = "web",
    action: AccessAction = AccessAction.UPDATE,
) -> None:
    """The attribution of one change: a timeline event and an access-log row, same transaction."""
    record_type = changed.RECORD_TYPE
    ChainEvent.objects.create(
        occurred_at=timezone.now(),
        on_date=on_date,
        pupil_id=changed.pupil_id,
        school_unit_id=changed.school_unit_id,
        actor=actor,
        verb=verb,
        record_type=record_type,
        record_id=changed.pk,
    )
    record_access_to(
        changed,
        actor_id=actor.pk,
        action=action,
        record_type=record_type,
        purpose=verb,
        channel=channel,
    )


Created = TypeVar("Created", bound=PupilRecord)


def created(
    actor: User, model: type[Created], verb: str, on_date: date, channel: str, **fields: Any
) -> Created:
    """Create a record of the chain, authored by `actor`, and record its creation."""
    row = model._default_manager.create(created_by=actor, **fields)
    record(actor, row, verb, on_date, channel, AccessAction.CREATE)
    return row


Versioned = Adaptation | Investigation | ActionProgramme  # the records several people edit


def save_versioned(
    record: Versioned, *, expected_version: int, values: dict[str, Any], actor: User | None = None
) -> None:
    """Write `values` only if nobody saved since `expected_version`; otherwise EditConflictError."""
    rows = type(record)._default_manager.filter(pk=record.pk)
    extra: dict[str, Any] = {"version": F("version") + 1, "updated_at": timezone.now()}
    if actor is not None and hasattr(record, "updated_by_id"):
        extra["updated_by"] = actor
    if rows.filter(version=expected_version).update(**values, **extra) == 0:
        current = rows.get()
        raise EditConflictError(
            theirs={name: getattr(current, name) for name in values},
            mine=values,
            version=current.version,
        )
    record.refresh_from_db()


def check_version(current_version: int, expected_version: int | None) -> None:
    """A decider read `expected_version` (None: whatever is current); a newer one conflicts."""
    if expected_version is not None and current_version != expected_version:
        raise EditConflictError(theirs={}, mine={}, version=current_version)


def lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def case_step(referral: Referral, action: wf.CaseAction) -> wf.CaseState:
    target = wf.case_transition(wf.CaseState(referral.state), action)
    if isinstance(target, wf.Refused):
        raise wf.RefusalError(target)
    return target


def lock_case_for(referral: Referral, action: wf.CaseAction) -> tuple[Referral, wf.CaseState]:
    """The case locked and read again, and the state `action` takes it to (or a refusal)."""
    locked = lock_referral(referral)
    return locked, case_step(locked, action)


def move_case(referral: Referral, target: wf.CaseState) -> None:
    Referral.objects.filter(pk=referral.pk).update(state=target, updated_at=timezone.now())


def duty_title(actor: User, school_unit_id: uuid.UUID) -> str:
    """The actor's title at the unit, as a record names its author or decision-maker."""
    duty = (
        UnitDuty.objects.filter(user=actor, school_unit_id=school_unit_id)
        .order_by("duty")
        .values_list("duty", flat=True)
        .first()
    )
    return str(UNIT_DUTY_LABELS.get(UnitDutyKind(duty), "")) if duty else ""
