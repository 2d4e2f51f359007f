"""Pages for extra adaptations (SL 3 kap. 5 §; process.md §2.1): giving one, the adaptation's
page, changing it, evaluating it, and the teacher's list of adaptations to carry out.

The adaptation's page is read with GET; each act on it posts to its own URL (adaptation_update,
adaptation_evaluate; discarding a draft is drafts.draft_discard) and comes back to the page.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from elevstod.access.context import context_for
from elevstod.access.policy import SupportAct
from elevstod.access.records import ADAPTATIONS
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.adaptations import (
    ADAPTATION_TEXT_FIELDS,
    AdaptationEditForm,
    AdaptationEvaluationForm,
    AdaptationForm,
    adaptation_initial,
    new_adaptation_initial,
)
from elevstod.support.forms.drafts import initial_from_draft
from elevstod.support.labels import ADAPTATION_STATE_LABELS, NEED_CATEGORY_LABELS, label
from elevstod.support.models import Adaptation
from elevstod.support.selectors.adaptations import my_adaptation_groups, pupil_groups
from elevstod.support.selectors.concerns import concern_of_pupil
from elevstod.support.selectors.deadlines import deadlines_at_unit
from elevstod.support.selectors.drafts import own_draft
from elevstod.support.staff import adaptation_staff
from elevstod.support.views._pages import (
    CHAIN,
    REFUSED,
    Conflict,
    Page,
    RecordPage,
    conflict_of,
    refusal_text,
    today,
)


def _form_choices(page: Page) -> dict[str, Any]:
    """Who may be responsible (staff.adaptation_staff), the pupil's groups this year (loaded by
    the lookup), and the pupil's birth date and today, which bound the adaptation's days."""
    access = page.access
    return {
        "responsible": adaptation_staff(
            school_unit_id=access.school_unit_id, facts=access.facts, day=today()
        ),
        "groups": pupil_groups(page.pupil),
        "born_on": page.pupil.birth_date,
        "today": today(),
    }


def _evaluation_due(page: Page) -> date:
    """When an adaptation given or evaluated today is next evaluated: after the huvudman's
    number of days (process.md §3)."""
    days = deadlines_at_unit(page.access.school_unit_id).adaptation_evaluation_days
    return today() + timedelta(days=days)


# ----------------------------------------------------------------------------- a new adaptation


@login_required
def adaptation_create(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Give an extra adaptation (SL 3 kap. 5 §), optionally as the answer to a concern."""
    act = SupportAct.MANAGE_ADAPTATIONS
    page = Page.for_act(
        request, pupil_id, act, record_type=Adaptation.RECORD_TYPE, purpose="adaptation_create"
    )
    concern_id = request.POST.get("concern") or request.GET.get("oro")
    concern = concern_of_pupil(page.pupil.pk, concern_id)
    choices = _form_choices(page)
    initial = new_adaptation_initial(
        today=today(),
        evaluate_on=_evaluation_due(page),
        responsible=choices["responsible"],
        user_id=request.user.pk,
        subject=concern.subject if concern else "",
    )
    form = AdaptationForm(request.POST or None, initial=initial, **choices)
    error = ""
    if request.method == "POST" and form.is_valid():
        unit_id = page.access.school_unit_id
        if unit_id is None:
            error = _("Eleven har ingen aktuell skolenhet.")
        else:
            try:
                return page.save(
                    _("Den extra anpassningen är sparad."),
                    services.adaptation_create,
                    pupil=page.pupil,
                    school_unit_id=unit_id,
                    values=form.values(),
                    concern=concern,
                )
            except wf.RefusalError as refused:
                error = refusal_text(refused)
    return page.render(CHAIN + "adaptation_form.html", form=form, concern=concern, error=error)


# ----------------------------------------------------------------------------- the adaptation


