"""Writes to the organisation. Each service is atomic and attributable."""

import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.models import Delegation, SchoolTerms
from elevstod.organisation.selectors import delegations_in_force


def delegation_create(
    *,
    actor_id: uuid.UUID,
    school_unit_id: uuid.UUID,
    delegate_id: uuid.UUID | str,
    decision_type: str,
    valid_from: date,
    valid_until: date,
    note: str = "",
    channel: str = "web",
) -> Delegation:
    """A delegation (SL 2 kap. 10 §), written with its log row: who may decide is attributable."""
    delegation = Delegation(
        school_unit_id=school_unit_id,
        delegated_by_id=actor_id,
        delegate_id=delegate_id,
        decision_type=decision_type,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
    )
    delegation.full_clean()
    with transaction.atomic():
        delegation.save()
        _logged(actor_id, AccessAction.CREATE, delegation, "delegation_create", channel)
    return delegation


def delegation_revoke(*, actor_id: uuid.UUID, delegation: Delegation, channel: str = "web") -> None:
    with transaction.atomic():
        revoked = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by_id=actor_id
        )
        if revoked:
            _logged(actor_id, AccessAction.UPDATE, delegation, "delegation_revoke", channel)


def _logged(
    actor_id: uuid.UUID, action: AccessAction, delegation: Delegation, purpose: str, channel: str
) -> None:
    record_access(
        actor_id=actor_id,
        action=action,
        record_type="delegation",
        school_unit_id=delegation.school_unit_id,
        record_id=delegation.pk,
        purpose=purpose,
        channel=channel,
    )


def delegations_covering(
    *, delegate_id: uuid.UUID, school_unit_id: uuid.UUID, decision_type: str, day: date
) -> list[Delegation]:
    """Valid delegations for a decision on a day; the support chain checks these."""
    return list(
        delegations_in_force(
            school_unit_id=school_unit_id, decision_type=decision_type, day=day
        ).filter(delegate_id=delegate_id)
    )


def school_terms_save(
    *,
    actor_id: uuid.UUID,
    provider_id: uuid.UUID,
    school_unit_id: uuid.UUID | None,
    academic_year: int,
    autumn_last_day: date,
    spring_last_day: date,
) -> SchoolTerms:
    """The huvudman's term dates for one academic year, for all its units or for one unit
    (decision 0015): set, or changed when already set. Attributed to the administrator."""
    # update_or_create locks the row, and where two administrators add the same year at once
    # the second finds the first's row instead of failing on the unique constraint.
    values = {
        "autumn_last_day": autumn_last_day,
        "spring_last_day": spring_last_day,
        "updated_by_id": actor_id,
    }
    SchoolTerms(
        provider_id=provider_id,
        school_unit_id=school_unit_id,
        academic_year=academic_year,
        **values,
    ).full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        terms, _created = SchoolTerms.objects.update_or_create(
            provider_id=provider_id,
            school_unit_id=school_unit_id,
            academic_year=academic_year,
            defaults=values,
        )
    return terms
