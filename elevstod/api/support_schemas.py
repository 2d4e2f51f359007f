"""Schemas of API v1's support-chain resources (Skollagen 3 kap.; process.md §2), and their shaping.

Ids are UUIDs and dates ISO 8601. Enums are their stored values with a Swedish `*_label` beside
them. A pupil appears by id and name only, never with an address or personnummer, so that a
pupil with protected identity is safe in every list and document (security.md P6); whoever
needs more asks /pupils/{id}/, which applies the contact-details rule and logs the read.

The `shape_*` functions turn loaded records into the dicts these schemas describe. They read only
what the door (elevstod.access.records) and the list shapes of elevstod.api.support_lists
loaded, so shaping adds no queries.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from elevstod.support import labels
from elevstod.support import workflow as wf
from elevstod.support.models import FollowUp, RaisedBy, RecipientKind, ServiceMethod
from elevstod.support.selectors.investigations import investigation_state

# --------------------------------------------------------------------------- helpers

TEXT_MAX = 20_000  # far above any real text; keeps a runaway client from filling the database


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("Fältet får inte vara tomt.")
    return value


Text = Annotated[str, Field(max_length=TEXT_MAX)]
RequiredText = Annotated[str, Field(min_length=1, max_length=TEXT_MAX), AfterValidator(_not_blank)]

# Error types of InputSchema's checks, given Swedish messages in elevstod.api.support.
NUL_IN_TEXT = "string_nul"
DATE_OUT_OF_RANGE = "date_out_of_range"
# Far beyond any date of a pupil's schooling, and far inside what date arithmetic (a deadline
# some days after a date) and the databases hold: 0001-01-01 and 9999-12-31 never reach them.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def _checked(value: Any) -> Any:
    """A text without NUL (PostgreSQL stores none) and a date within the range, in a field
    or in a list of them; nested bodies check their own fields."""
    if isinstance(value, list):
        return [_checked(item) for item in value]
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError(NUL_IN_TEXT, "Text must not contain NUL characters.")
    if isinstance(value, date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError(
            DATE_OUT_OF_RANGE,
            "Date must lie between {earliest} and {latest}.",
            {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
    return value


class InputSchema(Schema):
    """Every body the API takes: a field the endpoint does not handle is refused (422
    `extra_forbidden`, never silently ignored), and every field, present or added later, is
    checked by `_checked` (422 `string_nul`, `date_out_of_range`)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_and_dates_in_range(cls, value: Any) -> Any:
        return _checked(value)


def _sv(table: dict, value: Any) -> str:
    """A Swedish label, whatever language the caller's session has chosen."""
    with translation.override("sv"):
        return str(labels.label(table, value))


def _choice_label(choices: Any, value: str) -> str:
    with translation.override("sv"):
        return str(dict(choices.choices).get(value, value)) if value else ""


class InvestigationState(StrEnum):
    OPEN = "open"
    ASSESSED = "assessed"
    CLOSED = "closed"


INVESTIGATION_STATE_LABELS = {
    InvestigationState.OPEN: _("Pågår"),
    InvestigationState.ASSESSED: _("Bedömd, väntar på beslut"),
    InvestigationState.CLOSED: _("Avslutad genom beslut"),
}


# --------------------------------------------------------------------------- shared parts


