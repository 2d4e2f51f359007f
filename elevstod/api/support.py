"""API v1 for the support chain (Skollagen 3 kap.): lists, details, the programme PDF and writes.

The same door as the pages. Every record comes through access.records.get_support_record_for
(checked by the policy, logged with channel "api", 404 for missing and forbidden alike), with
`act=` for a write; every list is that door's twin (support_records_visible_to) and logs LIST
once per page. A write then calls exactly one service in support.services, which writes the
change, its ChainEvent and its access-log row in one transaction.

Answers beside 2xx (decision 0012: every refusal names its rule):
- 401 without a session or token;
- 403 `{"code", "message", "paragraph"}` when a rule about who may act refuses: the caller may
  see the record but the policy does not let them do this with it (access.records.ActRefused,
  logged as DENIED, its rule from access.records.ACT_RULES), or the workflow's rules on who
  decides (`AUTHORITY_RULES`: no delegation, a setting reserved for the rektor);
- 404 `{"code": "not_found", "message"}` for a record the caller may not see, or that does not
  exist: the two are never told apart;
- 409 `{"code", "message", "paragraph"}` when the workflow refuses the step in the case's state,
  or an edit conflict `{"code": "edit_conflict", "message", "version", "conflicts"}`;
- 422 `{"detail": [{"loc", "type", "msg"}]}` for invalid input, in Swedish: a field the
  endpoint does not take (`extra_forbidden`), a NUL character, a date out of range included;
- 500 `{"code": "server_error", "message"}` for anything unexpected, never an HTML page.
"""

import logging
import traceback
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any, TypedDict, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from elevstod.access import records
from elevstod.access.context import context_for
from elevstod.access.lookup import PupilAccess, get_pupil_for
from elevstod.access.policy import (
    FAMILY,
    STAFF_RELATIONS,
    Relation,
    SupportAct,
    SupportRecord,
    sees_teaching_part_only,
)
from elevstod.access.records import (
    ActRefused,
    RecordKind,
    get_support_record_for,
    require_act,
    support_records_visible_to,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.accounts.models import User
from elevstod.api import support_schemas as s
from elevstod.api.auth import channel_of
from elevstod.api.paging import ShapedPage
from elevstod.api.support_lists import listed
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.documents.rendering import pdf_response, programme_pdf
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    MEASURE_FIELDS,
    ActionProgramme,
    Decision,
    DecisionService,
    FollowUp,
    PupilRecord,
    RaisedBy,
    RecipientKind,
)
from elevstod.support.selectors.adaptations import adaptations_of_pupil, group_at_unit
from elevstod.support.selectors.concerns import concern_of_pupil
from elevstod.support.selectors.deadlines import deadlines_at_unit
from elevstod.support.selectors.programmes import people_named_in
from elevstod.support.staff import (
    Choice,
    adaptation_staff,
    not_offered,
    responsible_staff,
    with_saved_people,
)

M = TypeVar("M", bound=PupilRecord)
Request = AuthenticatedRequest
Row = dict[str, Any]

router = Router(tags=["support"])
logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- errors


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
    403: s.RefusalOut,
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
    "string_unicode": gettext_lazy("Texten innehåller tecken som inte går att spara."),
    "int_parsing": gettext_lazy("Ange ett heltal."),
    "int_type": gettext_lazy("Ange ett heltal."),
    "greater_than_equal": gettext_lazy("Värdet måste vara minst %(ge)s."),
    "bool_parsing": gettext_lazy("Ange true eller false."),
    "bool_type": gettext_lazy("Ange true eller false."),
    "list_type": gettext_lazy("Ange en lista."),
    "json_invalid": gettext_lazy("Skicka en JSON-kropp enligt API-dokumentet."),
    "model_attributes_type": gettext_lazy("Skicka en JSON-kropp enligt API-dokumentet."),
    "dict_type": gettext_lazy("Skicka en JSON-kropp enligt API-dokumentet."),
    "extra_forbidden": gettext_lazy("Fältet finns inte här och kan inte ändras genom API:t."),
    s.NUL_IN_TEXT: gettext_lazy("Texten får inte innehålla nolltecken (NUL)."),
    s.DATE_OUT_OF_RANGE: gettext_lazy("Ange ett datum mellan %(earliest)s och %(latest)s."),
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


# The workflow's rules about who may decide (SL 2 kap. 10 §, 3 kap. 9 § andra stycket): refusals
# of the person, not of the case's state, so 403 as the policy's own (decision 0012).
AUTHORITY_RULES = frozenset(
    {"decision.no_delegation", "decision.delegate_not_at_unit", "decision.reserved_for_principal"}
)


