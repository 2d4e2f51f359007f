"""Matrix rows for the SS 12000 sync's page and API (elevstod.sync, elevstod.api.sync).

The sync's record is the huvudman administrator's: counts and reason codes only, but who may
start a sync of the whole municipality is theirs alone. The world has no provider connected:
the start button answers with a message and a redirect.
"""

from __future__ import annotations

import uuid

from tests.matrix import Row, everyone

ROWS: dict[str, Row] = {
    "sync:runs": Row(allowed=lambda p, t: p == "huvudman_admin"),
    "sync:start": Row(allowed=lambda p, t: p == "huvudman_admin", ok=302, method="post"),
    "api:sync_status": Row(allowed=lambda p, t: p == "huvudman_admin", anonymous=401),
    # Every API list: a page for every signed-in caller, empty but for the administrator.
    "api:list_sync_runs": Row(allowed=everyone, anonymous=401),
    "api:get_sync_run": Row(
        allowed=lambda p, t: False,
        anonymous=401,
        targets={"missing": lambda w: {"run_id": uuid.uuid4()}},
    ),
}