class PupilRefOut(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str


class PersonRefOut(Schema):
    """A member of staff named on a record."""

    id: uuid.UUID
    name: str


class RefusalOut(Schema):
    """A refusal by the workflow (409): a stable code, the Swedish message and its paragraph."""

    code: str
    message: str
    paragraph: str


class FieldConflictOut(Schema):
    field: str
    theirs: Any
    mine: Any


class ConflictOut(RefusalOut):
    """409 on a save: either a refusal, or an edit conflict (code `edit_conflict`) with the
    saved and the sent value of each field that differs, and the version to send next time
    (process.md rule 7)."""

    version: int | None = None
    conflicts: list[FieldConflictOut] = []


class RecordOut(Schema):
    id: uuid.UUID
    pupil: PupilRefOut
    school_unit_id: uuid.UUID
    created_at: datetime


def _pupil(record: Any) -> dict[str, Any]:
    pupil = record.pupil
    return {"id": pupil.pk, "first_name": pupil.first_name, "last_name": pupil.last_name}


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _record(record: Any) -> dict[str, Any]:
    return {
        "id": record.pk,
        "pupil": _pupil(record),
        "school_unit_id": record.school_unit_id,
        "created_at": record.created_at,
    }


# --------------------------------------------------------------------------- concerns


class ConcernOut(RecordOut):
    source: wf.ConcernSource
    source_label: str
    raised_by_kind: RaisedBy
    raised_by_kind_label: str
    raised_on: date
    subject: str
    description: str
    state: wf.ConcernState
    state_label: str
    closed_reason: str


class ConcernIn(InputSchema):
    """A concern that the pupil may not reach the criteria (SL 3 kap. 5 §). From the pupil or a
    guardian, the source is always `pupil_or_guardian`."""

    pupil: uuid.UUID
    source: wf.ConcernSource = wf.ConcernSource.TEACHING
    subject: str = Field("", max_length=100)
    description: RequiredText


class ConcernFilter(Schema):
    pupil_id: uuid.UUID | None = None
    state: wf.ConcernState | None = None


def shape_concern(concern: Any) -> dict[str, Any]:
    return _record(concern) | {
        "source": concern.source,
        "source_label": _sv(labels.CONCERN_SOURCE_LABELS, concern.source),
        "raised_by_kind": concern.raised_by_kind,
        "raised_by_kind_label": _choice_label(RaisedBy, concern.raised_by_kind),
        "raised_on": concern.raised_on,
        "subject": concern.subject,
        "description": concern.description,
        "state": concern.state,
        "state_label": _sv(labels.CONCERN_STATE_LABELS, concern.state),
        "closed_reason": concern.closed_reason,
    }


# --------------------------------------------------------------------------- adaptations


class GroupRefOut(Schema):
    id: uuid.UUID
    name: str


class AdaptationOut(RecordOut):
    concern_id: uuid.UUID | None
    group: GroupRefOut | None
    subject: str
    need_categories: list[wf.NeedCategory]
    need_category_labels: list[str]
    need_description: str
    measure: str
    responsible: PersonRefOut
    starts_on: date
    evaluate_on: date
    guardian_informed_on: date | None
    state: wf.AdaptationState
    state_label: str
    ended_on: date | None
    version: int


class AdaptationEvaluationOut(Schema):
    id: uuid.UUID
    evaluated_on: date
    evaluated_by: PersonRefOut
    effect: wf.AdaptationEffect
    effect_label: str
    pupil_view: str
    comment: str
    next_step: wf.AdaptationNextStep
    next_step_label: str
    next_evaluation_on: date | None


class AdaptationDetailOut(AdaptationOut):
    evaluations: list[AdaptationEvaluationOut]


class AdaptationIn(InputSchema):
    """An extra adaptation (SL 3 kap. 5 §): no decision, but documented and evaluated.

    `responsible` defaults to the caller; `starts_on` to today; `evaluate_on` to the huvudman's
    default interval after the start."""

    pupil: uuid.UUID
    concern: uuid.UUID | None = None
    group: uuid.UUID | None = None
    subject: str = Field("", max_length=100)
    need_categories: list[wf.NeedCategory] = []
    need_description: RequiredText
    measure: RequiredText
    responsible: uuid.UUID | None = None
    starts_on: date | None = None
    evaluate_on: date | None = None
    guardian_informed_on: date | None = None


class AdaptationEvaluationIn(InputSchema):
    effect: wf.AdaptationEffect
    next_step: wf.AdaptationNextStep
    pupil_view: Text = ""
    comment: Text = ""
    next_evaluation_on: date | None = None


class AdaptationFilter(Schema):
    pupil_id: uuid.UUID | None = None
    state: wf.AdaptationState | None = None


def shape_adaptation(adaptation: Any) -> dict[str, Any]:
    group = adaptation.group
    return _record(adaptation) | {
        "concern_id": adaptation.concern_id,
        "group": None if group is None else {"id": group.pk, "name": group.name},
        "subject": adaptation.subject,
        "need_categories": adaptation.need_categories,
        "need_category_labels": [
            _sv(labels.NEED_CATEGORY_LABELS, category) for category in adaptation.need_categories
        ],
        "need_description": adaptation.need_description,
        "measure": adaptation.measure,
        "responsible": _person(adaptation.responsible),
        "starts_on": adaptation.starts_on,
        "evaluate_on": adaptation.evaluate_on,
        "guardian_informed_on": adaptation.guardian_informed_on,
        "state": adaptation.state,
        "state_label": _sv(labels.ADAPTATION_STATE_LABELS, adaptation.state),
        "ended_on": adaptation.ended_on,
        "version": adaptation.version,
    }


def shape_adaptation_detail(adaptation: Any) -> dict[str, Any]:
    return shape_adaptation(adaptation) | {
        "evaluations": [
            {
                "id": e.pk,
                "evaluated_on": e.evaluated_on,
                "evaluated_by": _person(e.evaluated_by),
                "effect": e.effect,
                "effect_label": _sv(labels.ADAPTATION_EFFECT_LABELS, e.effect),
                "pupil_view": e.pupil_view,
                "comment": e.comment,
                "next_step": e.next_step,
                "next_step_label": _sv(labels.ADAPTATION_NEXT_STEP_LABELS, e.next_step),
                "next_evaluation_on": e.next_evaluation_on,
            }
            for e in adaptation.evaluations.all()
        ]
    }


# --------------------------------------------------------------------------- referrals


class ReferralOut(RecordOut):
    concern_id: uuid.UUID | None
    reported_on: date
    reporter_role: str
    ground: wf.ReferralGround
    ground_label: str
    description: str
    results: str
    guardian_informed: bool
    pupil_informed: bool
    received_at: datetime | None
    state: wf.CaseState
    state_label: str


class ReferralDetailOut(ReferralOut):
    reported_by: PersonRefOut
    received_by: PersonRefOut | None
    adaptation_ids: list[uuid.UUID]
    investigation_id: uuid.UUID | None


class ReferralIn(InputSchema):
    """A report to the principal (anmälan, SL 3 kap. 7 §). A report "despite adaptations" names
    the adaptations that were tried."""

    pupil: uuid.UUID
    ground: wf.ReferralGround
    description: RequiredText
    adaptations: list[uuid.UUID] = []
    results: Text = ""
    guardian_informed: bool = False
    pupil_informed: bool = False
    concern: uuid.UUID | None = None


class ReferralFilter(Schema):
    pupil_id: uuid.UUID | None = None
    state: wf.CaseState | None = None


def shape_referral(referral: Any) -> dict[str, Any]:
    return _record(referral) | {
        "concern_id": referral.concern_id,
        "reported_on": referral.reported_on,
        "reporter_role": referral.reporter_role,
        "ground": referral.ground,
        "ground_label": _sv(labels.REFERRAL_GROUND_LABELS, referral.ground),
        "description": referral.description,
        "results": referral.results,
        "guardian_informed": referral.guardian_informed,
        "pupil_informed": referral.pupil_informed,
        "received_at": referral.received_at,
        "state": referral.state,
        "state_label": _sv(labels.CASE_STATE_LABELS, referral.state),
    }


def shape_referral_detail(referral: Any) -> dict[str, Any]:
    investigation = getattr(referral, "investigation", None)
    return shape_referral(referral) | {
        "reported_by": _person(referral.created_by),
        "received_by": _person(referral.received_by),
        "adaptation_ids": [a.pk for a in referral.adaptations.all()],
        "investigation_id": investigation.pk if investigation is not None else None,
    }


# --------------------------------------------------------------------------- investigations


class InvestigationOut(RecordOut):
    referral_id: uuid.UUID
    opened_on: date
    target_on: date
    assessed_on: date | None
    closed_on: date | None
    state: InvestigationState
    state_label: str
    special_support_needed: bool | None
    investigators: list[PersonRefOut]


class NeedOut(Schema):
    id: uuid.UUID
    category: wf.NeedCategory
    category_label: str
    description: str


class InvestigationDetailOut(InvestigationOut):
    individual_level: str
    group_level: str
    school_level: str
    results: str
    adaptations_effect: str
    pupil_view: str
    guardian_view: str
    eht_consulted: bool
    eht_consultation: str
    eht_skip_reason: str
    cause_analysis: str
    proposed_measures: str
    needs: list[NeedOut]
    version: int


class ConclusionOut(Schema):
    """The concluded investigation, and the programme drafted from it when support is needed."""

    investigation: InvestigationDetailOut
    programme_id: uuid.UUID | None


class InvestigationOpenIn(InputSchema):
    """The principal opens the investigation of a received report (SL 3 kap. 7 §)."""

    referral: uuid.UUID
    investigators: list[uuid.UUID]
    target_on: date


class NeedIn(InputSchema):
    category: wf.NeedCategory
    description: RequiredText


class InvestigationUpdateIn(InputSchema):
    """Only the fields sent are changed. `version` is the one the text was based on; if someone
    saved since, nothing is written and the answer is 409 with both texts (rule 7). `needs`, when
    sent, replaces the needs found."""

    version: int
    individual_level: Text | None = None
    group_level: Text | None = None
    school_level: Text | None = None
    results: Text | None = None
    adaptations_effect: Text | None = None
    pupil_view: Text | None = None
    guardian_view: Text | None = None
    eht_consulted: bool | None = None
    eht_consultation: Text | None = None
    eht_skip_reason: Text | None = None
    cause_analysis: Text | None = None
    proposed_measures: Text | None = None
    special_support_needed: bool | None = None
    needs: list[NeedIn] | None = None


class InvestigationFilter(Schema):
    pupil_id: uuid.UUID | None = None
    state: InvestigationState | None = None


def shape_investigation(investigation: Any) -> dict[str, Any]:
    state = investigation_state(investigation)
    return _record(investigation) | {
        "referral_id": investigation.referral_id,
        "opened_on": investigation.opened_on,
        "target_on": investigation.target_on,
        "assessed_on": investigation.assessed_on,
        "closed_on": investigation.closed_on,
        "state": state,
        "state_label": _sv(INVESTIGATION_STATE_LABELS, state),
        "special_support_needed": investigation.special_support_needed,
        "investigators": [_person(person) for person in investigation.investigators.all()],
    }


def shape_investigation_detail(investigation: Any) -> dict[str, Any]:
    texts = {name: getattr(investigation, name) for name in investigation.TEXT_FIELDS}
    return (
        shape_investigation(investigation)
        | texts
        | {
            "eht_consulted": investigation.eht_consulted,
            "needs": [
                {
                    "id": need.pk,
                    "category": need.category,
                    "category_label": _sv(labels.NEED_CATEGORY_LABELS, need.category),
                    "description": need.description,
                }
                for need in investigation.needs.all()
            ],
            "version": investigation.version,
        }
    )


# --------------------------------------------------------------------------- family's own views


class DetailScope(StrEnum):
    """How much of a record the caller sees. `teaching_part`: a teacher with no other relation
    to the pupil sees the needs, the measures (their own first, `mine`), the dates and their own
    work (process.md §4); the family's views, participation notes and history are then null."""

    WHOLE = "whole"
    TEACHING_PART = "teaching_part"


class ParticipantViewOut(Schema):
    """A view the pupil or a guardian added themselves (process.md rule 6)."""

    id: uuid.UUID
    author_kind: RecipientKind
    author_kind_label: str
    author_name: str
    text: str
    created_at: datetime


class ParticipantViewIn(InputSchema):
    text: RequiredText


def shape_participant_view(view: Any) -> dict[str, Any]:
    return {
        "id": view.pk,
        "author_kind": view.author_kind,
        "author_kind_label": _choice_label(RecipientKind, view.author_kind),
        "author_name": view.author.display_name,
        "text": view.text,
        "created_at": view.created_at,
    }


def _views(record: Any) -> list[dict[str, Any]]:
    return [shape_participant_view(view) for view in record.participant_views.all()]


# --------------------------------------------------------------------------- programmes


class ProgrammeOut(RecordOut):
    referral_id: uuid.UUID
    investigation_id: uuid.UUID | None
    number: int
    previous_id: uuid.UUID | None
    state: wf.ProgrammeState
    state_label: str
    in_force_from: date | None
    valid_until: date | None
    follow_up_on: date | None
    evaluation_on: date | None
    version: int


class ProgrammeNeedOut(NeedOut):
    source_id: uuid.UUID | None


class MeasureOut(Schema):
    id: uuid.UUID
    need_id: uuid.UUID
    description: str
    responsible: PersonRefOut
    extent: str
    setting: wf.MeasureSetting
    setting_label: str
    special_reasons: str
    location: str
    deviations: str
    return_plan: str
    starts_on: date | None
    ends_on: date | None
    mine: bool = False  # the caller is responsible for the measure


class ProgrammeDetailOut(ProgrammeOut):
    scope: DetailScope = DetailScope.WHOLE
    # null in the teaching part (scope `teaching_part`)
    revision_reason: str | None
    pupil_participation_offered: bool | None
    pupil_view: str | None
    guardian_participation_offered: bool | None
    guardian_view: str | None
    follow_up_responsible: PersonRefOut | None
    evaluation_responsible: PersonRefOut | None
    needs: list[ProgrammeNeedOut]
    measures: list[MeasureOut]
    # null in the teaching part (scope `teaching_part`)
    participant_views: list[ParticipantViewOut] | None = None


class ProgrammeNeedIn(NeedIn):
    """`key` is an existing need's id, or any new key that measures refer to."""

    key: str = Field(min_length=1, max_length=64)


class MeasureIn(InputSchema):
    need_key: str = Field(min_length=1, max_length=64)
    description: RequiredText
    responsible: uuid.UUID
    extent: str = Field(max_length=200)
    setting: wf.MeasureSetting = wf.MeasureSetting.OWN_GROUP
    special_reasons: Text = ""
    location: str = Field("", max_length=200)
    deviations: Text = ""
    return_plan: Text = ""
    starts_on: date | None = None
    ends_on: date | None = None


class ProgrammeUpdateIn(InputSchema):
    """Only the fields sent are changed; `needs` and `measures`, when sent, replace the lists
    whole (a need kept from before keeps its id as `key`). A decided programme is never edited:
    revise it instead (rule 5)."""

    version: int
    pupil_participation_offered: bool | None = None
    pupil_view: Text | None = None
    guardian_participation_offered: bool | None = None
    guardian_view: Text | None = None
    follow_up_on: date | None = None
    follow_up_responsible: uuid.UUID | None = None
    evaluation_on: date | None = None
    evaluation_responsible: uuid.UUID | None = None
    valid_until: date | None = None
    revision_reason: Text | None = None
    needs: list[ProgrammeNeedIn] | None = None
    measures: list[MeasureIn] | None = None


class ProgrammeFilter(Schema):
    pupil_id: uuid.UUID | None = None
    state: wf.ProgrammeState | None = None


def shape_programme(programme: Any) -> dict[str, Any]:
    return _record(programme) | {
        "referral_id": programme.referral_id,
        "investigation_id": programme.investigation_id,
        "number": programme.number,
        "previous_id": programme.previous_id,
        "state": programme.state,
        "state_label": _sv(labels.PROGRAMME_STATE_LABELS, programme.state),
        "in_force_from": programme.in_force_from,
        "valid_until": programme.valid_until,
        "follow_up_on": programme.follow_up_on,
        "evaluation_on": programme.evaluation_on,
        "version": programme.version,
    }


def shape_programme_detail(
    programme: Any, *, teaching_part: bool = False, user_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """`teaching_part`: the shape for a teacher who is only a teacher (DetailScope)."""
    whole = _shape_programme_whole(programme, user_id)
    if not teaching_part:
        return whole
    hidden = (
        "revision_reason",
        "pupil_participation_offered",
        "pupil_view",
        "guardian_participation_offered",
        "guardian_view",
        "participant_views",
    )
    return (
        whole
        | dict.fromkeys(hidden)
        | {
            "scope": DetailScope.TEACHING_PART,
            "measures": sorted(whole["measures"], key=lambda m: not m["mine"]),
        }
    )


def _shape_programme_whole(programme: Any, user_id: uuid.UUID | None) -> dict[str, Any]:
    return shape_programme(programme) | {
        "scope": DetailScope.WHOLE,
        "participant_views": _views(programme),
        "revision_reason": programme.revision_reason,
        "pupil_participation_offered": programme.pupil_participation_offered,
        "pupil_view": programme.pupil_view,
        "guardian_participation_offered": programme.guardian_participation_offered,
        "guardian_view": programme.guardian_view,
        "follow_up_responsible": _person(programme.follow_up_responsible),
        "evaluation_responsible": _person(programme.evaluation_responsible),
        "needs": [
            {
                "id": need.pk,
                "source_id": need.source_id,
                "category": need.category,
                "category_label": _sv(labels.NEED_CATEGORY_LABELS, need.category),
                "description": need.description,
            }
            for need in programme.needs.all()
        ],
        "measures": [
            {
                "id": m.pk,
                "need_id": m.need_id,
                "description": m.description,
                "responsible": _person(m.responsible),
                "extent": m.extent,
                "setting": m.setting,
                "setting_label": _sv(labels.MEASURE_SETTING_LABELS, m.setting),
                "special_reasons": m.special_reasons,
                "location": m.location,
                "deviations": m.deviations,
                "return_plan": m.return_plan,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
                "mine": user_id is not None and m.responsible_id == user_id,
            }
            for m in programme.measures.all()
        ],
    }


# --------------------------------------------------------------------------- decisions


class DecisionOut(RecordOut):
    referral_id: uuid.UUID
    kind: wf.DecisionKind
    kind_label: str
    investigation_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    decided_on: date
    decided_by_name: str
    decided_by_title: str
    delegation_id: uuid.UUID | None
    statement_of_reasons: str
    instead: str


class ServiceOut(Schema):
    """Service of the decision on one recipient; the appeal time runs from `received_on`."""

    id: uuid.UUID
    recipient_kind: RecipientKind
    recipient_kind_label: str
    recipient_name: str
    sent_on: date | None
    method: ServiceMethod | None
    method_label: str
    received_on: date | None
    appeal_deadline: date | None


class DecisionDetailOut(DecisionOut):
    appeal_instructions: str
    services: list[ServiceOut]
    participant_views: list[ParticipantViewOut] = []


class DecisionIn(InputSchema):
    """An appealable decision states its reasons (FL 32 § via SL 29 kap. 10 §)."""

    statement_of_reasons: Text = ""


class NoProgrammeDecisionIn(DecisionIn):
    instead: Text = ""


class ServiceIn(InputSchema):
    method: ServiceMethod
    sent_on: date | None = None
    received_on: date | None = None


class DecisionFilter(Schema):
    pupil_id: uuid.UUID | None = None
    kind: wf.DecisionKind | None = None


def shape_decision(decision: Any) -> dict[str, Any]:
    return _record(decision) | {
        "referral_id": decision.referral_id,
        "kind": decision.kind,
        "kind_label": _sv(labels.DECISION_KIND_LABELS, decision.kind),
        "investigation_id": decision.investigation_id,
        "programme_id": decision.programme_id,
        "decided_on": decision.decided_on,
        "decided_by_name": decision.decided_by_name,
        "decided_by_title": decision.decided_by_title,
        "delegation_id": decision.delegation_id,
        "statement_of_reasons": decision.statement_of_reasons,
        "instead": decision.instead,
    }


def shape_decision_detail(decision: Any) -> dict[str, Any]:
    return shape_decision(decision) | {
        "appeal_instructions": decision.appeal_instructions,
        "participant_views": _views(decision),
        "services": [
            {
                "id": s.pk,
                "recipient_kind": s.recipient_kind,
                "recipient_kind_label": _choice_label(RecipientKind, s.recipient_kind),
                "recipient_name": s.recipient_name,
                "sent_on": s.sent_on,
                "method": s.method or None,
                "method_label": _choice_label(ServiceMethod, s.method),
                "received_on": s.received_on,
                "appeal_deadline": s.appeal_deadline,
            }
            for s in decision.services.all()
        ],
    }


# --------------------------------------------------------------------------- follow-ups


class FollowUpOut(RecordOut):
    programme_id: uuid.UUID
    kind: wf.FollowUpKind
    kind_label: str
    planned_on: date
    held_on: date
    outcome: wf.FollowUpOutcome
    outcome_label: str
    next_on: date | None


class ReviewOut(Schema):
    id: uuid.UUID
    measure_id: uuid.UUID
    measure_description: str
    carried_out: wf.CarriedOut
    carried_out_label: str
    effect: wf.MeasureEffect
    effect_label: str
    comment: str


class FollowUpDetailOut(FollowUpOut):
    scope: DetailScope = DetailScope.WHOLE
    # null in the teaching part unless the caller recorded the follow-up (scope `teaching_part`)
    participants: str | None
    pupil_invited: bool | None
    guardian_invited: bool | None
    pupil_view: str | None
    guardian_view: str | None
    summary: str | None
    reviews: list[ReviewOut]
    # null in the teaching part (scope `teaching_part`)
    participant_views: list[ParticipantViewOut] | None = None


class ReviewIn(InputSchema):
    measure: uuid.UUID
    carried_out: wf.CarriedOut
    effect: wf.MeasureEffect
    comment: Text = ""


class FollowUpIn(InputSchema):
    """Follow-up or evaluation of a programme in force, one review per measure (SL 3 kap. 9 §).
    `revise` also starts a revision draft; closing needs its own decision."""

    programme: uuid.UUID
    kind: wf.FollowUpKind
    outcome: wf.FollowUpOutcome
    reviews: list[ReviewIn]
    participants: Text = ""
    pupil_invited: bool = False
    guardian_invited: bool = False
    pupil_view: Text = ""
    guardian_view: Text = ""
    summary: Text = ""
    next_on: date | None = None


class FollowUpFilter(Schema):
    pupil_id: uuid.UUID | None = None
    kind: wf.FollowUpKind | None = None
    programme_id: uuid.UUID | None = None


def shape_follow_up(follow_up: Any) -> dict[str, Any]:
    return _record(follow_up) | {
        "programme_id": follow_up.programme_id,
        "kind": follow_up.kind,
        "kind_label": _sv(labels.FOLLOW_UP_KIND_LABELS, follow_up.kind),
        "planned_on": follow_up.planned_on,
        "held_on": follow_up.held_on,
        "outcome": follow_up.outcome,
        "outcome_label": _sv(labels.FOLLOW_UP_OUTCOME_LABELS, follow_up.outcome),
        "next_on": follow_up.next_on,
    }


def shape_follow_up_detail(
    follow_up: Any, *, teaching_part: bool = False, user_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """`teaching_part`: the shape for a teacher who is only a teacher (DetailScope); a
    follow-up they recorded themselves is their own work and keeps its voices and summary."""
    whole = _shape_follow_up_whole(follow_up)
    if not teaching_part:
        return whole
    own_work = user_id is not None and follow_up.created_by_id == user_id
    hidden = () if own_work else FollowUp.MEETING_FIELDS
    mine = {r.pk for r in follow_up.reviews.all() if r.measure.responsible_id == user_id}
    return (
        whole
        | dict.fromkeys(hidden)
        | {
            "scope": DetailScope.TEACHING_PART,
            "participant_views": None,
            "reviews": sorted(whole["reviews"], key=lambda r: r["id"] not in mine),
        }
    )


def _shape_follow_up_whole(follow_up: Any) -> dict[str, Any]:
    return shape_follow_up(follow_up) | {
        "scope": DetailScope.WHOLE,
        "participant_views": _views(follow_up),
        "participants": follow_up.participants,
        "pupil_invited": follow_up.pupil_invited,
        "guardian_invited": follow_up.guardian_invited,
        "pupil_view": follow_up.pupil_view,
        "guardian_view": follow_up.guardian_view,
        "summary": follow_up.summary,
        "reviews": [
            {
                "id": r.pk,
                "measure_id": r.measure_id,
                "measure_description": r.measure.description,
                "carried_out": r.carried_out,
                "carried_out_label": _sv(labels.CARRIED_OUT_LABELS, r.carried_out),
                "effect": r.effect,
                "effect_label": _sv(labels.MEASURE_EFFECT_LABELS, r.effect),
                "comment": r.comment,
            }
            for r in follow_up.reviews.all()
        ],
    }


# --------------------------------------------------------------------------- appeals


class AppealOut(RecordOut):
    decision_id: uuid.UUID
    service_id: uuid.UUID | None
    appellant_name: str
    lodged_on: date
    deadline: date | None
    is_timely: bool
    not_served: bool
    reached_board_in_time: bool
    wrong_appeal_instructions: bool
    new_decision_id: uuid.UUID | None
    content: str
    state: wf.AppealState
    state_label: str
    handling_note: str
    forwarded_on: date | None
    outcome_on: date | None


class AppealIn(InputSchema):
    """An appeal lodged with the school (FL 43–47 §§ via SL 29 kap. 11 §). `service` is the
    appellant's own service row, required: the three weeks run from their receipt (FL 44 §); an
    appellant not yet served is in time (`not_served`). The two FL 45 § andra stycket facts stop
    a late appeal from being dismissed."""

    decision: uuid.UUID
    service: uuid.UUID
    appellant_name: str = Field(default="", max_length=200)
    lodged_on: date
    content: RequiredText
    reached_board_in_time: bool = False
    wrong_appeal_instructions: bool = False


class AppealActionIn(InputSchema):
    action: wf.AppealAction
    note: Text = ""
    # FL 45 § andra stycket facts; left out, the recorded values stand.
    reached_board_in_time: bool | None = None
    wrong_appeal_instructions: bool | None = None


class AppealFilter(Schema):
    pupil_id: uuid.UUID | None = None
    state: wf.AppealState | None = None


def shape_appeal(appeal: Any) -> dict[str, Any]:
    return _record(appeal) | {
        "decision_id": appeal.decision_id,
        "service_id": appeal.service_id,
        "appellant_name": appeal.appellant_name,
        "lodged_on": appeal.lodged_on,
        "deadline": appeal.deadline,
        "is_timely": appeal.is_timely,
        "not_served": appeal.not_served,
        "reached_board_in_time": appeal.reached_board_in_time,
        "wrong_appeal_instructions": appeal.wrong_appeal_instructions,
        "new_decision_id": appeal.new_decision_id,
        "content": appeal.content,
        "state": appeal.state,
        "state_label": _sv(labels.APPEAL_STATE_LABELS, appeal.state),
        "handling_note": appeal.handling_note,
        "forwarded_on": appeal.forwarded_on,
        "outcome_on": appeal.outcome_on,
    }