def _refused(request: HttpRequest, refused: wf.Refused, api: NinjaAPI, status: int) -> HttpResponse:
    """Every refusal's one shape: its rule, the Swedish message and the paragraph it rests on."""
    with translation.override("sv"):
        message = refused.text(gettext)
    body = {"code": refused.rule, "message": message, "paragraph": refused.paragraph}
    return api.create_response(request, body, status=status)


def refusal(request: HttpRequest, exc: wf.RefusalError, api: NinjaAPI) -> HttpResponse:
    status = 403 if exc.refusal.rule in AUTHORITY_RULES else 409
    return _refused(request, exc.refusal, api, status)


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


def not_permitted(request: HttpRequest, exc: ActRefused, api: NinjaAPI) -> HttpResponse:
    """The caller may see the record but not do this with it: 403 with the rule that refuses
    the act (the pages answer 404)."""
    return _refused(request, exc.refusal, api, 403)


def not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    """Missing and forbidden alike (security.md P5)."""
    with translation.override("sv"):
        message = gettext("Posten finns inte, eller så har du inte behörighet att se den.")
    return api.create_response(request, {"code": "not_found", "message": message}, status=404)


def server_error(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    """Anything unexpected: JSON, never Django's HTML error page. Logged with the exception's
    type, the method, the route's path (ids only) and the stack, but not the exception's text,
    which may quote the data (a database error names the values); the answer says nothing of
    the request either."""
    stack = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "API error %s on %s %s\n%s", type(exc).__name__, request.method, request.path, stack
    )
    with translation.override("sv"):
        message = gettext("Ett oväntat fel inträffade. Försök igen senare.")
    return api.create_response(request, {"code": "server_error", "message": message}, status=500)


def add_exception_handlers(api: NinjaAPI) -> None:
    """Swedish answers for the API's own errors (called by elevstod.api.api)."""
    # ninja types a handler's exception as "instance or class"; it always passes the instance.
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ValidationError, validation_error),
        (wf.RefusalError, refusal),
        (services.EditConflictError, edit_conflict),
        (ActRefused, not_permitted),
        (Http404, not_found),
        (Exception, server_error),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, partial(handler, api=api))


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(
        [{"loc": ["body", "payload", field], "type": "elevstod", "msg": message}]
    )


# --------------------------------------------------------------------------- shared steps


def _open(
    request: Request,
    kind: RecordKind[M],
    record_id: uuid.UUID,
    *,
    act: SupportAct | None = None,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    whole_record: bool = False,
) -> tuple[M, PupilAccess]:
    """The record through the door, for reading or, with `act`, for doing `act` with it."""
    return get_support_record_for(
        context_for(request),
        kind,
        record_id,
        act=act,
        action=action,
        purpose=purpose or f"api_{(act or kind.kind).value}",
        channel=channel_of(request),
        whole_record=whole_record,
    )


def _listed(
    request: Request, kind: RecordKind[M], filters: Schema, shape: Callable[[M], Row]
) -> ShapedPage[M]:
    """One page of the records the caller may open, filtered; one LIST row per page asked for
    (the filter's pupil is named only as a record id)."""
    ctx = context_for(request)
    sent = filters.dict()
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type=f"{kind.kind.value}_list",
        record_id=sent.get("pupil_id") or "",
        purpose=f"api_{kind.kind.value}_list",
        channel=channel_of(request),
    )
    rows = listed(support_records_visible_to(ctx, kind), kind.kind, sent)
    return ShapedPage(rows, shape)


def _reloaded(request: Request, kind: RecordKind[M], record_id: uuid.UUID) -> M:
    """The record read again in its detail shape after a service changed it. Access was checked
    and logged by the door earlier in the same request."""
    return kind.records(request.user.pk).get(pk=record_id)


def _pupil_for_new(request: Request, pupil_id: uuid.UUID, kind: SupportRecord) -> PupilAccess:
    """The pupil a new record is for: seen through the lookup (logged), 404 otherwise."""
    return get_pupil_for(
        context_for(request),
        pupil_id,
        purpose=f"api_{kind.value}_create",
        channel=channel_of(request),
    )


def _require(request: Request, access: PupilAccess, act: SupportAct, kind: SupportRecord) -> None:
    """An act on the pupil rather than on a record, or 403 logged as DENIED."""
    ctx, channel = context_for(request), channel_of(request)
    require_act(ctx, access, act, kind.value, purpose=f"api_{act.value}", channel=channel)


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


