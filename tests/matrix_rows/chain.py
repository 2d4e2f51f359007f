"""Matrix rows for the first half of the chain (elevstod/support/views/: support_page, concerns,
adaptations, referrals, investigations, drafts): concern → adaptation → report → investigation,
and the records they need.

`first_half_for(world, key)` builds, through the services, one pupil's concern, an extra
adaptation, a report to the principal, its receipt and an opened investigation, and caches them
on the world. The expectations below are written by hand from policy.py's tables
(SUPPORT_VIEWERS, SUPPORT_ACTORS) and tests/world.py's relations, never computed from the policy:

- the support page and a concern: every relation to the pupil may reach the page and raise or
  submit a concern (staff raise, the family submits);
- an adaptation: the case team, teachers and the family see it; the case team and teachers
  manage it; any staff relation may report to the principal;
- a concern, a report and an investigation: the case team, plus the staff who wrote it or
  investigate it (participants); the family never a concern or a report, and an investigation
  only once it is concluded (FL 10 §, decision 0014: the "x-concluded" target);
- kommunicering before an adverse decision (FL 25 §): those who may decide (rektor, biträdande
  rektor, specialpedagog, the elevhälsoteam), never the family;
- writing in the investigation (and autosaving it): rektor/biträdande rektor, specialpedagog
  and the named investigators.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import Adaptation, Concern, Investigation, Referral
from tests.matrix import PUPIL_TARGETS, Row, Target, leads_unit_of, sees_pupil
from tests.matrix_rows import record_targets
from tests.world import STAFF, World

FAMILY_PERSONAS = {"guardian_x", "guardian_y", "pupil_x", "pupil_y"}

# pupil: (unit, rektor, author of concern/adaptation/report, responsible, investigators)
PEOPLE = {
    "x": ("a", "principal_a", "mentor_a", "teacher_a", ("special_educator_a", "mentor_a")),
    "y": ("b", "principal_b", "teacher_b", "teacher_b", ("teacher_b",)),
    "z": (
        "a",
        "principal_a",
        "special_educator_a",
        "special_educator_a",
        ("special_educator_a",),
    ),
}

# The case team per pupil (principal, deputy, special education, EHT, mentor, assignment).
CASE_TEAM = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "mentor_a", "counsellor_a"},
    "y": {"principal_b"},
    "z": {"special_educator_a"},
    "w": {"principal_a", "deputy_a", "special_educator_a", "counsellor_a"},
    "m": {"principal_a", "deputy_a", "special_educator_a", "mentor_a", "counsellor_a"},
}
TEACHERS = {"x": {"teacher_a"}, "y": {"teacher_b"}, "z": set(), "w": {"teacher_a_unrelated"}}
# Staff who wrote the records or investigate them (participants), by hand from PEOPLE.
PARTICIPANTS = {
    "x": {"mentor_a", "special_educator_a"},
    "y": {"teacher_b"},
    "z": {"special_educator_a"},
}
# The pupil and a guardian with custody (guardian_x_no_custody is not family: OSL 12 kap. 3 §).
FAMILY = {"x": {"guardian_x", "pupil_x"}, "y": {"guardian_y", "pupil_y"}, "z": set()}
# Who may reach the decision (policy.SUPPORT_ACTORS[DECIDE]): every staff relation that sees the
# record whole, since the rektor may delegate to any employee at the unit (SL 2 kap. 10 §); the
# workflow's delegation register decides who may make it, and refuses anyone else (409).
DECIDERS = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "counsellor_a", "mentor_a"},
    # teacher_b investigates y's case, so reaches it; refused by the delegation rule (409).
    "y": {"principal_b", "teacher_b"},
    "z": {"special_educator_a"},
}
# Who may write in the investigation: rektor, biträdande rektor, specialpedagog + investigators.
WRITERS = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "mentor_a"},
    "y": {"principal_b", "teacher_b"},
    "z": {"special_educator_a"},
}


@dataclass
class FirstHalf:
    concern: Concern
    adaptation: Adaptation
    referral: Referral
    investigation: Investigation


def build_first_half(world: World, key: str) -> FirstHalf:
    unit, principal, author, responsible, investigators = PEOPLE[key]
    users = world.users
    pupil = world.pupils[key]
    unit_id = world.units[unit].pk
    today = timezone.localdate()
    concern = services.concern_create(
        actor=users[author],
        pupil=pupil,
        school_unit_id=unit_id,
        source=wf.ConcernSource.TEACHING,
        subject="Svenska",
        description="Har svårt att komma igång med skrivuppgifter.",
        today=today,
    )
    adaptation = services.adaptation_create(
        actor=users[author],
        pupil=pupil,
        school_unit_id=unit_id,
        concern=concern,
        values={
            "need_categories": [wf.NeedCategory.READING_WRITING],
            "need_description": "Behöver stöd att strukturera texter",
            "measure": "Skrivmall och tydliga delmål",
            "responsible": users[responsible],
            "subject": "Svenska",
            "starts_on": today,
            "evaluate_on": today + timedelta(days=30),
        },
        today=today,
    )
    referral = services.referral_create(
        actor=users[author],
        pupil=pupil,
        school_unit_id=unit_id,
        ground=wf.ReferralGround.DESPITE_ADAPTATIONS,
        description="Risken kvarstår trots skrivmall.",
        adaptations=[adaptation],
        today=today,
    )
    services.referral_receive(actor=users[principal], referral=referral, today=today)
    investigation = services.investigation_open(
        actor=users[principal],
        referral=referral,
        investigator_ids=[users[name].pk for name in investigators],
        target_on=today + timedelta(days=30),
        today=today,
    )
    referral.refresh_from_db()
    return FirstHalf(
        concern=concern, adaptation=adaptation, referral=referral, investigation=investigation
    )


def concluded_investigation_for(world: World) -> Investigation:
    """A second case for x whose investigation is concluded (no need found), built once per
    world: the family reads it (FL 10 §)."""
    built: dict[str, Investigation] = world.__dict__.setdefault("chain_concluded", {})
    if "x" not in built:
        investigation = build_first_half(world, "x").investigation
        investigator = world.users["special_educator_a"]
        today = timezone.localdate()
        services.investigation_save(
            actor=investigator,
            investigation=investigation,
            expected_version=investigation.version,
            values={
                "individual_level": "Läser långsamt men förstår muntligt.",
                "eht_skip_reason": "Inga tecken på annat än lässvårigheter.",
                "special_support_needed": False,
            },
            today=today,
        )
        investigation.refresh_from_db()
        services.investigation_conclude(
            actor=investigator, investigation=investigation, today=today
        )
        investigation.refresh_from_db()
        built["x"] = investigation
    return built["x"]


def first_half_for(world: World, key: str) -> FirstHalf:
    """The pupil's first half of the chain, built once per world."""
    built: dict[str, FirstHalf] = world.__dict__.setdefault("chain_first_half", {})
    if key not in built:
        built[key] = build_first_half(world, key)
    return built[key]


