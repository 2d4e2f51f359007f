"""Start pages per role, the pupil list, the pupil page, unit and organisation overviews."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import context_for
from elevstod.access.lookup import (
    ProtectedPupilAccess,
    get_protected_pupil_for_assignment,
    get_pupil_for,
)
from elevstod.access.policy import (
    can_manage_protected_assignments,
    can_see_contact_details,
    can_view_organisation,
    can_view_unit,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.core.parsing import uuid_or_none
from elevstod.front import protected, selectors
from elevstod.front.forms import EndProtectedAssignmentForm, ProtectedAssignmentForm
from elevstod.front.search import PupilSearchForm, looks_like_identity_number, without_nul
from elevstod.people import services as people_services

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
        "providers": (
            selectors.providers_with_unit_counts(ctx) if ctx.administered_providers else []
        ),
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
    manages_protected = can_manage_protected_assignments(ctx, access.facts)
    return render(
        request,
        "front/pupil_detail.html",
        {
            "pupil": access.pupil,
            "access": access,
            "show_contact": can_see_contact_details(ctx, access.facts),
            "manages_protected": manages_protected,
            "assigned_staff": protected.assigned_staff(access.pupil) if manages_protected else [],
            **details,
        },
    )


@login_required
def unit_detail(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    if not can_view_unit(ctx, unit_id):
        raise Http404
    return render(
        request,
        "front/unit_detail.html",
        {
            **selectors.unit_overview(ctx, unit_id),
            "manages_protected": unit_id in ctx.principal_units,
        },
    )


@login_required
def unit_protected_pupils(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    """The unit's pupils with protected identity, for its rektor to assign staff to
    (decision 0019). Nobody else learns from this page that they exist."""
    ctx = context_for(request)
    if unit_id not in ctx.principal_units:
        raise Http404
    rows = protected.protected_pupils_at_unit(ctx, unit_id)
    protected.record_unit_list(ctx, unit_id)
    unit = selectors.units_named(frozenset({unit_id})).get()
    return render(request, "front/unit_protected_pupils.html", {"unit": unit, "rows": rows})


def _assignment_page(
    request: AuthenticatedRequest,
    access: ProtectedPupilAccess,
    *,
    assign_form: ProtectedAssignmentForm | None = None,
    end_form: tuple[uuid.UUID, EndProtectedAssignmentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The assignment page; a form the user sent back with errors keeps what they typed."""
    page = protected.assignment_page(context_for(request), access)
    failed_id, failed_form = end_form if end_form else (None, None)
    rows = [
        (
            assignment,
            failed_form
            if assignment.pk == failed_id
            else EndProtectedAssignmentForm(prefix=f"end-{assignment.pk}"),
        )
        for assignment in page.current
    ]
    return render(
        request,
        "front/protected_assignments.html",
        {
            "pupil_id": access.pupil.pk,
            "page": page,
            "rows": rows,
            "form": assign_form or ProtectedAssignmentForm(staff=page.staff),
        },
        status=status,
    )


@login_required
def protected_assignments(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Who is assigned to a protected pupil; POST assigns one more (decision 0019)."""
    ctx = context_for(request)
    access = get_protected_pupil_for_assignment(ctx, pupil_id, purpose="protected_assignments")
    if request.method != "POST":
        return _assignment_page(request, access)
    current = {a.user_id for a in protected.assigned_staff(access.pupil)}
    staff = protected.assignable_staff(ctx, access.school_unit_id, current)
    form = ProtectedAssignmentForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            people_services.protected_assignment_create(
                pupil=access.pupil,
                user_id=uuid.UUID(form.cleaned_data["user"]),
                reason=form.cleaned_data["reason"],
                actor_id=request.user.pk,
                school_unit_id=access.school_unit_id,
                today=ctx.today,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Personen är tilldelad eleven."))
            return redirect("front:protected_assignments", pupil_id=access.pupil.pk)
    return _assignment_page(request, access, assign_form=form, status=400)


@login_required
@require_POST
def protected_assignment_end(
    request: AuthenticatedRequest, pupil_id: uuid.UUID, assignment_id: uuid.UUID
) -> HttpResponse:
    """End one assignment: the person no longer sees the pupil; the record of it stays."""
    ctx = context_for(request)
    access = get_protected_pupil_for_assignment(ctx, pupil_id, purpose="protected_assignments")
    if assignment_id not in {a.pk for a in protected.assigned_staff(access.pupil)}:
        messages.info(request, _("Tilldelningen är redan avslutad."))
        return redirect("front:protected_assignments", pupil_id=access.pupil.pk)
    form = EndProtectedAssignmentForm(request.POST, prefix=f"end-{assignment_id}")
    if form.is_valid():
        try:
            people_services.protected_assignment_end(
                pupil=access.pupil,
                assignment_id=assignment_id,
                reason=form.cleaned_data["end_reason"],
                actor_id=request.user.pk,
                school_unit_id=access.school_unit_id,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Already ended (by someone else, or a second click): nothing left to keep.
                messages.info(request, " ".join(exc.messages))
                return redirect("front:protected_assignments", pupil_id=access.pupil.pk)
            form.add_error(None, exc)
        else:
            messages.success(request, _("Tilldelningen är avslutad."))
            return redirect("front:protected_assignments", pupil_id=access.pupil.pk)
    return _assignment_page(request, access, end_form=(assignment_id, form), status=400)


@login_required
def organisation(request: AuthenticatedRequest) -> HttpResponse:
    ctx = context_for(request)
    providers = selectors.providers_with_units(ctx)
    if not providers or not all(can_view_organisation(ctx, p.provider.pk) for p in providers):
        raise Http404
    return render(request, "front/organisation.html", {"providers": providers})
