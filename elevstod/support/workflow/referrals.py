"""The report to the principal, which is the case (decision 0005): its grounds, its states and
the transitions between them (SL 3 kap. 7 §, 9 §; process.md §1)."""

from __future__ import annotations

from elevstod.support.workflow.refusals import ALLOWED, Outcome, Refused, gettext_noop
from elevstod.support.workflow.states import CASE_TRANSITIONS, CaseAction, CaseState, ReferralGround

# Closing an investigation is not a transition of its own: it happens only through one of the two
# decisions (process.md §2.5). The action exists so that the refusal can be asked for and shown.


CLOSE_WITHOUT_DECISION = Refused(
    "investigation.close_without_decision",
    gettext_noop(
        "En utredning kan inte avslutas utan ett beslut om åtgärdsprogram eller ett "
        "beslut att inte utarbeta åtgärdsprogram."
    ),
    "3 kap. 9 § skollagen",
)
ADAPTATIONS_MISSING = Refused(
    "referral.adaptations_missing",
    gettext_noop(
        "Ange vilka extra anpassningar som har prövats, eller välj en annan grund för anmälan."
    ),
    "3 kap. 7 § första stycket 1 skollagen",
)


def case_transition(state: CaseState, action: CaseAction) -> CaseState | Refused:
    if action is CaseAction.CLOSE_INVESTIGATION:
        return CLOSE_WITHOUT_DECISION
    target = CASE_TRANSITIONS.get((state, action))
    if target is None:
        return Refused(
            "case.transition_not_allowed",
            gettext_noop("Det går inte i ärendets nuvarande läge (%(state)s)."),
            params=(("state", str(state)),),
        )
    return target


def may_refer(ground: ReferralGround, adaptations_linked: int) -> Outcome:
    """A report "despite adaptations" shows which adaptations were tried (process.md §2.2)."""
    if ground is ReferralGround.DESPITE_ADAPTATIONS and adaptations_linked == 0:
        return ADAPTATIONS_MISSING
    return ALLOWED
