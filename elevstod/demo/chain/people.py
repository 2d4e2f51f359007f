"""Who works with each pupil, since when, and who does what in the chain.

Actors follow the access policy: the rektor receives reports and decides (a no-programme decision
at unit A may be made by the specialpedagog who holds that delegation), the unit's specialpedagog
and the pupil's mentor investigate, teachers of the pupil's groups give adaptations and measures,
and for pupils with protected identity only the two assigned staff (rektor and specialpedagog) act.
Nothing in a pupil's chain lies before the acting rektor, specialpedagog or mentor took up their
duty at the unit (`floor_of`).
"""

import uuid
from datetime import date

from elevstod.accounts.models import User
from elevstod.demo.chain.base import ChainBase, ChainUnit, Kid, Weighted, cumulative
from elevstod.demo.chain.tables import (
    ADAPTATION_NEED_WEIGHTS,
    CONCERN_SOURCE_WEIGHTS,
    NEED_SUBJECT,
    NEED_WEIGHTS,
    REFERRAL_GROUND_WEIGHTS,
    RESERVED_WEIGHTS,
)
from elevstod.demo.plan import Population, PupilRef, UnitPlan
from elevstod.demo.school_year import academic_year
from elevstod.organisation.duties import UNIT_DUTY_LABELS, DecisionType, UnitDutyKind
from elevstod.organisation.models import Delegation, Group
from elevstod.people.models import Placement
from elevstod.support import workflow as wf

# The first grade of each kind of unit: how many years back a pupil's history there may reach.
FIRST_GRADE = {"F-9": 1, "F-6": 1, "7-9": 7, "gy": 1}
# Settings given by the special teachers (SL 3 kap. 11 §: enskild undervisning, särskild grupp).
SPECIAL_TEACHER_SETTINGS = (
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP,
    wf.MeasureSetting.INDIVIDUAL_TEACHING,
)
COUNSELLOR_NEEDS = (wf.NeedCategory.SOCIAL_INTERACTION, wf.NeedCategory.WELLBEING)


