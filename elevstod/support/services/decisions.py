"""The three decisions of the chain and their service on each recipient (SL 3 kap. 9 §;
FL 32–33 §§, 44 § via SL 29 kap. 10–11 §§; process.md §1, S5a/S5b/S8, §2.4).

Every decision goes the same way (`_decide`): who decides is read from the duties and the
delegation register on the day; the case and the record decided on are locked and read again; the
workflow is asked; the Decision is made with one service row per recipient; the case moves on. Only
the checks and what the decision does to its record differ between the three.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from elevstod.accounts.models import User
from elevstod.organisation.duties import UNIT_DUTY_LABELS, UnitDutyKind
from elevstod.organisation.models import Delegation, UnitDuty
from elevstod.organisation.services import delegations_covering
from elevstod.people.models import Guardian, Guardianship, Placement, Pupil
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.labels import APPEAL_INSTRUCTIONS
from elevstod.support.models import (
    ActionProgramme,
    Appeal,
    Decision,
    DecisionService,
    FollowUp,
    Investigation,
    RecipientKind,
    Referral,
    ServiceMethod,
)
from elevstod.support.services._recording import (
    EditConflictError,
    case_step,
    check_version,
    created,
    duty_title,
    following,
    lock_referral,
    move_case,
    record,
    refuse_unless,
)
from elevstod.support.services.communication import (
    refuse_adverse_decision_without_communication,
)
from elevstod.support.services.investigations import assessment_facts
from elevstod.support.services.programmes import programme_facts
from elevstod.support.workflow.standing import Standing, standing_on


@dataclass(frozen=True)
class Authority:
    facts: wf.DecisionAuthority
    delegation: Delegation | None
    title: str


def authority_of(
    *, actor: User, school_unit_id: uuid.UUID, kind: wf.DecisionKind, day: date
) -> Authority:
    """What the actor may decide at the unit on the day: read from duties and the delegation
    register, never from the session (SL 2 kap. 9–10 §§). A delegate must hold a duty at the
    unit on the day (SL 2 kap. 10 §: "anställd eller uppdragstagare vid skolenheten")."""
    facts, delegations = _authority_facts(
        actor=actor, school_unit_id=school_unit_id, kind=kind, day=day
    )
    return Authority(
        facts=facts,
        delegation=delegations[0] if delegations else None,
        title=str(UNIT_DUTY_LABELS[UnitDutyKind.PRINCIPAL])
        if facts.is_principal
        else duty_title(actor, school_unit_id),
    )


def _authority_facts(
    *,
    actor: User,
    school_unit_id: uuid.UUID,
    kind: wf.DecisionKind,
    day: date,
    duties: frozenset[str] | None = None,
) -> tuple[wf.DecisionAuthority, list[Delegation]]:
    """authority_of's facts and the delegations covering the decision, without the title the
    decision is signed with (one query fewer, for pages that only ask whether to offer it).
    `duties`: the actor's duties at the unit on the day, where the caller has read them."""
    duties_that_day = (
        set(duties)
        if duties is not None
        else set(
            UnitDuty.objects.filter(user=actor, school_unit_id=school_unit_id, starts_on__lte=day)
            .exclude(ends_on__lt=day)
            .values_list("duty", flat=True)
        )
    )
    is_principal = UnitDutyKind.PRINCIPAL in duties_that_day
    delegations = (
        []
        if is_principal
        else delegations_covering(
            delegate_id=actor.pk, school_unit_id=school_unit_id, decision_type=kind, day=day
        )
    )
    facts = wf.DecisionAuthority(
        is_principal=is_principal,
        delegated_types=frozenset(d.decision_type for d in delegations),
        has_unit_duty=bool(duties_that_day),
    )
    return facts, delegations


def may_decide_at(
    *,
    actor: User,
    school_unit_id: uuid.UUID,
    kinds: Iterable[wf.DecisionKind],
    day: date,
    duties: frozenset[str] | None = None,
) -> bool:
    """Whether the actor may make a decision of one of `kinds` at the unit on the day, by the
    same authority the decision itself is checked against (`authority_of`, `wf.may_decide`): the
    rektor, or a delegate whose delegation in force covers it (SL 2 kap. 9–10 §§). What the pages
    offer; the settings reserved for the rektor are checked when the decision is made.
    `duties`: the actor's duties at the unit on the day, where the page has them (the request's
    access context reads them from the duty register for today), else they are read here."""
    return any(
        not isinstance(
            wf.may_decide(
                _authority_facts(
                    actor=actor, school_unit_id=school_unit_id, kind=kind, day=day, duties=duties
                )[0],
                kind,
            ),
            wf.Refused,
        )
        for kind in kinds
    )


