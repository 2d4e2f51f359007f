"""Read-side queries for the first half of the chain (views_chain.py).

The pupil's support page, concerns, extra adaptations, the teacher's list of adaptations,
referrals and investigations. Each function loads what one page shows, shaped so that its
query count does not grow with the data (pinned in tests/test_*_chain.py). Who may see a
record is decided by elevstod.access.policy; the filtering of mixed lists (the timeline, what
is due) asks the same policy per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    UUIDField,
)
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.access.context import UserContext
from elevstod.access.policy import (
    STAFF_RELATIONS,
    Relation,
    SupportRecord,
    can_view_support_record,
)
from elevstod.access.scoping import current_placement_q, pupils_visible_to
from elevstod.accounts.models import User
from elevstod.organisation.duties import UNIT_WIDE_SUPPORT_DUTIES
from elevstod.organisation.models import Group, UnitDuty
from elevstod.people.models import GroupMembership, ProtectedPupilAssignment, Pupil
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
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Appeal,
    ChainEvent,
    Concern,
    Decision,
    DecisionService,
    Draft,
    Investigation,
    InvestigationNeed,
    RaisedBy,
    RecipientKind,
    Referral,
)
from elevstod.support.unions import as_date, as_datetime, as_uuid

# --------------------------------------------------------------------------- the timeline

# ChainEvent.record_type → the policy's record kind. Types not listed are hidden from everyone
# (deny by default).
EVENT_RECORDS: dict[str, SupportRecord] = {
    "concern": SupportRecord.CONCERN,
    "adaptation": SupportRecord.ADAPTATION,
    "referral": SupportRecord.REFERRAL,
    "investigation": SupportRecord.INVESTIGATION,
    "action_programme": SupportRecord.PROGRAMME,
    "decision": SupportRecord.DECISION,
    "follow_up": SupportRecord.FOLLOW_UP,
    "appeal": SupportRecord.APPEAL,
}

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
        "follow_up.recorded",
        "evaluation.recorded",
        "view.added",
    }
)
FAMILY_VERB_PREFIXES = ("appeal.",)

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
    event: ChainEvent
    record: SupportRecord
    label: StrOrPromise
    record_label: StrOrPromise
    url_name: str
    url_kwarg: str
    url: str  # the record's page, or "" while that page does not exist


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


def timeline(
    events: Iterable[ChainEvent],
    relations: frozenset[Relation],
    participant_ids: frozenset[uuid.UUID] = frozenset(),
) -> list[TimelineEntry]:
    """The events this user may see: each row asks the policy for its record's kind."""
    family = is_family_view(relations)
    entries = []
    for event in events:
        record = EVENT_RECORDS.get(event.record_type)
        if record is None:
            continue
        if family and not _family_may_see_verb(event.verb):
            continue
        if not can_view_support_record(
            relations, record, participant=event.record_id in participant_ids
        ):
            continue
        url_name, url_kwarg = RECORD_PAGES[record]
        entries.append(
            TimelineEntry(
                event=event,
                record=record,
                label=VERB_LABELS.get(event.verb, event.verb),
                record_label=RECORD_LABELS[record],
                url_name=url_name,
                url_kwarg=url_kwarg,
                url=record_url(url_name, url_kwarg, event.record_id),
            )
        )
    return entries


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


# --------------------------------------------------------------------------- the support page


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


# What became of a concern, told to the family member who raised it, in plain words. Staff
# records it led to (reports, investigations) are not the family's to see (SUPPORT_VIEWERS).
FAMILY_CONCERN_STATE_LABELS = {
    wf.ConcernState.OPEN: _("Skolan har tagit emot det"),
    wf.ConcernState.ADAPTATIONS: _("Skolan gör extra anpassningar"),
    wf.ConcernState.REFERRED: _("Skolan arbetar vidare med det"),
    wf.ConcernState.CLOSED: _("Avslutat"),
}


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


@dataclass(frozen=True)
class DecisionRow:
    """A decision with how far its service has come, and the viewer's own service row: the
    family confirms receipt there, which starts their three weeks (SL 28 kap. 16 §, FL 44 §)."""

    id: uuid.UUID
    kind_label: str
    decided_on: date
    decided_by_name: str
    recipients: int
    received: int
    appeals: int
    own_service_id: uuid.UUID | None
    own_received_on: date | None
    own_deadline: date | None


DECISION_LIMIT = 20