def _adaptation_page(
    page: RecordPage[Adaptation],
    *,
    edit_form: AdaptationEditForm | None = None,
    evaluation_form: AdaptationEvaluationForm | None = None,
    refusal: str = "",
    conflict: Conflict | None = None,
) -> HttpResponse:
    """The adaptation and its evaluations; for those who manage it while it is active, the
    evaluation form and the versioned edit form (the user's own draft restored in it)."""
    adaptation = page.record
    active = adaptation.state == wf.AdaptationState.ACTIVE
    may_manage = active and page.may(SupportAct.MANAGE_ADAPTATIONS)
    draft = None
    if may_manage and edit_form is None:
        draft = own_draft(page.request.user.pk, Adaptation.RECORD_TYPE, adaptation.pk)
        base = adaptation_initial(adaptation)
        initial = initial_from_draft(AdaptationEditForm, draft.data, base) if draft else base
        edit_form = AdaptationEditForm(initial=initial, **_form_choices(page))
    if may_manage and evaluation_form is None:
        evaluation_form = AdaptationEvaluationForm(
            initial={"next_evaluation_on": _evaluation_due(page)}
        )
    return page.render(
        CHAIN + "adaptation_detail.html",
        status=REFUSED if refusal or conflict else 200,
        adaptation=adaptation,
        family=page.is_family,
        active=active,
        state_label=label(ADAPTATION_STATE_LABELS, adaptation.state),
        need_labels=[
            label(NEED_CATEGORY_LABELS, value) for value in adaptation.need_categories or []
        ],
        evaluations=list(adaptation.evaluations.all()),
        may_manage=may_manage,
        may_refer=page.may(SupportAct.REFER),
        edit_form=edit_form if may_manage else None,
        evaluation_form=evaluation_form if may_manage else None,
        draft=draft,
        refusal=refusal,
        conflict=conflict.rows if conflict else None,
    )


adaptation_detail = RecordPage.view("adaptation_detail", ADAPTATIONS, _adaptation_page)


def _managed(
    request: AuthenticatedRequest, adaptation_id: uuid.UUID, purpose: str
) -> RecordPage[Adaptation]:
    """The adaptation, for those who manage it: the responsible and the one who gave it, the
    case team and the pupil's teachers (policy.SUPPORT_ACTORS); 404 for anyone else."""
    act = SupportAct.MANAGE_ADAPTATIONS
    return RecordPage.open(request, ADAPTATIONS, adaptation_id, purpose, act=act)


@login_required
@require_POST
def adaptation_update(request: AuthenticatedRequest, adaptation_id: uuid.UUID) -> HttpResponse:
    """Save a change; someone else's save since the page was opened shows both texts."""
    page = _managed(request, adaptation_id, "adaptation_update")
    choices = _form_choices(page)
    form = AdaptationEditForm(request.POST, **choices)
    if not form.is_valid():
        return _adaptation_page(page, edit_form=form)
    try:
        page.call(
            services.adaptation_update,
            adaptation=page.record,
            expected_version=form.cleaned_data["version"],
            values=form.values(),
        )
    except services.EditConflictError as error:
        conflict = conflict_of(error, request.POST, form, ADAPTATION_TEXT_FIELDS)
        again = AdaptationEditForm(conflict.data, **choices)
        return _adaptation_page(page, edit_form=again, conflict=conflict)
    except wf.RefusalError as error:
        return _adaptation_page(page, edit_form=form, refusal=refusal_text(error))
    return page.done(_("Ändringen är sparad."))


@login_required
@require_POST
def adaptation_evaluate(request: AuthenticatedRequest, adaptation_id: uuid.UUID) -> HttpResponse:
    """Record an evaluation; "refer" continues to the report with this adaptation chosen."""
    page = _managed(request, adaptation_id, "adaptation_evaluate")
    form = AdaptationEvaluationForm(request.POST)
    if not form.is_valid():
        return _adaptation_page(page, evaluation_form=form)
    data = form.cleaned_data  # its fields are named as the service's keywords
    try:
        page.call(services.adaptation_evaluate, adaptation=page.record, **data)
    except wf.RefusalError as error:
        return _adaptation_page(page, evaluation_form=form, refusal=refusal_text(error))
    refer = data["next_step"] == wf.AdaptationNextStep.REFER
    then = _referral_create_url(page.record) if refer else None
    return page.done(_("Utvärderingen är sparad."), then)


def _referral_create_url(adaptation: Adaptation) -> str:
    base = reverse("support:referral_create", kwargs={"pupil_id": adaptation.pupil_id})
    return f"{base}?anpassning={adaptation.pk}&grund={wf.ReferralGround.DESPITE_ADAPTATIONS}"


# ----------------------------------------------------------------------------- my adaptations


@login_required
@require_safe
def my_adaptations(request: AuthenticatedRequest) -> HttpResponse:
    """For every group the user teaches or mentors, the active adaptations to carry out, each
    once (under its own group, or after the groups).

    The page names pupils, so it is one LIST row in the access log (security.md P1)."""
    ctx = context_for(request)
    if not ctx.is_staff_member:
        raise Http404
    mine = my_adaptation_groups(ctx)
    record_access(actor_id=ctx.user_id, action=AccessAction.LIST, record_type="my_adaptations")
    return render(
        request,
        CHAIN + "my_adaptations.html",
        {
            "groups": mine.groups,
            "elsewhere": mine.elsewhere,
            "total": mine.total,
            "need_labels": dict(NEED_CATEGORY_LABELS),
            "today": today(),
        },
    )
