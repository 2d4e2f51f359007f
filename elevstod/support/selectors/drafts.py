"""Read-side queries for autosaved drafts (process.md rule 7): a user's own draft of a document."""

from __future__ import annotations

import uuid

from elevstod.support.models import Draft


def own_draft(user_id: uuid.UUID | None, record_type: str, record_id: uuid.UUID) -> Draft | None:
    if user_id is None:
        return None
    return Draft.objects.filter(
        user_id=user_id, record_type=record_type, record_id=record_id
    ).first()