def decision_rows(
    pupil_id: uuid.UUID, *, user_id: uuid.UUID | None, is_pupil: bool
) -> list[DecisionRow]:
    """One query: the pupil's decisions with service counts and the viewer's own service."""
    own_q = Q(recipient_kind=RecipientKind.GUARDIAN, guardian__user_id=user_id)
    if is_pupil:
        own_q |= Q(recipient_kind=RecipientKind.PUPIL)
    own = DecisionService.objects.filter(decision_id=OuterRef("pk")).filter(own_q)
    services = DecisionService.objects.filter(decision_id=OuterRef("pk"))
    rows = (
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
            "n_recipients",
            "n_received",
            "n_appeals",
            "own_id",
            "own_received_on",
            "own_deadline",
        )[:DECISION_LIMIT]
    )
    return [
        DecisionRow(
            id=as_uuid(raw["id"]),
            kind_label=str(label(DECISION_KIND_LABELS, raw["kind"])),
            decided_on=raw["decided_on"],
            decided_by_name=raw["decided_by_name"],
            recipients=raw["n_recipients"] or 0,
            received=raw["n_received"] or 0,
            appeals=raw["n_appeals"] or 0,
            own_service_id=as_uuid(raw["own_id"]) if raw["own_id"] else None,
            own_received_on=as_date(raw["own_received_on"]),
            own_deadline=as_date(raw["own_deadline"]),
        )
        for raw in rows
    ]


def _count(queryset: QuerySet) -> QuerySet:
    """A correlated COUNT(*) that does not multiply rows the way two joined Counts would."""
    return queryset.order_by().values("decision_id").annotate(n=Count("pk")).values("n")[:1]


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


def _branch(queryset: QuerySet, tag: str, **columns: Any) -> QuerySet:
    return unions.branch(queryset, tag, _COLUMNS, columns)


def _person(path: str) -> dict[str, Any]:
    return {
        "first": F(f"{path}__first_name"),
        "last": F(f"{path}__last_name"),
        "username": F(f"{path}__username"),
    }


