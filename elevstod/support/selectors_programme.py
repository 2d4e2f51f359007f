"""Reads for the second half of the chain: programmes, decisions, service, appeals, follow-ups.

Each selector here gives a page its shape. Querysets passed to elevstod.access.lookup carry their
`select_related` and annotations, so the record, its decision dates, the user's own autosaved
draft and the huvudman's deadlines arrive in the one query that the access check makes anyway.
The lists a page shows are one query each and never grow with the rows they hold; the counts are
pinned at two data sizes in elevstod/support/tests/test_views_programme.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    Field,
    JSONField,
    OuterRef,
    PositiveIntegerField,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Concat, TruncDate
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.organisation.duties import UnitDutyKind
from elevstod.organisation.models import Delegation, UnitDuty
from elevstod.support import workflow as wf
from elevstod.support.labels import (
    FOLLOW_UP_KIND_LABELS,
    FOLLOW_UP_OUTCOME_LABELS,
    MEASURE_SETTING_LABELS,
    NEED_CATEGORY_LABELS,
    PROGRAMME_STATE_LABELS,
    label,
)
from elevstod.support.models import (
    ActionProgramme,
    Appeal,
    Decision,
    DecisionService,
    Draft,
    FollowUp,
    Investigation,
    MeasureReview,
    ParticipantView,
    ProgrammeNeed,
    RecipientKind,
)

# The record type autosave and programme_save use for a programme's drafts (rule 7).
PROGRAMME_DRAFT_TYPE = "action_programme"


def display_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """User.display_name for rows read with values(): the full name, else the username."""
    full = f"{first_name or ''} {last_name or ''}".strip()
    return full or (username or "")


# ----------------------------------------------------------------------------- programmes


def _decision_of(kind: wf.DecisionKind, column: str) -> Subquery:
    decisions = Decision.objects.filter(programme=OuterRef("pk"), kind=kind).order_by(
        "-decided_on", "-created_at"
    )
    output: Field[Any, Any] = DateField() if column == "decided_on" else UUIDField()
    return Subquery(decisions.values(column)[:1], output_field=output)


def programmes() -> QuerySet[ActionProgramme]:
    """A programme with what every programme page shows beside it.

    A version is adopted by at most one decision and ended by at most one, so both are scalar
    annotations rather than a further query (decide_programme runs only on a draft,
    decide_closure only on the programme in force).
    """
    return ActionProgramme.objects.select_related(
        "school_unit",
        "previous",
        "next_version",
        "investigation",
        "follow_up_responsible",
        "evaluation_responsible",
    ).annotate(
        adoption_id=_decision_of(wf.DecisionKind.ACTION_PROGRAMME, "pk"),
        adopted_on=_decision_of(wf.DecisionKind.ACTION_PROGRAMME, "decided_on"),
        closure_id=_decision_of(wf.DecisionKind.ACTION_PROGRAMME_CLOSURE, "pk"),
        closed_on=_decision_of(wf.DecisionKind.ACTION_PROGRAMME_CLOSURE, "decided_on"),
    )


def programmes_for_participant(user_id: uuid.UUID | None) -> QuerySet[ActionProgramme]:
    """Programmes annotated with whether the user is named in them: responsible for a measure,
    the follow-up or the evaluation (SL 3 kap. 9 §), which lets them record a follow-up."""
    named = Q(follow_up_responsible_id=user_id) | Q(evaluation_responsible_id=user_id)
    return programmes().annotate(
        is_named=Exists(
            ActionProgramme.objects.filter(pk=OuterRef("pk")).filter(
                named | Q(measures__responsible_id=user_id)
            )
        )
    )


def programmes_for_editor(user_id: uuid.UUID | None) -> QuerySet[ActionProgramme]:
    """Programmes with the user's own autosaved draft and the huvudman's deadlines, for the
    editor: a draft newer than the document is offered back (rule 7), and the follow-up and
    evaluation dates default from the huvudman's settings (process.md §3)."""
    mine = Draft.objects.filter(
        user_id=user_id,  # type: ignore[misc]  # None (no user) matches no draft
        record_type=PROGRAMME_DRAFT_TYPE,
        record_id=OuterRef("pk"),
    )
    return (
        programmes()
        .select_related("school_unit__provider__deadlines")
        .annotate(
            draft_saved_at=Subquery(mine.values("updated_at")[:1], output_field=DateTimeField()),
            draft_base_version=Subquery(
                mine.values("base_version")[:1], output_field=PositiveIntegerField()
            ),
            draft_data=Subquery(mine.values("data")[:1], output_field=JSONField()),
        )
    )


