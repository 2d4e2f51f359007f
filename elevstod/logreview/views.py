"""Log review (loggkontroll, security.md P4) and one pupil's log extract (P2)."""

import uuid
from dataclasses import dataclass
from typing import NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.lookup import get_pupil_for, parsed_id
from elevstod.access.policy import Relation, can_review_access_log
from elevstod.access.scoping import (
    pupils_at_units_visible_to,
    pupils_visible_to,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import log_review_create, record_access
from elevstod.core.parsing import uuid_or_none
from elevstod.front.search import without_nul
from elevstod.front.selectors import pupil_list
from elevstod.logreview import selectors
from elevstod.logreview.extract import log_extract_for
from elevstod.logreview.forms import LogFilterForm, LogReviewForm, PupilLogSearchForm
from elevstod.logreview.selectors import LogFilters
from elevstod.people.models import Pupil

PAGE_SIZE = 50


def _reviewable_units(ctx: UserContext) -> frozenset[uuid.UUID]:
    """The units whose log this user reviews; anyone else gets the 404 of a missing page."""
    unit_ids = frozenset(u for u in ctx.leader_units if can_review_access_log(ctx, u))
    if not unit_ids:
        raise Http404
    return unit_ids


def _deny_filter(
    ctx: UserContext, *, record_id: uuid.UUID | None, purpose: str, unit_id: uuid.UUID | None
) -> NoReturn:
    """A filter value outside the reviewer's scope: a denied row, nothing shown, the 404 of a
    missing page (security.md P1, P5)."""
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LOG_REVIEW,
        outcome=AccessOutcome.DENIED,
        record_type="access_log",
        record_id=record_id or "",
        school_unit_id=unit_id,
        purpose=purpose,
    )
    raise Http404


# What the page calls a chosen pupil the reviewer may not see today.
UNNAMED_PUPIL = gettext_lazy("en elev utanför din behörighet")


@dataclass(frozen=True)
class PupilFilter:
    """The pupil the log is narrowed to, and what the page calls them: their name only when
    the reviewer may see them today (P5, P6), as in the table's rows."""

    pupil: Pupil
    nameable: bool

    @property
    def full_name(self) -> str:
        return self.pupil.full_name if self.nameable else str(UNNAMED_PUPIL)


def _pupil_filter(ctx: UserContext, unit_ids: frozenset[uuid.UUID], raw: str) -> PupilFilter:
    """A pupil the reviewer leads today (`get_pupil_for`, which logs the review of the pupil's
    log, allowed or denied), or one their units' log names: a pupil who has left the unit, whose
    reads there the review must still cover (P3, P4). The page shows only those units' rows, as
    always. A protected pupil counts through the log only for whoever may see them (P6)."""
    pupil_id = parsed_id(raw)
    if pupil_id is None:
        raise Http404
    named = selectors.pupil_in_units_log(ctx, unit_ids, pupil_id)
    if (
        named is None
        or named.log_unit is None
        or named.led
        or (named.pupil.is_protected and not named.visible)
    ):
        access = get_pupil_for(
            ctx,
            pupil_id,
            record_type="access_log",
            action=AccessAction.LOG_REVIEW,
            purpose="log_review",
            only=frozenset({Relation.PRINCIPAL}),
        )
        return PupilFilter(access.pupil, nameable=True)
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LOG_REVIEW,
        record_type="access_log",
        record_id=pupil_id,
        pupil_id=pupil_id,
        school_unit_id=named.log_unit,
        acting_role=Relation.PRINCIPAL.value,
        purpose="log_review",
    )
    return PupilFilter(named.pupil, nameable=named.visible)


def _checked_filter_values(
    request: AuthenticatedRequest, ctx: UserContext, unit_ids: frozenset[uuid.UUID]
) -> PupilFilter | None:
    """Every id the reviewer narrows the log to goes through the access policy before anything
    is read: the unit must be one they review, the user one their units' log knows, the pupil
    one they lead or their units' log names (`_pupil_filter`, which logs the review of the
    pupil's log). The pupil when one was chosen."""
    params = request.GET
    if params.get("school_unit"):
        unit_id = uuid_or_none(params["school_unit"])
        if unit_id is None or unit_id not in unit_ids:
            # Logged at the unit asked for, so that its own leaders see the attempt.
            _deny_filter(ctx, record_id=unit_id, purpose="log_review_unit", unit_id=unit_id)
    if params.get("user"):
        user_id = uuid_or_none(params["user"])
        if user_id is None or not selectors.user_in_review_scope(unit_ids, user_id):
            _deny_filter(ctx, record_id=user_id, purpose="log_review_user", unit_id=min(unit_ids))
    if params.get("pupil"):
        return _pupil_filter(ctx, unit_ids, str(params["pupil"]))
    return None


