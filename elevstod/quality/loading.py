"""Loading one unit's chain for a stretch of time as the plain rows elevstod.quality.figures
computes from: one query per record type, only the columns the figures use."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, Min, OuterRef, Q

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
    classes = dict(
        GroupMembership.objects.filter(
            group__school_unit_id=unit_id,
            group__kind=GroupKind.CLASS,
            group__academic_year__starts_on__lte=last,
            group__academic_year__ends_on__gte=first,
        ).values_list("pupil_id", "group__name")
    )
    placements = [
        f.PlacementRow(pupil, grade, starts, ends, gender, classes.get(pupil, ""))
        for pupil, grade, starts, ends, gender in Placement.objects.filter(
            _overlaps("starts_on", "ends_on", first, last), school_unit_id=unit_id
        ).values_list("pupil_id", "grade", "starts_on", "ends_on", "pupil__gender")
    ]
    referred = set(
        Referral.adaptations.through.objects.filter(adaptation__school_unit_id=unit_id).values_list(
            "adaptation_id", flat=True
        )
    )
    adaptations = [
        f.AdaptationRow(
            id=row[0],
            pupil=row[1],
            starts_on=row[2],
            ended_on=row[3],
            subject=row[4],
            need_categories=tuple(row[5] or ()),
            concern=row[6],
            concern_raised_on=row[7],
            referred=row[0] in referred,
        )
        for row in Adaptation.objects.filter(
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
    ]
    first_answer = dict(
        Adaptation.objects.filter(
            school_unit_id=unit_id, concern__isnull=False, concern__raised_on__lte=last
        )
        .values("concern_id")
        .annotate(first=Min("starts_on"))
        .values_list("concern_id", "first")
    )
    evaluations = [
        f.EvaluationRow(*row)
        for row in AdaptationEvaluation.objects.filter(
            adaptation__school_unit_id=unit_id, evaluated_on__range=(first, last)
        )
        .annotate(has_view=_written("pupil_view"))
        .values_list("adaptation_id", "evaluated_on", "effect", "has_view")
    ]
    referrals = [
        f.ReferralRow(*row)
        for row in Referral.objects.filter(
            school_unit_id=unit_id, reported_on__lte=last
        ).values_list("id", "pupil_id", "reported_on")
    ]
    investigations = [
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
    decisions = [
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
    views = ParticipantView.objects.filter(programme_id=OuterRef("pk"))
    programmes = [
        f.ProgrammeRow(
            id=row[0],
            pupil=row[1],
            state=row[2],
            in_force_from=row[3],
            ends_on=_programme_end(row[2], row[4], row[5]),
            follow_up_on=row[6],
            pupil_view=row[7] or row[9],
            guardian_view=row[8] or row[10],
        )
        for row in ActionProgramme.objects.filter(school_unit_id=unit_id, in_force_from__lte=last)
        .exclude(state__in=(wf.ProgrammeState.DRAFT, wf.ProgrammeState.LAPSED))
        .filter(
            Q(state=wf.ProgrammeState.IN_FORCE)
            | Q(valid_until__gte=first)
            | Q(next_version__in_force_from__gte=first)
        )
        .annotate(
            has_pupil=_written("pupil_view"),
            has_guardian=_written("guardian_view"),
            pupil_added=Exists(views.filter(author_kind=RecipientKind.PUPIL)),
            guardian_added=Exists(views.filter(author_kind=RecipientKind.GUARDIAN)),
        )
        .values_list(
            "id",
            "pupil_id",
            "state",
            "in_force_from",
            "valid_until",
            "next_version__in_force_from",
            "follow_up_on",
            "has_pupil",
            "has_guardian",
            "pupil_added",
            "guardian_added",
        )
    ]
    shown = {p.id for p in programmes}
    needs = list(
        ProgrammeNeed.objects.filter(programme__school_unit_id=unit_id, programme_id__in=shown)
        .annotate(has_measure=Exists(ProgrammeMeasure.objects.filter(need_id=OuterRef("pk"))))
        .values_list("programme_id", "category", "has_measure")
    )
    follow_up_views = ParticipantView.objects.filter(follow_up_id=OuterRef("pk"))
    follow_ups = [
        f.FollowUpRow(
            id=row[0],
            pupil=row[1],
            programme=row[2],
            held_on=row[3],
            outcome=row[4],
            pupil_view=row[5] or row[7],
            guardian_view=row[6] or row[8],
        )
        for row in FollowUp.objects.filter(school_unit_id=unit_id, held_on__range=(first, last))
        .annotate(
            has_pupil=_written("pupil_view"),
            has_guardian=_written("guardian_view"),
            pupil_added=Exists(follow_up_views.filter(author_kind=RecipientKind.PUPIL)),
            guardian_added=Exists(follow_up_views.filter(author_kind=RecipientKind.GUARDIAN)),
        )
        .values_list(
            "id",
            "pupil_id",
            "programme_id",
            "held_on",
            "outcome",
            "has_pupil",
            "has_guardian",
            "pupil_added",
            "guardian_added",
        )
    ]
    reviews = [
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
    return f.UnitData(
        placements=placements,
        adaptations=adaptations,
        evaluations=evaluations,
        referrals=referrals,
        investigations=investigations,
        decisions=decisions,
        programmes=programmes,
        needs=[f.NeedRow(p, c, 1 if has else 0) for p, c, has in needs],
        follow_ups=follow_ups,
        reviews=reviews,
        first_answer=first_answer,
    )


def _programme_end(state: str, valid_until: date | None, next_from: date | None) -> date | None:
    """The day a programme stopped being in force: a closing decision sets valid_until
    (services.programme_close), a revision supersedes it from the next version's first day."""
    if state == wf.ProgrammeState.SUPERSEDED:
        return next_from or valid_until
    if state == wf.ProgrammeState.CLOSED:
        return valid_until
    return None