def provider_deadlines(programme: ActionProgramme) -> wf.DeadlineSettings:
    """services.deadlines_for, read from the row the editor's query already joined."""
    try:
        return programme.school_unit.provider.deadlines.as_settings()
    except ObjectDoesNotExist:
        return wf.DEFAULT_DEADLINES


def revision_of(programme: ActionProgramme) -> ActionProgramme | None:
    """The draft revision started from a programme in force, if any."""
    return ActionProgramme.objects.filter(previous=programme).first()


@dataclass(frozen=True)
class MeasureRow:
    """One measure as pages show it (ProgrammeMeasure, read with its need and responsible)."""

    id: uuid.UUID
    need_id: uuid.UUID
    description: str
    responsible_id: uuid.UUID
    responsible_name: str
    extent: str
    setting: str
    special_reasons: str
    location: str
    deviations: str
    return_plan: str
    starts_on: date | None
    ends_on: date | None

    @property
    def setting_label(self) -> StrOrPromise:
        return label(MEASURE_SETTING_LABELS, self.setting)

    @property
    def is_reserved(self) -> bool:
        """Special teaching group, individual or distance teaching, adapted study path: the
        rektor's own decision (SL 3 kap. 9 § andra stycket)."""
        return self.setting in wf.RESERVED_SETTINGS


@dataclass
class NeedRow:
    id: uuid.UUID
    category: str
    description: str
    source_id: uuid.UUID | None
    measures: list[MeasureRow] = field(default_factory=list)

    @property
    def category_label(self) -> StrOrPromise:
        return label(NEED_CATEGORY_LABELS, self.category)


_MEASURE_COLUMNS = (
    "measures__pk",
    "measures__description",
    "measures__responsible_id",
    "measures__responsible__first_name",
    "measures__responsible__last_name",
    "measures__responsible__username",
    "measures__extent",
    "measures__setting",
    "measures__special_reasons",
    "measures__location",
    "measures__deviations",
    "measures__return_plan",
    "measures__starts_on",
    "measures__ends_on",
)


def programme_content(programme_id: uuid.UUID) -> list[NeedRow]:
    """The programme's needs, each with its measures, in one query.

    A need may have no measure yet (a draft), so needs are read with their measures through a
    LEFT JOIN instead of measures with their needs.
    """
    rows = (
        ProgrammeNeed.objects.filter(programme_id=programme_id)
        .order_by("position", "created_at", "measures__position", "measures__created_at")
        .values("pk", "category", "description", "source_id", *_MEASURE_COLUMNS)
    )
    needs: dict[uuid.UUID, NeedRow] = {}
    for row in rows:
        need = needs.get(row["pk"])
        if need is None:
            need = needs[row["pk"]] = NeedRow(
                id=row["pk"],
                category=row["category"],
                description=row["description"],
                source_id=row["source_id"],
            )
        if row["measures__pk"] is None:
            continue
        need.measures.append(
            MeasureRow(
                id=row["measures__pk"],
                need_id=row["pk"],
                description=row["measures__description"],
                responsible_id=row["measures__responsible_id"],
                responsible_name=display_name(
                    row["measures__responsible__first_name"],
                    row["measures__responsible__last_name"],
                    row["measures__responsible__username"],
                ),
                extent=row["measures__extent"],
                setting=row["measures__setting"],
                special_reasons=row["measures__special_reasons"],
                location=row["measures__location"],
                deviations=row["measures__deviations"],
                return_plan=row["measures__return_plan"],
                starts_on=row["measures__starts_on"],
                ends_on=row["measures__ends_on"],
            )
        )
    return list(needs.values())


def measures_of(content: list[NeedRow]) -> list[MeasureRow]:
    return [measure for need in content for measure in need.measures]


