import uuid

from django.db.models import QuerySet

from elevstod.organisation.models import Delegation


def delegations_for_units(unit_ids: frozenset[uuid.UUID]) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(school_unit_id__in=unit_ids)
        .select_related("delegate", "delegated_by", "school_unit", "revoked_by")
        .order_by("revoked_at", "-valid_from")
    )


def delegation_or_none(delegation_id: uuid.UUID) -> Delegation | None:
    return Delegation.objects.filter(pk=delegation_id).first()
