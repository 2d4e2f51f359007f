"""The pupil's support page: the chain's current records, what happened, and what is due.

Shaped so that the page's query count does not grow with the chain (pinned in
elevstod/support/tests/test_views_chain.py). Who may see a record is decided by
elevstod.access.policy; the mixed lists (the timeline, what is due) ask the same policy per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Field,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    UUIDField,
)
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.access import records
from elevstod.access.policy import (
    STAFF_RELATIONS,
    Relation,
    SupportRecord,
    can_view_support_record,
    sees_teaching_part_only,
)
from elevstod.people.models import Pupil
from elevstod.support import unions
from elevstod.support import workflow as wf
from elevstod.support.due import DueItem
from elevstod.support.labels import (
    CASE_STATE_LABELS,
    CONCERN_SOURCE_LABELS,
    DECISION_KIND_LABELS,
    REFERRAL_GROUND_LABELS,
    label,
)
from elevstod.support.links import Links
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    Appeal,
    ChainEvent,
    Concern,
    Decision,
    DecisionService,
    RaisedBy,
    RecipientKind,
    Referral,
)
from elevstod.support.unions import as_date, as_datetime, as_uuid

# --------------------------------------------------------------------------- the timeline

# ChainEvent.record_type (the record's RECORD_TYPE, named as the policy names its kind) → the
# policy's record kind. Types not listed are hidden from everyone (deny by default).
EVENT_RECORDS: dict[str, SupportRecord] = {kind.value: kind for kind in SupportRecord}

# The record's page, per kind: (URL name, keyword). Pages owned by other areas are linked only
# when their name resolves (record_url).
RECORD_PAGES: dict[SupportRecord, tuple[str, str]] = {
    SupportRecord.CONCERN: ("support:concern_detail", "concern_id"),
    SupportRecord.ADAPTATION: ("support:adaptation_detail", "adaptation_id"),
    SupportRecord.REFERRAL: ("support:referral_detail", "referral_id"),
    SupportRecord.INVESTIGATION: ("support:investigation_detail", "investigation_id"),
    SupportRecord.PROGRAMME: ("support:programme_detail", "programme_id"),
    SupportRecord.DECISION: ("support:decision_detail", "decision_id"),
    SupportRecord.FOLLOW_UP: ("support:follow_up_detail", "follow_up_id"),
    SupportRecord.APPEAL: ("support:appeal_detail", "appeal_id"),
}

# The family sees what has been decided, carried out or evaluated, never work in progress
# (policy.can_view_support_record, family_may_see): an allow-list, so that a new kind of event
# stays hidden from them until someone decides otherwise.
FAMILY_VERBS = frozenset(
    {
        "adaptation.created",
        "adaptation.changed",
        "adaptation.evaluated",
        "decision.made",
        "decision.served",
        # The concluded investigation is the family's to read (FL 10 §; decision 0014).
        "investigation.assessed",
        "follow_up.recorded",
        "evaluation.recorded",
        "view.added",
    }
)
FAMILY_VERB_PREFIXES = ("appeal.",)
# A teacher who sees only the teaching part (policy.sees_teaching_part_only) never sees the
# family's views (process.md §4, internal access: "ÅP measures relevant to their teaching"),
# so the chain does not tell them that a view was given either.
HIDDEN_FROM_TEACHING_PART = frozenset({"view.added"})

VERB_LABELS: dict[str, StrOrPromise] = {
    "concern.created": _("Oro anmäld"),
    "concern.closed": _("Oro avslutad"),
    "adaptation.created": _("Extra anpassning påbörjad"),
    "adaptation.changed": _("Extra anpassning ändrad"),
    "adaptation.evaluated": _("Extra anpassning utvärderad"),
    "referral.created": _("Anmälan till rektor"),
    "referral.received": _("Rektor kvitterade anmälan"),
    "investigation.opened": _("Utredning inledd"),
    "investigation.saved": _("Utredningen uppdaterad"),
    "investigation.assessed": _("Pedagogisk bedömning klar"),
    "programme.drafted": _("Utkast till åtgärdsprogram"),
    "programme.saved": _("Utkast till åtgärdsprogram sparat"),
    "programme.revision_started": _("Revidering av åtgärdsprogram påbörjad"),
    "decision.made": _("Beslut fattat"),
    "decision.served": _("Beslut delgivet"),
    "follow_up.recorded": _("Uppföljning av åtgärdsprogram"),
    "evaluation.recorded": _("Utvärdering av åtgärdsprogram"),
    "appeal.registered": _("Överklagande registrerat"),
    "appeal.reconsider_and_change": _("Beslutet ändrat vid omprövning"),
    "appeal.dismiss_as_late": _("Överklagandet avvisat (för sent)"),
    "appeal.forward": _("Överklagandet överlämnat till nämnden"),
    "appeal.record_board_upheld": _("Nämnden avslog överklagandet"),
    "appeal.record_board_set_aside": _("Nämnden upphävde beslutet"),
    "appeal.record_board_returned": _("Nämnden visade ärendet åter"),
    "view.added": _("Synpunkt lämnad"),
}

RECORD_LABELS: dict[SupportRecord, StrOrPromise] = {
    SupportRecord.CONCERN: _("Oro"),
    SupportRecord.ADAPTATION: _("Extra anpassning"),
    SupportRecord.REFERRAL: _("Anmälan"),
    SupportRecord.INVESTIGATION: _("Utredning"),
    SupportRecord.PROGRAMME: _("Åtgärdsprogram"),
    SupportRecord.DECISION: _("Beslut"),
    SupportRecord.FOLLOW_UP: _("Uppföljning"),
    SupportRecord.APPEAL: _("Överklagande"),
}

# A long chain is still one page; the newest events are the ones that matter in a meeting.
TIMELINE_LIMIT = 300


@dataclass(frozen=True)
class TimelineEntry:
    """One event, ready to print: a long chain's events are the page's hottest template loop."""

    verb: str
    record_id: uuid.UUID
    record: SupportRecord
    label: str
    record_label: str
    url_name: str
    url_kwarg: str
    url: str  # the record's page, or "" while that page does not exist
    day: str  # the event's date, YYYY-MM-DD
    actor_name: str


def record_url(url_name: str, url_kwarg: str, record_id: uuid.UUID) -> str:
    """The record's page, or "" when the page belongs to an area that is not built yet."""
    try:
        return reverse(url_name, kwargs={url_kwarg: record_id})
    except NoReverseMatch:
        return ""