def _is(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _chain_rows(pupil_id: uuid.UUID, user_id: uuid.UUID | None) -> QuerySet:
    """The pupil's active adaptations, concerns and cases in ONE query (a UNION ALL).

    Every concern and case is included, not only the open ones, so that the timeline can tell
    which closed records the user took part in without a query of its own.
    """
    in_force = ActionProgramme.objects.filter(
        referral_id=OuterRef("pk"), state=wf.ProgrammeState.IN_FORCE
    ).order_by("-number")
    investigator = Exists(
        Investigation.investigators.through.objects.filter(
            investigation__referral_id=OuterRef("pk"), user_id=user_id
        )
    )
    adaptations = _branch(
        Adaptation.objects.filter(pupil_id=pupil_id, state=wf.AdaptationState.ACTIVE),
        "adaptation",
        id=F("pk"),
        on=F("starts_on"),
        due=F("evaluate_on"),
        subject=F("subject"),
        text=F("need_description"),
        measure=F("measure"),
        group=F("group__name"),
        mine=_is(Q(responsible_id=user_id)),
        **_person("responsible"),
    )
    concerns = _branch(
        Concern.objects.filter(pupil_id=pupil_id),
        "concern",
        id=F("pk"),
        state=F("state"),
        on=F("raised_on"),
        kind=F("source"),
        subject=F("subject"),
        text=F("description"),
        raised_by=F("raised_by_kind"),
        mine=_is(Q(created_by_id=user_id)),
        **_person("created_by"),
    )
    cases = _branch(
        Referral.objects.filter(pupil_id=pupil_id),
        "case",
        id=F("pk"),
        state=F("state"),
        on=F("reported_on"),
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
        mine=_is(Q(created_by_id=user_id) | Q(investigator)),
        investigator=_is(Q(investigator)),
        **_person("created_by"),
    )
    return adaptations.union(concerns, cases, all=True)


def support_page(
    pupil: Pupil, relations: frozenset[Relation], *, user_id: uuid.UUID | None
) -> SupportPage:
    """Everything the pupil's support page shows besides what is due (elevstod.support.due).

    Two queries: the timeline, and the chain's current records (_chain_rows). The family gets
    the adaptations and the programme in force, never cases or staff concerns (SUPPORT_VIEWERS),
    and only the concerns they raised themselves.
    """
    family = is_family_view(relations)
    adaptations: list[AdaptationRow] = []
    concerns: list[ConcernRow] = []
    cases: list[CaseRow] = []
    for raw in _chain_rows(pupil.pk, user_id):
        tag = raw["c_tag"]
        if tag == "adaptation":
            adaptations.append(_adaptation_row(raw))
        elif tag == "concern":
            concerns.append(_concern_row(raw))
        elif tag == "case":
            cases.append(_case_row(raw))
    adaptations.sort(key=lambda a: (a.evaluate_on or date.max, a.subject))
    concerns.sort(key=lambda c: c.raised_on or date.min, reverse=True)
    cases.sort(key=lambda c: c.reported_on or date.min, reverse=True)
    # Records the user takes part in: their own concerns and reports, and the cases and
    # investigations they investigate (policy.can_view_support_record, participant=).
    participant_ids = frozenset(
        [c.id for c in concerns if c.mine]
        + [c.id for c in cases if c.mine]
        + [c.investigation_id for c in cases if c.investigator and c.investigation_id]
    )
    programme = next((c.programme for c in cases if c.programme is not None), None)
    events = (
        ChainEvent.objects.filter(pupil_id=pupil.pk)
        .select_related("actor")
        .only(
            "occurred_at",
            "on_date",
            "verb",
            "record_type",
            "record_id",
            "actor__first_name",
            "actor__last_name",
            "actor__username",
        )[:TIMELINE_LIMIT]
    )
    return SupportPage(
        level=wf.support_level(len(adaptations), programme is not None),
        family=family,
        timeline=timeline(events, relations, participant_ids),
        adaptations=adaptations,
        concerns=[]
        if family
        else [
            c
            for c in concerns
            if c.state == wf.ConcernState.OPEN
            and can_view_support_record(relations, SupportRecord.CONCERN, participant=c.mine)
        ],
        cases=[]
        if family
        else [
            c
            for c in cases
            if c.is_open
            and can_view_support_record(relations, SupportRecord.REFERRAL, participant=c.mine)
        ],
        programme=programme,
        participant_ids=participant_ids,
        # Only their own, never staff concerns: the family member wrote it (SL 3 kap. 5 §:
        # "information från ... eleven eller elevens vårdnadshavare").
        own_concerns=[c for c in concerns if c.mine and c.raised_by != RaisedBy.STAFF]
        if family
        else [],
        decisions=decision_rows(pupil.pk, user_id=user_id, is_pupil=Relation.SELF in relations)
        if can_view_support_record(relations, SupportRecord.DECISION)
        else [],
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


def _case_row(raw: dict[str, Any]) -> CaseRow:
    programme_id = raw["c_prog_id"]
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
        programme=ProgrammeRow(
            id=as_uuid(programme_id),
            number=int(raw["c_prog_number"] or 1),
            in_force_from=as_date(raw["c_prog_from"]),
            follow_up_on=as_date(raw["c_prog_follow_up"]),
            evaluation_on=as_date(raw["c_prog_evaluation"]),
        )
        if programme_id
        else None,
    )


def support_level_of(pupil_id: uuid.UUID) -> wf.SupportLevel:
    """The pupil's support level in one query, for the pupil page's short "Stöd" section."""
    row = (
        Pupil.objects.filter(pk=pupil_id)
        .annotate(
            has_adaptation=Exists(
                Adaptation.objects.filter(pupil_id=OuterRef("pk"), state=wf.AdaptationState.ACTIVE)
            ),
            has_programme=Exists(
                ActionProgramme.objects.filter(
                    pupil_id=OuterRef("pk"), state=wf.ProgrammeState.IN_FORCE
                )
            ),
        )
        .values("has_adaptation", "has_programme")
        .first()
    )
    if row is None:
        return wf.SupportLevel.GUIDANCE_AND_STIMULATION
    return wf.support_level(int(row["has_adaptation"]), bool(row["has_programme"]))


# --------------------------------------------------------------------------- record querysets
# Each is handed to elevstod.access.lookup.get_record_for, which filters it by id. Participant
# flags are annotated so that the policy's record-level rule needs no query of its own.


def concerns_for(user_id: uuid.UUID | None) -> QuerySet[Concern]:
    return Concern.objects.select_related("created_by")


def adaptations_for(user_id: uuid.UUID | None) -> QuerySet[Adaptation]:
    return Adaptation.objects.select_related("responsible", "group", "concern", "created_by")


def referrals_for(user_id: uuid.UUID | None) -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "created_by", "received_by", "investigation", "concern", "school_unit"
    ).annotate(
        user_is_investigator=Exists(
            Investigation.investigators.through.objects.filter(
                investigation__referral_id=OuterRef("pk"), user_id=user_id
            )
        )
    )


