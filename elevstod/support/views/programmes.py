"""The action programme (SL 3 kap. 9 §): the page as read (the family's own view on it is
participant_views.programme_view_add), the version diff, and the draft's editor.

The editor is a GET page (programme_edit). Its acts post to their own URLs: save the draft
(programme_save), add a need or a measure row without saving (programme_add_need,
programme_add_measure; the htmx request gets only the row's section back) and, on a decided
programme, start a revision (programme_revise), which is a new draft and, once decided, a new
decision (decision 0006). One's own autosaved text is thrown away as every document's is
(views/drafts.py: support:draft_discard).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from elevstod.access.policy import SupportAct, sees_teaching_part_only
from elevstod.access.records import PROGRAMMES
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.communication import CommunicationAnswerForm, CommunicationForm
from elevstod.support.forms.participant_views import ParticipantViewForm
from elevstod.support.forms.programmes import (
    MEASURES,
    NEEDS,
    ProgrammeEditor,
    RevisionForm,
    editor_data,
)
from elevstod.support.models import ActionProgramme, Draft
from elevstod.support.selectors import programmes as selectors
from elevstod.support.selectors.drafts import own_draft
from elevstod.support.services import communication as communicating
from elevstod.support.staff import Choice, responsible_or_saved
from elevstod.support.views._pages import PROGRAMME, RecordPage, refusal_text, today

# ----------------------------------------------------------------------------- the programme


def programme_page(
    page: RecordPage[ActionProgramme], form: ParticipantViewForm | None = None, refusal: str = ""
) -> HttpResponse:
    """The programme as read, with its versions and history; the family may add their view.

    A teacher who is only a teacher sees the teaching part (process.md §4): the needs and
    measures with their own first, the dates and their own follow-ups, never the family's
    views, the participation notes, the history or the versions.
    """
    programme = page.record
    content = selectors.content_of(programme)
    acts = page.offers(
        SupportAct.DRAFT_PROGRAMME,
        SupportAct.DECIDE,
        SupportAct.RECORD_FOLLOW_UP,
        SupportAct.ADD_OWN_VIEW,
    )
    # The decision on the draft, or the closing decision when in force: offered only to those
    # who may make it (the rektor or a delegate, SL 2 kap. 10 §).
    deciding = {
        wf.ProgrammeState.DRAFT: wf.DecisionKind.ACTION_PROGRAMME,
        wf.ProgrammeState.IN_FORCE: wf.DecisionKind.ACTION_PROGRAMME_CLOSURE,
    }.get(wf.ProgrammeState(programme.state))
    acts[SupportAct.DECIDE.value] = deciding is not None and page.may_decide(deciding)
    user_id = page.request.user.pk
    shown: dict[str, Any]
    if sees_teaching_part_only(page.access.relations):
        shown = {
            "content": selectors.teaching_content(content, user_id),
            "own_measures": selectors.own_measures(content, user_id),
            "own_follow_ups": selectors.own_follow_ups(programme.pk, user_id),
            "mark_user_id": user_id,
        }
    else:
        versions = selectors.programme_versions(
            programme.referral_id, with_drafts=not page.is_family
        )
        shown = {
            "content": content,
            "versions": versions,
            "history": selectors.programme_history(programme.pk),
            "form": form or ParticipantViewForm(),
            "refusal": refusal,
        }
    return page.render(
        PROGRAMME + "programme_detail.html",
        programme=programme,
        measure_count=len(selectors.measures_of(content)),
        acts=acts,
        **shown,
    )


programme_detail = RecordPage.view("programme_detail", PROGRAMMES, programme_page)


def _diff_page(page: RecordPage[ActionProgramme]) -> HttpResponse:
    """What changed since the previous version, need by need and measure by measure. The
    whole record: not for a teacher who sees only the teaching part."""
    programme = page.record
    previous = None
    needs: list[selectors.NeedDiff] = []
    fields: list[selectors.FieldChange] = []
    if programme.previous_id is not None:
        previous = selectors.programme_version(programme.previous_id)
        needs = selectors.programme_diff(
            selectors.programme_content(previous.pk), selectors.content_of(programme)
        )
        fields = selectors.programme_field_changes(previous, programme)
    next_version = getattr(programme, "next_version", None)
    # The family never sees a draft (policy: family_may_see), not even as a link.
    undecided = next_version is not None and next_version.state in wf.UNDECIDED_PROGRAMME_STATES
    if undecided and page.is_family:
        next_version = None
    return page.render(
        PROGRAMME + "programme_diff.html",
        programme=programme,
        previous=previous,
        needs=needs,
        fields=fields,
        changed=[need for need in needs if need.status != "unchanged"],
        next_version=next_version,
    )


programme_diff = RecordPage.view("programme_diff", PROGRAMMES, _diff_page, whole_record=True)


# ----------------------------------------------------------------------------- the editor


def _to_edit(
    request: AuthenticatedRequest, programme_id: uuid.UUID, purpose: str
) -> RecordPage[ActionProgramme]:
    act = SupportAct.DRAFT_PROGRAMME
    return RecordPage.open(request, PROGRAMMES, programme_id, purpose, act=act)


def _people(page: RecordPage[ActionProgramme]) -> list[Choice]:
    """Who may be named responsible (elevstod.support.staff), and whoever the programme
    already names, so that an earlier choice is not lost when a duty ends."""
    programme = page.record
    return responsible_or_saved(
        school_unit_id=programme.school_unit_id,
        facts=page.access.facts,
        day=today(),
        saved=selectors.named_in(programme),
    )


def _editor(page: RecordPage[ActionProgramme], data: Any, **rows: bool) -> ProgrammeEditor:
    is_revision = page.record.previous_id is not None
    return ProgrammeEditor(data, people=_people(page), is_revision=is_revision, **rows)


def _fresh_data(programme: ActionProgramme) -> dict[str, list[str]]:
    """The document as the editor's data, the dates defaulting from the huvudman's deadlines."""
    interval = selectors.provider_deadlines(programme).follow_up_interval_days
    start: date = programme.in_force_from or today()
    return editor_data(
        programme,
        selectors.content_of(programme),
        follow_up_default=start + timedelta(days=interval),
        evaluation_default=start + timedelta(days=2 * interval),
    )


@login_required
@require_safe
def programme_edit(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """The draft's editor: needs carried over from the investigation, measures linked to them.

    A decided programme is never edited in place (decision 0006): the page says so and offers
    to start a revision. What this user typed but never saved comes back (process.md rule 7);
    it keeps the version it was typed against, so saving it over a newer save is a conflict.
    """
    page = _to_edit(request, programme_id, "programme_edit")
    programme = page.record
    if programme.state != wf.ProgrammeState.DRAFT:
        return _locked_page(page)
    draft = own_draft(request.user.pk, ActionProgramme.RECORD_TYPE, programme.pk)
    if draft is None or not draft.data:
        return _editor_page(page, _editor(page, _fresh_data(programme)))
    restored = {**draft.data, "version": str(draft.base_version)}
    return _editor_page(page, _editor(page, restored), restored=draft)


@login_required
@require_POST
def programme_save(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """Save the draft (the user's own autosaved draft of it is then spent); a concurrent save
    shows both texts side by side (decision 0006)."""
    page = _to_edit(request, programme_id, "programme_save")
    programme = page.record
    if programme.state != wf.ProgrammeState.DRAFT:
        return _locked_page(page)
    editor = _editor(page, request.POST)
    if not editor.is_valid():
        return _editor_page(page, editor)
    try:
        page.call(
            services.programme_save,
            programme=programme,
            expected_version=editor.version,
            values=editor.values(),
            needs=editor.need_inputs(),
            measures=editor.measure_inputs(),
        )
    except wf.RefusalError as error:
        return _editor_page(page, editor, refusal=refusal_text(error))
    except services.EditConflictError as error:
        return _editor_page(
            page,
            editor.with_version(error.version),
            conflict=_conflict_rows(error, editor),
            theirs_content=selectors.programme_content(programme.pk),
        )
    return page.done(gettext("Utkastet är sparat."), _edit_url(programme))


def _edit_url(programme: ActionProgramme) -> str:
    return reverse("support:programme_edit", kwargs={"programme_id": programme.pk})


@login_required
@require_POST
def programme_add_row(
    request: AuthenticatedRequest, programme_id: uuid.UUID, part: str
) -> HttpResponse:
    """One more need or measure row, nothing saved; with htmx only that section comes back."""
    page = _to_edit(request, programme_id, "programme_edit")
    if page.record.state != wf.ProgrammeState.DRAFT:
        return _locked_page(page)
    editor = _editor(page, request.POST, add_need=part == NEEDS, add_measure=part == MEASURES)
    return _editor_page(page, editor, part=part if request.htmx else "")


def _editor_page(
    page: RecordPage[ActionProgramme],
    editor: ProgrammeEditor,
    *,
    refusal: str = "",
    conflict: list[dict[str, str]] | None = None,
    theirs_content: list[selectors.NeedRow] | None = None,
    restored: Draft | None = None,
    part: str = "",
) -> HttpResponse:
    """The editor with what was typed; `part` renders only the needs or measures section."""
    programme = page.record
    template = PROGRAMME + "programme_edit.html"
    return page.render(
        f"{template}#{part}" if part else template,
        programme=programme,
        draft_restored=restored,
        draft_is_stale=restored is not None and restored.base_version != programme.version,
        editor=editor,
        refusal=refusal,
        conflict=conflict,
        theirs_content=theirs_content or [],
        investigation=programme.investigation,
        may_decide=not part and page.may_decide(wf.DecisionKind.ACTION_PROGRAMME),
    )


def _conflict_rows(
    conflict: services.EditConflictError, editor: ProgrammeEditor
) -> list[dict[str, str]]:
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
            theirs, mine = editor.person_name(theirs), editor.person_name(mine)
        rows.append({"label": str(label), "theirs": _plain(theirs), "mine": _plain(mine)})
    return rows


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Ja") if value else gettext("Nej")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------- a decided programme


def _locked_page(
    page: RecordPage[ActionProgramme], form: RevisionForm | None = None, refusal: str = ""
) -> HttpResponse:
    """A decided programme: why it cannot be edited, and the revision it may have or start."""
    programme = page.record
    locked = wf.may_edit_programme(wf.ProgrammeState(programme.state))
    return page.render(
        PROGRAMME + "programme_locked.html",
        programme=programme,
        locked=locked.text(gettext) if isinstance(locked, wf.Refused) else "",
        revision=selectors.revision_of(programme),
        form=form or RevisionForm(),
        refusal=refusal,
        can_revise=programme.state == wf.ProgrammeState.IN_FORCE,
    )


@login_required
@require_POST
def programme_revise(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """Start a revision of the programme in force: a new draft, decided as a new decision."""
    page = _to_edit(request, programme_id, "programme_revise")
    form = RevisionForm(request.POST)
    if selectors.revision_of(page.record) is not None or not form.is_valid():
        return _locked_page(page, form)
    try:
        draft = page.call(
            services.programme_start_revision,
            programme=page.record,
            reason=form.cleaned_data["reason"],
        )
    except wf.RefusalError as error:
        return _locked_page(page, form, refusal_text(error))
    thanks = gettext("En revidering är påbörjad. Den gäller först när den har beslutats.")
    return page.done(thanks, _edit_url(draft))


# ----------------------------------------------------------------------------- communicating


def _communication_page(
    page: RecordPage[ActionProgramme],
    *,
    communication_form: CommunicationForm | None = None,
    answer_form: CommunicationAnswerForm | None = None,
    refusal: str = "",
) -> HttpResponse:
    """Before closing the programme against the family's stated view (FL 25 §): the material
    sent and the time to answer, or the exception; and the family's answer."""
    programme = page.record
    bound_with_errors = any(
        form is not None and form.is_bound and bool(form.errors)
        for form in (communication_form, answer_form)
    )
    return page.render(
        PROGRAMME + "programme_communication.html",
        status=409 if refusal or bound_with_errors else 200,
        programme=programme,
        communication=communicating.latest_communication(programme=programme),
        family_has_a_view=communicating.family_has_stated_a_view(programme),
        communicates=programme.state == wf.ProgrammeState.IN_FORCE
        and page.may_decide(wf.DecisionKind.ACTION_PROGRAMME_CLOSURE),
        communication_form=communication_form or CommunicationForm(),
        answer_form=answer_form or CommunicationAnswerForm(),
        communication_refusal=refusal,
    )


def _deciding(
    request: AuthenticatedRequest, programme_id: uuid.UUID, purpose: str
) -> RecordPage[ActionProgramme]:
    """The programme whole, for those who may reach its closing decision (policy); a teacher who
    sees only the teaching part does not get it."""
    act = SupportAct.DECIDE
    return RecordPage.open(request, PROGRAMMES, programme_id, purpose, act=act, whole_record=True)


@login_required
def programme_communicate(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """GET: the communication before closing the programme; POST records what was sent to the
    family and by when they may answer, or the exception and its reason (FL 25 §)."""
    page = _deciding(request, programme_id, "programme_communicate")
    if request.method != "POST":
        return _communication_page(page)
    form = CommunicationForm(request.POST)
    if not form.is_valid():
        return _communication_page(page, communication_form=form)
    try:
        page.require_decider(wf.DecisionKind.ACTION_PROGRAMME_CLOSURE)
        page.call(communicating.communication_record, programme=page.record, values=form.values())
    except wf.RefusalError as error:
        return _communication_page(page, communication_form=form, refusal=refusal_text(error))
    return page.done(
        gettext("Kommuniceringen är registrerad."),
        reverse("support:programme_communicate", kwargs={"programme_id": page.record.pk}),
    )


@login_required
@require_POST
def programme_communication_answer(
    request: AuthenticatedRequest, programme_id: uuid.UUID
) -> HttpResponse:
    """The family's answer to the communication before closing the programme (FL 25 §)."""
    page = _deciding(request, programme_id, "programme_communication_answer")
    form = CommunicationAnswerForm(request.POST)
    if not form.is_valid():
        return _communication_page(page, answer_form=form)
    communication = communicating.latest_communication(programme=page.record)
    try:
        page.require_decider(wf.DecisionKind.ACTION_PROGRAMME_CLOSURE)
        page.call(
            communicating.communication_answer,
            communication=communication,
            answered_on=form.cleaned_data["answered_on"],
            answer=form.cleaned_data["answer"],
        )
    except wf.RefusalError as error:
        return _communication_page(page, answer_form=form, refusal=refusal_text(error))
    return page.done(
        gettext("Svaret är registrerat."),
        reverse("support:programme_communicate", kwargs={"programme_id": page.record.pk}),
    )
