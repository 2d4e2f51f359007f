"""Log review (loggkontroll, security.md P4) and one pupil's log extract (P2)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import Relation, can_review_access_log
from elevstod.audit import selectors
from elevstod.audit.forms import LogFilterForm, LogReviewForm
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import log_review_create, record_access
from elevstod.audit.selectors import staff_matching
from elevstod.front.selectors import pupil_list

PAGE_SIZE = 50


def _filters(
    request: HttpRequest, ctx: UserContext, unit_ids: frozenset[uuid.UUID]
) -> tuple[LogFilterForm, dict]:
    form = LogFilterForm(request.GET or None, unit_ids=unit_ids)
    filters: dict = {"unit_ids": unit_ids}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["school_unit"]:
            filters["unit_ids"] = frozenset({data["school_unit"].pk})
        filters.update(
            pupil_id=data["pupil"],
            user_id=data["user"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            denied_only=data["denied_only"],
        )
        if data["pupil_query"]:
            # Only pupils the reviewer may see: protected pupils stay out of the search (P6).
            filters["pupil_ids"] = pupil_list(ctx, query=data["pupil_query"]).values("pk")
        if data["user_query"]:
            filters["user_ids"] = staff_matching(unit_ids, data["user_query"]).values("pk")
    return form, filters


@login_required
def log_review(request: HttpRequest) -> HttpResponse:
    ctx = context_for(request)
    unit_ids = frozenset(u for u in ctx.leader_units if can_review_access_log(ctx, u))
    if not unit_ids:
        raise Http404
    form, filters = _filters(request, ctx, unit_ids)
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LOG_REVIEW,
        record_type="access_log",
        school_unit_id=min(filters["unit_ids"]),
        pupil_id=filters.get("pupil_id"),
        acting_role=Relation.PRINCIPAL.value,
    )
    events = selectors.events_for_review(**filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("sida"))
    page.object_list = selectors.with_labels(list(page.object_list))
    return render(
        request,
        "audit/log_review.html",
        {
            "form": form,
            "page": page,
            "review_form": LogReviewForm(),
            "reviews": selectors.reviews_for_units(unit_ids),
            "assigned": ctx.protected_assignments,
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def log_review_record(request: HttpRequest) -> HttpResponse:
    """Record the outcome of a sample check for the filters the principal looked at."""
    ctx = context_for(request)
    unit_ids = frozenset(u for u in ctx.leader_units if can_review_access_log(ctx, u))
    if not unit_ids:
        raise Http404
    _form, filters = _filters(request, ctx, unit_ids)
    review_form = LogReviewForm(request.POST)
    if (
        not review_form.is_valid()
        or not filters.get("period_start")
        or not filters.get("period_end")
    ):
        messages.error(
            request,
            _("Välj en period (från och till) och ett resultat innan kontrollen registreras."),
        )
        return redirect(f"{request.path.replace('registrera/', '')}?{request.GET.urlencode()}")
    events = selectors.events_for_review(**filters)
    log_review_create(
        reviewer=request.user,
        school_unit_id=min(filters["unit_ids"]),
        period_start=filters["period_start"],
        period_end=filters["period_end"],
        pupil_id=filters.get("pupil_id"),
        reviewed_user_id=filters.get("user_id"),
        events_seen=events.count(),
        outcome=review_form.cleaned_data["outcome"],
        note=review_form.cleaned_data["note"],
    )
    messages.success(request, _("Loggkontrollen är registrerad."))
    return redirect(f"{request.path.replace('registrera/', '')}?{request.GET.urlencode()}")


@login_required
def pupil_log_extract(request: HttpRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Registerutdrag: who has read this pupil's data. Produced by the unit's leaders."""
    ctx = context_for(request)
    access = get_pupil_for(
        ctx,
        pupil_id,
        record_type="access_log_extract",
        action=AccessAction.EXPORT,
        purpose="log_extract",
        only=frozenset({Relation.PRINCIPAL}),
    )
    events = selectors.with_labels(list(selectors.events_for_pupil(access.pupil.pk)[:1000]))
    return render(
        request, "audit/pupil_log_extract.html", {"pupil": access.pupil, "events": events}
    )
