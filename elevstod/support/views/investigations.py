"""Pages for the investigation (SL 3 kap. 7 §; process.md §2.3): opening it from the case page,
reading it, writing in it (several investigators, versioned, autosaved) and concluding the
pedagogical assessment. Discarding a draft is drafts.draft_discard.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.policy import SupportAct, sees_staff_only_notes
from elevstod.access.records import INVESTIGATIONS, REFERRALS, is_participant
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.communication import CommunicationAnswerForm, CommunicationForm
from elevstod.support.forms.drafts import initial_from_draft, need_rows_from_draft
from elevstod.support.forms.investigations import (
    InvestigationForm,
    InvestigationOpenForm,
    investigation_initial,
    needs_formset,
    needs_of,
)
from elevstod.support.labels import NEED_CATEGORY_LABELS
from elevstod.support.models import Draft, Investigation
from elevstod.support.selectors.drafts import own_draft
from elevstod.support.selectors.investigations import investigators_of
from elevstod.support.selectors.programmes import draft_programme_of_case
from elevstod.support.services import communication as communicating
from elevstod.support.views._pages import (
    CHAIN,
    REFUSED,
    Conflict,
    RecordPage,
    conflict_of,
    refusal_text,
    with_version,
)
from elevstod.support.views.referrals import investigators_offered, referral_page

# ----------------------------------------------------------------------------- opening it


@login_required
@require_POST
def investigation_open(request: AuthenticatedRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The principal opens the investigation on a received report and names who investigates,
    among the unit's staff who may see the pupil (SL 3 kap. 7 §)."""
    act = SupportAct.OPEN_INVESTIGATION
    page = RecordPage.open(request, REFERRALS, referral_id, "investigation_open", act=act)
    form = InvestigationOpenForm(request.POST, staff=investigators_offered(page))
    if not form.is_valid():
        return referral_page(page, form)
    try:
        return page.save(
            _("Utredningen är inledd."),
            services.investigation_open,
            referral=page.record,
            investigator_ids=form.cleaned_data["investigators"],
            target_on=form.cleaned_data["target_on"],
        )
    except wf.RefusalError as error:
        return referral_page(page, form, refusal_text(error))


# ----------------------------------------------------------------------------- reading it


def _investigation_page(
    page: RecordPage[Investigation],
    *,
    communication_form: CommunicationForm | None = None,
    answer_form: CommunicationAnswerForm | None = None,
    refusal: str = "",
) -> HttpResponse:
    """The investigation as read: mapping, the pupil's and guardians' views, EHT, assessment.
    The family reads it once concluded (FL 10 §; policy.SUPPORT_VIEWERS and records.py), never
    the staff-only working notes, only that they are withheld and why (decision 0014). Before
    a decision not to draw up a programme, the communication with the family (FL 25 §)."""
    investigation = page.record
    relations = page.access.relations
    communication = communicating.latest_communication(investigation=investigation)
    # The decision after the investigation and the communication before a decision not to
    # draw up a programme (FL 25 §): offered only to those who may decide (SL 2 kap. 10 §).
    open_for_decision = bool(investigation.assessed_on) and not investigation.closed_on
    may_decide = open_for_decision and page.may_decide(
        wf.DecisionKind.NO_ACTION_PROGRAMME, wf.DecisionKind.ACTION_PROGRAMME
    )
    communicates = (
        not investigation.closed_on
        and investigation.special_support_needed is False
        and page.may_decide(wf.DecisionKind.NO_ACTION_PROGRAMME)
    )
    return page.render(
        CHAIN + "investigation_detail.html",
        status=REFUSED if refusal or _has_errors(communication_form, answer_form) else 200,
        investigation=investigation,
        needs=list(investigation.needs.all()),
        need_labels=dict(NEED_CATEGORY_LABELS),
        investigators=investigators_of(investigation),
        draft_programme=draft_programme_of_case(investigation.referral_id),
        may_write=page.may(SupportAct.WRITE_INVESTIGATION),
        sees_notes=sees_staff_only_notes(relations, participant=is_participant(investigation)),
        communication=communication,
        communicates=communicates,
        may_decide=may_decide,
        communication_form=communication_form or CommunicationForm(),
        answer_form=answer_form or CommunicationAnswerForm(),
        communication_refusal=refusal,
    )


def _has_errors(*forms: CommunicationForm | CommunicationAnswerForm | None) -> bool:
    return any(form is not None and form.is_bound and bool(form.errors) for form in forms)


investigation_detail = RecordPage.view("investigation_detail", INVESTIGATIONS, _investigation_page)


# ----------------------------------------------------------------------------- writing in it


def _writable(
    request: AuthenticatedRequest, investigation_id: uuid.UUID, purpose: str
) -> RecordPage[Investigation]:
    """The investigation, for those who write in it: rektor, biträdande rektor, specialpedagog
    and its investigators (policy.SUPPORT_ACTORS, PARTICIPANT_ACTS); 404 for anyone else."""
    act = SupportAct.WRITE_INVESTIGATION
    return RecordPage.open(request, INVESTIGATIONS, investigation_id, purpose, act=act)


