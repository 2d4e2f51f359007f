"""The routines of the quality system (seed 001 §§ 1, 7, 9): list, read, write, revise, review.

Routines hold no pupil data, so reading one writes no access-log row; every change is
attributed on the routine and kept in its history. A user without access gets the same 404 as
for a routine that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from elevstod.access import policy
from elevstod.access.context import UserContext, context_for
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.accounts.models import User
from elevstod.core.parsing import uuid_or_none
from elevstod.organisation.models import EducationProvider, SchoolUnit
from elevstod.routines import rules, selectors, services
from elevstod.routines.diff import field_diff
from elevstod.routines.forms import ReviewForm, RevisionForm, RoutineForm
from elevstod.routines.models import Routine, RoutineCategory, RoutineVersion
from elevstod.routines.permissions import can_manage_routine, can_read_routine

T = "routines/"


@dataclass(frozen=True)
class Scope:
    """Where routines apply: one school unit, or the huvudman (all its units)."""

    unit: SchoolUnit | None = None
    provider: EducationProvider | None = None

    @property
    def name(self) -> str:
        if self.unit is not None:
            return self.unit.name
        assert self.provider is not None
        return self.provider.name

    @property
    def query(self) -> str:
        params = QueryDict(mutable=True)
        if self.unit is not None:
            params["enhet"] = str(self.unit.pk)
        elif self.provider is not None:
            params["huvudman"] = str(self.provider.pk)
        return params.urlencode()

    @property
    def key(self) -> str:
        chosen = self.unit or self.provider
        return str(chosen.pk) if chosen is not None else ""


def _chosen(
    params: QueryDict, units: list[SchoolUnit], providers: list[EducationProvider]
) -> Scope:
    """The scope the query asks for among those offered; the first one when none is asked.

    Asking for a unit or huvudman that is not offered is the same 404 as a missing one.
    """
    unit_id, provider_id = params.get("enhet"), params.get("huvudman")
    if unit_id is not None:
        unit = next((u for u in units if u.pk == uuid_or_none(unit_id)), None)
        if unit is None:
            raise Http404
        return Scope(unit=unit)
    if provider_id is not None:
        provider = next((p for p in providers if p.pk == uuid_or_none(provider_id)), None)
        if provider is None:
            raise Http404
        return Scope(provider=provider)
    if units:
        return Scope(unit=units[0])
    if providers:
        return Scope(provider=providers[0])
    raise Http404


def _readable_scopes(ctx: UserContext) -> tuple[list[SchoolUnit], list[EducationProvider]]:
    units = selectors.units_by_id(u for u in ctx.staff_units if policy.can_read_routines(ctx, u))
    providers = selectors.providers_by_id(
        p for p in ctx.administered_providers if policy.can_manage_provider_routines(ctx, p)
    )
    return units, providers


def _managed_scopes(ctx: UserContext) -> tuple[list[SchoolUnit], list[EducationProvider]]:
    units = selectors.units_by_id(
        u for u in ctx.leader_units if policy.can_manage_unit_routines(ctx, u)
    )
    providers = selectors.providers_by_id(
        p for p in ctx.administered_providers if policy.can_manage_provider_routines(ctx, p)
    )
    return units, providers


def _review_row(routine: Routine, today: date) -> dict[str, Any]:
    return {
        "routine": routine,
        "version": routine.current_version,
        "state": rules.review_state(routine.review_by, today).value,
        "days_left": max(0, (routine.review_by - today).days),
        "days_late": max(0, (today - routine.review_by).days),
    }


def _owner_choices(
    unit_id: uuid.UUID | None, provider_id: uuid.UUID | None, today: date
) -> QuerySet[User]:
    """Who may own a routine of the unit, or of the huvudman (a routine belongs to one)."""
    if unit_id is not None:
        return selectors.owner_choices_for_unit(unit_id, today)
    assert provider_id is not None
    return selectors.owner_choices_for_provider(provider_id, today)


def _default_review_by(today: date) -> date:
    return today + timedelta(days=rules.DEFAULT_REVIEW_INTERVAL_DAYS)


# ----------------------------------------------------------------------------- list


def _category_groups(routines: list[Routine], today: date) -> list[dict[str, Any]]:
    return [
        {
            "value": group.value,
            "label": group.label,
            "required": group.required,
            "rows": [_review_row(routine, today) for routine in group.routines],
        }
        for group in selectors.group_by_category(routines)
    ]


def _missing_required(routines: list[Routine]) -> list[dict[str, Any]]:
    """The required routines (seed 001 §§ 1, 7, 9) that none of `routines` covers."""
    return [
        {
            "value": category,
            "label": RoutineCategory(category).label,
            "why": rules.REQUIRED_CATEGORIES[category],
        }
        for category in rules.missing_categories({routine.category for routine in routines})
    ]


def _coverage_rows(coverage: list[selectors.UnitCoverage]) -> list[dict[str, Any]]:
    return [
        {
            "unit": row.unit,
            "missing": [RoutineCategory(c).label for c in row.missing],
            "overdue": row.overdue,
        }
        for row in coverage
    ]


@login_required
def routine_list(request: AuthenticatedRequest) -> HttpResponse:
    """The routines in force at a unit (its own and the huvudman's), by area, with the required
    ones that are missing (seed 001 §§ 1, 7, 9). The huvudman sees its own routines and which
    required routines each unit lacks."""
    ctx = context_for(request)
    units, providers = _readable_scopes(ctx)
    scope = _chosen(request.GET, units, providers)
    today = ctx.today
    coverage = None
    if scope.unit is not None:
        routines = selectors.routines_in_force_at_unit(scope.unit)
        may_create = policy.can_manage_unit_routines(ctx, scope.unit.pk)
    else:
        assert scope.provider is not None
        routines = selectors.routines_of_provider(scope.provider.pk)
        may_create = policy.can_manage_provider_routines(ctx, scope.provider.pk)
        if policy.can_view_provider_quality(ctx, scope.provider.pk):
            coverage = selectors.coverage_of_provider(scope.provider.pk, today)
    states = [rules.review_state(routine.review_by, today) for routine in routines]
    return render(
        request,
        T + "routine_list.html",
        {
            "scope": scope,
            "scopes": [Scope(unit=u) for u in units] + [Scope(provider=p) for p in providers],
            "groups": _category_groups(routines, today),
            "missing": _missing_required(routines),
            "total": len(routines),
            "overdue": states.count(rules.ReviewState.OVERDUE),
            "due_soon": states.count(rules.ReviewState.DUE_SOON),
            "may_create": may_create,
            "coverage": _coverage_rows(coverage or []),
            "show_coverage": coverage is not None,
            "warning_days": rules.REVIEW_WARNING_DAYS,
        },
    )


# ----------------------------------------------------------------------------- the form


def _routine_form_page(
    request: AuthenticatedRequest,
    form: RoutineForm,
    *,
    scope: Scope,
    refusal: str,
    action: str,
    back: str,
    routine: Routine | None = None,
    newer: RoutineVersion | None = None,
) -> HttpResponse:
    """A new routine or the next version; a POST shown again is a 400 with what was typed."""
    return render(
        request,
        T + "routine_form.html",
        {
            "form": form,
            "scope": scope,
            "refusal": refusal,
            "newer": newer,
            "routine": routine,
            "version": routine.current_version if routine is not None else None,
            "action": action,
            "back": back,
        },
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------------- create


@login_required
def routine_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new routine for a unit (its leaders) or for the huvudman (its administrators)."""
    ctx = context_for(request)
    scope = _chosen(request.GET, *_managed_scopes(ctx))
    today = ctx.today
    category = request.GET.get("omrade", "")
    initial = {
        "approved_on": today,
        "review_by": _default_review_by(today),
        "owner": ctx.user_id,
        "category": category if category in RoutineCategory.values else "",
    }
    owners = _owner_choices(
        scope.unit.pk if scope.unit else None, scope.provider.pk if scope.provider else None, today
    )
    form = RoutineForm(request.POST or None, initial=initial, owners=owners, today=today)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            routine = services.routine_create(
                actor=request.user,
                school_unit_id=scope.unit.pk if scope.unit is not None else None,
                provider_id=scope.provider.pk if scope.provider is not None else None,
                **form.cleaned_data,
            )
        except services.RefusalError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("Rutinen är publicerad som version 1."))
            return redirect("routines:routine_detail", routine_id=routine.pk)
    return _routine_form_page(
        request,
        form,
        scope=scope,
        refusal=refusal,
        action=reverse("routines:routine_create") + "?" + scope.query,
        back=reverse("routines:routine_list") + "?" + scope.query,
    )