# ----------------------------------------------------------------------------- targets


def _target(kwarg: str, record: str) -> dict[str, Target]:
    return record_targets(kwarg, record, first_half_for)


def _seeded(w: World) -> dict[str, object]:
    for key in PEOPLE:
        first_half_for(w, key)
    concluded_investigation_for(w)
    return {}


def prepare(world: World) -> None:
    """Every first half the rows below use, built before the matrix's first test."""
    _seeded(world)


def _pupil_of(target: str) -> str:
    return target.split("-")[0]


def in_case_team_or_participant(persona: str, target: str) -> bool:
    key = _pupil_of(target)
    return persona in CASE_TEAM.get(key, set()) | PARTICIPANTS.get(key, set())


def manages_adaptations(persona: str, target: str) -> bool:
    key = _pupil_of(target)
    return persona in CASE_TEAM.get(key, set()) | TEACHERS.get(key, set())


def refers(persona: str, target: str) -> bool:
    """Any staff relation to the pupil (SL 3 kap. 7 §: every staff member has the duty)."""
    return sees_pupil(persona, target) and persona not in FAMILY_PERSONAS


def reads_investigation(persona: str, target: str) -> bool:
    """The case team and the investigators; the family once it is concluded (FL 10 §)."""
    family = target.endswith("-concluded") and persona in FAMILY.get(_pupil_of(target), set())
    return family or in_case_team_or_participant(persona, target)


