"""Whole cases, each ending in one state of the chain: programmes in force (some revised, some
appealed), closed programmes, no-programme decisions and their appeals, investigations at every
stage, reports waiting for the rektor, extra adaptations, concerns.

Each case is drawn backwards from the day it reached its state, so that every step lies between
the pupil's history at the unit (`Kid.floor`) and `today`.
"""

from datetime import date
from typing import NamedTuple

from elevstod.accounts.models import User
from elevstod.demo.chain.base import Kid, known, plus_days
from elevstod.demo.chain.programmes import DecisionText, ProgrammeRecords, Served
from elevstod.demo.chain.records import AdaptationPlan
from elevstod.demo.chain.tables import (
    CLOSURE_REASONS,
    LAPSED_SHARE,
    LAPSING_REVISION_REASON,
    NO_PROGRAMME_AGE,
    NO_PROGRAMME_INSTEAD,
    NO_PROGRAMME_REASONS,
    OVERDUE_SHARE,
    RECONSIDERED_REASON,
    RESERVED_PROGRAMME_SHARE,
    RESERVED_WEIGHTS,
    REVISION_REASON,
)
from elevstod.demo.plan import Population
from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, Investigation, InvestigationNeed, Referral

# How long ago an appealed programme was decided, by the state its appeal has reached (days).
APPEALED_PROGRAMME_AGE = {
    None: 0,
    wf.AppealState.DISMISSED_LATE: 60,
    wf.AppealState.BOARD_UPHELD: 200,
}
# Appeal states in which the board's ruling sends a no-programme decision back to the school.
BOARD_REOPENS = (wf.AppealState.BOARD_SET_ASIDE, wf.AppealState.BOARD_RETURNED)


class OpenedCase(NamedTuple):
    referral: Referral
    investigation: Investigation
    needs: list[InvestigationNeed]
    decided: date


class DecidedCase(NamedTuple):
    referral: Referral
    investigation: Investigation
    programme: ActionProgramme
    served: Served


