"""Matrix rows for the programme half's pages (support/views: decisions, programmes,
follow_ups, appeals, documents), and the chain they open. Their acts: programme_acts.py.

`chain_for(world, key)` builds, through the services, one pupil's case from the report to an
evaluated programme in force, with its decision, service rows, an appeal and a revision draft,
and caches it on the world. The expectations below are written by hand from policy.py's tables
and tests/world.py's relations, never computed from the policy:

- programme and follow-up: the case team, teachers and the family (not drafts for the family);
  their version diff and PDFs not for a teacher who is only a teacher (TEACHING_ONLY);
- decision and appeal: the case team and the family; the concluded investigation (its PDF):
  the case team and the family (FL 10 §, decision 0014);
- kommunicering before closing a programme (FL 25 §): the deciders;
- acting: drafters (rektor, specialpedagog, mentor), deciders (rektor, specialpedagog, EHT),
  servers and follow-up recorders (rektor, specialpedagog, mentor, or staff named in the
  programme), appeal handlers (rektor and biträdande rektor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Appeal,
    Decision,
    FollowUp,
    Investigation,
)
from tests.matrix import Row, Target
from tests.matrix_rows import record_targets
from tests.world import VISIBLE, World

FAMILY_PERSONAS = {"guardian_x", "guardian_y", "pupil_x", "pupil_y"}

# Who holds which relation to each pupil that has a chain (tests/world.py), by hand.
CASE_TEAM = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "mentor_a", "counsellor_a"},
    "y": {"principal_b"},
    "z": {"special_educator_a"},
}
FAMILY = {"x": {"guardian_x", "pupil_x"}, "y": {"guardian_y", "pupil_y"}, "z": set()}
DRAFTERS = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "mentor_a"},
    "y": {"principal_b"},
    "z": {"special_educator_a"},
}
# Who reaches the decision pages (policy.SUPPORT_ACTORS[DECIDE]): staff who see the programme
# whole (a teacher who sees only the teaching part does not); the form itself is offered only to
# the rektor and delegates (SL 2 kap. 10 §), tests in support/tests/test_delegates_decide.py.
DECIDERS = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "counsellor_a", "mentor_a"},
    "y": {"principal_b"},
    "z": {"special_educator_a"},
}
# teacher_a is responsible for a measure in x's programme, so may record its follow-up.
RECORDERS = {
    "x": {"principal_a", "deputy_a", "special_educator_a", "mentor_a", "teacher_a"},
    "y": {"principal_b", "teacher_b"},
    "z": {"special_educator_a"},
}
SERVERS = DRAFTERS
APPEAL_HANDLERS = {"x": {"principal_a", "deputy_a"}, "y": {"principal_b"}, "z": set()}


@dataclass
class Chain:
    """One pupil's case: a programme in force (v1) with a revision draft (v2)."""

    investigation: Investigation
    programme: ActionProgramme
    decision: Decision
    follow_up: FollowUp
    appeal: Appeal
    draft: ActionProgramme
    open_investigation: Investigation  # assessed "no need", awaiting its decision


_PEOPLE = {
    # pupil: (unit, rektor, reporter, investigator, measure responsible)
    "x": ("a", "principal_a", "mentor_a", "special_educator_a", "teacher_a"),
    "y": ("b", "principal_b", "teacher_b", "principal_b", "teacher_b"),
    "z": ("a", "principal_a", "special_educator_a", "special_educator_a", "special_educator_a"),
}


