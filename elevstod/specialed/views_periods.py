"""The assignment and goals per period, set by the rektor in dialogue with the special educators
(seed 001 § 3). Special educators read them; the unit's leaders write them."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from elevstod.access.context import context_for
from elevstod.access.policy import can_record_special_education, can_review_special_education
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.specialed import lookups, rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.forms import GoalForm, PeriodForm
from elevstod.specialed.models import Period, PeriodKind
from elevstod.specialed.pages import form_page, posted, saved


def _suggested_period(unit_id: uuid.UUID, today: date) -> dict[str, object]:
    """The running term, or the next one when the running term already has a period."""
    term = rules.term_containing(today)
    if sel.period_name_taken(unit_id, term.name):
        term = rules.term_after(term)
    return {
        "name": term.name,
        "kind": PeriodKind.TERM,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
    }


@login_required
def period_list(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    """Every period of the unit with its goals; the leaders add a period here (its one POST)."""
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True, review=True)
    manages = can_review_special_education(ctx, unit.pk)
    if request.method == "POST" and not manages:
        raise Http404
    form = None
    if manages:
        form = PeriodForm(posted(request), initial=_suggested_period(unit.pk, ctx.today))
        if form.is_valid():
            try:
                period = services.period_create(
                    actor=request.user, school_unit_id=unit.pk, values=form.cleaned_data
                )
            except rules.RuleError as refusal:
                form.add_error("name", refusal.message)
            else:
                message = _("Perioden är skapad. Lägg nu till målen.")
                return saved(request, message, "specialed:period_detail", period_id=period.pk)
    return render(
        request,
        "specialed/period_list.html",
        {
            "unit": unit,
            "periods": sel.periods_at(unit.pk),
            "form": form,
            "today": ctx.today,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
def period_detail(request: AuthenticatedRequest, period_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id)
    unit_id = period.school_unit_id
    records = can_record_special_education(ctx, unit_id)
    reports = sel.visible_reports(ctx, unit_id).filter(period=period).select_related("author")
    return render(
        request,
        "specialed/period_detail.html",
        {
            "period": period,
            "unit": period.school_unit,
            "goals": sel.goals_of(period),
            "reports": list(reports),
            "manages": can_review_special_education(ctx, unit_id),
            "records": records,
            "has_own_report": records
            and any(report.author_id == ctx.user_id for report in reports),
        },
    )


@login_required
def period_edit(request: AuthenticatedRequest, period_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id, manage=True)
    initial = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    form = PeriodForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            services.period_update(actor=request.user, period=period, values=form.cleaned_data)
        except rules.RuleError as refusal:
            form.add_error("name", refusal.message)
        else:
            message = _("Perioden är sparad.")
            return saved(request, message, "specialed:period_detail", period_id=period.pk)
    return form_page(
        request,
        form,
        unit=period.school_unit,
        title=_("Ändra period %(name)s") % {"name": period.name},
        submit=_("Spara perioden"),
        back_url=period.get_absolute_url(),
        back_label=_("Tillbaka till perioden"),
        error_summary=_("Perioden kunde inte sparas. Rätta uppgifterna nedan."),
    )


def _goal_form_page(
    request: AuthenticatedRequest, form: GoalForm, period: Period, title: str
) -> HttpResponse:
    return form_page(
        request,
        form,
        unit=period.school_unit,
        title=title,
        intro=_(
            "Målen formuleras av rektor i dialog med specialpedagog och speciallärare. "
            "Varje mål behöver en indikator: hur ni ska veta att det nås."
        ),
        submit=_("Spara målet"),
        back_url=period.get_absolute_url(),
        back_label=_("Tillbaka till perioden"),
        error_summary=_("Målet kunde inte sparas. Rätta uppgifterna nedan."),
    )


@login_required
def goal_create(request: AuthenticatedRequest, period_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id, manage=True)
    form = GoalForm(
        posted(request),
        special_educators=sel.special_educators_at(period.school_unit_id, ctx.today),
    )
    if form.is_valid():
        services.goal_create(actor=request.user, period=period, values=form.cleaned_data)
        return saved(request, _("Målet är sparat."), "specialed:period_detail", period_id=period.pk)
    title = _("Nytt mål för %(name)s") % {"name": period.name}
    return _goal_form_page(request, form, period, title)


@login_required
def goal_edit(request: AuthenticatedRequest, goal_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    goal = lookups.goal_for(ctx, goal_id)
    period = goal.period
    people = sel.special_educators_at(period.school_unit_id, ctx.today)
    chosen = goal.special_educator
    if chosen is not None and all(p.pk != chosen.pk for p in people):
        # Someone who has left the unit stays selectable on their own goal.
        people.append(chosen)
    form = GoalForm(
        posted(request),
        initial={
            "text": goal.text,
            "indicator": goal.indicator,
            "special_educator": str(goal.special_educator_id or ""),
        },
        special_educators=people,
    )
    if form.is_valid():
        services.goal_update(actor=request.user, goal=goal, values=form.cleaned_data)
        return saved(request, _("Målet är sparat."), "specialed:period_detail", period_id=period.pk)
    return _goal_form_page(request, form, period, _("Ändra mål"))
