"""A concern about a pupil, before any case: where it came from and what became of it
(SL 3 kap. 5 §; process.md §2.1)."""

from __future__ import annotations

from elevstod.support.workflow.refusals import Outcome, Refused, gettext_noop, refused_where
from elevstod.support.workflow.states import ConcernState

CONCERN_NOT_OPEN = Refused("concern.not_open", gettext_noop("Oron är redan omhändertagen."))
CONCERN_REASON_MISSING = Refused(
    "concern.reason_missing", gettext_noop("Ange varför inget mer behöver göras.")
)


def may_close_concern(state: ConcernState, reason: str) -> Outcome:
    """An open concern may be closed with no further action, and the reason is kept."""
    return refused_where(
        (state is not ConcernState.OPEN, CONCERN_NOT_OPEN),
        (not reason.strip(), CONCERN_REASON_MISSING),
    )