def decides(persona: str, target: str) -> bool:
    return persona in DECIDERS.get(_pupil_of(target), set())


def writes_investigation(persona: str, target: str) -> bool:
    return persona in WRITERS.get(_pupil_of(target), set())


def autosaves(persona: str, target: str) -> bool:
    if target.endswith("-adaptation"):
        return manages_adaptations(persona, target)
    return writes_investigation(persona, target)


CONCERN = _target("concern_id", "concern")
ADAPTATION = _target("adaptation_id", "adaptation")
REFERRAL = _target("referral_id", "referral")
INVESTIGATION = _target("investigation_id", "investigation")
READ_INVESTIGATION = {
    **INVESTIGATION,
    "x-concluded": lambda w: {"investigation_id": concluded_investigation_for(w).pk},
}


def _draft_target(key: str, record_type: str, record: str) -> Target:
    return lambda w: {
        "record_type": record_type,
        "record_id": getattr(first_half_for(w, key), record).pk,
    }


DRAFTS: dict[str, Target] = {
    **{key: _draft_target(key, "investigation", "investigation") for key in ("x", "y", "z")},
    "x-adaptation": _draft_target("x", "adaptation", "adaptation"),
    "missing": lambda w: {"record_type": "investigation", "record_id": uuid.uuid4()},
}

ROWS: dict[str, Row] = {
    "support:pupil_support": Row(allowed=sees_pupil, targets=PUPIL_TARGETS),
    "support:concern_create": Row(allowed=sees_pupil, targets=PUPIL_TARGETS),
    "support:concern_detail": Row(allowed=in_case_team_or_participant, targets=CONCERN),
    "support:adaptation_create": Row(allowed=manages_adaptations, targets=PUPIL_TARGETS),
    # Adaptations are seen by every relation to the pupil (case team, teachers, the family).
    "support:adaptation_detail": Row(allowed=sees_pupil, targets=ADAPTATION),
    "support:my_adaptations": Row(allowed=lambda p, t: p in STAFF, targets={"seeded": _seeded}),
    "support:referral_create": Row(allowed=refers, targets=PUPIL_TARGETS),
    "support:referral_detail": Row(allowed=in_case_team_or_participant, targets=REFERRAL),
    "support:investigation_detail": Row(allowed=reads_investigation, targets=READ_INVESTIGATION),
    "support:investigation_edit": Row(allowed=writes_investigation, targets=INVESTIGATION),
    # Each act on a page posts to its own URL (one POST action per view). The matrix's concerns
    # are already answered and its referrals already received, so a permitted post meets a 409.
    "support:concern_close": Row(
        allowed=in_case_team_or_participant, method="post", ok=409, targets=CONCERN
    ),
    "support:adaptation_update": Row(
        allowed=manages_adaptations, method="post", targets=ADAPTATION
    ),
    "support:adaptation_evaluate": Row(
        allowed=manages_adaptations, method="post", targets=ADAPTATION
    ),
    "support:referral_receive": Row(allowed=leads_unit_of, method="post", ok=409, targets=REFERRAL),
    "support:investigation_open": Row(allowed=leads_unit_of, method="post", targets=REFERRAL),
    "support:investigation_conclude": Row(
        allowed=writes_investigation, method="post", targets=INVESTIGATION
    ),
    # Kommunicering (FL 25 §): an empty post is refused by the workflow (409) or its form.
    "support:investigation_communicate": Row(
        allowed=decides, method="post", ok=409, targets=READ_INVESTIGATION
    ),
    "support:investigation_communication_answer": Row(
        allowed=decides, method="post", ok=409, targets=READ_INVESTIGATION
    ),
    "support:draft_discard": Row(allowed=autosaves, method="post", ok=302, targets=DRAFTS),
    "support:draft_autosave": Row(
        allowed=autosaves, method="post", ok=204, anonymous=401, targets=DRAFTS
    ),
}
