"""Decisions (SL 3 kap. 9 §; FL 32–33, 44 §§): the decision after an investigation, on a
programme draft and on closing a programme, then the decision as served.

The decision page only reads. Each of its acts posts to its own URL: staff record how a
recipient got the decision (decision_serve) or correct a recorded receipt
(decision_correct_receipt); the pupil or a guardian confirms their own receipt, which starts
their three weeks (decision_confirm_receipt), and may add their own view
(participant_views.decision_view_add). The three acts on a recipient's row are one view, told
apart by the URL (SERVICE_ACTS).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from elevstod.access.policy import Relation, SupportAct
from elevstod.access.records import DECISIONS, INVESTIGATIONS, PROGRAMMES
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.decisions import (
    DecisionChoiceForm,
    ServiceCorrectionForm,
    ServiceForm,
    StatementForm,
    service_form,
)
from elevstod.support.forms.participant_views import ParticipantViewForm
from elevstod.support.labels import APPEAL_INSTRUCTIONS
from elevstod.support.models import (
    ActionProgramme,
    Decision,
    DecisionService,
    Investigation,
    RecipientKind,
)
from elevstod.support.selectors.appeals import appeals_of
from elevstod.support.selectors.decisions import closing_decision_of, own_service
from elevstod.support.selectors.follow_ups import latest_evaluation
from elevstod.support.selectors.programmes import (
    content_of,
    draft_programme_of_case,
    measures_of,
    programme_content,
)
from elevstod.support.services.decisions import pupil_standing, recipient_acts_alone
from elevstod.support.staff import decision_makers
from elevstod.support.views._pages import (
    GET_POST,
    PROGRAMME,
    RecordPage,
    refusal_text,
    today,
    with_version,
)
from elevstod.support.workflow.decisions import NO_DELEGATION

# Someone saved the document after this page was opened; what was typed stays (rule 7).
INVESTIGATION_CHANGED = _(
    "Utredningen har sparats av någon annan sedan du öppnade sidan. Läs igenom "
    "bedömningen som den ser ut nu och fatta beslutet igen. Din motivering finns kvar."
)
DRAFT_CHANGED = _(
    "Utkastet har sparats av någon annan sedan du öppnade sidan. Läs igenom "
    "programmet som det ser ut nu och besluta igen. Din motivering finns kvar."
)


def _decide(
    page: RecordPage[Any],
    form: StatementForm,
    decide: Callable[..., Decision],
    thanks: str,
    **about: Any,
) -> HttpResponse:
    """ONE of the decide_* services with the typed reasons (FL 32 §), then the decision's page,
    where it is served; a refusal or a concurrent save is raised to the page to show."""
    reasons = form.cleaned_data["statement_of_reasons"]
    return page.save(thanks, decide, statement_of_reasons=reasons, **about)


def _decision_form(
    page: RecordPage[Any], template: str, kind: str, refusal: str, **context: Any
) -> HttpResponse:
    """What every decision form shows: who may decide at the unit today (SL 2 kap. 10 §). The
    form itself only to those (`may_decide`); anyone else is told the rule instead."""
    makers = decision_makers(page.record.school_unit_id, kind, today())
    # After the investigation the page also starts the programme that is decided later.
    kinds: tuple[wf.DecisionKind, ...] = (wf.DecisionKind(kind),)
    if kind == wf.DecisionKind.NO_ACTION_PROGRAMME:
        kinds += (wf.DecisionKind.ACTION_PROGRAMME,)
    may_decide = page.may_decide(*kinds)
    if not may_decide and not refusal:
        refusal = refusal_text(wf.RefusalError(NO_DELEGATION))
    return page.render(
        PROGRAMME + template, makers=makers, refusal=refusal, may_decide=may_decide, **context
    )


# ----------------------------------------------------------------------- after the investigation


@login_required
@GET_POST
def decision_create(request: AuthenticatedRequest, investigation_id: uuid.UUID) -> HttpResponse:
    """After the investigation: draw up a programme, or decide not to (SL 3 kap. 9 §)."""
    act = SupportAct.DECIDE
    page = RecordPage.open(request, INVESTIGATIONS, investigation_id, "decision_create", act=act)
    investigation = page.record
    form = DecisionChoiceForm(request.POST or None, initial={"version": investigation.version})
    if request.method != "POST" or not form.is_valid():
        return _decision_create_page(page, form)
    try:
        return _decide_after_investigation(page, form)
    except wf.RefusalError as error:
        return _decision_create_page(page, form, refusal_text(error))
    except services.EditConflictError as error:
        # The investigation was saved after this page was opened: read it again first.
        investigation.refresh_from_db()
        fresh = DecisionChoiceForm(with_version(request.POST, error.version))
        return _decision_create_page(page, fresh, str(INVESTIGATION_CHANGED))


def _decide_after_investigation(
    page: RecordPage[Investigation], form: DecisionChoiceForm
) -> HttpResponse:
    """Decide now that no programme is drawn up, or start the programme draft (or open the one
    the case has), which is decided with its reasons once it is ready."""
    investigation = page.record
    page.require_decider(wf.DecisionKind.NO_ACTION_PROGRAMME, wf.DecisionKind.ACTION_PROGRAMME)
    if not form.draws_up:
        return _decide(
            page,
            form,
            services.decide_no_programme,
            gettext("Beslutet är fattat och ska nu delges."),
            investigation=investigation,
            instead=form.cleaned_data["instead"],
            expected_version=form.cleaned_data.get("version"),
        )
    draft = draft_programme_of_case(investigation.referral_id)
    if draft is None:
        draft = _draw_up(page)
        messages.success(
            page.request,
            gettext("Ett utkast till åtgärdsprogram är skapat med behoven från utredningen."),
        )
    return redirect("support:programme_edit", programme_id=draft.pk)


def _draw_up(page: RecordPage[Investigation]) -> ActionProgramme:
    """The programme draft with the investigation's needs; only after a need was found."""
    investigation = page.record
    outcome = wf.may_decide_programme_after_assessment(investigation.special_support_needed)
    if isinstance(outcome, wf.Refused):
        raise wf.RefusalError(outcome)
    programme = page.call(services.investigation_conclude, investigation=investigation)
    if programme is None:  # the assessment changed between the check and the save
        no_need = wf.may_decide_programme_after_assessment(False)
        raise wf.RefusalError(cast(wf.Refused, no_need))
    return programme