# ----------------------------------------------------------------------------- the shared step


DecidedRecord = TypeVar("DecidedRecord", Investigation, ActionProgramme)


@dataclass(frozen=True)
class _Decider:
    """Who decides, with what authority, on which day and through which channel."""

    actor: User
    authority: Authority
    kind: wf.DecisionKind
    today: date
    channel: str


def _decider(
    actor: User, school_unit_id: uuid.UUID, kind: wf.DecisionKind, today: date, channel: str
) -> _Decider:
    authority = authority_of(actor=actor, school_unit_id=school_unit_id, kind=kind, day=today)
    return _Decider(actor, authority, kind, today, channel)


def _lock(
    decided_on: DecidedRecord, expected_version: int | None = None
) -> tuple[Referral, DecidedRecord]:
    """The case, then the record decided on, locked and read again: a save, a conclusion or a
    decision made meanwhile is what the rules see. `expected_version` is the version the decider
    read (None: whatever is current); a newer one is an EditConflictError."""
    referral = lock_referral(decided_on.referral)
    locked = type(decided_on).objects.select_for_update().get(pk=decided_on.pk)
    check_version(locked.version, expected_version)
    return referral, locked


def _decide(
    decider: _Decider,
    referral: Referral,
    action: wf.CaseAction,
    statement_of_reasons: str,
    *,
    investigation: Investigation | None = None,
    programme: ActionProgramme | None = None,
    instead: str = "",
) -> Decision:
    """Make the decision on the locked case: the case's step, the Decision with its service
    rows, the link from an appeal awaiting it, the audit rows, and the case's new state."""
    target = case_step(referral, action)
    actor = decider.actor
    decision = created(
        actor,
        Decision,
        "decision.made",
        decider.today,
        decider.channel,
        referral=referral,
        **following(referral),
        kind=decider.kind,
        investigation=investigation,
        programme=programme,
        decided_on=decider.today,
        decided_by=actor,
        decided_by_name=actor.get_full_name() or actor.get_username(),
        decided_by_title=decider.authority.title,
        delegation=decider.authority.delegation,
        statement_of_reasons=statement_of_reasons,
        instead=instead,
        appeal_instructions=_appeal_instructions(),
    )
    create_service_rows(decision)
    # An appeal whose decision was changed on reconsideration (FL 39 §: the appeal now covers
    # the new decision) or set aside or returned by the board: link the new decision, made
    # through the normal flow (service and appeal fixes).
    Appeal.objects.filter(
        decision__referral=referral,
        state__in=wf.APPEAL_STATES_AWAITING_NEW_DECISION,
        new_decision__isnull=True,
    ).update(new_decision=decision, updated_at=timezone.now())
    move_case(referral, target)
    return decision


def _appeal_instructions() -> str:
    # The decision keeps the instructions in Swedish as served, whatever the user's language.
    with translation.override("sv"):
        return str(APPEAL_INSTRUCTIONS)


def create_service_rows(decision: Decision) -> None:
    """One row per recipient: each guardian with custody, and the pupil (SL 29 kap. 12 §: a
    pupil of 16 may appeal alone; younger pupils are informed too)."""
    guardians = Guardian.objects.filter(
        pk__in=Guardianship.objects.filter(pupil_id=decision.pupil_id, has_custody=True).values(
            "guardian_id"
        )
    )
    rows = [
        DecisionService(
            decision=decision,
            recipient_kind=RecipientKind.GUARDIAN,
            guardian=guardian,
            recipient_name=guardian.full_name,
        )
        for guardian in guardians
    ]
    pupil = Pupil.objects.only("first_name", "last_name").get(pk=decision.pupil_id)
    rows.append(
        DecisionService(
            decision=decision, recipient_kind=RecipientKind.PUPIL, recipient_name=pupil.full_name
        )
    )
    DecisionService.objects.bulk_create(rows)


# ----------------------------------------------------------------------------- the decisions


