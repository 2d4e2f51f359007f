"""The action programme (åtgärdsprogram): its measures and where they are given, its states, and
what only a decided programme in force allows (SL 3 kap. 9 §, 11 §, 11 a §, 12 §)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from elevstod.support.workflow.refusals import ALLOWED, Outcome, Refused, gettext_noop
from elevstod.support.workflow.states import MeasureSetting, ProgrammeState, ProgrammeStep

SL_3_9 = "3 kap. 9 § skollagen"
SL_3_11A_2 = "3 kap. 11 a § andra stycket skollagen"


# A measure given in one of these settings is itself a decision the principal may not delegate
# (SL 3 kap. 9 § second paragraph). Values match organisation.duties.DecisionType.
RESERVED_SETTINGS: dict[MeasureSetting, str] = {
    MeasureSetting.SPECIAL_TEACHING_GROUP: "3 kap. 9 § andra stycket 1 skollagen",
    MeasureSetting.INDIVIDUAL_TEACHING: "3 kap. 9 § andra stycket 1 skollagen",
    MeasureSetting.DISTANCE_TEACHING: "3 kap. 9 § andra stycket 2 skollagen",
    MeasureSetting.ADAPTED_STUDY_PATH: "3 kap. 9 § andra stycket 3 skollagen",
}


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"


# The defaults when the huvudman has not set a year's term dates (decision 0015): the autumn
# term ends on the last weekday on or before 20 December, the spring term on the last weekday
# on or before 15 June. The law fixes neither; the huvudman sets the real days.
DEFAULT_LAST_DAY = {Term.AUTUMN: (12, 20), Term.SPRING: (6, 15)}


def default_last_day(academic_year: int, term: Term) -> date:
    """The default last day of a term of the academic year that starts in `academic_year`."""
    month, day = DEFAULT_LAST_DAY[term]
    last = date(academic_year + (term is Term.SPRING), month, day)
    while last.weekday() >= 5:  # Saturday or Sunday: the Friday before
        last -= timedelta(days=1)
    return last


@dataclass(frozen=True)
class TermDates:
    """The last day of each term, as the huvudman (or, where it differs, the unit) has set it:
    (academic year's first calendar year, term, last day). Terms not set take the defaults.

    A day belongs to the first term that ends on or after it, so a break (the summer, the
    Christmas holiday) belongs to the term that follows it.
    """

    set_last_days: tuple[tuple[int, Term, date], ...] = field(default=())

    def last_day(self, academic_year: int, term: Term) -> date:
        for year, set_term, last in self.set_last_days:
            if year == academic_year and set_term is term:
                return last
        return default_last_day(academic_year, term)

    def term_end(self, day: date) -> date:
        """The last day of the term `day` falls in (or, in a break, of the next term)."""
        candidates = (
            self.last_day(year, term)
            for year in (day.year - 2, day.year - 1, day.year)
            for term in Term
        )
        return min(last for last in candidates if last >= day)


DEFAULT_TERMS = TermDates()


def term_end(day: date, terms: TermDates = DEFAULT_TERMS) -> date:
    """The last day of the term `day` falls in, from the huvudman's term dates (SL 3 kap. 11 a §
    says "en termin"; the term is the school's own, not a calendar half-year)."""
    return terms.term_end(day)


@dataclass(frozen=True)
class MeasureFacts:
    has_need: bool
    has_responsible: bool
    setting: MeasureSetting
    starts_on: date | None
    ends_on: date | None
    has_special_reasons: bool  # särskilda skäl / why support cannot reasonably be adapted
    # The term dates of the programme's unit (the huvudman's, or the unit's own).
    terms: TermDates = DEFAULT_TERMS


@dataclass(frozen=True)
class ProgrammeFacts:
    """A programme draft as the decision sees it (SL 3 kap. 9 §; process.md §2.4, §2.7)."""

    needs: int
    measures: tuple[MeasureFacts, ...]
    follow_up_on: date | None
    follow_up_responsible: bool
    evaluation_on: date | None
    evaluation_responsible: bool
    participation_offered: bool  # pupil and guardians offered to take part
    statement_of_reasons: str


MEASURE_WITHOUT_NEED = Refused(
    "programme.measure_without_need",
    gettext_noop("Varje åtgärd ska höra till ett av behoven i programmet."),
    SL_3_9,
)
MEASURE_WITHOUT_RESPONSIBLE = Refused(
    "programme.measure_without_responsible",
    gettext_noop("Ange vem som ansvarar för varje åtgärd."),
    SL_3_9,
)
SPECIAL_REASONS_MISSING = Refused(
    "programme.special_reasons_missing",
    gettext_noop(
        "Ange de särskilda skälen, eller varför stödet inte i rimlig grad kan anpassas, "
        "för åtgärder utanför elevens egen grupp."
    ),
    "3 kap. 11–12 §§ skollagen",
)
DECIDED_IS_LOCKED = Refused(
    "programme.decided_is_locked",
    gettext_noop(
        "Ett beslutat åtgärdsprogram ändras inte. Gör en revidering – den blir ett nytt "
        "beslut som går att överklaga."
    ),
    SL_3_9,
)
# Follow-up, evaluation, revision and closure concern the programme that has been decided and
# is in force (SL 3 kap. 9 §).
NOT_IN_FORCE = {
    step: Refused("programme.not_in_force", message, SL_3_9)
    for step, message in (
        (ProgrammeStep.CLOSE, gettext_noop("Bara ett gällande åtgärdsprogram kan avslutas.")),
        (ProgrammeStep.REVISE, gettext_noop("Bara ett gällande åtgärdsprogram kan revideras.")),
        (ProgrammeStep.FOLLOW_UP, gettext_noop("Bara ett gällande åtgärdsprogram följs upp.")),
    )
}


def measure_outcome(measure: MeasureFacts, decided_on: date) -> Outcome:
    if not measure.has_need:
        return MEASURE_WITHOUT_NEED
    if not measure.has_responsible:
        return MEASURE_WITHOUT_RESPONSIBLE
    if measure.setting in RESERVED_SETTINGS and not measure.has_special_reasons:
        return SPECIAL_REASONS_MISSING
    if measure.setting is MeasureSetting.DISTANCE_TEACHING:
        return distance_period_outcome(
            measure.starts_on, measure.ends_on, decided_on, terms=measure.terms
        )
    return ALLOWED


# A distance-teaching decision is for this term or the next (a decision in December for the
# spring term); a start further off than a school year is a mistyped date.
DISTANCE_START_WITHIN_DAYS = 366


def distance_period_outcome(
    starts_on: date | None,
    ends_on: date | None,
    decided_on: date,
    *,
    terms: TermDates = DEFAULT_TERMS,
) -> Outcome:
    """A decision on distance teaching covers at most one term at a time (SL 3 kap. 11 a §
    second paragraph): the period runs from the decision, never before it, and lies within one
    term — the term it starts in, which may be the next one (a decision in December for the
    spring term is lawful). A period already over decides nothing. The term is the school's
    own (`terms`, the huvudman's term dates), and a refusal names its real last day."""
    start = starts_on or decided_on
    if start > decided_on + timedelta(days=DISTANCE_START_WITHIN_DAYS):
        return Refused(
            "programme.distance_starts_too_late",
            gettext_noop(
                "Ett beslut om distansundervisning gäller den termin som börjar närmast. Ange "
                "ett startdatum senast %(latest)s."
            ),
            SL_3_11A_2,
            params=(
                (
                    "latest",
                    (decided_on + timedelta(days=DISTANCE_START_WITHIN_DAYS)).isoformat(),
                ),
            ),
        )
    last_day = terms.term_end(max(start, decided_on))
    until = (("term_end", last_day.isoformat()),)
    if start < decided_on:
        return Refused(
            "programme.distance_starts_before_decision",
            gettext_noop(
                "Distansundervisningen kan inte börja före beslutet. Ange ett startdatum från "
                "och med %(decided_on)s."
            ),
            "3 kap. 11 a § skollagen",
            params=(("decided_on", decided_on.isoformat()),),
        )
    if ends_on is not None and ends_on < start:
        message = gettext_noop(
            "Perioden för distansundervisningen är redan slut eller slutar före den börjar. "
            "Ange en period inom terminen, senast %(term_end)s."
        )
        return Refused("programme.distance_period_expired", message, SL_3_11A_2, until)
    if ends_on is None or ends_on > last_day:
        message = gettext_noop(
            "Ett beslut om distansundervisning får avse högst en termin åt gången. Ange "
            "ett slutdatum senast %(term_end)s."
        )
        return Refused("programme.distance_over_one_term", message, SL_3_11A_2, until)
    return ALLOWED


def may_edit_programme(state: ProgrammeState) -> Outcome:
    """A decided programme is never edited in place; a revision is a new decision."""
    return DECIDED_IS_LOCKED if state is not ProgrammeState.DRAFT else ALLOWED


def may_act_on_programme(state: ProgrammeState, step: ProgrammeStep) -> Outcome:
    """Follow-up, evaluation, revision and closure concern the programme that has been decided
    and is in force (SL 3 kap. 9 §)."""
    return NOT_IN_FORCE[step] if state is not ProgrammeState.IN_FORCE else ALLOWED
