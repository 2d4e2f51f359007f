"""Loading one unit's chain for a stretch of time as the plain rows elevstod.quality.figures
computes from: one query per record type, only the columns the figures use."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import BaseExpression

from elevstod.organisation.models import GroupKind
from elevstod.people.models import GroupMembership, Placement
from elevstod.quality import figures as f
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Decision,
    FollowUp,
    Investigation,
    MeasureReview,
    ParticipantView,
    ProgrammeMeasure,
    ProgrammeNeed,
    RecipientKind,
    Referral,
)

# A decision made before the period can be served in it (decision → service).
_LOOKBACK = timedelta(days=120)


def _written(field: str) -> ExpressionWrapper:
    """True when a text field holds something: the figures need the fact, never the text."""
    return ExpressionWrapper(~Q(**{field: ""}), output_field=BooleanField())


def _overlaps(start_field: str, end_field: str, first: date, last: date) -> Q:
    return Q(**{f"{start_field}__lte": last}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": first})
    )


def load_unit_data(unit_id: uuid.UUID, first: date, last: date) -> f.UnitData:
    """Every row of the unit's chain that touches [first, last]."""
    programmes = _programmes(unit_id, first, last)
    return f.UnitData(
        placements=_placements(unit_id, first, last),
        adaptations=_adaptations(unit_id, first, last),
        evaluations=_evaluations(unit_id, first, last),
        referrals=_referrals(unit_id, last),
        investigations=_investigations(unit_id, first, last),
        decisions=_decisions(unit_id, first, last),
        programmes=programmes,
        needs=_needs(unit_id, {programme.id for programme in programmes}),
        follow_ups=_follow_ups(unit_id, first, last),
        reviews=_reviews(unit_id, first, last),
        first_answer=_first_answers(unit_id, last),
    )


def _placements(unit_id: uuid.UUID, first: date, last: date) -> list[f.PlacementRow]:
    """Placements at the unit in the stretch, each with the pupil's class that school year."""
    classes = dict(
        GroupMembership.objects.filter(
            group__school_unit_id=unit_id,
            group__kind=GroupKind.CLASS,
            group__academic_year__starts_on__lte=last,
            group__academic_year__ends_on__gte=first,
        ).values_list("pupil_id", "group__name")
    )
    return [
        f.PlacementRow(pupil, grade, starts, ends, gender, classes.get(pupil, ""))
        for pupil, grade, starts, ends, gender in Placement.objects.filter(
            _overlaps("starts_on", "ends_on", first, last), school_unit_id=unit_id
        ).values_list("pupil_id", "grade", "starts_on", "ends_on", "pupil__gender")
    ]


def _adaptations(unit_id: uuid.UUID, first: date, last: date) -> list[f.AdaptationRow]:
    """Extra adaptations in force in the stretch, and whether a report to the principal
    includes them."""
    referred = set(
        Referral.adaptations.through.objects.filter(adaptation__school_unit_id=unit_id).values_list(
            "adaptation_id", flat=True
        )
    )
    rows = Adaptation.objects.filter(
        _overlaps("starts_on", "ended_on", first, last), school_unit_id=unit_id
    ).values_list(
        "id",
        "pupil_id",
        "starts_on",
        "ended_on",
        "subject",
        "need_categories",
        "concern_id",
        "concern__raised_on",
    )
    return [
        f.AdaptationRow(
            id_, pupil, starts, ended, subject, tuple(needs or ()), concern, raised, id_ in referred
        )
        for id_, pupil, starts, ended, subject, needs, concern, raised in rows
    ]


def _first_answers(unit_id: uuid.UUID, last: date) -> dict[uuid.UUID, date]:
    """The day each concern got its first adaptation, even one that ended before the stretch."""
    return dict(
        Adaptation.objects.filter(
            school_unit_id=unit_id, concern__isnull=False, concern__raised_on__lte=last
        )
        .values("concern_id")
        .annotate(first=Min("starts_on"))
        .values_list("concern_id", "first")
    )


def _evaluations(unit_id: uuid.UUID, first: date, last: date) -> list[f.EvaluationRow]:
    return [
        f.EvaluationRow(*row)
        for row in AdaptationEvaluation.objects.filter(
            adaptation__school_unit_id=unit_id, evaluated_on__range=(first, last)
        )
        .annotate(has_view=_written("pupil_view"))
        .values_list("adaptation_id", "evaluated_on", "effect", "has_view")
    ]


def _referrals(unit_id: uuid.UUID, last: date) -> list[f.ReferralRow]:
    return [
        f.ReferralRow(*row)
        for row in Referral.objects.filter(
            school_unit_id=unit_id, reported_on__lte=last
        ).values_list("id", "pupil_id", "reported_on")
    ]


def _investigations(unit_id: uuid.UUID, first: date, last: date) -> list[f.InvestigationRow]:
    """Investigations opened or assessed in the stretch."""
    return [
        f.InvestigationRow(*row)
        for row in Investigation.objects.filter(school_unit_id=unit_id)
        .filter(Q(opened_on__range=(first, last)) | Q(assessed_on__range=(first, last)))
        .annotate(has_pupil=_written("pupil_view"), has_guardian=_written("guardian_view"))
        .values_list(
            "id",
            "pupil_id",
            "referral__reported_on",
            "opened_on",
            "assessed_on",
            "has_pupil",
            "has_guardian",
        )
    ]