def _filters(
    request: AuthenticatedRequest, unit_ids: frozenset[uuid.UUID]
) -> tuple[LogFilterForm, LogFilters]:
    """The filters of the query string, once `_checked_filter_values` has let them through."""
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
    if data["user_query"]:
        staff = selectors.staff_matching(unit_ids, data["user_query"])
        filters["user_ids"] = staff.values("pk")
    return form, filters


def _filter_params(params: QueryDict) -> dict[str, str]:
    """The query string's filters, without a search term (decision 0016) or the page."""
    return {k: str(params.get(k, "")) for k in params if k not in ("pupil_query", "sida")}


def _review_url(params: QueryDict, **changes: str) -> str:
    """The review page with these filters and these changes (an empty value drops a filter)."""
    query = urlencode({k: v for k, v in {**_filter_params(params), **changes}.items() if v})
    return f"{reverse('audit:log_review')}?{query}" if query else reverse("audit:log_review")


def _back_to_review(request: AuthenticatedRequest) -> HttpResponse:
    """The review page with the filters the principal looked at."""
    return redirect(_review_url(request.GET))


# At most this many pupils answer a search of the log; the reviewer then types more of the name.
SEARCH_CANDIDATES = 20


def _pupils_matching(ctx: UserContext, unit_ids: frozenset[uuid.UUID], query: str) -> list[Pupil]:
    """Pupils at the reviewer's units matching a name or personnummer; protected pupils only
    for those assigned to them (P6), as in the pupil list."""
    at_units = pupils_at_units_visible_to(ctx, unit_ids).values("pk")
    return list(pupil_list(ctx, query=query).filter(pk__in=at_units)[:SEARCH_CANDIDATES])


@login_required
def log_review(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the log, narrowed by ids and dates. POST: find a pupil by name or personnummer; one
    match narrows the log to them, several are listed to choose from."""
    ctx = context_for(request)
    unit_ids = _reviewable_units(ctx)
    if request.GET.get("pupil_query"):
        # An old link or a typed URL: the term is neither searched for nor logged.
        messages.info(request, _("Sök eleven i sökrutan. Sökningen skickas då inte i adressen."))
        return redirect(_review_url(request.GET))
    search = PupilLogSearchForm(request.POST if request.method == "POST" else None)
    candidates: list[Pupil] | None = None
    if search.is_bound and search.is_valid():
        candidates = _pupils_matching(ctx, unit_ids, search.cleaned_data["pupil_query"])
        if len(candidates) == 1:
            return redirect(_review_url(request.GET, pupil=str(candidates[0].pk)))
        record_access(
            actor_id=ctx.user_id,
            action=AccessAction.LIST,
            record_type="pupil_list",
            school_unit_id=min(unit_ids),
            purpose="log_review_search",
        )
    chosen_pupil = _checked_filter_values(request, ctx, unit_ids)
    form, filters = _filters(request, unit_ids)
    if chosen_pupil is None:
        # With a pupil, _pupil_filter has logged the review of their log.
        record_access(
            actor_id=ctx.user_id,
            action=AccessAction.LOG_REVIEW,
            record_type="access_log",
            school_unit_id=min(filters["unit_ids"]),
            acting_role=Relation.PRINCIPAL.value,
        )
    # A row names its pupil only for a reviewer who may see the pupil today (P5, P6).
    events = selectors.events_for_review(**filters).annotate(
        pupil_visible=Exists(pupils_visible_to(ctx).filter(pk=OuterRef("pupil_id")))
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "logreview/log_review.html",
        {
            "form": form,
            "search_form": search,
            "search_query": without_nul(request.POST.get("pupil_query", ""))[:100],
            "candidates": candidates,
            "chosen_pupil": chosen_pupil,
            "page": page,
            "rows": selectors.with_labels(page.object_list),
            "review_form": LogReviewForm(),
            "reviews": selectors.reviews_for_units(unit_ids),
            "querystring": urlencode(_filter_params(request.GET)),
            "clear_pupil_url": _review_url(request.GET, pupil=""),
        },
    )


@login_required
@require_POST
def log_review_record(request: AuthenticatedRequest) -> HttpResponse:
    """Record the outcome of a sample check for the filters the principal looked at."""
    ctx = context_for(request)
    unit_ids = _reviewable_units(ctx)
    _checked_filter_values(request, ctx, unit_ids)
    _form, filters = _filters(request, unit_ids)
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
