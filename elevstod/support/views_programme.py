"""The second half of the chain in the browser: decision → programme → follow-up (SL 3 kap. 9 §).

Every page gets its record through elevstod.access.lookup.get_record_for with the policy's record
rule (can_view_support_record) and, for a page that acts, can_act; that lookup logs the read.
A POST calls exactly one service and redirects (POST/redirect/GET). A refusal re-renders the form
with refusal.text() and everything typed; a concurrent save shows both texts (decision 0006).
The PDFs go through the same lookup with AccessAction.PRINT.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from elevstod.access.context import UserContext, context_for
from elevstod.access.lookup import PupilAccess, get_record_for
from elevstod.access.policy import (
    Relation,
    SupportAct,
    SupportRecord,
    can_act,
    can_view_support_record,
    sees_teaching_part_only,
)
from elevstod.audit.models import AccessAction
from elevstod.documents import rendering
from elevstod.support import selectors_programme as selectors
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms_programme import (
    AppealForm,
    AppealHandleForm,
    DecisionChoiceForm,
    FollowUpForm,
    ParticipantViewForm,
    ProgrammeEditor,
    RevisionForm,
    ServiceCorrectionForm,
    ServiceForm,
    StatementForm,
    editor_data,
)
from elevstod.support.labels import APPEAL_INSTRUCTIONS
from elevstod.support.models import ActionProgramme, RecipientKind

T = "support/programme/"
GET_POST = require_http_methods(["GET", "POST"])
Allow = Callable[[frozenset[Relation], Any], bool]


def _today() -> date:
    return timezone.localdate()


def _refusal(error: wf.RefusalError) -> str:
    return error.refusal.text(gettext)


def _is_family(access: PupilAccess) -> bool:
    return not (access.relations - {Relation.SELF, Relation.GUARDIAN})


def _acts(access: PupilAccess, *acts: SupportAct, participant: bool = False) -> dict[str, bool]:
    """What the page may offer, by act name, for the template."""
    return {act.value: can_act(access.relations, act, participant=participant) for act in acts}


# ----------------------------------------------------------------------------- lookups


def _record_rule(
    record: SupportRecord, act: SupportAct | None, *, whole_record: bool = False
) -> Allow:
    """`whole_record`: the page shows the record whole (version diff, PDF), which a teacher who
    sees only the teaching part may not have (policy.sees_teaching_part_only)."""

    def allow(relations: frozenset[Relation], rec: Any) -> bool:
        if whole_record and sees_teaching_part_only(relations):
            return False
        participant = bool(
            getattr(rec, "is_named", False) or getattr(rec, "is_investigator", False)
        )
        family_may_see = getattr(rec, "state", None) not in wf.UNDECIDED_PROGRAMME_STATES or (
            record is not SupportRecord.PROGRAMME
        )
        if not can_view_support_record(
            relations, record, participant=participant, family_may_see=family_may_see
        ):
            return False
        if act is None:
            return True
        return can_act(relations, act, participant=participant)

    return allow


def _programme(
    request: HttpRequest,
    programme_id: uuid.UUID,
    *,
    act: SupportAct | None = None,
    editor: bool = False,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    whole_record: bool = False,
) -> tuple[UserContext, ActionProgramme, PupilAccess]:
    ctx = context_for(request)
    queryset = (
        selectors.programmes_for_editor(ctx.user_id)
        if editor
        else selectors.programmes_for_participant(ctx.user_id)
    )
    programme, access = get_record_for(
        ctx,
        queryset,
        programme_id,
        record_type="action_programme",
        allow=_record_rule(SupportRecord.PROGRAMME, act, whole_record=whole_record),
        action=action,
        purpose=purpose,
    )
    return ctx, programme, access


def _decision(
    request: HttpRequest,
    decision_id: uuid.UUID,
    *,
    act: SupportAct | None = None,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
) -> tuple[UserContext, Any, PupilAccess]:
    ctx = context_for(request)
    decision, access = get_record_for(
        ctx,
        selectors.decisions(),
        decision_id,
        record_type="decision",
        allow=_record_rule(SupportRecord.DECISION, act),
        action=action,
        purpose=purpose,
    )
    return ctx, decision, access


def _investigation(
    request: HttpRequest,
    investigation_id: uuid.UUID,
    *,
    act: SupportAct | None = None,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
) -> tuple[UserContext, Any, PupilAccess]:
    ctx = context_for(request)
    investigation, access = get_record_for(
        ctx,
        selectors.investigations_for(ctx.user_id),
        investigation_id,
        record_type="investigation",
        allow=_record_rule(SupportRecord.INVESTIGATION, act),
        action=action,
        purpose=purpose,
    )
    return ctx, investigation, access


def _appeal(
    request: HttpRequest, appeal_id: uuid.UUID, *, purpose: str = ""
) -> tuple[UserContext, Any, PupilAccess]:
    ctx = context_for(request)
    appeal, access = get_record_for(
        ctx,
        selectors.appeals(),
        appeal_id,
        record_type="appeal",
        allow=_record_rule(SupportRecord.APPEAL, None),
        purpose=purpose,
    )
    return ctx, appeal, access


def _follow_up(
    request: HttpRequest,
    follow_up_id: uuid.UUID,
    *,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    whole_record: bool = False,
) -> tuple[UserContext, Any, PupilAccess]:
    ctx = context_for(request)
    follow_up, access = get_record_for(
        ctx,
        selectors.follow_ups(),
        follow_up_id,
        record_type="follow_up",
        allow=_record_rule(SupportRecord.FOLLOW_UP, None, whole_record=whole_record),
        action=action,
        purpose=purpose,
    )
    return ctx, follow_up, access


def _page(access: PupilAccess, **context: Any) -> dict[str, Any]:
    return {
        "pupil": access.pupil,
        "access": access,
        "is_family": _is_family(access),
        # A teacher who is only a teacher sees the teaching part (process.md §4).
        "teaching_only": sees_teaching_part_only(access.relations),
        # Teachers see the programme they carry out but not the decision file (policy.py):
        # a link they could not follow is not shown.
        "sees_decisions": can_view_support_record(access.relations, SupportRecord.DECISION),
        **context,
    }


# ----------------------------------------------------------------------------- decision (S5)


@login_required
@GET_POST
def decision_create(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    """After the investigation: draw up a programme, or decide not to (SL 3 kap. 9 §)."""
    _ctx, investigation, access = _investigation(
        request, investigation_id, act=SupportAct.DECIDE, purpose="decision_create"
    )
    today = _today()
    form = DecisionChoiceForm(request.POST or None, initial={"version": investigation.version})
    refusal = ""
    draft = selectors.draft_programme_of(investigation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["choice"] == DecisionChoiceForm.NOT_DRAW_UP:
                decision = services.decide_no_programme(
                    actor=request.user,  # type: ignore[arg-type]
                    investigation=investigation,
                    statement_of_reasons=data["statement_of_reasons"],
                    instead=data["instead"],
                    today=today,
                    expected_version=data.get("version"),
                )
                messages.success(request, gettext("Beslutet är fattat och ska nu delges."))
                return redirect("support:decision_detail", decision_id=decision.pk)
            if draft is not None:
                return redirect("support:programme_edit", programme_id=draft.pk)
            outcome = wf.may_decide_programme_after_assessment(investigation.special_support_needed)
            if isinstance(outcome, wf.Refused):
                raise wf.RefusalError(outcome)
            programme = services.investigation_conclude(
                actor=request.user,  # type: ignore[arg-type]
                investigation=investigation,
                today=today,
            )
            if programme is None:  # the assessment changed between the check and the save
                raise wf.RefusalError(
                    wf.may_decide_programme_after_assessment(False)  # type: ignore[arg-type]
                )
            messages.success(
                request,
                gettext("Ett utkast till åtgärdsprogram är skapat med behoven från utredningen."),
            )
            return redirect("support:programme_edit", programme_id=programme.pk)
        except wf.RefusalError as error:
            refusal = _refusal(error)
        except services.EditConflictError as error:
            # The investigation was saved after this page was opened: read it again first.
            investigation.refresh_from_db()
            draft = selectors.draft_programme_of(investigation)
            fresh = request.POST.copy()
            fresh["version"] = str(error.version)
            form = DecisionChoiceForm(fresh)
            refusal = gettext(
                "Utredningen har sparats av någon annan sedan du öppnade sidan. Läs igenom "
                "bedömningen som den ser ut nu och fatta beslutet igen. Din motivering finns kvar."
            )
    return render(
        request,
        T + "decision_create.html",
        _page(
            access,
            investigation=investigation,
            needs=selectors.investigation_needs(investigation),
            closing_decision=selectors.investigation_decision(investigation)
            if investigation.closed_on
            else None,
            draft=draft,
            form=form,
            refusal=refusal,
            makers=selectors.decision_makers(
                investigation.school_unit_id, wf.DecisionKind.NO_ACTION_PROGRAMME, today
            ),
            today=today,
        ),
    )


# ----------------------------------------------------------------------------- programme editor


def _staff(programme: ActionProgramme, today: date) -> list[tuple[str, str]]:
    return selectors.unit_staff(programme.school_unit_id, today)


def _fresh_editor(programme: ActionProgramme, today: date) -> ProgrammeEditor:
    deadlines = selectors.provider_deadlines(programme)
    content = selectors.programme_content(programme.pk)
    start = programme.in_force_from or today
    data = editor_data(
        programme,
        content,
        follow_up_default=start + timedelta(days=deadlines.follow_up_interval_days),
        evaluation_default=start + timedelta(days=2 * deadlines.follow_up_interval_days),
    )
    return ProgrammeEditor(
        data, staff=_staff(programme, today), is_revision=programme.previous_id is not None
    )


@login_required
@GET_POST
def programme_edit(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """The draft's editor: needs carried over from the investigation, measures linked to them.

    A decided programme is never edited in place (decision 0006): the page says so and offers
    to start a revision, which is a new draft and, once decided, a new decision.
    """
    _ctx, programme, access = _programme(
        request,
        programme_id,
        act=SupportAct.DRAFT_PROGRAMME,
        editor=True,
        purpose="programme_edit",
    )
    today = _today()
    if programme.state != wf.ProgrammeState.DRAFT:
        return _locked_programme(request, programme, access, today)
    refusal = ""
    conflict: services.EditConflictError | None = None
    theirs_content: list[selectors.NeedRow] = []
    action = request.POST.get("action", "save")
    draft_restored = False
    if request.method == "POST" and action == "discard_draft":
        services.draft_discard(
            user=request.user,  # type: ignore[arg-type]
            record_type=selectors.PROGRAMME_DRAFT_TYPE,
            record_id=programme.pk,
        )
        messages.info(request, gettext("Ditt osparade utkast är borttaget."))
        return redirect("support:programme_edit", programme_id=programme.pk)
    if request.method == "POST":
        is_revision = programme.previous_id is not None
        editor = ProgrammeEditor(
            request.POST,
            staff=_staff(programme, today),
            is_revision=is_revision,
            add_need=action == "add_need",
            add_measure=action == "add_measure",
        )
        if action == "save" and editor.is_valid():
            try:
                services.programme_save(
                    actor=request.user,  # type: ignore[arg-type]
                    programme=programme,
                    expected_version=editor.programme.cleaned_data["version"],
                    values=editor.values(),
                    needs=editor.need_inputs(),
                    measures=editor.measure_inputs(),
                    today=today,
                )
                services.draft_discard(
                    user=request.user,  # type: ignore[arg-type]
                    record_type=selectors.PROGRAMME_DRAFT_TYPE,
                    record_id=programme.pk,
                )
                messages.success(request, gettext("Utkastet är sparat."))
                return redirect("support:programme_edit", programme_id=programme.pk)
            except wf.RefusalError as error:
                refusal = _refusal(error)
            except services.EditConflictError as error:
                conflict = error
                theirs_content = selectors.programme_content(programme.pk)
                editor = editor.with_version(error.version)
    elif programme.draft_data:  # type: ignore[attr-defined]
        # What this user typed but never saved comes back (process.md rule 7). It keeps the
        # version it was typed against, so saving it over a newer save is a conflict, not a loss.
        data = dict(programme.draft_data)  # type: ignore[attr-defined]
        data["version"] = str(programme.draft_base_version)  # type: ignore[attr-defined]
        editor = ProgrammeEditor(
            data, staff=_staff(programme, today), is_revision=programme.previous_id is not None
        )
        draft_restored = True
    else:
        editor = _fresh_editor(programme, today)
    context = _page(
        access,
        programme=programme,
        draft_restored=draft_restored,
        draft_is_stale=draft_restored and programme.draft_base_version != programme.version,  # type: ignore[attr-defined]
        editor=editor,
        refusal=refusal,
        conflict=_conflict_rows(conflict, editor) if conflict else None,
        theirs_content=theirs_content,
        investigation=programme.investigation,
    )
    if request.htmx and action in ("add_need", "add_measure"):  # type: ignore[attr-defined]
        part = "needs" if action == "add_need" else "measures"
        return render(request, f"{T}programme_edit.html#{part}", context)
    return render(request, T + "programme_edit.html", context)


def _conflict_rows(
    conflict: services.EditConflictError, editor: ProgrammeEditor
) -> list[dict[str, Any]]:
    """The programme's fields that differ, theirs beside mine, named as the form names them."""
    form = editor.programme
    rows = []
    for name, mine in conflict.mine.items():
        theirs = conflict.theirs.get(name)
        if _plain(theirs) == _plain(mine):
            continue
        field_name = name.removesuffix("_id")
        label = form.fields[field_name].label if field_name in form.fields else name
        if field_name.endswith("responsible"):
            theirs, mine = editor.staff_name(theirs), editor.staff_name(mine)
        rows.append({"label": label, "theirs": _plain(theirs), "mine": _plain(mine)})
    return rows


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Ja") if value else gettext("Nej")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _locked_programme(
    request: HttpRequest, programme: ActionProgramme, access: PupilAccess, today: date
) -> HttpResponse:
    """A decided programme: explain why it cannot be edited and offer a revision."""
    locked = wf.may_edit_programme(wf.ProgrammeState(programme.state))
    refusal = locked.text(gettext) if isinstance(locked, wf.Refused) else ""
    revision = selectors.revision_of(programme)
    form = RevisionForm(request.POST or None)
    error = ""
    if request.method == "POST" and revision is None and form.is_valid():
        try:
            draft = services.programme_start_revision(
                actor=request.user,  # type: ignore[arg-type]
                programme=programme,
                reason=form.cleaned_data["reason"],
                today=today,
            )
            messages.success(
                request,
                gettext("En revidering är påbörjad. Den gäller först när den har beslutats."),
            )
            return redirect("support:programme_edit", programme_id=draft.pk)
        except wf.RefusalError as exc:
            error = _refusal(exc)
    return render(
        request,
        T + "programme_locked.html",
        _page(
            access,
            programme=programme,
            locked=refusal,
            revision=revision,
            form=form,
            refusal=error,
            can_revise=programme.state == wf.ProgrammeState.IN_FORCE,
        ),
    )


