"""Reading the sync's record for the administrator's page and the API."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from elevstod.sync.models import SyncRun

RECENT_RUNS = 20


def recent_runs(limit: int = RECENT_RUNS) -> list[SyncRun]:
    return list(SyncRun.objects.select_related("started_by").order_by("-started_at")[:limit])


def runs() -> QuerySet[SyncRun]:
    return SyncRun.objects.order_by("-started_at")


def run_or_none(run_id: uuid.UUID) -> SyncRun | None:
    return SyncRun.objects.filter(pk=run_id).first()
