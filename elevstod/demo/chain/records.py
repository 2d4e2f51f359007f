"""The records before a decision: concerns, extra adaptations and their evaluations, reports to
the rektor, investigations.

Each method makes the rows one service of elevstod.support.services would write, with the same
timeline verb, and moves the case only by a transition of the workflow (`step_case`).
"""

import uuid
from dataclasses import dataclass, replace
from datetime import date

from elevstod.accounts.models import User
from elevstod.demo.chain.base import Kid, Weighted, plus_days
from elevstod.demo.chain.people import ChainPeople
from elevstod.demo.chain.tables import (
    ADAPTATION_TEXT,
    ASSESSED_NEEDED,
    ASSESSED_NOT_NEEDED,
    CLOSED_REASONS,
    CONCERN_TEXT,
    EHT_CONSULTATION,
    EHT_SKIP_REASON,
    EVALUATION_COMMENT,
    INVESTIGATION_GUARDIAN_VIEW,
    INVESTIGATION_PUPIL_VIEW,
    MAPPING_TEXT,
    NEED_SUBJECT,
    NEED_TEXT,
    OVERDUE_SHARE,
    PUPIL_VIEWS_OF_ADAPTATIONS,
    REFERRAL_RESULTS,
    REFERRAL_TEXT,
    SUBJECT_NAMES,
)
from elevstod.demo.plan import Population
from elevstod.organisation.models import Group
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Concern,
    Investigation,
    InvestigationNeed,
    RaisedBy,
    Referral,
)


@dataclass(frozen=True)
class AdaptationPlan:
    """How an adaptation runs: until `end`, where an evaluation ends it, or on (active).

    With `refer_on`, the evaluation that day reports the pupil to the rektor and the adaptation
    goes on: extra adaptations continue while the need of special support is investigated
    (SL 3 kap. 5 och 7 §§; workflow.adaptation_stays_active)."""

    end: date | None = None
    refer_on: date | None = None
    overdue: bool = False  # active: the last evaluation was never held
    evaluate_on: date | None = None  # active: the next evaluation is due on this day
    interval: int | None = None  # days between evaluations (default: 5–8 weeks)


