"""Reads for the decision pages: the decision that closed an investigation, and the signed-in
family member's own service row.

The decision itself comes through the one door (elevstod.access.records.DECISIONS), with its
service rows and the family's own views prefetched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from elevstod.support.models import (
    Decision,
    DecisionService,
    Investigation,
    RecipientKind,
)


def closing_decision_of(investigation: Investigation) -> Decision | None:
    """The decision that closed the investigation, if any."""
    return Decision.objects.filter(investigation=investigation).order_by("-decided_on").first()


def own_service(
    services: Iterable[DecisionService], *, user_id: uuid.UUID | None, is_pupil: bool
) -> DecisionService | None:
    """The signed-in family member's own service row: a guardian only their own (matched on the
    guardian's user account), the pupil the pupil's row."""
    for service in services:
        if service.recipient_kind == RecipientKind.GUARDIAN and service.guardian is not None:
            if service.guardian.user_id is not None and service.guardian.user_id == user_id:
                return service
        elif service.recipient_kind == RecipientKind.PUPIL and is_pupil:
            return service
    return None
