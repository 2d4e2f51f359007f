import uuid
from datetime import date

from django.db.models import Q, QuerySet

from elevstod.organisation.models import Delegation


def delegations_for_units(unit_ids: frozenset[uuid.UUID]) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(school_unit_id__in=unit_ids)
        .select_related("delegate", "delegated_by", "school_unit", "revoked_by")
        .order_by("revoked_at", "-valid_from")
    )


def delegation_or_none(delegation_id: uuid.UUID) -> Delegation | None:
    return Delegation.objects.filter(pk=delegation_id).first()


def delegations_in_force(
    *, school_unit_id: uuid.UUID, decision_type: str, day: date
) -> QuerySet[Delegation]:
    """The unit's delegations of `decision_type` that cover `day` and are not revoked: who,
    besides the rektor, may take that decision on that day (SL 2 kap. 10 §)."""
    in_force = Q(valid_from__lte=day, valid_until__gte=day, revoked_at__isnull=True)
    return Delegation.objects.filter(
        in_force, school_unit_id=school_unit_id, decision_type=decision_type
    )
