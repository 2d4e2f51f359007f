"""What is due in the support chain, for one pupil or from one person (process.md §3, rule 4).

The dates come from the records (an adaptation's planned evaluation, the programme's follow-up
and evaluation dates that SL 3 kap. 9 § requires it to state) and from the huvudman's own
deadlines (ProviderDeadlines) where the law only says "skyndsamt". The arithmetic is
workflow.case_due's; this module only gathers the facts.

Everything is read in ONE query: a UNION ALL with one branch per kind of record, plus a branch
for the units' principals and one for the investigators (the people an item names as
responsible). Each branch carries the same columns, so the count is one query whatever the
amount of data; "Mina uppgifter" and its htmx fragment stay within their query budgets.

`due_for_pupil` does no access check: its caller has already fetched the pupil through
elevstod.access.lookup. `due_for_user` lists only pupils the user may see
(elevstod.access.scoping), so a protected pupil never shows up for unassigned staff (P6).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    UUIDField,
)
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from elevstod.access.context import UserContext
from elevstod.access.scoping import pupils_visible_to
from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.organisation.duties import UnitDutyKind
from elevstod.organisation.models import EducationProvider, ProviderDuty, UnitDuty
from elevstod.support import unions
from elevstod.support import workflow as wf
from elevstod.support.labels import TASK_KIND_LABELS
from elevstod.support.links import Links
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    Appeal,
    Decision,
    DecisionService,
    Investigation,
    Referral,
    ReminderRun,
)
from elevstod.support.services import DEADLINES_RECORD_TYPE
from elevstod.support.unions import as_date, as_datetime, as_uuid_or_none

# FL 46 § says an appeal that is not dismissed as late or changed on reconsideration is
# forwarded "skyndsamt". No day count is set in law; a week is common practice [M] and stands
# in as the municipal basis until ProviderDeadlines gets a field of its own.
APPEAL_HANDLING_DAYS = 7

# Items that the unit's rektor answers for: the receipt and the investigation's start
# (SL 3 kap. 7 §: the rektor ensures the investigation), the decision (3 kap. 9 §) and the
# reconsideration or forwarding of an appeal (FL 38–46 §§).
PRINCIPAL_KINDS = frozenset(
    {
        wf.TaskKind.RECEIVE_REFERRAL,
        wf.TaskKind.OPEN_INVESTIGATION,
        wf.TaskKind.DECIDE,
        wf.TaskKind.HANDLE_APPEAL,
    }
)

# Which record page each kind links to: (URL name, keyword, record the item points at).
_LINKS: dict[wf.TaskKind, tuple[str, str]] = {
    wf.TaskKind.EVALUATE_ADAPTATION: ("support:adaptation_detail", "adaptation_id"),
    wf.TaskKind.RECEIVE_REFERRAL: ("support:referral_detail", "referral_id"),
    wf.TaskKind.OPEN_INVESTIGATION: ("support:referral_detail", "referral_id"),
    wf.TaskKind.COMPLETE_INVESTIGATION: ("support:investigation_detail", "investigation_id"),
    wf.TaskKind.DECIDE: ("support:investigation_detail", "investigation_id"),
    wf.TaskKind.SERVE_DECISION: ("support:decision_detail", "decision_id"),
    wf.TaskKind.FOLLOW_UP: ("support:programme_detail", "programme_id"),
    wf.TaskKind.EVALUATE_PROGRAMME: ("support:programme_detail", "programme_id"),
    wf.TaskKind.HANDLE_APPEAL: ("support:appeal_detail", "appeal_id"),
}


@dataclass(frozen=True)
class DueItem:
    """One thing due, from whom, by when, and the rule that sets the date."""

    kind: wf.TaskKind
    label: str  # the kind in words, in the active language
    due_on: date
    basis: wf.DeadlineBasis
    rule: str  # the paragraph, and the huvudman's setting where the law says "skyndsamt"
    overdue: bool
    responsible_name: str
    url: str  # the record's page, or "" while that page does not exist
    pupil_id: uuid.UUID
    pupil_name: str
    record_id: uuid.UUID


# ----------------------------------------------------------------------------- public API


def due_for_pupil(*, pupil_id: uuid.UUID, today: date) -> list[DueItem]:
    """Everything due in one pupil's chain, whoever answers for it. One query."""
    rows = _FOR_PUPIL.rows(pupil_id=pupil_id, today=today)
    return _gather(rows, today=today, include=lambda item, row, investigators: True)


