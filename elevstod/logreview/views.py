"""Log review (loggkontroll, security.md P4) and one pupil's log extract (P2)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.policy import Relation, can_review_access_log
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import log_review_create, record_access
from elevstod.front.selectors import pupil_list
from elevstod.logreview import selectors
from elevstod.logreview.extract import log_extract_for
from elevstod.logreview.forms import LogFilterForm, LogReviewForm
from elevstod.logreview.selectors import LogFilters

PAGE_SIZE = 50


def _reviewable_units(ctx: UserContext) -> frozenset[uuid.UUID]:
    """The units whose log this user reviews; anyone else gets the 404 of a missing page."""
    unit_ids = frozenset(u for u in ctx.leader_units if can_review_access_log(ctx, u))
    if not unit_ids:
        raise Http404
    return unit_ids


def _filters(
    request: AuthenticatedRequest, ctx: UserContext, unit_ids: frozenset[uuid.UUID]
) -> tuple[LogFilterForm, LogFilters]:
    form = LogFilterForm(request.GET or None, unit_ids=unit_ids)
    if not (form.is_bound and form.is_valid()):
        return form, {"unit_ids": unit_ids}
    data = form.cleaned_data
    filters: LogFilters = {
        "unit_ids": frozenset({data["school_unit"].pk}) if data["school_unit"] else unit_ids,
        "pupil_id": data["pupil"],
        "user_id": data["user"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "denied_only": data["denied_only"],
    }
    if data["pupil_query"]:
        # Only pupils the reviewer may see: protected pupils stay out of the search (P6).
        filters["pupil_ids"] = pupil_list(ctx, query=data["pupil_query"]).values("pk")
    if data["user_query"]:
        staff = selectors.staff_matching(unit_ids, data["user_query"])
        filters["user_ids"] = staff.values("pk")
    return form, filters


def _back_to_review(request: AuthenticatedRequest) -> HttpResponse:
    """The review page with the filters the principal looked at."""
    return redirect(f"{reverse('audit:log_review')}?{request.GET.urlencode()}")


@login_required
def log_review(request: AuthenticatedRequest) -> HttpResponse:
    ctx = context_for(request)
    unit_ids = _reviewable_units(ctx)
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
    return render(
        request,
        "logreview/log_review.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.with_labels(page.object_list),
            "review_form": LogReviewForm(),
            "reviews": selectors.reviews_for_units(unit_ids),
            "assigned": ctx.protected_assignments,
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def log_review_record(request: AuthenticatedRequest) -> HttpResponse:
    """Record the outcome of a sample check for the filters the principal looked at."""
    ctx = context_for(request)
    unit_ids = _reviewable_units(ctx)
    _form, filters = _filters(request, ctx, unit_ids)
    review_form = LogReviewForm(request.POST)
    period_start, period_end = filters.get("period_start"), filters.get("period_end")
    if not review_form.is_valid() or not period_start or not period_end:
        messages.error(
            request,
            _("Välj en period (från och till) och ett resultat innan kontrollen registreras."),
        )
        return _back_to_review(request)
    log_review_create(
        reviewer_id=request.user.pk,
        school_unit_id=min(filters["unit_ids"]),
        period_start=period_start,
        period_end=period_end,
        pupil_id=filters.get("pupil_id"),
        reviewed_user_id=filters.get("user_id"),
        events_seen=selectors.events_for_review(**filters).count(),
        outcome=review_form.cleaned_data["outcome"],
        note=review_form.cleaned_data["note"],
    )
    messages.success(request, _("Loggkontrollen är registrerad."))
    return _back_to_review(request)


@login_required
def pupil_log_extract(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Registerutdrag: who has read this pupil's data. Produced by the unit's leaders."""
    extract = log_extract_for(context_for(request), pupil_id, purpose="log_extract")
    return render(
        request,
        "logreview/pupil_log_extract.html",
        {"pupil": extract.pupil, "rows": selectors.with_labels(extract.events)},
    )