def investigations_for(user_id: uuid.UUID | None) -> QuerySet[Investigation]:
    return Investigation.objects.select_related(
        "referral", "updated_by", "created_by", "school_unit"
    ).annotate(
        user_is_investigator=Exists(
            Investigation.investigators.through.objects.filter(
                investigation_id=OuterRef("pk"), user_id=user_id
            )
        )
    )


def programmes_for(user_id: uuid.UUID | None) -> QuerySet[ActionProgramme]:
    return ActionProgramme.objects.all()


# --------------------------------------------------------------------------- record pages


def concern_page(concern: Concern) -> dict[str, Any]:
    return {
        "adaptations": list(
            Adaptation.objects.filter(concern=concern)
            .select_related("responsible")
            .order_by("-starts_on")
        ),
        "referrals": list(Referral.objects.filter(concern=concern).order_by("-reported_on")),
    }


def adaptation_evaluations(adaptation: Adaptation) -> list[AdaptationEvaluation]:
    return list(
        AdaptationEvaluation.objects.filter(adaptation=adaptation).select_related("evaluated_by")
    )


def _latest_evaluation() -> QuerySet[AdaptationEvaluation]:
    return AdaptationEvaluation.objects.filter(adaptation_id=OuterRef("pk")).order_by(
        "-evaluated_on", "-created_at"
    )


def with_latest_evaluation(adaptations: QuerySet[Adaptation]) -> QuerySet[Adaptation]:
    """Each adaptation with its latest evaluation's date, effect and next step, in one query."""
    latest = _latest_evaluation()
    return adaptations.annotate(
        latest_evaluated_on=Subquery(latest.values("evaluated_on")[:1]),
        latest_effect=Subquery(latest.values("effect")[:1]),
        latest_next_step=Subquery(latest.values("next_step")[:1]),
    )


def pupil_adaptations(pupil_id: uuid.UUID) -> list[Adaptation]:
    """All the pupil's adaptations (active first), for linking to a report (process.md §2.2)."""
    return list(
        with_latest_evaluation(Adaptation.objects.filter(pupil_id=pupil_id))
        .select_related("responsible")
        .prefetch_related(
            Prefetch(
                "evaluations",
                queryset=AdaptationEvaluation.objects.order_by("-evaluated_on", "-created_at"),
            )
        )
        .order_by("state", "-starts_on", "-created_at")
    )


def referral_adaptations(referral: Referral) -> list[Adaptation]:
    return list(
        with_latest_evaluation(Adaptation.objects.filter(referrals=referral))
        .prefetch_related(
            Prefetch(
                "evaluations",
                queryset=AdaptationEvaluation.objects.order_by("-evaluated_on", "-created_at"),
            )
        )
        .order_by("-starts_on")
    )


def investigation_needs(investigation: Investigation) -> list[InvestigationNeed]:
    return list(InvestigationNeed.objects.filter(investigation=investigation))


def investigators_of(investigation: Investigation) -> list[User]:
    return list(investigation.investigators.order_by("last_name", "first_name"))


def draft_programme_of(investigation: Investigation) -> ActionProgramme | None:
    """The programme the conclusion drafted (services.investigation_conclude)."""
    return (
        ActionProgramme.objects.filter(investigation=investigation, state=wf.ProgrammeState.DRAFT)
        .only("pk", "number", "state")
        .first()
    )


def own_draft(user_id: uuid.UUID | None, record_type: str, record_id: uuid.UUID) -> Draft | None:
    if user_id is None:
        return None
    return Draft.objects.filter(
        user_id=user_id, record_type=record_type, record_id=record_id
    ).first()


def concern_of_pupil(pupil_id: uuid.UUID, concern_id: object) -> Concern | None:
    """A concern named in a query string, only if it is this pupil's."""
    try:
        concern_uuid = uuid.UUID(str(concern_id))
    except ValueError:
        return None
    return Concern.objects.filter(pk=concern_uuid, pupil_id=pupil_id).first()