def _decision_create_page(
    page: RecordPage[Investigation], form: DecisionChoiceForm, refusal: str = ""
) -> HttpResponse:
    investigation = page.record
    return _decision_form(
        page,
        "decision_create.html",
        wf.DecisionKind.NO_ACTION_PROGRAMME,
        refusal,
        investigation=investigation,
        needs=list(investigation.needs.all()),
        closing_decision=closing_decision_of(investigation) if investigation.closed_on else None,
        draft=draft_programme_of_case(investigation.referral_id),
        form=form,
        today=today(),
    )


# ----------------------------------------------------------------------------- on a programme


@login_required
@GET_POST
def programme_decide(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """Decide the draft (SL 3 kap. 9 §). Reserved settings are the rektor's own decision."""
    page = _on_programme(request, programme_id, "programme_decide")
    programme = page.record
    form = StatementForm(request.POST or None, initial={"version": programme.version})
    content = content_of(programme)
    refusal = ""
    is_draft = programme.state == wf.ProgrammeState.DRAFT
    if request.method == "POST" and is_draft and form.is_valid():
        try:
            thanks = gettext("Åtgärdsprogrammet är beslutat och ska nu delges.")
            version = form.cleaned_data.get("version")
            return _decide(
                page,
                form,
                services.decide_programme,
                thanks,
                programme=programme,
                expected_version=version,
            )
        except wf.RefusalError as error:
            refusal = refusal_text(error)
        except services.EditConflictError as error:
            # Show what is saved now and keep the typed statement, to be decided again on the
            # new version (rule 7).
            programme.refresh_from_db()
            content = programme_content(programme.pk)
            form = StatementForm(with_version(request.POST, error.version))
            refusal = str(DRAFT_CHANGED)
    reserved = [m for m in measures_of(content) if m.is_reserved]
    return _programme_form(
        page,
        "programme_decide.html",
        wf.DecisionKind.ACTION_PROGRAMME,
        form,
        refusal,
        is_draft=is_draft,
        content=content,
        reserved=reserved,
    )


@login_required
@GET_POST
def programme_close(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """A closing decision on the strength of an evaluation, with appeal instructions."""
    page = _on_programme(request, programme_id, "programme_close")
    programme = page.record
    form = StatementForm(request.POST or None)
    refusal = ""
    in_force = programme.state == wf.ProgrammeState.IN_FORCE
    if request.method == "POST" and in_force and form.is_valid():
        try:
            thanks = gettext("Programmet är avslutat genom beslut.")
            return _decide(page, form, services.decide_closure, thanks, programme=programme)
        except wf.RefusalError as error:
            refusal = refusal_text(error)
    evaluation = latest_evaluation(programme) if in_force else None
    return _programme_form(
        page,
        "programme_close.html",
        wf.DecisionKind.ACTION_PROGRAMME_CLOSURE,
        form,
        refusal,
        in_force=in_force,
        evaluation=evaluation,
    )


def _on_programme(
    request: AuthenticatedRequest, programme_id: uuid.UUID, purpose: str
) -> RecordPage[ActionProgramme]:
    """The programme whole, for a decision on it: the decision rests on the whole programme,
    which a teacher who sees only the teaching part does not get (`whole_record`)."""
    act = SupportAct.DECIDE
    return RecordPage.open(request, PROGRAMMES, programme_id, purpose, act=act, whole_record=True)


def _programme_form(
    page: RecordPage[ActionProgramme],
    template: str,
    kind: str,
    form: StatementForm,
    refusal: str,
    **context: Any,
) -> HttpResponse:
    """A decision on the programme: its statement form, who may decide, how to appeal."""
    return _decision_form(
        page,
        template,
        kind,
        refusal,
        programme=page.record,
        form=form,
        appeal_instructions=APPEAL_INSTRUCTIONS,
        **context,
    )


# ----------------------------------------------------------------------------- the decision


ServiceForms = dict[uuid.UUID, ServiceForm | ServiceCorrectionForm]


def decision_page(
    page: RecordPage[Decision],
    view_form: ParticipantViewForm | None = None,
    view_refusal: str = "",
    *,
    bound: ServiceForms | None = None,
    errors: dict[uuid.UUID, str] | None = None,
) -> HttpResponse:
    """The decision as served: reasons, appeal instructions, service and deadline per recipient;
    with a posted view, a posted service form, or a refusal beside a recipient."""
    decision = page.record
    rows = list(decision.services.all())
    may_serve = page.may(SupportAct.SERVE_DECISION)
    # A recorded receipt day is evidence: its row gets a correction form, never a new service.
    forms_by_row = {row.pk: (bound or {}).get(row.pk) or service_form(row) for row in rows}
    errors = errors or {}
    own = _own_service(page, rows)
    day, born_on = today(), page.pupil.birth_date
    acts_alone = pupil_standing(
        pupil_id=decision.pupil_id, school_unit_id=decision.school_unit_id, day=day, born_on=born_on
    ).acts_alone
    pupil_row = next((row for row in rows if row.recipient_kind == RecipientKind.PUPIL), None)
    # The pupil's receipt starts no appeal time: the guardians' does (SL 29 kap. 12 §). Their
    # standing on the day of their receipt, which is today's (acts_alone) until they have one.
    via_guardians = pupil_row is not None and not (
        acts_alone
        if (pupil_row.received_on or day) == day
        else recipient_acts_alone(decision, pupil_row, day, born_on=born_on)
    )
    return page.render(
        PROGRAMME + "decision_detail.html",
        decision=decision,
        services=[
            {
                "row": row,
                "form": forms_by_row[row.pk] if may_serve else None,
                "error": errors.get(row.pk, ""),
                "through_guardians": via_guardians and row is pupil_row,
            }
            for row in rows
        ],
        own=own,
        own_through_guardians=via_guardians and own is not None and own is pupil_row,
        pupil_acts_alone=acts_alone,
        own_error=errors.get(own.pk, "") if own else "",
        appeals=appeals_of(decision.pk),
        may_serve=may_serve,
        may_register_appeal=page.may(SupportAct.HANDLE_APPEAL),
        today=today(),
        views=list(decision.participant_views.all()),
        view_form=view_form or ParticipantViewForm(),
        view_refusal=view_refusal,
        may_add_view=page.may(SupportAct.ADD_OWN_VIEW),
        is_pupil=Relation.SELF in page.access.relations,
    )


def _own_service(page: RecordPage[Decision], rows: list[DecisionService]) -> DecisionService | None:
    """The signed-in family member's own row, whose receipt only they confirm."""
    if not page.may(SupportAct.CONFIRM_RECEIPT):
        return None
    is_pupil = Relation.SELF in page.access.relations
    return own_service(rows, user_id=page.request.user.pk, is_pupil=is_pupil)


# ----------------------------------------------------------------------------- its acts


@dataclass(frozen=True)
class ServiceAct:
    """An act on one recipient's service row: who may do it, the form it posts (its fields
    named as the service's keywords; none when nothing is typed), its service, the thanks."""

    act: SupportAct
    form: type[ServiceForm] | type[ServiceCorrectionForm] | None
    save: Callable[..., object]
    thanks: StrOrPromise


# By the URL's `act` (urls.py: decision_serve, decision_correct_receipt, …confirm_receipt).
SERVICE_ACTS = {
    # Staff record how and when one recipient got the decision (FL 33 §).
    "serve": ServiceAct(
        SupportAct.SERVE_DECISION,
        ServiceForm,
        services.service_record,
        _("Delgivningen för %(name)s är registrerad."),
    ),
    # A recorded receipt day is evidence: corrected with a reason, the earlier day kept.
    "correct": ServiceAct(
        SupportAct.SERVE_DECISION,
        ServiceCorrectionForm,
        services.service_correct,
        _("Rättelsen av delgivningen för %(name)s är registrerad."),
    ),
    # The pupil or a guardian confirms their own receipt, which starts their three weeks
    # (FL 44 §); someone else's row is not theirs to confirm.
    "confirm": ServiceAct(
        SupportAct.CONFIRM_RECEIPT,
        None,
        services.service_confirm_receipt,
        _("Tack! Du har bekräftat att du har tagit del av beslutet."),
    ),
}


@login_required
@require_POST
def decision_service_act(
    request: AuthenticatedRequest, decision_id: uuid.UUID, service_id: uuid.UUID, act: str
) -> HttpResponse:
    """One act (SERVICE_ACTS) on one recipient's service row: the posted form, ONE service
    call, back to the decision; a form error or a refusal shows the page again with what was
    typed, beside that recipient."""
    done = SERVICE_ACTS[act]
    page = RecordPage.open(request, DECISIONS, decision_id, f"decision_{act}", act=done.act)
    row = next((row for row in page.record.services.all() if row.pk == service_id), None)
    mine = row is not None and _own_service(page, [row]) is not None
    if row is None or (done.act is SupportAct.CONFIRM_RECEIPT and not mine):
        raise Http404
    form = done.form.for_service(row, request.POST) if done.form else None
    bound: ServiceForms = {row.pk: form} if form is not None else {}
    if form is not None and not form.is_valid():
        return decision_page(page, bound=bound)
    typed = form.cleaned_data if form is not None else {}
    try:
        page.call(done.save, service=row, **typed)
    except wf.RefusalError as error:
        return decision_page(page, bound=bound, errors={row.pk: refusal_text(error)})
    return page.done(done.thanks % {"name": row.recipient_name})


decision_detail = RecordPage.view("decision_detail", DECISIONS, decision_page)
