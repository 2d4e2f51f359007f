"""API v1: the SS 12000 sync's status and its runs, for the huvudman's administrator (issue 11).

The same rule as the page /synkronisering/ (`policy.can_manage_sync`): anyone else gets an empty
list and 404 `{"code": "not_found"}` for the status and a run. A run's summary is counts and
reason codes, never a person, so reading it is not logged.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from elevstod.access.context import context_for
from elevstod.access.policy import can_manage_sync
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.api.paging import ShapedPage
from elevstod.api.support import ErrorOut
from elevstod.sync import selectors, services
from elevstod.sync.models import SyncRun

router = Router(tags=["sync"])


class RefusalCountOut(Schema):
    entity: str
    reason: str
    count: int


class SyncRunOut(Schema):
    id: uuid.UUID
    kind: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    modified_after: datetime | None
    high_water_mark: datetime | None
    counts: dict[str, dict[str, int]]
    refusals: list[RefusalCountOut]
    error_code: str


class SyncStatusOut(Schema):
    configured: bool
    running: SyncRunOut | None
    last_complete: SyncRunOut | None
    latest: SyncRunOut | None


def _manager_or_404(request: AuthenticatedRequest) -> None:
    if not can_manage_sync(context_for(request)):
        raise Http404


def shape_run(run: SyncRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "kind": run.kind,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_seconds": run.duration_seconds,
        "modified_after": run.modified_after,
        "high_water_mark": run.high_water_mark,
        "counts": run.counts,
        "refusals": run.refusals,
        "error_code": run.error_code,
    }


def shape_run_row(run: SyncRun) -> dict[str, Any]:
    shaped = shape_run(run)
    assert shaped is not None
    return shaped


@router.get("/sync/status/", response={200: SyncStatusOut, 404: ErrorOut}, url_name="sync_status")
def sync_status(request: AuthenticatedRequest) -> Any:
    """Whether a provider is connected, the run in progress, the last complete run (whose
    high-water mark the next delta reads from) and the latest run."""
    _manager_or_404(request)
    latest = selectors.recent_runs(1)
    return {
        "configured": services.is_configured(),
        "running": shape_run(services.running_run()),
        "last_complete": shape_run(services.last_complete_run()),
        "latest": shape_run(latest[0] if latest else None),
    }


@router.get("/sync/runs/", response=list[SyncRunOut], url_name="list_sync_runs")
@paginate(LimitOffsetPagination)
def list_sync_runs(request: AuthenticatedRequest) -> Any:
    """Every run, newest first; an empty list for anyone but the huvudman's administrator."""
    if not can_manage_sync(context_for(request)):
        return []
    return ShapedPage(selectors.runs(), shape_run_row)


@router.get(
    "/sync/runs/{run_id}/", response={200: SyncRunOut, 404: ErrorOut}, url_name="get_sync_run"
)
def get_sync_run(request: AuthenticatedRequest, run_id: uuid.UUID) -> Any:
    _manager_or_404(request)
    run = selectors.run_or_none(run_id)
    if run is None:
        raise Http404
    return shape_run(run)