def is_family_view(relations: frozenset[Relation]) -> bool:
    """The pupil or a guardian with custody, and no staff relation: the plain family version."""
    return not (relations & STAFF_RELATIONS)


def _family_may_see_verb(verb: str) -> bool:
    return verb in FAMILY_VERBS or verb.startswith(FAMILY_VERB_PREFIXES)


def _timeline_entry(event: dict[str, Any], record: SupportRecord, links: Links) -> TimelineEntry:
    url_name, url_kwarg = RECORD_PAGES[record]
    verb, on_date = event["verb"], event["on_date"]
    # The actor's display_name (User): the full name, else the username.
    actor = f"{event['actor__first_name']} {event['actor__last_name']}".strip()
    return TimelineEntry(
        verb=verb,
        record_id=event["record_id"],
        record=record,
        label=str(VERB_LABELS.get(verb, verb)),
        record_label=str(RECORD_LABELS[record]),
        url_name=url_name,
        url_kwarg=url_kwarg,
        url=links(url_name, url_kwarg, event["record_id"]),
        day=on_date.isoformat() if on_date else "",
        actor_name=actor or event["actor__username"],
    )


def timeline(
    events: Iterable[dict[str, Any]],
    relations: frozenset[Relation],
    participant_ids: frozenset[uuid.UUID] = frozenset(),
) -> list[TimelineEntry]:
    """The events this user may see (rows of _timeline_events): each row asks the policy for
    its record's kind."""
    family = is_family_view(relations)
    teaching_only = sees_teaching_part_only(relations)
    links = Links()
    entries = []
    for event in events:
        record = EVENT_RECORDS.get(event["record_type"])
        if record is None:
            continue
        if family and not _family_may_see_verb(event["verb"]):
            continue
        if teaching_only and event["verb"] in HIDDEN_FROM_TEACHING_PART:
            continue
        if can_view_support_record(
            relations, record, participant=event["record_id"] in participant_ids
        ):
            entries.append(_timeline_entry(event, record, links))
    return entries


