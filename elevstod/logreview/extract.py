"""One pupil's log extract (registerutdrag, security.md P2), for the page and the API alike.

Only the leaders of the pupil's unit produce it, and producing it is itself logged as an export,
so both channels ask here rather than repeating the check.
"""

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from elevstod.access.context import UserContext
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import Relation
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.logreview.selectors import events_for_pupil
from elevstod.people.models import Pupil

# An extract shows the newest rows up to this many, on the page and in the API alike.
EXTRACT_ROWS = 1000


@dataclass(frozen=True)
class LogExtract:
    pupil: Pupil
    events: QuerySet[AccessEvent]  # newest first, at most EXTRACT_ROWS


def log_extract_for(
    ctx: UserContext, pupil_id: uuid.UUID, *, purpose: str, channel: str = "web"
) -> LogExtract:
    """The pupil and their log rows, or 404 (the same for missing and forbidden, P5)."""
    access = get_pupil_for(
        ctx,
        pupil_id,
        record_type="access_log_extract",
        action=AccessAction.EXPORT,
        purpose=purpose,
        channel=channel,
        only=frozenset({Relation.PRINCIPAL}),
    )
    return LogExtract(access.pupil, events_for_pupil(access.pupil.pk)[:EXTRACT_ROWS])