def _named_or_invalid(field: str, named: list[uuid.UUID], people: list[Choice]) -> None:
    """Everyone `named` in `field` is one of the `people` the page's form would offer
    (elevstod.support.staff), or 422."""
    if not_offered(people, named):
        with translation.override("sv"):
            raise _invalid(field, gettext("Ange personal med tjänst vid elevens skolenhet."))


def _unit_staff(request: Request, unit_id: uuid.UUID, access: PupilAccess) -> list[Choice]:
    """Who may be named responsible or to investigate (staff.responsible_staff)."""
    today = context_for(request).today
    return responsible_staff(school_unit_id=unit_id, facts=access.facts, day=today)


class _Written(TypedDict):
    actor: User
    today: date
    channel: str


def _written(request: Request) -> _Written:
    """Who writes, on which day, through which channel: what every service call is given."""
    return {
        "actor": request.user,
        "today": context_for(request).today,
        "channel": channel_of(request),
    }


# --------------------------------------------------------------------------- concerns


@router.get("/concerns/", response=list[s.ConcernOut], url_name="list_concerns")
@paginate(LimitOffsetPagination)
def list_concerns(request: Request, filters: Query[s.ConcernFilter]) -> Any:
    return _listed(request, records.CONCERNS, filters, s.shape_concern)


@router.post("/concerns/", response={201: s.ConcernOut, **WRITE_ERRORS})
def create_concern(request: Request, payload: s.ConcernIn) -> Any:
    """Staff record a concern (SL 3 kap. 5 §); the pupil or a guardian submits one of their own."""
    access = _pupil_for_new(request, payload.pupil, SupportRecord.CONCERN)
    source: str = payload.source
    raised_by: str = RaisedBy.STAFF
    if access.relations & STAFF_RELATIONS:
        act = SupportAct.RAISE_CONCERN
    else:
        act = SupportAct.SUBMIT_CONCERN
        source = wf.ConcernSource.PUPIL_OR_GUARDIAN
        raised_by = RaisedBy.PUPIL if Relation.SELF in access.relations else RaisedBy.GUARDIAN
    _require(request, access, act, SupportRecord.CONCERN)
    concern = services.concern_create(
        pupil=access.pupil,
        school_unit_id=_unit_of(access),
        source=source,
        description=payload.description,
        subject=payload.subject,
        raised_by_kind=raised_by,
        **_written(request),
    )
    return Status(201, s.shape_concern(_reloaded(request, records.CONCERNS, concern.pk)))


@router.get("/concerns/{concern_id}/", response=s.ConcernOut, url_name="get_concern")
def get_concern(request: Request, concern_id: uuid.UUID) -> Any:
    return s.shape_concern(_open(request, records.CONCERNS, concern_id)[0])


# --------------------------------------------------------------------------- adaptations


@router.get("/adaptations/", response=list[s.AdaptationOut], url_name="list_adaptations")
@paginate(LimitOffsetPagination)
def list_adaptations(request: Request, filters: Query[s.AdaptationFilter]) -> Any:
    return _listed(request, records.ADAPTATIONS, filters, s.shape_adaptation)


def _adaptation_values(
    access: PupilAccess, payload: s.AdaptationIn, responsible: uuid.UUID, today: date
) -> dict[str, Any]:
    """The new adaptation's fields, checked against the pupil's unit (422 otherwise)."""
    unit_id = _unit_of(access)
    with translation.override("sv"):
        if payload.group is not None and not group_at_unit(unit_id, payload.group):
            raise _invalid("group", gettext("Gruppen finns inte vid elevens skolenhet."))
        starts_on = payload.starts_on or today
        evaluate_on = payload.evaluate_on or starts_on + timedelta(
            days=deadlines_at_unit(unit_id).adaptation_evaluation_days
        )
        if evaluate_on <= starts_on:
            raise _invalid("evaluate_on", gettext("Utvärderingen måste ligga efter startdatumet."))
    return {
        "need_categories": [str(category) for category in payload.need_categories],
        "need_description": payload.need_description,
        "measure": payload.measure,
        "responsible_id": responsible,
        "subject": payload.subject,
        "group_id": payload.group,
        "starts_on": starts_on,
        "evaluate_on": evaluate_on,
        "guardian_informed_on": payload.guardian_informed_on,
    }