def investigation_for(world: World, key: str, *, needed: bool) -> Investigation:
    """One pupil's investigation through the services, assessed as `needed` but not concluded."""
    unit, principal, reporter, investigator, _responsible = _PEOPLE[key]
    users = world.users
    today = timezone.localdate()
    referral = services.referral_create(
        actor=users[reporter],
        pupil=world.pupils[key],
        school_unit_id=world.units[unit].pk,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Svårt att komma igång med skrivuppgifter.",
        today=today,
    )
    services.referral_receive(actor=users[principal], referral=referral, today=today)
    investigation = services.investigation_open(
        actor=users[principal],
        referral=referral,
        investigator_ids=[users[investigator].pk],
        target_on=today + timedelta(days=30),
        today=today,
    )
    services.investigation_save(
        actor=users[investigator],
        investigation=investigation,
        expected_version=investigation.version,
        values={
            "individual_level": "Eleven läser långsamt men förstår texten.",
            "pupil_view": "Jag vill ha mer tid.",
            "guardian_view": "Vi ser att läxorna tar lång tid.",
            "eht_consulted": True,
            "eht_consultation": "Specialpedagogen har deltagit.",
            "special_support_needed": needed,
        },
        needs=[(wf.NeedCategory.READING_WRITING, "Stöd i läsförståelse")] if needed else [],
        today=today,
    )
    investigation.refresh_from_db()
    return investigation


def build_chain(world: World, key: str) -> Chain:
    _unit, principal, _reporter, investigator, responsible = _PEOPLE[key]
    users = world.users
    today = timezone.localdate()
    investigation = investigation_for(world, key, needed=True)
    programme = services.investigation_conclude(
        actor=users[investigator], investigation=investigation, today=today
    )
    assert programme is not None
    need = programme.needs.get()
    services.programme_save(
        actor=users[investigator],
        programme=programme,
        expected_version=programme.version,
        values={
            "pupil_participation_offered": True,
            "guardian_participation_offered": True,
            "follow_up_on": today + timedelta(days=30),
            "follow_up_responsible_id": users[investigator].pk,
            "evaluation_on": today + timedelta(days=60),
            "evaluation_responsible_id": users[investigator].pk,
        },
        needs=[services.NeedInput(str(need.pk), need.category, need.description)],
        measures=[
            services.MeasureInput(
                need_key=str(need.pk),
                description="Läsfixare två gånger i veckan",
                responsible_id=users[responsible].pk,
                extent="2 × 20 minuter i veckan",
            )
        ],
        today=today,
    )
    decision = services.decide_programme(
        actor=users[principal],
        programme=programme,
        statement_of_reasons="Utredningen visar behov av särskilt stöd i läsförståelse.",
        today=today,
    )
    measure = programme.measures.get()
    follow_up = services.follow_up_record(
        actor=users[investigator],
        programme=programme,
        kind=wf.FollowUpKind.EVALUATION,
        reviews=[
            services.ReviewInput(
                measure_id=measure.pk,
                carried_out=wf.CarriedOut.YES,
                effect=wf.MeasureEffect.CLEAR_PROGRESS,
            )
        ],
        outcome=wf.FollowUpOutcome.CONTINUE,
        values={"summary": "Eleven läser mer självständigt."},
        next_on=today + timedelta(days=30),
        today=today,
    )
    # The appellant is one of the recipients (a guardian, or the pupil when none has custody).
    service = decision.services.filter(recipient_kind="guardian").first() or decision.services.get(
        recipient_kind="pupil"
    )
    appeal = services.appeal_register(
        actor=users[principal],
        decision=decision,
        service=service,
        appellant_name=service.recipient_name,
        lodged_on=today,
        content="Vi vill att eleven får enskild undervisning.",
        today=today,
    )
    programme.refresh_from_db()
    draft = services.programme_start_revision(
        actor=users[investigator], programme=programme, reason="Nya behov i matematik", today=today
    )
    return Chain(
        investigation=investigation,
        programme=programme,
        decision=decision,
        follow_up=follow_up,
        appeal=appeal,
        draft=draft,
        open_investigation=investigation_for(world, key, needed=False),
    )


def chain_for(world: World, key: str) -> Chain:
    """The pupil's chain, built once per world."""
    chains: dict[str, Chain] = world.__dict__.setdefault("programme_chains", {})
    if key not in chains:
        chains[key] = build_chain(world, key)
    return chains[key]


def prepare(world: World) -> None:
    """Every chain the rows below use, built before the matrix's first test."""
    for key in ("x", "y", "z"):
        chain_for(world, key)


# ----------------------------------------------------------------------------- targets


