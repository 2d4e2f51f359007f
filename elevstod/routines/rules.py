"""The rules of routines and deviation reports, as tables and small pure functions.

Services ask these; pages and the reminder job read the same answers, so what stands out in the
list is exactly what the reminder e-mail is about.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.routines.models import DeviationStatus, RoutineCategory

# A routine whose review date is this close, or has passed, stands out and is reminded about.
REVIEW_WARNING_DAYS = 30
# The next review is proposed a year ahead: the seed asks for regular review (seed 001 § 9).
DEFAULT_REVIEW_INTERVAL_DAYS = 365
# A review date further away than this is a typing error, not a plan.
MAX_REVIEW_INTERVAL_DAYS = 3 * 365


# The routines the quality system requires, with where the seed asks for them (seed 001).
# "Annat" is the only category that is not required.
REQUIRED_CATEGORIES: dict[str, StrOrPromise] = {
    RoutineCategory.INVESTIGATION: _(
        "Arbetsprocess och rutiner ska finnas för skolans utredning av elever i behov av "
        "särskilt stöd och specialpedagogens roll i den (kvalitetssystemet § 7)."
    ),
    RoutineCategory.PUPIL_HEALTH_TEAM: _(
        "Elevhälsoteamet ska utveckla arbetsformer, och kvalitetssystemet kräver dokumenterade "
        "rutiner (§§ 1, 7)."
    ),
    RoutineCategory.COLLABORATION: _(
        "Rutiner ska finnas för samarbete mellan elevhälsans yrkesgrupper och övrig personal (§ 7)."
    ),
    RoutineCategory.EARLY_DETECTION: _(
        "Elevhälsoteamet ska utveckla arbetsformer för tidig upptäckt och stöd (§ 7)."
    ),
    RoutineCategory.SOCIAL_SERVICES: _(
        "Skolans rutiner för extern samverkan med socialtjänsten ska följas (§ 7)."
    ),
    RoutineCategory.CHILD_PSYCHIATRY: _(
        "Skolans rutiner för extern samverkan med BUP ska följas (§ 7)."
    ),
    RoutineCategory.HABILITATION: _(
        "Skolans rutiner för extern samverkan med habiliteringen ska följas (§ 7)."
    ),
    RoutineCategory.DEVIATION_REPORTING: _(
        "Samverkansproblem ska rapporteras som avvikelser enligt BUS-överenskommelsen; "
        "verksamheterna beslutar lokalt vem som rapporterar och vilka chefer som ansvarar."
    ),
    RoutineCategory.FOLLOW_UP: _(
        "Rutiner ska finnas för att regelbundet följa upp och utvärdera resultatet av "
        "specialpedagogens och speciallärarens arbete (§ 9)."
    ),
}


class ReviewState(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def review_state(review_by: date, today: date) -> ReviewState:
    """Overdue once the review date has passed; due soon within REVIEW_WARNING_DAYS."""
    if review_by < today:
        return ReviewState.OVERDUE
    if review_by <= today + timedelta(days=REVIEW_WARNING_DAYS):
        return ReviewState.DUE_SOON
    return ReviewState.OK


def reminder_horizon(today: date) -> date:
    """Routines with a review date on or before this day are reminded about."""
    return today + timedelta(days=REVIEW_WARNING_DAYS)


def missing_categories(present: set[str]) -> list[str]:
    """The required categories with no routine among `present`, in the seed's order."""
    return [category for category in REQUIRED_CATEGORIES if category not in present]


# ----------------------------------------------------------------------------- deviations

# The handling of a deviation report (seed 001, last page): the responsible manager takes it
# up, reports what cannot be solved to the BUS secretariat at KSL, and closes it with an
# outcome. A report may be closed at any point before (for example when it was solved after
# all); a closed report stays closed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DeviationStatus.REPORTED: (
        DeviationStatus.UNDER_HANDLING,
        DeviationStatus.REPORTED_TO_KSL,
        DeviationStatus.CLOSED,
    ),
    DeviationStatus.UNDER_HANDLING: (DeviationStatus.REPORTED_TO_KSL, DeviationStatus.CLOSED),
    DeviationStatus.REPORTED_TO_KSL: (DeviationStatus.CLOSED,),
    DeviationStatus.CLOSED: (),
}

# What a status needs before it may be set: the date it went to KSL, or the outcome.
REQUIRES_KSL_DATE = frozenset({DeviationStatus.REPORTED_TO_KSL})
REQUIRES_OUTCOME = frozenset({DeviationStatus.CLOSED})


def next_statuses(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in next_statuses(from_status)
