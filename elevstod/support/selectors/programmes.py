"""Reads for the action programme's pages: its needs and measures, versions, history and diff.

The programme itself comes through the one door (elevstod.access.records.PROGRAMMES), which
loads it with its decisions, responsible people, needs and measures; `content_of` reads those.
Every further list a page shows is one query and never grows with the rows it holds; the counts
are pinned at two data sizes in elevstod/support/tests/test_views_programme.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Concat, TruncDate
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.accounts.models import User
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
    MEASURE_FIELDS,
    ActionProgramme,
    FollowUp,
    ParticipantView,
    ProgrammeMeasure,
    ProgrammeNeed,
    RecipientKind,
)
from elevstod.support.staff import Choice


def _display_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """User.display_name for rows read with values(): the full name, else the username."""
    full = f"{first_name or ''} {last_name or ''}".strip()
    return full or (username or "")


# ----------------------------------------------------------------------------- the programme


def provider_deadlines(programme: ActionProgramme) -> wf.DeadlineSettings:
    """services.deadlines_for, read from the row the door already joined."""
    try:
        return programme.school_unit.provider.deadlines.as_settings()
    except ObjectDoesNotExist:
        return wf.DEFAULT_DEADLINES


def programme_version(programme_id: uuid.UUID) -> ActionProgramme:
    """Another version of a programme the user already reached, with its responsible people."""
    return ActionProgramme.objects.select_related(
        "follow_up_responsible", "evaluation_responsible"
    ).get(pk=programme_id)


def revision_of(programme: ActionProgramme) -> ActionProgramme | None:
    """The draft revision started from a programme in force, if any."""
    return ActionProgramme.objects.filter(previous=programme).only("pk", "number").first()


def draft_programme_of_case(referral_id: uuid.UUID) -> ActionProgramme | None:
    """The case's programme draft, if any: whichever investigation or revision started it, a
    programme is decided when it is ready, not drafted twice."""
    return (
        ActionProgramme.objects.filter(referral_id=referral_id, state=wf.ProgrammeState.DRAFT)
        .only("pk", "number", "state")
        .first()
    )


def people_named_in(programme: ActionProgramme) -> list[Choice]:
    """Everyone saved on the programme (responsible for its follow-up, its evaluation or a
    measure), as choices: the editor keeps offering them after their duty ends. One query."""
    people = User.objects.filter(pk__in=named_in(programme))
    return [(str(user.pk), user.display_name) for user in people]


def named_in(programme: ActionProgramme) -> QuerySet[Any]:
    """The ids of the users saved on the programme (people_named_in), as one subquery: a UNION
    ALL, since an OR of the programme's own ids and its measures' made PostgreSQL read every
    user (issue 12)."""
    named = [
        pk for pk in (programme.follow_up_responsible_id, programme.evaluation_responsible_id) if pk
    ]
    measures = (
        ProgrammeMeasure.objects.filter(programme_id=programme.pk, responsible_id__isnull=False)
        .order_by()
        .values("responsible_id")
    )
    if not named:
        return measures
    return User.objects.filter(pk__in=named).order_by().values("pk").union(measures, all=True)


# ----------------------------------------------------------------------------- needs and measures


@dataclass(frozen=True)
class MeasureRow:
    """One measure as pages show it (ProgrammeMeasure, read with its need and responsible)."""

    id: uuid.UUID
    need_id: uuid.UUID
    description: str
    responsible_id: uuid.UUID | None
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
    def period(self) -> str:
        """From and to, "…" for an open end, "–" for neither."""
        if self.starts_on is None and self.ends_on is None:
            return "–"
        return f"{_text(self.starts_on) or '…'} – {_text(self.ends_on) or '…'}"

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
    "measures__responsible_id",
    "measures__responsible__first_name",
    "measures__responsible__last_name",
    "measures__responsible__username",
    *(f"measures__{name}" for name in MEASURE_FIELDS),
)


def programme_content(programme_id: uuid.UUID) -> list[NeedRow]:
    """The programme's needs, each with its measures, in one query: for a version the page did
    not load through the door (the one saved by someone else meanwhile, the previous one).

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
                row["pk"], row["category"], row["description"], row["source_id"]
            )
        if row["measures__pk"] is None:
            continue
        need.measures.append(
            MeasureRow(
                id=row["measures__pk"],
                need_id=row["pk"],
                responsible_id=row["measures__responsible_id"],
                responsible_name=_display_name(
                    row["measures__responsible__first_name"],
                    row["measures__responsible__last_name"],
                    row["measures__responsible__username"],
                ),
                **{name: row[f"measures__{name}"] for name in MEASURE_FIELDS},
            )
        )
    return list(needs.values())


