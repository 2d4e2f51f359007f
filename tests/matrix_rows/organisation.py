"""Matrix rows for the organisation app's settings pages that live beside their feature.

The term dates (läsårstider, decision 0015) are the huvudman's settings: its administrator's
alone, never a unit's leaders, never the family.
"""

from __future__ import annotations

from tests.matrix import Row

ROWS: dict[str, Row] = {
    "organisation:school_terms": Row(allowed=lambda p, t: p == "huvudman_admin"),
}
