"""Matrix rows for API v1's support chain (elevstod.api.support).

Reads run against the chains of tests/matrix_rows/programme.py (pupils x, y, z) plus a concern
and an adaptation per pupil built here; expectations are written by hand from policy.py's tables
and tests/world.py's relations:

- concern and referral: the case team and their author (x: mentor_a, y: teacher_b,
  z: special_educator_a); investigation: the case team (the investigators are in it) and,
  once concluded, the family (FL 10 §, decision 0014);
- adaptation, programme, follow-up: the case team, the pupil's teachers and the family (the
  family never a draft) — the same people as the programme page;
- decision and appeal: the case team and the family.

Writes: the body is parsed and validated before anything else, so a form (400) or an empty JSON
object (422) is refused alike for every signed-in caller and never reaches the policy. Writes
without a body are tried on a record that does not exist (404 for all). Who may act on real
records is tested in elevstod/api/tests/test_support_api.py, which walks the chain.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from elevstod.support import services
from elevstod.support import workflow as wf
from tests.matrix import Row, Target, everyone
from tests.matrix_rows.programme import (
    APPEAL,
    CASE_TEAM,
    DECISION,
    FOLLOW_UP,
    INVESTIGATION,
    PROGRAMME,
    chain_for,
    family_and,
    sees_programme,
    sees_whole_programme,
    within,
)
from tests.world import World

AUTHORS = {"x": "mentor_a", "y": "teacher_b", "z": "special_educator_a"}
UNITS = {"x": "a", "y": "b", "z": "a"}
CASE_TEAM_AND_AUTHOR = {key: CASE_TEAM[key] | {AUTHORS[key]} for key in AUTHORS}


def _early_records(world: World, key: str) -> dict[str, Any]:
    """A concern and an adaptation for the pupil, built once per world."""
    cache: dict[str, dict[str, Any]] = world.__dict__.setdefault("api_early_records", {})
    if key not in cache:
        today = timezone.localdate()
        author = world.users[AUTHORS[key]]
        unit_id = world.units[UNITS[key]].pk
        concern = services.concern_create(
            actor=author,
            pupil=world.pupils[key],
            school_unit_id=unit_id,
            source=wf.ConcernSource.TEACHING,
            description="Läser långsamt.",
            today=today,
        )
        adaptation = services.adaptation_create(
            actor=author,
            pupil=world.pupils[key],
            school_unit_id=unit_id,
            values={
                "need_categories": [wf.NeedCategory.READING_WRITING],
                "need_description": "Behöver mer tid.",
                "measure": "Inlästa läromedel",
                "responsible_id": author.pk,
                "starts_on": today,
                "evaluate_on": today + timedelta(days=30),
            },
            concern=concern,
            today=today,
        )
        cache[key] = {"concern": concern, "adaptation": adaptation}
    return cache[key]


def prepare(world: World) -> None:
    """The records the rows below use, built before the matrix's first test."""
    for key in AUTHORS:
        chain_for(world, key)
        _early_records(world, key)


def _early(kwarg: str, record: str) -> dict[str, Target]:
    def pick(key: str) -> Target:
        return lambda w: {kwarg: _early_records(w, key)[record].pk}

    return {
        **{key: pick(key) for key in AUTHORS},
        "missing": lambda w: {kwarg: uuid.uuid4()},
    }


def _referral(key: str) -> Target:
    return lambda w: {"referral_id": chain_for(w, key).investigation.referral_id}


REFERRAL: dict[str, Target] = {
    **{key: _referral(key) for key in AUTHORS},
    "missing": lambda w: {"referral_id": uuid.uuid4()},
}


def _missing(*kwargs: str) -> dict[str, Target]:
    return {"missing": lambda w: {kwarg: uuid.uuid4() for kwarg in kwargs}}


def _list() -> Row:
    return Row(allowed=everyone, anonymous=401)


def _empty_body(*kwargs: str, method: str = "post") -> Row:
    targets = _missing(*kwargs) if kwargs else {"-": lambda w: {}}
    # The test client sends a POST as a form, which is not JSON (400); a PATCH as "{}",
    # which lacks the required fields (422). Either way no signed-in caller gets further.
    ok = 422 if method == "patch" else 400
    return Row(allowed=everyone, ok=ok, anonymous=401, method=method, targets=targets)


def _no_body(*kwargs: str) -> Row:
    return Row(
        allowed=lambda p, t: False,
        denied=404,
        anonymous=401,
        method="post",
        targets=_missing(*kwargs),
    )


ROWS: dict[str, Row] = {
    # Lists: everyone signed in gets their own (possibly empty) page.
    "api:list_concerns": _list(),
    "api:list_adaptations": _list(),
    "api:list_referrals": _list(),
    "api:list_investigations": _list(),
    "api:list_decisions": _list(),
    "api:list_action_programmes": _list(),
    "api:list_follow_ups": _list(),
    "api:list_appeals": _list(),
    # Details.
    "api:get_concern": Row(
        allowed=within(CASE_TEAM_AND_AUTHOR),
        anonymous=401,
        targets=_early("concern_id", "concern"),
    ),
    "api:get_adaptation": Row(
        allowed=sees_programme, anonymous=401, targets=_early("adaptation_id", "adaptation")
    ),
    "api:get_referral": Row(allowed=within(CASE_TEAM_AND_AUTHOR), anonymous=401, targets=REFERRAL),
    "api:get_investigation": Row(
        allowed=family_and(CASE_TEAM), anonymous=401, targets=INVESTIGATION
    ),
    "api:get_decision": Row(allowed=family_and(CASE_TEAM), anonymous=401, targets=DECISION),
    "api:get_action_programme": Row(allowed=sees_programme, anonymous=401, targets=PROGRAMME),
    "api:action_programme_pdf": Row(allowed=sees_whole_programme, anonymous=401, targets=PROGRAMME),
    "api:get_follow_up": Row(allowed=sees_programme, anonymous=401, targets=FOLLOW_UP),
    "api:get_appeal": Row(allowed=family_and(CASE_TEAM), anonymous=401, targets=APPEAL),
    # Writes with a body: validated before the policy is asked.
    "api:create_concern": _empty_body(),
    "api:create_adaptation": _empty_body(),
    "api:evaluate_adaptation": _empty_body("adaptation_id"),
    "api:create_referral": _empty_body(),
    "api:open_investigation": _empty_body(),
    "api:save_investigation": _empty_body("investigation_id", method="patch"),
    "api:decide_no_programme": _empty_body("investigation_id"),
    "api:save_action_programme": _empty_body("programme_id", method="patch"),
    "api:decide_action_programme": _empty_body("programme_id"),
    "api:close_action_programme": _empty_body("programme_id"),
    "api:record_service": _empty_body("decision_id", "service_id"),
    "api:record_follow_up": _empty_body(),
    "api:register_appeal": _empty_body(),
    "api:handle_appeal": _empty_body("appeal_id"),
    "api:add_action_programme_view": _empty_body("programme_id"),
    "api:add_decision_view": _empty_body("decision_id"),
    "api:add_follow_up_view": _empty_body("follow_up_id"),
    # Writes without a body, on a record that does not exist.
    "api:receive_referral": _no_body("referral_id"),
    "api:conclude_investigation": _no_body("investigation_id"),
    "api:confirm_receipt": _no_body("decision_id", "service_id"),
}