def _edit_page(
    page: RecordPage[Investigation],
    form: InvestigationForm,
    needs: BaseFormSet,
    *,
    draft: Draft | None = None,
    refusal: str = "",
    conflict: Conflict | None = None,
) -> HttpResponse:
    investigation = page.record
    return page.render(
        CHAIN + "investigation_edit.html",
        status=REFUSED if refusal or conflict else 200,
        investigation=investigation,
        form=form,
        needs=needs,
        draft=draft,
        draft_is_stale=draft is not None and draft.base_version != investigation.version,
        refusal=refusal,
        conflict=conflict.rows if conflict else None,
        may_conclude=investigation.assessed_on is None,
    )


@login_required
def investigation_edit(request: AuthenticatedRequest, investigation_id: uuid.UUID) -> HttpResponse:
    """Several investigators write; the user's own draft is restored. POST saves (a stale
    version gives a conflict page with both texts)."""
    page = _writable(request, investigation_id, "investigation_edit")
    if request.method == "POST":
        return _save(page, conclude=False)
    investigation = page.record
    base = investigation_initial(investigation)
    need_rows = [
        {"category": need.category, "description": need.description}
        for need in investigation.needs.all()
    ]
    draft = own_draft(request.user.pk, Investigation.RECORD_TYPE, investigation.pk)
    if draft is not None:
        base = initial_from_draft(InvestigationForm, draft.data, base)
        need_rows = need_rows_from_draft(draft.data) or need_rows
    form = InvestigationForm(initial=base)
    return _edit_page(page, form, needs_formset(initial=need_rows), draft=draft)


@login_required
@require_POST
def investigation_conclude(
    request: AuthenticatedRequest, investigation_id: uuid.UUID
) -> HttpResponse:
    """Save what was typed, then conclude the assessment (services.investigation_conclude),
    refused with the rule's message where the workflow says so."""
    return _save(_writable(request, investigation_id, "investigation_conclude"), conclude=True)


def _save(page: RecordPage[Investigation], *, conclude: bool) -> HttpResponse:
    posted = page.request.POST
    form = InvestigationForm(posted)
    needs = needs_formset(posted)
    if not (form.is_valid() and needs.is_valid()):
        return _edit_page(page, form, needs)
    investigation = page.record
    try:
        page.call(
            services.investigation_save,
            investigation=investigation,
            expected_version=form.cleaned_data["version"],
            values=form.values(),
            needs=needs_of(needs),
        )
        if conclude:
            investigation.refresh_from_db()
            _conclude(page)
    except services.EditConflictError as error:
        conflict = conflict_of(error, posted, form, Investigation.TEXT_FIELDS)
        return _edit_page(page, InvestigationForm(conflict.data), needs, conflict=conflict)
    except wf.RefusalError as error:
        # The text was saved before the conclusion was refused: keep editing on top.
        investigation.refresh_from_db()
        again = InvestigationForm(with_version(posted, investigation.version))
        return _edit_page(page, again, needs, refusal=refusal_text(error))
    return page.done(_("Utredningen är sparad."))


def _conclude(page: RecordPage[Investigation]) -> None:
    """Raises RefusalError (shown on the form) when the workflow refuses the conclusion,
    a second conclusion included (workflow.may_conclude_assessment)."""
    programme = page.call(services.investigation_conclude, investigation=page.record)
    if programme is not None:
        messages.info(
            page.request,
            _("Ett utkast till åtgärdsprogram är skapat med de behov som utredningen fann."),
        )
    messages.success(page.request, _("Den pedagogiska bedömningen är klar."))


# ----------------------------------------------------------------------------- communicating


def _deciding(
    request: AuthenticatedRequest, investigation_id: uuid.UUID, purpose: str
) -> RecordPage[Investigation]:
    """The investigation, for those who may reach its decision (policy.SUPPORT_ACTORS)."""
    return RecordPage.open(
        request, INVESTIGATIONS, investigation_id, purpose, act=SupportAct.DECIDE
    )


@login_required
@require_POST
def investigation_communicate(
    request: AuthenticatedRequest, investigation_id: uuid.UUID
) -> HttpResponse:
    """Before a decision not to draw up a programme: the material sent to the family and by
    when they may answer, or the exception and its reason (FL 25 §)."""
    page = _deciding(request, investigation_id, "investigation_communicate")
    form = CommunicationForm(request.POST)
    if not form.is_valid():
        return _investigation_page(page, communication_form=form)
    try:
        page.require_decider(wf.DecisionKind.NO_ACTION_PROGRAMME)
        page.call(
            communicating.communication_record,
            investigation=page.record,
            values=form.values(),
        )
    except wf.RefusalError as error:
        return _investigation_page(page, communication_form=form, refusal=refusal_text(error))
    return page.done(_("Kommuniceringen är registrerad."))


@login_required
@require_POST
def investigation_communication_answer(
    request: AuthenticatedRequest, investigation_id: uuid.UUID
) -> HttpResponse:
    """The family's answer to the communication, as it came in (FL 25 §)."""
    page = _deciding(request, investigation_id, "investigation_communication_answer")
    form = CommunicationAnswerForm(request.POST)
    if not form.is_valid():
        return _investigation_page(page, answer_form=form)
    communication = communicating.latest_communication(investigation=page.record)
    try:
        page.require_decider(wf.DecisionKind.NO_ACTION_PROGRAMME)
        page.call(
            communicating.communication_answer,
            communication=communication,
            answered_on=form.cleaned_data["answered_on"],
            answer=form.cleaned_data["answer"],
        )
    except wf.RefusalError as error:
        return _investigation_page(page, answer_form=form, refusal=refusal_text(error))
    return page.done(_("Svaret är registrerat."))
