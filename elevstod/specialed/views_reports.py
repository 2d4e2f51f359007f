"""The special educator's report to the rektor and its follow-up (seed 001 § 9).

draft (the special educator writes) → submitted (handed to the rektor, figures frozen) →
reviewed (the rektor records goal attainment and a comment), or back to draft with a comment.
A reviewed report's proposals become the next period's goals in one action.

One POST action per view: the draft form's two buttons post to report_edit ("Spara utkast")
and report_submit ("Lämna till rektor"); the follow-up form's to report_review and report_return.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.policy import can_record_special_education, can_review_special_education
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.specialed import lookups, rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.forms import AdoptForm, ReportForm, ReviewForm
from elevstod.specialed.models import Report, ReportState
from elevstod.specialed.pages import posted, saved


@login_required
def report_list(request: AuthenticatedRequest, unit_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True, review=True)
    return render(
        request,
        "specialed/report_list.html",
        {
            "unit": unit,
            "reports": sel.reports_at(ctx, unit.pk),
            "leads": can_review_special_education(ctx, unit.pk),
            "user_id": ctx.user_id,
        },
    )


@login_required
@require_POST
def report_create(request: AuthenticatedRequest, period_id: uuid.UUID) -> HttpResponse:
    """The special educator starts (or reopens) their report for the period."""
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id)
    if not can_record_special_education(ctx, period.school_unit_id):
        raise Http404
    report, created = services.report_start(actor=request.user, period=period)
    if not created and report.state != ReportState.DRAFT:
        return redirect("specialed:report_detail", report_id=report.pk)
    return redirect("specialed:report_edit", report_id=report.pk)


def _detail(
    request: AuthenticatedRequest,
    ctx: UserContext,
    report: Report,
    *,
    adopt_form: AdoptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    unit_id = report.period.school_unit_id
    leads = can_review_special_education(ctx, unit_id)
    may_adopt = (
        leads
        and report.state == ReportState.REVIEWED
        and report.proposals_adopted_at is None
        and bool(rules.proposals_from(report.improvements))
    )
    if may_adopt and adopt_form is None:
        adopt_form = AdoptForm(periods=sel.later_periods(report.period))
    return render(
        request,
        "specialed/report_detail.html",
        {
            "report": report,
            "unit": report.period.school_unit,
            "entries": sel.report_goal_entries(report),
            "figures": sel.report_figures(report),
            "proposals": rules.proposals_from(report.improvements),
            "adopted_goals": list(report.adopted_goals.select_related("period"))
            if report.proposals_adopted_at
            else [],
            "is_author": report.author_id == ctx.user_id,
            "leads": leads,
            "adopt_form": adopt_form if may_adopt else None,
        },
        status=status,
    )


@login_required
def report_detail(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    return _detail(request, ctx, lookups.report_for(ctx, report_id))


def _report_form_page(
    request: AuthenticatedRequest, template: str, report: Report, form: ReportForm | ReviewForm
) -> HttpResponse:
    """The draft or the follow-up form with the period's figures; shown again after a POST
    it is a 400 with what was typed."""
    return render(
        request,
        template,
        {
            "report": report,
            "unit": report.period.school_unit,
            "form": form,
            "figures": sel.report_figures(report),
        },
        status=400 if form.is_bound else 200,
    )


def _save_draft(
    request: AuthenticatedRequest, report_id: uuid.UUID, *, submit: bool
) -> HttpResponse:
    """The author's draft form, saved as a draft or (`submit`) handed to the rektor."""
    ctx = context_for(request)
    report = lookups.report_for(ctx, report_id, write=True)
    form = ReportForm(
        posted(request),
        initial={"overall_analysis": report.overall_analysis, "improvements": report.improvements},
        entries=sel.report_goal_entries(report, with_new_goals=True),
    )
    if form.is_valid():
        try:
            services.report_save(
                actor=request.user,
                report=report,
                values=form.cleaned_data,
                goal_values=form.goal_values(),
                submit=submit,
            )
        except rules.RuleError as refusal:
            form.add_error("overall_analysis" if submit else None, refusal.message)
        else:
            if submit:
                message = _("Rapporten är lämnad till rektor.")
                return saved(request, message, "specialed:report_detail", report_id=report.pk)
            return saved(
                request, _("Utkastet är sparat."), "specialed:report_edit", report_id=report.pk
            )
    return _report_form_page(request, "specialed/report_edit.html", report, form)


@login_required
def report_edit(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    """The author's draft; its POST ("Spara utkast") keeps it as a draft."""
    return _save_draft(request, report_id, submit=False)


@login_required
@require_POST
def report_submit(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    """The button "Lämna till rektor": the draft as typed, handed in with its figures frozen."""
    return _save_draft(request, report_id, submit=True)


def _follow_up(
    request: AuthenticatedRequest, report_id: uuid.UUID, *, returning: bool
) -> HttpResponse:
    """The rektor's follow-up form of a handed-in report: goal attainment per goal and a
    comment, or (`returning`) the report sent back for completion with the comment."""
    ctx = context_for(request)
    report = lookups.report_for(ctx, report_id, review=True)
    if report.state != ReportState.SUBMITTED:
        messages.info(request, _("Rapporten är redan uppföljd."))
        return redirect("specialed:report_detail", report_id=report.pk)
    entries = sel.report_goal_entries(report)
    form = ReviewForm(posted(request), entries=entries, returning=returning)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if returning:
                services.report_return(actor=request.user, report=report, comment=comment)
            else:
                services.report_review(
                    actor=request.user,
                    report=report,
                    comment=comment,
                    attainments=form.attainments(),
                )
        except rules.RuleError as refusal:
            form.add_error(None, refusal.message)
        else:
            message = (
                _("Rapporten är skickad tillbaka för komplettering.")
                if returning
                else _("Uppföljningen är sparad.")
            )
            return saved(request, message, "specialed:report_detail", report_id=report.pk)
    return _report_form_page(request, "specialed/report_review.html", report, form)


@login_required
def report_review(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    """The rektor's follow-up of a handed-in report: goal attainment per goal and a comment."""
    return _follow_up(request, report_id, returning=False)


@login_required
@require_POST
def report_return(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    """The button "Skicka tillbaka för komplettering": the report goes back to its author as a
    draft, with the rektor's comment saying what is missing."""
    return _follow_up(request, report_id, returning=True)


@login_required
@require_POST
def report_adopt(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    """The proposals of a reviewed report become goals of a later period (seed 001 § 9)."""
    ctx = context_for(request)
    report = lookups.report_for(ctx, report_id, review=True)
    form = AdoptForm(request.POST, periods=sel.later_periods(report.period))
    if not form.is_valid():
        return _detail(request, ctx, report, adopt_form=form, status=400)
    period = form.cleaned_data["period"]
    try:
        goals = services.report_adopt_proposals(actor=request.user, report=report, period=period)
    except rules.RuleError as refusal:
        # The report's state refused it (already adopted, or not yet reviewed): nothing
        # the user typed is lost, so the report page says why.
        messages.error(request, refusal.message)
        return redirect("specialed:report_detail", report_id=report.pk)
    message = _("%(count)d nya mål är tillagda i %(period)s. Komplettera dem med indikatorer.") % {
        "count": len(goals),
        "period": period.name,
    }
    return saved(request, message, "specialed:period_detail", period_id=period.pk)