def teaching_content(content: list[NeedRow], user_id: uuid.UUID | None) -> list[NeedRow]:
    """The programme's needs for a teacher who sees only the teaching part (process.md §4):
    the teacher's own measures first within each need, and the needs they carry a measure for
    first. Nothing is left out of the needs and measures; the order only puts their part first."""

    def own_first(measures: list[MeasureRow]) -> list[MeasureRow]:
        return sorted(measures, key=lambda m: m.responsible_id != user_id)

    needs = [
        NeedRow(
            id=need.id,
            category=need.category,
            description=need.description,
            source_id=need.source_id,
            measures=own_first(need.measures),
        )
        for need in content
    ]
    return sorted(
        needs, key=lambda need: not any(m.responsible_id == user_id for m in need.measures)
    )


def own_measures(content: list[NeedRow], user_id: uuid.UUID | None) -> list[MeasureRow]:
    """The measures the user is responsible for, in the programme's order."""
    return [m for m in measures_of(content) if user_id is not None and m.responsible_id == user_id]


@dataclass(frozen=True)
class OwnFollowUpRow:
    """A follow-up the user recorded themselves: their own work on the programme."""

    id: uuid.UUID
    kind: str
    held_on: date
    outcome: str

    @property
    def kind_label(self) -> StrOrPromise:
        return label(FOLLOW_UP_KIND_LABELS, self.kind)

    @property
    def outcome_label(self) -> StrOrPromise:
        return label(FOLLOW_UP_OUTCOME_LABELS, self.outcome)


def own_follow_ups(programme_id: uuid.UUID, user_id: uuid.UUID | None) -> list[OwnFollowUpRow]:
    """The follow-ups of the programme the user recorded, newest first, in one query."""
    if user_id is None:
        return []
    rows = (
        FollowUp.objects.filter(programme_id=programme_id, created_by_id=user_id)
        .order_by("-held_on", "-created_at")
        .values_list("pk", "kind", "held_on", "outcome")
    )
    return [OwnFollowUpRow(*row) for row in rows]


@dataclass(frozen=True)
class VersionRow:
    id: uuid.UUID
    number: int
    state: str
    in_force_from: date | None
    valid_until: date | None

    @property
    def state_label(self) -> StrOrPromise:
        return label(PROGRAMME_STATE_LABELS, self.state)

    @property
    def is_draft(self) -> bool:
        return self.state == wf.ProgrammeState.DRAFT


def programme_versions(referral_id: uuid.UUID, *, with_drafts: bool) -> list[VersionRow]:
    """Every version of the case's programme, oldest first. The family never sees drafts."""
    versions = ActionProgramme.objects.filter(referral_id=referral_id)
    if not with_drafts:
        versions = versions.exclude(state__in=wf.UNDECIDED_PROGRAMME_STATES)
    return [
        VersionRow(*row)
        for row in versions.order_by("number").values_list(
            "pk", "number", "state", "in_force_from", "valid_until"
        )
    ]


@dataclass(frozen=True)
class HistoryEntry:
    """A follow-up or a participant's own view, in one list for the programme page."""

    entry: str  # "follow_up" or "view"
    id: uuid.UUID
    day: date
    kind: str  # follow-up kind, or the view's author kind
    outcome: str
    text: str
    author: str
    at: datetime

    @property
    def is_follow_up(self) -> bool:
        return self.entry == "follow_up"

    @property
    def kind_label(self) -> StrOrPromise:
        if self.is_follow_up:
            return label(FOLLOW_UP_KIND_LABELS, self.kind)
        return label(dict(RecipientKind.choices), self.kind)

    @property
    def outcome_label(self) -> StrOrPromise:
        return label(FOLLOW_UP_OUTCOME_LABELS, self.outcome) if self.outcome else ""


# Suffixed where a plain name would clash with a field of either model.
HISTORY_COLUMNS = ("entry", "entry_id", "day", "kind_", "outcome_", "text_", "author_", "at_")


def _history_columns(**columns: object) -> dict[str, object]:
    # The union's columns are matched by position, so both sides annotate in this order.
    assert tuple(columns) == HISTORY_COLUMNS
    return columns


