"""API v1 for the support chain (Skollagen 3 kap.): lists, details, the programme PDF and writes.

The same door as the pages. Every read goes through access.lookup.get_record_for (checked by
the policy, logged with channel "api", 404 for missing and forbidden alike); every list is the
twin of that check (support.selectors_api) and logs LIST once per page. Every write asks
policy.can_act, then calls exactly one service in support.services, which writes the change,
its ChainEvent and its access-log row in one transaction.

Answers beside 2xx: 401 without a session or token; 403 when the caller may see the record but
not do this with it (logged as DENIED); 404 for a record the caller may not see; 409 for a
refusal by the workflow `{"code", "message", "paragraph"}` or an edit conflict
`{"code": "edit_conflict", "message", "version", "conflicts"}`; 422 for invalid input, with
Swedish messages.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from elevstod.access.context import UserContext, context_for
from elevstod.access.lookup import PupilAccess, get_pupil_for, get_record_for
from elevstod.access.policy import (
    FAMILY,
    STAFF_RELATIONS,
    Relation,
    SupportAct,
    SupportRecord,
    can_act,
    can_view_support_record,
    sees_teaching_part_only,
)
from elevstod.api import support_schemas as s
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import record_access
from elevstod.documents.rendering import programme_pdf
from elevstod.support import selectors_api as sel
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import ParticipantView, RaisedBy, RecipientKind

router = Router(tags=["support"])

# --------------------------------------------------------------------------- errors


class NotPermittedError(Exception):
    """The caller may see the record but not do this with it (answered 403)."""


class ErrorOut(Schema):
    code: str
    message: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    type: str
    msg: str


class ValidationOut(Schema):
    detail: list[FieldErrorOut]


WRITE_ERRORS: dict[int, Any] = {
    403: ErrorOut,
    404: ErrorOut,
    409: s.ConflictOut,
    422: ValidationOut,
}

# Pydantic's error types in Swedish (source language; English comes from the .po files).
_FIELD_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("Fältet krävs."),
    "uuid_parsing": gettext_lazy("Ange ett giltigt id (UUID)."),
    "uuid_type": gettext_lazy("Ange ett giltigt id (UUID)."),
    "date_parsing": gettext_lazy("Ange ett giltigt datum (ÅÅÅÅ-MM-DD)."),
    "date_type": gettext_lazy("Ange ett giltigt datum (ÅÅÅÅ-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("Ange ett giltigt datum (ÅÅÅÅ-MM-DD)."),
    "date_from_datetime_inexact": gettext_lazy("Ange ett giltigt datum (ÅÅÅÅ-MM-DD)."),
    "enum": gettext_lazy("Välj ett av de tillåtna värdena: %(expected)s."),
    "literal_error": gettext_lazy("Välj ett av de tillåtna värdena: %(expected)s."),
    "string_too_long": gettext_lazy("Texten får vara högst %(max_length)s tecken."),
    "string_too_short": gettext_lazy("Fältet får inte vara tomt."),
    "string_type": gettext_lazy("Ange en text."),
    "int_parsing": gettext_lazy("Ange ett heltal."),
    "int_type": gettext_lazy("Ange ett heltal."),
    "greater_than_equal": gettext_lazy("Värdet måste vara minst %(ge)s."),
    "bool_parsing": gettext_lazy("Ange true eller false."),
    "bool_type": gettext_lazy("Ange true eller false."),
    "list_type": gettext_lazy("Ange en lista."),
    "json_invalid": gettext_lazy("Skicka en JSON-kropp enligt API-dokumentet."),
    "model_attributes_type": gettext_lazy("Skicka en JSON-kropp enligt API-dokumentet."),
    "dict_type": gettext_lazy("Skicka en JSON-kropp enligt API-dokumentet."),
}
_VALUE_ERROR_PREFIX = "Value error, "


def _field_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "elevstod":  # our own check below: the message is already Swedish
        return str(error.get("msg", ""))
    if kind == "value_error":  # a validator in support_schemas raised with a Swedish message
        return str(error.get("msg", "")).removeprefix(_VALUE_ERROR_PREFIX)
    template = _FIELD_MESSAGES.get(kind)
    if template is None:
        return gettext("Ogiltigt värde.")
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except KeyError:
        return gettext("Ogiltigt värde.")


def validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    with translation.override("sv"):
        detail = [
            {
                "loc": [part for part in error.get("loc", ()) if isinstance(part, str | int)],
                "type": str(error.get("type", "")),
                "msg": _field_message(error),
            }
            for error in exc.errors
        ]
    return api.create_response(request, {"detail": detail}, status=422)


def refusal(request: HttpRequest, exc: wf.RefusalError, api: NinjaAPI) -> HttpResponse:
    refused = exc.refusal
    with translation.override("sv"):
        message = refused.text(gettext)
    body = {"code": refused.rule, "message": message, "paragraph": refused.paragraph}
    return api.create_response(request, body, status=409)


def edit_conflict(
    request: HttpRequest, exc: services.EditConflictError, api: NinjaAPI
) -> HttpResponse:
    with translation.override("sv"):
        message = gettext(
            "Någon annan har sparat sedan du började. Inget har skrivits över: jämför deras "
            "text med din och skicka igen med den nya versionen."
        )
    conflicts = [
        {"field": name, "theirs": exc.theirs.get(name), "mine": mine}
        for name, mine in exc.mine.items()
        if exc.theirs.get(name) != mine
    ]
    body = {
        "code": "edit_conflict",
        "message": message,
        "paragraph": "",
        "version": exc.version,
        "conflicts": conflicts,
    }
    return api.create_response(request, body, status=409)


def not_permitted(request: HttpRequest, exc: NotPermittedError, api: NinjaAPI) -> HttpResponse:
    with translation.override("sv"):
        message = gettext("Du har inte behörighet att göra detta för eleven.")
    return api.create_response(request, {"code": "not_permitted", "message": message}, status=403)


def add_exception_handlers(api: NinjaAPI) -> None:
    """Swedish answers for the API's own errors (called by elevstod.api.api)."""
    # ninja types a handler's exception as "instance or class"; it always passes the instance.
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ValidationError, validation_error),
        (wf.RefusalError, refusal),
        (services.EditConflictError, edit_conflict),
        (NotPermittedError, not_permitted),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, partial(handler, api=api))


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(
        [{"loc": ["body", "payload", field], "type": "elevstod", "msg": message}]
    )