# ----------------------------------------------------------------------------- programme pages


def _author_kind(access: PupilAccess) -> str:
    return RecipientKind.PUPIL if Relation.SELF in access.relations else RecipientKind.GUARDIAN


def _own_view_saved(
    request: HttpRequest,
    access: PupilAccess,
    form: ParticipantViewForm,
    thanks: str,
    **record: Any,
) -> tuple[bool, str]:
    """The pupil's or a guardian's own view on one record (process.md rule 6; issue item 10):
    (saved, refusal). Only the family adds one (policy ADD_OWN_VIEW); anyone else gets 404."""
    if not can_act(access.relations, SupportAct.ADD_OWN_VIEW):
        raise Http404
    if not form.is_valid():
        return False, ""
    try:
        services.participant_view_add(
            actor=request.user,  # type: ignore[arg-type]
            pupil=access.pupil,
            author_kind=_author_kind(access),
            text=form.cleaned_data["text"],
            today=_today(),
            **record,
        )
    except wf.RefusalError as error:
        # The refusal is the field's error: point the text box at it (aria-describedby).
        form.fields["text"].widget.attrs.update(
            {"aria-describedby": "refusal", "aria-invalid": "true"}
        )
        return False, _refusal(error)
    messages.success(request, thanks)
    return True, ""


