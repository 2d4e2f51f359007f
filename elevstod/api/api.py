"""API v1: the same policy, lookup, services and access log as the pages."""

import uuid
from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from elevstod.access.context import context_for
from elevstod.access.lookup import fact_prefetches, get_pupil_for
from elevstod.access.policy import can_see_contact_details
from elevstod.access.scoping import groups_visible_to, pupils_visible_to, school_units_visible_to
from elevstod.api import quality, support
from elevstod.api.auth import auth, channel_of
from elevstod.api.paging import ShapedPage
from elevstod.api.schemas import (
    AccessEventOut,
    GroupOut,
    PupilDetailOut,
    PupilListOut,
    SchoolOut,
)
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.audit.recording import record_access
from elevstod.front.selectors import pupil_page_details
from elevstod.logreview.extract import log_extract_for
from elevstod.organisation.models import Group, SchoolUnit
from elevstod.people.models import Guardianship, Placement, Pupil

api = NinjaAPI(
    title="Elevstöd API",
    version="1",
    urls_namespace="api",
    auth=auth,
    docs_url=None,  # the interactive docs load from a CDN; the OpenAPI document is enough
    description=(
        "API v1: pupils and the support chain (Skollagen 3 kap.). Every object has an id; "
        "every read, print and export is logged. Writes call the same services as the pages. "
        "Every refusal names its rule: {code, message, paragraph}, 403 when a rule on who may "
        "act refuses, 409 when the case's state refuses the step (or an edit conflict "
        "{code: edit_conflict, version}). 404 {code: not_found} for a record that is missing or "
        "not yours to see, alike; 422 for invalid input, in Swedish, a field the endpoint does "
        "not take included; 500 {code: server_error} for anything unexpected."
    ),
)
router = Router()

Row = dict[str, object]


def _placement(p: Placement) -> Row:
    return {
        "id": p.pk,
        "school_unit_id": p.school_unit_id,
        "school_unit_name": p.school_unit.name,
        "school_form": p.school_form,
        "grade": p.grade,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
    }


def _pupil_summary(pupil: Pupil) -> Row:
    return {
        "id": pupil.pk,
        "first_name": pupil.first_name,
        "last_name": pupil.last_name,
        "birth_date": pupil.birth_date,
        "protected_identity": pupil.is_protected,
        "current_placements": [_placement(p) for p in pupil.current_placements],
    }


@router.get("/schools/", response=list[SchoolOut], tags=["organisation"])
@paginate(LimitOffsetPagination)
def list_schools(request: HttpRequest) -> QuerySet[SchoolUnit]:
    return school_units_visible_to(context_for(request)).order_by("name")


@router.get("/groups/", response=list[GroupOut], tags=["organisation"])
@paginate(LimitOffsetPagination)
def list_groups(request: HttpRequest) -> ShapedPage[Group]:
    groups = groups_visible_to(context_for(request)).select_related("academic_year")
    return ShapedPage(groups.order_by("name", "pk"), _group)


def _group(g: Group) -> Row:
    return {
        "id": g.pk,
        "name": g.name,
        "kind": g.kind,
        "school_unit_id": g.school_unit_id,
        "academic_year": g.academic_year.name,
        "school_form": g.school_form,
        "grade": g.grade,
        "subject": g.subject,
    }


@router.get("/pupils/", response=list[PupilListOut], tags=["pupils"])
@paginate(LimitOffsetPagination)
def list_pupils(request: HttpRequest) -> ShapedPage[Pupil]:
    ctx = context_for(request)
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type="pupil_list",
        channel=channel_of(request),
    )
    # The summary shows current placements only: the groups `facts_of` needs are not loaded.
    placements, _memberships = fact_prefetches(ctx)
    pupils = (
        pupils_visible_to(ctx)
        .prefetch_related(placements)
        .order_by("last_name", "first_name", "pk")
    )
    return ShapedPage(pupils, _pupil_summary)


@router.get("/pupils/{pupil_id}/", response=PupilDetailOut, tags=["pupils"])
def get_pupil(request: HttpRequest, pupil_id: uuid.UUID) -> Row:
    ctx = context_for(request)
    access = get_pupil_for(ctx, pupil_id, purpose="api_pupil", channel=channel_of(request))
    pupil = access.pupil
    details = pupil_page_details(ctx, pupil)
    placements = cast(list[Placement], details["placements"])
    guardianships = cast(list[Guardianship], details["guardianships"])
    contact = can_see_contact_details(ctx, access.facts)
    body = _pupil_summary(pupil) | {
        "identity_number": pupil.identity_number,
        "identity_kind": pupil.identity_kind,
        "gender": pupil.gender,
        "placements": [_placement(p) for p in placements],
        "groups": [
            {"group_id": m.group_id, "group_name": m.group.name} for m in pupil.current_memberships
        ],
        "guardians": [_guardian(g, contact=contact) for g in guardianships],
    }
    if contact:
        body |= {
            "street_address": pupil.street_address,
            "postal_code": pupil.postal_code,
            "city": pupil.city,
        }
    return body


def _guardian(guardianship: Guardianship, *, contact: bool) -> Row:
    guardian = guardianship.guardian
    return {
        "id": guardian.pk,
        "first_name": guardian.first_name,
        "last_name": guardian.last_name,
        "has_custody": guardianship.has_custody,
        "phone": guardian.phone if contact else None,
        "email": guardian.email if contact else None,
    }


class AccessEventFilter(Schema):
    pupil: uuid.UUID


@router.get("/access-events/", response=list[AccessEventOut], tags=["audit"])
@paginate(LimitOffsetPagination)
def list_access_events(request: HttpRequest, filters: Query[AccessEventFilter]) -> list[Row]:
    """One pupil's access log, for the leaders of the pupil's unit (registerutdrag)."""
    extract = log_extract_for(
        context_for(request),
        filters.pupil,
        purpose="api_log_extract",
        channel=channel_of(request),
    )
    return [_access_event(e) for e in extract.events]


def _access_event(e: AccessEvent) -> Row:
    return {
        "id": e.pk,
        "occurred_at": e.occurred_at,
        "actor_id": e.actor_id,
        "actor_name": e.actor.display_name if e.actor else "",
        "acting_role": e.acting_role,
        "school_unit_id": e.school_unit_id,
        "pupil_id": e.pupil_id,
        "record_type": e.record_type,
        "record_id": e.record_id,
        "action": e.action,
        "outcome": e.outcome,
        "purpose": e.purpose,
        "channel": e.channel,
    }


api.add_router("/", router)
# The support chain (elevstod.api.support) and its Swedish error answers.
api.add_router("/", support.router)
api.add_router("/", quality.router)
api.add_router("/", "elevstod.api.delegations.router")  # the delegation register
api.add_router("/", "elevstod.api.sync.router")  # the SS 12000 sync's status
support.add_exception_handlers(api)
