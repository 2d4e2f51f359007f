"""What a rule answers: Allowed, or Refused with a stable code, a Swedish message and its source.

Every refusal names its rule (a stable code for the API), cites its paragraph and carries a
Swedish message. Messages are marked with `gettext_noop` so that makemessages collects them;
the caller translates them at display time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a message for translation without importing Django (see module docstring)."""
    return message


def _untranslated(message: str) -> str:
    return message


@dataclass(frozen=True)
class Allowed:
    ok: bool = True


@dataclass(frozen=True)
class Refused:
    """Why an action was refused: a stable rule code, the Swedish message and its source."""

    rule: str
    message: str
    paragraph: str = ""
    params: tuple[tuple[str, str], ...] = ()
    ok: bool = False

    def text(self, translate: Callable[[str], str] = _untranslated) -> str:
        message = (
            translate(self.message) % dict(self.params) if self.params else translate(self.message)
        )
        return f"{message} ({self.paragraph})" if self.paragraph else message


Outcome = Allowed | Refused
ALLOWED = Allowed()


class RefusalError(Exception):
    """Raised by services when the workflow refuses; views and the API show `refusal`."""

    def __init__(self, refusal: Refused) -> None:
        super().__init__(refusal.rule)
        self.refusal = refusal


def first_refusal(*outcomes: Outcome) -> Outcome:
    for outcome in outcomes:
        if isinstance(outcome, Refused):
            return outcome
    return ALLOWED


def refused_where(*checks: tuple[bool, Refused]) -> Outcome:
    """The refusal of the first check whose condition holds, else ALLOWED.

    A guard lists its checks in the order the law asks them, one `(condition, refusal)` a line,
    so that each rule reads as a row of a table next to the refusal it gives.
    """
    for refuses, refusal in checks:
        if refuses:
            return refusal
    return ALLOWED
