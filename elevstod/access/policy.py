"""Who may see or do what. The one door: views, API, exports and PDFs all ask this module.

Deny by default. Each rule is one line with its reason. The list twin of every `can_*` lives in
elevstod.access.scoping and is tested to agree with it for every persona and pupil.
"""

import uuid
from dataclasses import dataclass
from enum import StrEnum

from elevstod.access.context import UserContext


class Relation(StrEnum):
    """How a user is related to a pupil. Also the acting role written to the access log."""

    SELF = "pupil_self"
    GUARDIAN = "guardian_with_custody"
    PRINCIPAL = "principal"
    SPECIAL_EDUCATION = "special_education"
    PUPIL_HEALTH_TEAM = "pupil_health_team"
    MENTOR = "mentor"
    TEACHER = "teacher"
    PROTECTED_ASSIGNMENT = "protected_assignment"


STAFF_RELATIONS = frozenset(
    {
        Relation.PRINCIPAL,
        Relation.SPECIAL_EDUCATION,
        Relation.PUPIL_HEALTH_TEAM,
        Relation.MENTOR,
        Relation.TEACHER,
        Relation.PROTECTED_ASSIGNMENT,
    }
)


@dataclass(frozen=True)
class PupilFacts:
    """What the policy needs to know about one pupil, loaded by elevstod.access.lookup."""

    pupil_id: uuid.UUID
    is_protected: bool
    current_units: frozenset[uuid.UUID]
    current_groups: frozenset[uuid.UUID]


def relations_to_pupil(ctx: UserContext, pupil: PupilFacts) -> frozenset[Relation]:
    """Every relation the user has to the pupil that grants access; empty means no access."""
    if ctx.user_id is None:
        return frozenset()
    found: set[Relation] = set()
    # Secrecy does not apply against the pupil themselves (OSL 12 kap. 1 §).
    if ctx.own_pupil == pupil.pupil_id:
        found.add(Relation.SELF)
    # A guardian with custody acts for the child (OSL 12 kap. 3 §); without custody, no access.
    if pupil.pupil_id in ctx.custody_pupils:
        found.add(Relation.GUARDIAN)
    # The rektor and biträdande rektor lead the pupil's current unit (SL 2 kap. 9–10 §§).
    if ctx.leader_units & pupil.current_units:
        found.add(Relation.PRINCIPAL)
    # Specialpedagog and speciallärare work with support across their unit.
    if ctx.support_units & pupil.current_units:
        found.add(Relation.SPECIAL_EDUCATION)
    # Elevhälsoteamet of the pupil's unit (SL 2 kap. 25 §).
    if ctx.eht_units & pupil.current_units:
        found.add(Relation.PUPIL_HEALTH_TEAM)
    # The mentor of a group the pupil belongs to this academic year.
    if ctx.mentor_groups & pupil.current_groups:
        found.add(Relation.MENTOR)
    # A teacher of a group the pupil belongs to this academic year.
    if ctx.taught_groups & pupil.current_groups:
        found.add(Relation.TEACHER)
    if not pupil.is_protected:
        return frozenset(found)
    # Protected identity (security.md P6): staff reach the pupil only when explicitly assigned.
    if pupil.pupil_id in ctx.protected_assignments:
        return frozenset(found | {Relation.PROTECTED_ASSIGNMENT})
    return frozenset(found - STAFF_RELATIONS)


def can_view_pupil(ctx: UserContext, pupil: PupilFacts) -> bool:
    return bool(relations_to_pupil(ctx, pupil))


def can_see_contact_details(ctx: UserContext, pupil: PupilFacts) -> bool:
    """Address and contact details of a protected pupil are never shown (security.md P6)."""
    if pupil.is_protected:
        return False
    return bool(relations_to_pupil(ctx, pupil) & STAFF_RELATIONS)


def acting_role(relations: frozenset[Relation]) -> str:
    """The strongest relation, recorded as the acting role in the access log."""
    for relation in Relation:
        if relation in relations:
            return relation.value
    return ""