def due_for_user(*, user_id: uuid.UUID, ctx: UserContext, today: date) -> list[DueItem]:
    """What is due from one person: what they are named responsible for, and, for a rektor,
    what their units wait for (PRINCIPAL_KINDS). Only pupils the user may see. One query."""
    principal_units = ctx.principal_units
    rows = _FOR_USER.rows(
        user_id=user_id,
        today=today,
        principal_units=sorted(principal_units),
        # Visibility filters the whole UNION once, not each of its branches: the pupils the
        # user sees are read once, and rows without a pupil (the people named) are kept.
        null_or_in=("c_pupil_id", pupils_visible_to(ctx).values("pk")),
    )

    def include(item: DueItem, row: _Row, investigators: Mapping[uuid.UUID, list]) -> bool:
        # A case row matched either as rektor of its unit or as one of its investigators;
        # keep only the step this user answers for.
        if item.kind in PRINCIPAL_KINDS:
            return row.unit_id in principal_units
        if item.kind is wf.TaskKind.COMPLETE_INVESTIGATION:
            named = investigators.get(row.other_id, []) if row.other_id is not None else []
            return any(person.user_id == user_id for person in named)
        return True

    return _gather(rows, today=today, include=include)


def group_by_when(items: Iterable[DueItem], today: date) -> dict[str, list[DueItem]]:
    """Overdue first, then the rest of this week (to Sunday), then later."""
    week_end = today + timedelta(days=6 - today.weekday())
    groups: dict[str, list[DueItem]] = {"overdue": [], "this_week": [], "later": []}
    for item in items:
        if item.overdue:
            groups["overdue"].append(item)
        elif item.due_on <= week_end:
            groups["this_week"].append(item)
        else:
            groups["later"].append(item)
    return groups


def due_soon(items: Iterable[DueItem], today: date, days: int = 3) -> list[DueItem]:
    """Overdue, or due within `days` days: what the daily reminder counts."""
    horizon = today + timedelta(days=days)
    return [item for item in items if item.due_on <= horizon]


def deadline_rows(provider_ids: Iterable[uuid.UUID]) -> list[tuple[EducationProvider, Any]]:
    """The huvudmän and their deadline settings (None where none are saved yet). One query."""
    providers = (
        EducationProvider.objects.filter(pk__in=list(provider_ids))
        .select_related("deadlines", "deadlines__updated_by")
        .order_by("name")
    )
    return [(provider, getattr(provider, "deadlines", None)) for provider in providers]


@dataclass(frozen=True)
class DeadlineHistoryEntry:
    provider_id: uuid.UUID
    occurred_at: datetime
    actor_name: str
    name: str  # the setting's field name
    old: int
    new: int


_CHANGE = re.compile(r"^(?P<name>[a-z_]+): (?P<old>\d+) -> (?P<new>\d+)$")


def deadline_history(
    provider_ids: Iterable[uuid.UUID], limit: int = 50
) -> dict[uuid.UUID, list[DeadlineHistoryEntry]]:
    """The latest changes of the huvudmän's settings, newest first, from the access log where
    services.deadlines_change writes them. One query."""
    ids = {str(pk): pk for pk in provider_ids}
    events = (
        AccessEvent.objects.filter(
            record_type=DEADLINES_RECORD_TYPE,
            action=AccessAction.UPDATE,
            record_id__in=list(ids),
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:limit]
    )
    history: dict[uuid.UUID, list[DeadlineHistoryEntry]] = defaultdict(list)
    for event in events:
        match = _CHANGE.match(event.purpose)
        if match is None:
            continue
        actor = event.actor
        history[ids[event.record_id]].append(
            DeadlineHistoryEntry(
                provider_id=ids[event.record_id],
                occurred_at=event.occurred_at,
                actor_name=actor.display_name if actor is not None else "",
                name=match["name"],
                old=int(match["old"]),
                new=int(match["new"]),
            )
        )
    return history


