"""A record the user names (in a query string, a form or an API body), only if it is the pupil's:
a report links the pupil's own adaptations, an adaptation answers the pupil's own concern."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.db.models import QuerySet

from elevstod.access.lookup import parsed_id
from elevstod.support.models import PupilRecord

R = TypeVar("R", bound=PupilRecord)


def of_pupil(records: QuerySet[R], pupil_id: uuid.UUID, record_id: object) -> R | None:
    """The record named by `record_id` (typed by the user: anything may come), only if it is
    this pupil's; None otherwise."""
    record_uuid = parsed_id(str(record_id))
    if record_uuid is None:
        return None
    return records.filter(pk=record_uuid, pupil_id=pupil_id).first()
