"""Appeals (FL 43–46 §§ via SL 29 kap. 11 §): registering one lodged with the school, reading
it, and handling it (appeal_handle): reconsider, forward to the board, or dismiss as late."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from elevstod.access.policy import SupportAct
from elevstod.access.records import APPEALS, DECISIONS
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.appeals import AppealForm, AppealHandleForm
from elevstod.support.models import Appeal, RecipientKind
from elevstod.support.services.decisions import recipient_acts_alone
from elevstod.support.views._pages import GET_POST, PROGRAMME, RecordPage, refusal_text, today
from elevstod.support.workflow.standing import GUARDIAN_NEEDED, GUARDIAN_NEEDED_PARAGRAPHS


@login_required
@GET_POST
def appeal_register(request: AuthenticatedRequest, decision_id: uuid.UUID) -> HttpResponse:
    """Register an appeal lodged with the school; timeliness counts from the appellant's own
    receipt (FL 44 §)."""
    act = SupportAct.HANDLE_APPEAL
    page = RecordPage.open(request, DECISIONS, decision_id, "appeal_register", act=act)
    rows = list(page.record.services.all())
    form = AppealForm(request.POST or None, services=rows, initial={"lodged_on": today()})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            return page.save(
                gettext("Överklagandet är registrerat."),
                services.appeal_register,
                decision=page.record,
                service=form.chosen_service(),
                appellant_name=form.appellant(),
                lodged_on=form.cleaned_data["lodged_on"],
                content=form.cleaned_data["content"],
                **form.facts(),
            )
        except wf.RefusalError as error:
            refusal = refusal_text(error)
    pupil_row = next((row for row in rows if row.recipient_kind == RecipientKind.PUPIL), None)
    via_guardians = pupil_row is not None and not recipient_acts_alone(
        page.record, pupil_row, today()
    )
    return page.render(
        PROGRAMME + "appeal_register.html",
        decision=page.record,
        services=rows,
        pupil_row=pupil_row,
        via_guardians=via_guardians,
        guardian_needed=_guardian_needed() if via_guardians else "",
        form=form,
        refusal=refusal,
    )


def _guardian_needed() -> str:
    """The pupil may not act alone: the guardians are needed (SL 29 kap. 12 §); the school
    judges only timeliness (FL 45 §) and forwards."""
    return f"{gettext(GUARDIAN_NEEDED)} ({GUARDIAN_NEEDED_PARAGRAPHS})"


def _appeal_through_guardians(appeal: Appeal) -> bool:
    """The pupil's own appeal where the pupil may not act alone (counted from the guardians'
    receipt, services.appeals.appellant_clock)."""
    service = appeal.service
    if service is None or service.recipient_kind != RecipientKind.PUPIL:
        return False
    return not recipient_acts_alone(appeal.decision, service, appeal.lodged_on)


def _appeal_read(page: RecordPage[Appeal]) -> HttpResponse:
    """The appeal and, for those who handle it, the form for its next step."""
    appeal = page.record
    form = None
    if page.may(SupportAct.HANDLE_APPEAL):
        facts = {
            "reached_board_in_time": appeal.reached_board_in_time,
            "wrong_appeal_instructions": appeal.wrong_appeal_instructions,
        }
        form = AppealHandleForm(state=appeal.state, initial=facts)
    return _appeal_page(page, form)


appeal_detail = RecordPage.view("appeal_detail", APPEALS, _appeal_read)


def _appeal_page(
    page: RecordPage[Appeal], form: AppealHandleForm | None, refusal: str = ""
) -> HttpResponse:
    appeal = page.record
    may_handle = form is not None
    via_guardians = _appeal_through_guardians(appeal)
    return page.render(
        PROGRAMME + "appeal_detail.html",
        appeal=appeal,
        decision=appeal.decision,
        via_guardians=via_guardians,
        guardian_needed=_guardian_needed() if via_guardians else "",
        new_decision_due=may_handle
        and appeal.new_decision_id is None
        and appeal.state in wf.APPEAL_STATES_AWAITING_NEW_DECISION,
        form=form if form is not None and form.has_actions else None,
        refusal=refusal,
    )


@login_required
@require_POST
def appeal_handle(request: AuthenticatedRequest, appeal_id: uuid.UUID) -> HttpResponse:
    """The school's next step on the appeal; a step the appeal's state or timeliness does not
    allow is refused with its paragraph, keeping what was typed."""
    act = SupportAct.HANDLE_APPEAL
    page = RecordPage.open(request, APPEALS, appeal_id, "appeal_handle", act=act)
    form = AppealHandleForm(request.POST, state=page.record.state)
    if not form.is_valid():
        return _appeal_page(page, form)
    try:
        page.call(
            services.appeal_handle,
            appeal=page.record,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            **form.facts(),
        )
    except wf.RefusalError as error:
        return _appeal_page(page, form, refusal_text(error))
    forwarded = form.cleaned_data["action"] == wf.AppealAction.FORWARD
    if forwarded and _appeal_through_guardians(page.record):
        # Said again where the appeal leaves the school: the board will ask for the guardians.
        messages.warning(request, _guardian_needed())
    return page.done(gettext("Handläggningen är registrerad."))
