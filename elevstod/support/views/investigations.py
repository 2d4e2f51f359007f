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

from elevstod.access.policy import SupportAct
from elevstod.access.records import INVESTIGATIONS, REFERRALS
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
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


def _investigation_page(page: RecordPage[Investigation]) -> HttpResponse:
    """The investigation as read: mapping, the pupil's and guardians' views, EHT, assessment.
    Work in progress: never the family (policy.SUPPORT_VIEWERS)."""
    investigation = page.record
    return page.render(
        CHAIN + "investigation_detail.html",
        investigation=investigation,
        needs=list(investigation.needs.all()),
        need_labels=dict(NEED_CATEGORY_LABELS),
        investigators=investigators_of(investigation),
        draft_programme=draft_programme_of_case(investigation.referral_id),
        may_write=page.may(SupportAct.WRITE_INVESTIGATION),
    )


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