def _concern_or_invalid(access: PupilAccess, concern_id: uuid.UUID | None) -> Any:
    """The pupil's own concern the new record builds on, if one is named (422 otherwise)."""
    if concern_id is None:
        return None
    concern = concern_of_pupil(access.pupil.pk, concern_id)
    if concern is None:
        with translation.override("sv"):
            raise _invalid("concern", gettext("Oron finns inte för den här eleven."))
    return concern


@router.post("/adaptations/", response={201: s.AdaptationDetailOut, **WRITE_ERRORS})
def create_adaptation(request: Request, payload: s.AdaptationIn) -> Any:
    """An extra adaptation (SL 3 kap. 5 §), given skyndsamt within ordinary teaching."""
    access = _pupil_for_new(request, payload.pupil, SupportRecord.ADAPTATION)
    _require(request, access, SupportAct.MANAGE_ADAPTATIONS, SupportRecord.ADAPTATION)
    ctx = context_for(request)
    responsible = payload.responsible or request.user.pk
    offered = adaptation_staff(school_unit_id=_unit_of(access), facts=access.facts, day=ctx.today)
    _named_or_invalid("responsible", [responsible], offered)
    values = _adaptation_values(access, payload, responsible, ctx.today)
    adaptation = services.adaptation_create(
        pupil=access.pupil,
        school_unit_id=_unit_of(access),
        values=values,
        concern=_concern_or_invalid(access, payload.concern),
        **_written(request),
    )
    body = s.shape_adaptation_detail(_reloaded(request, records.ADAPTATIONS, adaptation.pk))
    return Status(201, body)


@router.get(
    "/adaptations/{adaptation_id}/", response=s.AdaptationDetailOut, url_name="get_adaptation"
)
def get_adaptation(request: Request, adaptation_id: uuid.UUID) -> Any:
    return s.shape_adaptation_detail(_open(request, records.ADAPTATIONS, adaptation_id)[0])


@router.post(
    "/adaptations/{adaptation_id}/evaluations/",
    response={201: s.AdaptationDetailOut, **WRITE_ERRORS},
    url_name="evaluate_adaptation",
)
def evaluate_adaptation(
    request: Request, adaptation_id: uuid.UUID, payload: s.AdaptationEvaluationIn
) -> Any:
    """Evaluate the effect, then continue, change, end or report to the principal."""
    act = SupportAct.MANAGE_ADAPTATIONS
    adaptation, _access = _open(request, records.ADAPTATIONS, adaptation_id, act=act)
    # The evaluation's fields are named as the service's keywords.
    services.adaptation_evaluate(adaptation=adaptation, **payload.dict(), **_written(request))
    body = s.shape_adaptation_detail(_reloaded(request, records.ADAPTATIONS, adaptation.pk))
    return Status(201, body)


# --------------------------------------------------------------------------- referrals


@router.get("/referrals/", response=list[s.ReferralOut], url_name="list_referrals")
@paginate(LimitOffsetPagination)
def list_referrals(request: Request, filters: Query[s.ReferralFilter]) -> Any:
    return _listed(request, records.REFERRALS, filters, s.shape_referral)


@router.post("/referrals/", response={201: s.ReferralDetailOut, **WRITE_ERRORS})
def create_referral(request: Request, payload: s.ReferralIn) -> Any:
    """A report to the principal (SL 3 kap. 7 §): every member of staff has the duty."""
    access = _pupil_for_new(request, payload.pupil, SupportRecord.REFERRAL)
    _require(request, access, SupportAct.REFER, SupportRecord.REFERRAL)
    adaptations = adaptations_of_pupil(access.pupil.pk, set(payload.adaptations))
    if len(adaptations) != len(set(payload.adaptations)):
        with translation.override("sv"):
            raise _invalid("adaptations", gettext("Anpassningarna finns inte för den här eleven."))
    referral = services.referral_create(
        pupil=access.pupil,
        school_unit_id=_unit_of(access),
        adaptations=adaptations,
        concern=_concern_or_invalid(access, payload.concern),
        # The report's own fields (ground, description, results, who was informed), as sent.
        **payload.dict(exclude={"pupil", "adaptations", "concern"}),
        **_written(request),
    )
    body = s.shape_referral_detail(_reloaded(request, records.REFERRALS, referral.pk))
    return Status(201, body)


@router.get("/referrals/{referral_id}/", response=s.ReferralDetailOut, url_name="get_referral")
def get_referral(request: Request, referral_id: uuid.UUID) -> Any:
    return s.shape_referral_detail(_open(request, records.REFERRALS, referral_id)[0])