# --------------------------------------------------------------------------- shared steps


def _channel(request: HttpRequest) -> str:
    return getattr(request, "api_channel", "api")


def _user(request: HttpRequest) -> Any:
    return request.user


class _ShapedPage:
    """Lets the paginator slice the queryset first, then shapes only the rows it kept."""

    def __init__(self, queryset: Any, shape: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, item: Any) -> list[dict[str, Any]]:
        return [self.shape(row) for row in self.queryset[item]]


def _log_list(request: HttpRequest, ctx: UserContext, record: SupportRecord, pupil: Any) -> None:
    """One LIST row per page asked for; the filter's pupil is named only as a record id."""
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type=f"{record.value}_list",
        record_id=pupil or "",
        purpose=f"api_{record.value}_list",
        channel=_channel(request),
    )


def _visible_rule(
    ctx: UserContext, record: SupportRecord, *, whole_record: bool = False
) -> Callable[[frozenset[Relation], Any], bool]:
    """policy.can_view_support_record for one loaded record: participants, and no drafts for
    the family. `whole_record` (a PDF): not for a teacher who sees only the teaching part."""

    def allow(relations: frozenset[Relation], obj: Any) -> bool:
        if whole_record and sees_teaching_part_only(relations):
            return False
        family_may_see = not (
            record is SupportRecord.PROGRAMME and obj.state in wf.UNDECIDED_PROGRAMME_STATES
        )
        return can_view_support_record(
            relations,
            record,
            participant=sel.is_participant(record, ctx.user_id, obj),
            family_may_see=family_may_see,
        )

    return allow


def _fetch(
    request: HttpRequest,
    ctx: UserContext,
    queryset: Any,
    record_id: uuid.UUID,
    record: SupportRecord,
    *,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    whole_record: bool = False,
) -> tuple[Any, PupilAccess]:
    return get_record_for(  # type: ignore[no-any-return]
        ctx,
        queryset,
        record_id,
        record_type=record.value,
        allow=_visible_rule(ctx, record, whole_record=whole_record),
        action=action,
        purpose=purpose or f"api_{record.value}",
        channel=_channel(request),
    )


def _require(
    request: HttpRequest,
    ctx: UserContext,
    access: PupilAccess,
    act: SupportAct,
    *,
    record_type: str,
    record_id: object,
    participant: bool = False,
) -> None:
    """policy.can_act, or a 403 logged as DENIED (security.md P1: refusals are logged too)."""
    if can_act(access.relations, act, participant=participant):
        return
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.UPDATE,
        outcome=AccessOutcome.DENIED,
        pupil_id=access.pupil.pk,
        school_unit_id=access.school_unit_id,
        record_type=record_type,
        record_id=record_id,
        acting_role=access.acting_role,
        purpose=f"api_{act.value}",
        channel=_channel(request),
    )
    raise NotPermittedError


def _unit_of(access: PupilAccess) -> uuid.UUID:
    unit_id = access.school_unit_id
    if unit_id is None:
        raise wf.RefusalError(
            wf.Refused(
                "pupil.no_current_unit",
                wf.gettext_noop("Eleven är inte placerad vid någon skolenhet i dag."),
            )
        )
    return unit_id


def _staff_or_invalid(
    unit_id: uuid.UUID, field: str, user_ids: list[uuid.UUID], ctx: UserContext
) -> None:
    named = {user_id for user_id in user_ids if user_id is not None}
    if named - sel.staff_at_unit(unit_id, named, ctx.today):
        with translation.override("sv"):
            raise _invalid(field, gettext("Ange personal med tjänst vid elevens skolenhet."))


# --------------------------------------------------------------------------- concerns


