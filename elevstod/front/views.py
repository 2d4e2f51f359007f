"""Start pages per role, the pupil list, the pupil page, unit and organisation overviews."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from elevstod.access.context import context_for
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import (
    can_see_contact_details,
    can_view_organisation,
    can_view_unit,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.core.parsing import uuid_or_none
from elevstod.front import selectors
from elevstod.front.search import PupilSearchForm, looks_like_identity_number, without_nul

PAGE_SIZE = 50


@login_required
def start(request: AuthenticatedRequest) -> HttpResponse:
    ctx = context_for(request)
    context = {
        "led_units": selectors.units_with_counts(ctx, ctx.leader_units),
        "support_units": selectors.units_with_counts(
            ctx, (ctx.support_units | ctx.eht_units) - ctx.leader_units
        ),
        "taught_groups": selectors.groups_with_pupils(ctx, ctx.taught_groups),
        "mentor_groups": selectors.groups_with_pupils(ctx, ctx.mentor_groups),
        "children": selectors.children_of(ctx) if ctx.custody_pupils else [],
        "own_pupil_id": ctx.own_pupil,
        "providers": selectors.providers_with_units(ctx) if ctx.administered_providers else [],
    }
    if context["taught_groups"] or context["mentor_groups"]:
        record_access(
            actor_id=ctx.user_id, action=AccessAction.LIST, record_type="start_page_pupils"
        )
    return render(request, "front/start.html", context)


def _pupil_list_url(unit_id: uuid.UUID | None) -> str:
    url = reverse("front:pupil_list")
    return f"{url}?{urlencode({'enhet': str(unit_id)})}" if unit_id else url


@login_required
def pupil_list(request: AuthenticatedRequest) -> HttpResponse:
    """The pupils the user may see. The search term comes by POST, so that a personnummer never
    lands in a URL (decision 0016); the unit and the page may come in the query string."""
    ctx = context_for(request)
    params = request.POST if request.method == "POST" else request.GET
    unit_id = uuid_or_none(params.get("enhet"))
    if unit_id is not None and unit_id not in ctx.staff_units:
        unit_id = None
    if request.method == "GET" and looks_like_identity_number(request.GET.get("q", "")):
        # Neither searched for, nor echoed, nor logged: the empty form and how to search.
        messages.info(request, _("Skriv personnumret i sökrutan. Det skickas då inte i adressen."))
        return redirect(_pupil_list_url(unit_id))
    form = PupilSearchForm(params)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    pupils = selectors.pupil_list(ctx, query=query, unit_id=unit_id)
    if form.errors:
        pupils = pupils.none()
    page = Paginator(pupils, PAGE_SIZE).get_page(params.get("sida"))
    if not form.errors:
        record_access(
            actor_id=ctx.user_id,
            action=AccessAction.LIST,
            record_type="pupil_list",
            school_unit_id=unit_id,
            purpose="search" if query else "",
        )
    template = "front/pupil_list.html#results" if request.htmx else "front/pupil_list.html"
    context = {
        "page": page,
        "form": form,
        "query": without_nul(params.get("q", ""))[:100],
        "unit_id": unit_id,
        "units": selectors.units_named(ctx.staff_units),
        # Turning the page keeps the unit in the link, and the search in a POST (the template).
        "querystring": urlencode({"enhet": str(unit_id)} if unit_id else {}),
    }
    return render(request, template, context)


@login_required
def pupil_detail(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    access = get_pupil_for(ctx, pupil_id, purpose="pupil_page")
    details = selectors.pupil_page_details(ctx, access.pupil)
    return render(
        request,
        "front/pupil_detail.html",
        {
            "pupil": access.pupil,
            "access": access,
            "show_contact": can_see_contact_details(ctx, access.facts),
            **details,
        },
    )


@login_required
def unit_detail(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    if not can_view_unit(ctx, unit_id):
        raise Http404
    return render(request, "front/unit_detail.html", selectors.unit_overview(ctx, unit_id))


@login_required
def organisation(request: AuthenticatedRequest) -> HttpResponse:
    ctx = context_for(request)
    providers = selectors.providers_with_units(ctx)
    if not providers or not all(can_view_organisation(ctx, p.provider.pk) for p in providers):
        raise Http404
    return render(request, "front/organisation.html", {"providers": providers})