# ----------------------------------------------------------------------------- one routine


def _routine(ctx: UserContext, routine_id: uuid.UUID, *, manage: bool = False) -> Routine:
    routine = selectors.routine_by_id(routine_id)
    if routine is None or not can_read_routine(ctx, routine):
        raise Http404
    if manage and not can_manage_routine(ctx, routine):
        raise Http404
    return routine


def _scope_of(ctx: UserContext, routine: Routine) -> Scope:
    """Where the way back to the list leads: the routine's unit, or for a huvudman routine the
    huvudman's own list if the user is the huvudman, else the user's default list."""
    if routine.school_unit is not None:
        return Scope(unit=routine.school_unit)
    assert routine.provider_id is not None
    if policy.can_manage_provider_routines(ctx, routine.provider_id):
        return Scope(provider=routine.provider)
    return Scope()


def _owners_for(routine: Routine, today: date) -> QuerySet[User]:
    return _owner_choices(routine.school_unit_id, routine.provider_id, today)


@login_required
def routine_detail(request: AuthenticatedRequest, routine_id: uuid.UUID) -> HttpResponse:
    """The routine in force, and its history: every version and every review."""
    ctx = context_for(request)
    routine = _routine(ctx, routine_id)
    versions = selectors.routine_versions(routine)
    reviews = selectors.routine_reviews(routine)
    history: list[dict[str, Any]] = [
        {"kind": "version", "on": v.approved_on, "at": v.created_at, "item": v} for v in versions
    ] + [{"kind": "review", "on": r.reviewed_on, "at": r.created_at, "item": r} for r in reviews]
    history.sort(key=lambda entry: (entry["on"], entry["at"]), reverse=True)
    return render(
        request,
        T + "routine_detail.html",
        {
            "routine": routine,
            "version": routine.current_version,
            "scope": _scope_of(ctx, routine),
            "review": _review_row(routine, ctx.today),
            "history": history,
            "may_manage": can_manage_routine(ctx, routine),
            "warning_days": rules.REVIEW_WARNING_DAYS,
        },
    )