def reminder_recipients(day: date) -> QuerySet[User]:
    """Staff with an e-mail address: a current duty at a unit or at the huvudman."""
    unit_duty = UnitDuty.objects.filter(user=OuterRef("pk"), starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    provider_duty = ProviderDuty.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(is_active=True, is_integration=False)
        .exclude(email="")
        .filter(Exists(unit_duty) | Exists(provider_duty))
        .order_by("pk")
    )


def reminder_sent_for(day: date) -> bool:
    """Whether the reminder job has claimed `day` (a ReminderRun exists)."""
    return ReminderRun.objects.filter(day=day).exists()


# ----------------------------------------------------------------------------- the one query


@dataclass(frozen=True)
class _Scope:
    """Filters per branch. `records` applies to every branch about a pupil's record."""

    records: Q
    adaptations: Q
    referrals: tuple[Q, ...]  # one branch each: an OR of IN-subqueries would scan the table
    investigators: Q
    decisions: Q
    follow_ups: Q
    evaluations: Q
    appeals: Q
    principal_units: Q


# The columns every branch yields, in this order, with their types. Branches leave out what
# they do not have; the gap becomes a typed NULL so that the UNION lines up on every backend.
_COLUMNS: dict[str, type] = {
    "tag": CharField,
    "record_id": UUIDField,
    "other_id": UUIDField,
    "pupil_id": UUIDField,
    "pupil_first": CharField,
    "pupil_last": CharField,
    "unit_id": UUIDField,
    "state": CharField,
    "d1": DateField,
    "d2": DateField,
    "d3": DateField,
    "d4": DateField,
    "at": DateTimeField,
    "user_id": UUIDField,
    "user_first": CharField,
    "user_last": CharField,
    "username": CharField,
    **dict.fromkeys(("receipt", "start", "complete", "decision", "service"), IntegerField),
}
# The huvudman's deadline settings each case and decision row carries: column -> setting. A
# huvudman without saved settings has NULL here (a LEFT JOIN) and gets the defaults (process.md §3).
_DEADLINE_SETTINGS = {
    "receipt": "receipt_days",
    "start": "investigation_start_days",
    "complete": "investigation_complete_days",
    "decision": "decision_days",
    "service": "service_days",
}
_DEADLINE_COLUMNS = {
    column: F(f"school_unit__provider__deadlines__{setting}")
    for column, setting in _DEADLINE_SETTINGS.items()
}


def _pupil(prefix: str = "") -> dict[str, Any]:
    return {
        "pupil_id": F(f"{prefix}pupil_id"),
        "pupil_first": F(f"{prefix}pupil__first_name"),
        "pupil_last": F(f"{prefix}pupil__last_name"),
        "unit_id": F(f"{prefix}school_unit_id"),
    }


def _user(path: str) -> dict[str, Any]:
    return {
        "user_id": F(f"{path}_id"),
        "user_first": F(f"{path}__first_name"),
        "user_last": F(f"{path}__last_name"),
        "username": F(f"{path}__username"),
    }


def _branch(queryset: QuerySet, tag: str, **columns: Any) -> QuerySet:
    return unions.branch(queryset, tag, _COLUMNS, columns)


def _pupil_union(*, pupil_id: uuid.UUID, today: date) -> QuerySet:
    scope = _Scope(
        records=Q(pupil_id=pupil_id),
        adaptations=Q(),
        referrals=(Q(),),
        investigators=Q(investigation__pupil_id=pupil_id),
        decisions=Q(),
        follow_ups=Q(),
        evaluations=Q(),
        appeals=Q(),
        principal_units=Q(
            school_unit_id__in=Referral.objects.filter(pupil_id=pupil_id).values("school_unit_id")
        ),
    )
    return _union(scope, today)


