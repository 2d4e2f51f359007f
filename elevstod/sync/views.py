"""The huvudman administrator's view of the SS 12000 sync, and the button that starts one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import context_for
from elevstod.access.policy import can_manage_sync
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.sync import selectors, services
from elevstod.sync.mapping import ENTITY_LABELS, OUTCOME_LABELS, refusal_label
from elevstod.sync.models import SyncTrigger
from elevstod.sync.tasks import sync_ss12000


def _require_manager(request: AuthenticatedRequest) -> None:
    if not can_manage_sync(context_for(request)):
        raise Http404


@login_required
def sync_runs(request: AuthenticatedRequest) -> HttpResponse:
    _require_manager(request)
    runs = selectors.recent_runs()
    latest = runs[0] if runs else None
    rows = [
        {
            "label": ENTITY_LABELS.get(entity, entity),
            "counts": [counts.get(outcome, 0) for outcome in OUTCOME_LABELS],
        }
        for entity, counts in (latest.counts if latest else {}).items()
    ]
    refusals = [
        {
            "entity": ENTITY_LABELS.get(row["entity"], row["entity"]),
            "reason": refusal_label(row["reason"]),
            "count": row["count"],
        }
        for row in (latest.refusals if latest else [])
    ]
    context = {
        "runs": runs,
        "latest": latest,
        "rows": rows,
        "outcomes": list(OUTCOME_LABELS.values()),
        "refusals": refusals,
        "configured": services.is_configured(),
        "running": services.running_run(),
        "last_complete": services.last_complete_run(),
    }
    return render(request, "sync/runs.html", context)


@login_required
@require_POST
def sync_start(request: AuthenticatedRequest) -> HttpResponse:
    """Start a sync now: changes since the last complete run, or everything (``full``)."""
    _require_manager(request)
    if not services.is_configured():
        messages.error(request, _("Ingen SS 12000-leverantör är ansluten (ELEVSTOD_SS12000_URL)."))
        return redirect("sync:runs")
    full = request.POST.get("kind") == "full"
    try:
        run = services.start_run(full=full, trigger=SyncTrigger.PAGE, started_by_id=request.user.pk)
    except services.SyncAlreadyRunningError:
        messages.error(request, _("En synkronisering pågår redan. Vänta tills den är klar."))
        return redirect("sync:runs")
    sync_ss12000.enqueue(full=full, run_id=str(run.pk))
    messages.success(
        request,
        _("Synkroniseringen är startad. Sidan visar resultatet när den är klar."),
    )
    return redirect("sync:runs")
