"""Writers for people: who is assigned to a pupil with protected identity (decision 0019).

The caller (the view) has already asked the access policy that the actor may manage the pupil's
assignments; these functions check the data rules and write the change and its access-log row
(security.md P1) in one transaction.
"""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.models import UnitDuty
from elevstod.people.models import (
    EndedProtectedPupilAssignment,
    ProtectedPupilAssignment,
    Pupil,
)

RECORD_TYPE = "protected_assignment"
ACTING_ROLE = "principal"


def has_current_duty(user_id: uuid.UUID, school_unit_id: uuid.UUID, today: date) -> bool:
    return (
        UnitDuty.objects.filter(user_id=user_id, school_unit_id=school_unit_id)
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


def _clean_reason(reason: str, field: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({field: _("Ange ett skäl.")})
    return reason


def protected_assignment_create(
    *,
    pupil: Pupil,
    user_id: uuid.UUID,
    reason: str,
    actor_id: uuid.UUID,
    school_unit_id: uuid.UUID,
    today: date,
) -> ProtectedPupilAssignment:
    """Assign a staff member with a current duty at the pupil's unit to the protected pupil."""
    reason = _clean_reason(reason, "reason")
    if not pupil.is_protected:
        raise ValidationError(_("Eleven har inte skyddad identitet."))
    if not has_current_duty(user_id, school_unit_id, today):
        raise ValidationError(
            {"user": _("Välj någon som har ett aktuellt uppdrag på elevens skolenhet.")}
        )
    try:
        with transaction.atomic():
            assignment = ProtectedPupilAssignment.objects.create(
                pupil=pupil, user_id=user_id, reason=reason, assigned_by_id=actor_id
            )
            record_access(
                actor_id=actor_id,
                action=AccessAction.CREATE,
                record_type=RECORD_TYPE,
                pupil_id=pupil.pk,
                school_unit_id=school_unit_id,
                record_id=assignment.pk,
                acting_role=ACTING_ROLE,
                purpose="assign_staff",
            )
    except IntegrityError as exc:
        raise ValidationError({"user": _("Personen är redan tilldelad eleven.")}) from exc
    return assignment


@transaction.atomic
def protected_assignment_end(
    *,
    pupil: Pupil,
    assignment_id: uuid.UUID,
    reason: str,
    actor_id: uuid.UUID,
    school_unit_id: uuid.UUID,
) -> EndedProtectedPupilAssignment:
    """End an assignment: the person no longer sees the pupil; the record that it existed stays."""
    reason = _clean_reason(reason, "end_reason")
    assignment = (
        ProtectedPupilAssignment.objects.select_for_update()
        .filter(pk=assignment_id, pupil=pupil)
        .first()
    )
    if assignment is None:
        raise ValidationError(_("Tilldelningen är redan avslutad."))
    ended = EndedProtectedPupilAssignment.objects.create(
        pupil=pupil,
        user_id=assignment.user_id,
        reason=assignment.reason,
        assigned_by_id=assignment.assigned_by_id,
        assigned_at=assignment.created_at,
        ended_by_id=actor_id,
        end_reason=reason,
    )
    assignment.delete()
    record_access(
        actor_id=actor_id,
        action=AccessAction.UPDATE,
        record_type=RECORD_TYPE,
        pupil_id=pupil.pk,
        school_unit_id=school_unit_id,
        record_id=assignment_id,
        acting_role=ACTING_ROLE,
        purpose="end_assignment",
    )
    return ended