def adaptation_of_pupil(pupil_id: uuid.UUID, adaptation_id: object) -> Adaptation | None:
    try:
        adaptation_uuid = uuid.UUID(str(adaptation_id))
    except ValueError:
        return None
    return Adaptation.objects.filter(pk=adaptation_uuid, pupil_id=pupil_id).first()


# --------------------------------------------------------------------------- people to choose


def responsible_choices(
    pupil: Pupil, school_unit_id: uuid.UUID | None, *, today: date
) -> list[User]:
    """Staff who may carry out an adaptation: the teachers and mentors of the pupil's groups this
    year and the unit's special educators. For a protected pupil only the assigned staff, since
    nobody else may see the pupil (security.md P6). One query."""
    group_ids = [m.group_id for m in pupil.current_memberships]  # type: ignore[attr-defined]
    duty_today = Q(unit_duties__starts_on__lte=today) & (
        Q(unit_duties__ends_on__isnull=True) | Q(unit_duties__ends_on__gte=today)
    )
    related = Q(group_roles__group_id__in=group_ids)
    if school_unit_id is not None:
        related |= duty_today & Q(
            unit_duties__school_unit_id=school_unit_id,
            unit_duties__duty__in=[str(d) for d in UNIT_WIDE_SUPPORT_DUTIES],
        )
    users = User.objects.filter(related)
    if pupil.is_protected:
        users = users.filter(
            pk__in=ProtectedPupilAssignment.objects.filter(pupil=pupil).values("user_id")
        )
    return list(users.distinct().order_by("last_name", "first_name", "username"))


def unit_staff(ctx: UserContext, school_unit_id: uuid.UUID) -> list[User]:
    """Staff with a current duty at the unit: who the rektor may assign to investigate."""
    duties = UnitDuty.objects.filter(current_placement_q(ctx), school_unit_id=school_unit_id)
    return list(
        User.objects.filter(pk__in=duties.values("user_id")).order_by(
            "last_name", "first_name", "username"
        )
    )


# --------------------------------------------------------------------------- the teacher's page


@dataclass
class GroupAdaptations:
    group: Group
    rows: list[tuple[Pupil, Adaptation]]


def my_adaptations(ctx: UserContext) -> list[GroupAdaptations]:
    """Per group the user teaches or mentors this year, the active adaptations they carry out.

    An adaptation belongs in a group when it was given for that group, when it applies across
    subjects, or when the user is responsible for it. Protected pupils appear only for staff
    assigned to them (scoping.pupils_visible_to). Three queries whatever the number of groups.
    """
    group_ids = ctx.taught_groups | ctx.mentor_groups
    if not group_ids:
        return []
    groups = list(Group.objects.filter(pk__in=group_ids).only("name", "kind").order_by("name"))
    visible = pupils_visible_to(ctx)
    memberships = list(
        GroupMembership.objects.filter(group_id__in=group_ids, pupil__in=visible)
        .select_related("pupil")
        .only("group_id", "pupil__first_name", "pupil__last_name", "pupil__protected_identity")
    )
    pupil_ids = {m.pupil_id for m in memberships}
    adaptations = list(
        Adaptation.objects.filter(pupil_id__in=pupil_ids, state=wf.AdaptationState.ACTIVE)
        .select_related("responsible")
        .only(
            "pupil_id",
            "group_id",
            "subject",
            "need_categories",
            "need_description",
            "measure",
            "evaluate_on",
            "responsible_id",
            "responsible__first_name",
            "responsible__last_name",
            "responsible__username",
        )
        .order_by("evaluate_on", "created_at")
    )
    by_pupil: dict[uuid.UUID, list[Adaptation]] = {}
    for adaptation in adaptations:
        by_pupil.setdefault(adaptation.pupil_id, []).append(adaptation)
    members: dict[uuid.UUID, list[Pupil]] = {}
    for membership in memberships:
        members.setdefault(membership.group_id, []).append(membership.pupil)
    result = []
    for group in groups:
        rows = [
            (pupil, adaptation)
            for pupil in sorted(
                members.get(group.pk, []), key=lambda p: (p.last_name, p.first_name)
            )
            for adaptation in by_pupil.get(pupil.pk, [])
            if adaptation.group_id == group.pk
            or not adaptation.subject.strip()
            or adaptation.responsible_id == ctx.user_id
        ]
        result.append(GroupAdaptations(group=group, rows=rows))
    return result