class ChainPeople(ChainBase):
    def __init__(self, population: Population) -> None:
        super().__init__(population)
        self.users = {user.id: user for user in self.plan.users}
        self.duty_labels = {key.value: str(label) for key, label in UNIT_DUTY_LABELS.items()}
        self.principal_title = self.duty_labels[UnitDutyKind.PRINCIPAL.value]
        self.need_pick: Weighted[wf.NeedCategory] = cumulative(NEED_WEIGHTS)
        self.adaptation_need_pick = cumulative(ADAPTATION_NEED_WEIGHTS)
        self.source_pick = cumulative(CONCERN_SOURCE_WEIGHTS)
        self.ground_pick = cumulative(REFERRAL_GROUND_WEIGHTS)
        self.reserved_pick = cumulative(RESERVED_WEIGHTS)
        self.kids: dict[uuid.UUID, Kid] = {}
        self.index_duties()
        self.index_units()
        self.index_pupils()

    # --- the index -------------------------------------------------------------------------

    def index_duties(self) -> None:
        self.duties: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = {}
        self.duty_from: dict[tuple[uuid.UUID, uuid.UUID], date] = {}
        for duty in self.plan.unit_duties:
            key = (duty.user_id, duty.school_unit_id)
            self.duties.setdefault(key, set()).add(duty.duty)
            # Holding all of one's duties at the unit: the latest start counts.
            self.duty_from[key] = max(self.duty_from.get(key, duty.starts_on), duty.starts_on)
        self.teacher_of: dict[uuid.UUID, uuid.UUID] = {
            row.group_id: row.user_id for row in self.plan.group_staff if row.role == "teacher"
        }

    def index_units(self) -> None:
        delegations = {
            row.school_unit_id: row
            for row in self.plan.delegations
            if row.decision_type == DecisionType.NO_ACTION_PROGRAMME.value
        }
        self.units: dict[uuid.UUID, ChainUnit] = {}
        self.unit_of_class: dict[int, ChainUnit] = {}
        for unit_plan in self.population.unit_plans:
            unit = self.chain_unit(unit_plan, delegations.get(unit_plan.unit.id))
            self.units[unit.id] = unit
            for class_plan in unit_plan.classes:
                self.unit_of_class[id(class_plan)] = unit

    def chain_unit(self, unit_plan: UnitPlan, delegation: Delegation | None) -> ChainUnit:
        duties = unit_plan.duties
        return ChainUnit(
            id=unit_plan.unit.id,
            plan=unit_plan,
            principal=duties[UnitDutyKind.PRINCIPAL.value][0],
            deputies=duties.get(UnitDutyKind.DEPUTY_PRINCIPAL.value, []),
            educators=duties[UnitDutyKind.SPECIAL_EDUCATOR.value],
            special_teachers=duties.get(UnitDutyKind.SPECIAL_TEACHER.value, []),
            counsellors=duties.get(UnitDutyKind.SCHOOL_COUNSELLOR.value, []),
            delegation=delegation,
        )

    def index_pupils(self) -> None:
        plan = self.plan
        self.current: dict[uuid.UUID, Placement] = {}
        self.moved: set[uuid.UUID] = set()
        for placement in plan.placements:
            if placement.ends_on is None:
                self.current[placement.pupil_id] = placement
            else:
                self.moved.add(placement.pupil_id)
        self.custody: dict[uuid.UUID, list[uuid.UUID]] = {}
        for row in plan.guardianships:
            if row.has_custody:
                self.custody.setdefault(row.pupil_id, []).append(row.guardian_id)
        self.guardians = {guardian.id: guardian for guardian in plan.guardians}
        self.pupils = {pupil.id: pupil for pupil in plan.pupils}
        self.refs: dict[uuid.UUID, PupilRef] = {ref[0]: ref for ref in self.population.pupil_refs}
        # The first day of this academic year (0) and of the three before it.
        first = self.population.year_starts_on.year
        self.year_starts = {back: academic_year(first - back).starts_on for back in range(4)}

    def floor_of(self, pupil_id: uuid.UUID) -> date:
        """The earliest day of the pupil's chain at their unit."""
        _pid, class_plan, _protected, starts_on = self.refs[pupil_id]
        unit = self.unit_of_class[id(class_plan)]
        placement = self.current[pupil_id]
        if pupil_id in self.moved:
            floor = starts_on
        else:
            first = FIRST_GRADE[unit.plan.kind]
            years = 2 if class_plan.band == "anp" else (placement.grade or first) - first
            floor = self.year_starts[min(3, max(0, years))]
        principal = self.duty_from[(unit.principal.id, unit.id)]
        mentor = class_plan.mentor
        assert mentor is not None
        mentor_from = self.duty_from[(mentor.id, unit.id)]
        educator_from = max(self.duty_from[(e.id, unit.id)] for e in unit.educators)
        return min(max(floor, principal, mentor_from, educator_from), self.today)

    def kid(self, pupil_id: uuid.UUID) -> Kid:
        kid = self.kids.get(pupil_id)
        if kid is not None:
            return kid
        _pid, class_plan, protected, _starts = self.refs[pupil_id]
        unit = self.unit_of_class[id(class_plan)]
        mentor = class_plan.mentor
        assert mentor is not None
        # The assigned specialpedagog works with protected pupils (security.md P6).
        educator = unit.educators[0] if protected else self.rng.choice(unit.educators)
        kid = Kid(
            pupil=self.pupils[pupil_id],
            unit=unit,
            class_plan=class_plan,
            grade=self.current[pupil_id].grade,
            floor=self.floor_of(pupil_id),
            protected=protected,
            mentor=mentor,
            educator=educator,
            guardians=[self.guardians[g] for g in self.custody.get(pupil_id, [])],
        )
        self.kids[pupil_id] = kid
        return kid

    def name(self, user: User) -> str:
        return f"{user.first_name} {user.last_name}"

    def title(self, user: User, unit: ChainUnit) -> str:
        """The first of the user's duties at the unit, as services._duty_title puts it."""
        duties = sorted(self.duties.get((user.id, unit.id), ()))
        return self.duty_labels[duties[0]] if duties else ""

    def on_duty(self, user: User, unit: ChainUnit, day: date) -> bool:
        started = self.duty_from.get((user.id, unit.id))
        return started is not None and started <= day

    # --- who does what -----------------------------------------------------------------------

    def teacher_for(
        self, kid: Kid, category: wf.NeedCategory, day: date
    ) -> tuple[Group | None, User]:
        """The taught group and its teacher for a need; the mentor when there is none."""
        if kid.protected:
            return None, kid.educator
        groups = kid.class_plan.subject_groups
        if not groups:  # an adapted class is taught as one group by its own teacher
            return kid.class_plan.group, kid.mentor
        wanted = NEED_SUBJECT.get(category)
        candidates = [g for abbr, g in groups if wanted and abbr in wanted]
        if not candidates:
            mentor_groups = [g for _a, g in groups if self.teacher_of.get(g.id) == kid.mentor.id]
            candidates = mentor_groups if mentor_groups and self.chance(0.5) else []
            candidates = candidates or [g for _a, g in groups]
        group = self.rng.choice(candidates)
        teacher = self.users[self.teacher_of[group.id]]
        if not self.on_duty(teacher, kid.unit, day):
            return None, kid.mentor
        return group, teacher

    def staff_for_measure(
        self, kid: Kid, category: wf.NeedCategory, setting: wf.MeasureSetting, day: date
    ) -> User:
        if kid.protected:
            return kid.educator
        unit = kid.unit
        choices: list[User]
        if setting in SPECIAL_TEACHER_SETTINGS:
            choices = unit.special_teachers or [kid.educator]
        elif setting is wf.MeasureSetting.ADAPTED_STUDY_PATH:
            choices = [kid.mentor, kid.educator]
        elif category in COUNSELLOR_NEEDS:
            choices = unit.counsellors or [kid.mentor]
        elif category in NEED_SUBJECT:
            choices = [self.teacher_for(kid, category, day)[1]]
        else:
            roll = self.rng.random()
            if roll < 0.45:
                choices = [kid.mentor]
            elif roll < 0.7 and unit.special_teachers:
                choices = unit.special_teachers
            else:
                choices = [self.teacher_for(kid, category, day)[1]]
        user = self.rng.choice(choices)
        return user if self.on_duty(user, unit, day) else kid.mentor

    def receiver(self, kid: Kid, day: date) -> User:
        """The rektor, now and then a biträdande rektor (both lead the unit, SL 2 kap. 9 §)."""
        if not kid.protected and kid.unit.deputies and self.chance(0.2):
            deputy = kid.unit.deputies[0]
            if self.on_duty(deputy, kid.unit, day):
                return deputy
        return kid.unit.principal

    def reporter(self, kid: Kid, day: date) -> User:
        if kid.protected:
            return kid.educator
        roll = self.rng.random()
        if roll < 0.6:
            return kid.mentor
        if roll < 0.85:
            return self.teacher_for(kid, self.pick(self.need_pick), day)[1]
        if roll < 0.95 or not kid.unit.counsellors:
            return kid.educator
        counsellor = kid.unit.counsellors[0]
        return counsellor if self.on_duty(counsellor, kid.unit, day) else kid.educator

    def server(self, kid: Kid) -> User:
        """Who records a service of a decision on a recipient."""
        if kid.protected:
            return kid.unit.principal
        roll = self.rng.random()
        return kid.mentor if roll < 0.5 else kid.educator if roll < 0.75 else kid.unit.principal