def _timeline_events(pupil_id: uuid.UUID) -> QuerySet[ChainEvent, Any]:
    """The newest events first (ChainEvent's ordering), as rows: no model is built for them."""
    return ChainEvent.objects.filter(pupil_id=pupil_id).values(
        "on_date",
        "verb",
        "record_type",
        "record_id",
        "actor__first_name",
        "actor__last_name",
        "actor__username",
    )[:TIMELINE_LIMIT]


# What each kind of due item points at, for the policy's record rule (elevstod.support.due).
DUE_RECORDS: dict[wf.TaskKind, SupportRecord] = {
    wf.TaskKind.EVALUATE_ADAPTATION: SupportRecord.ADAPTATION,
    wf.TaskKind.RECEIVE_REFERRAL: SupportRecord.REFERRAL,
    wf.TaskKind.OPEN_INVESTIGATION: SupportRecord.REFERRAL,
    wf.TaskKind.COMPLETE_INVESTIGATION: SupportRecord.INVESTIGATION,
    wf.TaskKind.DECIDE: SupportRecord.INVESTIGATION,
    wf.TaskKind.SERVE_DECISION: SupportRecord.DECISION,
    wf.TaskKind.FOLLOW_UP: SupportRecord.PROGRAMME,
    wf.TaskKind.EVALUATE_PROGRAMME: SupportRecord.PROGRAMME,
    wf.TaskKind.HANDLE_APPEAL: SupportRecord.APPEAL,
}


def visible_due(
    items: Iterable[DueItem],
    relations: frozenset[Relation],
    participant_ids: frozenset[uuid.UUID] = frozenset(),
) -> list[DueItem]:
    """The pupil's due items this user may see: a teacher sees the adaptations to evaluate but
    not the principal's receipt of a report they did not write (policy.SUPPORT_VIEWERS). The
    family sees none of it: what is due is the school's work in progress."""
    if is_family_view(relations):
        return []
    return [
        item
        for item in items
        if item.kind in DUE_RECORDS
        and can_view_support_record(
            relations, DUE_RECORDS[item.kind], participant=item.record_id in participant_ids
        )
    ]


# --------------------------------------------------------------------------- the page's rows


@dataclass(frozen=True)
class AdaptationRow:
    id: uuid.UUID
    subject: str
    group_name: str
    need_description: str
    measure: str
    responsible_name: str
    starts_on: date | None
    evaluate_on: date | None


# What became of a concern, told to the family member who raised it, in plain words. Staff
# records it led to (reports, an investigation being written) are not the family's to see
# (SUPPORT_VIEWERS); a concluded investigation reaches them through the timeline.
FAMILY_CONCERN_STATE_LABELS = {
    wf.ConcernState.OPEN: _("Skolan har tagit emot det"),
    wf.ConcernState.ADAPTATIONS: _("Skolan gör extra anpassningar"),
    wf.ConcernState.REFERRED: _("Skolan arbetar vidare med det"),
    wf.ConcernState.CLOSED: _("Avslutat"),
}


@dataclass(frozen=True)
class ConcernRow:
    id: uuid.UUID
    state: str
    raised_on: date | None
    source: str
    subject: str
    description: str
    raised_by: str
    author_name: str
    mine: bool

    @property
    def source_label(self) -> StrOrPromise:
        return label(CONCERN_SOURCE_LABELS, self.source)

    @property
    def family_state_label(self) -> StrOrPromise:
        return label(FAMILY_CONCERN_STATE_LABELS, self.state)


@dataclass(frozen=True)
class ProgrammeRow:
    id: uuid.UUID
    number: int
    in_force_from: date | None
    follow_up_on: date | None
    evaluation_on: date | None


