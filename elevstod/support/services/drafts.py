"""Autosaved drafts: what a user is typing, kept until they save or discard it (rule 7)."""

from __future__ import annotations

import uuid
from typing import Any

from elevstod.accounts.models import User
from elevstod.support.models import Draft


def draft_autosave(
    *, user: User, record_type: str, record_id: uuid.UUID, base_version: int, data: dict[str, Any]
) -> Draft:
    """Keep what the user is typing (rule 7). The document itself changes only on save."""
    draft, _created = Draft.objects.update_or_create(
        user=user,
        record_type=record_type,
        record_id=record_id,
        defaults={"base_version": base_version, "data": data},
    )
    return draft


def draft_discard(*, user: User, record_type: str, record_id: uuid.UUID) -> None:
    """Forget the user's draft: on discard, and once the document itself is saved."""
    Draft.objects.filter(user=user, record_type=record_type, record_id=record_id).delete()
