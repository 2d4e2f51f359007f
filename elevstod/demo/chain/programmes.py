"""Programmes, decisions and what follows them: drafts and revisions, the decision and its service
on each recipient, follow-ups and evaluations measure by measure, appeals.

As in elevstod.support.services, a programme comes into force only through a decision; the
decision-maker is one `workflow.may_decide` allows; the appeal time runs from each recipient's own
receipt (`workflow.appeal_deadline`); an appeal moves only by `workflow.appeal_transition`.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from elevstod.accounts.models import User
from elevstod.demo.chain.base import Kid, known, plus_days
from elevstod.demo.chain.records import EarlyRecords
from elevstod.demo.chain.tables import (
    ADAPTED_STUDY_PATH_DEVIATIONS,
    APPEAL_NOTES,
    APPELLANT_TEXT,
    BOARD_RULINGS,
    CARRIED_OUT_WEIGHTS,
    FIRST_PROGRAMME_REASONS,
    FOLLOW_UP_GUARDIAN_VIEW,
    FOLLOW_UP_PARTICIPANTS,
    FOLLOW_UP_PUPIL_VIEW,
    FOLLOW_UP_SUMMARY,
    PROGRAMME_GUARDIAN_VIEW,
    PROGRAMME_MEASURES,
    PROGRAMME_PUPIL_VIEW,
    RESERVED_MEASURES,
    RESERVED_RETURN_PLAN,
    RESERVED_SETTING_REASONS,
    REVIEW_EFFECTS,
    REVISED_PROGRAMME_REASONS,
)
from elevstod.demo.plan import Population
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.labels import (
    APPEAL_INSTRUCTIONS,
    MEASURE_SETTING_LABELS,
    NEED_CATEGORY_LABELS,
)
from elevstod.support.models import (
    ActionProgramme,
    Appeal,
    Communication,
    Decision,
    DecisionService,
    FollowUp,
    Investigation,
    InvestigationNeed,
    MeasureReview,
    ProgrammeMeasure,
    ProgrammeNeed,
    RecipientKind,
    Referral,
    ServiceMethod,
)
from elevstod.support.workflow.appeals import AppealClock, Receipt, appeal_clock
from elevstod.support.workflow.communication import CommunicationPurpose
from elevstod.support.workflow.standing import standing_on

# The adverse decisions the family is given the material for first (FL 25 §; decision 0014).
ADVERSE_KINDS = (wf.DecisionKind.NO_ACTION_PROGRAMME, wf.DecisionKind.ACTION_PROGRAMME_CLOSURE)
COMMUNICATED_MATERIAL = (
    "Utredningen (eller utvärderingen) och förslaget till beslut med skälen för det."
)
COMMUNICATED_ANSWER = "Vi har tagit del av underlaget och har inget att tillägga."

SERVICE_METHODS = (ServiceMethod.DIGITAL, ServiceMethod.LETTER, ServiceMethod.IN_PERSON)
SERVICE_METHOD_WEIGHTS = (45, 30, 20)
# Measures outside the pupil's own group whose decision covers at most the term it starts in.
TERM_BOUND_SETTINGS = (
    wf.MeasureSetting.DISTANCE_TEACHING.value,  # at most one term (SL 3 kap. 11 a §)
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP.value,
    wf.MeasureSetting.INDIVIDUAL_TEACHING.value,
)
CARRIED_OUT = tuple(wf.CarriedOut)
MEASURE_EFFECTS = tuple(wf.MeasureEffect)


@dataclass(frozen=True)
class MeasureText:
    description: str
    extent: str
    setting: wf.MeasureSetting = wf.MeasureSetting.OWN_GROUP


@dataclass
class Session:
    """A follow-up or an evaluation: planned, held, and the next one of its kind."""

    kind: wf.FollowUpKind
    planned: date
    held: date
    next_on: date | None


@dataclass
class Served:
    decision: Decision
    services: list[DecisionService] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionText:
    """What a decision says (FL 32 §: reasons; SL 3 kap. 9 §: what is done instead)."""

    reasons: str
    instead: str = ""


class ProgrammeRecords(EarlyRecords):
    def __init__(self, population: Population) -> None:
        super().__init__(population)
        # The decision keeps the instructions in Swedish as served (services._appeal_instructions).
        self.appeal_text = str(APPEAL_INSTRUCTIONS)
        self.need_labels = {key: str(label) for key, label in NEED_CATEGORY_LABELS.items()}
        self.setting_labels = {key: str(label) for key, label in MEASURE_SETTING_LABELS.items()}
        # A programme version's needs and measures, by programme.
        self.needs_of: dict[uuid.UUID, list[ProgrammeNeed]] = {}
        self.measures_of: dict[uuid.UUID, list[ProgrammeMeasure]] = {}
        self.programme_by_id: dict[uuid.UUID, ActionProgramme] = {}

    # --- drafts -----------------------------------------------------------------------------

    def programme(
        self,
        kid: Kid,
        referral: Referral,
        investigation: Investigation,
        drafted: date,
        needs: list[InvestigationNeed],
        *,
        reserved: wf.MeasureSetting | None = None,
        follow_up_by: User | None = None,
        evaluation_by: User | None = None,
        measure_staff: dict[wf.NeedCategory, User] | None = None,
    ) -> ActionProgramme:
        """A draft with the investigation's needs and measures for them; `put_in_force` decides
        it. `reserved`: one measure outside the pupil's own group (SL 3 kap. 11–12 §§)."""
        if follow_up_by is None:
            follow_up_by = kid.educator if kid.protected else kid.mentor
        if evaluation_by is None:
            evaluation_by = (
                kid.educator if kid.protected or self.chance(0.8) else kid.unit.principal
            )
        programme = self.draft(kid, referral, investigation, drafted, follow_up_by, evaluation_by)
        rows = self.programme_needs(programme, needs, drafted)
        measures = self.measures_for(kid, programme, rows, drafted, measure_staff)
        if reserved is not None:
            text = MeasureText(*RESERVED_MEASURES[reserved][:2], reserved)
            measure = self.measure(
                kid, programme, rows[0], drafted, text, len(measures), measure_staff
            )
            measures.append(reserved_details(measure, reserved))
        self.keep_version(programme, rows, measures)
        return programme

    def keep_version(
        self,
        programme: ActionProgramme,
        needs: list[ProgrammeNeed],
        measures: list[ProgrammeMeasure],
    ) -> None:
        """A programme version's needs and measures, for its decision and follow-ups."""
        self.chain.programme_needs.extend(needs)
        self.chain.measures.extend(measures)
        self.needs_of[programme.id] = needs
        self.measures_of[programme.id] = measures

    def draft(
        self,
        kid: Kid,
        referral: Referral,
        investigation: Investigation,
        drafted: date,
        follow_up_by: User,
        evaluation_by: User,
    ) -> ActionProgramme:
        """The draft the concluded assessment makes (services._programme_from_investigation),
        written by the specialpedagog with the pupil's and the guardians' views."""
        author = kid.educator
        pupil_view = PROGRAMME_PUPIL_VIEW if self.chance(0.85) else ""
        guardian_view = PROGRAMME_GUARDIAN_VIEW if self.chance(0.85) else ""
        programme = self.pupil_record(
            ActionProgramme,
            kid,
            drafted,
            author,
            referral_id=referral.id,
            investigation_id=investigation.id,
            number=1,
            previous_id=None,
            state=wf.ProgrammeState.DRAFT.value,
            revision_reason="",
            pupil_participation_offered=True,
            pupil_view=pupil_view,
            guardian_participation_offered=True,
            guardian_view=guardian_view,
            follow_up_on=None,
            follow_up_responsible_id=follow_up_by.id,
            evaluation_on=None,
            evaluation_responsible_id=evaluation_by.id,
            valid_until=None,
            in_force_from=None,
            version=1,
            updated_by_id=author.id,
        )
        self.drafting(kid, programme, author, drafted, "programme.drafted", saves=4)
        return programme

    def drafting(
        self,
        kid: Kid,
        programme: ActionProgramme,
        author: User,
        day: date,
        verb: str,
        *,
        saves: int,
    ) -> None:
        """A new programme version, worked on and saved in the editor one to `saves` times
        (services.programme_save)."""
        self.chain.programmes.append(programme)
        self.programme_by_id[programme.id] = programme
        self.event(kid, author, verb, "action_programme", programme.id, day)
        for _ in range(self.rng.randint(1, saves)):
            self.save(kid, programme, author, day)

    def programme_needs(
        self, programme: ActionProgramme, needs: list[InvestigationNeed], day: date
    ) -> list[ProgrammeNeed]:
        """The needs the investigation found, carried over (services._programme_from_...)."""
        return [
            self.row(
                ProgrammeNeed,
                day,
                programme_id=programme.id,
                source_id=source.id,
                category=wf.NeedCategory(source.category).value,
                description=source.description,
                position=position,
            )
            for position, source in enumerate(needs)
        ]

    def measures_for(
        self,
        kid: Kid,
        programme: ActionProgramme,
        needs: list[ProgrammeNeed],
        day: date,
        staff: dict[wf.NeedCategory, User] | None,
    ) -> list[ProgrammeMeasure]:
        """One or two measures in the pupil's own group for each need."""
        measures: list[ProgrammeMeasure] = []
        for need in needs:
            category = wf.NeedCategory(need.category)
            options = PROGRAMME_MEASURES[category]
            count = 2 if len(options) > 1 and self.chance(0.3) else 1
            for description, extent in self.rng.sample(options, count):
                text = MeasureText(description, extent)
                measures.append(self.measure(kid, programme, need, day, text, len(measures), staff))
        return measures

    def measure(
        self,
        kid: Kid,
        programme: ActionProgramme,
        need: ProgrammeNeed,
        day: date,
        text: MeasureText,
        position: int,
        staff: dict[wf.NeedCategory, User] | None,
    ) -> ProgrammeMeasure:
        category = wf.NeedCategory(need.category)
        responsible = (staff or {}).get(category) or self.staff_for_measure(
            kid, category, text.setting, day
        )
        return self.row(
            ProgrammeMeasure,
            day,
            programme_id=programme.id,
            need_id=need.id,
            description=text.description,
            responsible_id=responsible.id,
            extent=text.extent,
            setting=text.setting.value,
            position=position,
        )

    def copy_programme(
        self, kid: Kid, previous: ActionProgramme, drafted: date, reason: str
    ) -> ActionProgramme:
        """A revision: a new draft copied from the programme in force (services.programme_start_
        revision), then given one more measure for the need that has moved least."""
        programme = self.row(ActionProgramme, drafted, **_copied(previous))
        author = self.users[known(previous.evaluation_responsible_id)]
        programme.__dict__.update(
            created_by_id=author.id,
            number=previous.number + 1,
            previous_id=previous.id,
            state=wf.ProgrammeState.DRAFT.value,
            revision_reason=reason,
            in_force_from=None,
            version=1,
            updated_by_id=author.id,
        )
        self.drafting(kid, programme, author, drafted, "programme.revision_started", saves=3)
        needs = {
            need.id: self.row(ProgrammeNeed, drafted, **_copied(need, programme_id=programme.id))
            for need in self.needs_of[previous.id]
        }
        measures = [
            self.row(
                ProgrammeMeasure,
                drafted,
                **_copied(measure, programme_id=programme.id, need_id=needs[measure.need_id].id),
            )
            for measure in self.measures_of[previous.id]
        ]
        need = self.rng.choice(list(needs.values()))
        description, extent = self.rng.choice(PROGRAMME_MEASURES[wf.NeedCategory(need.category)])
        text = MeasureText("Utökat stöd: " + description.lower(), extent)
        measures.append(self.measure(kid, programme, need, drafted, text, len(measures), None))
        self.keep_version(programme, list(needs.values()), measures)
        return programme

    # --- decisions ----------------------------------------------------------------------------

    def decide(
        self,
        kid: Kid,
        referral: Referral,
        kind: wf.DecisionKind,
        day: date,
        text: DecisionText,
        *,
        investigation: Investigation | None = None,
        programme: ActionProgramme | None = None,
        delegate: bool = False,
        served: str = "auto",
    ) -> Served:
        """A decision by the rektor (or the delegate), served on its recipients."""
        unit = kid.unit
        decider, delegation, title = unit.principal, None, self.principal_title
        if (
            delegate
            and unit.delegation is not None
            and unit.delegation.valid_from <= day <= unit.delegation.valid_until
        ):
            delegation = unit.delegation
            decider = self.users[delegation.delegate_id]
            title = self.title(decider, unit)
        authority = wf.DecisionAuthority(
            is_principal=delegation is None and self.on_duty(decider, unit, day),
            delegated_types=frozenset([delegation.decision_type] if delegation else []),
            has_unit_duty=self.on_duty(decider, unit, day),
        )
        settings = [
            wf.MeasureSetting(m.setting)
            for m in (self.measures_of.get(programme.id, []) if programme else [])
        ]
        assert wf.may_decide(authority, kind, settings).ok, (kind, settings)
        if kind in ADVERSE_KINDS:
            self.communicate(kid, referral, day, decider, investigation, programme)
        decision = self.pupil_record(
            Decision,
            kid,
            day,
            decider,
            referral_id=referral.id,
            kind=kind.value,
            investigation_id=investigation.id if investigation is not None else None,
            programme_id=programme.id if programme is not None else None,
            decided_on=day,
            decided_by_id=decider.id,
            decided_by_name=self.name(decider),
            decided_by_title=title,
            delegation_id=delegation.id if delegation is not None else None,
            statement_of_reasons=text.reasons,
            instead=text.instead,
            appeal_instructions=self.appeal_text,
        )
        self.chain.decisions.append(decision)
        self.event(kid, decider, "decision.made", "decision", decision.id, day)
        return Served(decision, self.serve(kid, decision, day, served))

    def communicate(
        self,
        kid: Kid,
        referral: Referral,
        day: date,
        sender: User,
        investigation: Investigation | None,
        programme: ActionProgramme | None,
    ) -> None:
        """Kommunicering before an adverse decision (FL 25 §; decision 0014): the material sent
        up to a week before, answered before the decision (services.communication)."""
        floor = (investigation.assessed_on if investigation else None) or (
            programme.in_force_from if programme else None
        )
        sent = max(day - timedelta(days=7), floor or day)
        answered = min(sent + timedelta(days=3), day)
        communication = self.pupil_record(
            Communication,
            kid,
            sent,
            sender,
            referral_id=referral.id,
            purpose=(
                CommunicationPurpose.CLOSURE if programme else CommunicationPurpose.NO_PROGRAMME
            ).value,
            investigation_id=None if programme else (investigation.id if investigation else None),
            programme_id=programme.id if programme else None,
            sent_on=sent,
            recipients=", ".join(g.full_name for g in kid.guardians) or kid.pupil.full_name,
            material=COMMUNICATED_MATERIAL,
            answer_by=sent + timedelta(days=10),
            answered_on=answered,
            answer=COMMUNICATED_ANSWER,
            answer_recorded_by_id=sender.id,
        )
        self.chain.communications.append(communication)
        self.event(kid, sender, "communication.sent", "communication", communication.id, sent)
        self.event(
            kid, sender, "communication.answered", "communication", communication.id, answered
        )

    def serve(self, kid: Kid, decision: Decision, day: date, mode: str) -> list[DecisionService]:
        """One service row per recipient. `mode`: "auto" (by the decision's age), "received"
        (everyone has it), "none" (nothing recorded yet)."""
        recipients: list[tuple[RecipientKind, uuid.UUID | None, str]] = [
            (RecipientKind.GUARDIAN, guardian.id, guardian.full_name) for guardian in kid.guardians
        ]
        # The pupil too, whatever their age, as services._create_service_rows does: from 16 they
        # may appeal alone (SL 29 kap. 12 §), and younger pupils are informed.
        recipients.append((RecipientKind.PUPIL, None, kid.pupil.full_name))
        recent = (self.today - day).days <= 10
        rows = [
            self.service(kid, decision, day, recipient, self.service_state(mode, recent), mode)
            for recipient in recipients
        ]
        self.chain.services.extend(rows)
        return rows

    def service_state(self, mode: str, recent: bool) -> str:
        if mode == "none":
            return "unsent"
        if mode == "auto" and recent:
            return self.rng.choice(("unsent", "sent", "received", "received"))
        if mode == "auto" and self.chance(0.03):
            return "sent"
        return "received"

    def service(
        self,
        kid: Kid,
        decision: Decision,
        day: date,
        recipient: tuple[RecipientKind, uuid.UUID | None, str],
        state: str,
        mode: str,
    ) -> DecisionService:
        """How and when one recipient got the decision; their three weeks to appeal run from
        their own receipt (FL 44 § via SL 29 kap. 11 §), as services.service_record records it."""
        kind, guardian_id, name = recipient
        sent = method = received = deadline = recorder = None
        if state != "unsent":
            method = self.rng.choices(SERVICE_METHODS, SERVICE_METHOD_WEIGHTS)[0]
            sent = min(plus_days(day, self.rng.randint(0, 3)), self.today)
            received = plus_days(sent, self.delivery_days(method))
            if mode == "received":
                received = min(received, self.today)
            if state == "sent" or received > self.today:
                received = None
            if received is not None and self.acts_alone(kid, kind, received):
                deadline = wf.appeal_deadline(received, days_off_around(received))
            recorder = self.server(kid)
        row = self.row(
            DecisionService,
            sent or day,
            decision_id=decision.id,
            recipient_kind=kind.value,
            guardian_id=guardian_id,
            recipient_name=name,
            sent_on=sent,
            method=method.value if method else "",
            received_on=received,
            appeal_deadline=deadline,
            recorded_by_id=recorder.id if recorder else None,
        )
        if recorder is not None and sent is not None:
            self.event(kid, recorder, "decision.served", "decision", decision.id, received or sent)
        return row

    def acts_alone(self, kid: Kid, kind: RecipientKind, day: date) -> bool:
        """A guardian acts; the pupil only with standing on the day (SL 29 kap. 12 §), as
        services.decisions.recipient_acts_alone reads it: a pupil's receipt starts a time only
        then, and otherwise the pupil's appeal counts from the guardians' receipt."""
        if kind is not RecipientKind.PUPIL:
            return True
        return standing_on(kid.pupil.birth_date, day, kid.class_plan.form).acts_alone

    def delivery_days(self, method: ServiceMethod) -> int:
        lags = {
            ServiceMethod.DIGITAL: self.rng.randint(0, 2),
            ServiceMethod.LETTER: self.rng.randint(2, 4),
            ServiceMethod.IN_PERSON: 0,
        }
        return lags[method]

    def put_in_force(
        self,
        kid: Kid,
        programme: ActionProgramme,
        referral: Referral,
        day: date,
        investigation: Investigation | None,
        served: str = "auto",
    ) -> Served:
        """Decide the draft (services.decide_programme): in force from the decision, the one it
        revises superseded by it, the investigation closed by a first programme."""
        for measure in self.measures_of[programme.id]:
            measure.starts_on = day
            if measure.setting in TERM_BOUND_SETTINGS:
                measure.ends_on = wf.term_end(day)
        served_decision = self.decide(
            kid,
            referral,
            wf.DecisionKind.ACTION_PROGRAMME,
            day,
            DecisionText(self.programme_reasons(programme)),
            investigation=investigation,
            programme=programme,
            served=served,
        )
        programme.state = wf.ProgrammeState.IN_FORCE.value
        programme.in_force_from = day
        programme.version += 1  # a save typed before the decision is now a conflict
        self.touch(programme, day)
        if investigation is not None:
            investigation.closed_on = day
            self.touch(investigation, day)
        revision = programme.previous_id is not None
        action = wf.CaseAction.DECIDE_REVISION if revision else wf.CaseAction.DECIDE_PROGRAMME
        self.step_case(referral, action)
        self.touch(referral, day)
        if programme.previous_id is not None:
            previous = self.programme_by_id[programme.previous_id]
            previous.state = wf.ProgrammeState.SUPERSEDED.value
            self.touch(previous, day)
        return served_decision

    def programme_reasons(self, programme: ActionProgramme) -> str:
        areas = ", ".join(
            self.need_labels[wf.NeedCategory(n.category)].lower()
            for n in self.needs_of[programme.id]
        )
        first = programme.previous_id is None
        reasons = (FIRST_PROGRAMME_REASONS if first else REVISED_PROGRAMME_REASONS).format(
            areas=areas
        )
        settings = sorted(
            {
                self.setting_labels[wf.MeasureSetting(m.setting)].split(" (")[0].lower()
                for m in self.measures_of[programme.id]
                if m.setting != wf.MeasureSetting.OWN_GROUP.value
            }
        )
        if settings:
            reasons += RESERVED_SETTING_REASONS.format(settings=" och ".join(settings))
        return reasons

    # --- follow-up ---------------------------------------------------------------------------

    def schedule(
        self, start: date, until: date, *, overdue: bool
    ) -> tuple[list[Session], date, date]:
        """Follow-ups every 5–8 weeks and an evaluation every 3½–6 months, from `start` while
        held on or before `until`. Returns the sessions held and the next planned dates."""
        rng = self.rng
        interval = rng.randint(35, 56)
        follow_up = plus_days(start, interval)
        evaluation = plus_days(start, rng.randint(100, 170))
        sessions: list[Session] = []
        last = start
        while True:
            kind = (
                wf.FollowUpKind.EVALUATION if evaluation <= follow_up else wf.FollowUpKind.FOLLOW_UP
            )
            planned = evaluation if kind is wf.FollowUpKind.EVALUATION else follow_up
            held = max(plus_days(planned, rng.randint(-3, 6)), plus_days(last, 1))
            if held > until:
                break
            # Each kind keeps its own rhythm: a session sets the next of its kind only.
            if kind is wf.FollowUpKind.EVALUATION:
                evaluation = plus_days(held, rng.randint(100, 170))
                next_on = evaluation
            else:
                follow_up = plus_days(held, interval)
                next_on = follow_up
            sessions.append(Session(kind, planned, held, next_on))
            last = held
        if overdue and sessions and sessions[-1].planned < self.today:
            missed = sessions.pop()  # never held: now overdue
            if missed.kind is wf.FollowUpKind.EVALUATION:
                evaluation = missed.planned
            else:
                follow_up = missed.planned
        return sessions, follow_up, evaluation

    def follow_ups(
        self,
        kid: Kid,
        programme: ActionProgramme,
        sessions: list[Session],
        final: wf.FollowUpOutcome = wf.FollowUpOutcome.CONTINUE,
    ) -> None:
        """The sessions as rows; the last gets `final` (revise or close end the programme)."""
        for number, session in enumerate(sessions):
            outcome = final if number == len(sessions) - 1 else wf.FollowUpOutcome.CONTINUE
            follow_up = self.follow_up(kid, programme, session, outcome)
            self.chain.follow_ups.append(follow_up)
            for measure in self.measures_of[programme.id]:
                self.chain.reviews.append(self.review(follow_up, measure, outcome))

    def follow_up(
        self,
        kid: Kid,
        programme: ActionProgramme,
        session: Session,
        outcome: wf.FollowUpOutcome,
    ) -> FollowUp:
        """One session, as services.follow_up_record writes it (SL 3 kap. 9 §)."""
        state = wf.ProgrammeState(programme.state)
        assert wf.may_act_on_programme(state, wf.ProgrammeStep.FOLLOW_UP).ok
        continues = outcome is wf.FollowUpOutcome.CONTINUE
        assert wf.may_record_follow_up(True, continues, session.next_on, session.held).ok
        evaluating = session.kind is wf.FollowUpKind.EVALUATION
        by = (
            programme.evaluation_responsible_id
            if evaluating
            else programme.follow_up_responsible_id
        )
        actor = self.users[known(by)]
        participants = self.rng.choice(FOLLOW_UP_PARTICIPANTS)
        pupil_invited = self.chance(0.9)
        guardian_invited = self.chance(0.95)
        pupil_view = FOLLOW_UP_PUPIL_VIEW if self.chance(0.8) else ""
        guardian_view = FOLLOW_UP_GUARDIAN_VIEW if self.chance(0.75) else ""
        follow_up = self.pupil_record(
            FollowUp,
            kid,
            session.held,
            actor,
            programme_id=programme.id,
            kind=session.kind.value,
            planned_on=session.planned,
            held_on=session.held,
            participants=participants,
            pupil_invited=pupil_invited,
            guardian_invited=guardian_invited,
            pupil_view=pupil_view,
            guardian_view=guardian_view,
            summary=FOLLOW_UP_SUMMARY[outcome],
            outcome=outcome.value,
            next_on=session.next_on if outcome is wf.FollowUpOutcome.CONTINUE else None,
        )
        verb = f"{session.kind.value}.recorded"
        self.event(kid, actor, verb, "follow_up", follow_up.id, session.held)
        return follow_up

    def review(
        self, follow_up: FollowUp, measure: ProgrammeMeasure, outcome: wf.FollowUpOutcome
    ) -> MeasureReview:
        """How far one measure was carried out and what it achieved."""
        carried_out = self.rng.choices(CARRIED_OUT, CARRIED_OUT_WEIGHTS[outcome])[0]
        effect = self.rng.choices(MEASURE_EFFECTS, REVIEW_EFFECTS[outcome])[0]
        return self.row(
            MeasureReview,
            follow_up.held_on,
            follow_up_id=follow_up.id,
            measure_id=measure.id,
            carried_out=carried_out.value,
            effect=effect.value,
            comment="",
        )

    def run_programme(
        self, kid: Kid, programme: ActionProgramme, start: date, *, overdue: bool
    ) -> None:
        """Follow up a programme in force from `start` until today."""
        sessions, follow_up, evaluation = self.schedule(start, self.today, overdue=overdue)
        programme.follow_up_on = follow_up
        programme.evaluation_on = evaluation
        self.follow_ups(kid, programme, sessions)

    def end_programme(
        self,
        kid: Kid,
        programme: ActionProgramme,
        start: date,
        ends: date,
        outcome: wf.FollowUpOutcome,
    ) -> None:
        """Follow up from `start`, then evaluate on `ends` with `outcome` (revise or close)."""
        sessions, follow_up, evaluation = self.schedule(start, plus_days(ends, -7), overdue=False)
        # The evaluation is planned for the day the one before set, and may be held earlier.
        sessions.append(Session(wf.FollowUpKind.EVALUATION, evaluation, ends, None))
        programme.follow_up_on = follow_up
        programme.evaluation_on = evaluation
        self.follow_ups(kid, programme, sessions, outcome)

    def plan_next(
        self,
        programme: ActionProgramme,
        *,
        follow_up_on: date | None = None,
        evaluation_on: date | None = None,
    ) -> None:
        """Set when a programme in force is next followed up or evaluated: as the latest session
        of that kind set it (services.follow_up_record); without one, as decided."""
        for kind, day in (
            (wf.FollowUpKind.FOLLOW_UP, follow_up_on),
            (wf.FollowUpKind.EVALUATION, evaluation_on),
        ):
            if day is None:
                continue
            sessions = [
                f
                for f in self.chain.follow_ups
                if f.programme_id == programme.id and f.kind == kind.value
            ]
            if sessions:
                latest = max(sessions, key=lambda f: f.held_on)
                assert latest.held_on < day
                assert latest.next_on is not None
                latest.next_on = day
            if kind is wf.FollowUpKind.FOLLOW_UP:
                programme.follow_up_on = day
            else:
                programme.evaluation_on = day

    # --- appeals -----------------------------------------------------------------------------

    def appeal(
        self,
        kid: Kid,
        served: Served,
        state: wf.AppealState,
        *,
        lodged: date | None = None,
        outcome_on: date | None = None,
    ) -> Appeal:
        """An appeal by the first recipient who has the decision, lodged in time (or late, for
        `DISMISSED_LATE`) and handled by the rektor step by step until it is in `state`."""
        decision = served.decision
        received = [s for s in served.services if s.appeal_deadline is not None]
        service = received[0] if received else served.services[0]
        if lodged is None:
            lodged = self.lodging_day(service, decision, state)
        lodged = min(lodged, self.today)
        clock = self.appeal_clock(kid, served, service, lodged)
        deadline = clock.deadline
        principal = kid.unit.principal
        appeal = self.pupil_record(
            Appeal,
            kid,
            lodged,
            principal,
            decision_id=decision.id,
            service_id=service.id,
            appellant_name=service.recipient_name,
            lodged_on=lodged,
            deadline=deadline,
            not_served=clock.not_served,
            is_timely=wf.appeal_is_timely(lodged, deadline, not_served=clock.not_served),
            content=APPELLANT_TEXT.format(name=kid.pupil.first_name),
            state=wf.AppealState.REGISTERED.value,
            handling_note="",
            forwarded_on=None,
            outcome_on=None,
        )
        self.chain.appeals.append(appeal)
        self.event(kid, principal, "appeal.registered", "appeal", appeal.id, lodged)
        self.handle_appeal(kid, appeal, self.appeal_steps(state, lodged, outcome_on))
        return appeal

    def appeal_clock(
        self, kid: Kid, served: Served, service: DecisionService, lodged: date
    ) -> AppealClock:
        """What the appeal is judged from, as services.appeals.appellant_clock counts it."""
        kind = RecipientKind(service.recipient_kind)
        acts_alone = self.acts_alone(kid, kind, service.received_on or lodged)
        guardians = [
            Receipt(s.received_on, s.appeal_deadline)
            for s in served.services
            if s.recipient_kind == RecipientKind.GUARDIAN.value
        ]
        decided = served.decision.decided_on
        return appeal_clock(
            Receipt(service.received_on, service.appeal_deadline),
            acts_alone=acts_alone,
            guardians=[] if acts_alone else guardians,
            earliest_deadline=wf.appeal_deadline(decided, days_off_around(decided)),
        )

    def lodging_day(
        self, service: DecisionService, decision: Decision, state: wf.AppealState
    ) -> date:
        deadline = service.appeal_deadline
        base = service.received_on or decision.decided_on
        if state is wf.AppealState.DISMISSED_LATE and deadline is not None:
            return plus_days(deadline, self.rng.randint(1, 12))
        latest = min(deadline or plus_days(base, 21), self.today)
        return plus_days(base, self.rng.randint(1, max(1, (latest - base).days)))

    def appeal_steps(
        self, state: wf.AppealState, lodged: date, outcome_on: date | None
    ) -> list[tuple[wf.AppealAction, date]]:
        """The rektor's steps (and the board's ruling) that lead to `state`, with their days."""
        if state is wf.AppealState.DISMISSED_LATE:
            dismissed = min(plus_days(lodged, self.rng.randint(1, 7)), self.today)
            return [(wf.AppealAction.DISMISS_AS_LATE, dismissed)]
        if state is wf.AppealState.CHANGED_ON_RECONSIDERATION:
            return [(wf.AppealAction.RECONSIDER_AND_CHANGE, outcome_on or lodged)]
        if state is wf.AppealState.REGISTERED:
            return []
        forwarded = min(plus_days(lodged, self.rng.randint(2, 10)), self.today)
        steps = [(wf.AppealAction.FORWARD, forwarded)]
        ruling = BOARD_RULINGS.get(state)
        if ruling is not None:
            decided = outcome_on or min(plus_days(forwarded, self.rng.randint(40, 110)), self.today)
            steps.append((ruling, max(decided, forwarded)))
        return steps

    def handle_appeal(
        self, kid: Kid, appeal: Appeal, steps: list[tuple[wf.AppealAction, date]]
    ) -> None:
        """Each step as services.appeal_handle takes it: allowed by the rules, noted, dated."""
        principal = kid.unit.principal
        for action, day in steps:
            if action is wf.AppealAction.FORWARD:
                assert wf.may_forward_appeal(appeal.lodged_on, appeal.deadline).ok
                appeal.forwarded_on = day
            else:
                appeal.outcome_on = day
            if action is wf.AppealAction.DISMISS_AS_LATE:
                assert wf.may_dismiss_appeal_as_late(appeal.lodged_on, appeal.deadline).ok
            target = wf.appeal_transition(wf.AppealState(appeal.state), action)
            assert not isinstance(target, wf.Refused)
            appeal.state = target.value
            self.touch(appeal, day)
            self.event(kid, principal, f"appeal.{action.value}", "appeal", appeal.id, day)
        appeal.handling_note = "\n".join(APPEAL_NOTES[action] for action, _day in steps)


def reserved_details(measure: ProgrammeMeasure, setting: wf.MeasureSetting) -> ProgrammeMeasure:
    """What a measure outside the pupil's own group must state: the special reasons (SL 3 kap.
    11–12 §§), where it is given, and how the return to the own group is tried."""
    _description, _extent, location, reasons = RESERVED_MEASURES[setting]
    measure.special_reasons = reasons
    measure.location = location
    if setting is wf.MeasureSetting.ADAPTED_STUDY_PATH:
        measure.deviations = ADAPTED_STUDY_PATH_DEVIATIONS
    else:
        measure.return_plan = RESERVED_RETURN_PLAN
    return measure


def _copied(
    record: ActionProgramme | ProgrammeNeed | ProgrammeMeasure, **changes: object
) -> dict[str, object]:
    """A record's field values for a copy, with `changes`: everything but its id and moments."""
    values = {
        name: value
        for name, value in record.__dict__.items()
        if name not in ("id", "created_at", "updated_at", "_state") and not name.startswith("_")
    }
    return values | changes
