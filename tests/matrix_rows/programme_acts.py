"""Matrix rows for the acts on the programme half's pages: each posts to a URL of its own
(decision 0011), so each has its row. Targets and the people of tests/matrix_rows/programme.py.

Every row posts an empty form. Who may act gets the page again with the form's or the rule's
message (200) — or, where the act needs no input, the redirect after it (302); everyone else
the same 404 as for a missing record. By hand, from policy.py's tables:
- the family's own view: the pupil and guardians with custody, never on a draft;
- serving a decision and correcting a receipt: the servers (rektor, specialpedagog, mentor);
- confirming one's receipt: only the recipient whose row it is;
- handling an appeal: the appeal handlers (rektor and biträdande rektor);
- the editor's acts: the drafters; a decided programme gets its locked page (200).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tests.matrix import Row, Target
from tests.matrix_rows.programme import (
    APPEAL,
    APPEAL_HANDLERS,
    DECISION,
    DRAFT_AND_IN_FORCE,
    DRAFTERS,
    FAMILY,
    FOLLOW_UP,
    PROGRAMME,
    SERVERS,
    chain_for,
    within,
)
from tests.world import World


def _pupil_of(target: str) -> str:
    return target.split("-")[0]


def family_of_decided(persona: str, target: str) -> bool:
    """The pupil and guardians with custody, on a record that is not a draft."""
    return persona in FAMILY.get(_pupil_of(target), set()) and not target.endswith("-draft")


def _service(key: str, recipient: str) -> Target:
    """A service row of the pupil's decision: the guardian's, whose account is `recipient`, or
    the pupil's own."""

    def target(w: World) -> dict[str, object]:
        rows = chain_for(w, key).decision.services
        if recipient.startswith("guardian"):
            row = rows.get(guardian__user=w.users[recipient])
        else:
            row = rows.get(recipient_kind="pupil")
        return {"decision_id": row.decision_id, "service_id": row.pk}

    return target


def _missing_service(w: World) -> dict[str, object]:
    return {"decision_id": uuid.uuid4(), "service_id": uuid.uuid4()}


# The pupil's own row, for each pupil with a chain; and a decision's row given another's id.
SERVICE = {
    **{key: _service(key, "pupil") for key in ("x", "y", "z")},
    "missing": _missing_service,
}
OWN_SERVICE = {
    "x": _service("x", "guardian_x"),
    "x-pupil": _service("x", "pupil"),
    "y": _service("y", "guardian_y"),
    "z-pupil": _service("z", "pupil"),
    "missing": _missing_service,
}
RECIPIENT = {"x": "guardian_x", "x-pupil": "pupil_x", "y": "guardian_y"}


def _post(allowed: Callable[[str, str], bool], targets: dict[str, Target], ok: int = 200) -> Row:
    return Row(allowed=allowed, targets=targets, method="post", ok=ok)


ROWS: dict[str, Row] = {
    "support:programme_view_add": _post(family_of_decided, PROGRAMME),
    "support:decision_view_add": _post(family_of_decided, DECISION),
    "support:follow_up_view_add": _post(family_of_decided, FOLLOW_UP),
    "support:decision_serve": _post(within(SERVERS), SERVICE),
    "support:decision_correct_receipt": _post(within(SERVERS), SERVICE),
    "support:decision_confirm_receipt": _post(
        lambda persona, target: RECIPIENT.get(target) == persona, OWN_SERVICE, ok=302
    ),
    "support:appeal_handle": _post(within(APPEAL_HANDLERS), APPEAL),
    "support:programme_save": _post(within(DRAFTERS), DRAFT_AND_IN_FORCE),
    "support:programme_add_need": _post(within(DRAFTERS), DRAFT_AND_IN_FORCE),
    "support:programme_add_measure": _post(within(DRAFTERS), DRAFT_AND_IN_FORCE),
    "support:programme_revise": _post(within(DRAFTERS), DRAFT_AND_IN_FORCE),
}