@router.get("/concerns/", response=list[s.ConcernOut], url_name="list_concerns")
@paginate(LimitOffsetPagination)
def list_concerns(request: HttpRequest, filters: Query[s.ConcernFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.CONCERN, filters.pupil_id)
    rows = sel.concerns_visible_to(ctx, pupil=filters.pupil_id, state=filters.state)
    return _ShapedPage(rows, s.shape_concern)


@router.post("/concerns/", response={201: s.ConcernOut, **WRITE_ERRORS})
def create_concern(request: HttpRequest, payload: s.ConcernIn) -> Any:
    """Staff record a concern (SL 3 kap. 5 §); the pupil or a guardian submits one of their own."""
    ctx = context_for(request)
    access = get_pupil_for(
        ctx, payload.pupil, purpose="api_concern_create", channel=_channel(request)
    )
    source: str = payload.source
    raised_by: str = RaisedBy.STAFF
    if access.relations & STAFF_RELATIONS:
        act = SupportAct.RAISE_CONCERN
    else:
        act = SupportAct.SUBMIT_CONCERN
        source = wf.ConcernSource.PUPIL_OR_GUARDIAN
        raised_by = RaisedBy.PUPIL if Relation.SELF in access.relations else RaisedBy.GUARDIAN
    _require(request, ctx, access, act, record_type="concern", record_id=access.pupil.pk)
    concern = services.concern_create(
        actor=_user(request),
        pupil=access.pupil,
        school_unit_id=_unit_of(access),
        source=source,
        description=payload.description,
        subject=payload.subject,
        raised_by_kind=raised_by,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(201, s.shape_concern(sel.reloaded(sel.concern_records, concern.pk)))


@router.get("/concerns/{concern_id}/", response=s.ConcernOut, url_name="get_concern")
def get_concern(request: HttpRequest, concern_id: uuid.UUID) -> Any:
    ctx = context_for(request)
    concern, _access = _fetch(
        request, ctx, sel.concern_records(), concern_id, SupportRecord.CONCERN
    )
    return s.shape_concern(concern)


# --------------------------------------------------------------------------- adaptations


@router.get("/adaptations/", response=list[s.AdaptationOut], url_name="list_adaptations")
@paginate(LimitOffsetPagination)
def list_adaptations(request: HttpRequest, filters: Query[s.AdaptationFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.ADAPTATION, filters.pupil_id)
    rows = sel.adaptations_visible_to(ctx, pupil=filters.pupil_id, state=filters.state)
    return _ShapedPage(rows, s.shape_adaptation)


@router.post("/adaptations/", response={201: s.AdaptationDetailOut, **WRITE_ERRORS})
def create_adaptation(request: HttpRequest, payload: s.AdaptationIn) -> Any:
    """An extra adaptation (SL 3 kap. 5 §), given skyndsamt within ordinary teaching."""
    ctx = context_for(request)
    access = get_pupil_for(
        ctx, payload.pupil, purpose="api_adaptation_create", channel=_channel(request)
    )
    _require(
        request,
        ctx,
        access,
        SupportAct.MANAGE_ADAPTATIONS,
        record_type="adaptation",
        record_id=access.pupil.pk,
    )
    unit_id = _unit_of(access)
    responsible = payload.responsible or ctx.user_id
    assert responsible is not None  # an authenticated caller has an id
    _staff_or_invalid(unit_id, "responsible", [responsible], ctx)
    concern = None
    with translation.override("sv"):
        if payload.group is not None and not sel.group_at_unit(unit_id, payload.group):
            raise _invalid("group", gettext("Gruppen finns inte vid elevens skolenhet."))
        if payload.concern is not None:
            concern = sel.concern_of_pupil(access.pupil.pk, payload.concern)
            if concern is None:
                raise _invalid("concern", gettext("Oron finns inte för den här eleven."))
        starts_on = payload.starts_on or ctx.today
        evaluate_on = payload.evaluate_on or starts_on + timedelta(
            days=sel.unit_deadlines(unit_id).adaptation_evaluation_days
        )
        if evaluate_on <= starts_on:
            raise _invalid("evaluate_on", gettext("Utvärderingen måste ligga efter startdatumet."))
    adaptation = services.adaptation_create(
        actor=_user(request),
        pupil=access.pupil,
        school_unit_id=unit_id,
        values={
            "need_categories": [str(category) for category in payload.need_categories],
            "need_description": payload.need_description,
            "measure": payload.measure,
            "responsible_id": responsible,
            "subject": payload.subject,
            "group_id": payload.group,
            "starts_on": starts_on,
            "evaluate_on": evaluate_on,
            "guardian_informed_on": payload.guardian_informed_on,
        },
        concern=concern,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(
        201, s.shape_adaptation_detail(sel.reloaded(sel.adaptation_records, adaptation.pk))
    )


@router.get(
    "/adaptations/{adaptation_id}/", response=s.AdaptationDetailOut, url_name="get_adaptation"
)
def get_adaptation(request: HttpRequest, adaptation_id: uuid.UUID) -> Any:
    ctx = context_for(request)
    adaptation, _access = _fetch(
        request, ctx, sel.adaptation_records(), adaptation_id, SupportRecord.ADAPTATION
    )
    return s.shape_adaptation_detail(adaptation)


@router.post(
    "/adaptations/{adaptation_id}/evaluations/",
    response={201: s.AdaptationDetailOut, **WRITE_ERRORS},
    url_name="evaluate_adaptation",
)
def evaluate_adaptation(
    request: HttpRequest, adaptation_id: uuid.UUID, payload: s.AdaptationEvaluationIn
) -> Any:
    """Evaluate the effect, then continue, change, end or report to the principal."""
    ctx = context_for(request)
    adaptation, access = _fetch(
        request, ctx, sel.adaptation_records(), adaptation_id, SupportRecord.ADAPTATION
    )
    _require(
        request,
        ctx,
        access,
        SupportAct.MANAGE_ADAPTATIONS,
        record_type="adaptation",
        record_id=adaptation.pk,
        participant=sel.is_named_on_adaptation(ctx.user_id, adaptation),
    )
    services.adaptation_evaluate(
        actor=_user(request),
        adaptation=adaptation,
        effect=payload.effect,
        next_step=payload.next_step,
        pupil_view=payload.pupil_view,
        comment=payload.comment,
        next_evaluation_on=payload.next_evaluation_on,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(
        201, s.shape_adaptation_detail(sel.reloaded(sel.adaptation_records, adaptation.pk))
    )


# --------------------------------------------------------------------------- referrals


@router.get("/referrals/", response=list[s.ReferralOut], url_name="list_referrals")
@paginate(LimitOffsetPagination)
def list_referrals(request: HttpRequest, filters: Query[s.ReferralFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.REFERRAL, filters.pupil_id)
    rows = sel.referrals_visible_to(ctx, pupil=filters.pupil_id, state=filters.state)
    return _ShapedPage(rows, s.shape_referral)


@router.post("/referrals/", response={201: s.ReferralDetailOut, **WRITE_ERRORS})
def create_referral(request: HttpRequest, payload: s.ReferralIn) -> Any:
    """A report to the principal (SL 3 kap. 7 §): every member of staff has the duty."""
    ctx = context_for(request)
    access = get_pupil_for(
        ctx, payload.pupil, purpose="api_referral_create", channel=_channel(request)
    )
    _require(
        request, ctx, access, SupportAct.REFER, record_type="referral", record_id=access.pupil.pk
    )
    adaptations = sel.adaptations_of_pupil(access.pupil.pk, set(payload.adaptations))
    concern = None
    with translation.override("sv"):
        if len(adaptations) != len(set(payload.adaptations)):
            raise _invalid("adaptations", gettext("Anpassningarna finns inte för den här eleven."))
        if payload.concern is not None:
            concern = sel.concern_of_pupil(access.pupil.pk, payload.concern)
            if concern is None:
                raise _invalid("concern", gettext("Oron finns inte för den här eleven."))
    referral = services.referral_create(
        actor=_user(request),
        pupil=access.pupil,
        school_unit_id=_unit_of(access),
        ground=payload.ground,
        description=payload.description,
        adaptations=adaptations,
        results=payload.results,
        guardian_informed=payload.guardian_informed,
        pupil_informed=payload.pupil_informed,
        concern=concern,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(201, s.shape_referral_detail(sel.reloaded(sel.referral_records, referral.pk)))


@router.get("/referrals/{referral_id}/", response=s.ReferralDetailOut, url_name="get_referral")
def get_referral(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    ctx = context_for(request)
    referral, _access = _fetch(
        request, ctx, sel.referral_records(), referral_id, SupportRecord.REFERRAL
    )
    return s.shape_referral_detail(referral)


@router.post(
    "/referrals/{referral_id}/receipt",
    response={200: s.ReferralDetailOut, **WRITE_ERRORS},
    url_name="receive_referral",
)
def receive_referral(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    """The rektor's receipt starts the "skyndsamt" clock of the investigation (SL 3 kap. 7 §)."""
    ctx = context_for(request)
    referral, access = _fetch(
        request, ctx, sel.referral_records(), referral_id, SupportRecord.REFERRAL
    )
    _require(
        request,
        ctx,
        access,
        SupportAct.RECEIVE_REFERRAL,
        record_type="referral",
        record_id=referral.pk,
    )
    services.referral_receive(
        actor=_user(request), referral=referral, today=ctx.today, channel=_channel(request)
    )
    return s.shape_referral_detail(sel.reloaded(sel.referral_records, referral.pk))


# --------------------------------------------------------------------------- investigations


@router.get("/investigations/", response=list[s.InvestigationOut], url_name="list_investigations")
@paginate(LimitOffsetPagination)
def list_investigations(request: HttpRequest, filters: Query[s.InvestigationFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.INVESTIGATION, filters.pupil_id)
    rows = sel.investigations_visible_to(ctx, pupil=filters.pupil_id, state=filters.state)
    return _ShapedPage(rows, s.shape_investigation)


@router.post("/investigations/", response={201: s.InvestigationDetailOut, **WRITE_ERRORS})
def open_investigation(request: HttpRequest, payload: s.InvestigationOpenIn) -> Any:
    """The rektor ensures that the need is investigated skyndsamt (SL 3 kap. 7 §)."""
    ctx = context_for(request)
    referral, access = _fetch(
        request, ctx, sel.referral_records(), payload.referral, SupportRecord.REFERRAL
    )
    _require(
        request,
        ctx,
        access,
        SupportAct.OPEN_INVESTIGATION,
        record_type="investigation",
        record_id=referral.pk,
    )
    _staff_or_invalid(referral.school_unit_id, "investigators", list(payload.investigators), ctx)
    investigation = services.investigation_open(
        actor=_user(request),
        referral=referral,
        investigator_ids=payload.investigators,
        target_on=payload.target_on,
        today=ctx.today,
        channel=_channel(request),
    )
    body = s.shape_investigation_detail(sel.reloaded(sel.investigation_records, investigation.pk))
    return Status(201, body)


@router.get(
    "/investigations/{investigation_id}/",
    response=s.InvestigationDetailOut,
    url_name="get_investigation",
)
def get_investigation(request: HttpRequest, investigation_id: uuid.UUID) -> Any:
    ctx = context_for(request)
    investigation, _access = _fetch(
        request, ctx, sel.investigation_records(), investigation_id, SupportRecord.INVESTIGATION
    )
    return s.shape_investigation_detail(investigation)


def _investigation_for_work(
    request: HttpRequest, ctx: UserContext, investigation_id: uuid.UUID, act: SupportAct
) -> Any:
    investigation, access = _fetch(
        request, ctx, sel.investigation_records(), investigation_id, SupportRecord.INVESTIGATION
    )
    _require(
        request,
        ctx,
        access,
        act,
        record_type="investigation",
        record_id=investigation.pk,
        participant=sel.is_participant(SupportRecord.INVESTIGATION, ctx.user_id, investigation),
    )
    return investigation


@router.patch(
    "/investigations/{investigation_id}/",
    response={200: s.InvestigationDetailOut, **WRITE_ERRORS},
)
def save_investigation(
    request: HttpRequest, investigation_id: uuid.UUID, payload: s.InvestigationUpdateIn
) -> Any:
    """Mapping and assessment (process.md §2.3), written by several investigators together."""
    ctx = context_for(request)
    investigation = _investigation_for_work(
        request, ctx, investigation_id, SupportAct.WRITE_INVESTIGATION
    )
    sent = payload.dict(exclude_unset=True)
    needs = sent.pop("needs", None)
    sent.pop("version", None)
    services.investigation_save(
        actor=_user(request),
        investigation=investigation,
        expected_version=payload.version,
        values=sent,
        needs=None if needs is None else [(n["category"], n["description"]) for n in needs],
        today=ctx.today,
        channel=_channel(request),
    )
    return s.shape_investigation_detail(sel.reloaded(sel.investigation_records, investigation.pk))


@router.post(
    "/investigations/{investigation_id}/conclusion",
    response={200: s.ConclusionOut, **WRITE_ERRORS},
    url_name="conclude_investigation",
)
def conclude_investigation(request: HttpRequest, investigation_id: uuid.UUID) -> Any:
    """Conclude the assessment; a need of special support drafts the programme (3 kap. 9 §)."""
    ctx = context_for(request)
    investigation = _investigation_for_work(
        request, ctx, investigation_id, SupportAct.WRITE_INVESTIGATION
    )
    programme = services.investigation_conclude(
        actor=_user(request),
        investigation=investigation,
        today=ctx.today,
        channel=_channel(request),
    )
    reloaded = sel.reloaded(sel.investigation_records, investigation.pk)
    return {
        "investigation": s.shape_investigation_detail(reloaded),
        "programme_id": programme.pk if programme is not None else None,
    }


@router.post(
    "/investigations/{investigation_id}/no-programme-decision",
    response={201: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="decide_no_programme",
)
def decide_no_programme(
    request: HttpRequest, investigation_id: uuid.UUID, payload: s.NoProgrammeDecisionIn
) -> Any:
    """No action programme: the investigation shows no need (SL 3 kap. 9 § third paragraph)."""
    ctx = context_for(request)
    investigation = _investigation_for_work(request, ctx, investigation_id, SupportAct.DECIDE)
    decision = services.decide_no_programme(
        actor=_user(request),
        investigation=investigation,
        statement_of_reasons=payload.statement_of_reasons,
        instead=payload.instead,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(201, s.shape_decision_detail(sel.reloaded(sel.decision_records, decision.pk)))


# --------------------------------------------------------------------------- programmes


@router.get("/action-programmes/", response=list[s.ProgrammeOut], url_name="list_action_programmes")
@paginate(LimitOffsetPagination)
def list_action_programmes(request: HttpRequest, filters: Query[s.ProgrammeFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.PROGRAMME, filters.pupil_id)
    rows = sel.programmes_visible_to(ctx, pupil=filters.pupil_id, state=filters.state)
    return _ShapedPage(rows, s.shape_programme)


@router.get(
    "/action-programmes/{programme_id}/",
    response=s.ProgrammeDetailOut,
    url_name="get_action_programme",
)
def get_action_programme(request: HttpRequest, programme_id: uuid.UUID) -> Any:
    """The whole programme; a teacher who is only a teacher gets the teaching part (`scope`)."""
    ctx = context_for(request)
    programme, access = _fetch(
        request, ctx, _with_views(sel.programme_records()), programme_id, SupportRecord.PROGRAMME
    )
    return s.shape_programme_detail(
        programme, teaching_part=sees_teaching_part_only(access.relations), user_id=ctx.user_id
    )


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "Åtgärdsprogrammet som PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/action-programmes/{programme_id}/pdf",
    response={404: ErrorOut},
    url_name="action_programme_pdf",
    openapi_extra=PDF_RESPONSE,
)
def action_programme_pdf(request: HttpRequest, programme_id: uuid.UUID) -> HttpResponse:
    """The programme as a document; the export is logged (security.md P1)."""
    ctx = context_for(request)
    programme, _access = _fetch(
        request,
        ctx,
        sel.programme_records(),
        programme_id,
        SupportRecord.PROGRAMME,
        action=AccessAction.EXPORT,
        purpose="api_action_programme_pdf",
        whole_record=True,
    )
    filename, pdf = programme_pdf(programme)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _programme_for_work(
    request: HttpRequest, ctx: UserContext, programme_id: uuid.UUID, act: SupportAct
) -> Any:
    programme, access = _fetch(
        request, ctx, sel.programme_records(), programme_id, SupportRecord.PROGRAMME
    )
    _require(
        request,
        ctx,
        access,
        act,
        record_type="action_programme",
        record_id=programme.pk,
        participant=sel.is_named_on_programme(ctx.user_id, programme),
    )
    return programme


_PROGRAMME_PEOPLE = {
    "follow_up_responsible": "follow_up_responsible_id",
    "evaluation_responsible": "evaluation_responsible_id",
}


@router.patch(
    "/action-programmes/{programme_id}/", response={200: s.ProgrammeDetailOut, **WRITE_ERRORS}
)
def save_action_programme(
    request: HttpRequest, programme_id: uuid.UUID, payload: s.ProgrammeUpdateIn
) -> Any:
    """Save a draft programme; a decided one is never edited (decision 0006)."""
    ctx = context_for(request)
    programme = _programme_for_work(request, ctx, programme_id, SupportAct.DRAFT_PROGRAMME)
    sent = payload.dict(exclude_unset=True)
    sent.pop("version", None)
    sent.pop("needs", None)
    sent.pop("measures", None)
    values = {_PROGRAMME_PEOPLE.get(name, name): value for name, value in sent.items()}
    if payload.needs is not None:
        needs = [
            services.NeedInput(key=n.key, category=n.category, description=n.description)
            for n in payload.needs
        ]
    else:
        needs = [
            services.NeedInput(key=str(n.pk), category=n.category, description=n.description)
            for n in programme.needs.all()
        ]
    if payload.measures is not None:
        measures = [
            services.MeasureInput(
                need_key=m.need_key,
                description=m.description,
                responsible_id=m.responsible,
                extent=m.extent,
                setting=m.setting,
                special_reasons=m.special_reasons,
                location=m.location,
                deviations=m.deviations,
                return_plan=m.return_plan,
                starts_on=m.starts_on,
                ends_on=m.ends_on,
            )
            for m in payload.measures
        ]
    else:
        measures = [
            services.MeasureInput(
                need_key=str(m.need_id),
                description=m.description,
                responsible_id=m.responsible_id,
                extent=m.extent,
                setting=m.setting,
                special_reasons=m.special_reasons,
                location=m.location,
                deviations=m.deviations,
                return_plan=m.return_plan,
                starts_on=m.starts_on,
                ends_on=m.ends_on,
            )
            for m in programme.measures.all()
        ]
    people = [values[key] for key in _PROGRAMME_PEOPLE.values() if values.get(key)]
    if payload.measures is not None:
        people += [m.responsible for m in payload.measures]
    _staff_or_invalid(programme.school_unit_id, "measures", people, ctx)
    services.programme_save(
        actor=_user(request),
        programme=programme,
        expected_version=payload.version,
        values=values,
        needs=needs,
        measures=measures,
        today=ctx.today,
        channel=_channel(request),
    )
    return s.shape_programme_detail(sel.reloaded(sel.programme_records, programme.pk))


@router.post(
    "/action-programmes/{programme_id}/decision",
    response={201: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="decide_action_programme",
)
def decide_action_programme(
    request: HttpRequest, programme_id: uuid.UUID, payload: s.DecisionIn
) -> Any:
    """Adopt the programme or its revision (SL 3 kap. 9 §): a decision with a right to appeal."""
    ctx = context_for(request)
    programme = _programme_for_work(request, ctx, programme_id, SupportAct.DECIDE)
    decision = services.decide_programme(
        actor=_user(request),
        programme=programme,
        statement_of_reasons=payload.statement_of_reasons,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(201, s.shape_decision_detail(sel.reloaded(sel.decision_records, decision.pk)))


@router.post(
    "/action-programmes/{programme_id}/closure",
    response={201: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="close_action_programme",
)
def close_action_programme(
    request: HttpRequest, programme_id: uuid.UUID, payload: s.DecisionIn
) -> Any:
    """End the programme on the strength of its evaluation (process.md §1, S7→S8)."""
    ctx = context_for(request)
    programme = _programme_for_work(request, ctx, programme_id, SupportAct.DECIDE)
    decision = services.decide_closure(
        actor=_user(request),
        programme=programme,
        statement_of_reasons=payload.statement_of_reasons,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(201, s.shape_decision_detail(sel.reloaded(sel.decision_records, decision.pk)))


# --------------------------------------------------------------------------- decisions


@router.get("/decisions/", response=list[s.DecisionOut], url_name="list_decisions")
@paginate(LimitOffsetPagination)
def list_decisions(request: HttpRequest, filters: Query[s.DecisionFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.DECISION, filters.pupil_id)
    rows = sel.decisions_visible_to(ctx, pupil=filters.pupil_id, kind=filters.kind)
    return _ShapedPage(rows, s.shape_decision)


@router.get("/decisions/{decision_id}/", response=s.DecisionDetailOut, url_name="get_decision")
def get_decision(request: HttpRequest, decision_id: uuid.UUID) -> Any:
    ctx = context_for(request)
    decision, _access = _fetch(
        request, ctx, _with_views(sel.decision_records()), decision_id, SupportRecord.DECISION
    )
    return s.shape_decision_detail(decision)


def _service_of(decision: Any, service_id: uuid.UUID) -> Any:
    service = next((row for row in decision.services.all() if row.pk == service_id), None)
    if service is None:
        with translation.override("sv"):
            raise _invalid("service", gettext("Mottagaren finns inte på beslutet."))
    return service


@router.post(
    "/decisions/{decision_id}/services/{service_id}/",
    response={200: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="record_service",
)
def record_service(
    request: HttpRequest, decision_id: uuid.UUID, service_id: uuid.UUID, payload: s.ServiceIn
) -> Any:
    """How and when one recipient got the decision; their three weeks run from receipt."""
    ctx = context_for(request)
    decision, access = _fetch(
        request, ctx, sel.decision_records(), decision_id, SupportRecord.DECISION
    )
    _require(
        request,
        ctx,
        access,
        SupportAct.SERVE_DECISION,
        record_type="decision",
        record_id=decision.pk,
    )
    services.service_record(
        actor=_user(request),
        service=_service_of(decision, service_id),
        method=payload.method,
        sent_on=payload.sent_on,
        received_on=payload.received_on,
        today=ctx.today,
        channel=_channel(request),
    )
    return s.shape_decision_detail(sel.reloaded(sel.decision_records, decision.pk))


def _is_own_service(ctx: UserContext, access: PupilAccess, service: Any) -> bool:
    if service.recipient_kind == RecipientKind.PUPIL:
        return Relation.SELF in access.relations
    guardian = service.guardian
    return guardian is not None and guardian.user_id == ctx.user_id


@router.post(
    "/decisions/{decision_id}/services/{service_id}/receipt",
    response={200: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="confirm_receipt",
)
def confirm_receipt(request: HttpRequest, decision_id: uuid.UUID, service_id: uuid.UUID) -> Any:
    """The pupil or a guardian confirms they received the decision: their appeal time starts."""
    ctx = context_for(request)
    decision, access = _fetch(
        request, ctx, sel.decision_records(), decision_id, SupportRecord.DECISION
    )
    service = _service_of(decision, service_id)
    _require(
        request,
        ctx,
        access,
        SupportAct.CONFIRM_RECEIPT,
        record_type="decision",
        record_id=decision.pk,
    )
    if not (access.relations & FAMILY and _is_own_service(ctx, access, service)):
        raise NotPermittedError
    services.service_confirm_receipt(
        actor=_user(request), service=service, today=ctx.today, channel=_channel(request)
    )
    return s.shape_decision_detail(sel.reloaded(sel.decision_records, decision.pk))


# --------------------------------------------------------------------------- follow-ups


@router.get("/follow-ups/", response=list[s.FollowUpOut], url_name="list_follow_ups")
@paginate(LimitOffsetPagination)
def list_follow_ups(request: HttpRequest, filters: Query[s.FollowUpFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.FOLLOW_UP, filters.pupil_id)
    rows = sel.follow_ups_visible_to(
        ctx, pupil=filters.pupil_id, kind=filters.kind, programme=filters.programme_id
    )
    return _ShapedPage(rows, s.shape_follow_up)


@router.post("/follow-ups/", response={201: s.FollowUpDetailOut, **WRITE_ERRORS})
def record_follow_up(request: HttpRequest, payload: s.FollowUpIn) -> Any:
    """Follow-up or evaluation of a programme in force, measure by measure (SL 3 kap. 9 §)."""
    ctx = context_for(request)
    programme = _programme_for_work(request, ctx, payload.programme, SupportAct.RECORD_FOLLOW_UP)
    follow_up = services.follow_up_record(
        actor=_user(request),
        programme=programme,
        kind=payload.kind,
        reviews=[
            services.ReviewInput(
                measure_id=review.measure,
                carried_out=review.carried_out,
                effect=review.effect,
                comment=review.comment,
            )
            for review in payload.reviews
        ],
        outcome=payload.outcome,
        values={
            "participants": payload.participants,
            "pupil_invited": payload.pupil_invited,
            "guardian_invited": payload.guardian_invited,
            "pupil_view": payload.pupil_view,
            "guardian_view": payload.guardian_view,
            "summary": payload.summary,
        },
        next_on=payload.next_on,
        today=ctx.today,
        channel=_channel(request),
    )
    return Status(201, s.shape_follow_up_detail(sel.reloaded(sel.follow_up_records, follow_up.pk)))


@router.get("/follow-ups/{follow_up_id}/", response=s.FollowUpDetailOut, url_name="get_follow_up")
def get_follow_up(request: HttpRequest, follow_up_id: uuid.UUID) -> Any:
    """The whole follow-up; a teacher who is only a teacher gets the teaching part (`scope`)."""
    ctx = context_for(request)
    follow_up, access = _fetch(
        request, ctx, _with_views(sel.follow_up_records()), follow_up_id, SupportRecord.FOLLOW_UP
    )
    return s.shape_follow_up_detail(
        follow_up, teaching_part=sees_teaching_part_only(access.relations), user_id=ctx.user_id
    )


# --------------------------------------------------------------------------- the family's views


def _with_views(queryset: Any) -> Any:
    """The pupil's and guardians' own views on the record, in one further query."""
    return queryset.prefetch_related(
        Prefetch(
            "participant_views",
            queryset=ParticipantView.objects.select_related("author").order_by("created_at"),
        )
    )


def _add_view(
    request: HttpRequest,
    payload: s.ParticipantViewIn,
    record: SupportRecord,
    queryset: Any,
    record_id: uuid.UUID,
    target: str,
) -> Any:
    """The pupil or a guardian adds their own view on a record they may see (process.md rule 6,
    issue item 10). Only the family: staff who see the record get 403 (policy ADD_OWN_VIEW)."""
    ctx = context_for(request)
    obj, access = _fetch(request, ctx, queryset, record_id, record)
    _require(
        request, ctx, access, SupportAct.ADD_OWN_VIEW, record_type=record.value, record_id=obj.pk
    )
    view = services.participant_view_add(
        actor=_user(request),
        pupil=access.pupil,
        author_kind=RecipientKind.PUPIL
        if Relation.SELF in access.relations
        else RecipientKind.GUARDIAN,
        text=payload.text,
        today=ctx.today,
        channel=_channel(request),
        **{target: obj},
    )
    return Status(201, s.shape_participant_view(view))


VIEW_WRITE = {201: s.ParticipantViewOut, **WRITE_ERRORS}


@router.post(
    "/action-programmes/{programme_id}/views",
    response=VIEW_WRITE,
    url_name="add_action_programme_view",
)
def add_action_programme_view(
    request: HttpRequest, programme_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil's or a guardian's own view on a programme in force or decided."""
    return _add_view(
        request,
        payload,
        SupportRecord.PROGRAMME,
        sel.programme_records(),
        programme_id,
        "programme",
    )


@router.post("/decisions/{decision_id}/views", response=VIEW_WRITE, url_name="add_decision_view")
def add_decision_view(
    request: HttpRequest, decision_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil's or a guardian's own view on a decision. A view is not an appeal."""
    return _add_view(
        request, payload, SupportRecord.DECISION, sel.decision_records(), decision_id, "decision"
    )


@router.post("/follow-ups/{follow_up_id}/views", response=VIEW_WRITE, url_name="add_follow_up_view")
def add_follow_up_view(
    request: HttpRequest, follow_up_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil's or a guardian's own view on a follow-up or evaluation."""
    return _add_view(
        request,
        payload,
        SupportRecord.FOLLOW_UP,
        sel.follow_up_records(),
        follow_up_id,
        "follow_up",
    )


# --------------------------------------------------------------------------- appeals


@router.get("/appeals/", response=list[s.AppealOut], url_name="list_appeals")
@paginate(LimitOffsetPagination)
def list_appeals(request: HttpRequest, filters: Query[s.AppealFilter]) -> Any:
    ctx = context_for(request)
    _log_list(request, ctx, SupportRecord.APPEAL, filters.pupil_id)
    rows = sel.appeals_visible_to(ctx, pupil=filters.pupil_id, state=filters.state)
    return _ShapedPage(rows, s.shape_appeal)


@router.post("/appeals/", response={201: s.AppealOut, **WRITE_ERRORS})
def register_appeal(request: HttpRequest, payload: s.AppealIn) -> Any:
    """An appeal lodged with the decision-maker, who checks timeliness (FL 45 §)."""
    ctx = context_for(request)
    decision, access = _fetch(
        request, ctx, sel.decision_records(), payload.decision, SupportRecord.DECISION
    )
    _require(
        request, ctx, access, SupportAct.HANDLE_APPEAL, record_type="appeal", record_id=decision.pk
    )
    appeal = services.appeal_register(
        actor=_user(request),
        decision=decision,
        service=_service_of(decision, payload.service),
        appellant_name=payload.appellant_name,
        lodged_on=payload.lodged_on,
        content=payload.content,
        today=ctx.today,
        channel=_channel(request),
        reached_board_in_time=payload.reached_board_in_time,
        wrong_appeal_instructions=payload.wrong_appeal_instructions,
    )
    return Status(201, s.shape_appeal(sel.reloaded(sel.appeal_records, appeal.pk)))


@router.get("/appeals/{appeal_id}/", response=s.AppealOut, url_name="get_appeal")
def get_appeal(request: HttpRequest, appeal_id: uuid.UUID) -> Any:
    ctx = context_for(request)
    appeal, _access = _fetch(request, ctx, sel.appeal_records(), appeal_id, SupportRecord.APPEAL)
    return s.shape_appeal(appeal)


@router.post(
    "/appeals/{appeal_id}/handling",
    response={200: s.AppealOut, **WRITE_ERRORS},
    url_name="handle_appeal",
)
def handle_appeal(request: HttpRequest, appeal_id: uuid.UUID, payload: s.AppealActionIn) -> Any:
    """Reconsider, dismiss as late, forward to ÖKN or record the board's ruling (FL 38–46 §§)."""
    ctx = context_for(request)
    appeal, access = _fetch(request, ctx, sel.appeal_records(), appeal_id, SupportRecord.APPEAL)
    _require(
        request, ctx, access, SupportAct.HANDLE_APPEAL, record_type="appeal", record_id=appeal.pk
    )
    services.appeal_handle(
        actor=_user(request),
        appeal=appeal,
        action=payload.action,
        note=payload.note,
        today=ctx.today,
        channel=_channel(request),
        reached_board_in_time=payload.reached_board_in_time,
        wrong_appeal_instructions=payload.wrong_appeal_instructions,
    )
    return s.shape_appeal(sel.reloaded(sel.appeal_records, appeal.pk))
