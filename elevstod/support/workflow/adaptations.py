"""Extra adaptations: tried, evaluated, continued, changed, ended or reported on
(SL 3 kap. 5 §; process.md §2.2)."""

from __future__ import annotations

from datetime import date

from elevstod.support.workflow.refusals import ALLOWED, Outcome, Refused, gettext_noop
from elevstod.support.workflow.states import AdaptationNextStep, AdaptationState

ADAPTATION_ENDED = Refused("adaptation.ended", gettext_noop("Anpassningen är avslutad."))
NEXT_EVALUATION_MISSING = Refused(
    "adaptation.next_evaluation_missing",
    gettext_noop("Ange ett kommande datum för nästa utvärdering."),
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
    return ALLOWED


def adaptation_stays_active(step: AdaptationNextStep) -> bool:
    """Only "end" ends an adaptation. A report to the principal does not: extra adaptations
    continue while the need of special support is investigated (SL 3 kap. 5 §, 7 §)."""
    return step is not AdaptationNextStep.END