def decide_no_programme(
    *,
    actor: User,
    investigation: Investigation,
    statement_of_reasons: str,
    instead: str,
    today: date,
    channel: str = "web",
    expected_version: int | None = None,
) -> Decision:
    """SL 3 kap. 9 § third paragraph: the investigation shows no need of special support.

    The investigation is locked and read again inside the transaction, so a save or a
    conclusion made meanwhile is what the rules see; `expected_version` (default: the current
    one) is the version the decider read, and a newer one is an EditConflictError."""
    kind = wf.DecisionKind.NO_ACTION_PROGRAMME
    decider = _decider(actor, investigation.school_unit_id, kind, today, channel)
    refuse_unless(wf.may_decide(decider.authority.facts, kind))
    with transaction.atomic():
        referral, investigation = _lock(investigation, expected_version)
        _refuse_no_programme_decision(investigation, statement_of_reasons)
        # Kommunicering before the adverse decision (FL 25 §; decision 0014).
        refuse_adverse_decision_without_communication(investigation=investigation, today=today)
        decision = _decide(
            decider,
            referral,
            wf.CaseAction.DECIDE_NO_PROGRAMME,
            statement_of_reasons,
            investigation=investigation,
            instead=instead,
        )
        Investigation.objects.filter(pk=investigation.pk).update(
            closed_on=today,
            assessed_on=investigation.assessed_on or today,
            version=F("version") + 1,  # a save typed before the decision is now a conflict
        )
    return decision


def _refuse_no_programme_decision(investigation: Investigation, statement_of_reasons: str) -> None:
    """The assessment found no need, and drafted no programme; an investigation decided on
    before its assessment was concluded must be one that could be concluded."""
    drafted = ActionProgramme.objects.filter(
        referral_id=investigation.referral_id, state=wf.ProgrammeState.DRAFT
    ).exists()
    refuse_unless(
        wf.may_decide_no_programme(
            investigation.special_support_needed, statement_of_reasons, programme_drafted=drafted
        )
    )
    if investigation.assessed_on is None:
        refuse_unless(wf.may_conclude_assessment(assessment_facts(investigation)))


def decide_programme(
    *,
    actor: User,
    programme: ActionProgramme,
    statement_of_reasons: str,
    today: date,
    channel: str = "web",
    expected_version: int | None = None,
) -> Decision:
    """Adopt a programme (SL 3 kap. 9 §), or a revision of one: a new decision either way.

    The checks run on the programme as locked inside the transaction: its measures are read
    again there, so a save made meanwhile cannot slip a reserved setting past a delegate's
    check. `expected_version` (default: the current one) is the version the decider read; a
    newer saved version is an EditConflictError and nothing is decided."""
    kind = wf.DecisionKind.ACTION_PROGRAMME
    refuse_unless(wf.may_edit_programme(wf.ProgrammeState(programme.state)))
    decider = _decider(actor, programme.school_unit_id, kind, today, channel)
    with transaction.atomic():
        referral, locked = _lock(programme, expected_version)
        _refuse_programme_decision(decider, locked, statement_of_reasons)
        is_revision = locked.previous_id is not None
        decision = _decide(
            decider,
            referral,
            wf.CaseAction.DECIDE_REVISION if is_revision else wf.CaseAction.DECIDE_PROGRAMME,
            statement_of_reasons,
            investigation=None if is_revision else locked.investigation,
            programme=programme,
        )
        _put_in_force(locked, today)
    programme.refresh_from_db()
    return decision


def _refuse_programme_decision(
    decider: _Decider, locked: ActionProgramme, statement_of_reasons: str
) -> None:
    """A draft, by someone who may decide its measures' settings, with its mandatory content,
    and (a first programme) resting on an assessment that found a need."""
    refuse_unless(wf.may_edit_programme(wf.ProgrammeState(locked.state)))
    settings = [wf.MeasureSetting(m.setting) for m in locked.measures.all()]
    refuse_unless(wf.may_decide(decider.authority.facts, decider.kind, settings))
    refuse_unless(
        wf.may_decide_programme(programme_facts(locked, statement_of_reasons), decider.today)
    )
    investigation = locked.investigation
    if locked.previous_id is None and investigation is not None:
        refuse_unless(
            wf.may_decide_programme_after_assessment(investigation.special_support_needed)
        )


