"""Read-side queries for the investigation (SL 3 kap. 7 §): its investigators, and its state.
Who may be named to investigate is elevstod.support.staff's (responsible_staff)."""

from __future__ import annotations

from django.db.models import Q

from elevstod.accounts.models import User
from elevstod.support.models import Investigation

# An investigation has no state column: it is open, assessed (awaiting the decision), or closed
# by one of the two decisions (process.md §2.5). The list twin of `investigation_state`.
INVESTIGATION_STATES: dict[str, Q] = {
    "open": Q(assessed_on__isnull=True, closed_on__isnull=True),
    "assessed": Q(assessed_on__isnull=False, closed_on__isnull=True),
    "closed": Q(closed_on__isnull=False),
}


def investigation_state(investigation: Investigation) -> str:
    if investigation.closed_on is not None:
        return "closed"
    return "assessed" if investigation.assessed_on is not None else "open"


def investigators_of(investigation: Investigation) -> list[User]:
    """By name, from what elevstod.access.records prefetched (no query)."""
    return sorted(
        investigation.investigators.all(), key=lambda person: (person.last_name, person.first_name)
    )
