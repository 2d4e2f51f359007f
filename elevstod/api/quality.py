"""API v1: the huvudman's quality summary, the same suppressed figures as /kvalitet/huvudman/."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Schema

from elevstod.access import policy
from elevstod.access.context import UserContext, context_for
from elevstod.api.auth import channel_of
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.models import EducationProvider
from elevstod.quality import periods, selectors
from elevstod.quality import suppression as sup

router = Router(tags=["quality"])


class CellOut(Schema):
    """A published count. `shown` is "value", "few" (built from fewer than five pupils, shown
    as "<5") or "hidden" (hidden so that a "<5" cannot be worked out from the total)."""

    value: int | None
    shown: str
    text: str


class ShareOut(Schema):
    yes: CellOut
    n: CellOut
    share: float | None


class StepOut(Schema):
    median_days: float | None
    cases: CellOut
    within_deadline: CellOut
    share_within_deadline: float | None


class UnitOut(Schema):
    school_unit_id: uuid.UUID | None
    name: str
    as_of: date | None
    counts: dict[str, CellOut]
    shares: dict[str, ShareOut]
    promptness: dict[str, StepOut]


class SummaryOut(Schema):
    provider_id: uuid.UUID
    provider_name: str
    period: str
    threshold: int
    total: UnitOut
    units: list[UnitOut]


def _cell(cell: sup.Published) -> dict[str, object]:
    return {"value": cell.value, "shown": cell.shown.value, "text": cell.text}


def _unit(row: selectors.UnitRow) -> dict[str, object]:
    return {
        "school_unit_id": row.unit_id,
        "name": row.name,
        "as_of": row.as_of,
        "counts": {key: _cell(cell) for key, cell in row.counts.items()},
        "shares": {
            key: {"yes": _cell(s.yes), "n": _cell(s.n), "share": s.share}
            for key, s in row.shares.items()
        },
        "promptness": {
            key: {
                "median_days": step.median,
                "cases": _cell(step.cases),
                "within_deadline": _cell(step.within.yes),
                "share_within_deadline": step.within.share,
            }
            for key, step in row.promptness.items()
        },
    }


@router.get("/quality/summary/", response=SummaryOut, url_name="quality_summary")
def quality_summary(
    request: HttpRequest,
    school_unit: uuid.UUID | None = None,
    period: str | None = None,
    huvudman: uuid.UUID | None = None,
) -> HttpResponse:
    """The huvudman's quality figures per school unit and in total, for a school year
    (`period`, e.g. "2026/27"; default the current one). `school_unit` gives one unit's row,
    cut from the huvudman-wide table so that its suppression is the same. No personal data."""
    ctx = context_for(request)
    provider_id = _provider_asked_for(ctx, school_unit, huvudman)
    provider = selectors.provider(provider_id)
    if provider is None:
        raise Http404
    today = timezone.localdate()
    chosen = periods.find(period, today, periods.school_years(today))
    if chosen is None:
        raise Http404
    version = selectors.table_version(provider_id, chosen)
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.VIEW,
        record_type="quality_summary",
        school_unit_id=school_unit,
        purpose=f"period:{chosen.key}",
        channel=channel_of(request),
    )
    # The answer is the same for everyone until the figures change: kept with their version.
    digest = hashlib.sha256(f"{chosen.key}|{version}|{school_unit}".encode()).hexdigest()[:32]
    key = f"quality:api:{provider_id}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return HttpResponse(cached, content_type="application/json")
    table = selectors.provider_table_cached(provider_id, chosen, today, version)
    # Built here to the schema above (the OpenAPI document and the tests hold it to it):
    # validating 170 units' cells through the schema took longer than computing them.
    response = JsonResponse(
        _summary(provider, chosen, table, school_unit), encoder=DjangoJSONEncoder
    )
    cache.set(key, response.content, selectors.CACHE_SECONDS)
    return response


def _provider_asked_for(
    ctx: UserContext, school_unit: uuid.UUID | None, huvudman: uuid.UUID | None
) -> uuid.UUID:
    """The huvudman of `school_unit`, or the one named, or the reader's own; 404 unless the
    reader administers it."""
    if school_unit is not None:
        provider_id = selectors.provider_of_unit(school_unit)
    else:
        provider_id = huvudman or (
            min(ctx.administered_providers) if ctx.administered_providers else None
        )
    if provider_id is None or not policy.can_view_provider_quality(ctx, provider_id):
        raise Http404
    return provider_id


def _summary(
    provider: EducationProvider,
    period: periods.Period,
    table: selectors.ProviderTable,
    school_unit: uuid.UUID | None,
) -> dict[str, object]:
    units = [row for row in table.units if school_unit is None or row.unit_id == school_unit]
    return {
        "provider_id": provider.pk,
        "provider_name": provider.name,
        "period": period.key,
        "threshold": sup.THRESHOLD,
        "total": _unit(table.total),
        "units": [_unit(row) for row in units],
    }
