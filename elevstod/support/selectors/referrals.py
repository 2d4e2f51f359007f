"""Read-side queries for reports to the principal (SL 3 kap. 7 §) and the case they open."""

from __future__ import annotations

from django.utils import timezone

from elevstod.support import workflow as wf
from elevstod.support.models import Adaptation, Investigation, Referral
from elevstod.support.selectors.adaptations import with_evaluations


def referral_adaptations(referral: Referral) -> list[Adaptation]:
    """The adaptations tried before the report, each with its evaluations."""
    return list(
        with_evaluations(Adaptation.objects.filter(referrals=referral)).order_by("-starts_on")
    )


def opened_investigation(referral: Referral) -> Investigation | None:
    """The investigation opened on the report, as elevstod.access.records loaded it."""
    try:
        return referral.investigation
    except Investigation.DoesNotExist:
        return None


def case_due(referral: Referral, deadlines: wf.DeadlineSettings) -> wf.Due | None:
    """What the case waits for from the principal and by when, while the report is not yet
    received or the investigation not yet opened (process.md §3)."""
    state = wf.CaseState(referral.state)
    if state not in (wf.CaseState.REPORTED, wf.CaseState.RECEIVED):
        return None
    received_on = timezone.localdate(referral.received_at) if referral.received_at else None
    clock = wf.CaseClock(state=state, reported_on=referral.reported_on, received_on=received_on)
    return wf.case_due(clock, deadlines)
