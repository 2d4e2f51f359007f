"""Pages for the report to the principal (SL 3 kap. 7 §; process.md §2.2): writing it with the
adaptations tried, the case page, and the principal's receipt, which starts the "skyndsamt"
clock. Opening the investigation from the case page is investigations.investigation_open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import context_for
from elevstod.access.policy import SupportAct
from elevstod.access.records import INVESTIGATIONS, REFERRALS, support_records_visible_to
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.investigations import InvestigationOpenForm
from elevstod.support.forms.referrals import ReferralForm
from elevstod.support.labels import TASK_KIND_LABELS
from elevstod.support.models import Adaptation, Concern, Referral
from elevstod.support.selectors.adaptations import adaptation_of_pupil, pupil_adaptations
from elevstod.support.selectors.concerns import concern_of_pupil
from elevstod.support.selectors.deadlines import deadlines_at_unit
from elevstod.support.selectors.referrals import (
    case_due,
    opened_investigation,
    referral_adaptations,
)
from elevstod.support.staff import Choice, responsible_staff
from elevstod.support.views._pages import CHAIN, REFUSED, Page, RecordPage, refusal_text, today

# ----------------------------------------------------------------------------- a new report


@dataclass(frozen=True)
class _ReportPage:
    """What the report form is about: the pupil, the adaptations that may be linked, and the
    concern the report answers."""

    page: Page
    adaptations: list[Adaptation]
    concern: Concern | None

    def form(self, request: AuthenticatedRequest) -> ReferralForm:
        """Bound to what was posted, or starting from the adaptation and ground the
        evaluation named (adaptations.adaptation_evaluate's link)."""
        preselected = adaptation_of_pupil(self.page.pupil.pk, request.GET.get("anpassning"))
        ground = request.GET.get("grund", "")
        initial: dict[str, Any] = {
            "adaptations": [str(preselected.pk)] if preselected else [],
            "ground": ground if ground in {g.value for g in wf.ReferralGround} else "",
            "concern": self.concern.pk if self.concern else None,
        }
        return ReferralForm(
            request.POST or None,
            initial=initial,
            adaptation_ids=[a.pk for a in self.adaptations],
        )

    def render(self, form: ReferralForm, *, refusal: str = "", error: str = "") -> HttpResponse:
        chosen = form.chosen_adaptations()
        rows = [
            {"adaptation": a, "checked": str(a.pk) in chosen, "id": f"adaptation-{a.pk}"}
            for a in self.adaptations
        ]
        return self.page.render(
            CHAIN + "referral_form.html",
            status=REFUSED if refusal else 200,
            form=form,
            adaptation_rows=rows,
            concern=self.concern,
            refusal=refusal,
            error=error,
        )

    def create(self, unit_id: uuid.UUID, data: dict[str, Any]) -> Referral:
        by_id = {str(a.pk): a for a in self.adaptations}
        return self.page.call(
            services.referral_create,
            pupil=self.page.pupil,
            school_unit_id=unit_id,
            ground=data["ground"],
            description=data["description"],
            results=data["results"],
            adaptations=[by_id[pk] for pk in data["adaptations"]],
            guardian_informed=data["guardian_informed"],
            pupil_informed=data["pupil_informed"],
            concern=self.concern,
        )


@login_required
def referral_create(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Report to the principal (SL 3 kap. 7 §), linking the adaptations tried."""
    page = Page.for_act(
        request,
        pupil_id,
        SupportAct.REFER,
        record_type=Referral.RECORD_TYPE,
        purpose="referral_create",
    )
    concern_id = request.POST.get("concern") or request.GET.get("oro")
    report = _ReportPage(
        page=page,
        adaptations=pupil_adaptations(page.pupil.pk),
        concern=concern_of_pupil(page.pupil.pk, concern_id),
    )
    form = report.form(request)
    if request.method != "POST" or not form.is_valid():
        return report.render(form)
    unit_id = page.access.school_unit_id
    if unit_id is None:
        return report.render(form, error=_("Eleven har ingen aktuell skolenhet."))
    try:
        referral = report.create(unit_id, form.cleaned_data)
    except wf.RefusalError as error:
        return report.render(form, refusal=refusal_text(error))
    return page.done(_("Anmälan till rektor är skickad."), referral)


# ----------------------------------------------------------------------------- the case page


def referral_page(
    page: RecordPage[Referral], open_form: InvestigationOpenForm | None = None, refusal: str = ""
) -> HttpResponse:
    """The report, the principal's receipt, what the case waits for and by when, and opening
    the investigation with investigators chosen among the unit's staff."""
    referral = page.record
    state = wf.CaseState(referral.state)
    day = today()
    deadlines = deadlines_at_unit(referral.school_unit_id)
    may_open = page.may(SupportAct.OPEN_INVESTIGATION)
    if may_open and open_form is None:
        open_form = InvestigationOpenForm(
            initial={"target_on": day + timedelta(days=deadlines.investigation_complete_days)},
            staff=investigators_offered(page),
        )
    due = case_due(referral, deadlines)
    investigation = opened_investigation(referral)
    # The reporter sees the report but not always the investigation (only its investigators
    # and the case team do): the link is offered to those the door will let in.
    investigation_opens = (
        investigation is not None
        and support_records_visible_to(context_for(page.request), INVESTIGATIONS)
        .filter(pk=investigation.pk)
        .exists()
    )
    return page.render(
        CHAIN + "referral_detail.html",
        status=REFUSED if refusal else 200,
        referral=referral,
        adaptations=referral_adaptations(referral),
        investigation=investigation,
        investigation_opens=investigation_opens,
        due=due,
        due_label=TASK_KIND_LABELS[due.kind] if due else "",
        overdue=wf.is_overdue(due, day) if due else False,
        may_receive=state == wf.CaseState.REPORTED and page.may(SupportAct.RECEIVE_REFERRAL),
        may_open=may_open and state == wf.CaseState.RECEIVED,
        open_form=open_form,
        refusal=refusal,
        today=day,
    )


def investigators_offered(page: RecordPage[Referral]) -> list[Choice]:
    """Who the rektor may name to investigate (staff.responsible_staff)."""
    unit_id, facts = page.record.school_unit_id, page.access.facts
    return responsible_staff(school_unit_id=unit_id, facts=facts, day=today())


referral_detail = RecordPage.view("referral_detail", REFERRALS, referral_page)


@login_required
@require_POST
def referral_receive(request: AuthenticatedRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The principal's receipt: from here the investigation is due "skyndsamt" (SL 3 kap. 7 §)."""
    act = SupportAct.RECEIVE_REFERRAL
    page = RecordPage.open(request, REFERRALS, referral_id, "referral_receive", act=act)
    try:
        page.call(services.referral_receive, referral=page.record)
    except wf.RefusalError as error:
        return referral_page(page, refusal=refusal_text(error))
    return page.done(_("Anmälan är kvitterad."))