def content_of(programme: ActionProgramme) -> list[NeedRow]:
    """The needs and measures of a programme the door loaded, from what it prefetched (needs;
    measures with their responsible, in order): no query."""
    needs = {
        need.pk: NeedRow(need.pk, need.category, need.description, need.source_id)
        for need in programme.needs.all()
    }
    for measure in programme.measures.all():
        responsible = measure.responsible
        needs[measure.need_id].measures.append(
            MeasureRow(
                id=measure.pk,
                need_id=measure.need_id,
                responsible_id=measure.responsible_id,
                responsible_name=responsible.display_name if responsible else "",
                **{name: getattr(measure, name) for name in MEASURE_FIELDS},
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
        NeedRow(need.id, need.category, need.description, need.source_id, own_first(need.measures))
        for need in content
    ]
    return sorted(
        needs, key=lambda need: not any(m.responsible_id == user_id for m in need.measures)
    )


def own_measures(content: list[NeedRow], user_id: uuid.UUID | None) -> list[MeasureRow]:
    """The measures the user is responsible for, in the programme's order."""
    return [m for m in measures_of(content) if user_id is not None and m.responsible_id == user_id]


# ----------------------------------------------------------------------------- follow-ups, versions


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


def _history_columns(author: str, **columns: object) -> dict[str, object]:
    """The union's columns, matched by position, so both sides annotate in this order."""
    text: CharField[Any, Any] = CharField()
    named = {
        **columns,
        "entry_id": F("pk"),
        "author_": Concat(
            f"{author}__first_name", Value(" "), f"{author}__last_name", output_field=text
        ),
        "at_": F("created_at"),
    }
    return {name: named[name] for name in HISTORY_COLUMNS}


def programme_history(programme_id: uuid.UUID) -> list[HistoryEntry]:
    """Follow-ups and evaluations of the programme and the views the pupil and guardians added,
    newest first, in one UNION query."""
    text: CharField[Any, Any] = CharField()
    follow_ups = (
        FollowUp.objects.filter(programme_id=programme_id)
        .annotate(
            **_history_columns(
                "created_by",
                entry=Value("follow_up", output_field=text),
                day=F("held_on"),
                kind_=F("kind"),
                outcome_=F("outcome"),
                text_=F("summary"),
            )
        )
        .order_by()  # the models' default ordering is not allowed inside a UNION
        .values_list(*HISTORY_COLUMNS)
    )
    views = (
        ParticipantView.objects.filter(programme_id=programme_id)
        .annotate(
            **_history_columns(
                "author",
                entry=Value("view", output_field=text),
                day=TruncDate("created_at"),
                kind_=F("author_kind"),
                outcome_=Value("", output_field=text),
                text_=F("text"),
            )
        )
        .order_by()
        .values_list(*HISTORY_COLUMNS)
    )
    entries = [HistoryEntry(*row) for row in follow_ups.union(views, all=True)]
    return sorted(entries, key=lambda entry: (entry.day, entry.at), reverse=True)


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
    def current(self) -> MeasureRow | None:
        return self.after or self.before


@dataclass
class NeedDiff:
    status: str
    before: NeedRow | None
    after: NeedRow | None
    changes: list[FieldChange] = field(default_factory=list)
    measures: list[MeasureDiff] = field(default_factory=list)

    @property
    def current(self) -> NeedRow | None:
        return self.after or self.before


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


def _same_need(old: NeedRow, new: NeedRow) -> bool:
    """The same text, or carried over from the same need of the investigation."""
    return old.description == new.description or (
        old.source_id is not None and old.source_id == new.source_id
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
        same = next((old for old in left if _same_need(old, need)), None)
        if same is None:
            added = [MeasureDiff("added", None, m) for m in need.measures]
            result.append(NeedDiff("added", None, need, measures=added))
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
    select_related users of both versions)."""

    def person(user: User | None) -> str:
        return user.display_name if user is not None else ""

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