@dataclass(frozen=True)
class CaseRow:
    """A report to the principal and the case it opened, with its investigation's dates."""

    id: uuid.UUID
    state: str
    reported_on: date | None
    ground: str
    author_name: str
    received_at: datetime | None
    investigation_id: uuid.UUID | None
    investigation_target_on: date | None
    investigation_assessed_on: date | None
    mine: bool  # wrote the report, or investigates it
    investigator: bool
    programme: ProgrammeRow | None

    @property
    def is_open(self) -> bool:
        return self.state in wf.OPEN_CASE_STATES

    @property
    def state_label(self) -> StrOrPromise:
        return label(CASE_STATE_LABELS, self.state)

    @property
    def ground_label(self) -> StrOrPromise:
        return label(REFERRAL_GROUND_LABELS, self.ground)


@dataclass(frozen=True)
class DecisionRow:
    """A decision with how far its service has come, and the viewer's own service row: the
    family confirms receipt there, which starts their three weeks (SL 28 kap. 16 §, FL 44 §)."""

    id: uuid.UUID
    kind_label: str
    decided_on: date
    decided_by_name: str
    school_unit_id: uuid.UUID
    recipients: int
    received: int
    appeals: int
    own_service_id: uuid.UUID | None
    own_received_on: date | None
    own_deadline: date | None


@dataclass
class SupportPage:
    level: wf.SupportLevel
    family: bool
    timeline: list[TimelineEntry]
    adaptations: list[AdaptationRow]
    concerns: list[ConcernRow]
    cases: list[CaseRow]
    programme: ProgrammeRow | None
    # Records the user takes part in (policy: participant=), for filtering what is due.
    participant_ids: frozenset[uuid.UUID] = frozenset()
    # The decisions about the pupil, newest first, when the viewer may see decisions.
    decisions: list[DecisionRow] = field(default_factory=list)
    # For the family: the concerns this pupil or guardian told the school themselves.
    own_concerns: list[ConcernRow] = field(default_factory=list)


# --------------------------------------------------------------------------- decisions

DECISION_LIMIT = 20


