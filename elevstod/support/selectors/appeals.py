"""Reads for the appeal pages. The appeal itself comes through the one door
(elevstod.access.records.APPEALS)."""

from __future__ import annotations

import uuid

from elevstod.support.models import Appeal


def appeals_of(decision_id: uuid.UUID) -> list[Appeal]:
    """The decision's appeals, the latest lodged first."""
    return list(Appeal.objects.filter(decision_id=decision_id).order_by("-lodged_on"))