def _put_in_force(locked: ActionProgramme, today: date) -> None:
    """The decided version is in force; the one it revises is superseded, or the investigation
    it answers is closed."""
    decided = ActionProgramme.objects.filter(pk=locked.pk, version=locked.version).update(
        state=wf.ProgrammeState.IN_FORCE,
        in_force_from=today,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if decided == 0:  # only without a row lock (never on PostgreSQL): nothing is decided
        raise EditConflictError(theirs={}, mine={}, version=locked.version)
    if locked.previous_id is not None:
        ActionProgramme.objects.filter(pk=locked.previous_id).update(
            state=wf.ProgrammeState.SUPERSEDED, updated_at=timezone.now()
        )
    elif locked.investigation_id is not None:
        Investigation.objects.filter(pk=locked.investigation_id).update(closed_on=today)


def decide_closure(
    *,
    actor: User,
    programme: ActionProgramme,
    statement_of_reasons: str,
    today: date,
    channel: str = "web",
) -> Decision:
    """End a programme on the strength of its evaluation (process.md §1, S7→S8)."""
    kind = wf.DecisionKind.ACTION_PROGRAMME_CLOSURE
    decider = _decider(actor, programme.school_unit_id, kind, today, channel)
    refuse_unless(wf.may_decide(decider.authority.facts, kind))
    with transaction.atomic():
        referral, locked = _lock(programme)
        refuse_unless(
            wf.may_act_on_programme(wf.ProgrammeState(locked.state), wf.ProgrammeStep.CLOSE)
        )
        evaluations = FollowUp.objects.filter(
            programme=locked, kind=wf.FollowUpKind.EVALUATION
        ).count()
        refuse_unless(wf.may_decide_closure(evaluations, statement_of_reasons))
        # Closing against the family's stated view: kommunicering first (FL 25 §; decision 0014).
        refuse_adverse_decision_without_communication(programme=locked, today=today)
        decision = _decide(
            decider,
            referral,
            wf.CaseAction.DECIDE_CLOSURE,
            statement_of_reasons,
            programme=programme,
        )
        ActionProgramme.objects.filter(pk=programme.pk).update(
            state=wf.ProgrammeState.CLOSED, valid_until=today, updated_at=timezone.now()
        )
        _lapse_pending_revision(decider, locked)
    return decision


def _lapse_pending_revision(decider: _Decider, closed: ActionProgramme) -> None:
    """A revision still in draft lapses with the programme it would have replaced. It is kept
    and its lapse recorded: nothing is deleted outside the retention schedule (rule 5)."""
    for lapsed in ActionProgramme.objects.select_for_update().filter(
        previous=closed, state=wf.ProgrammeState.DRAFT
    ):
        ActionProgramme.objects.filter(pk=lapsed.pk).update(
            state=wf.ProgrammeState.LAPSED,
            version=F("version") + 1,  # an editor still open on it gets a conflict
            updated_at=timezone.now(),
        )
        record(decider.actor, lapsed, "programme.draft_lapsed", decider.today, decider.channel)


# ----------------------------------------------------------------------------- service


# ----------------------------------------------------------------------------- standing


def _placement_form(pupil_id: uuid.UUID, school_unit_id: uuid.UUID, day: date) -> str | None:
    """The school form of the pupil's placement at the unit on the day, if any."""
    placement = (
        Placement.objects.filter(pupil_id=pupil_id, school_unit_id=school_unit_id)
        .filter(starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .order_by("-starts_on")
        .values_list("school_form", flat=True)
        .first()
    )
    return str(placement) if placement else None


def pupil_standing(
    *, pupil_id: uuid.UUID, school_unit_id: uuid.UUID, day: date, born_on: date | None = None
) -> Standing:
    """Whether the pupil acts alone on the day in a matter at the unit (SL 29 kap. 12 §): from
    the birth date, and the school form of the pupil's placement there (gymnasium matters).
    A caller that has the pupil's row passes `born_on` and saves reading it again."""
    if born_on is None:
        born_on = Pupil.objects.values_list("birth_date", flat=True).get(pk=pupil_id)
    return standing_on(born_on, day, _placement_form(pupil_id, school_unit_id, day))


def recipient_acts_alone(
    decision: Decision, service: DecisionService, day: date, born_on: date | None = None
) -> bool:
    """Whether the recipient of `service` acts alone in the matter (SL 29 kap. 12 §): a guardian
    always; the pupil as on the day of their own receipt if they got the decision (that receipt
    started a time or it did not), else as on `day`. Where the pupil does not, their receipt
    starts no appeal time and their appeal is counted from the guardians' receipt. `born_on`:
    the pupil's birth date, where the caller has the pupil's row (pupil_standing)."""
    if service.recipient_kind != RecipientKind.PUPIL:
        return True
    standing = pupil_standing(
        pupil_id=decision.pupil_id,
        school_unit_id=decision.school_unit_id,
        day=service.received_on or day,
        born_on=born_on,
    )
    return standing.acts_alone


# ----------------------------------------------------------------------------- service


def service_record(
    *,
    actor: User,
    service: DecisionService,
    method: str,
    sent_on: date | None,
    received_on: date | None,
    today: date,
    channel: str = "web",
) -> DecisionService:
    """Record how and when one recipient got the decision. Their appeal time runs from receipt
    (FL 44 § via SL 29 kap. 11 §); a pupil who may not act alone (SL 29 kap. 12 §) is served
    too, but their receipt starts no time: the guardians' does. A recorded receipt day is never
    changed here: see service_correct. The days are checked before anything is computed on
    them, so an absurd day is a refusal, never an error."""
    with transaction.atomic():
        current = DecisionService.objects.select_for_update().get(pk=service.pk)
        decision = current.decision
        refuse_unless(
            wf.may_record_service(
                recorded_received_on=current.received_on,
                received_on=received_on,
                sent_on=sent_on,
                today=today,
                decided_on=decision.decided_on,
            )
        )
        DecisionService.objects.filter(pk=service.pk).update(
            method=method,
            sent_on=sent_on,
            received_on=received_on,
            appeal_deadline=_deadline_of(current, decision, received_on),
            recorded_by=actor,
            updated_at=timezone.now(),
        )
        service.refresh_from_db()
        record(actor, service.decision, "decision.served", today, channel)
    return service


def _deadline_of(
    service: DecisionService, decision: Decision, received_on: date | None
) -> date | None:
    """The recipient's last day to appeal, if their receipt starts a time."""
    if received_on is None:
        return None
    if service.recipient_kind == RecipientKind.PUPIL:
        # The receipt being recorded, not one recorded before (a correction replaces it).
        standing = pupil_standing(
            pupil_id=decision.pupil_id, school_unit_id=decision.school_unit_id, day=received_on
        )
        if not standing.acts_alone:
            return None
    return deadline_from_receipt(received_on)


def deadline_from_receipt(received_on: date) -> date:
    """The last day to appeal for a receipt on the day (FL 44 §), with the days off around it."""
    return wf.appeal_deadline(received_on, days_off_around(received_on))


def service_confirm_receipt(
    *, actor: User, service: DecisionService, today: date, channel: str = "web"
) -> DecisionService:
    """The recipient confirms in Elevstöd that they received the decision: their window opens."""
    if service.received_on is not None:
        return service
    return service_record(
        actor=actor,
        service=service,
        method=ServiceMethod.CONFIRMED_IN_APP,
        sent_on=service.sent_on or today,
        received_on=today,
        today=today,
        channel=channel,
    )


def service_correct(
    *,
    actor: User,
    service: DecisionService,
    received_on: date,
    reason: str,
    today: date,
    channel: str = "web",
) -> DecisionService:
    """Correct a wrongly recorded receipt day: a new, logged act with a reason. The old day,
    the new one, who and why are kept on the row (process.md §2.4 and rule 5)."""
    with transaction.atomic():
        current = DecisionService.objects.select_for_update().get(pk=service.pk)
        decision = current.decision
        refuse_unless(
            wf.may_correct_service(
                recorded_received_on=current.received_on,
                received_on=received_on,
                sent_on=current.sent_on,
                reason=reason,
                appeals_counted_from_it=Appeal.objects.filter(service=current).count(),
                today=today,
                decided_on=decision.decided_on,
            )
        )
        correction = {
            "on": today.isoformat(),
            "by": actor.get_full_name() or actor.get_username(),
            "from": current.received_on.isoformat() if current.received_on else None,
            "to": received_on.isoformat(),
            "reason": reason.strip(),
        }
        DecisionService.objects.filter(pk=current.pk).update(
            received_on=received_on,
            appeal_deadline=_deadline_of(current, decision, received_on),
            corrections=[*current.corrections, correction],
            updated_at=timezone.now(),
        )
        service.refresh_from_db()
        record(actor, service.decision, "decision.service_corrected", today, channel)
    return service
