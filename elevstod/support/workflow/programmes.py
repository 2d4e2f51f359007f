"""The action programme (åtgärdsprogram): its measures and where they are given, its states, and
what only a decided programme in force allows (SL 3 kap. 9 §, 11 §, 11 a §, 12 §)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


@dataclass(frozen=True)
class MeasureFacts:
    has_need: bool
    has_responsible: bool
    setting: MeasureSetting
    starts_on: date | None
    ends_on: date | None
    has_special_reasons: bool  # särskilda skäl / why support cannot reasonably be adapted


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


def term_end(day: date) -> date:
    """The last day of the term `day` falls in: spring to 30 June, autumn to 31 December.

    Calendar halves stand in for the school's own term dates, which the law does not fix.
    """
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def measure_outcome(measure: MeasureFacts, decided_on: date) -> Outcome:
    if not measure.has_need:
        return MEASURE_WITHOUT_NEED
    if not measure.has_responsible:
        return MEASURE_WITHOUT_RESPONSIBLE
    if measure.setting in RESERVED_SETTINGS and not measure.has_special_reasons:
        return SPECIAL_REASONS_MISSING
    if measure.setting is MeasureSetting.DISTANCE_TEACHING:
        return distance_period_outcome(measure.starts_on, measure.ends_on, decided_on)
    return ALLOWED


def distance_period_outcome(
    starts_on: date | None, ends_on: date | None, decided_on: date
) -> Outcome:
    """A decision on distance teaching covers at most one term at a time (SL 3 kap. 11 a §
    second paragraph): the period runs from the decision, never before it, and lies within one
    term — the term it starts in, which may be the next one (a decision in December for the
    spring term is lawful). A period already over decides nothing."""
    start = starts_on or decided_on
    last_day = term_end(max(start, decided_on))
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
