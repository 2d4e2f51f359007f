"""The authorization matrix's vocabulary: a Row per URL name, and who is allowed.

Shared by tests/test_authorization_matrix.py and the area modules in tests/matrix_rows/.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.world import CANARIES, PERSONAS, VISIBLE, World

Target = Callable[[World], dict[str, object]]
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
LEADERS_A = {"principal_a", "deputy_a"}


def pupil(key: str) -> Target:
    return lambda w: {"pupil_id": w.pupils[key].pk}


def missing_pupil(w: World) -> dict[str, object]:
    return {"pupil_id": uuid.uuid4()}


PUPIL_TARGETS: dict[str, Target] = {
    **{key: pupil(key) for key in CANARIES},
    "missing": missing_pupil,
}


@dataclass
class Row:
    """Expected status per persona and target; anything not listed must be `denied`."""

    allowed: Callable[[str, str], bool]
    ok: int = 200
    denied: int = 404
    anonymous: int = 302
    method: str = "get"
    targets: dict[str, Target] = field(default_factory=lambda: {"-": lambda w: {}})
    query: Callable[[World, str], dict] | None = None

    def expected(self, persona: str, target: str) -> int:
        if persona == "anonymous":
            return self.anonymous
        return self.ok if self.allowed(persona, target) else self.denied


def everyone(persona: str, target: str) -> bool:
    return True


def only(*personas: str) -> Callable[[str, str], bool]:
    return lambda persona, target: persona in personas


def sees_pupil(persona: str, target: str) -> bool:
    return target in VISIBLE[persona]


def leads_unit_of(persona: str, target: str) -> bool:
    leaders = {"x": LEADERS_A, "w": LEADERS_A, "m": LEADERS_A, "y": {"principal_b"}}
    return persona in leaders.get(target, set())