def programme_history(programme_id: uuid.UUID) -> list[HistoryEntry]:
    """Follow-ups and evaluations of the programme and the views the pupil and guardians added,
    newest first, in one UNION query."""
    text: CharField[Any, Any] = CharField()
    follow_ups = (
        FollowUp.objects.filter(programme_id=programme_id)
        .annotate(
            **_history_columns(
                entry=Value("follow_up", output_field=text),
                entry_id=F("pk"),
                day=F("held_on"),
                kind_=F("kind"),
                outcome_=F("outcome"),
                text_=F("summary"),
                author_=Concat(
                    "created_by__first_name",
                    Value(" "),
                    "created_by__last_name",
                    output_field=text,
                ),
                at_=F("created_at"),
            )
        )
        .order_by()  # the models' default ordering is not allowed inside a UNION
        .values_list(*HISTORY_COLUMNS)
    )
    views = (
        ParticipantView.objects.filter(programme_id=programme_id)
        .annotate(
            **_history_columns(
                entry=Value("view", output_field=text),
                entry_id=F("pk"),
                day=TruncDate("created_at"),
                kind_=F("author_kind"),
                outcome_=Value("", output_field=text),
                text_=F("text"),
                author_=Concat(
                    "author__first_name", Value(" "), "author__last_name", output_field=text
                ),
                at_=F("created_at"),
            )
        )
        .order_by()  # the models' default ordering is not allowed inside a UNION
        .values_list(*HISTORY_COLUMNS)
    )
    entries = [HistoryEntry(*row) for row in follow_ups.union(views, all=True)]
    return sorted(entries, key=lambda entry: (entry.day, entry.at), reverse=True)


