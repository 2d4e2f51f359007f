"""Interventions: recorded by the special educator who did the work (seed 001 §§ 4, 6, 8)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from elevstod.access.context import UserContext, context_for
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import can_record_special_education
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.models import SchoolUnit
from elevstod.specialed import lookups, rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.forms import InterventionFilterForm, InterventionForm
from elevstod.specialed.models import Intervention
from elevstod.specialed.pages import posted, saved

PAGE_SIZE = 25
FORM = "specialed/intervention_form.html"


def _chosen_filter(form: InterventionFilterForm) -> sel.InterventionFilter | None:
    """The filter the list's form asks for; None when the form has errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return sel.InterventionFilter(
        date_from=data["fran"],
        date_to=data["till"],
        level=data["niva"],
        kind=data["typ"],
        performer_id=uuid.UUID(data["av"]) if data["av"] else None,
    )


@login_required
def intervention_list(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    """The unit's interventions, newest first, with the totals per level and kind that the
    report to the rektor uses. Names pupils, so it is one LIST row in the access log."""
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True, review=True)
    params = request.GET.copy()
    params.pop("sida", None)
    form = InterventionFilterForm(
        params or None, performers=sel.special_educators_at(unit.pk, ctx.today)
    )
    chosen = (_chosen_filter(form) if params else None) or sel.InterventionFilter()
    filtered = chosen != sel.InterventionFilter()
    queryset = sel.interventions_at(ctx, unit.pk, chosen)
    page = Paginator(sel.intervention_page_rows(queryset, ctx), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type="special_education_interventions",
        school_unit_id=unit.pk,
        purpose="filtered" if filtered else "",
    )
    return render(
        request,
        "specialed/intervention_list.html",
        {
            "unit": unit,
            "form": form,
            "figures": sel.figures_of(queryset),
            "page": page,
            "querystring": params.urlencode(),
            "filtered": filtered,
            "may_record": can_record_special_education(ctx, unit.pk),
            "user_id": ctx.user_id,
        },
        status=400 if params and form.errors else 200,
    )


def _form(
    request: AuthenticatedRequest,
    ctx: UserContext,
    unit: SchoolUnit,
    *,
    instance: Intervention | None = None,
) -> InterventionForm:
    initial: dict[str, Any]
    if instance is None:
        initial = {"performed_on": ctx.today}
    else:
        initial = {name: getattr(instance, name) for name in services.INTERVENTION_FIELDS}
    return InterventionForm(
        posted(request),
        initial=initial,
        pupils=sel.pupil_choices(ctx, unit.pk),
        groups=sel.group_choices(unit.pk, ctx.today, also=instance.group_id if instance else None),
        goals=sel.goal_choices(unit.pk, ctx.today, also=instance.goal_id if instance else None),
        today=ctx.today,
    )


def _render_form(
    request: AuthenticatedRequest,
    ctx: UserContext,
    unit: SchoolUnit,
    form: InterventionForm,
    *,
    instance: Intervention | None = None,
) -> HttpResponse:
    # The form lists the unit's pupils by name: one LIST row (security.md P1).
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type="special_education_pupil_choices",
        school_unit_id=unit.pk,
    )
    return render(
        request,
        FORM,
        {"unit": unit, "form": form, "intervention": instance},
        status=400 if form.is_bound else 200,
    )


def _check_pupil(ctx: UserContext, form: InterventionForm, purpose: str) -> None:
    """The chosen pupil is checked and logged by the one door (elevstod.access.lookup); the
    form only offered pupils the user may see, so this refuses only a tampered request."""
    pupil = form.cleaned_data.get("pupil")
    if pupil is not None:
        get_pupil_for(ctx, pupil.pk, record_type=services.INTERVENTION_RECORD, purpose=purpose)


def _intervention_form(
    request: AuthenticatedRequest,
    ctx: UserContext,
    unit: SchoolUnit,
    *,
    instance: Intervention | None = None,
) -> HttpResponse:
    """A new intervention (no `instance`) or a change to one's own; saved when valid."""
    form = _form(request, ctx, unit, instance=instance)
    if form.is_valid():
        _check_pupil(ctx, form, "intervention_edit" if instance else "intervention_create")
        values = form.cleaned_data
        try:
            if instance is None:
                services.intervention_create(
                    actor=request.user, school_unit_id=unit.pk, values=values
                )
            else:
                services.intervention_update(
                    actor=request.user, intervention=instance, values=values
                )
        except rules.RuleError as refusal:
            form.add_error(None, refusal.message)
        else:
            if instance is None:
                message = _("Insatsen är dokumenterad.")
                return saved(request, message, "specialed:intervention_list", unit_id=unit.pk)
            message = _("Ändringen är sparad.")
            return saved(
                request, message, "specialed:intervention_detail", intervention_id=instance.pk
            )
    return _render_form(request, ctx, unit, form, instance=instance)


@login_required
def intervention_create(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True)
    return _intervention_form(request, ctx, unit)


@login_required
def intervention_detail(request: AuthenticatedRequest, intervention_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    intervention = lookups.intervention_for(ctx, intervention_id, purpose="intervention_page")
    return render(
        request,
        "specialed/intervention_detail.html",
        {
            "intervention": intervention,
            "unit": intervention.school_unit,
            "may_edit": intervention.created_by_id == ctx.user_id
            and can_record_special_education(ctx, intervention.school_unit_id),
        },
    )


@login_required
def intervention_edit(request: AuthenticatedRequest, intervention_id: uuid.UUID) -> HttpResponse:
    """Only one's own entries, attributed with updated_by; nobody deletes another's work."""
    ctx = context_for(request)
    intervention = lookups.intervention_for(
        ctx, intervention_id, edit=True, purpose="intervention_edit"
    )
    return _intervention_form(request, ctx, intervention.school_unit, instance=intervention)
