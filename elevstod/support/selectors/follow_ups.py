"""Reads for the follow-up pages. The follow-up itself comes through the one door
(elevstod.access.records.FOLLOW_UPS)."""

from __future__ import annotations

from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, FollowUp


def latest_evaluation(programme: ActionProgramme) -> FollowUp | None:
    return (
        FollowUp.objects.filter(programme=programme, kind=wf.FollowUpKind.EVALUATION)
        .order_by("-held_on", "-created_at")
        .first()
    )
