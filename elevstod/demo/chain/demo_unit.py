"""Unit A's fixed cases, so that each demo user finds work: Ella's programme in its second
version, adaptations in 8A given by "larare" and "mentor", a report awaiting the rektor's
receipt, investigations with "specialpedagog", a delegated no-programme decision under appeal,
and items due or overdue for each of them. Unit B (rektor2's) gets one fixed case too: an
assessed investigation waiting for rektor2's decision.

The stories are told first, before the rest of the municipality, with pupils no other case uses.
"""

import uuid
from datetime import date
from typing import NamedTuple, cast

from elevstod.accounts.models import User
from elevstod.demo.chain.base import Kid, known, plus_days
from elevstod.demo.chain.cases import CaseBuilder
from elevstod.demo.chain.programmes import MeasureText, Served, reserved_details
from elevstod.demo.chain.records import AdaptationPlan
from elevstod.demo.chain.tables import (
    ELLA_GUARDIAN_ON_DECISION,
    ELLA_GUARDIAN_ON_PROGRAMME,
    ELLA_ON_FOLLOW_UP,
    ELLA_REFERRAL_RESULTS,
    ELLA_RETURN_PLAN,
    ELLA_REVISION_REASON,
    NEED_TEXT,
    RESERVED_MEASURES,
)
from elevstod.demo.plan import DEMO_CLASS, Population
from elevstod.organisation.models import Group
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.models import (
    ActionProgramme,
    ParticipantView,
    RecipientKind,
    Referral,
    ServiceMethod,
)

# What a view may be added to, and the record type its timeline line names.
VIEW_TARGETS = {
    "programme_id": "action_programme",
    "decision_id": "decision",
    "follow_up_id": "follow_up",
}
MATHS = wf.NeedCategory.MATHEMATICS
READING = wf.NeedCategory.READING_WRITING
STRUCTURE = wf.NeedCategory.STRUCTURE_AND_PLANNING


class EllaDays(NamedTuple):
    """The days of Ella's chain, from her first concern to the latest follow-up."""

    concern: date
    adapted: date
    reported: date
    received: date
    opened: date
    mapped: date
    assessed: date
    first: date  # version 1 in force
    revised: date  # evaluated: revise
    second: date  # version 2 in force
    recent: date  # the latest follow-up


# Days of history at unit B that rektor2's case needs: adaptations tried for at least 45 days
# before the report (records.pre_referral), then the report, the investigation and its assessment.
UNIT_B_HISTORY = 150

# Ella's days (EllaDays, in order) in days before today, squeezed into her history if the
# rektor or mentor is new.
ELLA_DAYS_AGO = (330, 320, 234, 233, 230, 215, 200, 192, 108, 98, 3)


class DemoAdaptation(NamedTuple):
    """An adaptation in 8A for a demo teacher, with its next evaluation due or overdue."""

    started: int  # days from today (negative: ago)
    need: wf.NeedCategory
    subject: str  # the taught group's subject
    given_by: str  # "larare" or "mentor"
    evaluate: int  # days from today to the next evaluation (negative: overdue)


# larare: one overdue for evaluation, one due within the week; mentor: one overdue, one due.
DEMO_ADAPTATIONS = (
    DemoAdaptation(-60, MATHS, "Ma", "larare", -4),
    DemoAdaptation(-50, MATHS, "Ma", "larare", 6),
    DemoAdaptation(-70, READING, "Sv", "mentor", -2),
    DemoAdaptation(-30, MATHS, "Ma", "larare", 10),
)