def _count(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """A correlated COUNT(*) that does not multiply rows the way two joined Counts would."""
    return queryset.order_by().values("decision_id").annotate(n=Count("pk")).values("n")[:1]


def _decision_row(raw: dict[str, Any]) -> DecisionRow:
    return DecisionRow(
        id=as_uuid(raw["id"]),
        kind_label=str(label(DECISION_KIND_LABELS, raw["kind"])),
        decided_on=as_date(raw["decided_on"]) or date.min,
        decided_by_name=raw["decided_by_name"],
        school_unit_id=as_uuid(raw["school_unit_id"]),
        recipients=raw["n_recipients"] or 0,
        received=raw["n_received"] or 0,
        appeals=raw["n_appeals"] or 0,
        own_service_id=as_uuid(raw["own_id"]) if raw["own_id"] else None,
        own_received_on=as_date(raw["own_received_on"]),
        own_deadline=as_date(raw["own_deadline"]),
    )


def decision_rows(
    pupil_id: uuid.UUID, *, user_id: uuid.UUID | None, is_pupil: bool
) -> list[DecisionRow]:
    """One query: the pupil's decisions with service counts and the viewer's own service."""
    rows = _DECISIONS[is_pupil].rows(pupil_id=pupil_id, user_id=user_id)
    return [_decision_row(raw) for raw in rows]


def _decisions(pupil_id: uuid.UUID, user_id: uuid.UUID | None, is_pupil: bool) -> QuerySet[Any]:
    own_q = Q(recipient_kind=RecipientKind.GUARDIAN, guardian__user_id=user_id)
    if is_pupil:
        own_q |= Q(recipient_kind=RecipientKind.PUPIL)
    own = DecisionService.objects.filter(decision_id=OuterRef("pk")).filter(own_q)
    services = DecisionService.objects.filter(decision_id=OuterRef("pk"))
    return (
        Decision.objects.filter(pupil_id=pupil_id)
        .annotate(
            n_recipients=Subquery(_count(services), output_field=IntegerField()),
            n_received=Subquery(
                _count(services.filter(received_on__isnull=False)), output_field=IntegerField()
            ),
            n_appeals=Subquery(
                _count(Appeal.objects.filter(decision_id=OuterRef("pk"))),
                output_field=IntegerField(),
            ),
            own_id=Subquery(own.values("pk")[:1], output_field=UUIDField()),
            own_received_on=Subquery(own.values("received_on")[:1], output_field=DateField()),
            own_deadline=Subquery(own.values("appeal_deadline")[:1], output_field=DateField()),
        )
        .order_by("-decided_on", "-created_at")
        .values(
            "id",
            "kind",
            "decided_on",
            "decided_by_name",
            "school_unit_id",
            "n_recipients",
            "n_received",
            "n_appeals",
            "own_id",
            "own_received_on",
            "own_deadline",
        )[:DECISION_LIMIT]
    )


# Compiled once per process (unions.Prepared), for a pupil who is the viewer and for anyone else.
_DECISIONS = {
    is_pupil: unions.Prepared(
        partial(_decisions, is_pupil=is_pupil), pupil_id=UUIDField, user_id=UUIDField
    )
    for is_pupil in (False, True)
}


# --------------------------------------------------------------------------- the chain's rows

# The columns every branch of the chain's UNION yields, in this order. A branch leaves out what
# it does not have; the gap becomes a typed NULL so that the UNION lines up on every backend
# (elevstod.support.unions, shared with elevstod.support.due).
_COLUMNS: dict[str, type[Field]] = {
    "tag": CharField,
    "id": UUIDField,
    "state": CharField,
    "on": DateField,
    "due": DateField,
    "kind": CharField,
    "subject": CharField,
    "text": TextField,
    "measure": TextField,
    "group": CharField,
    "first": CharField,
    "last": CharField,
    "username": CharField,
    "raised_by": CharField,
    "received_at": DateTimeField,
    "inv_id": UUIDField,
    "inv_target": DateField,
    "inv_assessed": DateField,
    "prog_id": UUIDField,
    "prog_number": IntegerField,
    "prog_from": DateField,
    "prog_follow_up": DateField,
    "prog_evaluation": DateField,
    "mine": BooleanField,
    "investigator": BooleanField,
}


def _branch(queryset: QuerySet[Any], tag: str, **columns: Any) -> QuerySet[Any]:
    return unions.branch(queryset, tag, _COLUMNS, columns)


def _record(*, on: str, person: str, **columns: Any) -> dict[str, Any]:
    """The columns every branch has: its id, its date and whose name it shows."""
    return {
        "id": F("pk"),
        "on": F(on),
        "first": F(f"{person}__first_name"),
        "last": F(f"{person}__last_name"),
        "username": F(f"{person}__username"),
        **columns,
    }


def _participant(
    entry: records.RecordKind[Any], user_id: uuid.UUID | None, **match: Any
) -> ExpressionWrapper:
    """Whether the user is named on the row's record (or the one `match` names): the door's
    participant rule, so that this page and the record's own page agree."""
    return ExpressionWrapper(entry.participant(user_id, **match), output_field=BooleanField())


def _adaptation_branch(pupil_id: uuid.UUID, user_id: uuid.UUID | None) -> QuerySet[Any]:
    return _branch(
        Adaptation.objects.filter(pupil_id=pupil_id, state=wf.AdaptationState.ACTIVE),
        "adaptation",
        **_record(
            on="starts_on",
            person="responsible",
            due=F("evaluate_on"),
            subject=F("subject"),
            text=F("need_description"),
            measure=F("measure"),
            group=F("group__name"),
        ),
    )


def _concern_branch(pupil_id: uuid.UUID, user_id: uuid.UUID | None) -> QuerySet[Any]:
    return _branch(
        Concern.objects.filter(pupil_id=pupil_id),
        "concern",
        **_record(
            on="raised_on",
            person="created_by",
            mine=_participant(records.CONCERNS, user_id),
            state=F("state"),
            kind=F("source"),
            subject=F("subject"),
            text=F("description"),
            raised_by=F("raised_by_kind"),
        ),
    )


def _case_branch(pupil_id: uuid.UUID, user_id: uuid.UUID | None) -> QuerySet[Any]:
    in_force = ActionProgramme.objects.filter(
        referral_id=OuterRef("pk"), state=wf.ProgrammeState.IN_FORCE
    ).order_by("-number")
    return _branch(
        Referral.objects.filter(pupil_id=pupil_id),
        "case",
        **_record(
            on="reported_on",
            person="created_by",
            mine=_participant(records.REFERRALS, user_id),
            state=F("state"),
            kind=F("ground"),
            received_at=F("received_at"),
            inv_id=F("investigation__id"),
            inv_target=F("investigation__target_on"),
            inv_assessed=F("investigation__assessed_on"),
            prog_id=Subquery(in_force.values("pk")[:1]),
            prog_number=Subquery(in_force.values("number")[:1]),
            prog_from=Subquery(in_force.values("in_force_from")[:1]),
            prog_follow_up=Subquery(in_force.values("follow_up_on")[:1]),
            prog_evaluation=Subquery(in_force.values("evaluation_on")[:1]),
            # The investigation opened on the referral, and whether the user investigates it.
            investigator=_participant(records.INVESTIGATIONS, user_id, referral=OuterRef("pk")),
        ),
    )


def _chain_rows(*, pupil_id: uuid.UUID, user_id: uuid.UUID | None) -> QuerySet[Any]:
    """The pupil's active adaptations, concerns and cases in ONE query (a UNION ALL).

    Every concern and case is included, not only the open ones, so that the timeline can tell
    which closed records the user took part in without a query of its own.
    """
    return _adaptation_branch(pupil_id, user_id).union(
        _concern_branch(pupil_id, user_id), _case_branch(pupil_id, user_id), all=True
    )


def _name(raw: dict[str, Any]) -> str:
    full = f"{raw['c_first'] or ''} {raw['c_last'] or ''}".strip()
    return full or (raw["c_username"] or "")


def _adaptation_row(raw: dict[str, Any]) -> AdaptationRow:
    return AdaptationRow(
        id=as_uuid(raw["c_id"]),
        subject=raw["c_subject"] or "",
        group_name=raw["c_group"] or "",
        need_description=raw["c_text"] or "",
        measure=raw["c_measure"] or "",
        responsible_name=_name(raw),
        starts_on=as_date(raw["c_on"]),
        evaluate_on=as_date(raw["c_due"]),
    )


def _concern_row(raw: dict[str, Any]) -> ConcernRow:
    return ConcernRow(
        id=as_uuid(raw["c_id"]),
        state=raw["c_state"] or "",
        raised_on=as_date(raw["c_on"]),
        source=raw["c_kind"] or "",
        subject=raw["c_subject"] or "",
        description=raw["c_text"] or "",
        raised_by=raw["c_raised_by"] or "",
        author_name=_name(raw),
        mine=bool(raw["c_mine"]),
    )


def _programme_row(raw: dict[str, Any]) -> ProgrammeRow | None:
    if not raw["c_prog_id"]:
        return None
    return ProgrammeRow(
        id=as_uuid(raw["c_prog_id"]),
        number=int(raw["c_prog_number"] or 1),
        in_force_from=as_date(raw["c_prog_from"]),
        follow_up_on=as_date(raw["c_prog_follow_up"]),
        evaluation_on=as_date(raw["c_prog_evaluation"]),
    )


def _case_row(raw: dict[str, Any]) -> CaseRow:
    return CaseRow(
        id=as_uuid(raw["c_id"]),
        state=raw["c_state"] or "",
        reported_on=as_date(raw["c_on"]),
        ground=raw["c_kind"] or "",
        author_name=_name(raw),
        received_at=as_datetime(raw["c_received_at"]),
        investigation_id=as_uuid(raw["c_inv_id"]) if raw["c_inv_id"] else None,
        investigation_target_on=as_date(raw["c_inv_target"]),
        investigation_assessed_on=as_date(raw["c_inv_assessed"]),
        mine=bool(raw["c_mine"]),
        investigator=bool(raw["c_investigator"]),
        programme=_programme_row(raw),
    )


@dataclass
class _Chain:
    """The chain's current records, each list in the order the page shows it."""

    adaptations: list[AdaptationRow] = field(default_factory=list)
    concerns: list[ConcernRow] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)

    @property
    def programme(self) -> ProgrammeRow | None:
        return next((c.programme for c in self.cases if c.programme is not None), None)

    def participant_ids(self) -> frozenset[uuid.UUID]:
        """Records the user takes part in: their own concerns and reports, and the cases and
        investigations they investigate (policy.can_view_support_record, participant=)."""
        return frozenset(
            [c.id for c in self.concerns if c.mine]
            + [c.id for c in self.cases if c.mine]
            + [c.investigation_id for c in self.cases if c.investigator and c.investigation_id]
        )


