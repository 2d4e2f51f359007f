"""API v1: the rektor's delegation register (SL 2 kap. 10 §), under the rules of its page.

The page is /delegeringar/ (elevstod.organisation.views): only the rektor proper of a unit
keeps its register (`policy.can_manage_delegations`; a biträdande rektor cannot delegate
onward). The API follows it line by line:

- the list is `organisation.selectors.delegations_for_units(ctx.principal_units)`, the rows the
  page shows; anyone else gets an empty page, as every API list;
- registering runs the page's own form (`DelegationForm`, the same checks) and then the same
  service call (`organisation.services.delegation_create`);
- ending is the page's "Återkalla" (`services.delegation_revoke`): from now on, recorded with
  who and when; a delegation is never edited or removed.

Answers beside 2xx (decision 0012):
- 403 `{"code": "delegation.not_principal", ...}` when the caller has a relation to the unit but
  is not its rektor (SL 2 kap. 10 §);
- 404 `{"code": "not_found"}` for a unit or a delegation the caller may not see, or that does not
  exist: the two are never told apart;
- 409 `{"code", "message", "paragraph"}` when the law refuses the content: a decision reserved
  for the rektor (SL 3 kap. 9 § andra stycket, 7 kap. 18 och 19 §§), a delegate who does not
  work at the unit (SL 2 kap. 10 §), or a delegation already revoked;
- 422 for invalid input, in Swedish (an unknown field, NUL, an end before the start).

Delegations are not pupil data, so reading them is not logged (nor is the page's).
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from elevstod.access.context import UserContext, context_for
from elevstod.access.policy import can_manage_delegations
from elevstod.access.scoping import school_units_visible_to
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.api.auth import channel_of
from elevstod.api.paging import ShapedPage
from elevstod.api.support import ErrorOut, ValidationOut
from elevstod.api.support_schemas import InputSchema, PersonRefOut, RefusalOut
from elevstod.organisation import selectors, services
from elevstod.organisation.duties import DECISION_TYPE_LABELS, NON_DELEGABLE, DecisionType
from elevstod.organisation.forms import DelegationForm
from elevstod.organisation.models import Delegation
from elevstod.support import workflow as wf

router = Router(tags=["organisation"])
Request = AuthenticatedRequest
Row = dict[str, Any]

DELEGATION_PARAGRAPH = "2 kap. 10 § skollagen"

NOT_PRINCIPAL = wf.Refused(
    "delegation.not_principal",
    wf.gettext_noop("Bara skolenhetens rektor kan delegera beslut och återkalla delegeringar."),
    DELEGATION_PARAGRAPH,
)
DELEGATE_NOT_AT_UNIT = wf.Refused(
    "delegation.delegate_not_at_unit",
    wf.gettext_noop(
        "Delegaten måste vara anställd eller uppdragstagare vid skolenheten, och inte rektorn "
        "själv."
    ),
    DELEGATION_PARAGRAPH,
)
ALREADY_REVOKED = wf.Refused(
    "delegation.already_revoked",
    wf.gettext_noop("Delegeringen är redan återkallad."),
    DELEGATION_PARAGRAPH,
)


def _reserved(decision_type: DecisionType) -> wf.Refused:
    """A decision the law keeps for the rektor (organisation.duties.NON_DELEGABLE)."""
    with translation.override("sv"):
        label = str(DECISION_TYPE_LABELS[decision_type])
        paragraph = str(NON_DELEGABLE[decision_type])
    return wf.Refused(
        "delegation.reserved_for_principal",
        wf.gettext_noop(
            "Rektorn får inte uppdra åt någon annan att fatta detta beslut (%(label)s)."
        ),
        paragraph,
        params=(("label", label),),
    )


# --------------------------------------------------------------------------- schemas


class DelegationStatus(StrEnum):
    IN_FORCE = "in_force"
    UPCOMING = "upcoming"
    EXPIRED = "expired"
    REVOKED = "revoked"


# The page's "Status" column, word for word.
STATUS_LABELS = {
    DelegationStatus.IN_FORCE: gettext_lazy("Gäller"),
    DelegationStatus.UPCOMING: gettext_lazy("Kommande"),
    DelegationStatus.EXPIRED: gettext_lazy("Utgången"),
    DelegationStatus.REVOKED: gettext_lazy("Återkallad"),
}


class DelegationOut(Schema):
    """One row of the register. `status` on the caller's today: in force, upcoming, expired
    (past `valid_until`) or revoked (`revoked_at`, `revoked_by`)."""

    id: uuid.UUID
    school_unit_id: uuid.UUID
    school_unit_name: str
    delegate: PersonRefOut
    delegated_by: PersonRefOut
    decision_type: DecisionType
    decision_type_label: str
    valid_from: date
    valid_until: date
    note: str
    status: DelegationStatus
    status_label: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: PersonRefOut | None


class DelegationFilter(Schema):
    school_unit_id: uuid.UUID | None = None
    delegate_id: uuid.UUID | None = None
    status: DelegationStatus | None = None


class DelegationIn(InputSchema):
    """A new delegation: the page's form, field by field."""

    school_unit: uuid.UUID
    delegate: uuid.UUID
    decision_type: DecisionType
    valid_from: date
    valid_until: date
    note: str = Field(default="", max_length=300)


