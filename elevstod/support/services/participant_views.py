"""The pupil's and the guardians' own views on a programme, a decision or a follow-up
(SL 3 kap. 9 §: they are offered to take part)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.people.models import Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, Decision, FollowUp, ParticipantView
from elevstod.support.services._recording import record

EMPTY_VIEW = wf.Refused("view.empty", wf.gettext_noop("Skriv din synpunkt först."))

# The records the family may add a view on, and the keyword participant_view_add names each by.
VIEW_ABOUT: dict[type[Any], str] = {
    ActionProgramme: "programme",
    Decision: "decision",
    FollowUp: "follow_up",
}


def participant_view_add(
    *,
    actor: User,
    pupil: Pupil,
    author_kind: str,
    text: str,
    today: date,
    programme: ActionProgramme | None = None,
    decision: Decision | None = None,
    follow_up: FollowUp | None = None,
    channel: str = "web",
) -> ParticipantView:
    if not text.strip():
        raise wf.RefusalError(EMPTY_VIEW)
    # The view is logged on the record it is about (log review filters on its type).
    target = programme or decision or follow_up
    if target is None:
        raise ValueError("participant_view_add needs the record the view is about")
    with transaction.atomic():
        view = ParticipantView.objects.create(
            pupil=pupil,
            author=actor,
            author_kind=author_kind,
            programme=programme,
            decision=decision,
            follow_up=follow_up,
            text=text,
        )
        record(actor, target, "view.added", today, channel, AccessAction.CREATE)
    return view