def _user_union(*, user_id: uuid.UUID, today: date, principal_units: list[uuid.UUID]) -> QuerySet:
    """The records naming the user, and their units' (rektor); the caller keeps the pupils
    the user may see (due_for_user)."""
    investigating = Investigation.objects.filter(investigators=user_id)
    scope = _Scope(
        records=Q(),
        adaptations=Q(responsible_id=user_id),
        # A case at the rektor's unit, and a case the user investigates: two branches, as an OR
        # of the two IN-subqueries is no index's to answer. A case in both comes twice;
        # _gather keeps it once.
        referrals=(
            Q(school_unit_id__in=principal_units),
            Q(pk__in=investigating.values("referral_id")),
        ),
        investigators=Q(investigation_id__in=investigating.values("pk")),
        decisions=Q(decided_by_id=user_id),
        follow_ups=Q(follow_up_responsible_id=user_id),
        evaluations=Q(evaluation_responsible_id=user_id),
        appeals=Q(school_unit_id__in=principal_units),
        principal_units=Q(school_unit_id__in=principal_units),
    )
    return _union(scope, today)


def _union(scope: _Scope, today: date) -> QuerySet:
    """One branch per kind of record that waits for someone, then the people they name.
    A branch that can have no rows (an IN of no units) is left out of the UNION by the ORM."""
    branches: list[QuerySet] = [
        _adaptations(scope),
        *_cases(scope),
        _investigators(scope),
        _decisions(scope),
        *_programme_dates(scope),
        _appeals(scope),
        _principals(scope, today),
    ]
    first, *rest = branches
    return first.union(*rest, all=True)


def _adaptations(scope: _Scope) -> QuerySet:
    """An adaptation in use waits for its planned evaluation."""
    active = Adaptation.objects.filter(
        scope.records, scope.adaptations, state=wf.AdaptationState.ACTIVE
    )
    return _branch(
        active,
        "adaptation",
        record_id=F("pk"),
        d1=F("evaluate_on"),
        **_pupil(),
        **_user("responsible"),
    )


def _cases(scope: _Scope) -> list[QuerySet]:
    """A case before its decision: the dates workflow.case_due counts from."""
    return [_case_branch(scope.records, referrals) for referrals in scope.referrals]


def _case_branch(records: Q, referrals: Q) -> QuerySet:
    waiting = Referral.objects.filter(
        records,
        referrals,
        state__in=[wf.CaseState.REPORTED, wf.CaseState.RECEIVED, wf.CaseState.INVESTIGATING],
    )
    return _branch(
        waiting,
        "referral",
        record_id=F("pk"),
        other_id=F("investigation__id"),
        state=F("state"),
        d1=F("reported_on"),
        d2=F("investigation__opened_on"),
        d3=F("investigation__assessed_on"),
        d4=F("investigation__target_on"),
        at=F("received_at"),
        **_pupil(),
        **_DEADLINE_COLUMNS,
    )


def _investigators(scope: _Scope) -> QuerySet:
    """The people an investigation not yet assessed names: they complete it."""
    named = Investigation.investigators.through.objects.filter(
        scope.investigators,
        investigation__referral__state=wf.CaseState.INVESTIGATING,
        investigation__assessed_on__isnull=True,
    )
    return _branch(named, "investigator", record_id=F("investigation_id"), **_user("user"))


def _decisions(scope: _Scope) -> QuerySet:
    """A decision some recipient has not yet been served."""
    unserved = DecisionService.objects.filter(decision=OuterRef("pk"), received_on__isnull=True)
    return _branch(
        Decision.objects.filter(scope.records, scope.decisions, Exists(unserved)),
        "decision",
        record_id=F("pk"),
        d1=F("decided_on"),
        **_pupil(),
        **_user("decided_by"),
        **_DEADLINE_COLUMNS,
    )


