"""Extra adaptations: tried, evaluated, continued, changed, ended or reported on
(SL 3 kap. 5 §; process.md §2.2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from elevstod.support.workflow.refusals import (
    ALLOWED,
    Outcome,
    Refused,
    gettext_noop,
    refused_where,
)
from elevstod.support.workflow.states import AdaptationNextStep, AdaptationState

SL_3_5 = "3 kap. 5 § skollagen"
# How far ahead an adaptation's days may lie. Extra adaptations are given skyndsamt (SL 3 kap.
# 5 §) and evaluated within weeks (process.md §3): a day more than a year ahead is a typing
# error, and a day like 9999-12-31 is refused here rather than computed on.
HORIZON = timedelta(days=366)

ADAPTATION_ENDED = Refused("adaptation.ended", gettext_noop("Anpassningen är avslutad."), SL_3_5)
NEXT_EVALUATION_MISSING = Refused(
    "adaptation.next_evaluation_missing",
    gettext_noop("Ange ett kommande datum för nästa utvärdering."),
    SL_3_5,
)
NEXT_EVALUATION_TOO_LATE = Refused(
    "adaptation.next_evaluation_too_late",
    gettext_noop(
        "Nästa utvärdering ligger mer än ett år fram i tiden. Planera den inom ett år, så att "
        "skolan ser om anpassningen hjälper."
    ),
    SL_3_5,
)
STARTS_BEFORE_BIRTH = Refused(
    "adaptation.starts_before_birth",
    gettext_noop("Startdatumet ligger före elevens födelsedag (%(born_on)s). Kontrollera datumet."),
    SL_3_5,
)
STARTS_TOO_LATE = Refused(
    "adaptation.starts_too_late",
    gettext_noop(
        "Startdatumet ligger mer än ett år fram i tiden. En extra anpassning ges skyndsamt; "
        "kontrollera datumet."
    ),
    SL_3_5,
)
EVALUATION_OUT_OF_RANGE = Refused(
    "adaptation.evaluation_out_of_range",
    gettext_noop(
        "Den planerade utvärderingen kan inte ligga före elevens födelsedag eller mer än ett år "
        "fram i tiden. Planera den inom ett år, så att skolan ser om anpassningen hjälper."
    ),
    SL_3_5,
)
INFORMED_OUT_OF_RANGE = Refused(
    "adaptation.informed_out_of_range",
    gettext_noop(
        "Dagen då vårdnadshavarna informerades kan inte ligga i framtiden eller före elevens "
        "födelsedag. Kontrollera datumet."
    ),
    SL_3_5,
)

# Which field of the adaptation form each date rule is about (forms show it there).
DATE_RULE_FIELDS = {
    STARTS_BEFORE_BIRTH.rule: "starts_on",
    STARTS_TOO_LATE.rule: "starts_on",
    EVALUATION_OUT_OF_RANGE.rule: "evaluate_on",
    INFORMED_OUT_OF_RANGE.rule: "guardian_informed_on",
}


def may_date_adaptation(
    *,
    starts_on: date,
    evaluate_on: date | None,
    guardian_informed_on: date | None = None,
    born_on: date,
    today: date,
) -> Outcome:
    """An adaptation's days are days that can be: it starts on or after the pupil's birth and
    within a year, its evaluation is planned between the pupil's birth and a year from today,
    and the guardians were informed on a day between the pupil's birth and today.

    Comparisons and differences of days only, so no arithmetic overflows on an absurd day
    (0001-01-01, 9999-12-31). `evaluate_on` None: to be computed by the caller, after this
    check. That the evaluation comes after the start is the form's check (an evaluation
    planned earlier is overdue, not impossible, and records are made so in tests)."""
    if starts_on < born_on:
        return replace(STARTS_BEFORE_BIRTH, params=(("born_on", born_on.isoformat()),))
    evaluates, informed = evaluate_on, guardian_informed_on
    return refused_where(
        (starts_on - today > HORIZON, STARTS_TOO_LATE),
        (
            evaluates is not None and (evaluates < born_on or evaluates - today > HORIZON),
            EVALUATION_OUT_OF_RANGE,
        ),
        (informed is not None and not born_on <= informed <= today, INFORMED_OUT_OF_RANGE),
    )


def may_evaluate_adaptation(state: AdaptationState) -> Outcome:
    return ADAPTATION_ENDED if state is not AdaptationState.ACTIVE else ALLOWED


def may_plan_next_evaluation(
    step: AdaptationNextStep, next_on: date | None, today: date
) -> Outcome:
    """An adaptation that continues, changed or not, is evaluated again on a coming day."""
    continues = step in (AdaptationNextStep.CONTINUE, AdaptationNextStep.CHANGE)
    if continues and (next_on is None or next_on <= today):
        return NEXT_EVALUATION_MISSING
    if next_on is not None and next_on - today > HORIZON:
        return NEXT_EVALUATION_TOO_LATE
    return ALLOWED


def adaptation_stays_active(step: AdaptationNextStep) -> bool:
    """Only "end" ends an adaptation. A report to the principal does not: extra adaptations
    continue while the need of special support is investigated (SL 3 kap. 5 §, 7 §)."""
    return step is not AdaptationNextStep.END