WRITE_ERRORS: dict[int, Any] = {
    403: RefusalOut,
    404: ErrorOut,
    409: RefusalOut,
    422: ValidationOut,
}


# --------------------------------------------------------------------------- shaping


def _person(user: Any) -> Row:
    return {"id": user.pk, "name": user.display_name}


def status_on(delegation: Delegation, today: date) -> DelegationStatus:
    """The page's status column: revoked first, then by the period."""
    if delegation.revoked_at is not None:
        return DelegationStatus.REVOKED
    if delegation.valid_until < today:
        return DelegationStatus.EXPIRED
    if delegation.valid_from > today:
        return DelegationStatus.UPCOMING
    return DelegationStatus.IN_FORCE


def shape_delegation(delegation: Delegation, today: date) -> Row:
    status = status_on(delegation, today)
    with translation.override("sv"):
        decision_label = str(DECISION_TYPE_LABELS[DecisionType(delegation.decision_type)])
        status_label = str(STATUS_LABELS[status])
    return {
        "id": delegation.pk,
        "school_unit_id": delegation.school_unit_id,
        "school_unit_name": delegation.school_unit.name,
        "delegate": _person(delegation.delegate),
        "delegated_by": _person(delegation.delegated_by),
        "decision_type": delegation.decision_type,
        "decision_type_label": decision_label,
        "valid_from": delegation.valid_from,
        "valid_until": delegation.valid_until,
        "note": delegation.note,
        "status": status,
        "status_label": status_label,
        "created_at": delegation.created_at,
        "revoked_at": delegation.revoked_at,
        "revoked_by": _person(delegation.revoked_by) if delegation.revoked_by else None,
    }


def _with_status(rows: QuerySet[Delegation], status: DelegationStatus, today: date) -> Any:
    live = rows.filter(revoked_at__isnull=True)
    return {
        DelegationStatus.REVOKED: rows.filter(revoked_at__isnull=False),
        DelegationStatus.EXPIRED: live.filter(valid_until__lt=today),
        DelegationStatus.UPCOMING: live.filter(valid_from__gt=today),
        DelegationStatus.IN_FORCE: live.filter(valid_from__lte=today, valid_until__gte=today),
    }[status]


# --------------------------------------------------------------------------- answers


def _refusal(status: int, refused: wf.Refused) -> Status[Row]:
    """Every refusal's one shape (decision 0012), as api.support answers it."""
    with translation.override("sv"):
        message = refused.text(gettext)
    return Status(
        status, {"code": refused.rule, "message": message, "paragraph": refused.paragraph}
    )


def _invalid(errors: dict[str, list[str]]) -> ValidationError:
    return ValidationError(
        [
            {"loc": ["body", "payload", field], "type": "elevstod", "msg": message}
            for field, messages in errors.items()
            for message in messages
        ]
    )