def _revision_initial(routine: Routine, current: RoutineVersion, today: date) -> dict[str, Any]:
    """The next version starts from the text in force, approved today."""
    return {
        "category": routine.category,
        "title": current.title,
        "purpose": current.purpose,
        "content": current.content,
        "owner": routine.owner_id,
        "approved_on": today,
        "review_by": _default_review_by(today),
        "base_version": current.number,
    }


@login_required
def routine_revise(request: AuthenticatedRequest, routine_id: uuid.UUID) -> HttpResponse:
    """The next version: starts from the text in force, needs a change note (seed 001 § 9)."""
    ctx = context_for(request)
    routine = _routine(ctx, routine_id, manage=True)
    current = routine.current_version
    assert current is not None
    form = RevisionForm(
        request.POST or None,
        initial=_revision_initial(routine, current, ctx.today),
        owners=_owners_for(routine, ctx.today),
        today=ctx.today,
    )
    refusal, newer = "", None
    if request.method == "POST" and form.is_valid():
        try:
            version = services.routine_revise(
                actor=request.user, routine=routine, **form.cleaned_data
            )
        except services.VersionConflictError as exc:
            refusal, newer = exc.message, exc.current
        except services.RefusalError as exc:
            refusal = exc.message
        else:
            messages.success(
                request,
                _(
                    "Version %(number)s är publicerad. Den tidigare versionen finns kvar i "
                    "historiken."
                )
                % {"number": version.number},
            )
            return redirect("routines:routine_detail", routine_id=routine.pk)
    return _routine_form_page(
        request,
        form,
        scope=_scope_of(ctx, routine),
        refusal=refusal,
        newer=newer,
        routine=routine,
        action=reverse("routines:routine_revise", args=[routine.pk]),
        back=reverse("routines:routine_detail", args=[routine.pk]),
    )


@login_required
def routine_review(request: AuthenticatedRequest, routine_id: uuid.UUID) -> HttpResponse:
    """Reviewed without changes: records who and when and sets the next review date."""
    ctx = context_for(request)
    routine = _routine(ctx, routine_id, manage=True)
    today = ctx.today
    initial = {
        "reviewed_on": today,
        "next_review_by": _default_review_by(today),
        "owner": routine.owner_id,
    }
    form = ReviewForm(
        request.POST or None, initial=initial, owners=_owners_for(routine, today), today=today
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.routine_mark_reviewed(actor=request.user, routine=routine, **form.cleaned_data)
        except services.RefusalError as exc:
            refusal = exc.message
        else:
            messages.success(
                request,
                _("Granskningen är registrerad. Nästa granskning senast %(day)s.")
                % {"day": form.cleaned_data["next_review_by"].isoformat()},
            )
            return redirect("routines:routine_detail", routine_id=routine.pk)
    return render(
        request,
        T + "routine_review.html",
        {
            "form": form,
            "routine": routine,
            "version": routine.current_version,
            "scope": _scope_of(ctx, routine),
            "review": _review_row(routine, today),
            "refusal": refusal,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def routine_version(
    request: AuthenticatedRequest, routine_id: uuid.UUID, number: int
) -> HttpResponse:
    """One version as it was published, and what changed from the version before."""
    ctx = context_for(request)
    routine = _routine(ctx, routine_id)
    version, previous = selectors.routine_version_pair(routine, number)
    if version is None:
        raise Http404
    diffs = []
    if previous is not None:
        diffs = [
            field_diff(_("Rubrik"), previous.title, version.title),
            field_diff(_("Syfte"), previous.purpose, version.purpose),
            field_diff(_("Rutinen"), previous.content, version.content),
        ]
    current = routine.current_version
    return render(
        request,
        T + "routine_version.html",
        {
            "routine": routine,
            "version": version,
            "previous": previous,
            "diffs": diffs,
            "is_current": current is not None and current.number == version.number,
            "scope": _scope_of(ctx, routine),
        },
    )