@router.post(
    "/referrals/{referral_id}/receipt",
    response={200: s.ReferralDetailOut, **WRITE_ERRORS},
    url_name="receive_referral",
)
def receive_referral(request: Request, referral_id: uuid.UUID) -> Any:
    """The rektor's receipt starts the "skyndsamt" clock of the investigation (SL 3 kap. 7 §)."""
    act = SupportAct.RECEIVE_REFERRAL
    referral, _access = _open(request, records.REFERRALS, referral_id, act=act)
    services.referral_receive(referral=referral, **_written(request))
    return s.shape_referral_detail(_reloaded(request, records.REFERRALS, referral.pk))


# --------------------------------------------------------------------------- investigations


@router.get("/investigations/", response=list[s.InvestigationOut], url_name="list_investigations")
@paginate(LimitOffsetPagination)
def list_investigations(request: Request, filters: Query[s.InvestigationFilter]) -> Any:
    return _listed(request, records.INVESTIGATIONS, filters, s.shape_investigation)


@router.post("/investigations/", response={201: s.InvestigationDetailOut, **WRITE_ERRORS})
def open_investigation(request: Request, payload: s.InvestigationOpenIn) -> Any:
    """The rektor ensures that the need is investigated skyndsamt (SL 3 kap. 7 §)."""
    act = SupportAct.OPEN_INVESTIGATION
    referral, access = _open(request, records.REFERRALS, payload.referral, act=act)
    offered = _unit_staff(request, referral.school_unit_id, access)
    _named_or_invalid("investigators", list(payload.investigators), offered)
    investigation = services.investigation_open(
        referral=referral,
        investigator_ids=payload.investigators,
        target_on=payload.target_on,
        **_written(request),
    )
    reloaded = _reloaded(request, records.INVESTIGATIONS, investigation.pk)
    return Status(201, s.shape_investigation_detail(reloaded))


@router.get(
    "/investigations/{investigation_id}/",
    response=s.InvestigationDetailOut,
    url_name="get_investigation",
)
def get_investigation(request: Request, investigation_id: uuid.UUID) -> Any:
    investigation, _access = _open(request, records.INVESTIGATIONS, investigation_id)
    return s.shape_investigation_detail(investigation)


@router.patch(
    "/investigations/{investigation_id}/",
    response={200: s.InvestigationDetailOut, **WRITE_ERRORS},
)
def save_investigation(
    request: Request, investigation_id: uuid.UUID, payload: s.InvestigationUpdateIn
) -> Any:
    """Mapping and assessment (process.md §2.3), written by several investigators together."""
    act = SupportAct.WRITE_INVESTIGATION
    investigation, _access = _open(request, records.INVESTIGATIONS, investigation_id, act=act)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    needs = sent.pop("needs", None)
    services.investigation_save(
        investigation=investigation,
        expected_version=payload.version,
        values=sent,
        needs=None if needs is None else [(n["category"], n["description"]) for n in needs],
        **_written(request),
    )
    reloaded = _reloaded(request, records.INVESTIGATIONS, investigation.pk)
    return s.shape_investigation_detail(reloaded)


@router.post(
    "/investigations/{investigation_id}/conclusion",
    response={200: s.ConclusionOut, **WRITE_ERRORS},
    url_name="conclude_investigation",
)
def conclude_investigation(request: Request, investigation_id: uuid.UUID) -> Any:
    """Conclude the assessment; a need of special support drafts the programme (3 kap. 9 §)."""
    act = SupportAct.WRITE_INVESTIGATION
    investigation, _access = _open(request, records.INVESTIGATIONS, investigation_id, act=act)
    programme = services.investigation_conclude(investigation=investigation, **_written(request))
    reloaded = _reloaded(request, records.INVESTIGATIONS, investigation.pk)
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
    request: Request, investigation_id: uuid.UUID, payload: s.NoProgrammeDecisionIn
) -> Any:
    """No action programme: the investigation shows no need (SL 3 kap. 9 § third paragraph)."""
    act = SupportAct.DECIDE
    investigation, _access = _open(request, records.INVESTIGATIONS, investigation_id, act=act)
    decision = services.decide_no_programme(
        investigation=investigation,
        statement_of_reasons=payload.statement_of_reasons,
        instead=payload.instead,
        **_written(request),
    )
    return Status(201, _decision_body(request, decision))


# --------------------------------------------------------------------------- programmes