def _unit_or_404(ctx: UserContext, unit_id: uuid.UUID) -> None:
    """A unit the caller has no relation to is not theirs to see (security.md P5)."""
    if not school_units_visible_to(ctx).filter(pk=unit_id).exists():
        raise Http404


# --------------------------------------------------------------------------- endpoints


@router.get("/delegations/", response=list[DelegationOut], url_name="list_delegations")
@paginate(LimitOffsetPagination)
def list_delegations(request: Request, filters: Query[DelegationFilter]) -> Any:
    """The register of the units where the caller is rektor, as the page shows it; revoked
    last, newest period first."""
    ctx = context_for(request)
    rows = selectors.delegations_for_units(ctx.principal_units)
    if filters.school_unit_id is not None:
        rows = rows.filter(school_unit_id=filters.school_unit_id)
    if filters.delegate_id is not None:
        rows = rows.filter(delegate_id=filters.delegate_id)
    if filters.status is not None:
        rows = _with_status(rows, filters.status, ctx.today)
    rows = rows.order_by(F("revoked_at").asc(nulls_first=True), "-valid_from", "pk")
    today = ctx.today
    return ShapedPage(rows, lambda delegation: shape_delegation(delegation, today))


@router.post(
    "/delegations/",
    response={201: DelegationOut, **WRITE_ERRORS},
    url_name="register_delegation",
)
def register_delegation(request: Request, payload: DelegationIn) -> Any:
    """The rektor hands a named decision type to a named person at the unit for a period
    (SL 2 kap. 10 §). The page's form checks it; the page's service writes it."""
    ctx = context_for(request)
    if not can_manage_delegations(ctx, payload.school_unit):
        _unit_or_404(ctx, payload.school_unit)
        return _refusal(403, NOT_PRINCIPAL)
    if payload.decision_type in NON_DELEGABLE:
        return _refusal(409, _reserved(payload.decision_type))
    form = DelegationForm(
        {
            "school_unit": str(payload.school_unit),
            "delegate": str(payload.delegate),
            "decision_type": payload.decision_type.value,
            "valid_from": payload.valid_from.isoformat(),
            "valid_until": payload.valid_until.isoformat(),
            "note": payload.note,
        },
        principal=request.user,
        unit_ids=ctx.principal_units,
    )
    with translation.override("sv"):
        valid = form.is_valid()
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    if not valid:
        if "delegate" in errors:
            # Not staff at the unit (or the rektor themself): the form's two refusals of the
            # delegate, one rule.
            return _refusal(409, DELEGATE_NOT_AT_UNIT)
        raise _invalid(errors)
    data = form.cleaned_data
    delegation = services.delegation_create(
        actor_id=request.user.pk,
        school_unit_id=data["school_unit"].pk,
        delegate_id=data["delegate"],
        decision_type=data["decision_type"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        note=data["note"],
        channel=channel_of(request),
    )
    return Status(201, shape_delegation(_reloaded(delegation), ctx.today))


@router.post(
    "/delegations/{delegation_id}/revoke/",
    response={200: DelegationOut, **WRITE_ERRORS},
    url_name="revoke_delegation",
)
def revoke_delegation(request: Request, delegation_id: uuid.UUID) -> Any:
    """The rektor ends a delegation from now on (the page's "Återkalla"). Its row stays, with
    who revoked it and when; a delegation is never edited or removed."""
    ctx = context_for(request)
    delegation = selectors.delegation_or_none(delegation_id)
    if delegation is None or not can_manage_delegations(ctx, delegation.school_unit_id):
        raise Http404
    if delegation.revoked_at is not None:
        return _refusal(409, ALREADY_REVOKED)
    services.delegation_revoke(
        actor_id=request.user.pk, delegation=delegation, channel=channel_of(request)
    )
    return Status(200, shape_delegation(_reloaded(delegation), ctx.today))


def _reloaded(delegation: Delegation) -> Delegation:
    """The row in the list's shape after the service wrote it (the caller was checked above)."""
    return selectors.delegations_for_units(frozenset({delegation.school_unit_id})).get(
        pk=delegation.pk
    )
