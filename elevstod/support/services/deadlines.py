"""The huvudman's own deadlines where the law says "skyndsamt" (process.md §3, rule 4).

Every changed value is one row in the append-only access log (who, when, which huvudman,
old → new), in the same transaction as the change; ProviderDeadlines.updated_by/updated_at name
the latest change. support.due reads that history back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.support import workflow as wf
from elevstod.support.models import ProviderDeadlines

DEADLINES_RECORD_TYPE = "provider_deadlines"


@dataclass(frozen=True)
class DeadlineChange:
    name: str
    old: int
    new: int


def deadlines_for(provider_id: uuid.UUID) -> wf.DeadlineSettings:
    row = ProviderDeadlines.objects.filter(provider_id=provider_id).first()
    return row.as_settings() if row else wf.DEFAULT_DEADLINES


def deadlines_update(*, actor: User, provider_id: uuid.UUID, values: dict[str, int]) -> None:
    with transaction.atomic():
        ProviderDeadlines.objects.update_or_create(
            provider_id=provider_id, defaults={**values, "updated_by": actor}
        )


def deadlines_change(
    *, actor: User, provider_id: uuid.UUID, values: Mapping[str, int], channel: str = "web"
) -> list[DeadlineChange]:
    """Save the settings that differ from the current ones; returns what changed (maybe none)."""
    with transaction.atomic():
        row = ProviderDeadlines.objects.select_for_update().filter(provider_id=provider_id).first()
        current = row.as_settings() if row is not None else wf.DEFAULT_DEADLINES
        changes = [
            DeadlineChange(name, getattr(current, name), int(value))
            for name, value in values.items()
            if getattr(current, name) != int(value)
        ]
        if not changes:
            return []
        ProviderDeadlines.objects.update_or_create(
            provider_id=provider_id,
            defaults={**{c.name: c.new for c in changes}, "updated_by": actor},
        )
        for change in changes:
            record_access(
                actor_id=actor.pk,
                action=AccessAction.UPDATE,
                record_type=DEADLINES_RECORD_TYPE,
                record_id=provider_id,
                acting_role="provider_administrator",
                purpose=f"{change.name}: {change.old} -> {change.new}",
                channel=channel,
            )
    return changes