# Compiled once per process (unions.Prepared): building the UNION costs more than running it.
_CHAIN = unions.Prepared(_chain_rows, pupil_id=UUIDField, user_id=UUIDField)


def _chain(pupil_id: uuid.UUID, user_id: uuid.UUID | None) -> _Chain:
    chain = _Chain()
    for raw in _CHAIN.rows(pupil_id=pupil_id, user_id=user_id):
        tag = raw["c_tag"]
        if tag == "adaptation":
            chain.adaptations.append(_adaptation_row(raw))
        elif tag == "concern":
            chain.concerns.append(_concern_row(raw))
        elif tag == "case":
            chain.cases.append(_case_row(raw))
    chain.adaptations.sort(key=lambda a: (a.evaluate_on or date.max, a.subject))
    chain.concerns.sort(key=lambda c: c.raised_on or date.min, reverse=True)
    chain.cases.sort(key=lambda c: c.reported_on or date.min, reverse=True)
    return chain


def _open_concerns(chain: _Chain, relations: frozenset[Relation]) -> list[ConcernRow]:
    return [
        c
        for c in chain.concerns
        if c.state == wf.ConcernState.OPEN
        and can_view_support_record(relations, SupportRecord.CONCERN, participant=c.mine)
    ]


def _open_cases(chain: _Chain, relations: frozenset[Relation]) -> list[CaseRow]:
    return [
        c
        for c in chain.cases
        if c.is_open
        and can_view_support_record(relations, SupportRecord.REFERRAL, participant=c.mine)
    ]