def _decisions(unit_id: uuid.UUID, first: date, last: date) -> list[f.DecisionRow]:
    """Decisions up to the stretch's end, from far enough back to be served in it."""
    return [
        f.DecisionRow(*row)
        for row in Decision.objects.filter(school_unit_id=unit_id, decided_on__lte=last)
        .filter(decided_on__gte=first - _LOOKBACK)
        .annotate(first_received=Min("services__received_on"))
        .values_list(
            "id",
            "pupil_id",
            "kind",
            "decided_on",
            "investigation_id",
            "investigation__assessed_on",
            "first_received",
        )
    ]


# Whether the pupil's and the guardians' views are recorded: written into the record, or added
# to it afterwards as a participant view. Read last in each row, in this order.
_VIEW_COLUMNS = ("has_pupil", "has_guardian", "pupil_added", "guardian_added")


def _views_recorded(added: QuerySet[ParticipantView]) -> dict[str, BaseExpression]:
    """The `_VIEW_COLUMNS` of a record, whose views added afterwards are `added`."""
    return {
        "has_pupil": _written("pupil_view"),
        "has_guardian": _written("guardian_view"),
        "pupil_added": Exists(added.filter(author_kind=RecipientKind.PUPIL)),
        "guardian_added": Exists(added.filter(author_kind=RecipientKind.GUARDIAN)),
    }


def _recorded(views: list[bool]) -> tuple[bool, bool]:
    """The pupil's and the guardians' view recorded, from the `_VIEW_COLUMNS` of a row."""
    has_pupil, has_guardian, pupil_added, guardian_added = views
    return has_pupil or pupil_added, has_guardian or guardian_added


def _programmes(unit_id: uuid.UUID, first: date, last: date) -> list[f.ProgrammeRow]:
    """Decided programmes in force at some time in the stretch."""
    rows = (
        ActionProgramme.objects.filter(school_unit_id=unit_id, in_force_from__lte=last)
        .exclude(state__in=(wf.ProgrammeState.DRAFT, wf.ProgrammeState.LAPSED))
        .filter(
            Q(state=wf.ProgrammeState.IN_FORCE)
            | Q(valid_until__gte=first)
            | Q(next_version__in_force_from__gte=first)
        )
        .annotate(**_views_recorded(ParticipantView.objects.filter(programme_id=OuterRef("pk"))))
        .values_list(
            "id",
            "pupil_id",
            "state",
            "in_force_from",
            "valid_until",
            "next_version__in_force_from",
            "follow_up_on",
            *_VIEW_COLUMNS,
        )
    )
    return [
        f.ProgrammeRow(
            id_,
            pupil,
            state,
            in_force_from,
            _programme_end(state, valid_until, next_from),
            follow_up_on,
            *_recorded(views),
        )
        for id_, pupil, state, in_force_from, valid_until, next_from, follow_up_on, *views in rows
    ]


def _needs(unit_id: uuid.UUID, programme_ids: set[uuid.UUID]) -> list[f.NeedRow]:
    """The needs of the programmes loaded, each with whether a measure answers it."""
    return [
        f.NeedRow(programme, category, 1 if has_measure else 0)
        for programme, category, has_measure in ProgrammeNeed.objects.filter(
            programme__school_unit_id=unit_id, programme_id__in=programme_ids
        )
        .annotate(has_measure=Exists(ProgrammeMeasure.objects.filter(need_id=OuterRef("pk"))))
        .values_list("programme_id", "category", "has_measure")
    ]


def _follow_ups(unit_id: uuid.UUID, first: date, last: date) -> list[f.FollowUpRow]:
    """Follow-ups of programmes held in the stretch."""
    rows = (
        FollowUp.objects.filter(school_unit_id=unit_id, held_on__range=(first, last))
        .annotate(**_views_recorded(ParticipantView.objects.filter(follow_up_id=OuterRef("pk"))))
        .values_list("id", "pupil_id", "programme_id", "held_on", "outcome", *_VIEW_COLUMNS)
    )
    return [
        f.FollowUpRow(id_, pupil, programme, held_on, outcome, *_recorded(views))
        for id_, pupil, programme, held_on, outcome, *views in rows
    ]


def _reviews(unit_id: uuid.UUID, first: date, last: date) -> list[f.ReviewRow]:
    """The measures' effects as assessed at the follow-ups held in the stretch."""
    return [
        f.ReviewRow(*row)
        for row in MeasureReview.objects.filter(
            follow_up__school_unit_id=unit_id, follow_up__held_on__range=(first, last)
        ).values_list(
            "follow_up_id",
            "follow_up__pupil_id",
            "effect",
            "measure__setting",
            "measure__need__category",
        )
    ]


def _programme_end(state: str, valid_until: date | None, next_from: date | None) -> date | None:
    """The day a programme stopped being in force: a closing decision sets valid_until
    (services.programme_close), a revision supersedes it from the next version's first day."""
    if state == wf.ProgrammeState.SUPERSEDED:
        return next_from or valid_until
    if state == wf.ProgrammeState.CLOSED:
        return valid_until
    return None