def _programme_dates(scope: _Scope) -> list[QuerySet]:
    """A programme in force waits for the follow-up and the evaluation it names, each with its
    own responsible person (SL 3 kap. 9 §)."""
    return [
        _branch(
            ActionProgramme.objects.filter(
                scope.records,
                named,
                state=wf.ProgrammeState.IN_FORCE,
                **{f"{day}__isnull": False},
            ),
            tag,
            record_id=F("pk"),
            d1=F(day),
            **_pupil(),
            **_user(responsible),
        )
        for tag, day, responsible, named in (
            ("follow_up", "follow_up_on", "follow_up_responsible", scope.follow_ups),
            ("evaluation", "evaluation_on", "evaluation_responsible", scope.evaluations),
        )
    ]


def _appeals(scope: _Scope) -> QuerySet:
    """An appeal registered and not yet reconsidered, dismissed or forwarded."""
    return _branch(
        Appeal.objects.filter(scope.records, scope.appeals, state=wf.AppealState.REGISTERED),
        "appeal",
        record_id=F("pk"),
        other_id=F("decision_id"),
        d1=F("lodged_on"),
        **_pupil(),
    )


def _principals(scope: _Scope, today: date) -> QuerySet:
    """The rektor of each unit in scope today: the unit's steps fall to them."""
    current_duty = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return _branch(
        UnitDuty.objects.filter(scope.principal_units, current_duty, duty=UnitDutyKind.PRINCIPAL),
        "principal",
        unit_id=F("school_unit_id"),
        **_user("user"),
    )


# Compiled once per process (unions.Prepared): building these UNIONs costs more than running them.
_FOR_PUPIL = unions.Prepared(_pupil_union, pupil_id=UUIDField, today=DateField)
_FOR_USER = unions.Prepared(
    _user_union, user_id=UUIDField, today=DateField, principal_units=[UUIDField]
)


@dataclass(frozen=True)
class _Row:
    tag: str
    record_id: uuid.UUID
    other_id: uuid.UUID | None
    pupil_id: uuid.UUID | None
    pupil_name: str
    unit_id: uuid.UUID | None
    state: str
    d1: date | None
    d2: date | None
    d3: date | None
    d4: date | None
    at: datetime | None
    user_id: uuid.UUID | None
    user_name: str
    deadlines: wf.DeadlineSettings