def _own_concerns(chain: _Chain) -> list[ConcernRow]:
    """Only their own, never staff concerns: the family member wrote it (SL 3 kap. 5 §:
    "information från ... eleven eller elevens vårdnadshavare")."""
    return [c for c in chain.concerns if c.mine and c.raised_by != RaisedBy.STAFF]


def support_page(
    pupil: Pupil, relations: frozenset[Relation], *, user_id: uuid.UUID | None
) -> SupportPage:
    """Everything the pupil's support page shows besides what is due (elevstod.support.due).

    Two queries, and a third for decisions when the viewer may see them: the timeline, and the
    chain's current records (_chain_rows). The family gets the adaptations and the programme in
    force, never cases or staff concerns (SUPPORT_VIEWERS), and only the concerns they raised
    themselves.
    """
    family = is_family_view(relations)
    chain = _chain(pupil.pk, user_id)
    participant_ids = chain.participant_ids()
    programme = chain.programme
    may_see_decisions = can_view_support_record(relations, SupportRecord.DECISION)
    return SupportPage(
        level=wf.support_level(len(chain.adaptations), programme is not None),
        family=family,
        timeline=timeline(_timeline_events(pupil.pk), relations, participant_ids),
        adaptations=chain.adaptations,
        concerns=[] if family else _open_concerns(chain, relations),
        cases=[] if family else _open_cases(chain, relations),
        programme=programme,
        participant_ids=participant_ids,
        own_concerns=_own_concerns(chain) if family else [],
        decisions=decision_rows(pupil.pk, user_id=user_id, is_pupil=Relation.SELF in relations)
        if may_see_decisions
        else [],
    )