def _target(kwarg: str, record: str) -> dict[str, Target]:
    return record_targets(kwarg, record, chain_for)


def _drafts(kwarg: str) -> dict[str, Target]:
    return {"x-draft": lambda w: {kwarg: chain_for(w, "x").draft.pk}}


def _pupil_of(target: str) -> str:
    return target.split("-")[0]


def family_and(table: dict[str, set[str]]):  # type: ignore[no-untyped-def]
    return lambda persona, target: persona in table.get(target, set()) | FAMILY.get(target, set())


def within(table: dict[str, set[str]]):  # type: ignore[no-untyped-def]
    return lambda persona, target: persona in table.get(_pupil_of(target), set())


def sees_programme(persona: str, target: str) -> bool:
    """The case team, teachers and the family; the family never a draft."""
    pupil = _pupil_of(target)
    if pupil == "missing" or pupil not in VISIBLE[persona]:
        return False
    if pupil == "z":
        return persona in CASE_TEAM["z"]
    return not (target.endswith("-draft") and persona in FAMILY_PERSONAS)


# Teachers whose only relation to the pupil is teaching see the teaching part (process.md §4):
# never the version diff or a whole-record PDF.
TEACHING_ONLY = {"x": {"teacher_a"}, "y": {"teacher_b"}, "z": set()}


def sees_whole_programme(persona: str, target: str) -> bool:
    return sees_programme(persona, target) and persona not in TEACHING_ONLY.get(
        _pupil_of(target), set()
    )


PROGRAMME = {**_target("programme_id", "programme"), **_drafts("programme_id")}
DRAFT_AND_IN_FORCE = {
    "x": PROGRAMME["x"],
    "y": PROGRAMME["y"],
    "missing": PROGRAMME["missing"],
    **_drafts("programme_id"),
}
DECISION = _target("decision_id", "decision")
FOLLOW_UP = _target("follow_up_id", "follow_up")
APPEAL = _target("appeal_id", "appeal")
INVESTIGATION = _target("investigation_id", "investigation")
OPEN_INVESTIGATION = _target("investigation_id", "open_investigation")

ROWS: dict[str, Row] = {
    "support:programme_detail": Row(allowed=sees_programme, targets=PROGRAMME),
    "support:programme_diff": Row(allowed=sees_whole_programme, targets=PROGRAMME),
    "support:programme_pdf": Row(allowed=sees_whole_programme, targets=PROGRAMME),
    "support:programme_edit": Row(allowed=within(DRAFTERS), targets=DRAFT_AND_IN_FORCE),
    "support:programme_decide": Row(allowed=within(DECIDERS), targets=DRAFT_AND_IN_FORCE),
    "support:programme_close": Row(allowed=within(DECIDERS), targets=PROGRAMME),
    "support:follow_up_create": Row(allowed=within(RECORDERS), targets=PROGRAMME),
    "support:follow_up_detail": Row(allowed=sees_programme, targets=FOLLOW_UP),
    "support:follow_up_pdf": Row(allowed=sees_whole_programme, targets=FOLLOW_UP),
    "support:decision_create": Row(allowed=within(DECIDERS), targets=OPEN_INVESTIGATION),
    "support:decision_detail": Row(allowed=family_and(CASE_TEAM), targets=DECISION),
    "support:decision_pdf": Row(allowed=family_and(CASE_TEAM), targets=DECISION),
    "support:appeal_register": Row(allowed=within(APPEAL_HANDLERS), targets=DECISION),
    "support:appeal_detail": Row(allowed=family_and(CASE_TEAM), targets=APPEAL),
    # The investigators of x, y and z are all in the case team already; the investigation is
    # concluded, so the family reads it too (FL 10 §).
    "support:investigation_pdf": Row(allowed=family_and(CASE_TEAM), targets=INVESTIGATION),
    "support:programme_communicate": Row(allowed=within(DECIDERS), targets=PROGRAMME),
    # An empty answer is refused by its form, with what was typed (409).
    "support:programme_communication_answer": Row(
        allowed=within(DECIDERS), method="post", ok=409, targets=PROGRAMME
    ),
}
