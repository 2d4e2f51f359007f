"""Matrix rows for API v1's delegation register (elevstod.api.delegations).

The same people as the page's rows (tests/test_authorization_matrix.py,
organisation:delegation_*): the register is the rektor's (SL 2 kap. 10 §). The world's one
delegation is at unit A, given by principal_a.

- the list: every signed-in caller gets a page, empty but for a rektor (as every API list);
- registering: the body is parsed before anything else, and the test client sends a POST as a
  form, which is not JSON (400) for every signed-in caller; who may register is tested in
  elevstod/api/tests/test_delegations_api.py;
- revoking: principal_a only; everyone else, and everyone for a delegation that does not exist,
  gets 404 (the personas run in order within one savepoint, and principal_a is the only one
  allowed, so nobody after them meets an already revoked delegation).
"""

import uuid

from tests.matrix import Row, everyone

ROWS: dict[str, Row] = {
    "api:list_delegations": Row(allowed=everyone, anonymous=401),
    "api:register_delegation": Row(allowed=everyone, ok=400, anonymous=401, method="post"),
    "api:revoke_delegation": Row(
        allowed=lambda persona, target: target == "a" and persona == "principal_a",
        anonymous=401,
        method="post",
        targets={
            "a": lambda w: {"delegation_id": w.delegation.pk},
            "missing": lambda w: {"delegation_id": uuid.uuid4()},
        },
    ),
}
