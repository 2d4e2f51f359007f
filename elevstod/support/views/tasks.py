"""What is due from me ("Mina uppgifter") and the huvudman's deadline settings (process.md §3)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from elevstod.access.context import context_for
from elevstod.access.policy import can_edit_deadlines
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.core.parsing import uuid_or_none
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.due import (
    DueItem,
    deadline_history,
    deadline_rows,
    due_for_user,
    group_by_when,
)
from elevstod.support.forms.tasks import DEADLINE_FIELDS, DeadlineSettingsForm
from elevstod.support.labels import DEADLINE_BASIS_LABELS, TASK_KIND_LABELS
from elevstod.support.links import Links

MY_TASKS = "support/tasks/my_tasks.html"


@login_required
def my_tasks(request: AuthenticatedRequest) -> HttpResponse:
    """Everything due from the signed-in staff member, overdue first; `?typ=` filters by kind.

    The list names pupils, so it is one LIST row in the access log (security.md P1), for the
    page and for its htmx fragment alike.
    """
    ctx = context_for(request)
    if ctx.user_id is None or not ctx.is_staff_member:
        raise Http404
    today = timezone.localdate()
    items = due_for_user(user_id=ctx.user_id, ctx=ctx, today=today)
    kind = _kind_or_none(request.GET.get("typ"))
    shown = [item for item in items if kind is None or item.kind is kind]
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type="due_tasks",
        purpose=f"filter:{kind}" if kind else "",
    )
    counts = Counter(item.kind for item in items)
    context = {
        "today": today,
        "kind": kind.value if kind else "",
        "kinds": [
            {"value": k.value, "label": TASK_KIND_LABELS[k], "count": counts[k]}
            for k in wf.TaskKind
        ],
        "total": len(items),
        "shown": len(shown),
        "overdue": sum(1 for item in shown if item.overdue),
        "groups": _groups(shown, today),
    }
    template = f"{MY_TASKS}#task_list" if request.htmx else MY_TASKS
    return render(request, template, context)


@login_required
def deadline_settings(request: AuthenticatedRequest) -> HttpResponse:
    """The huvudman's own deadlines; the law says "skyndsamt" and the huvudman says how many
    days (process.md rule 4). Only the huvudman's administrators reach this page."""
    ctx = context_for(request)
    if not ctx.administered_providers:
        raise Http404
    bound: dict[uuid.UUID, DeadlineSettingsForm] = {}
    if request.method == "POST":
        provider_id = uuid_or_none(request.POST.get("provider"))
        if provider_id is None or not can_edit_deadlines(ctx, provider_id):
            raise Http404
        form = DeadlineSettingsForm(request.POST, prefix=str(provider_id))
        if form.is_valid():
            changes = services.deadlines_change(
                actor=request.user,
                provider_id=provider_id,
                values=form.cleaned_data,
            )
            if changes:
                messages.success(request, _("Tidsfristerna är sparade."))
            else:
                messages.info(request, _("Inget ändrades: tidsfristerna var redan de angivna."))
            return redirect("support:deadline_settings")
        bound[provider_id] = form
    history = deadline_history(ctx.administered_providers)
    labels = {setting.name: setting.label for setting in DEADLINE_FIELDS}
    providers = [
        {
            "provider": provider,
            "saved": saved,
            "form": bound.get(provider.pk)
            or DeadlineSettingsForm(
                initial=DeadlineSettingsForm.initial_from(saved), prefix=str(provider.pk)
            ),
            "history": [
                {"entry": entry, "label": labels.get(entry.name, entry.name)}
                for entry in history.get(provider.pk, [])
            ],
        }
        for provider, saved in deadline_rows(ctx.administered_providers)
    ]
    status = 400 if bound else 200
    return render(
        request, "support/tasks/deadline_settings.html", {"providers": providers}, status=status
    )


def _groups(items: list[DueItem], today: date) -> list[dict[str, object]]:
    titles = {
        "overdue": _("Försenade"),
        "this_week": _("Den här veckan"),
        "later": _("Senare"),
    }
    grouped = group_by_when(items, today)
    links = Links()  # each row links to its pupil: one reverse() for them all
    return [
        {
            "key": key,
            "title": titles[key],
            "rows": [
                {
                    "item": item,
                    "day": item.due_on.isoformat(),
                    "days_late": (today - item.due_on).days,
                    "basis": DEADLINE_BASIS_LABELS[item.basis],
                    "pupil_url": links("front:pupil_detail", "pupil_id", item.pupil_id),
                }
                for item in grouped[key]
            ],
        }
        for key in ("overdue", "this_week", "later")
    ]


def _kind_or_none(raw: str | None) -> wf.TaskKind | None:
    try:
        return wf.TaskKind(raw) if raw else None
    except ValueError:
        return None