@login_required
@GET_POST
def programme_detail(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """The programme as read, with its versions and history; the family may add their view.

    A teacher who is only a teacher sees the teaching part (process.md §4): the needs and
    measures with their own first, the dates and their own follow-ups, never the family's
    views, the participation notes, the history or the versions.
    """
    ctx, programme, access = _programme(request, programme_id, purpose="programme_detail")
    form = ParticipantViewForm(request.POST or None)
    refusal = ""
    if request.method == "POST":
        saved, refusal = _own_view_saved(
            request,
            access,
            form,
            gettext("Tack! Din synpunkt är sparad i programmet."),
            programme=programme,
        )
        if saved:
            return redirect("support:programme_detail", programme_id=programme.pk)
    is_family = _is_family(access)
    content = selectors.programme_content(programme.pk)
    measure_count = len(selectors.measures_of(content))
    acts = _acts(
        access,
        SupportAct.DRAFT_PROGRAMME,
        SupportAct.DECIDE,
        SupportAct.RECORD_FOLLOW_UP,
        SupportAct.ADD_OWN_VIEW,
        participant=bool(getattr(programme, "is_named", False)),
    )
    if sees_teaching_part_only(access.relations):
        context = _page(
            access,
            programme=programme,
            content=selectors.teaching_content(content, ctx.user_id),
            measure_count=measure_count,
            own_measures=selectors.own_measures(content, ctx.user_id),
            own_follow_ups=selectors.own_follow_ups(programme.pk, ctx.user_id),
            mark_user_id=ctx.user_id,
            acts=acts,
        )
    else:
        context = _page(
            access,
            programme=programme,
            content=content,
            measure_count=measure_count,
            versions=selectors.programme_versions(programme.referral_id, with_drafts=not is_family),
            history=selectors.programme_history(programme.pk),
            form=form,
            refusal=refusal,
            acts=acts,
        )
    return render(request, T + "programme_detail.html", context)


@login_required
def programme_diff(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """What changed since the previous version, need by need and measure by measure."""
    _ctx, programme, access = _programme(
        request, programme_id, purpose="programme_diff", whole_record=True
    )
    previous = None
    needs: list[selectors.NeedDiff] = []
    fields: list[selectors.FieldChange] = []
    if programme.previous_id is not None:
        previous = selectors.programmes().get(pk=programme.previous_id)
        needs = selectors.programme_diff(
            selectors.programme_content(previous.pk), selectors.programme_content(programme.pk)
        )
        fields = selectors.programme_field_changes(previous, programme)
    next_version = getattr(programme, "next_version", None)
    if (
        next_version is not None
        and _is_family(access)
        and next_version.state in wf.UNDECIDED_PROGRAMME_STATES
    ):
        next_version = None
    return render(
        request,
        T + "programme_diff.html",
        _page(
            access,
            programme=programme,
            previous=previous,
            needs=needs,
            fields=fields,
            changed=[need for need in needs if need.status != "unchanged"],
            next_version=next_version,
        ),
    )


@login_required
@GET_POST
def programme_decide(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """Decide the draft (SL 3 kap. 9 §). Reserved settings are the rektor's own decision."""
    _ctx, programme, access = _programme(
        request, programme_id, act=SupportAct.DECIDE, purpose="programme_decide"
    )
    today = _today()
    form = StatementForm(request.POST or None, initial={"version": programme.version})
    refusal = ""
    is_draft = programme.state == wf.ProgrammeState.DRAFT
    if request.method == "POST" and is_draft and form.is_valid():
        try:
            decision = services.decide_programme(
                actor=request.user,  # type: ignore[arg-type]
                programme=programme,
                statement_of_reasons=form.cleaned_data["statement_of_reasons"],
                today=today,
                expected_version=form.cleaned_data.get("version"),
            )
            messages.success(request, gettext("Åtgärdsprogrammet är beslutat och ska nu delges."))
            return redirect("support:decision_detail", decision_id=decision.pk)
        except wf.RefusalError as error:
            refusal = _refusal(error)
        except services.EditConflictError as error:
            # Someone saved the draft after this page was opened: show what is saved now and
            # keep the typed statement, to be decided again on the new version (rule 7).
            programme.refresh_from_db()
            is_draft = programme.state == wf.ProgrammeState.DRAFT
            data = request.POST.copy()
            data["version"] = str(error.version)
            form = StatementForm(data)
            refusal = gettext(
                "Utkastet har sparats av någon annan sedan du öppnade sidan. Läs igenom "
                "programmet som det ser ut nu och besluta igen. Din motivering finns kvar."
            )
    content = selectors.programme_content(programme.pk)
    measures = selectors.measures_of(content)
    return render(
        request,
        T + "programme_decide.html",
        _page(
            access,
            programme=programme,
            is_draft=is_draft,
            content=content,
            reserved=[m for m in measures if m.is_reserved],
            form=form,
            refusal=refusal,
            makers=selectors.decision_makers(
                programme.school_unit_id, wf.DecisionKind.ACTION_PROGRAMME, today
            ),
            appeal_instructions=APPEAL_INSTRUCTIONS,
        ),
    )


@login_required
@GET_POST
def programme_close(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """A closing decision on the strength of an evaluation, with appeal instructions."""
    _ctx, programme, access = _programme(
        request, programme_id, act=SupportAct.DECIDE, purpose="programme_close"
    )
    today = _today()
    form = StatementForm(request.POST or None)
    refusal = ""
    in_force = programme.state == wf.ProgrammeState.IN_FORCE
    if request.method == "POST" and in_force and form.is_valid():
        try:
            decision = services.decide_closure(
                actor=request.user,  # type: ignore[arg-type]
                programme=programme,
                statement_of_reasons=form.cleaned_data["statement_of_reasons"],
                today=today,
            )
            messages.success(request, gettext("Programmet är avslutat genom beslut."))
            return redirect("support:decision_detail", decision_id=decision.pk)
        except wf.RefusalError as error:
            refusal = _refusal(error)
    return render(
        request,
        T + "programme_close.html",
        _page(
            access,
            programme=programme,
            in_force=in_force,
            evaluation=selectors.latest_evaluation(programme) if in_force else None,
            form=form,
            refusal=refusal,
            makers=selectors.decision_makers(
                programme.school_unit_id, wf.DecisionKind.ACTION_PROGRAMME_CLOSURE, today
            ),
            appeal_instructions=APPEAL_INSTRUCTIONS,
        ),
    )


# ----------------------------------------------------------------------------- decision pages


@login_required
@GET_POST
def decision_detail(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    """The decision as served: reasons, appeal instructions, service and deadline per recipient.

    Staff who serve decisions record each recipient's service; a guardian or the pupil confirms
    their own receipt, which starts their three weeks (FL 44 §).
    """
    ctx, decision, access = _decision(request, decision_id, purpose="decision_detail")
    today = _today()
    rows = selectors.decision_services(decision.pk)
    may_serve = can_act(access.relations, SupportAct.SERVE_DECISION)
    own = (
        selectors.own_service(rows, user_id=ctx.user_id, is_pupil=Relation.SELF in access.relations)
        if can_act(access.relations, SupportAct.CONFIRM_RECEIPT)
        else None
    )
    # A recorded receipt day is evidence: it gets a correction form, never the service form again.
    forms: dict[uuid.UUID, ServiceForm | ServiceCorrectionForm] = (
        {
            row.pk: ServiceCorrectionForm.for_service(row)
            if row.received_on
            else ServiceForm.for_service(row)
            for row in rows
        }
        if may_serve
        else {}
    )
    errors: dict[uuid.UUID, str] = {}
    is_view = request.method == "POST" and request.POST.get("action") == "view"
    view_form = ParticipantViewForm(request.POST if is_view else None)
    view_refusal = ""
    if is_view:
        saved, view_refusal = _own_view_saved(
            request,
            access,
            view_form,
            gettext("Tack! Din synpunkt på beslutet är sparad och syns för skolan."),
            decision=decision,
        )
        if saved:
            return redirect("support:decision_detail", decision_id=decision.pk)
    elif request.method == "POST":
        action = request.POST.get("action")
        chosen = next((row for row in rows if str(row.pk) == request.POST.get("service")), None)
        if chosen is None or action not in ("serve", "confirm", "correct"):
            raise Http404
        try:
            if action == "confirm":
                if own is None or own.pk != chosen.pk:
                    raise Http404
                services.service_confirm_receipt(
                    actor=request.user,  # type: ignore[arg-type]
                    service=chosen,
                    today=today,
                )
                messages.success(
                    request,
                    gettext("Tack! Du har bekräftat att du har tagit del av beslutet."),
                )
                return redirect("support:decision_detail", decision_id=decision.pk)
            if not may_serve:
                raise Http404
            if action == "correct":
                correction = ServiceCorrectionForm.for_service(chosen, request.POST)
                forms[chosen.pk] = correction
                if correction.is_valid():
                    services.service_correct(
                        actor=request.user,  # type: ignore[arg-type]
                        service=chosen,
                        received_on=correction.cleaned_data["received_on"],
                        reason=correction.cleaned_data["reason"],
                        today=today,
                    )
                    messages.success(
                        request,
                        gettext("Rättelsen av delgivningen för %(name)s är registrerad.")
                        % {"name": chosen.recipient_name},
                    )
                    return redirect("support:decision_detail", decision_id=decision.pk)
            form = ServiceForm.for_service(chosen, request.POST)
            if action == "serve":
                forms[chosen.pk] = form
            if action == "serve" and form.is_valid():
                services.service_record(
                    actor=request.user,  # type: ignore[arg-type]
                    service=chosen,
                    method=form.cleaned_data["method"],
                    sent_on=form.cleaned_data["sent_on"],
                    received_on=form.cleaned_data["received_on"],
                    today=today,
                )
                messages.success(
                    request,
                    gettext("Delgivningen för %(name)s är registrerad.")
                    % {"name": chosen.recipient_name},
                )
                return redirect("support:decision_detail", decision_id=decision.pk)
        except wf.RefusalError as error:
            errors[chosen.pk] = _refusal(error)
    return render(
        request,
        T + "decision_detail.html",
        _page(
            access,
            decision=decision,
            services=[
                {"row": row, "form": forms.get(row.pk), "error": errors.get(row.pk, "")}
                for row in rows
            ],
            own=own,
            appeals=selectors.decision_appeals(decision.pk),
            may_serve=may_serve,
            may_register_appeal=can_act(access.relations, SupportAct.HANDLE_APPEAL),
            today=today,
            views=selectors.participant_views(decision=decision),
            view_form=view_form,
            view_refusal=view_refusal,
            may_add_view=can_act(access.relations, SupportAct.ADD_OWN_VIEW),
            is_pupil=Relation.SELF in access.relations,
        ),
    )


@login_required
@GET_POST
def appeal_register(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    """Register an appeal lodged with the school; timeliness counts from the appellant's own
    receipt (FL 44 §)."""
    _ctx, decision, access = _decision(
        request, decision_id, act=SupportAct.HANDLE_APPEAL, purpose="appeal_register"
    )
    today = _today()
    rows = selectors.decision_services(decision.pk)
    form = AppealForm(request.POST or None, services=rows, initial={"lodged_on": today})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.appeal_register(
                actor=request.user,  # type: ignore[arg-type]
                decision=decision,
                service=form.chosen_service(),
                appellant_name=form.appellant(),
                lodged_on=form.cleaned_data["lodged_on"],
                content=form.cleaned_data["content"],
                today=today,
                reached_board_in_time=form.cleaned_data["reached_board_in_time"],
                wrong_appeal_instructions=form.cleaned_data["wrong_appeal_instructions"],
            )
            messages.success(request, gettext("Överklagandet är registrerat."))
            return redirect("support:appeal_detail", appeal_id=appeal.pk)
        except wf.RefusalError as error:
            refusal = _refusal(error)
    return render(
        request,
        T + "appeal_register.html",
        _page(access, decision=decision, services=rows, form=form, refusal=refusal),
    )


@login_required
@GET_POST
def appeal_detail(request: HttpRequest, appeal_id: uuid.UUID) -> HttpResponse:
    """The appeal and its handling: reconsider, forward to the board, or dismiss as late."""
    _ctx, appeal, access = _appeal(request, appeal_id, purpose="appeal_detail")
    may_handle = can_act(access.relations, SupportAct.HANDLE_APPEAL)
    facts = {
        "reached_board_in_time": appeal.reached_board_in_time,
        "wrong_appeal_instructions": appeal.wrong_appeal_instructions,
    }
    form = (
        AppealHandleForm(request.POST or None, state=appeal.state, initial=facts)
        if may_handle
        else None
    )
    refusal = ""
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.appeal_handle(
                    actor=request.user,  # type: ignore[arg-type]
                    appeal=appeal,
                    action=form.cleaned_data["action"],
                    note=form.cleaned_data["note"],
                    today=_today(),
                    reached_board_in_time=form.cleaned_data["reached_board_in_time"],
                    wrong_appeal_instructions=form.cleaned_data["wrong_appeal_instructions"],
                )
                messages.success(request, gettext("Handläggningen är registrerad."))
                return redirect("support:appeal_detail", appeal_id=appeal.pk)
            except wf.RefusalError as error:
                refusal = _refusal(error)
    return render(
        request,
        T + "appeal_detail.html",
        _page(
            access,
            appeal=appeal,
            decision=appeal.decision,
            new_decision_due=may_handle
            and appeal.new_decision_id is None
            and appeal.state in wf.APPEAL_STATES_AWAITING_NEW_DECISION,
            form=form if form is not None and form.fields["action"].choices else None,  # type: ignore[attr-defined]
            refusal=refusal,
        ),
    )


# ----------------------------------------------------------------------------- follow-up (S7)


@login_required
@GET_POST
def follow_up_create(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """Follow up or evaluate each measure; the outcome is continue, revise or close."""
    _ctx, programme, access = _programme(
        request, programme_id, act=SupportAct.RECORD_FOLLOW_UP, purpose="follow_up_create"
    )
    in_force = programme.state == wf.ProgrammeState.IN_FORCE
    measures = selectors.measures_of(selectors.programme_content(programme.pk))
    kind = (
        wf.FollowUpKind.EVALUATION
        if programme.evaluation_on
        and (programme.follow_up_on is None or programme.evaluation_on <= programme.follow_up_on)
        else wf.FollowUpKind.FOLLOW_UP
    )
    form = FollowUpForm(
        request.POST or None,
        measures=measures,
        initial={"kind": kind, "outcome": wf.FollowUpOutcome.CONTINUE},
    )
    refusal = ""
    if request.method == "POST" and in_force and form.is_valid():
        try:
            follow_up = services.follow_up_record(
                actor=request.user,  # type: ignore[arg-type]
                programme=programme,
                kind=form.cleaned_data["kind"],
                reviews=form.reviews(),
                outcome=form.cleaned_data["outcome"],
                values=form.values(),
                next_on=form.cleaned_data["next_on"],
                today=_today(),
            )
            messages.success(request, gettext("Uppföljningen är sparad."))
            return redirect("support:follow_up_detail", follow_up_id=follow_up.pk)
        except wf.RefusalError as error:
            refusal = _refusal(error)
    return render(
        request,
        T + "follow_up_create.html",
        _page(
            access,
            programme=programme,
            in_force=in_force,
            form=form,
            refusal=refusal,
            not_in_force=gettext("Bara ett gällande åtgärdsprogram följs upp."),
        ),
    )


@login_required
@GET_POST
def follow_up_detail(request: HttpRequest, follow_up_id: uuid.UUID) -> HttpResponse:
    """A follow-up or evaluation, measure by measure; the family may add their view on it.

    A teacher who is only a teacher sees the teaching part (process.md §4): the dates, the
    outcome and the review of each measure (their own first), and the voices, participation
    and summary only of a follow-up they recorded themselves.
    """
    ctx, follow_up, access = _follow_up(request, follow_up_id, purpose="follow_up_detail")
    programme = follow_up.programme
    form = ParticipantViewForm(request.POST or None)
    refusal = ""
    if request.method == "POST":
        saved, refusal = _own_view_saved(
            request,
            access,
            form,
            gettext("Tack! Din synpunkt på uppföljningen är sparad och syns för skolan."),
            follow_up=follow_up,
        )
        if saved:
            return redirect("support:follow_up_detail", follow_up_id=follow_up.pk)
    teaching_only = sees_teaching_part_only(access.relations)
    shows_voices = not teaching_only or follow_up.created_by_id == ctx.user_id
    reviews = selectors.follow_up_reviews(follow_up.pk)
    if teaching_only:
        reviews.sort(key=lambda review: review.measure.responsible_id != ctx.user_id)
    revision = (
        selectors.revision_of(programme)
        if follow_up.outcome == wf.FollowUpOutcome.REVISE and not _is_family(access)
        else None
    )
    return render(
        request,
        T + "follow_up_detail.html",
        _page(
            access,
            follow_up=follow_up,
            programme=programme,
            reviews=reviews,
            revision=revision,
            acts=_acts(access, SupportAct.DRAFT_PROGRAMME, SupportAct.DECIDE),
            shows_voices=shows_voices,
            # The family's own views are never the teacher's own work.
            views=[] if teaching_only else selectors.participant_views(follow_up=follow_up),
            form=form,
            refusal=refusal,
            may_add_view=can_act(access.relations, SupportAct.ADD_OWN_VIEW),
            mark_user_id=ctx.user_id if teaching_only else None,
        ),
    )


# ----------------------------------------------------------------------------- PDFs


def _pdf(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def programme_pdf(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    _ctx, programme, _access = _programme(
        request,
        programme_id,
        action=AccessAction.PRINT,
        purpose="programme_pdf",
        whole_record=True,
    )
    return _pdf(*rendering.programme_pdf(programme))


@login_required
def decision_pdf(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    _ctx, decision, _access = _decision(
        request, decision_id, action=AccessAction.PRINT, purpose="decision_pdf"
    )
    return _pdf(*rendering.decision_pdf(decision))


@login_required
def investigation_pdf(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    _ctx, investigation, _access = _investigation(
        request, investigation_id, action=AccessAction.PRINT, purpose="investigation_pdf"
    )
    return _pdf(*rendering.investigation_pdf(investigation))


@login_required
def follow_up_pdf(request: HttpRequest, follow_up_id: uuid.UUID) -> HttpResponse:
    _ctx, follow_up, _access = _follow_up(
        request,
        follow_up_id,
        action=AccessAction.PRINT,
        purpose="follow_up_pdf",
        whole_record=True,
    )
    return _pdf(*rendering.follow_up_pdf(follow_up))