def can_view_unit(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """A unit's overview page: its leaders only."""
    return unit_id in ctx.leader_units


def can_manage_delegations(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """Only the rektor proper delegates (SL 2 kap. 10 §); a deputy cannot delegate onward."""
    return unit_id in ctx.principal_units


def can_review_access_log(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """Log review (loggkontroll, security.md P4) is the unit leaders' duty."""
    return unit_id in ctx.leader_units


def can_view_organisation(ctx: UserContext, provider_id: uuid.UUID) -> bool:
    """The huvudman's staff see the organisation, never pupil data."""
    return provider_id in ctx.administered_providers


def can_edit_school_terms(ctx: UserContext, provider_id: uuid.UUID) -> bool:
    """Term dates (läsårstider) are the huvudman's settings, per unit where they differ
    (decision 0015); they bound a decision on distance teaching (SL 3 kap. 11 a §)."""
    return provider_id in ctx.administered_providers


def can_manage_protected_assignments(ctx: UserContext, pupil: PupilFacts) -> bool:
    """Only the rektor proper of the pupil's current unit assigns staff to a protected pupil
    (security.md P6, decision 0019): who may see such a pupil is the rektor's own decision, as
    delegation is (SL 2 kap. 10 §); a biträdande rektor could otherwise assign themselves."""
    return pupil.is_protected and bool(ctx.principal_units & pupil.current_units)


def needs_second_factor(ctx: UserContext) -> bool:
    """Staff reach support data only after a second factor (security.md P7, IMY 2015)."""
    return ctx.is_staff_member or bool(ctx.protected_assignments)


# ----------------------------------------------------------------------------- the support chain


class SupportRecord(StrEnum):
    CONCERN = "concern"
    ADAPTATION = "adaptation"
    REFERRAL = "referral"
    INVESTIGATION = "investigation"
    DECISION = "decision"
    PROGRAMME = "action_programme"
    FOLLOW_UP = "follow_up"
    APPEAL = "appeal"


# The pupil's case team: the full pedagogical case for the pupil (process.md §4, internal access).
CASE_TEAM = frozenset(
    {
        Relation.PRINCIPAL,
        Relation.SPECIAL_EDUCATION,
        Relation.PUPIL_HEALTH_TEAM,
        Relation.MENTOR,
        Relation.PROTECTED_ASSIGNMENT,
    }
)
FAMILY = frozenset({Relation.SELF, Relation.GUARDIAN})

# Who sees which record. Teachers see adaptations and programme measures for their teaching
# (process.md §4); the pupil and guardians with custody see what concerns them (OSL 12 kap.).
# Participants (the author of a concern or report, an assigned investigator) see their own record.
# The family reads the investigation once it is concluded, and at the latest when a decision
# rests on it: the parties' access to the case file (FL 10 § via SL 29 kap. 10 §), against whom
# secrecy seldom applies (OSL 12 kap. 1 och 3 §§); never while it is written (records.py says
# which investigations are concluded), and never its staff-only working notes (decision 0014).
SUPPORT_VIEWERS: dict[SupportRecord, frozenset[Relation]] = {
    SupportRecord.CONCERN: CASE_TEAM,
    SupportRecord.ADAPTATION: CASE_TEAM | {Relation.TEACHER} | FAMILY,
    SupportRecord.REFERRAL: CASE_TEAM,
    SupportRecord.INVESTIGATION: CASE_TEAM | FAMILY,
    SupportRecord.DECISION: CASE_TEAM | FAMILY,
    SupportRecord.PROGRAMME: CASE_TEAM | {Relation.TEACHER} | FAMILY,
    SupportRecord.FOLLOW_UP: CASE_TEAM | {Relation.TEACHER} | FAMILY,
    SupportRecord.APPEAL: CASE_TEAM | FAMILY,
}


def can_view_support_record(
    relations: frozenset[Relation],
    record: SupportRecord,
    *,
    participant: bool = False,
    family_may_see: bool = True,
) -> bool:
    """`family_may_see` is False for drafts and investigations not yet concluded: the family
    sees what has been decided or concluded, not work in progress."""
    allowed = SUPPORT_VIEWERS[record]
    if not family_may_see:
        allowed = allowed - FAMILY
    if relations & allowed:
        return True
    # A participant is staff with some relation to the pupil; the family never counts as one.
    return participant and bool(relations & STAFF_RELATIONS)


# --- teaching part only (added for process.md §4, issue item 10) -----------------------------
def sees_teaching_part_only(relations: frozenset[Relation]) -> bool:
    """A teacher with no other relation to the pupil sees "the programme's measures relevant to
    their teaching" (process.md §4, internal access): needs, measures, dates and their own work,
    not the family's views, participation notes, history, version diff or whole-record PDFs."""
    return relations == frozenset({Relation.TEACHER})


# --- end teaching part only -----------------------------------------------------------------


def sees_staff_only_notes(relations: frozenset[Relation], *, participant: bool = False) -> bool:
    """The investigation's working notes, withheld from the family with a recorded reason
    (decision 0014): the case team and its investigators, never the pupil or a guardian, even
    one who is also staff at the school."""
    if relations & FAMILY:
        return False
    return bool(relations & CASE_TEAM) or (participant and bool(relations & STAFF_RELATIONS))


class SupportAct(StrEnum):
    RAISE_CONCERN = "raise_concern"
    SUBMIT_CONCERN = "submit_concern"
    MANAGE_ADAPTATIONS = "manage_adaptations"
    REFER = "refer"
    RECEIVE_REFERRAL = "receive_referral"
    OPEN_INVESTIGATION = "open_investigation"
    WRITE_INVESTIGATION = "write_investigation"
    DRAFT_PROGRAMME = "draft_programme"
    DECIDE = "decide"
    SERVE_DECISION = "serve_decision"
    RECORD_FOLLOW_UP = "record_follow_up"
    HANDLE_APPEAL = "handle_appeal"
    ADD_OWN_VIEW = "add_own_view"
    CONFIRM_RECEIPT = "confirm_receipt"


SUPPORT_ACTORS: dict[SupportAct, frozenset[Relation]] = {
    # Any staff member records a concern (SL 3 kap. 5 §) and has the duty to report (3 kap. 7 §).
    SupportAct.RAISE_CONCERN: STAFF_RELATIONS,
    SupportAct.REFER: STAFF_RELATIONS,
    # The pupil and guardians can submit a concern of their own (process.md §1, S1).
    SupportAct.SUBMIT_CONCERN: FAMILY,
    # Teachers and the mentor give extra adaptations; the specialpedagog advises (S2).
    SupportAct.MANAGE_ADAPTATIONS: CASE_TEAM | {Relation.TEACHER},
    # The rektor receives the report and ensures the investigation (SL 3 kap. 7 §).
    SupportAct.RECEIVE_REFERRAL: frozenset({Relation.PRINCIPAL}),
    SupportAct.OPEN_INVESTIGATION: frozenset({Relation.PRINCIPAL}),
    SupportAct.WRITE_INVESTIGATION: frozenset({Relation.PRINCIPAL, Relation.SPECIAL_EDUCATION}),
    SupportAct.DRAFT_PROGRAMME: frozenset(
        {Relation.PRINCIPAL, Relation.SPECIAL_EDUCATION, Relation.MENTOR}
    ),
    # The rektor may delegate a decision to any employee at the unit (SL 2 kap. 10 §), so any
    # staff relation reaches the decision; who may make it is settled by the workflow against
    # the delegation register (services.decisions.authority_of, wf.may_decide), which refuses
    # with its own rule, and the pages offer it only to those it allows.
    SupportAct.DECIDE: STAFF_RELATIONS,
    SupportAct.SERVE_DECISION: frozenset(
        {Relation.PRINCIPAL, Relation.SPECIAL_EDUCATION, Relation.MENTOR}
    ),
    SupportAct.RECORD_FOLLOW_UP: frozenset(
        {Relation.PRINCIPAL, Relation.SPECIAL_EDUCATION, Relation.MENTOR}
    ),
    # Appeals are lodged with and reconsidered by the decision-maker (FL 38–46 §§).
    SupportAct.HANDLE_APPEAL: frozenset({Relation.PRINCIPAL}),
    SupportAct.ADD_OWN_VIEW: FAMILY,
    SupportAct.CONFIRM_RECEIPT: FAMILY,
}


# The record's own work a named participant may do without a unit-wide role: the adaptation
# they are responsible for, the investigation they write, the follow-up of the measure they
# carry out. Never drafting, deciding, serving or handling appeals (SL 2 kap. 10 §, 3 kap. 9 §).
PARTICIPANT_ACTS = frozenset(
    {SupportAct.MANAGE_ADAPTATIONS, SupportAct.WRITE_INVESTIGATION, SupportAct.RECORD_FOLLOW_UP}
)


def can_act(relations: frozenset[Relation], act: SupportAct, *, participant: bool = False) -> bool:
    """`participant`: named on the record (investigator, responsible for a measure or a
    follow-up), which lets staff do the record's own work (PARTICIPANT_ACTS) even without a
    unit-wide role. Pages and the API ask this one function, so both apply the same rule.

    Staff who are the pupil or the pupil's guardian do none of the school's work on the case
    (jäv, FL 16 §): only what the family itself does (its own view, its own receipt)."""
    if relations & FAMILY and not SUPPORT_ACTORS[act] & FAMILY:
        return False
    if relations & SUPPORT_ACTORS[act]:
        return True
    return participant and act in PARTICIPANT_ACTS and bool(relations & STAFF_RELATIONS)


def can_edit_deadlines(ctx: UserContext, provider_id: uuid.UUID) -> bool:
    """Municipal deadlines are the huvudman's settings (process.md §3, rule 4)."""
    return provider_id in ctx.administered_providers


# ----------------------------------------------------------------------------- quality work
# Systematic quality work (SL 4 kap. 3–7 §§; seed 001). Nothing here reaches the pupil or the
# guardians: every rule below asks for a duty at a unit or at the huvudman, which the family
# never has.


def can_view_unit_quality(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """The principal's quality dashboard and report: the unit's leaders (SL 4 kap. 4 §)."""
    return unit_id in ctx.leader_units


def can_view_provider_quality(ctx: UserContext, provider_id: uuid.UUID) -> bool:
    """The huvudman's dashboard, report and API summary: counts only (SL 4 kap. 3 §)."""
    return provider_id in ctx.administered_providers


def can_write_quality_analysis(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """The principal's analysis and improvement actions in the unit's annual report."""
    return unit_id in ctx.leader_units


def can_record_special_education(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """Special-education work is documented by the specialpedagog or speciallärare who did it
    (seed 001 §§ 4, 8)."""
    return unit_id in ctx.support_units


def can_review_special_education(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """The rektor leads the special educators' work and follows up its results (seed 001 § 3):
    reads their documentation and reports, agrees competence plans."""
    return unit_id in ctx.leader_units


def can_read_routines(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """Every staff member at the unit follows its documented routines (seed 001 § 7)."""
    return unit_id in ctx.staff_units


def can_manage_unit_routines(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """The unit's leaders own and revise the unit's routines."""
    return unit_id in ctx.leader_units


def can_manage_provider_routines(ctx: UserContext, provider_id: uuid.UUID) -> bool:
    """Routines that apply to every unit are the huvudman's."""
    return provider_id in ctx.administered_providers


def can_report_deviation(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """Any staff member at the unit may report a cooperation problem (seed 001, last page:
    the activities decide locally who reports; we let every staff member do it)."""
    return unit_id in ctx.staff_units


def can_handle_deviation(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    """A deviation is routed to the responsible manager: the unit's leaders."""
    return unit_id in ctx.leader_units


def can_view_deviation_overview(ctx: UserContext, provider_id: uuid.UUID) -> bool:
    """The aggregated overview and the export for the county secretariat: the huvudman."""
    return provider_id in ctx.administered_providers


def can_manage_sync(ctx: UserContext) -> bool:
    """The huvudman's administrator sees each SS 12000 sync and starts one (issue 11). The
    summary holds counts and reason codes only, never a person, so no unit duty is needed."""
    return bool(ctx.administered_providers)
