"""The assignment and goals per period, set by the rektor in dialogue with the special educators
(seed 001 § 3). Special educators read them; the unit's leaders write them."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from elevstod.access.context import context_for
from elevstod.access.policy import can_record_special_education, can_review_special_education
from elevstod.specialed import lookups, rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.forms import GoalForm, PeriodForm
from elevstod.specialed.models import Period, PeriodKind

FORM = "specialed/form.html"


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
def period_list(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    """Every period of the unit with its goals; the leaders add a period here."""
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True, review=True)
    manages = can_review_special_education(ctx, unit.pk)
    if request.method == "POST" and not manages:
        raise Http404
    form = None
    status = 200
    if manages:
        form = PeriodForm(
            request.POST if request.method == "POST" else None,
            initial=_suggested_period(unit.pk, ctx.today),
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    period = services.period_create(
                        actor=request.user,  # type: ignore[arg-type]
                        school_unit_id=unit.pk,
                        values=form.cleaned_data,
                    )
                except rules.RuleError as refusal:
                    form.add_error("name", refusal.message)
                else:
                    messages.success(request, _("Perioden är skapad. Lägg nu till målen."))
                    return redirect("specialed:period_detail", period_id=period.pk)
            status = 400
    return render(
        request,
        "specialed/period_list.html",
        {
            "unit": unit,
            "periods": sel.periods_at(unit.pk),
            "form": form,
            "today": ctx.today,
        },
        status=status,
    )


@login_required
def period_detail(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
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
def period_edit(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id, manage=True)
    initial = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    form = PeriodForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_update(
                actor=request.user,  # type: ignore[arg-type]
                period=period,
                values=form.cleaned_data,
            )
        except rules.RuleError as refusal:
            form.add_error("name", refusal.message)
        else:
            messages.success(request, _("Perioden är sparad."))
            return redirect("specialed:period_detail", period_id=period.pk)
    return render(
        request,
        FORM,
        {
            "unit": period.school_unit,
            "form": form,
            "title": _("Ändra period %(name)s") % {"name": period.name},
            "submit": _("Spara perioden"),
            "back_url": period.get_absolute_url(),
            "back_label": _("Tillbaka till perioden"),
            "error_summary": _("Perioden kunde inte sparas. Rätta uppgifterna nedan."),
        },
        status=400 if form.is_bound else 200,
    )


def _goal_form_page(
    request: HttpRequest, form: GoalForm, period: Period, title: str
) -> HttpResponse:
    return render(
        request,
        FORM,
        {
            "unit": period.school_unit,
            "form": form,
            "title": title,
            "intro": _(
                "Målen formuleras av rektor i dialog med specialpedagog och speciallärare. "
                "Varje mål behöver en indikator: hur ni ska veta att det nås."
            ),
            "submit": _("Spara målet"),
            "back_url": period.get_absolute_url(),
            "back_label": _("Tillbaka till perioden"),
            "error_summary": _("Målet kunde inte sparas. Rätta uppgifterna nedan."),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def goal_create(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id, manage=True)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        special_educators=sel.special_educators_at(period.school_unit_id, ctx.today),
    )
    if request.method == "POST" and form.is_valid():
        services.goal_create(
            actor=request.user,  # type: ignore[arg-type]
            period=period,
            values=form.cleaned_data,
        )
        messages.success(request, _("Målet är sparat."))
        return redirect("specialed:period_detail", period_id=period.pk)
    return _goal_form_page(
        request, form, period, _("Nytt mål för %(name)s") % {"name": period.name}
    )


@login_required
def goal_edit(request: HttpRequest, goal_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    goal = lookups.goal_for(ctx, goal_id)
    period = goal.period
    people = sel.special_educators_at(period.school_unit_id, ctx.today)
    if goal.special_educator_id and all(p.pk != goal.special_educator_id for p in people):
        # Someone who has left the unit stays selectable on their own goal.
        people.append(goal.special_educator)  # type: ignore[arg-type]
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        initial={
            "text": goal.text,
            "indicator": goal.indicator,
            "special_educator": str(goal.special_educator_id or ""),
        },
        special_educators=people,
    )
    if request.method == "POST" and form.is_valid():
        services.goal_update(
            actor=request.user,  # type: ignore[arg-type]
            goal=goal,
            values=form.cleaned_data,
        )
        messages.success(request, _("Målet är sparat."))
        return redirect("specialed:period_detail", period_id=period.pk)
    return _goal_form_page(request, form, period, _("Ändra mål"))