class EarlyRecords(ChainPeople):
    def __init__(self, population: Population) -> None:
        super().__init__(population)
        self.active_adaptations = 0
        # The adaptations a report names as tried (SL 3 kap. 7 §), by report.
        self.tried: dict[uuid.UUID, list[Adaptation]] = {}

    def step_case(self, referral: Referral, action: wf.CaseAction) -> None:
        """Move the case as the workflow allows, and only so (services._case_step)."""
        target = wf.case_transition(wf.CaseState(referral.state), action)
        assert not isinstance(target, wf.Refused), (referral.state, action)
        referral.state = target.value

    def needs(
        self, count: int, weights: Weighted[wf.NeedCategory] | None = None
    ) -> list[wf.NeedCategory]:
        found: list[wf.NeedCategory] = []
        while len(found) < count:
            category = self.pick(weights or self.need_pick)
            if category not in found:
                found.append(category)
        return found

    # --- concerns ---------------------------------------------------------------------------

    def concern(
        self,
        kid: Kid,
        day: date,
        state: wf.ConcernState,
        source: wf.ConcernSource | None = None,
        category: wf.NeedCategory | None = None,
        author: User | None = None,
    ) -> Concern:
        source = source or self.pick(self.source_pick)
        raised_by = RaisedBy.STAFF
        if source is wf.ConcernSource.PUPIL_OR_GUARDIAN:
            older = (kid.grade or 0) >= 4
            raised_by = RaisedBy.PUPIL if older and self.chance(0.3) else RaisedBy.GUARDIAN
        # Staff record what the family tells them when the family has no login of its own.
        author = author or (kid.educator if kid.protected else kid.mentor)
        concern = self.pupil_record(
            Concern,
            kid,
            day,
            author,
            source=source.value,
            raised_by_kind=raised_by.value,
            raised_on=day,
            subject=self.subject_of(category),
            description=self.rng.choice(CONCERN_TEXT[source]),
            state=state.value,
        )
        self.chain.concerns.append(concern)
        self.event(kid, author, "concern.created", "concern", concern.id, day)
        return concern

    def close_concern(self, kid: Kid, concern: Concern, day: date) -> None:
        concern.state = wf.ConcernState.CLOSED.value
        concern.closed_reason = self.rng.choice(CLOSED_REASONS)
        self.touch(concern, day)
        author = self.users[concern.created_by_id]
        self.event(kid, author, "concern.closed", "concern", concern.id, day)

    def subject_of(self, category: wf.NeedCategory | None) -> str:
        if category is None or category not in NEED_SUBJECT:
            return ""
        return SUBJECT_NAMES[NEED_SUBJECT[category][0]]

    # --- extra adaptations --------------------------------------------------------------------

    def adaptation(
        self,
        kid: Kid,
        start: date,
        plan: AdaptationPlan = AdaptationPlan(),  # frozen: one default shared safely
        *,
        category: wf.NeedCategory | None = None,
        concern: Concern | None = None,
        staff: tuple[Group | None, User] | None = None,
    ) -> Adaptation:
        """An extra adaptation from `start`, evaluated every 5–8 weeks until `plan.end` or today
        (active; the next evaluation due, or overdue with `plan.overdue`)."""
        category = category or self.pick(self.adaptation_need_pick)
        group, responsible = staff or self.teacher_for(kid, category, start)
        dates, next_on = self.evaluation_dates(start, plan)
        last = plan.end or self.today
        # A group of this academic year: only an adaptation running in it links to it.
        linked = group if group is not None and last >= self.population.year_starts_on else None
        subject = group.subject if group is not None and group.subject else ""
        need_description = self.rng.choice(NEED_TEXT[category])
        measure = self.rng.choice(ADAPTATION_TEXT[category])
        informed = self.chance(0.85)
        adaptation = self.pupil_record(
            Adaptation,
            kid,
            start,
            responsible,
            concern_id=concern.id if concern is not None else None,
            group_id=linked.id if linked is not None else None,
            subject=subject or self.subject_of(category),
            need_categories=[category.value],
            need_description=need_description,
            measure=measure,
            responsible_id=responsible.id,
            starts_on=start,
            evaluate_on=dates[0] if dates else next_on,
            guardian_informed_on=(
                min(plus_days(start, self.rng.randint(0, 7)), self.today) if informed else None
            ),
            state=wf.AdaptationState.ACTIVE.value,
            version=1,
        )
        self.chain.adaptations.append(adaptation)
        self.event(kid, responsible, "adaptation.created", "adaptation", adaptation.id, start)
        for number, day in enumerate(dates):
            following = dates[number + 1] if number + 1 < len(dates) else next_on
            step = None
            if day == plan.refer_on:
                step = wf.AdaptationNextStep.REFER
            elif plan.end is not None and number == len(dates) - 1:
                step = wf.AdaptationNextStep.END
            self.evaluate_adaptation(kid, adaptation, day, step, following)
        if adaptation.state == wf.AdaptationState.ACTIVE.value:
            self.active_adaptations += 1
        return adaptation

    def evaluation_dates(self, start: date, plan: AdaptationPlan) -> tuple[list[date], date]:
        """The days of the evaluations held (the last one on `plan.end`, if it ends; one on
        `plan.refer_on`, if it refers) and the day the next one is planned for."""
        interval = plan.interval or self.rng.randint(35, 56)
        if plan.refer_on is None:
            return self.evaluation_run(start, plan, interval)
        assert plan.end is None or plan.end > plan.refer_on
        referred = AdaptationPlan(end=plan.refer_on)
        before, _next_on = self.evaluation_run(start, referred, interval)
        after, next_on = self.evaluation_run(plan.refer_on, replace(plan, refer_on=None), interval)
        return before + after, next_on

    def evaluation_run(
        self, start: date, plan: AdaptationPlan, interval: int
    ) -> tuple[list[date], date]:
        """Evaluations every `interval` days (a few days either way) from `start`."""
        rng, end = self.rng, plan.end
        last = end or self.today
        dates: list[date] = []
        planned = plus_days(start, interval)
        while True:
            held = plus_days(planned, rng.randint(-3, 5))
            if held <= (dates[-1] if dates else start):
                held = plus_days(dates[-1] if dates else start, 1)
            if held >= last or (end is None and held > self.today):
                break
            dates.append(held)
            planned = plus_days(held, interval)
        next_on = planned
        if end is None and plan.overdue and dates and next_on >= self.today:
            next_on = dates.pop()  # the last evaluation was never held: it is overdue
        if plan.evaluate_on is not None:
            next_on = plan.evaluate_on
            dates = [d for d in dates if d < min(plan.evaluate_on, self.today)]
        if end is not None:
            dates.append(end)
        return dates, next_on

    def evaluate_adaptation(
        self,
        kid: Kid,
        adaptation: Adaptation,
        day: date,
        step: wf.AdaptationNextStep | None,
        following: date,
    ) -> None:
        """One evaluation (services.adaptation_evaluate): `step` end or refer, or drawn. Only an
        end ends the adaptation; otherwise the next evaluation is planned. A change is a new
        version of the adaptation, saved by its responsible."""
        assert wf.may_evaluate_adaptation(wf.AdaptationState(adaptation.state)).ok
        effect, step = self.evaluation_outcome(step)
        responsible = self.users[adaptation.responsible_id]
        evaluator = responsible if self.chance(0.8) or kid.protected else kid.mentor
        view = self.rng.choice(PUPIL_VIEWS_OF_ADAPTATIONS) if self.chance(0.6) else ""
        self.chain.evaluations.append(
            self.row(
                AdaptationEvaluation,
                day,
                adaptation_id=adaptation.id,
                evaluated_on=day,
                evaluated_by_id=evaluator.id,
                effect=effect.value,
                pupil_view=view,
                comment=EVALUATION_COMMENT[effect],
                next_step=step.value,
                next_evaluation_on=None if step is wf.AdaptationNextStep.END else following,
            )
        )
        self.event(kid, evaluator, "adaptation.evaluated", "adaptation", adaptation.id, day)
        self.touch(adaptation, day)
        if wf.adaptation_stays_active(step):
            adaptation.evaluate_on = following
        else:
            adaptation.state, adaptation.ended_on = wf.AdaptationState.ENDED.value, day
        if step is wf.AdaptationNextStep.CHANGE:
            adaptation.version += 1
            self.event(kid, responsible, "adaptation.changed", "adaptation", adaptation.id, day)

    def evaluation_outcome(
        self, given: wf.AdaptationNextStep | None
    ) -> tuple[wf.AdaptationEffect, wf.AdaptationNextStep]:
        effect, step = wf.AdaptationEffect, wf.AdaptationNextStep
        if given is step.REFER:
            options = (effect.NOT_SUFFICIENT, effect.NOT_SUFFICIENT, effect.PARTLY)
            return self.rng.choice(options), step.REFER
        if given is not None:
            return (effect.SUFFICIENT if self.chance(0.85) else effect.PARTLY), step.END
        if self.chance(0.7):
            return (effect.PARTLY if self.chance(0.6) else effect.SUFFICIENT), step.CONTINUE
        return (effect.NOT_SUFFICIENT if self.chance(0.5) else effect.PARTLY), step.CHANGE

    def active_adaptation(self, kid: Kid, earliest: date, concern_share: float = 0.0) -> None:
        """One running adaptation started on or after `earliest` (and the pupil's floor)."""
        earliest = self.clamp(kid, earliest)
        room = (self.today - earliest).days
        start = plus_days(earliest, self.rng.randint(0, max(0, room - 1)) if room > 0 else 0)
        category = self.pick(self.adaptation_need_pick)
        concern = None
        if concern_share and self.chance(concern_share):
            concern = self.concern(
                kid,
                self.clamp(kid, plus_days(start, -self.rng.randint(2, 14))),
                wf.ConcernState.ADAPTATIONS,
                category=category,
            )
        overdue = self.chance(OVERDUE_SHARE)
        self.adaptation(
            kid, start, AdaptationPlan(overdue=overdue), category=category, concern=concern
        )

    # --- the report to the rektor -------------------------------------------------------------

    def pre_referral(
        self, kid: Kid, reported: date, ground: wf.ReferralGround, supported: date | None
    ) -> tuple[wf.ReferralGround, Concern | None, list[Adaptation]]:
        """What came before a report: a concern and, for "despite adaptations", the adaptations
        tried, one of whose evaluations referred the pupil to the rektor. They go on until the
        programme is decided (`supported`), or on."""
        rng = self.rng
        room = (reported - kid.floor).days
        if ground is wf.ReferralGround.DESPITE_ADAPTATIONS and room < 45:
            ground = wf.ReferralGround.OTHER_DIFFICULTIES
        source = None
        if ground is wf.ReferralGround.ABSENCE_INVESTIGATION:
            source = wf.ConcernSource.ABSENCE
        if ground is not wf.ReferralGround.DESPITE_ADAPTATIONS:
            concern = None
            if self.chance(0.8):
                day = self.clamp(kid, plus_days(reported, -rng.randint(1, 20)))
                concern = self.concern(kid, day, wf.ConcernState.REFERRED, source=source)
            return ground, concern, []
        categories = self.needs(2 if self.chance(0.3) else 1)
        evaluations = max(1, min(3, (room - 10) // 45, rng.randint(1, 3)))
        interval = rng.randint(35, 50)
        refer_on = plus_days(reported, -rng.randint(0, 3))
        start = max(kid.floor, plus_days(refer_on, -(evaluations * interval) - rng.randint(0, 5)))
        concern = None
        if self.chance(0.75):
            day = self.clamp(kid, plus_days(start, -rng.randint(2, 10)))
            concern = self.concern(
                kid, day, wf.ConcernState.REFERRED, source=source, category=categories[0]
            )
        plan = AdaptationPlan(
            end=supported, refer_on=max(refer_on, plus_days(start, 1)), interval=interval
        )
        tried = [
            self.adaptation(kid, start, plan, category=category, concern=concern)
            for category in categories
        ]
        return ground, concern, tried

    def referral(
        self,
        kid: Kid,
        reported: date,
        *,
        ground: wf.ReferralGround | None = None,
        reporter: User | None = None,
        received: date | None = None,
        supported: date | None = None,
    ) -> Referral:
        """A report to the rektor (SL 3 kap. 7 §), received on `received`; `supported`: the day
        a programme is decided, where the adaptations tried end."""
        ground, concern, tried = self.pre_referral(
            kid, reported, ground or self.pick(self.ground_pick), supported
        )
        reporter = reporter or self.reporter(kid, reported)
        results = REFERRAL_RESULTS if self.chance(0.5) else ""
        guardian_informed = self.chance(0.85)
        referral = self.report(
            kid,
            reported,
            reporter,
            ground,
            concern,
            tried,
            results=results,
            guardian_informed=guardian_informed,
            pupil_informed=self.chance(0.7),
        )
        if received is not None:
            self.receive(kid, referral, self.receiver(kid, received), received)
        return referral

    def report(
        self,
        kid: Kid,
        reported: date,
        reporter: User,
        ground: wf.ReferralGround,
        concern: Concern | None,
        tried: list[Adaptation],
        *,
        results: str,
        guardian_informed: bool,
        pupil_informed: bool,
    ) -> Referral:
        """The report's rows, as services.referral_create writes them."""
        assert wf.may_refer(ground, len(tried)).ok
        referral = self.pupil_record(
            Referral,
            kid,
            reported,
            reporter,
            concern_id=concern.id if concern is not None else None,
            reported_on=reported,
            reporter_role=self.title(reporter, kid.unit),
            ground=ground.value,
            description=REFERRAL_TEXT[ground],
            results=results,
            guardian_informed=guardian_informed,
            pupil_informed=pupil_informed,
            received_at=None,
            received_by_id=None,
            state=wf.CaseState.REPORTED.value,
            version=1,
        )
        self.chain.referrals.append(referral)
        through = Referral.adaptations.through
        for adaptation in tried:
            self.chain.referral_adaptations.append(
                through(referral_id=referral.id, adaptation_id=adaptation.id)
            )
        self.tried[referral.id] = tried
        self.event(kid, reporter, "referral.created", "referral", referral.id, reported)
        return referral

    def receive(self, kid: Kid, referral: Referral, receiver: User, day: date) -> None:
        """The rektor's receipt: from here the investigation is due "skyndsamt" (SL 3 kap. 7 §)."""
        referral.received_at = self.moment(day)
        referral.received_by_id = receiver.id
        self.step_case(referral, wf.CaseAction.RECEIVE)
        self.touch(referral, day)
        self.event(kid, receiver, "referral.received", "referral", referral.id, day)

    # --- the investigation ---------------------------------------------------------------------

    def investigation(
        self,
        kid: Kid,
        referral: Referral,
        opened: date,
        *,
        mapped: date | None = None,
        assessed: date | None = None,
        needed: bool | None = None,
        target: date | None = None,
        investigators: list[User] | None = None,
        need_count: int | None = None,
    ) -> tuple[Investigation, list[InvestigationNeed]]:
        """Opened on `opened`; mapped (with the views and the pupil health team's part) and
        assessed (`needed`: special support, with its needs) when those days are given."""
        if investigators is None:
            investigators = self.investigators(kid, opened)
        investigation = self.open_investigation(kid, referral, opened, target, investigators)
        if mapped is not None:
            self.map_investigation(kid, investigation, investigators, mapped)
        found: list[InvestigationNeed] = []
        if assessed is not None:
            writer = investigators[0]
            found = self.assess(kid, investigation, writer, assessed, needed, need_count)
        return investigation, found

    def investigators(self, kid: Kid, day: date) -> list[User]:
        """The unit's specialpedagog and the mentor, now and then a special teacher too."""
        if kid.protected:
            return [kid.educator]
        found = [kid.educator, kid.mentor]
        special = kid.unit.special_teachers
        if special and self.chance(0.2) and self.on_duty(special[0], kid.unit, day):
            found.append(special[0])
        return found

    def open_investigation(
        self,
        kid: Kid,
        referral: Referral,
        opened: date,
        target: date | None,
        investigators: list[User],
    ) -> Investigation:
        assert wf.may_open_investigation(len(investigators)).ok
        opener = kid.unit.principal
        tried = self.tried.get(referral.id, [])
        investigation = self.pupil_record(
            Investigation,
            kid,
            opened,
            opener,
            referral_id=referral.id,
            opened_on=opened,
            target_on=target or plus_days(opened, self.rng.randint(28, 49)),
            adaptations_effect="\n".join(f"• {a.measure}" for a in tried),
            version=1,
            updated_by_id=opener.id,
        )
        self.chain.investigations.append(investigation)
        through = Investigation.investigators.through
        for user in dict.fromkeys(investigators):
            self.chain.investigators.append(
                through(investigation_id=investigation.id, user_id=user.id)
            )
        self.step_case(referral, wf.CaseAction.OPEN_INVESTIGATION)
        self.touch(referral, opened)
        self.event(kid, opener, "investigation.opened", "investigation", investigation.id, opened)
        return investigation

    def map_investigation(
        self, kid: Kid, investigation: Investigation, investigators: list[User], day: date
    ) -> None:
        """The mapping at three levels, the pupil's and the guardians' views, and the pupil
        health team consulted or the reason it plainly was not needed (SL 3 kap. 7 §), written
        by the investigators in one to three saves (services.investigation_save), the last on
        `day`."""
        values = investigation.__dict__
        values.update(MAPPING_TEXT)
        values["pupil_view"] = INVESTIGATION_PUPIL_VIEW if self.chance(0.9) else ""
        values["guardian_view"] = INVESTIGATION_GUARDIAN_VIEW if self.chance(0.85) else ""
        if self.chance(0.8):
            values["eht_consulted"] = True
            values["eht_consultation"] = EHT_CONSULTATION
        else:
            values["eht_skip_reason"] = EHT_SKIP_REASON
        saves = 1 + self.rng.randint(0, 2)
        opened, span = investigation.opened_on, (day - investigation.opened_on).days
        for number in range(saves):
            saver = investigators[number % len(investigators)]
            saved_on = plus_days(opened, span * (number + 1) // saves)
            self.save(kid, investigation, saver, saved_on)
        self.touch(investigation, day)

    def save(
        self,
        kid: Kid,
        record: Investigation | ActionProgramme,
        actor: User,
        day: date,
    ) -> None:
        """One save of a document people write together: a new version, in the timeline
        (services.investigation_save, programme_save)."""
        record.version += 1
        record.updated_by_id = actor.id
        if isinstance(record, Investigation):
            self.event(kid, actor, "investigation.saved", "investigation", record.id, day)
        else:
            self.event(kid, actor, "programme.saved", "action_programme", record.id, day)

    def assess(
        self,
        kid: Kid,
        investigation: Investigation,
        writer: User,
        day: date,
        needed: bool | None,
        need_count: int | None,
    ) -> list[InvestigationNeed]:
        """The conclusion saved (special support needed or not, the needs found), then the
        assessment concluded (services.investigation_conclude, SL 3 kap. 7 §)."""
        values = investigation.__dict__
        values["assessed_on"] = day
        values["special_support_needed"] = needed
        self.save(kid, investigation, writer, day)
        found: list[InvestigationNeed] = []
        if needed:
            values.update(ASSESSED_NEEDED)
            count = need_count or self.rng.choice((1, 2, 2, 3))
            for position, category in enumerate(self.needs(count)):
                description = self.rng.choice(NEED_TEXT[category])
                need = self.row(
                    InvestigationNeed,
                    day,
                    investigation_id=investigation.id,
                    category=category.value,
                    description=description,
                    position=position,
                )
                found.append(need)
            self.chain.investigation_needs.extend(found)
        else:
            values.update(ASSESSED_NOT_NEEDED)
        self.touch(investigation, day)
        self.event(kid, writer, "investigation.assessed", "investigation", investigation.id, day)
        return found