def unit_staff(school_unit_id: uuid.UUID, day: date) -> list[tuple[str, str]]:
    """Staff with a duty at the unit on the day, as (user id, name) choices, by name."""
    duties = (
        UnitDuty.objects.filter(school_unit_id=school_unit_id, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    seen: dict[str, str] = {}
    for duty in duties:
        seen.setdefault(str(duty.user_id), duty.user.display_name)
    return list(seen.items())


# ----------------------------------------------------------------------------- decisions


def decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "programme", "investigation", "delegation", "delegation__delegated_by"
    )


def decision_services(decision_id: uuid.UUID) -> list[DecisionService]:
    return list(DecisionService.objects.filter(decision_id=decision_id).select_related("guardian"))


def decision_appeals(decision_id: uuid.UUID) -> list[Appeal]:
    return list(Appeal.objects.filter(decision_id=decision_id).order_by("-lodged_on"))


def participant_views(**record: object) -> list[ParticipantView]:
    """The pupil's and guardians' own views on one record (programme=, decision=, follow_up=)."""
    return list(
        ParticipantView.objects.filter(**record).select_related("author").order_by("created_at")
    )


def own_service(
    services: list[DecisionService], *, user_id: uuid.UUID | None, is_pupil: bool
) -> DecisionService | None:
    """The signed-in family member's own service row: a guardian only their own (matched on the
    guardian's user account), the pupil the pupil's row."""
    for service in services:
        if service.recipient_kind == RecipientKind.GUARDIAN and service.guardian is not None:
            if service.guardian.user_id is not None and service.guardian.user_id == user_id:
                return service
        elif service.recipient_kind == RecipientKind.PUPIL and is_pupil:
            return service
    return None


def investigations_for(user_id: uuid.UUID | None) -> QuerySet[Investigation]:
    """Investigations annotated with whether the user is one of the investigators."""
    through = Investigation.investigators.through
    return Investigation.objects.select_related("referral").annotate(
        is_investigator=Exists(
            through.objects.filter(investigation_id=OuterRef("pk"), user_id=user_id)
        )
    )


def investigation_needs(investigation: Investigation) -> list:
    return list(investigation.needs.all())


def investigation_decision(investigation: Investigation) -> Decision | None:
    """The decision that closed the investigation, if any."""
    return Decision.objects.filter(investigation=investigation).order_by("-decided_on").first()


def investigation_programme(investigation: Investigation) -> ActionProgramme | None:
    return (
        ActionProgramme.objects.filter(investigation=investigation)
        .order_by("number")
        .only("pk", "number", "state")
        .first()
    )


# ----------------------------------------------------------------------------- appeals


def appeals() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("decision", "service")


# ----------------------------------------------------------------------------- follow-ups


def follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("programme", "created_by")


def follow_ups_for_participant(user_id: uuid.UUID | None) -> QuerySet[FollowUp]:
    return follow_ups()


def follow_up_reviews(follow_up_id: uuid.UUID) -> list[MeasureReview]:
    return list(
        MeasureReview.objects.filter(follow_up_id=follow_up_id)
        .select_related("measure", "measure__need", "measure__responsible")
        .order_by("measure__need__position", "measure__position", "measure__created_at")
    )


def evaluations_count(programme: ActionProgramme) -> int:
    return FollowUp.objects.filter(programme=programme, kind=wf.FollowUpKind.EVALUATION).count()


def latest_evaluation(programme: ActionProgramme) -> FollowUp | None:
    return (
        FollowUp.objects.filter(programme=programme, kind=wf.FollowUpKind.EVALUATION)
        .order_by("-held_on", "-created_at")
        .first()
    )


# ----------------------------------------------------------------------------- who may decide


@dataclass(frozen=True)
class DecisionMaker:
    """Someone who may make a decision at the unit on a day: the rektor or a delegate."""

    name: str
    is_principal: bool
    valid_until: date | None = None


def decision_makers(
    school_unit_id: uuid.UUID, decision_type: str, day: date
) -> list[DecisionMaker]:
    """The unit's rektor, and the delegates whose delegation covers `decision_type` on `day`
    (SL 2 kap. 9–10 §§). Two queries, whatever the number of people."""
    principals = (
        UnitDuty.objects.filter(
            school_unit_id=school_unit_id, duty=UnitDutyKind.PRINCIPAL, starts_on__lte=day
        )
        .exclude(ends_on__lt=day)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    delegations = (
        Delegation.objects.filter(
            school_unit_id=school_unit_id,
            decision_type=decision_type,
            valid_from__lte=day,
            valid_until__gte=day,
            revoked_at__isnull=True,
        )
        .select_related("delegate")
        .order_by("delegate__last_name", "delegate__first_name")
    )
    return [
        *(DecisionMaker(duty.user.display_name, True) for duty in principals),
        *(DecisionMaker(d.delegate.display_name, False, d.valid_until) for d in delegations),
    ]


def draft_programme_of(investigation: Investigation) -> ActionProgramme | None:
    """The programme draft started from the investigation's needs, if any."""
    return (
        ActionProgramme.objects.filter(
            referral_id=investigation.referral_id, state=wf.ProgrammeState.DRAFT
        )
        .only("pk", "number", "state")
        .first()
    )


# ----------------------------------------------------------------------------- the diff


@dataclass(frozen=True)
class FieldChange:
    label: StrOrPromise
    before: str
    after: str


@dataclass
class MeasureDiff:
    status: str  # "added", "removed", "changed", "unchanged"
    before: MeasureRow | None
    after: MeasureRow | None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def current(self) -> MeasureRow:
        return self.after or self.before  # type: ignore[return-value]


@dataclass
class NeedDiff:
    status: str
    before: NeedRow | None
    after: NeedRow | None
    changes: list[FieldChange] = field(default_factory=list)
    measures: list[MeasureDiff] = field(default_factory=list)

    @property
    def current(self) -> NeedRow:
        return self.after or self.before  # type: ignore[return-value]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _measure_fields() -> tuple[tuple[str, StrOrPromise], ...]:
    return (
        ("description", _("Åtgärd")),
        ("responsible_name", _("Ansvarig")),
        ("extent", _("Omfattning")),
        ("setting_label", _("Organisation")),
        ("special_reasons", _("Särskilda skäl")),
        ("location", _("Plats eller grupp")),
        ("starts_on", _("Från")),
        ("ends_on", _("Till")),
        ("deviations", _("Avvikelser från timplan, ämnen och mål")),
        ("return_plan", _("Hur återgång till ordinarie grupp utvärderas")),
    )


def _changes(
    before: object, after: object, fields: tuple[tuple[str, StrOrPromise], ...]
) -> list[FieldChange]:
    result = []
    for name, caption in fields:
        old, new = _text(getattr(before, name)), _text(getattr(after, name))
        if old != new:
            result.append(FieldChange(caption, old, new))
    return result


def _pair_measures(before: list[MeasureRow], after: list[MeasureRow]) -> list[MeasureDiff]:
    """Same text first; what is left is paired in order as changed, the rest added or removed."""
    fields = _measure_fields()
    left = list(before)
    paired: list[MeasureDiff] = []
    unmatched_after: list[MeasureRow] = []
    for measure in after:
        same = next((old for old in left if old.description == measure.description), None)
        if same is None:
            unmatched_after.append(measure)
            continue
        left.remove(same)
        changes = _changes(same, measure, fields)
        paired.append(MeasureDiff("changed" if changes else "unchanged", same, measure, changes))
    for old, new in zip(left, unmatched_after, strict=False):
        paired.append(MeasureDiff("changed", old, new, _changes(old, new, fields)))
    count = min(len(left), len(unmatched_after))
    paired += [MeasureDiff("added", None, new) for new in unmatched_after[count:]]
    paired += [MeasureDiff("removed", old, None) for old in left[count:]]
    order = {m.id: index for index, m in enumerate(after)}
    return sorted(
        paired, key=lambda d: order.get(d.after.id, len(order)) if d.after else len(order)
    )


def programme_diff(before: list[NeedRow], after: list[NeedRow]) -> list[NeedDiff]:
    """Need by need and measure by measure, what changed between two versions (rule 5).

    A need is the same need when its text is the same, or when both versions carry it over from
    the same need of the investigation; a measure is the same when its text is the same, and the
    measures left over under a need are compared in order.
    """
    need_fields: tuple[tuple[str, StrOrPromise], ...] = (
        ("category_label", _("Behovsområde")),
        ("description", _("Behov")),
    )
    left = list(before)
    result: list[NeedDiff] = []
    for need in after:
        same = next(
            (
                old
                for old in left
                if old.description == need.description
                or (old.source_id is not None and old.source_id == need.source_id)
            ),
            None,
        )
        if same is None:
            result.append(
                NeedDiff(
                    "added",
                    None,
                    need,
                    measures=[MeasureDiff("added", None, m) for m in need.measures],
                )
            )
            continue
        left.remove(same)
        changes = _changes(same, need, need_fields)
        measures = _pair_measures(same.measures, need.measures)
        unchanged = not changes and all(m.status == "unchanged" for m in measures)
        result.append(
            NeedDiff("unchanged" if unchanged else "changed", same, need, changes, measures)
        )
    result += [
        NeedDiff(
            "removed", old, None, measures=[MeasureDiff("removed", m, None) for m in old.measures]
        )
        for old in left
    ]
    return result


def programme_field_changes(before: ActionProgramme, after: ActionProgramme) -> list[FieldChange]:
    """The programme's own fields that differ between two versions (names read from the
    select_related users of programmes())."""

    def person(user: object) -> str:
        return getattr(user, "display_name", "") if user is not None else ""

    pairs: list[tuple[StrOrPromise, object, object]] = [
        (_("Uppföljning"), before.follow_up_on, after.follow_up_on),
        (
            _("Ansvarig för uppföljning"),
            person(before.follow_up_responsible),
            person(after.follow_up_responsible),
        ),
        (_("Utvärdering"), before.evaluation_on, after.evaluation_on),
        (
            _("Ansvarig för utvärdering"),
            person(before.evaluation_responsible),
            person(after.evaluation_responsible),
        ),
        (_("Gäller till"), before.valid_until, after.valid_until),
        (_("Elevens synpunkter"), before.pupil_view, after.pupil_view),
        (_("Vårdnadshavarnas synpunkter"), before.guardian_view, after.guardian_view),
    ]
    return [
        FieldChange(caption, _text(old), _text(new))
        for caption, old, new in pairs
        if _text(old) != _text(new)
    ]