def _gather(raws: Iterable[Mapping[str, Any]], *, today: date, include: Any) -> list[DueItem]:
    rows = _once([_row(raw) for raw in raws])
    principals: dict[uuid.UUID, list[_Row]] = defaultdict(list)
    investigators: dict[uuid.UUID, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.tag == "principal" and row.unit_id is not None:
            principals[row.unit_id].append(row)
        elif row.tag == "investigator":
            investigators[row.record_id].append(row)
    links = Links()
    items = []
    for row in rows:
        item = _item(row, today, principals, investigators, links)
        if item is not None and include(item, row, investigators):
            items.append(item)
    items.sort(key=lambda i: (i.due_on, list(wf.TaskKind).index(i.kind), i.pupil_name))
    return items


def _once(rows: list[_Row]) -> list[_Row]:
    """A case found by two branches (at the rektor's unit and investigated by them) once."""
    seen: set[uuid.UUID] = set()
    kept = []
    for row in rows:
        if row.tag == "referral":
            if row.record_id in seen:
                continue
            seen.add(row.record_id)
        kept.append(row)
    return kept


def _row(raw: Mapping[str, Any]) -> _Row:
    first, last = raw["c_pupil_first"] or "", raw["c_pupil_last"] or ""
    user_first, user_last = raw["c_user_first"] or "", raw["c_user_last"] or ""
    defaults = wf.DEFAULT_DEADLINES
    return _Row(
        tag=raw["c_tag"],
        record_id=as_uuid_or_none(raw["c_record_id"]) or uuid.UUID(int=0),
        other_id=as_uuid_or_none(raw["c_other_id"]),
        pupil_id=as_uuid_or_none(raw["c_pupil_id"]),
        pupil_name=f"{first} {last}".strip(),
        unit_id=as_uuid_or_none(raw["c_unit_id"]),
        state=raw["c_state"] or "",
        d1=as_date(raw["c_d1"]),
        d2=as_date(raw["c_d2"]),
        d3=as_date(raw["c_d3"]),
        d4=as_date(raw["c_d4"]),
        at=as_datetime(raw["c_at"]),
        user_id=as_uuid_or_none(raw["c_user_id"]),
        user_name=f"{user_first} {user_last}".strip() or (raw["c_username"] or ""),
        # A huvudman without saved settings has the defaults (process.md §3).
        deadlines=wf.DeadlineSettings(
            **{
                setting: _days(raw[f"c_{column}"], getattr(defaults, setting))
                for column, setting in _DEADLINE_SETTINGS.items()
            }
        ),
    )


def _item(
    row: _Row,
    today: date,
    principals: Mapping[uuid.UUID, list[_Row]],
    investigators: Mapping[uuid.UUID, list[_Row]],
    links: Links,
) -> DueItem | None:
    found = _case_step(row, principals, investigators) if row.tag == "referral" else _dated(row)
    if found is None or row.pupil_id is None:
        return None
    due, record_id, responsible = found
    if responsible is None:  # the unit's steps fall to its rektor
        responsible = _principal_names(principals, row.unit_id)
    return DueItem(
        kind=due.kind,
        label=str(TASK_KIND_LABELS[due.kind]),
        due_on=due.due_on,
        basis=due.basis,
        rule=due.rule,
        overdue=wf.is_overdue(due, today),
        responsible_name=responsible,
        url=links(*_LINKS[due.kind], record_id),
        pupil_id=row.pupil_id,
        pupil_name=row.pupil_name,
        record_id=record_id,
    )


# What is due, on the record's page, from whom (None: the unit's rektor).
_Found = tuple[wf.Due, uuid.UUID, str | None]


@dataclass(frozen=True)
class _Waits:
    """What a dated record waits for: the task, the basis and rule of its date, and how many days
    after the record's own date it is due (None: on that date)."""

    kind: wf.TaskKind
    basis: wf.DeadlineBasis
    rule: str  # a message for gettext; names %(days)s where `days` is set
    days: Callable[[_Row], int] | None = None


_DATED: dict[str, _Waits] = {
    "adaptation": _Waits(
        wf.TaskKind.EVALUATE_ADAPTATION,
        wf.DeadlineBasis.MUNICIPAL,
        gettext_noop("3 kap. 5 § skollagen – planerad utvärdering av den extra anpassningen"),
    ),
    # The parties are told of the decision with its reasons and how to appeal; the appeal time
    # runs from their receipt (FL 33 och 44 §§ via SL 29 kap. 10–11 §§).
    "decision": _Waits(
        wf.TaskKind.SERVE_DECISION,
        wf.DeadlineBasis.MUNICIPAL,
        gettext_noop(
            "33 § förvaltningslagen (underrättelse om beslut) – huvudmannens rutin: "
            "delgivning inom %(days)s dagar"
        ),
        days=lambda row: row.deadlines.service_days,
    ),
    # The programme itself must say when it is followed up and evaluated, and by whom
    # (SL 3 kap. 9 §): the date is the programme's, so the basis is the law.
    "follow_up": _Waits(
        wf.TaskKind.FOLLOW_UP,
        wf.DeadlineBasis.LAW,
        gettext_noop("3 kap. 9 § skollagen – uppföljning enligt åtgärdsprogrammet"),
    ),
    "evaluation": _Waits(
        wf.TaskKind.EVALUATE_PROGRAMME,
        wf.DeadlineBasis.LAW,
        gettext_noop("3 kap. 9 § skollagen – utvärdering enligt åtgärdsprogrammet"),
    ),
    "appeal": _Waits(
        wf.TaskKind.HANDLE_APPEAL,
        wf.DeadlineBasis.MUNICIPAL,
        gettext_noop(
            "45–46 §§ förvaltningslagen (skyndsamt) – riktvärde: omprövas eller "
            "överlämnas inom %(days)s dagar"
        ),
        days=lambda row: APPEAL_HANDLING_DAYS,
    ),
}


def _dated(row: _Row) -> _Found | None:
    """A record that waits for a date of its own, or one counted from its own date."""
    waits = _DATED.get(row.tag)
    if waits is None or row.d1 is None:
        return None
    due_on, rule = row.d1, gettext(waits.rule)
    if waits.days is not None:
        days = waits.days(row)
        due_on, rule = due_on + timedelta(days=days), rule % {"days": days}
    responsible = None if row.tag == "appeal" else row.user_name
    return wf.Due(waits.kind, due_on, waits.basis, rule), row.record_id, responsible


def _case_step(
    row: _Row,
    principals: Mapping[uuid.UUID, list[_Row]],
    investigators: Mapping[uuid.UUID, list[_Row]],
) -> _Found | None:
    """A case's next step: its investigators complete the investigation; every other step
    falls to the unit's rektor."""
    due, record_id = _case_due(row)
    if due is None:
        return None
    if due.kind is not wf.TaskKind.COMPLETE_INVESTIGATION:
        return due, record_id, None
    return due, record_id, _names(investigators.get(row.other_id, []) if row.other_id else [])


# The huvudman's routine a case step is due by, named in the item's rule (process.md §3).
_ROUTINES: dict[wf.TaskKind, tuple[str, str]] = {
    wf.TaskKind.RECEIVE_REFERRAL: (
        gettext_noop("huvudmannens rutin: kvittens inom %(days)s dagar"),
        "receipt_days",
    ),
    wf.TaskKind.OPEN_INVESTIGATION: (
        gettext_noop("huvudmannens rutin: utredning påbörjad inom %(days)s dagar"),
        "investigation_start_days",
    ),
    wf.TaskKind.DECIDE: (
        gettext_noop("huvudmannens rutin: beslut inom %(days)s dagar efter bedömningen"),
        "decision_days",
    ),
    wf.TaskKind.COMPLETE_INVESTIGATION: (
        gettext_noop("huvudmannens rutin: utredning klar inom %(days)s dagar"),
        "investigation_complete_days",
    ),
}


def _case_due(row: _Row) -> tuple[wf.Due | None, uuid.UUID]:
    """The case's next step by workflow.case_due, with the huvudman's days named in the rule."""
    if row.d1 is None:
        return None, row.record_id
    received_on = timezone.localdate(row.at) if row.at is not None else None
    clock = wf.CaseClock(
        state=wf.CaseState(row.state),
        reported_on=row.d1,
        received_on=received_on,
        investigation_opened_on=row.d2,
        assessed_on=row.d3,
        investigation_target_on=row.d4,
    )
    due = wf.case_due(clock, row.deadlines)
    if due is None:
        return None, row.record_id
    planned = clock.investigation_target_on is not None
    if due.kind is wf.TaskKind.COMPLETE_INVESTIGATION and planned:
        routine = gettext("rektorns planerade datum för färdig utredning")
    else:
        message, setting = _ROUTINES[due.kind]
        routine = gettext(message) % {"days": getattr(row.deadlines, setting)}
    named = wf.Due(due.kind, due.due_on, due.basis, f"{due.rule} – {routine}")
    # Receipt and opening happen on the report's page; completing and deciding on the
    # investigation's.
    on_investigation = due.kind in (wf.TaskKind.COMPLETE_INVESTIGATION, wf.TaskKind.DECIDE)
    record_id = row.other_id if on_investigation and row.other_id else row.record_id
    return named, record_id


def _principal_names(principals: Mapping[uuid.UUID, list[_Row]], unit_id: uuid.UUID | None) -> str:
    # A unit without a rektor on record still has the duty: name the role.
    names = _names(principals.get(unit_id, []) if unit_id else [])
    return names or gettext("Rektor")


def _names(rows: Iterable[_Row]) -> str:
    return ", ".join(sorted({row.user_name for row in rows if row.user_name}))


# A UNION can lose the column types on SQLite: values are coerced (support.unions), not trusted.


def _days(value: Any, default: int) -> int:
    # NULL: the huvudman has saved no settings (LEFT JOIN). A saved value is kept as it is.
    return default if value is None else int(value)
