"""Competence plans (seed 001 § 2): needs mapped in dialogue with the rektor, tied to the
assignment description, agreed by the rektor; planned activities and follow-ups.

The special educator sees and edits their own plan; the unit's leaders see every plan at the
unit, agree them and write follow-ups."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.policy import can_record_special_education, can_review_special_education
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.organisation.models import SchoolUnit
from elevstod.specialed import lookups, rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.forms import ActivityForm, FollowUpForm, PlanCreateForm, PlanForm
from elevstod.specialed.models import CompetencePlan, PlannedActivity
from elevstod.specialed.pages import form_page, posted, saved


@login_required
def plan_list(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True, review=True)
    return render(
        request,
        "specialed/plan_list.html",
        {
            "unit": unit,
            "plans": sel.plans_at(ctx, unit.pk),
            "leads": can_review_special_education(ctx, unit.pk),
            "records": can_record_special_education(ctx, unit.pk),
        },
    )


def _plan_form_page(
    request: AuthenticatedRequest,
    form: PlanForm,
    unit: SchoolUnit,
    *,
    title: str,
    intro: str,
    back_url: str,
    back_label: str,
) -> HttpResponse:
    return form_page(
        request,
        form,
        unit=unit,
        title=title,
        intro=intro,
        submit=_("Spara kompetensplanen"),
        back_url=back_url,
        back_label=back_label,
        error_summary=_("Planen kunde inte sparas. Rätta uppgifterna nedan."),
    )


@login_required
def plan_create(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    """A special educator starts their own plan for a school year."""
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True)
    form = PlanCreateForm(posted(request), years=sel.academic_year_choices(ctx.today))
    if form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user,
                school_unit_id=unit.pk,
                academic_year=form.cleaned_data["academic_year"],
                values=form.cleaned_data,
            )
        except rules.RuleError as refusal:
            form.add_error("academic_year", refusal.message)
        else:
            message = _("Kompetensplanen är sparad. Lägg till planerade aktiviteter.")
            return saved(request, message, "specialed:plan_detail", plan_id=plan.pk)
    return _plan_form_page(
        request,
        form,
        unit,
        title=_("Ny kompetensplan"),
        intro=_(
            "Behovet av kompetensutveckling kartläggs i dialog med rektor och kopplas "
            "till en uppdragsbeskrivning. Rektor kommer sedan överens med dig om planen."
        ),
        back_url=reverse("specialed:plan_list", kwargs={"unit_id": unit.pk}),
        back_label=_("Tillbaka till kompetensplanerna"),
    )


def _detail(
    request: AuthenticatedRequest,
    ctx: UserContext,
    plan: CompetencePlan,
    *,
    follow_up_form: FollowUpForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    owner = lookups.is_plan_owner(ctx, plan)
    leads = can_review_special_education(ctx, plan.school_unit_id)
    return render(
        request,
        "specialed/plan_detail.html",
        {
            "plan": plan,
            "unit": plan.school_unit,
            "owner": owner,
            "leads": leads,
            "may_agree": leads
            and plan.agreed_on is None
            and plan.special_educator_id != ctx.user_id,
            "follow_up_form": follow_up_form
            or FollowUpForm(initial={"on_date": ctx.today}, today=ctx.today),
            "error": error,
        },
        status=status,
    )


@login_required
def plan_detail(request: AuthenticatedRequest, plan_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    return _detail(request, ctx, lookups.plan_for(ctx, plan_id))


@login_required
def plan_edit(request: AuthenticatedRequest, plan_id: uuid.UUID) -> HttpResponse:
    """The owner changes needs or assignment text; an agreed plan keeps the agreed version and
    needs a new agreement (services.plan_update)."""
    ctx = context_for(request)
    plan = lookups.plan_for(ctx, plan_id, own=True)
    form = PlanForm(
        posted(request),
        initial={name: getattr(plan, name) for name in services.PLAN_TEXT_FIELDS},
    )
    if form.is_valid():
        services.plan_update(actor=request.user, plan=plan, values=form.cleaned_data)
        return saved(
            request, _("Kompetensplanen är sparad."), "specialed:plan_detail", plan_id=plan.pk
        )
    intro = (
        _(
            "Planen är överenskommen med rektor. Om du ändrar behoven eller uppdragsbeskrivningen "
            "sparas den överenskomna versionen, och rektor behöver komma överens med dig på nytt."
        )
        if plan.agreed_on
        else ""
    )
    return _plan_form_page(
        request,
        form,
        plan.school_unit,
        title=_("Ändra kompetensplan %(year)s") % {"year": plan.academic_year.name},
        intro=intro,
        back_url=plan.get_absolute_url(),
        back_label=_("Tillbaka till planen"),
    )


@login_required
@require_POST
def plan_agree(request: AuthenticatedRequest, plan_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    plan = lookups.plan_for(ctx, plan_id, lead=True)
    try:
        services.plan_agree(actor=request.user, plan=plan, today=ctx.today)
    except rules.RuleError as refusal:
        return _detail(request, ctx, plan, error=refusal.message, status=400)
    return saved(
        request, _("Kompetensplanen är överenskommen."), "specialed:plan_detail", plan_id=plan.pk
    )


@login_required
@require_POST
def plan_follow_up(request: AuthenticatedRequest, plan_id: uuid.UUID) -> HttpResponse:
    """A follow-up note, by the special educator or the rektor."""
    ctx = context_for(request)
    plan = lookups.plan_for(ctx, plan_id)
    form = FollowUpForm(request.POST, today=ctx.today)
    if not form.is_valid():
        return _detail(request, ctx, plan, follow_up_form=form, status=400)
    services.plan_follow_up_add(
        actor=request.user,
        plan=plan,
        on_date=form.cleaned_data["on_date"],
        text=form.cleaned_data["text"],
    )
    return saved(request, _("Uppföljningen är sparad."), "specialed:plan_detail", plan_id=plan.pk)


def _activity_page(
    request: AuthenticatedRequest, form: ActivityForm, plan: CompetencePlan, title: str
) -> HttpResponse:
    return form_page(
        request,
        form,
        unit=plan.school_unit,
        title=title,
        submit=_("Spara aktiviteten"),
        back_url=plan.get_absolute_url(),
        back_label=_("Tillbaka till planen"),
        error_summary=_("Aktiviteten kunde inte sparas. Rätta uppgifterna nedan."),
    )


@login_required
def activity_create(request: AuthenticatedRequest, plan_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    plan = lookups.plan_for(ctx, plan_id, own=True)
    form = ActivityForm(posted(request), today=ctx.today)
    if form.is_valid():
        services.activity_create(actor=request.user, plan=plan, values=form.cleaned_data)
        return saved(request, _("Aktiviteten är sparad."), "specialed:plan_detail", plan_id=plan.pk)
    return _activity_page(request, form, plan, _("Ny aktivitet i kompetensplanen"))


@login_required
def activity_edit(request: AuthenticatedRequest, activity_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    activity: PlannedActivity = lookups.activity_for(ctx, activity_id)
    form = ActivityForm(
        posted(request),
        initial={name: getattr(activity, name) for name in services.ACTIVITY_FIELDS},
        today=ctx.today,
    )
    if form.is_valid():
        services.activity_update(actor=request.user, activity=activity, values=form.cleaned_data)
        return saved(
            request, _("Aktiviteten är sparad."), "specialed:plan_detail", plan_id=activity.plan_id
        )
    return _activity_page(request, form, activity.plan, _("Ändra aktivitet"))
