"""Matrix rows per feature area, merged into tests/test_authorization_matrix.MATRIX.

Each module defines ROWS: dict[str, Row]. A URL name may appear in one module only. A module
whose targets cache records on the world also defines prepare(world), which builds all of them:
the matrix calls it once, before its first test (a record first built inside a test would be
rolled back after it while still cached).
"""

import uuid
from collections.abc import Callable

from tests.matrix import Target
from tests.world import World

# The pupils the support chain's rows build a chain for (chain.py, programme.py).
CHAIN_PUPILS = ("x", "y", "z")


def record_targets(
    kwarg: str, record: str, built: Callable[[World, str], object]
) -> dict[str, Target]:
    """One target per pupil with a chain: the `record` of the chain `built` for that pupil
    (once per world), plus a record that does not exist."""

    def pick(key: str) -> Target:
        return lambda w: {kwarg: getattr(built(w, key), record).pk}

    return {
        **{key: pick(key) for key in CHAIN_PUPILS},
        "missing": lambda w: {kwarg: uuid.uuid4()},
    }