@router.get("/action-programmes/", response=list[s.ProgrammeOut], url_name="list_action_programmes")
@paginate(LimitOffsetPagination)
def list_action_programmes(request: Request, filters: Query[s.ProgrammeFilter]) -> Any:
    return _listed(request, records.PROGRAMMES, filters, s.shape_programme)


@router.get(
    "/action-programmes/{programme_id}/",
    response=s.ProgrammeDetailOut,
    url_name="get_action_programme",
)
def get_action_programme(request: Request, programme_id: uuid.UUID) -> Any:
    """The whole programme; a teacher who is only a teacher gets the teaching part (`scope`)."""
    programme, access = _open(request, records.PROGRAMMES, programme_id)
    return s.shape_programme_detail(
        programme,
        teaching_part=sees_teaching_part_only(access.relations),
        user_id=request.user.pk,
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
def action_programme_pdf(request: Request, programme_id: uuid.UUID) -> HttpResponse:
    """The programme as a document, logged as a print as the page's PDF is (security.md P1)."""
    programme, _access = _open(
        request,
        records.PROGRAMMES,
        programme_id,
        action=AccessAction.PRINT,
        purpose="api_action_programme_pdf",
        whole_record=True,
    )
    return pdf_response(*programme_pdf(programme))


# Field names in the API → the programme's columns.
_PROGRAMME_PEOPLE = {
    "follow_up_responsible": "follow_up_responsible_id",
    "evaluation_responsible": "evaluation_responsible_id",
}


def _measure(
    need_key: str, responsible_id: uuid.UUID | None, source: object
) -> services.MeasureInput:
    """A measure to save, from one sent (`MeasureIn`) or one saved (`ProgrammeMeasure`)."""
    own = {name: getattr(source, name) for name in MEASURE_FIELDS}
    return services.MeasureInput(need_key=need_key, responsible_id=responsible_id, **own)


def _needs_and_measures(
    programme: ActionProgramme, payload: s.ProgrammeUpdateIn
) -> tuple[list[services.NeedInput], list[services.MeasureInput]]:
    """The lists to save: a list sent replaces the saved one whole, one not sent stays."""
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
        measures = [_measure(m.need_key, m.responsible, m) for m in payload.measures]
    else:
        measures = [_measure(str(m.need_id), m.responsible_id, m) for m in programme.measures.all()]
    return needs, measures


@router.patch(
    "/action-programmes/{programme_id}/", response={200: s.ProgrammeDetailOut, **WRITE_ERRORS}
)
def save_action_programme(
    request: Request, programme_id: uuid.UUID, payload: s.ProgrammeUpdateIn
) -> Any:
    """Save a draft programme; a decided one is never edited (decision 0006)."""
    act = SupportAct.DRAFT_PROGRAMME
    programme, access = _open(request, records.PROGRAMMES, programme_id, act=act)
    sent = payload.dict(exclude_unset=True, exclude={"version", "needs", "measures"})
    values = {_PROGRAMME_PEOPLE.get(name, name): value for name, value in sent.items()}
    needs, measures = _needs_and_measures(programme, payload)
    named = [values[key] for key in _PROGRAMME_PEOPLE.values() if values.get(key)]
    named += [m.responsible for m in payload.measures or []]
    # As the editor: the unit's staff, and whoever the programme already names.
    staff = _unit_staff(request, programme.school_unit_id, access)
    _named_or_invalid("measures", named, with_saved_people(staff, people_named_in(programme)))
    services.programme_save(
        programme=programme,
        expected_version=payload.version,
        values=values,
        needs=needs,
        measures=measures,
        **_written(request),
    )
    return s.shape_programme_detail(_reloaded(request, records.PROGRAMMES, programme.pk))


@router.post(
    "/action-programmes/{programme_id}/decision",
    response={201: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="decide_action_programme",
)
def decide_action_programme(
    request: Request, programme_id: uuid.UUID, payload: s.DecisionIn
) -> Any:
    """Adopt the programme or its revision (SL 3 kap. 9 §): a decision with a right to appeal."""
    return _decide_programme(request, programme_id, payload, services.decide_programme)


@router.post(
    "/action-programmes/{programme_id}/closure",
    response={201: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="close_action_programme",
)
def close_action_programme(request: Request, programme_id: uuid.UUID, payload: s.DecisionIn) -> Any:
    """End the programme on the strength of its evaluation (process.md §1, S7→S8)."""
    return _decide_programme(request, programme_id, payload, services.decide_closure)


def _decide_programme(
    request: Request,
    programme_id: uuid.UUID,
    payload: s.DecisionIn,
    decide: Callable[..., Decision],
) -> Any:
    programme, _access = _open(request, records.PROGRAMMES, programme_id, act=SupportAct.DECIDE)
    decision = decide(
        programme=programme,
        statement_of_reasons=payload.statement_of_reasons,
        **_written(request),
    )
    return Status(201, _decision_body(request, decision))


# --------------------------------------------------------------------------- decisions


@router.get("/decisions/", response=list[s.DecisionOut], url_name="list_decisions")
@paginate(LimitOffsetPagination)
def list_decisions(request: Request, filters: Query[s.DecisionFilter]) -> Any:
    return _listed(request, records.DECISIONS, filters, s.shape_decision)


@router.get("/decisions/{decision_id}/", response=s.DecisionDetailOut, url_name="get_decision")
def get_decision(request: Request, decision_id: uuid.UUID) -> Any:
    return s.shape_decision_detail(_open(request, records.DECISIONS, decision_id)[0])


def _decision_body(request: Request, decision: Decision) -> Row:
    return s.shape_decision_detail(_reloaded(request, records.DECISIONS, decision.pk))


def _service_of(decision: Decision, service_id: uuid.UUID) -> DecisionService:
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
    request: Request, decision_id: uuid.UUID, service_id: uuid.UUID, payload: s.ServiceIn
) -> Any:
    """How and when one recipient got the decision; their three weeks run from receipt."""
    act = SupportAct.SERVE_DECISION
    decision, _access = _open(request, records.DECISIONS, decision_id, act=act)
    services.service_record(
        service=_service_of(decision, service_id),
        method=payload.method,
        sent_on=payload.sent_on,
        received_on=payload.received_on,
        **_written(request),
    )
    return _decision_body(request, decision)


def _is_own_service(request: Request, access: PupilAccess, service: DecisionService) -> bool:
    if not access.relations & FAMILY:
        return False
    if service.recipient_kind == RecipientKind.PUPIL:
        return Relation.SELF in access.relations
    guardian = service.guardian
    return guardian is not None and guardian.user_id == request.user.pk


@router.post(
    "/decisions/{decision_id}/services/{service_id}/receipt",
    response={200: s.DecisionDetailOut, **WRITE_ERRORS},
    url_name="confirm_receipt",
)
def confirm_receipt(request: Request, decision_id: uuid.UUID, service_id: uuid.UUID) -> Any:
    """The pupil or a guardian confirms they received the decision: their appeal time starts."""
    act = SupportAct.CONFIRM_RECEIPT
    decision, access = _open(request, records.DECISIONS, decision_id, act=act)
    service = _service_of(decision, service_id)
    if not _is_own_service(request, access, service):
        raise ActRefused(act)
    services.service_confirm_receipt(service=service, **_written(request))
    return _decision_body(request, decision)


# --------------------------------------------------------------------------- follow-ups


@router.get("/follow-ups/", response=list[s.FollowUpOut], url_name="list_follow_ups")
@paginate(LimitOffsetPagination)
def list_follow_ups(request: Request, filters: Query[s.FollowUpFilter]) -> Any:
    return _listed(request, records.FOLLOW_UPS, filters, s.shape_follow_up)


@router.post("/follow-ups/", response={201: s.FollowUpDetailOut, **WRITE_ERRORS})
def record_follow_up(request: Request, payload: s.FollowUpIn) -> Any:
    """Follow-up or evaluation of a programme in force, measure by measure (SL 3 kap. 9 §)."""
    act = SupportAct.RECORD_FOLLOW_UP
    programme, _access = _open(request, records.PROGRAMMES, payload.programme, act=act)
    follow_up = services.follow_up_record(
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
        values=payload.dict(include=set(FollowUp.MEETING_FIELDS)),
        next_on=payload.next_on,
        **_written(request),
    )
    body = s.shape_follow_up_detail(_reloaded(request, records.FOLLOW_UPS, follow_up.pk))
    return Status(201, body)


@router.get("/follow-ups/{follow_up_id}/", response=s.FollowUpDetailOut, url_name="get_follow_up")
def get_follow_up(request: Request, follow_up_id: uuid.UUID) -> Any:
    """The whole follow-up; a teacher who is only a teacher gets the teaching part (`scope`)."""
    follow_up, access = _open(request, records.FOLLOW_UPS, follow_up_id)
    return s.shape_follow_up_detail(
        follow_up,
        teaching_part=sees_teaching_part_only(access.relations),
        user_id=request.user.pk,
    )


# --------------------------------------------------------------------------- the family's views


def _add_view(
    request: Request, kind: RecordKind[M], record_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil or a guardian adds their own view on a record they may see (process.md rule 6,
    issue item 10). Only the family: staff who see the record get 403 (policy ADD_OWN_VIEW)."""
    record, access = _open(request, kind, record_id, act=SupportAct.ADD_OWN_VIEW)
    # The service names the record by its kind: programme=, decision= or follow_up=.
    about: dict[str, Any] = {_VIEW_TARGETS[kind.kind]: record}
    view = services.participant_view_add(
        pupil=access.pupil,
        author_kind=RecipientKind.PUPIL
        if Relation.SELF in access.relations
        else RecipientKind.GUARDIAN,
        text=payload.text,
        **about,
        **_written(request),
    )
    return Status(201, s.shape_participant_view(view))


_VIEW_TARGETS = {
    SupportRecord.PROGRAMME: "programme",
    SupportRecord.DECISION: "decision",
    SupportRecord.FOLLOW_UP: "follow_up",
}
VIEW_WRITE = {201: s.ParticipantViewOut, **WRITE_ERRORS}


@router.post(
    "/action-programmes/{programme_id}/views",
    response=VIEW_WRITE,
    url_name="add_action_programme_view",
)
def add_action_programme_view(
    request: Request, programme_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil's or a guardian's own view on a programme in force or decided."""
    return _add_view(request, records.PROGRAMMES, programme_id, payload)


@router.post("/decisions/{decision_id}/views", response=VIEW_WRITE, url_name="add_decision_view")
def add_decision_view(
    request: Request, decision_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil's or a guardian's own view on a decision. A view is not an appeal."""
    return _add_view(request, records.DECISIONS, decision_id, payload)


@router.post("/follow-ups/{follow_up_id}/views", response=VIEW_WRITE, url_name="add_follow_up_view")
def add_follow_up_view(
    request: Request, follow_up_id: uuid.UUID, payload: s.ParticipantViewIn
) -> Any:
    """The pupil's or a guardian's own view on a follow-up or evaluation."""
    return _add_view(request, records.FOLLOW_UPS, follow_up_id, payload)


# --------------------------------------------------------------------------- appeals


@router.get("/appeals/", response=list[s.AppealOut], url_name="list_appeals")
@paginate(LimitOffsetPagination)
def list_appeals(request: Request, filters: Query[s.AppealFilter]) -> Any:
    return _listed(request, records.APPEALS, filters, s.shape_appeal)


@router.post("/appeals/", response={201: s.AppealOut, **WRITE_ERRORS})
def register_appeal(request: Request, payload: s.AppealIn) -> Any:
    """An appeal lodged with the decision-maker, who checks timeliness (FL 45 §)."""
    act = SupportAct.HANDLE_APPEAL
    decision, _access = _open(request, records.DECISIONS, payload.decision, act=act)
    appeal = services.appeal_register(
        decision=decision,
        service=_service_of(decision, payload.service),
        appellant_name=payload.appellant_name,
        lodged_on=payload.lodged_on,
        content=payload.content,
        reached_board_in_time=payload.reached_board_in_time,
        wrong_appeal_instructions=payload.wrong_appeal_instructions,
        **_written(request),
    )
    return Status(201, s.shape_appeal(_reloaded(request, records.APPEALS, appeal.pk)))


@router.get("/appeals/{appeal_id}/", response=s.AppealOut, url_name="get_appeal")
def get_appeal(request: Request, appeal_id: uuid.UUID) -> Any:
    return s.shape_appeal(_open(request, records.APPEALS, appeal_id)[0])


@router.post(
    "/appeals/{appeal_id}/handling",
    response={200: s.AppealOut, **WRITE_ERRORS},
    url_name="handle_appeal",
)
def handle_appeal(request: Request, appeal_id: uuid.UUID, payload: s.AppealActionIn) -> Any:
    """Reconsider, dismiss as late, forward to ÖKN or record the board's ruling (FL 38–46 §§)."""
    act = SupportAct.HANDLE_APPEAL
    appeal, _access = _open(request, records.APPEALS, appeal_id, act=act)
    services.appeal_handle(
        appeal=appeal,
        action=payload.action,
        note=payload.note,
        reached_board_in_time=payload.reached_board_in_time,
        wrong_appeal_instructions=payload.wrong_appeal_instructions,
        **_written(request),
    )
    return s.shape_appeal(_reloaded(request, records.APPEALS, appeal.pk))