class CaseBuilder(ProgrammeRecords):
    def __init__(self, population: Population) -> None:
        super().__init__(population)
        self.settings_used: set[wf.MeasureSetting] = set()

    def reserved_setting(self, kid: Kid, *, cover: bool = False) -> wf.MeasureSetting | None:
        """A setting outside the pupil's own group for about RESERVED_PROGRAMME_SHARE of the
        programmes. With `cover`, a setting no programme has yet comes first, so that every
        setting is shown at every tier (the small tier has only a few dozen programmes)."""
        grade = kid.grade or 0
        if cover:
            missing = [
                setting
                for setting in RESERVED_WEIGHTS
                if setting not in self.settings_used
                and (setting is not wf.MeasureSetting.DISTANCE_TEACHING or grade >= 7)
                and (setting is not wf.MeasureSetting.ADAPTED_STUDY_PATH or grade >= 4)
            ]
            if missing:
                self.settings_used.add(missing[0])
                return missing[0]
        if not self.chance(RESERVED_PROGRAMME_SHARE):
            return None
        setting = self.pick(self.reserved_pick)
        if setting is wf.MeasureSetting.DISTANCE_TEACHING and grade < 7:
            setting = wf.MeasureSetting.INDIVIDUAL_TEACHING
        if setting is wf.MeasureSetting.ADAPTED_STUDY_PATH and grade < 4:
            setting = wf.MeasureSetting.SPECIAL_TEACHING_GROUP
        self.settings_used.add(setting)
        return setting

    def open_case(self, kid: Kid, decided: date, *, needed: bool) -> OpenedCase:
        """Report, receipt, investigation and assessment, ending in a decision on `decided`."""
        rng = self.rng
        gaps = [rng.randint(0, 4), rng.randint(1, 9), rng.randint(20, 45), rng.randint(3, 18)]
        reported, received, opened, assessed, decided = self.backwards(kid, decided, gaps)
        supported = decided if needed else None
        referral = self.referral(kid, reported, received=received, supported=supported)
        mapped = plus_days(opened, (assessed - opened).days // 2)
        investigation, needs = self.investigation(
            kid, referral, opened, mapped=mapped, assessed=assessed, needed=needed
        )
        return OpenedCase(referral, investigation, needs, decided)

    def case_programme(
        self,
        kid: Kid,
        decided: date,
        *,
        served: str = "auto",
        follow_up_by: User | None = None,
        evaluation_by: User | None = None,
        measure_staff: dict[wf.NeedCategory, User] | None = None,
        cover: bool = False,
    ) -> DecidedCase:
        """A case up to its first programme, decided on `decided`."""
        referral, investigation, needs, decided = self.open_case(kid, decided, needed=True)
        programme = self.programme(
            kid,
            referral,
            investigation,
            known(investigation.assessed_on),
            needs,
            reserved=self.reserved_setting(kid, cover=cover),
            follow_up_by=follow_up_by,
            evaluation_by=evaluation_by,
            measure_staff=measure_staff,
        )
        served_decision = self.put_in_force(
            kid, programme, referral, decided, investigation, served=served
        )
        if self.chance(0.35):  # extra adaptations often continue alongside special support
            self.active_adaptation(kid, decided)
        return DecidedCase(referral, investigation, programme, served_decision)

    def programme_age(self, kid: Kid) -> date:
        """When an active programme was decided: a third within six months, the rest older."""
        roll = self.rng.random()
        if roll < 0.3:
            return self.dwell(kid, 7, 180)
        if roll < 0.6:
            return self.dwell(kid, 180, 365)
        return self.dwell(kid, 365, 900)

    # --- programmes in force ---------------------------------------------------------------------

    def case_active(self, kid: Kid, appeal: wf.AppealState | None = None) -> None:
        """A programme in force, followed up until today; `appeal`: its decision appealed."""
        decided = self.programme_age(kid)
        if appeal is not None:
            low = APPEALED_PROGRAMME_AGE[appeal]
            decided = self.dwell(kid, low, low + 150)
        case = self.case_programme(
            kid, decided, served="received" if appeal else "auto", cover=appeal is None
        )
        programme = case.programme
        self.run_programme(
            kid, programme, known(programme.in_force_from), overdue=self.chance(OVERDUE_SHARE)
        )
        if appeal is not None:
            self.appeal(kid, case.served, appeal)

    def case_revised(self, kid: Kid, *, pending: bool = False) -> None:
        """Version 1 evaluated with "revise": version 2 in force (or still a draft)."""
        rng = self.rng
        if pending:
            revised_on = plus_days(self.today, -rng.randint(3, 25))
            first = self.dwell(kid, 100 + (self.today - revised_on).days, 500)
        else:
            first = self.dwell(kid, 150, 700)
            room = (self.today - first).days
            revised_on = plus_days(first, rng.randint(min(90, room - 30), max(90, room - 30)))
        revised_on = min(max(revised_on, plus_days(first, 14)), self.today)
        case = self.case_programme(kid, first)
        self.end_programme(kid, case.programme, first, revised_on, wf.FollowUpOutcome.REVISE)
        v2 = self.copy_programme(kid, case.programme, revised_on, REVISION_REASON)
        if pending:
            return
        decided = min(plus_days(revised_on, rng.randint(5, 20)), self.today)
        self.put_in_force(kid, v2, case.referral, decided, None)
        self.run_programme(kid, v2, decided, overdue=self.chance(OVERDUE_SHARE))

    def case_reconsidered(self, kid: Kid) -> None:
        """A programme decision appealed and changed by the rektor on reconsideration."""
        rng = self.rng
        first = self.dwell(kid, 60, 300)
        referral, _investigation, v1, served = self.case_programme(kid, first, served="received")
        service = next(s for s in served.services if s.received_on is not None)
        lodged = min(
            plus_days(known(service.received_on), rng.randint(3, 15)), plus_days(self.today, -3)
        )
        lodged = max(lodged, plus_days(first, 1))
        decided = min(plus_days(lodged, rng.randint(3, 12)), self.today)
        v1.follow_up_on = plus_days(first, 42)
        v1.evaluation_on = plus_days(first, 120)
        v2 = self.copy_programme(kid, v1, lodged, RECONSIDERED_REASON)
        changed = self.put_in_force(kid, v2, referral, decided, None)
        appeal = self.appeal(
            kid,
            served,
            wf.AppealState.CHANGED_ON_RECONSIDERATION,
            lodged=lodged,
            outcome_on=decided,
        )
        # The new decision is the one the appeal now covers (FL 39 §, services._make_decision).
        appeal.new_decision_id = changed.decision.id
        self.run_programme(kid, v2, decided, overdue=self.chance(OVERDUE_SHARE))

    # --- closed programmes -----------------------------------------------------------------------

    def case_closed(self, kid: Kid, *, lapse: bool = False) -> None:
        """A programme evaluated as no longer needed and closed by a decision; now and then a
        revision had been started and lapses with it (`lapse`: always)."""
        rng = self.rng
        closed = self.dwell(kid, 5, 500, pre=200)
        evaluated = self.clamp(kid, plus_days(closed, -rng.randint(3, 14)))
        first = self.clamp(kid, plus_days(evaluated, -rng.randint(120, 400)))
        referral, _inv, programme, _served = self.case_programme(kid, first)
        in_force = known(programme.in_force_from)
        evaluated = min(max(evaluated, plus_days(in_force, 14)), self.today)
        closed = min(max(closed, evaluated), self.today)
        # Now and then a revision had been started and is overtaken by the closure: the draft
        # lapses and stays on file (services.decide_closure, process.md design rule 5).
        lapsed: ActionProgramme | None = None
        started = max(plus_days(evaluated, -rng.randint(10, 60)), plus_days(in_force, 7))
        if (self.chance(LAPSED_SHARE) or lapse) and started < evaluated:
            lapsed = self.copy_programme(kid, programme, started, LAPSING_REVISION_REASON)
        self.end_programme(kid, programme, in_force, evaluated, wf.FollowUpOutcome.CLOSE)
        self.close_programme(kid, referral, programme, closed, evaluated, lapsed)

    def close_programme(
        self,
        kid: Kid,
        referral: Referral,
        programme: ActionProgramme,
        closed: date,
        evaluated: date,
        lapsed: ActionProgramme | None,
    ) -> None:
        """The closing decision (services.decide_closure): the programme closed, a pending
        revision lapsed, the case closed."""
        reasons = CLOSURE_REASONS.format(evaluated=evaluated.isoformat())
        closure = self.decide(
            kid,
            referral,
            wf.DecisionKind.ACTION_PROGRAMME_CLOSURE,
            closed,
            DecisionText(reasons),
            programme=programme,
        )
        programme.state = wf.ProgrammeState.CLOSED.value
        programme.valid_until = closed
        self.touch(programme, closed)
        if lapsed is not None:
            lapsed.state = wf.ProgrammeState.LAPSED.value
            lapsed.version += 1  # an editor still open on it gets a conflict
            self.touch(lapsed, closed)
            decider = self.users[known(closure.decision.decided_by_id)]
            self.event(
                kid, decider, "programme.draft_lapsed", "action_programme", lapsed.id, closed
            )
        self.step_case(referral, wf.CaseAction.DECIDE_CLOSURE)
        self.touch(referral, closed)

    # --- no programme ----------------------------------------------------------------------------

    def case_no_programme(
        self,
        kid: Kid,
        appeal: wf.AppealState | None = None,
        *,
        decided: date | None = None,
        delegate: bool | None = None,
        service_mode: str | None = None,
    ) -> Served:
        """An investigation finding no need of special support, decided so (SL 3 kap. 9 §
        tredje stycket), the decision served and, with `appeal`, appealed."""
        if decided is None:
            decided = self.dwell(kid, *NO_PROGRAMME_AGE[appeal])
        referral, investigation, _needs, decided = self.open_case(kid, decided, needed=False)
        if delegate is None:
            delegate = self.chance(0.5)
        served = self.decide(
            kid,
            referral,
            wf.DecisionKind.NO_ACTION_PROGRAMME,
            decided,
            DecisionText(NO_PROGRAMME_REASONS, NO_PROGRAMME_INSTEAD),
            investigation=investigation,
            delegate=delegate,
            served=service_mode or ("received" if appeal else "auto"),
        )
        investigation.closed_on = decided
        investigation.version += 1  # a save typed before the decision is now a conflict
        self.touch(investigation, decided)
        self.step_case(referral, wf.CaseAction.DECIDE_NO_PROGRAMME)
        self.touch(referral, decided)
        if self.chance(0.7):  # the next step is normally continued extra adaptations
            self.active_adaptation(kid, decided)
        if appeal is not None:
            self.appeal_no_programme(kid, served, appeal, referral, investigation)
        return served

    def appeal_no_programme(
        self,
        kid: Kid,
        served: Served,
        state: wf.AppealState,
        referral: Referral,
        investigation: Investigation,
    ) -> None:
        outcome_on = None
        if state in BOARD_REOPENS:
            outcome_on = plus_days(self.today, -self.rng.randint(0, 15))
        appeal = self.appeal(kid, served, state, outcome_on=outcome_on)
        ruling = wf.AppealAction.RECORD_BOARD_SET_ASIDE
        if state is wf.AppealState.BOARD_RETURNED:
            ruling = wf.AppealAction.RECORD_BOARD_RETURNED
        action = wf.case_action_after_appeal_step(
            ruling, wf.DecisionKind.NO_ACTION_PROGRAMME, wf.CaseState(referral.state)
        )
        if outcome_on is None or action is None:
            return
        # Set aside or returned by the board: the case awaits a new decision and the
        # investigation opens again (services._reopen_after_appeal, SL 28 kap. 16 §).
        day = known(appeal.outcome_on)
        investigation.closed_on = None
        investigation.assessed_on = None
        investigation.target_on = plus_days(day, wf.DEFAULT_DEADLINES.decision_days)
        self.touch(investigation, day)
        self.step_case(referral, action)
        self.touch(referral, day)
        # Recorded by the rektor who recorded the board's ruling (services.appeal_handle).
        principal = kid.unit.principal
        self.event(kid, principal, "case.reopened_after_appeal", "referral", referral.id, day)

    # --- open cases and adaptations --------------------------------------------------------------

    def case_investigating(self, kid: Kid, stage: str) -> None:
        """stage: "opened", "mapped", "assessed_no" (decision due) or "assessed_yes" (draft)."""
        rng = self.rng
        low, high = {"opened": (0, 14), "mapped": (10, 45)}.get(stage, (25, 60))
        opened = self.dwell(kid, low, high, pre=20)
        reported, received, opened = self.backwards(
            kid, opened, [rng.randint(0, 4), rng.randint(1, 9)]
        )
        referral = self.referral(kid, reported, received=received)
        mapped = assessed = None
        needed = None
        if stage != "opened":
            mapped = min(plus_days(opened, rng.randint(5, 20)), self.today)
        if mapped is not None and stage.startswith("assessed"):
            assessed = min(max(mapped, plus_days(self.today, -rng.randint(0, 20))), self.today)
            needed = stage == "assessed_yes"
        investigation, needs = self.investigation(
            kid, referral, opened, mapped=mapped, assessed=assessed, needed=needed
        )
        if needed and assessed is not None:
            programme = self.programme(
                kid, referral, investigation, assessed, needs, reserved=self.reserved_setting(kid)
            )
            programme.follow_up_on = plus_days(self.today, rng.randint(30, 50))
            programme.evaluation_on = plus_days(self.today, rng.randint(100, 150))
        if self.chance(0.5):
            self.active_adaptation(kid, plus_days(opened, -60))

    def case_waiting(self, kid: Kid, received: bool) -> None:
        """A report waiting for the rektor's receipt, or received and waiting for the
        investigation to open."""
        rng = self.rng
        if received:
            day = self.dwell(kid, 0, 12, pre=10)
            reported, day = self.backwards(kid, day, [rng.randint(0, 4)])
            self.referral(kid, reported, received=day)
        else:
            self.referral(kid, self.dwell(kid, 0, 6, pre=10))
        if self.chance(0.5):
            self.active_adaptation(kid, plus_days(self.today, -90))

    def case_adaptations(self, kid: Kid) -> None:
        for _ in range(2 if self.chance(0.25) else 1):
            self.active_adaptation(kid, plus_days(self.today, -400), concern_share=0.8)
        if self.chance(0.2):
            self.case_ended(kid)

    def case_ended(self, kid: Kid) -> None:
        """An extra adaptation that ended with the need met."""
        rng = self.rng
        end = self.dwell(kid, 1, 400, pre=60)
        start = self.clamp(kid, plus_days(end, -rng.randint(45, 200)))
        if (end - start).days < 10:
            return
        category = self.pick(self.adaptation_need_pick)
        concern = None
        if self.chance(0.7):
            concern = self.concern(
                kid,
                self.clamp(kid, plus_days(start, -rng.randint(2, 14))),
                wf.ConcernState.ADAPTATIONS,
                category=category,
            )
        self.adaptation(kid, start, AdaptationPlan(end=end), category=category, concern=concern)

    def case_concern(self, kid: Kid, closed: bool) -> None:
        """A concern still open, or closed because nothing more was needed."""
        if not closed:
            self.concern(kid, self.dwell(kid, 0, 20, pre=0), wf.ConcernState.OPEN)
            return
        raised = self.dwell(kid, 10, 300, pre=0)
        concern = self.concern(kid, raised, wf.ConcernState.OPEN)
        self.close_concern(
            kid, concern, min(plus_days(raised, self.rng.randint(2, 20)), self.today)
        )