class DemoUnitStories(CaseBuilder):
    def __init__(self, population: Population) -> None:
        super().__init__(population)
        self.demo_used: set[uuid.UUID] = set()
        self.ella: Kid | None = None
        self.ella_programme: ActionProgramme | None = None
        self.ella_decisions: tuple[Served, Served] | None = None

    def demo(self) -> set[uuid.UUID]:
        """Fixed cases at unit A for the demo users; returns the pupils they use."""
        population = self.population
        unit_plan = population.unit_plans[0]
        demo_class = next(c for c in unit_plan.classes if c.group.name == DEMO_CLASS)
        larare, mentor = unit_plan.larare, demo_class.mentor
        assert larare is not None
        assert mentor is not None
        assert population.elev_pupil is not None
        educator = self.units[unit_plan.unit.id].educators[0]
        # Ella: a programme in its second version, adaptations evaluated, follow-ups.
        ella = self.kid(population.elev_pupil.id)
        self.demo_used.add(ella.id)
        self.ella = ella
        self.demo_ella(ella, {"larare": larare, "mentor": mentor, "educator": educator})
        self.demo_class_stories(larare, mentor, educator)
        self.other_class_stories(larare, educator)
        self.unit_b_story()
        return self.demo_used

    def days(self, offset: int) -> date:
        return plus_days(self.today, offset)

    def ordinary(self, class_name: str, count: int) -> list[Kid]:
        """Pupils of a class at unit A with nothing special about them: not protected, not
        moved, not Ella, not in another story."""
        population = self.population
        wanted = next(c for c in population.unit_plans[0].classes if c.group.name == class_name)
        elev = population.elev_pupil.id if population.elev_pupil else None
        found = []
        for pupil_id, class_plan, protected, _starts in population.pupil_refs:
            if class_plan is not wanted or protected or pupil_id in self.demo_used:
                continue
            if pupil_id in self.moved or pupil_id == elev:
                continue
            found.append(self.kid(pupil_id))
            self.demo_used.add(pupil_id)
            if len(found) == count:
                break
        return found

    def subject_group(self, kid: Kid, abbr: str) -> Group:
        return next(g for a, g in kid.class_plan.subject_groups if a == abbr)

    # --- 8A: larare and mentor ------------------------------------------------------------------

    def demo_class_stories(self, larare: User, mentor: User, educator: User) -> None:
        """Adaptations due and overdue, a report waiting for the rektor, a programme whose
        follow-up is overdue."""
        p1, p2, p3, p4, p5 = self.ordinary(DEMO_CLASS, 5)
        staff = {"larare": larare, "mentor": mentor}
        for kid, story in zip((p1, p2, p3, p4), DEMO_ADAPTATIONS, strict=True):
            evaluate = self.days(story.evaluate)
            self.adaptation(
                kid,
                self.clamp(kid, self.days(story.started)),
                AdaptationPlan(
                    evaluate_on=self.clamp(kid, evaluate) if story.evaluate < 0 else evaluate
                ),
                category=story.need,
                staff=(self.subject_group(kid, story.subject), staff[story.given_by]),
            )
        self.referral(
            p4,
            self.clamp(p4, self.days(-1)),
            ground=wf.ReferralGround.DESPITE_ADAPTATIONS,
            reporter=mentor,
        )
        # mentor: a programme whose follow-up is overdue.
        programme = self.case_programme(
            p5, self.clamp(p5, self.days(-75)), follow_up_by=mentor, evaluation_by=educator
        ).programme
        sessions, _fu, evaluation = self.schedule(
            known(programme.in_force_from), self.days(-20), overdue=False
        )
        self.follow_ups(p5, programme, sessions)
        self.plan_next(
            programme,
            follow_up_on=self.clamp(p5, self.days(-5)),
            evaluation_on=max(evaluation, self.days(30)),
        )

    # --- 9A and 7A: specialpedagog and rektor ----------------------------------------------------

    def other_class_stories(self, larare: User, educator: User) -> None:
        q1, q2, q3, q4, q5 = self.ordinary("9A", 3) + self.ordinary("7A", 2)
        # specialpedagog investigates with the mentor; due within ten days.
        reported, received, opened = self.backwards(q1, self.days(-18), [2, 3])
        referral = self.referral(q1, reported, received=received, reporter=q1.mentor)
        self.investigation(
            q1,
            referral,
            opened,
            mapped=self.clamp(q1, self.days(-6)),
            target=self.days(9),
            investigators=[educator, q1.mentor],
        )
        # rektor: an assessed investigation with a draft programme, the decision overdue.
        self.assessed_with_draft(q2, larare, educator)
        # rektor: a received report whose investigation should have started.
        reported, received = self.backwards(q3, self.days(-9), [1])
        self.referral(q3, reported, received=received)
        # rektor: a no-programme decision by the delegated specialpedagog, appealed.
        delegation = q4.unit.delegation
        valid_from = delegation.valid_from if delegation else self.days(-10)
        decided = min(max(self.days(-10), self.clamp(q4, valid_from)), self.today)
        self.case_no_programme(q4, wf.AppealState.REGISTERED, decided=decided, delegate=True)
        # rektor: a decision made two days ago and not yet sent to anyone (serve it).
        (q6,) = self.ordinary("7A", 1)
        self.case_no_programme(
            q6, decided=self.clamp(q6, self.days(-2)), delegate=False, service_mode="none"
        )
        # specialpedagog: a programme evaluation overdue; larare responsible for a measure.
        self.evaluation_overdue(q5, larare, educator)

    def assessed_with_draft(self, kid: Kid, larare: User, educator: User) -> None:
        reported, received, opened, assessed = self.backwards(kid, self.days(-16), [1, 2, 25])
        referral = self.referral(kid, reported, received=received)
        investigation, needs = self.investigation(
            kid,
            referral,
            opened,
            mapped=plus_days(assessed, -10),
            assessed=assessed,
            needed=True,
            investigators=[educator, kid.mentor],
            need_count=2,
        )
        draft = self.programme(
            kid, referral, investigation, assessed, needs, measure_staff={MATHS: larare}
        )
        draft.follow_up_on, draft.evaluation_on = self.days(40), self.days(120)

    def evaluation_overdue(self, kid: Kid, larare: User, educator: User) -> None:
        programme = self.case_programme(
            kid,
            self.clamp(kid, self.days(-160)),
            follow_up_by=kid.mentor,
            evaluation_by=educator,
            measure_staff={MATHS: larare},
        ).programme
        sessions, follow_up, _ev = self.schedule(
            known(programme.in_force_from), self.days(-8), overdue=False
        )
        sessions = [s for s in sessions if s.kind is wf.FollowUpKind.FOLLOW_UP]
        self.follow_ups(kid, programme, sessions)
        self.plan_next(
            programme,
            follow_up_on=max(follow_up, self.days(12)),
            evaluation_on=self.clamp(kid, self.days(-6)),
        )

    # --- unit B: rektor2 --------------------------------------------------------------------------

    def unit_b_story(self) -> None:
        """rektor2: a report made despite extra adaptations (which run on), its investigation
        assessed without a need of special support, the decision due. Unit B's other cases come
        from the random draw, which may leave it no investigation waiting for a decision (seed 1
        did, for December 2026): rektor2 would find nothing to decide in Mina uppgifter, and the
        crawl in tests/browser no decision form and no open investigation to reach."""
        unit_b = self.population.unit_plans[1].unit.id
        kid = next(
            self.kid(ref.pupil_id)
            for ref in self.population.pupil_refs
            if self.unit_of_class[id(ref.class_plan)].id == unit_b
            and not ref.protected
            and ref.pupil_id not in self.moved
            and ref.pupil_id not in self.demo_used
            and (self.today - self.floor_of(ref.pupil_id)).days >= UNIT_B_HISTORY
        )
        self.demo_used.add(kid.id)
        reported, received, opened, mapped, assessed = self.backwards(
            kid, self.days(-4), [2, 3, 18, 12]
        )
        referral = self.referral(
            kid, reported, ground=wf.ReferralGround.DESPITE_ADAPTATIONS, received=received
        )
        self.investigation(kid, referral, opened, mapped=mapped, assessed=assessed, needed=False)

    # --- Ella -----------------------------------------------------------------------------------

    def demo_ella(self, ella: Kid, staff: dict[str, User]) -> None:
        """Ella Johansson's chain: concern, adaptations (one led to the report, one runs on),
        report, investigation, programme version 1, evaluation, version 2 in force."""
        ago = ELLA_DAYS_AGO
        gaps = [ago[i] - ago[i + 1] for i in range(len(ago) - 1)]
        days = EllaDays(*self.backwards(ella, self.days(-ago[-1]), gaps))
        referral = self.ella_report(ella, days, staff)
        investigation, needs = self.investigation(
            ella,
            referral,
            days.opened,
            mapped=days.mapped,
            assessed=days.assessed,
            needed=True,
            investigators=[staff["educator"], staff["mentor"]],
            need_count=2,
        )
        for need, category in zip(needs, (MATHS, STRUCTURE), strict=True):
            need.category, need.description = category.value, NEED_TEXT[category][0]
        v1 = self.programme(
            ella,
            referral,
            investigation,
            days.assessed,
            needs,
            follow_up_by=staff["mentor"],
            evaluation_by=staff["educator"],
            measure_staff={MATHS: staff["larare"], STRUCTURE: staff["mentor"]},
        )
        served_v1 = self.put_in_force(
            ella, v1, referral, days.first, investigation, served="received"
        )
        self.end_programme(ella, v1, days.first, days.revised, wf.FollowUpOutcome.REVISE)
        v2 = self.ella_revision(ella, v1, days.revised, staff["educator"])
        served_v2 = self.put_in_force(ella, v2, referral, days.second, None, served="received")
        # Served on both guardians: the demo guardian confirmed in the app, the other not yet.
        self.ella_services(ella, served_v2, days.second)
        sessions, _fu, _ev = self.schedule(days.second, days.recent, overdue=False)
        sessions = [s for s in sessions if s.kind is wf.FollowUpKind.FOLLOW_UP]
        self.follow_ups(ella, v2, sessions)
        self.plan_next(
            v2, follow_up_on=plus_days(self.today, 3), evaluation_on=plus_days(self.today, 20)
        )
        self.ella_decisions = (served_v1, served_v2)
        self.ella_programme = v2

    def ella_report(self, ella: Kid, days: EllaDays, staff: dict[str, User]) -> Referral:
        """A concern in maths from the larare, two adaptations (maths referred her to the rektor
        and ends when her programme is decided; structure and planning with the mentor runs
        on), the mentor's report, the rektor's receipt."""
        larare, mentor = staff["larare"], staff["mentor"]
        concern = self.concern(
            ella,
            days.concern,
            wf.ConcernState.REFERRED,
            source=wf.ConcernSource.TEACHING,
            category=MATHS,
            author=larare,
        )
        refer_on = max(plus_days(days.reported, -1), plus_days(days.adapted, 1))
        tried = self.adaptation(
            ella,
            days.adapted,
            AdaptationPlan(end=days.first, refer_on=refer_on),
            category=MATHS,
            concern=concern,
            staff=(self.subject_group(ella, "Ma"), larare),
        )
        # Structure and planning with the mentor runs on; evaluated, next due in five days.
        self.adaptation(
            ella,
            days.adapted,
            AdaptationPlan(evaluate_on=plus_days(self.today, 5)),
            category=STRUCTURE,
            concern=concern,
            staff=(self.subject_group(ella, "Sv"), mentor),
        )
        referral = self.report(
            ella,
            days.reported,
            mentor,
            wf.ReferralGround.DESPITE_ADAPTATIONS,
            concern,
            [tried],
            results=ELLA_REFERRAL_RESULTS,
            guardian_informed=True,
            pupil_informed=True,
        )
        self.receive(ella, referral, ella.unit.principal, days.received)
        return referral

    def ella_revision(
        self, ella: Kid, v1: ActionProgramme, day: date, educator: User
    ) -> ActionProgramme:
        """Version 2: individual teaching in maths added for a period (SL 3 kap. 11 §)."""
        v2 = self.copy_programme(ella, v1, day, ELLA_REVISION_REASON)
        setting = wf.MeasureSetting.INDIVIDUAL_TEACHING
        text = MeasureText(*RESERVED_MEASURES[setting][:2], setting)
        special = ella.unit.special_teachers or [educator]
        measures = self.measures_of[v2.id]
        measure = self.measure(
            ella, v2, self.needs_of[v2.id][0], day, text, len(measures), {MATHS: special[0]}
        )
        reserved_details(measure, setting).return_plan = ELLA_RETURN_PLAN
        measures.append(measure)
        self.chain.measures.append(measure)
        return v2

    def ella_services(self, ella: Kid, served: Served, day: date) -> None:
        """The demo guardian confirmed receipt in the app (their appeal time runs); the other
        guardian has been sent the decision and not yet received it."""
        guardian = self.population.demo_guardian
        guardian_user = guardian.user_id if guardian else None
        for service in served.services:
            if service.recipient_kind != RecipientKind.GUARDIAN.value:
                continue
            sent = min(plus_days(day, 1), self.today)
            if guardian is not None and service.guardian_id == guardian.id:
                received = min(plus_days(sent, 2), self.today)
                service.__dict__.update(
                    sent_on=sent,
                    received_on=received,
                    appeal_deadline=wf.appeal_deadline(received, days_off_around(received)),
                    method=(
                        ServiceMethod.CONFIRMED_IN_APP if guardian_user else ServiceMethod.DIGITAL
                    ).value,
                    recorded_by_id=guardian_user or ella.mentor.id,
                )
            else:
                service.__dict__.update(
                    sent_on=sent,
                    received_on=None,
                    appeal_deadline=None,
                    method=ServiceMethod.DIGITAL.value,
                    recorded_by_id=ella.mentor.id,
                )
        self.reserve_events(ella, served)

    def reserve_events(self, kid: Kid, served: Served) -> None:
        """The service events again, after the services were changed by hand."""
        decision_id = served.decision.id
        self.chain.events = [
            e
            for e in self.chain.events
            if not (e.verb == "decision.served" and e.record_id == decision_id)
        ]
        for service in served.services:
            if service.sent_on is not None and service.recorded_by_id is not None:
                actor = self.users[service.recorded_by_id]
                day = service.received_on or service.sent_on
                self.event(kid, actor, "decision.served", "decision", decision_id, day)

    def participant_views(self) -> None:
        """Views the demo family adds themselves (rule 6); only they have logins."""
        guardian = self.population.demo_guardian
        ella, programme = self.ella, self.ella_programme
        if guardian is None or guardian.user_id is None or ella is None or programme is None:
            return
        assert self.ella_decisions is not None
        decision = self.ella_decisions[1].decision
        parent = self.users[cast(uuid.UUID, guardian.user_id)]
        views = [
            (
                parent,
                RecipientKind.GUARDIAN,
                "programme_id",
                programme.id,
                ELLA_GUARDIAN_ON_PROGRAMME,
                plus_days(known(programme.in_force_from), 4),
            ),
            (
                parent,
                RecipientKind.GUARDIAN,
                "decision_id",
                decision.id,
                ELLA_GUARDIAN_ON_DECISION,
                plus_days(decision.decided_on, 3),
            ),
        ]
        follow_ups = [f for f in self.chain.follow_ups if f.programme_id == programme.id]
        if ella.pupil.user_id is not None and follow_ups:
            latest = max(follow_ups, key=lambda f: f.held_on)
            views.append(
                (
                    self.users[cast(uuid.UUID, ella.pupil.user_id)],
                    RecipientKind.PUPIL,
                    "follow_up_id",
                    latest.id,
                    ELLA_ON_FOLLOW_UP,
                    latest.held_on,
                )
            )
        for author, kind, target, record_id, text, day in views:
            self.participant_view(ella, author, kind, target, record_id, text, min(day, self.today))

    def participant_view(
        self,
        ella: Kid,
        author: User,
        kind: RecipientKind,
        target: str,
        record_id: uuid.UUID,
        text: str,
        day: date,
    ) -> None:
        """One view, on a programme, a decision or a follow-up (services.participant_view_add)."""
        targets = dict.fromkeys(VIEW_TARGETS) | {target: record_id}
        values = {"pupil_id": ella.id, "author_id": author.id, "author_kind": kind.value}
        view = self.row(ParticipantView, day, text=text, **values, **targets)
        self.chain.views.append(view)
        self.event(ella, author, "view.added", VIEW_TARGETS[target], record_id, day)
