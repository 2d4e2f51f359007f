"""Pages for the first half of the chain: concern → extra adaptation → evaluation → report to
the principal → investigation (process.md §1–2; SL 3 kap. 5 §, 7 §).

Every view is thin: parse, ask the policy through elevstod.access.lookup (which logs the read and
gives the same 404 for missing and forbidden), call ONE service, then redirect (POST/redirect/GET)
or re-render the form with what the user typed. A workflow refusal is shown with its rule's
message and paragraph; a concurrent save shows both texts side by side (decision 0006).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.lookup import PupilAccess, get_pupil_for, get_record_for
from elevstod.access.policy import (
    Relation,
    SupportAct,
    SupportRecord,
    can_act,
    can_view_support_record,
)
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.support import selectors_chain as sel
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.due import due_for_pupil
from elevstod.support.forms_chain import (
    ADAPTATION_TEXT_FIELDS,
    AdaptationEditForm,
    AdaptationEvaluationForm,
    AdaptationForm,
    ConcernCloseForm,
    ConcernForm,
    FamilyConcernForm,
    InvestigationForm,
    InvestigationOpenForm,
    NeedFormSet,
    ReferralForm,
    adaptation_initial,
    initial_from_draft,
    investigation_initial,
    need_rows_from_draft,
)
from elevstod.support.labels import (
    ADAPTATION_STATE_LABELS,
    CONCERN_STATE_LABELS,
    NEED_CATEGORY_LABELS,
    SUPPORT_LEVEL_LABELS,
    TASK_KIND_LABELS,
    label,
)
from elevstod.support.models import Adaptation, Investigation, RaisedBy, Referral

T = "support/chain/"
REFUSED = 409  # the workflow or a concurrent save refused; the page keeps what was typed
ADAPTATION = "adaptation"
INVESTIGATION = "investigation"
PROGRAMME = "action_programme"  # selectors_programme.PROGRAMME_DRAFT_TYPE


def _today() -> date:
    return timezone.localdate()


def _refusal(error: wf.RefusalError) -> str:
    return error.refusal.text(_)


# ----------------------------------------------------------------------------- access


def _pupil(
    ctx: UserContext, pupil_id: uuid.UUID, *, purpose: str, allow: Any, record_type: str
) -> PupilAccess:
    return get_pupil_for(ctx, pupil_id, record_type=record_type, purpose=purpose, allow=allow)


def _concern(ctx: UserContext, concern_id: uuid.UUID, purpose: str) -> tuple[Any, PupilAccess]:
    return get_record_for(
        ctx,
        sel.concerns_for(ctx.user_id),
        concern_id,
        record_type="concern",
        purpose=purpose,
        allow=lambda rels, c: can_view_support_record(
            rels, SupportRecord.CONCERN, participant=c.created_by_id == ctx.user_id
        ),
    )


def _adaptation_participant(adaptation: Adaptation, user_id: uuid.UUID | None) -> bool:
    return user_id in (adaptation.responsible_id, adaptation.created_by_id)


def _adaptation(
    ctx: UserContext, adaptation_id: uuid.UUID, purpose: str
) -> tuple[Adaptation, PupilAccess]:
    return get_record_for(  # type: ignore[no-any-return]
        ctx,
        sel.adaptations_for(ctx.user_id),
        adaptation_id,
        record_type=ADAPTATION,
        purpose=purpose,
        allow=lambda rels, a: can_view_support_record(
            rels, SupportRecord.ADAPTATION, participant=_adaptation_participant(a, ctx.user_id)
        ),
    )


def _referral_participant(referral: Referral, user_id: uuid.UUID | None) -> bool:
    return referral.created_by_id == user_id or bool(
        getattr(referral, "user_is_investigator", False)
    )


def _referral(ctx: UserContext, referral_id: uuid.UUID, purpose: str) -> tuple[Referral, Any]:
    return get_record_for(  # type: ignore[no-any-return]
        ctx,
        sel.referrals_for(ctx.user_id),
        referral_id,
        record_type="referral",
        purpose=purpose,
        allow=lambda rels, r: can_view_support_record(
            rels, SupportRecord.REFERRAL, participant=_referral_participant(r, ctx.user_id)
        ),
    )


def _investigation(
    ctx: UserContext, investigation_id: uuid.UUID, purpose: str, *, write: bool = False
) -> tuple[Investigation, PupilAccess]:
    def allow(rels: frozenset[Relation], inv: Investigation) -> bool:
        investigator = bool(getattr(inv, "user_is_investigator", False))
        if write:
            return can_act(rels, SupportAct.WRITE_INVESTIGATION, participant=investigator)
        # Work in progress: never the family (policy: family_may_see=False).
        return can_view_support_record(
            rels, SupportRecord.INVESTIGATION, participant=investigator, family_may_see=False
        )

    return get_record_for(  # type: ignore[no-any-return]
        ctx,
        sel.investigations_for(ctx.user_id),
        investigation_id,
        record_type=INVESTIGATION,
        purpose=purpose,
        allow=allow,
    )


def _unit_or_none(access: PupilAccess) -> uuid.UUID | None:
    return access.school_unit_id


def _provider_of(access: PupilAccess) -> uuid.UUID | None:
    placements = access.pupil.current_placements  # type: ignore[attr-defined]
    return placements[0].school_unit.provider_id if placements else None


# ----------------------------------------------------------------------------- pupil's page


@login_required
def pupil_support(request: HttpRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """The pupil's support at a glance: level, what is due, adaptations, concerns, cases and the
    whole chain as one timeline. The family sees the plain version without work in progress."""
    ctx = context_for(request)
    access = _pupil(
        ctx,
        pupil_id,
        record_type="support_page",
        purpose="support_page",
        # Adaptations are the widest record: every relation to the pupil sees them.
        allow=lambda rels: can_view_support_record(rels, SupportRecord.ADAPTATION),
    )
    rels = access.relations
    page = sel.support_page(access.pupil, rels, user_id=ctx.user_id)
    today = _today()
    due = (
        []
        if page.family
        else sel.visible_due(
            due_for_pupil(pupil_id=access.pupil.pk, today=today), rels, page.participant_ids
        )
    )
    may = {
        "raise_concern": can_act(rels, SupportAct.RAISE_CONCERN),
        "submit_concern": can_act(rels, SupportAct.SUBMIT_CONCERN),
        "manage_adaptations": can_act(rels, SupportAct.MANAGE_ADAPTATIONS),
        "refer": can_act(rels, SupportAct.REFER),
    }
    return render(
        request,
        T + "pupil_support.html",
        {
            "pupil": access.pupil,
            "page": page,
            "level_label": SUPPORT_LEVEL_LABELS[page.level],
            "levels": [
                {"value": level.value, "label": text, "current": level == page.level}
                for level, text in SUPPORT_LEVEL_LABELS.items()
            ],
            "due": due,
            "overdue": sum(1 for item in due if item.overdue),
            "today": today,
            "may": may,
            "programme_url": sel.record_url(
                "support:programme_detail", "programme_id", page.programme.id
            )
            if page.programme
            else "",
        },
    )


# ----------------------------------------------------------------------------- concerns


@login_required
def concern_create(request: HttpRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Staff record a concern (SL 3 kap. 5 §); the pupil or a guardian may tell the school."""
    ctx = context_for(request)
    access = _pupil(
        ctx,
        pupil_id,
        record_type="concern",
        purpose="concern_create",
        allow=lambda rels: (
            can_act(rels, SupportAct.RAISE_CONCERN) or can_act(rels, SupportAct.SUBMIT_CONCERN)
        ),
    )
    family = sel.is_family_view(access.relations)
    form_class: type[forms.Form] = FamilyConcernForm if family else ConcernForm
    form = form_class(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        unit_id = _unit_or_none(access)
        if unit_id is None:
            error = _("Eleven har ingen aktuell skolenhet. Kontakta skolan direkt.")
        else:
            data = form.cleaned_data
            concern = services.concern_create(
                actor=request.user,  # type: ignore[arg-type]
                pupil=access.pupil,
                school_unit_id=unit_id,
                source=wf.ConcernSource.PUPIL_OR_GUARDIAN if family else data["source"],
                raised_by_kind=_raised_by(access.relations) if family else RaisedBy.STAFF,
                subject=data["subject"],
                description=data["description"],
                today=_today(),
            )
            if family:
                messages.success(
                    request, _("Tack. Skolan har fått veta din oro och återkommer till dig.")
                )
                return redirect("support:pupil_support", pupil_id=access.pupil.pk)
            messages.success(request, _("Oron är registrerad."))
            return redirect("support:concern_detail", concern_id=concern.pk)
    return render(
        request,
        T + "concern_form.html",
        {"pupil": access.pupil, "form": form, "family": family, "error": error},
    )


def _raised_by(relations: frozenset[Relation]) -> str:
    return RaisedBy.PUPIL if Relation.SELF in relations else RaisedBy.GUARDIAN


@login_required
def concern_detail(request: HttpRequest, concern_id: uuid.UUID) -> HttpResponse:
    """A concern, what it led to, and closing it when nothing more needs doing."""
    ctx = context_for(request)
    concern, access = _concern(ctx, concern_id, "concern_detail")
    rels = access.relations
    mine = concern.created_by_id == ctx.user_id
    may_manage = can_act(rels, SupportAct.MANAGE_ADAPTATIONS, participant=mine)
    is_open = concern.state == wf.ConcernState.OPEN
    form = ConcernCloseForm(request.POST or None)
    refusal = ""
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise Http404
        if form.is_valid():
            try:
                services.concern_close(
                    actor=request.user,  # type: ignore[arg-type]
                    concern=concern,
                    reason=form.cleaned_data["reason"],
                    today=_today(),
                )
            except wf.RefusalError as exc:
                refusal, status = _refusal(exc), REFUSED
            else:
                messages.success(request, _("Oron är avslutad."))
                return redirect("support:concern_detail", concern_id=concern.pk)
    return render(
        request,
        T + "concern_detail.html",
        {
            "concern": concern,
            "pupil": access.pupil,
            "state_label": label(CONCERN_STATE_LABELS, concern.state),
            "form": form,
            "refusal": refusal,
            "is_open": is_open,
            "may_manage": may_manage,
            "may_refer": can_act(rels, SupportAct.REFER),
            **sel.concern_page(concern),
        },
        status=status,
    )


# ----------------------------------------------------------------------------- adaptations


def _adaptation_form_args(access: PupilAccess, *, today: date) -> dict[str, Any]:
    """Who may be responsible, and the pupil's groups this year (loaded by the lookup)."""
    pupil = access.pupil
    return {
        "responsible": sel.responsible_choices(pupil, access.school_unit_id, today=today),
        "groups": [m.group for m in pupil.current_memberships],  # type: ignore[attr-defined]
    }


@login_required
def adaptation_create(request: HttpRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Give an extra adaptation (SL 3 kap. 5 §), optionally as the answer to a concern."""
    ctx = context_for(request)
    access = _pupil(
        ctx,
        pupil_id,
        record_type=ADAPTATION,
        purpose="adaptation_create",
        allow=lambda rels: can_act(rels, SupportAct.MANAGE_ADAPTATIONS),
    )
    today = _today()
    concern = sel.concern_of_pupil(
        access.pupil.pk, request.POST.get("concern") or request.GET.get("oro")
    )
    args = _adaptation_form_args(access, today=today)
    provider = _provider_of(access)
    deadlines = services.deadlines_for(provider) if provider else wf.DEFAULT_DEADLINES
    initial = {
        "starts_on": today,
        "evaluate_on": today + timedelta(days=deadlines.adaptation_evaluation_days),
        "responsible": str(ctx.user_id)
        if any(u.pk == ctx.user_id for u in args["responsible"])
        else "",
        "subject": concern.subject if concern else "",
    }
    form = AdaptationForm(request.POST or None, initial=initial, **args)
    error = ""
    if request.method == "POST" and form.is_valid():
        unit_id = access.school_unit_id
        if unit_id is None:
            error = _("Eleven har ingen aktuell skolenhet.")
        else:
            adaptation = services.adaptation_create(
                actor=request.user,  # type: ignore[arg-type]
                pupil=access.pupil,
                school_unit_id=unit_id,
                values=form.values(),
                concern=concern,
                today=today,
            )
            messages.success(request, _("Den extra anpassningen är sparad."))
            return redirect("support:adaptation_detail", adaptation_id=adaptation.pk)
    return render(
        request,
        T + "adaptation_form.html",
        {"pupil": access.pupil, "form": form, "concern": concern, "error": error},
    )


@login_required
def adaptation_detail(request: HttpRequest, adaptation_id: uuid.UUID) -> HttpResponse:
    """One adaptation: its evaluations, the versioned edit form and the evaluation form.

    POST `action=edit` saves a change (version check → conflict view), `action=evaluate`
    records an evaluation ("refer" continues to the report with this adaptation chosen),
    `action=discard_draft` drops the user's own autosaved draft.
    """
    ctx = context_for(request)
    adaptation, access = _adaptation(ctx, adaptation_id, "adaptation_detail")
    rels = access.relations
    family = sel.is_family_view(rels)
    may_manage = not family and can_act(
        rels,
        SupportAct.MANAGE_ADAPTATIONS,
        participant=_adaptation_participant(adaptation, ctx.user_id),
    )
    today = _today()
    action = request.POST.get("action", "")
    if request.method == "POST" and not may_manage:
        raise Http404
    active = adaptation.state == wf.AdaptationState.ACTIVE
    args: dict[str, Any] = {}
    edit_form: AdaptationEditForm | None = None
    evaluation_form: AdaptationEvaluationForm | None = None
    draft = None
    refusal, status, conflict = "", 200, None
    if may_manage and active:
        args = _adaptation_form_args(access, today=today)
        draft = sel.own_draft(ctx.user_id, ADAPTATION, adaptation.pk)
        base = adaptation_initial(adaptation)
        initial = initial_from_draft(AdaptationEditForm, draft.data, base) if draft else base
        edit_form = AdaptationEditForm(initial=initial, **args)
        provider = _provider_of(access)
        deadlines = services.deadlines_for(provider) if provider else wf.DEFAULT_DEADLINES
        evaluation_form = AdaptationEvaluationForm(
            initial={
                "next_evaluation_on": today + timedelta(days=deadlines.adaptation_evaluation_days)
            }
        )
    if request.method == "POST" and action == "discard_draft":
        services.draft_discard(
            user=request.user,  # type: ignore[arg-type]
            record_type=ADAPTATION,
            record_id=adaptation.pk,
        )
        messages.info(request, _("Utkastet är borttaget."))
        return redirect("support:adaptation_detail", adaptation_id=adaptation.pk)
    if request.method == "POST" and action == "edit" and active:
        edit_form = AdaptationEditForm(request.POST, **args)
        if edit_form.is_valid():
            try:
                services.adaptation_update(
                    actor=request.user,  # type: ignore[arg-type]
                    adaptation=adaptation,
                    expected_version=edit_form.cleaned_data["version"],
                    values=edit_form.values(),
                    today=today,
                )
            except services.EditConflictError as exc:
                conflict = _conflict(exc, edit_form, ADAPTATION_TEXT_FIELDS)
                edit_form = AdaptationEditForm(_with_version(request.POST, exc.version), **args)
                status = REFUSED
            except wf.RefusalError as exc:
                refusal, status = _refusal(exc), REFUSED
            else:
                services.draft_discard(
                    user=request.user,  # type: ignore[arg-type]
                    record_type=ADAPTATION,
                    record_id=adaptation.pk,
                )
                messages.success(request, _("Ändringen är sparad."))
                return redirect("support:adaptation_detail", adaptation_id=adaptation.pk)
        draft = None
    if request.method == "POST" and action == "evaluate" and active:
        evaluation_form = AdaptationEvaluationForm(request.POST)
        if evaluation_form.is_valid():
            data = evaluation_form.cleaned_data
            try:
                services.adaptation_evaluate(
                    actor=request.user,  # type: ignore[arg-type]
                    adaptation=adaptation,
                    effect=data["effect"],
                    next_step=data["next_step"],
                    pupil_view=data["pupil_view"],
                    comment=data["comment"],
                    next_evaluation_on=data["next_evaluation_on"],
                    today=today,
                )
            except wf.RefusalError as exc:
                refusal, status = _refusal(exc), REFUSED
            else:
                messages.success(request, _("Utvärderingen är sparad."))
                if data["next_step"] == wf.AdaptationNextStep.REFER:
                    url = _referral_create_url(adaptation)
                    return redirect(url)
                return redirect("support:adaptation_detail", adaptation_id=adaptation.pk)
    return render(
        request,
        T + "adaptation_detail.html",
        {
            "adaptation": adaptation,
            "pupil": access.pupil,
            "family": family,
            "active": active,
            "state_label": label(ADAPTATION_STATE_LABELS, adaptation.state),
            "need_labels": [
                label(NEED_CATEGORY_LABELS, value) for value in adaptation.need_categories or []
            ],
            "evaluations": sel.adaptation_evaluations(adaptation),
            "may_manage": may_manage and active,
            "may_refer": can_act(rels, SupportAct.REFER),
            "edit_form": edit_form,
            "evaluation_form": evaluation_form,
            "draft": draft,
            "refusal": refusal,
            "conflict": conflict,
            "action": action,
        },
        status=status,
    )


def _referral_create_url(adaptation: Adaptation) -> str:
    base = reverse("support:referral_create", kwargs={"pupil_id": adaptation.pupil_id})
    return f"{base}?anpassning={adaptation.pk}&grund={wf.ReferralGround.DESPITE_ADAPTATIONS}"


# ----------------------------------------------------------------------------- my adaptations


@login_required
def my_adaptations(request: HttpRequest) -> HttpResponse:
    """For every group the user teaches or mentors, the active adaptations to carry out.

    The page names pupils, so it is one LIST row in the access log (security.md P1)."""
    ctx = context_for(request)
    if not ctx.is_staff_member:
        raise Http404
    groups = sel.my_adaptations(ctx)
    record_access(actor_id=ctx.user_id, action=AccessAction.LIST, record_type="my_adaptations")
    return render(
        request,
        T + "my_adaptations.html",
        {
            "groups": groups,
            "total": sum(len(g.rows) for g in groups),
            "need_labels": dict(NEED_CATEGORY_LABELS),
            "today": _today(),
        },
    )


# ----------------------------------------------------------------------------- referral


@login_required
def referral_create(request: HttpRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Report to the principal (SL 3 kap. 7 §), linking the adaptations tried."""
    ctx = context_for(request)
    access = _pupil(
        ctx,
        pupil_id,
        record_type="referral",
        purpose="referral_create",
        allow=lambda rels: can_act(rels, SupportAct.REFER),
    )
    adaptations = sel.pupil_adaptations(access.pupil.pk)
    by_id = {str(a.pk): a for a in adaptations}
    preselected = sel.adaptation_of_pupil(access.pupil.pk, request.GET.get("anpassning"))
    concern = sel.concern_of_pupil(
        access.pupil.pk, request.POST.get("concern") or request.GET.get("oro")
    )
    ground = request.GET.get("grund", "")
    initial: dict[str, Any] = {
        "adaptations": [str(preselected.pk)] if preselected else [],
        "ground": ground if ground in {g.value for g in wf.ReferralGround} else "",
        "concern": concern.pk if concern else None,
    }
    form = ReferralForm(
        request.POST or None, initial=initial, adaptation_ids=[a.pk for a in adaptations]
    )
    refusal, error, status = "", "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit_id = access.school_unit_id
        if unit_id is None:
            error = _("Eleven har ingen aktuell skolenhet.")
        else:
            try:
                referral = services.referral_create(
                    actor=request.user,  # type: ignore[arg-type]
                    pupil=access.pupil,
                    school_unit_id=unit_id,
                    ground=data["ground"],
                    description=data["description"],
                    results=data["results"],
                    adaptations=[by_id[pk] for pk in data["adaptations"]],
                    guardian_informed=data["guardian_informed"],
                    pupil_informed=data["pupil_informed"],
                    concern=concern,
                    today=_today(),
                )
            except wf.RefusalError as exc:
                refusal, status = _refusal(exc), REFUSED
            else:
                messages.success(request, _("Anmälan till rektor är skickad."))
                return redirect("support:referral_detail", referral_id=referral.pk)
    chosen = set(form["adaptations"].value() or [])
    return render(
        request,
        T + "referral_form.html",
        {
            "pupil": access.pupil,
            "form": form,
            "adaptation_rows": [
                {"adaptation": a, "checked": str(a.pk) in chosen, "id": f"adaptation-{a.pk}"}
                for a in adaptations
            ],
            "concern": concern,
            "refusal": refusal,
            "error": error,
        },
        status=status,
    )


@login_required
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The case page: the report, the principal's receipt (starts the "skyndsamt" clock) and
    opening the investigation with investigators chosen among the unit's staff."""
    ctx = context_for(request)
    referral, access = _referral(ctx, referral_id, "referral_detail")
    rels = access.relations
    today = _today()
    may_receive = can_act(rels, SupportAct.RECEIVE_REFERRAL)
    may_open = can_act(rels, SupportAct.OPEN_INVESTIGATION)
    state = wf.CaseState(referral.state)
    staff = sel.unit_staff(ctx, referral.school_unit_id) if may_open else []
    deadlines = services.deadlines_for(referral.school_unit.provider_id)
    open_form = InvestigationOpenForm(
        initial={"target_on": today + timedelta(days=deadlines.investigation_complete_days)},
        staff=staff,
    )
    action = request.POST.get("action", "")
    refusal, status = "", 200
    if request.method == "POST":
        if action == "receive" and may_receive:
            try:
                services.referral_receive(
                    actor=request.user,  # type: ignore[arg-type]
                    referral=referral,
                    today=today,
                )
            except wf.RefusalError as exc:
                refusal, status = _refusal(exc), REFUSED
            else:
                messages.success(request, _("Anmälan är kvitterad."))
                return redirect("support:referral_detail", referral_id=referral.pk)
        elif action == "open" and may_open:
            open_form = InvestigationOpenForm(request.POST, staff=staff)
            if open_form.is_valid():
                try:
                    investigation = services.investigation_open(
                        actor=request.user,  # type: ignore[arg-type]
                        referral=referral,
                        investigator_ids=[
                            uuid.UUID(pk) for pk in open_form.cleaned_data["investigators"]
                        ],
                        target_on=open_form.cleaned_data["target_on"],
                        today=today,
                    )
                except wf.RefusalError as exc:
                    refusal, status = _refusal(exc), REFUSED
                else:
                    messages.success(request, _("Utredningen är inledd."))
                    return redirect(
                        "support:investigation_detail", investigation_id=investigation.pk
                    )
        else:
            raise Http404
    clock = wf.CaseClock(
        state=state,
        reported_on=referral.reported_on,
        received_on=timezone.localdate(referral.received_at) if referral.received_at else None,
    )
    waiting = state in (wf.CaseState.REPORTED, wf.CaseState.RECEIVED)
    due = wf.case_due(clock, deadlines) if waiting else None
    opened = getattr(referral, "investigation", None)
    return render(
        request,
        T + "referral_detail.html",
        {
            "referral": referral,
            "pupil": access.pupil,
            "adaptations": sel.referral_adaptations(referral),
            "investigation": opened,
            "due": due,
            "due_label": TASK_KIND_LABELS[due.kind] if due else "",
            "overdue": wf.is_overdue(due, today) if due else False,
            "may_receive": may_receive and state == wf.CaseState.REPORTED,
            "may_open": may_open and state == wf.CaseState.RECEIVED,
            "open_form": open_form,
            "refusal": refusal,
            "today": today,
        },
        status=status,
    )


# ----------------------------------------------------------------------------- investigation


@login_required
def investigation_detail(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    """The investigation as read: mapping, the pupil's and guardians' views, EHT, assessment."""
    ctx = context_for(request)
    investigation, access = _investigation(ctx, investigation_id, "investigation_detail")
    investigator = bool(getattr(investigation, "user_is_investigator", False))
    return render(
        request,
        T + "investigation_detail.html",
        {
            "investigation": investigation,
            "pupil": access.pupil,
            "needs": sel.investigation_needs(investigation),
            "need_labels": dict(NEED_CATEGORY_LABELS),
            "investigators": sel.investigators_of(investigation),
            "draft_programme": sel.draft_programme_of(investigation),
            "may_write": can_act(
                access.relations, SupportAct.WRITE_INVESTIGATION, participant=investigator
            ),
        },
    )


def _needs_formset(data: Any = None, initial: list[dict[str, str]] | None = None) -> Any:
    return NeedFormSet(data, initial=initial, prefix="needs")


@login_required
def investigation_edit(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    """Several investigators write; a stale version gives a conflict page with both texts.

    `action=conclude` saves what was typed and then concludes the assessment
    (services.investigation_conclude), refused with the rule's message where the workflow says
    so. `action=discard_draft` drops the user's own autosaved draft.
    """
    ctx = context_for(request)
    investigation, access = _investigation(ctx, investigation_id, "investigation_edit", write=True)
    today = _today()
    action = request.POST.get("action", "save")
    if request.method == "POST" and action == "discard_draft":
        services.draft_discard(
            user=request.user,  # type: ignore[arg-type]
            record_type=INVESTIGATION,
            record_id=investigation.pk,
        )
        messages.info(request, _("Utkastet är borttaget."))
        return redirect("support:investigation_edit", investigation_id=investigation.pk)
    draft = None
    refusal, status, conflict = "", 200, None
    if request.method == "POST":
        form = InvestigationForm(request.POST)
        needs = _needs_formset(request.POST)
        if form.is_valid() and needs.is_valid():
            try:
                services.investigation_save(
                    actor=request.user,  # type: ignore[arg-type]
                    investigation=investigation,
                    expected_version=form.cleaned_data["version"],
                    values=form.values(),
                    needs=_needs_of(needs),
                    today=today,
                )
                if action == "conclude":
                    investigation.refresh_from_db()
                    _conclude(request, investigation, today)
            except services.EditConflictError as exc:
                conflict = _conflict(exc, form, Investigation.TEXT_FIELDS)
                form = InvestigationForm(_with_version(request.POST, exc.version))
                status = REFUSED
            except wf.RefusalError as exc:
                refusal, status = _refusal(exc), REFUSED
                # The text was saved before the conclusion was refused: keep editing on top.
                investigation.refresh_from_db()
                form = InvestigationForm(_with_version(request.POST, investigation.version))
            else:
                messages.success(request, _("Utredningen är sparad."))
                return redirect("support:investigation_detail", investigation_id=investigation.pk)
    else:
        base = investigation_initial(investigation)
        need_rows = [
            {"category": n.category, "description": n.description}
            for n in sel.investigation_needs(investigation)
        ]
        draft = sel.own_draft(ctx.user_id, INVESTIGATION, investigation.pk)
        if draft is not None:
            base = initial_from_draft(InvestigationForm, draft.data, base)
            need_rows = need_rows_from_draft(draft.data) or need_rows
        form = InvestigationForm(initial=base)
        needs = _needs_formset(initial=need_rows)
    return render(
        request,
        T + "investigation_edit.html",
        {
            "investigation": investigation,
            "pupil": access.pupil,
            "form": form,
            "needs": needs,
            "draft": draft,
            "draft_is_stale": draft is not None and draft.base_version != investigation.version,
            "refusal": refusal,
            "conflict": conflict,
            "may_conclude": investigation.assessed_on is None,
        },
        status=status,
    )


def _needs_of(formset: Any) -> list[tuple[str, str]]:
    return [
        (f.cleaned_data["category"], f.cleaned_data["description"])
        for f in formset.forms
        if f.cleaned_data.get("description", "").strip()
    ]


def _conclude(request: HttpRequest, investigation: Investigation, today: date) -> None:
    """Raises RefusalError (shown on the form) when the workflow refuses the conclusion,
    a second conclusion included (workflow.may_conclude_assessment)."""
    programme = services.investigation_conclude(
        actor=request.user,  # type: ignore[arg-type]
        investigation=investigation,
        today=today,
    )
    if programme is not None:
        messages.info(
            request,
            _("Ett utkast till åtgärdsprogram är skapat med de behov som utredningen fann."),
        )
    messages.success(request, _("Den pedagogiska bedömningen är klar."))


# ----------------------------------------------------------------------------- conflicts


def _with_version(data: QueryDict, version: int) -> QueryDict:
    """The user's own input, now based on the saved version: saving again is a choice made
    after seeing both texts, never a silent overwrite."""
    copy = data.copy()
    copy["version"] = str(version)
    return copy


def _conflict(
    error: services.EditConflictError, form: forms.Form, text_fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Each text field where the saved text differs from what this user typed."""
    rows = []
    for name in text_fields:
        theirs = error.theirs.get(name)
        mine = error.mine.get(name)
        if name in error.mine and (theirs or "") != (mine or ""):
            rows.append(
                {"name": name, "label": form.fields[name].label, "theirs": theirs, "mine": mine}
            )
    return rows


# ----------------------------------------------------------------------------- autosave

# Which act lets a user keep a draft of which document, and how the record is found.
DRAFT_TYPES = (ADAPTATION, INVESTIGATION, PROGRAMME)
NOT_DRAFT_FIELDS = ("csrfmiddlewaretoken", "action", "version")


@require_POST
def draft_autosave(request: HttpRequest, record_type: str, record_id: uuid.UUID) -> HttpResponse:
    """Keep what the user is typing (process.md rule 7): 204, never a change to the document.

    An expired session answers 401 with JSON, so that autosave.js keeps the text in the
    browser and asks the user to sign in again in another tab.
    """
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "session_expired", "message": _("Du är utloggad.")}, status=401
        )
    if record_type not in DRAFT_TYPES:
        raise Http404
    ctx = context_for(request)
    record = _draft_record(ctx, record_type, record_id)
    data: dict[str, Any] = {}
    for key in request.POST:
        if key in NOT_DRAFT_FIELDS:
            continue
        values = request.POST.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    try:
        base_version = int(request.POST.get("version", record.version))
    except ValueError:
        base_version = record.version
    services.draft_autosave(
        user=request.user,  # type: ignore[arg-type]
        record_type=record_type,
        record_id=record.pk,
        base_version=base_version,
        data=data,
    )
    return HttpResponse(status=204)


def _draft_record(ctx: UserContext, record_type: str, record_id: uuid.UUID) -> Any:
    purpose = "draft_autosave"
    if record_type == ADAPTATION:
        adaptation, access = _adaptation(ctx, record_id, purpose)
        if not can_act(
            access.relations,
            SupportAct.MANAGE_ADAPTATIONS,
            participant=_adaptation_participant(adaptation, ctx.user_id),
        ):
            raise Http404
        return adaptation
    if record_type == INVESTIGATION:
        investigation, _access = _investigation(ctx, record_id, purpose, write=True)
        return investigation
    programme, _access = get_record_for(
        ctx,
        sel.programmes_for(ctx.user_id),
        record_id,
        record_type=PROGRAMME,
        purpose=purpose,
        allow=lambda rels, p: (
            p.state == wf.ProgrammeState.DRAFT and can_act(rels, SupportAct.DRAFT_PROGRAMME)
        ),
    )
    return programme
