"""Matrix rows for the access log's pages and API tokens (issue 10, items 9 and 13).

Expectations by hand: the log review is the unit leaders' (rektor, biträdande rektor) for their
own units, and every value it is narrowed to is checked too: a pupil they lead (never z, whose
identity is protected and who is assigned to none of them) or one their units' log names (m, who
has moved from unit B, for B's rektor: B's reads of m stay in B's review, without m's name), a
unit they lead, a user their units' log knows. Anything else is the 404 of a missing page, with
no canary. The extract is the leaders' of the pupil's unit. Tokens are overseen by the leaders
of the owner's unit and by the huvudman's administrator.
"""

import uuid

from elevstod.accounts.models import ApiToken
from elevstod.accounts.services import api_token_create
from elevstod.audit.recording import record_access
from tests.matrix import LEADERS_A, PUPIL_TARGETS, Row, leads_unit_of, only
from tests.world import World

LEADERS = LEADERS_A | {"principal_b"}

_UNIT_LEADERS = {"a": LEADERS_A, "b": {"principal_b"}, "c": set()}
# The nurse has a duty at unit A and, seeing no pupil, leaves no row in any unit's log; so too
# teacher_b at unit B, whose rows are all at B. (The chain's records make mentor_a act at B.)
_USER_REVIEWERS = {"nurse_a_not_eht": LEADERS_A, "teacher_b": {"principal_b"}}

# Former pupils whose reads stay in the log of the unit they left (prepare below), by reviewer.
_NAMED_IN_LOG = {("principal_b", "m")}

_LOG_TARGETS = (
    ["-"]
    + [f"pupil:{key}" for key in PUPIL_TARGETS]
    + [f"unit:{key}" for key in _UNIT_LEADERS]
    + [f"user:{key}" for key in _USER_REVIEWERS]
)


def _log_query(w: World, target: str) -> dict[str, str]:
    kind, _, key = target.partition(":")
    if kind == "pupil":
        return {"pupil": str(w.pupils[key].pk) if key in w.pupils else str(uuid.uuid4())}
    if kind == "unit":
        return {"school_unit": str(w.units[key].pk)}
    if kind == "user":
        return {"user": str(w.users[key].pk)}  # type: ignore[attr-defined]
    return {}


def _reviews(persona: str, target: str) -> bool:
    kind, _, key = target.partition(":")
    if kind == "pupil":
        return leads_unit_of(persona, key) or (persona, key) in _NAMED_IN_LOG
    if kind == "unit":
        return persona in _UNIT_LEADERS[key]
    if kind == "user":
        return persona in _USER_REVIEWERS[key]
    return persona in LEADERS


def prepare(world: World) -> None:
    """m has moved from unit B to unit A: unit B's log still names m, which B's rektor must not
    see (the canary). And a token of mentor_a, for the oversight rows."""
    record_access(
        actor_id=world.users["teacher_b"].pk,  # type: ignore[attr-defined]
        action="view",
        record_type="pupil",
        pupil_id=world.pupils["m"].pk,
        school_unit_id=world.units["b"].pk,
    )
    api_token_create(user=world.users["mentor_a"], name="Mentorns system")  # type: ignore[arg-type]


ROWS = {
    "audit:log_review": Row(
        allowed=_reviews,
        targets={t: (lambda w: {}) for t in _LOG_TARGETS},
        query=_log_query,
    ),
    "audit:log_review_record": Row(allowed=only(*LEADERS), ok=302, method="post"),
    "audit:pupil_log_extract": Row(allowed=leads_unit_of, targets=PUPIL_TARGETS),
    "accounts:api_tokens_overseen": Row(
        allowed=only("principal_a", "principal_b", "huvudman_admin")
    ),
    "accounts:api_token_revoke_overseen": Row(
        allowed=lambda p, t: t == "mentor" and p in {"principal_a", "huvudman_admin"},
        ok=302,
        method="post",
        targets={
            "mentor": lambda w: {"token_id": ApiToken.objects.get(name="Mentorns system").pk},
            "missing": lambda w: {"token_id": uuid.uuid4()},
        },
    ),
}
