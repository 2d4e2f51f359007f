"""The generated municipality: the demo's data and the benchmarks' dataset tiers.

`build_plan` makes every row as an unsaved model instance with an explicit id, using only a seeded
Random and a seeded Faker, so the same tier, seed and `today` always give the same people.
`write_plan` bulk-inserts the plan in one transaction and streams the access log
(elevstod.demo.access_log) in after it. `generate` does both behind the demo-mode guard.

Dates follow `today` (default: the local date). The current academic year is the one that started
most recently (elevstod.demo.school_year: third Monday of August to the Friday of week 24), so in
the summer break it is the year that has just ended, with its groups, until the next one starts;
the previous year is the one before. Nothing generated lies after `today`: placements, moves,
duties and delegations start on or before it, the access log and the log reviews end the day
before it, and the rows' created_at/updated_at (and the users' date_joined) are stamped with the
morning of the year's first day (or now, if that is earlier).

Shape (the dataset tiers in the domain notes' scale.md): one municipal huvudman, for the bigger
tiers also an independent one; units of kinds F–9, F–6, 7–9 and gymnasieskola, some with anpassad
grundskola; classes of about 25 pupils that double as mentor groups; a teaching group per class
and subject; every staff duty the access policy knows; an elevhälsoteam per unit; pupils with
protected identity, pupils who moved, guardians with and without custody, siblings.

Unit A (Björkskolan) always holds every relation, so each page has something to show. In demo
mode a few of its people are renamed into the demo users listed in DEMO_USERS (password "demo").

The shapes the builder fills are in elevstod.demo.plan, the bulk inserts in elevstod.demo.rows.
The support chain (concerns to closed programmes, in every state) comes from
elevstod.demo.support_chain, built last into `plan.support` from the people made here and
written in the same transaction.
"""

import math
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import models, transaction
from django.utils import timezone

from elevstod.access.policy import Relation
from elevstod.accounts.models import User
from elevstod.audit.models import AccessEvent, LogReview
from elevstod.core.statistics import analyze_after_bulk_load
from elevstod.demo.access_log import ClassActors, LogSource, UnitActors, write_access_log
from elevstod.demo.names import (
    NO_ADDRESS,
    PUPIL_MAIL_DOMAIN,
    STAFF_MAIL_DOMAIN,
    Address,
    NamePool,
    mail_part,
)
from elevstod.demo.plan import (
    BANDS,
    DEMO_CLASS,
    GRUNDSKOLA_KINDS,
    SUBJECTS,
    ClassPlan,
    Household,
    Plan,
    Population,
    PupilRef,
    UnitPlan,
)
from elevstod.demo.rows import (
    BATCH_SIZE,
    Writer,
    explicit_timestamps,
    make_row,
    say,
    stamp,
    write_batches,
)
from elevstod.demo.school_year import academic_year, academic_year_for
from elevstod.demo.shares import split
from elevstod.demo.support_chain import build_support_chain, write_support_chain
from elevstod.organisation.duties import (
    LEADERSHIP_DUTIES,
    UNIT_WIDE_SUPPORT_DUTIES,
    DecisionType,
    ProviderDutyKind,
    UnitDutyKind,
)
from elevstod.organisation.models import (
    AcademicYear,
    Delegation,
    EducationProvider,
    Group,
    GroupKind,
    GroupStaff,
    GroupStaffRole,
    ProviderDuty,
    ProviderKind,
    PupilHealthTeam,
    SchoolUnit,
    UnitDuty,
)
from elevstod.organisation.school_forms import SchoolForm
from elevstod.people.identity import IdentityKind, luhn_check_digit
from elevstod.people.models import (
    Gender,
    GroupMembership,
    Guardian,
    Guardianship,
    Placement,
    ProtectedIdentity,
    ProtectedPupilAssignment,
    Pupil,
)

__all__ = [
    "DEMO_CLASS",
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "DEMO_USERS",
    "TIERS",
    "GeneratorRefusedError",
    "build_plan",
    "generate",
    "generator_allowed",
    "write_plan",
]

M = TypeVar("M", bound=models.Model)
CLASS_LETTERS = "ABCDEFGHIJKLMN"  # 7–9 units of the large tier reach 9–10 classes per grade


@dataclass(frozen=True)
class Tier:
    units: int
    pupils: int
    staff: int
    upper_secondary_units: int  # gymnasieskola units among `units`
    independent_units: int  # units of an independent huvudman among `units`
    provider_admins: int  # administrators (and as many analysts) at the municipality
    access_log_per_year: int  # access-log rows per year (scale.md); see elevstod.demo.access_log


TIERS: dict[str, Tier] = {
    # scale.md says one unit for small; the demo needs a second one for movers and rektor2.
    "small": Tier(units=2, pupils=400, staff=40, upper_secondary_units=0, independent_units=0,
                  provider_admins=1, access_log_per_year=90_000),
    "medium": Tier(units=20, pupils=13_000, staff=1_500, upper_secondary_units=2,
                   independent_units=2, provider_admins=2, access_log_per_year=3_000_000),
    "large": Tier(units=170, pupils=110_000, staff=16_000, upper_secondary_units=14,
                  independent_units=2, provider_admins=6, access_log_per_year=25_000_000),
}  # fmt: skip


MUNICIPALITY_NAME = "Exempelstads kommun"
INDEPENDENT_NAME = "Ekbackens Friskolor AB"
# A code no real municipality has (real kommunkoder end well below 2600).
MUNICIPALITY_CODE = "9999"
INDEPENDENT_SITES = ("Centrum", "Norra", "Södra", "Västra", "Östra")
UNIT_A_NAME = "Björkskolan"
UNIT_B_NAME = "Lindskolan"
PROTECTED_REASON = "Utsedd handläggare"
TEAM_DUTIES = (
    UnitDutyKind.PRINCIPAL,
    UnitDutyKind.DEPUTY_PRINCIPAL,
    UnitDutyKind.SPECIAL_EDUCATOR,
    UnitDutyKind.SCHOOL_COUNSELLOR,
    UnitDutyKind.SCHOOL_PSYCHOLOGIST,
    UnitDutyKind.SCHOOL_NURSE,
)
RELATION_OF_ROLE = {
    GroupStaffRole.MENTOR.value: Relation.MENTOR,
    GroupStaffRole.TEACHER.value: Relation.TEACHER,
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    description: str


DEMO_PASSWORD = "demo"  # noqa: S105 - the published demo password, only in demo mode
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("rektor", "Anna", "Berg", f"rektor på {UNIT_A_NAME}, ingår i elevhälsoteamet"),
    DemoUser("rektor2", "Lars", "Lindqvist", f"rektor på {UNIT_B_NAME}"),
    DemoUser(
        "specialpedagog",
        "Maria",
        "Ek",
        f"specialpedagog på {UNIT_A_NAME}, ingår i elevhälsoteamet, "
        "utsedd handläggare för skolans elever med skyddad identitet",
    ),
    DemoUser(
        "mentor",
        "Erik",
        "Sandberg",
        f"mentor för klass {DEMO_CLASS} på {UNIT_A_NAME}, undervisar i Sv {DEMO_CLASS}",
    ),
    DemoUser(
        "larare",
        "Sara",
        "Holm",
        f"lärare på {UNIT_A_NAME}, undervisar i Ma 7A, Ma 8A och Ma 9A (inte mentor)",
    ),
    DemoUser(
        "kurator", "Johan", "Nyström", f"skolkurator på {UNIT_A_NAME}, ingår i elevhälsoteamet"
    ),
    DemoUser(
        "huvudman",
        "Karin",
        "Strand",
        f"administratör hos {MUNICIPALITY_NAME}, inget uppdrag på någon skolenhet",
    ),
    DemoUser(
        "vardnadshavare",
        "Fredrik",
        "Johansson",
        f"vårdnadshavare med vårdnad om Ella (8A) och Viggo (4A) Johansson på {UNIT_A_NAME}",
    ),
    DemoUser("elev", "Ella", "Johansson", f"elev i klass {DEMO_CLASS} på {UNIT_A_NAME}"),
)
DEMO_USERNAMES = tuple(user.username for user in DEMO_USERS)
_DEMO = {user.username: user for user in DEMO_USERS}
# The demo household: the guardian above with custody of these two children at unit A.
DEMO_GUARDIAN_PARTNER = ("Lena", "Johansson")
DEMO_SIBLING = ("Viggo", "Johansson", "4A")

# In the early years the class teacher, who is also the mentor, teaches the core subjects.
MENTOR_TAUGHT = {"1-3": {"Sv", "Ma", "En"}, "4-6": {"Sv", "Ma"}}
PROGRAMMES = ("NA", "SA", "EK", "TE", "ES", "BF", "EE", "VO", "HA", "IN", "EL", "BA")
UNIT_PREFIXES = (
    "Björk", "Lind", "Ek", "Ask", "Alm", "Lönn", "Rönn", "Hassel", "Gran", "Tall", "Sälg", "Asp",
    "Hägg", "Sjö", "Berg", "Sol", "Strand", "Kvarn", "Lärk", "Vide", "Ljung", "Havs", "Skogs",
    "Tuna", "Ros", "Sten", "Myr", "Lunda", "Falk", "Örn", "Svan", "Tran", "Hjort", "Hag", "Mal",
    "Norr", "Söder", "Väster", "Öster", "Kyrk",
)  # fmt: skip
UNIT_SUFFIXES = (
    "skolan", "dalsskolan", "backeskolan", "ängsskolan", "viksskolan", "åsskolan", "hagsskolan",
    "byskolan",
)  # fmt: skip


class GeneratorRefusedError(CommandError):
    """The generator will not run here (not demo mode, or the database already has data)."""


class _Builder:
    def __init__(self, tier_name: str, seed: int, demo_users: bool, today: date) -> None:
        self.tier_name = tier_name
        self.tier = TIERS[tier_name]
        self.today = today
        self.current_spec = academic_year_for(today)
        self.previous_spec = academic_year(self.current_spec.starts_on.year - 1)
        self.rng = random.Random(seed)
        self.names = NamePool(seed, self.rng)
        self.plan = Plan(
            tier=tier_name,
            seed=seed,
            today=today,
            current_year_spec=self.current_spec,
            demo_users=demo_users,
        )
        # Where each pupil is, for the support chain and the access log.
        self.pupil_refs: list[PupilRef] = []
        # make_password is deliberately slow (Argon2): hash once, share the string.
        self.bulk_password = make_password(None)
        self.identities: set[str] = set()
        self.staff_serial = 0
        self.unit_plans: list[UnitPlan] = []
        self.prev_groups: dict[tuple[uuid.UUID, str], Group] = {}
        # (form, grade) → the first class of that cohort at each unit, for picking move origins.
        self.cohorts: dict[tuple[str, int], list[tuple[UnitPlan, ClassPlan]]] = {}
        self.offered: set[tuple[uuid.UUID, str, int]] = set()
        self.demo_guardian: Guardian | None = None
        self.elev_pupil: Pupil | None = None
        self.team_members: dict[uuid.UUID, set[uuid.UUID]] = {}  # by unit
        self.current_year = AcademicYear(
            id=self.uid(),
            name=self.current_spec.name,
            starts_on=self.current_spec.starts_on,
            ends_on=self.current_spec.ends_on,
        )
        self.previous_year = AcademicYear(
            id=self.uid(),
            name=self.previous_spec.name,
            starts_on=self.previous_spec.starts_on,
            ends_on=self.previous_spec.ends_on,
        )
        self.plan.years = [self.previous_year, self.current_year]

    # --- small helpers -------------------------------------------------------------------

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def identity_number(self, born: date, gender: str, coordination: bool = False) -> str:
        """A valid, unused personnummer (or samordningsnummer: day + 60) for the birth date."""
        rng = self.rng
        day = born.day + (60 if coordination else 0)
        while True:
            # The third serial digit is odd for men and even for women.
            if gender == Gender.MALE:
                last = rng.choice((1, 3, 5, 7, 9))
            elif gender == Gender.FEMALE:
                last = rng.choice((0, 2, 4, 6, 8))
            else:
                last = rng.randint(0, 9)
            serial = rng.randint(0, 99) * 10 + last
            if serial == 0:
                continue
            short = f"{born.year % 100:02d}{born.month:02d}{day:02d}{serial:03d}"
            number = f"{born.year:04d}{born.month:02d}{day:02d}{serial:03d}"
            number += str(luhn_check_digit(short))
            if number not in self.identities:
                self.identities.add(number)
                return number

    def organisation_number(self, prefix: str) -> str:
        nine = prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(9 - len(prefix)))
        ten = nine + str(luhn_check_digit(nine))
        return f"{ten[:6]}-{ten[6:]}"

    def new_staff(self) -> User:
        self.staff_serial += 1
        female = self.rng.random() < 0.7  # about 70 % of Swedish school staff are women
        first = self.names.first_name(female)
        last = self.names.last_name()
        user = User(
            id=self.uid(),
            username=f"personal.{self.staff_serial}",
            first_name=first,
            last_name=last,
            email=f"{mail_part(first)}.{mail_part(last)}.{self.staff_serial}@{STAFF_MAIL_DOMAIN}",
            password=self.bulk_password,
        )
        self.plan.users.append(user)
        return user

    def duty(self, user: User, unit: SchoolUnit, kind: UnitDutyKind) -> None:
        self.plan.unit_duties.append(
            make_row(
                UnitDuty,
                id=self.uid(),
                user_id=user.id,
                school_unit_id=unit.id,
                duty=kind.value,
                starts_on=self.day_between(date(2008, 8, 1), self.current_spec.starts_on),
            )
        )

    def new_row(self, rows: list[M], model: type[M], **values: Any) -> M:
        """A row with a new id, added to the plan's list of its kind."""
        row = make_row(model, id=self.uid(), **values)
        rows.append(row)
        return row

    def group_staff(self, group: Group, user: User, role: GroupStaffRole) -> GroupStaff:
        return self.new_row(
            self.plan.group_staff, GroupStaff, group_id=group.id, user_id=user.id, role=role.value
        )

    def new_group(
        self,
        unit: SchoolUnit,
        name: str,
        kind: GroupKind,
        form: str,
        grade: int | None,
        subject: str = "",
        year: AcademicYear | None = None,
    ) -> Group:
        group = make_row(
            Group,
            id=self.uid(),
            school_unit_id=unit.id,
            academic_year_id=(year or self.current_year).id,
            name=name,
            kind=kind.value,
            school_form=form,
            grade=grade,
            subject=subject,
        )
        self.plan.groups.append(group)
        return group

    # --- the organisation ----------------------------------------------------------------

    def build_providers_and_units(self) -> None:
        municipality, independent = self.build_providers()
        kinds = self.unit_kinds()
        tier = self.tier
        first_independent = tier.units - tier.upper_secondary_units - tier.independent_units
        independents = range(first_independent, first_independent + tier.independent_units)
        names = self.unit_names(kinds)
        if independent is not None:
            # Friskolor carry their organiser's name rather than a neighbourhood's.
            for number, index in enumerate(independents):
                names[index] = f"Ekbackens friskola {INDEPENDENT_SITES[number]}"
        codes = self.rng.sample(range(10_000_000, 100_000_000), tier.units)
        for index, kind in enumerate(kinds):
            provider = municipality
            if independent is not None and index in independents:
                provider = independent
            self.build_unit(provider, kind, index, names[index], codes[index])
        self.plan.unit_a_id = self.plan.units[0].id
        self.plan.unit_b_id = self.plan.units[1].id
        self.share_pupils()

    def build_providers(self) -> tuple[EducationProvider, EducationProvider | None]:
        """The municipality and, for the bigger tiers, an independent huvudman."""
        municipality = self.provider(MUNICIPALITY_NAME, "212000", ProviderKind.MUNICIPAL)
        self.plan.provider_id = municipality.id
        if not self.tier.independent_units:
            return municipality, None
        return municipality, self.provider(INDEPENDENT_NAME, "556", ProviderKind.INDEPENDENT)

    def provider(self, name: str, number_prefix: str, kind: ProviderKind) -> EducationProvider:
        provider = EducationProvider(
            id=self.uid(),
            name=name,
            organisation_number=self.organisation_number(number_prefix),
            kind=kind,
        )
        self.plan.providers.append(provider)
        return provider

    def unit_kinds(self) -> list[str]:
        """A and B are F–9 (B has every grade A has, so pupils can move from B to A); the last
        units are gymnasieskolor; the rest F–9, F–6 or 7–9."""
        tier = self.tier
        kinds = ["F-9", "F-9"]
        for index in range(2, tier.units):
            if index >= tier.units - tier.upper_secondary_units:
                kinds.append("gy")
            else:
                kinds.append(self.rng.choices(["F-9", "F-6", "7-9"], [45, 35, 20])[0])
        return kinds

    def build_unit(
        self, provider: EducationProvider, kind: str, index: int, name: str, code: int
    ) -> None:
        """One school unit; some also run anpassad grundskola (unit A always does)."""
        adapted = index == 0 or (kind != "gy" and index > 1 and self.rng.random() < 0.2)
        if kind == "gy":
            forms = [SchoolForm.UPPER_SECONDARY.value]
        else:
            forms = [SchoolForm.COMPULSORY.value]
            if adapted:
                forms.append(SchoolForm.ADAPTED_COMPULSORY.value)
        unit = SchoolUnit(
            id=self.uid(),
            provider_id=provider.id,
            name=name,
            unit_code=str(code),
            school_forms=forms,
            municipality_code=MUNICIPALITY_CODE,
        )
        self.plan.units.append(unit)
        municipal = provider.kind == ProviderKind.MUNICIPAL
        self.unit_plans.append(UnitPlan(unit=unit, kind=kind, adapted=adapted, municipal=municipal))

    def share_pupils(self) -> None:
        """Pupils per unit: about 25 per grade and class, more at 7–9 and gymnasieskola units."""
        weights = []
        for unit_plan in self.unit_plans:
            per_grade = {"F-9": 1.0, "F-6": 1.0, "7-9": 1.6, "gy": 3.5}[unit_plan.kind]
            grades = 3 if unit_plan.kind == "gy" else len(GRUNDSKOLA_KINDS[unit_plan.kind])
            noise = 1.0 if self.tier.units <= 2 else self.rng.uniform(0.6, 1.4)
            weights.append(grades * per_grade * noise)
        shares = split(self.tier.pupils, weights)
        for unit_plan, count in zip(self.unit_plans, shares, strict=True):
            unit_plan.pupils = count

    def unit_names(self, kinds: list[str]) -> list[str]:
        taken = {UNIT_A_NAME, UNIT_B_NAME}
        names = [UNIT_A_NAME, UNIT_B_NAME]
        for kind in kinds[2:]:
            while True:
                prefix = self.rng.choice(UNIT_PREFIXES)
                if kind == "gy":
                    name = f"{prefix}gymnasiet"
                else:
                    name = prefix + self.rng.choice(UNIT_SUFFIXES)
                if name not in taken:
                    break
            taken.add(name)
            names.append(name)
        return names

    def build_classes(self, unit_plan: UnitPlan) -> None:
        rng, unit = self.rng, unit_plan.unit
        if unit_plan.kind == "gy":
            self.build_upper_secondary_classes(unit_plan)
            return
        adapted_pupils = max(6, round(unit_plan.pupils * 0.03)) if unit_plan.adapted else 0
        grades = list(GRUNDSKOLA_KINDS[unit_plan.kind])
        per_grade = split(
            unit_plan.pupils - adapted_pupils, [rng.uniform(0.85, 1.15) for _ in grades]
        )
        for grade, count in zip(grades, per_grade, strict=True):
            band = next(name for name, band_grades in BANDS.items() if grade in band_grades)
            class_count = min(len(CLASS_LETTERS), max(1, math.ceil(count / 28)))
            sizes = split(count, [1.0] * class_count)
            for letter, size in zip(CLASS_LETTERS[:class_count], sizes, strict=True):
                name = f"{grade}{letter}"
                group = self.new_group(
                    unit, name, GroupKind.CLASS, SchoolForm.COMPULSORY.value, grade
                )
                class_plan = ClassPlan(group, SchoolForm.COMPULSORY.value, band, (grade,), size)
                for abbr, subject in SUBJECTS[band]:
                    subject_group = self.new_group(
                        unit,
                        f"{abbr} {name}",
                        GroupKind.TEACHING_GROUP,
                        SchoolForm.COMPULSORY.value,
                        grade,
                        subject,
                    )
                    class_plan.subject_groups.append((abbr, subject_group))
                unit_plan.classes.append(class_plan)
        if adapted_pupils:
            # Small mixed-grade classes in anpassad grundskola, by stage when there are enough.
            stages = {1: [(1, 9)], 2: [(1, 5), (6, 9)], 3: [(1, 3), (4, 6), (7, 9)]}
            ranges = stages[max(1, min(3, adapted_pupils // 6))]
            for (low, high), size in zip(
                ranges, split(adapted_pupils, [1.0] * len(ranges)), strict=True
            ):
                group = self.new_group(
                    unit,
                    f"Anpassad {low}–{high}",
                    GroupKind.CLASS,
                    SchoolForm.ADAPTED_COMPULSORY.value,
                    None,
                )
                unit_plan.classes.append(
                    ClassPlan(
                        group,
                        SchoolForm.ADAPTED_COMPULSORY.value,
                        "anp",
                        tuple(range(low, high + 1)),
                        size,
                    )
                )

    def build_upper_secondary_classes(self, unit_plan: UnitPlan) -> None:
        rng, unit = self.rng, unit_plan.unit
        programmes = rng.sample(PROGRAMMES, rng.randint(3, 5))
        form = SchoolForm.UPPER_SECONDARY.value
        for grade, count in zip((1, 2, 3), split(unit_plan.pupils, [1.1, 1.0, 0.9]), strict=True):
            year = (self.current_spec.starts_on.year - (grade - 1)) % 100
            class_count = max(1, math.ceil(count / 30))
            chosen = [programmes[i % len(programmes)] for i in range(class_count)]
            seen: dict[str, int] = {}
            for programme, size in zip(chosen, split(count, [1.0] * class_count), strict=True):
                name = f"{programme}{year:02d}"
                if chosen.count(programme) > 1:
                    name += "abcdefgh"[seen.get(programme, 0)]
                    seen[programme] = seen.get(programme, 0) + 1
                group = self.new_group(unit, name, GroupKind.CLASS, form, grade)
                class_plan = ClassPlan(group, form, "gy", (grade,), size)
                for abbr, subject in SUBJECTS["gy"]:
                    subject_group = self.new_group(
                        unit, f"{abbr} {name}", GroupKind.TEACHING_GROUP, form, grade, subject
                    )
                    class_plan.subject_groups.append((abbr, subject_group))
                unit_plan.classes.append(class_plan)

    def support_counts(self, unit_plan: UnitPlan, is_unit_a: bool) -> dict[UnitDutyKind, int]:
        pupils = unit_plan.pupils
        counts = {
            UnitDutyKind.PRINCIPAL: 1,
            # Unit A always has a deputy so the biträdande rektor's view has a holder.
            UnitDutyKind.DEPUTY_PRINCIPAL: int(pupils > 350 or is_unit_a) + int(pupils > 900),
            UnitDutyKind.SPECIAL_EDUCATOR: 1 + int(pupils > 500),
            UnitDutyKind.SPECIAL_TEACHER: int(pupils >= 150 or unit_plan.adapted)
            + int(pupils > 700),
            UnitDutyKind.SCHOOL_COUNSELLOR: 1 + int(pupils > 600),
            UnitDutyKind.SCHOOL_NURSE: 1 + int(pupils > 800),
            UnitDutyKind.CAREER_COUNSELLOR: int(unit_plan.kind != "F-6"),
        }
        return counts

    def build_staff(self) -> None:
        tier, plan = self.tier, self.plan
        municipality = plan.providers[0]
        for provider_kind in (ProviderDutyKind.ADMINISTRATOR, ProviderDutyKind.QUALITY_ANALYST):
            for _ in range(tier.provider_admins):
                self.provider_duty(self.new_staff(), municipality, provider_kind)
        if len(plan.providers) > 1:
            self.provider_duty(self.new_staff(), plan.providers[1], ProviderDutyKind.ADMINISTRATOR)

        for index, unit_plan in enumerate(self.unit_plans):
            for kind, count in self.support_counts(unit_plan, index == 0).items():
                for _ in range(count):
                    user = self.new_staff()
                    unit_plan.duties.setdefault(kind.value, []).append(user)
                    self.duty(user, unit_plan.unit, kind)

        # Psychologists and doctors serve several units of the same huvudman.
        for municipal in (True, False):
            same = [unit_plan for unit_plan in self.unit_plans if unit_plan.municipal == municipal]
            for shared_kind, per_person in (
                (UnitDutyKind.SCHOOL_PSYCHOLOGIST, 2),
                (UnitDutyKind.SCHOOL_DOCTOR, 8),
            ):
                for start in range(0, len(same), per_person):
                    user = self.new_staff()
                    for unit_plan in same[start : start + per_person]:
                        unit_plan.duties.setdefault(shared_kind.value, []).append(user)
                        self.duty(user, unit_plan.unit, shared_kind)

        # Teachers: at least one per class (every class needs a mentor), the rest by pupils.
        minimum = [
            len(unit_plan.classes) + int(index == 0)
            for index, unit_plan in enumerate(self.unit_plans)
        ]
        spare = max(0, tier.staff - len(plan.users) - sum(minimum))
        extra = split(spare, [unit_plan.pupils for unit_plan in self.unit_plans])
        for index, unit_plan in enumerate(self.unit_plans):
            self.build_teachers(unit_plan, minimum[index] + extra[index], index == 0)

    def provider_duty(
        self, user: User, provider: EducationProvider, kind: ProviderDutyKind
    ) -> None:
        self.plan.provider_duties.append(
            ProviderDuty(id=self.uid(), user_id=user.id, provider_id=provider.id, duty=kind.value)
        )

    def build_teachers(self, unit_plan: UnitPlan, count: int, is_unit_a: bool) -> None:
        bands = unit_plan.bands
        classes_in = {band: [c for c in unit_plan.classes if c.band == band] for band in bands}
        base = {band: len(classes_in[band]) for band in bands}
        if is_unit_a:
            base["7-9"] += 1  # room for the demo larare, who teaches but mentors no class
        workload = [sum(len(c.subject_groups) for c in classes_in[band]) + 1.0 for band in bands]
        per_band = [
            base[band] + share
            for band, share in zip(
                bands, split(max(0, count - sum(base.values())), workload), strict=True
            )
        ]
        load: dict[uuid.UUID, int] = {}
        mentoring: dict[uuid.UUID, int] = {}
        for band, teachers_needed in zip(bands, per_band, strict=True):
            teachers = [self.new_staff() for _ in range(teachers_needed)]
            unit_plan.band_teachers[band] = teachers
            position = {teacher.id: i for i, teacher in enumerate(teachers)}
            for teacher in teachers:
                load[teacher.id] = 0
                mentoring[teacher.id] = 0
            taught_by_mentor = MENTOR_TAUGHT.get(band, set())
            # Each teacher is qualified in two subjects, spread so every subject has someone.
            subjects = [abbr for abbr, _name in SUBJECTS[band] if abbr not in taught_by_mentor]
            qualified: dict[uuid.UUID, set[str]] = {}
            for i, teacher in enumerate(teachers):
                if subjects:
                    qualified[teacher.id] = {
                        subjects[i % len(subjects)],
                        subjects[(i + len(subjects) // 2) % len(subjects)],
                    }
            for class_plan in classes_in[band]:
                mentor = min(teachers, key=lambda t: (mentoring[t.id], load[t.id], position[t.id]))
                mentoring[mentor.id] += 1
                class_plan.mentor = mentor
                self.group_staff(class_plan.group, mentor, GroupStaffRole.MENTOR)
                if band == "anp":
                    # The adapted class is taught as one group by its own teacher.
                    self.group_staff(class_plan.group, mentor, GroupStaffRole.TEACHER)
                    load[mentor.id] += 1
                for abbr, subject_group in class_plan.subject_groups:
                    if abbr in taught_by_mentor:
                        teacher = mentor
                    else:
                        candidates = [t for t in teachers if abbr in qualified.get(t.id, ())]
                        teacher = min(
                            candidates or teachers,
                            key=lambda t: (load[t.id], position[t.id]),
                        )
                    load[teacher.id] += 1
                    self.group_staff(subject_group, teacher, GroupStaffRole.TEACHER)
            for teacher in teachers:
                self.duty(teacher, unit_plan.unit, UnitDutyKind.TEACHER)
                if mentoring[teacher.id]:
                    self.duty(teacher, unit_plan.unit, UnitDutyKind.MENTOR)
            unit_plan.duties.setdefault(UnitDutyKind.TEACHER.value, []).extend(teachers)
        if is_unit_a:
            free = [t for t in unit_plan.band_teachers["7-9"] if not mentoring[t.id]]
            unit_plan.larare = free[-1]

    def build_unit_a_demo_relations(self) -> None:
        """Unit A: the mentor of 8A teaches Sv 8A; the larare takes Ma in 7A, 8A and 9A."""
        unit_plan = self.unit_plans[0]
        by_group = {row.group_id: row for row in self.plan.group_staff if row.role == "teacher"}
        classes = {c.group.name: c for c in unit_plan.classes}
        demo_class = classes[DEMO_CLASS]
        for abbr, group in demo_class.subject_groups:
            if abbr == "Sv" and demo_class.mentor is not None:
                by_group[group.id].user_id = demo_class.mentor.id
        for name in ("7A", "8A", "9A"):
            for abbr, group in classes[name].subject_groups:
                if abbr == "Ma" and unit_plan.larare is not None:
                    by_group[group.id].user_id = unit_plan.larare.id

    def build_teams_and_delegations(self) -> None:
        for index, unit_plan in enumerate(self.unit_plans):
            self.build_team(unit_plan)
            self.build_delegations(unit_plan, is_unit_a=index == 0)

    def build_team(self, unit_plan: UnitPlan) -> None:
        """The unit's elevhälsoteam: its leaders and the pupil health staff."""
        team = PupilHealthTeam(id=self.uid(), school_unit_id=unit_plan.unit.id)
        self.plan.teams.append(team)
        members = self.team_members.setdefault(unit_plan.unit.id, set())
        through = PupilHealthTeam.members.through
        for kind in TEAM_DUTIES:
            for user in unit_plan.duties.get(kind.value, []):
                self.plan.team_members.append(through(pupilhealthteam_id=team.id, user_id=user.id))
                members.add(user.id)

    def build_delegations(self, unit_plan: UnitPlan, *, is_unit_a: bool) -> None:
        """The deputy's short leave decisions; at unit A also the no-programme decisions of the
        specialpedagog (SL 2 kap. 10 §), so that a delegated decision exists in the demo."""
        principal = unit_plan.duties[UnitDutyKind.PRINCIPAL.value][0]
        deputies = unit_plan.duties.get(UnitDutyKind.DEPUTY_PRINCIPAL.value, [])
        delegates: list[tuple[User, DecisionType]] = []
        if deputies:
            delegates.append((deputies[0], DecisionType.LEAVE_UP_TO_TEN_DAYS))
        if is_unit_a:
            educator = unit_plan.duties[UnitDutyKind.SPECIAL_EDUCATOR.value][0]
            delegates.append((educator, DecisionType.NO_ACTION_PROGRAMME))
        for delegate, decision_type in delegates:
            self.plan.delegations.append(
                Delegation(
                    id=self.uid(),
                    school_unit_id=unit_plan.unit.id,
                    delegated_by_id=principal.id,
                    delegate_id=delegate.id,
                    decision_type=decision_type.value,
                    valid_from=self.current_spec.starts_on,
                    valid_until=self.current_spec.ends_on,
                    note="Delegationsordning läsåret " + self.current_spec.name,
                )
            )

    # --- pupils and guardians ------------------------------------------------------------

    def new_guardian(
        self, first: str, last: str, born_year: int, female: bool, address: Address
    ) -> Guardian:
        born = self.day_between(date(born_year, 1, 1), date(born_year, 12, 31))
        gender = Gender.FEMALE if female else Gender.MALE
        coordination = self.rng.random() < 0.01
        guardian = make_row(
            Guardian,
            id=self.uid(),
            first_name=first,
            last_name=last,
            identity_number=self.identity_number(born, gender, coordination),
            identity_kind=(
                IdentityKind.COORDINATION_NUMBER
                if coordination
                else IdentityKind.PERSONAL_IDENTITY_NUMBER
            ).value,
            street_address=address.street_address,
            postal_code=address.postal_code,
            city=address.city,
            phone=self.names.mobile(),
            email=self.names.private_email(first, last) if self.rng.random() < 0.85 else "",
        )
        self.plan.guardians.append(guardian)
        return guardian

    def new_household(self, child_born: int, mode: str, protected_registration: bool) -> Household:
        rng, names = self.rng, self.names
        last = names.last_name()
        address = NO_ADDRESS if protected_registration else names.address()
        first_female = rng.random() < 0.6
        first = self.new_guardian(
            names.first_name(first_female),
            last,
            child_born - rng.randint(24, 44),
            first_female,
            address,
        )
        household = Household(last, address, [(first, True)])
        if mode in ("two", "split"):
            second_female = not first_female if rng.random() < 0.92 else first_female
            same_name = rng.random() < (0.7 if mode == "two" else 0.3)
            # A parent without custody usually lives elsewhere.
            elsewhere = address if mode == "two" or protected_registration else names.address()
            second = self.new_guardian(
                names.first_name(second_female),
                last if same_name else names.last_name(),
                child_born - rng.randint(24, 46),
                second_female,
                elsewhere,
            )
            household.guardians.append((second, mode == "two"))
        return household

    def add_pupil(
        self,
        unit_plan: UnitPlan,
        class_plan: ClassPlan,
        *,
        household: Household | None = None,
        protected: str | None = None,
        household_mode: str | None = None,
        mover: str | None = None,
        origin: UnitPlan | None = None,
        names: tuple[str, str] | None = None,
        gender: str | None = None,
    ) -> Pupil:
        """One pupil with guardians, placements and memberships.

        `mover` is "summer", "midyear", "stay" or None for a random draw (about 3 % move).
        """
        rng = self.rng
        grade = rng.choice(class_plan.grades)
        gender = gender or self.draw_gender()
        school_age = 15 if class_plan.form == SchoolForm.UPPER_SECONDARY.value else 6
        born_year = self.current_spec.starts_on.year - school_age - grade - int(rng.random() < 0.02)
        born = self.day_between(date(born_year, 1, 1), date(born_year, 12, 31))
        if protected is None:
            protected = self.draw_protection()
        kind, number = self.pupil_identity(born, gender, named=names is not None)
        if household is None:
            household = self.household_for(unit_plan, born_year, protected, household_mode)
        household.children += 1
        household.birth_years.add(born_year)
        female = gender == Gender.FEMALE or (gender != Gender.MALE and rng.random() < 0.5)
        first, last = names or (self.names.first_name(female, child=True), household.last_name)
        older = grade >= 4 or class_plan.form == SchoolForm.UPPER_SECONDARY.value
        pupil = make_row(
            Pupil,
            id=self.uid(),
            first_name=first,
            last_name=last,
            identity_number=number,
            identity_kind=kind.value,
            street_address=household.address.street_address,
            postal_code=household.address.postal_code,
            city=household.address.city,
            phone=self.names.mobile() if older and rng.random() < 0.6 else "",
            email=self.pupil_email(first, last) if older else "",
            birth_date=born,
            gender=gender,
            protected_identity=protected,
        )
        self.plan.pupils.append(pupil)
        self.link_household(pupil, household)
        if protected != ProtectedIdentity.NONE:
            self.assign_protected(pupil, unit_plan)
        self.place(unit_plan, class_plan, pupil, grade, mover, origin)
        return pupil

    def draw_gender(self) -> str:
        roll = self.rng.random()
        if roll < 0.49:
            return Gender.FEMALE
        if roll < 0.98:
            return Gender.MALE
        return Gender.OTHER if roll < 0.99 else Gender.UNKNOWN

    def draw_protection(self) -> str:
        """About 1 % of pupils have a confidentiality marking, 0.5 % protected registration."""
        roll = self.rng.random()
        if roll < 0.010:
            return ProtectedIdentity.CONFIDENTIALITY_MARKING
        if roll < 0.015:
            return ProtectedIdentity.PROTECTED_REGISTRATION
        return ProtectedIdentity.NONE

    def pupil_identity(self, born: date, gender: str, *, named: bool) -> tuple[IdentityKind, str]:
        """A personnummer; now and then a samordningsnummer or a reserve number (no number yet).
        The named demo pupils always have an ordinary personnummer."""
        roll = self.rng.random()
        if named:
            roll = 1.0
        if roll < 0.006:
            return IdentityKind.COORDINATION_NUMBER, self.identity_number(born, gender, True)
        if roll < 0.009:
            return IdentityKind.RESERVE, ""
        return IdentityKind.PERSONAL_IDENTITY_NUMBER, self.identity_number(born, gender)

    def pupil_email(self, first: str, last: str) -> str:
        number = self.rng.randint(1, 99)
        return f"{mail_part(first)}.{mail_part(last)}{number}@{PUPIL_MAIL_DOMAIN}"

    def household_for(
        self, unit_plan: UnitPlan, born_year: int, protected: str, mode: str | None
    ) -> Household:
        """Now and then a sibling's household at the same unit, otherwise a new one."""
        rng = self.rng
        is_protected = protected != ProtectedIdentity.NONE
        pool = unit_plan.households
        if not is_protected and mode is None and pool and rng.random() < 0.12:
            index = rng.randrange(len(pool))
            # A sibling at the same unit, born another year (no twins, for simplicity).
            if born_year not in pool[index].birth_years:
                household = pool[index]
                if household.children >= 2:
                    pool[index] = pool[-1]  # three children is enough for one household
                    pool.pop()
                return household
        if mode is None:
            roll = rng.random()
            mode = "two" if roll < 0.78 else "split" if roll < 0.88 else "single"
        household = self.new_household(
            born_year, mode, protected == ProtectedIdentity.PROTECTED_REGISTRATION
        )
        if not is_protected:
            pool.append(household)
        return household

    def link_household(self, pupil: Pupil, household: Household) -> None:
        for guardian, custody in household.guardians:
            self.new_row(
                self.plan.guardianships,
                Guardianship,
                guardian_id=guardian.id,
                pupil_id=pupil.id,
                has_custody=custody,
            )

    def assign_protected(self, pupil: Pupil, unit_plan: UnitPlan) -> None:
        """Only the rektor and the first specialpedagog are assigned (security.md P6)."""
        for kind in (UnitDutyKind.PRINCIPAL, UnitDutyKind.SPECIAL_EDUCATOR):
            staff = unit_plan.duties[kind.value][0]
            self.new_row(
                self.plan.protected_assignments,
                ProtectedPupilAssignment,
                pupil_id=pupil.id,
                user_id=staff.id,
                reason=PROTECTED_REASON,
            )

    def place(
        self,
        unit_plan: UnitPlan,
        class_plan: ClassPlan,
        pupil: Pupil,
        grade: int,
        mover: str | None,
        origin: UnitPlan | None,
    ) -> None:
        """The current placement and class, after an earlier one elsewhere for a mover."""
        rng = self.rng
        starts_on = self.current_spec.starts_on
        if mover is None and class_plan.band != "anp" and rng.random() < 0.03:
            mover = "summer" if rng.random() < 0.7 else "midyear"
        if mover in ("summer", "midyear"):
            starts_on = self.add_move(unit_plan, class_plan, pupil, grade, mover, starts_on, origin)
        self.placement(pupil, unit_plan.unit, class_plan.form, grade, starts_on)
        protected = pupil.protected_identity != ProtectedIdentity.NONE
        self.pupil_refs.append(PupilRef(pupil.id, class_plan, protected, starts_on))
        self.membership(pupil, class_plan.group)
        for _abbr, group in class_plan.subject_groups:
            self.membership(pupil, group)

    def placement(
        self,
        pupil: Pupil,
        unit: SchoolUnit,
        form: str,
        grade: int,
        starts_on: date,
        ends_on: date | None = None,
    ) -> None:
        self.new_row(
            self.plan.placements,
            Placement,
            pupil_id=pupil.id,
            school_unit_id=unit.id,
            school_form=form,
            grade=grade,
            starts_on=starts_on,
            ends_on=ends_on,
        )

    def membership(self, pupil: Pupil, group: Group) -> None:
        self.new_row(self.plan.memberships, GroupMembership, pupil_id=pupil.id, group_id=group.id)

    def add_move(
        self,
        unit_plan: UnitPlan,
        class_plan: ClassPlan,
        pupil: Pupil,
        grade: int,
        mover: str,
        starts_on: date,
        origin: UnitPlan | None = None,
    ) -> date:
        """An ended placement at another unit; returns the start of the current placement."""
        if mover == "summer" and grade == 1:
            mover = "midyear"  # last year they were in förskoleklass, which no longer exists
        # A mid-year move ends the old placement at least a day into term and starts the new one
        # three days later, on or before today; too early in term it can only be a summer move.
        latest = min(74, (self.today - self.current_spec.starts_on).days - 3)
        if mover == "midyear" and latest < 1:
            if grade == 1:
                return starts_on
            mover = "summer"
        form = class_plan.form
        candidates = [
            (other, cohort)
            for other, cohort in self.cohorts.get((form, grade), [])
            if other is not unit_plan
            and (origin is None or other is origin)
            and (mover == "midyear" or (other.unit.id, form, grade - 1) in self.offered)
        ]
        if not candidates:
            return starts_on
        source, cohort = self.rng.choice(candidates)
        if mover == "summer":
            previous = self.previous_spec
            self.placement(
                pupil, source.unit, form, grade - 1, previous.starts_on, previous.ends_on
            )
            self.membership(pupil, self.previous_group(source, cohort, grade - 1))
            return starts_on
        days_in = self.rng.randint(min(18, latest), latest)
        ended = self.current_spec.starts_on + timedelta(days=days_in)
        self.placement(pupil, source.unit, form, grade, self.current_spec.starts_on, ended)
        # The old unit's groups no longer list the pupil: membership ended with the move.
        return ended + timedelta(days=3)

    def index_cohorts(self) -> None:
        for unit_plan in self.unit_plans:
            for class_plan in unit_plan.classes:
                if class_plan.band == "anp":
                    continue
                grade = class_plan.grades[0]
                key = (unit_plan.unit.id, class_plan.form, grade)
                if key not in self.offered:
                    self.offered.add(key)
                    self.cohorts.setdefault((class_plan.form, grade), []).append(
                        (unit_plan, class_plan)
                    )

    def previous_group(self, unit_plan: UnitPlan, cohort: ClassPlan, grade: int) -> Group:
        """Last year's class of the cohort now in `cohort` (7B was 6B; NA25 stays NA25)."""
        name = cohort.group.name
        if cohort.form == SchoolForm.COMPULSORY.value:
            name = f"{grade}{name[-1]}"
        key = (unit_plan.unit.id, name)
        group = self.prev_groups.get(key)
        if group is None:
            group = self.new_group(
                unit_plan.unit, name, GroupKind.CLASS, cohort.form, grade, year=self.previous_year
            )
            self.prev_groups[key] = group
            if cohort.mentor is not None:
                self.group_staff(group, cohort.mentor, GroupStaffRole.MENTOR)
        return group

    def build_pupils(self) -> None:
        unit_a = self.unit_plans[0]
        demo_household = self.demo_household()
        for index, unit_plan in enumerate(self.unit_plans):
            for class_plan in unit_plan.classes:
                start = 0
                if index == 0 and class_plan.group.name == DEMO_SIBLING[2]:
                    sibling_first, sibling_last, _class = DEMO_SIBLING
                    self.add_pupil(
                        unit_a,
                        class_plan,
                        household=demo_household,
                        names=(sibling_first, sibling_last),
                        gender=Gender.MALE,
                        mover="stay",
                    )
                    start = 1
                if index == 0 and class_plan.group.name == DEMO_CLASS:
                    start = self.add_demo_class_pupils(unit_a, class_plan, demo_household)
                for _ in range(start, class_plan.size):
                    self.add_pupil(unit_plan, class_plan)

    def demo_household(self) -> Household:
        rng = self.rng
        born = self.current_spec.starts_on.year - 6 - 8
        address = self.names.address()
        guardian_first = _DEMO["vardnadshavare"]
        partner_first, partner_last = DEMO_GUARDIAN_PARTNER
        first = self.new_guardian(
            guardian_first.first_name,
            guardian_first.last_name,
            born - rng.randint(28, 40),
            False,
            address,
        )
        second = self.new_guardian(
            partner_first, partner_last, born - rng.randint(28, 40), True, address
        )
        self.demo_guardian = first
        return Household(guardian_first.last_name, address, [(first, True), (second, True)])

    def add_demo_class_pupils(
        self, unit_a: UnitPlan, class_plan: ClassPlan, household: Household
    ) -> int:
        """8A at unit A: the elev, a protected pupil, a split custody, two movers from B."""
        elev = _DEMO["elev"]
        pupil = self.add_pupil(
            unit_a,
            class_plan,
            household=household,
            names=(elev.first_name, elev.last_name),
            gender=Gender.FEMALE,
            mover="stay",
        )
        self.elev_pupil = pupil
        self.add_pupil(unit_a, class_plan, protected=ProtectedIdentity.PROTECTED_REGISTRATION)
        self.add_pupil(unit_a, class_plan, protected=ProtectedIdentity.CONFIDENTIALITY_MARKING)
        self.add_pupil(unit_a, class_plan, protected=ProtectedIdentity.NONE, household_mode="split")
        unit_b = self.unit_plans[1]
        for mover in ("summer", "midyear"):
            self.add_pupil(
                unit_a, class_plan, protected=ProtectedIdentity.NONE, mover=mover, origin=unit_b
            )
        return 6

    # --- demo users ----------------------------------------------------------------------

    def build_demo_users(self) -> None:
        """Turn a few of unit A's people into the published demo logins (demo mode only)."""
        password = make_password(DEMO_PASSWORD)
        unit_a, unit_b = self.unit_plans[0], self.unit_plans[1]
        demo_class = next(c for c in unit_a.classes if c.group.name == DEMO_CLASS)
        municipality = self.plan.providers[0]
        admin_id = next(
            row.user_id
            for row in self.plan.provider_duties
            if row.provider_id == municipality.id and row.duty == ProviderDutyKind.ADMINISTRATOR
        )
        users = {user.id: user for user in self.plan.users}
        staff = {
            "rektor": unit_a.duties[UnitDutyKind.PRINCIPAL.value][0],
            "rektor2": unit_b.duties[UnitDutyKind.PRINCIPAL.value][0],
            "specialpedagog": unit_a.duties[UnitDutyKind.SPECIAL_EDUCATOR.value][0],
            "mentor": demo_class.mentor,
            "larare": unit_a.larare,
            "kurator": unit_a.duties[UnitDutyKind.SCHOOL_COUNSELLOR.value][0],
            "huvudman": users[admin_id],
        }
        for username, user in staff.items():
            assert user is not None
            self.make_demo(user, username, password)
        guardian = self.demo_guardian
        assert guardian is not None
        assert self.elev_pupil is not None
        for username, person in (("vardnadshavare", guardian), ("elev", self.elev_pupil)):
            user = User(id=self.uid())
            self.make_demo(user, username, password)
            self.plan.users.append(user)
            person.user_id = user.id

    def make_demo(self, user: User, username: str, password: str) -> None:
        demo = _DEMO[username]
        user.username = username
        user.first_name = demo.first_name
        user.last_name = demo.last_name
        user.email = f"{username}@{STAFF_MAIL_DOMAIN}"
        user.password = password

    def build(self) -> Plan:
        self.build_providers_and_units()
        for unit_plan in self.unit_plans:
            self.build_classes(unit_plan)
        self.index_cohorts()
        self.build_staff()
        self.build_unit_a_demo_relations()
        self.build_teams_and_delegations()
        self.build_pupils()
        # Last, so demo mode draws no numbers that would shift the rest of the data.
        if self.plan.demo_users:
            self.build_demo_users()
        # The support chain draws from a Random of its own, so it shifts nothing above.
        self.plan.support = build_support_chain(
            Population(
                plan=self.plan,
                unit_plans=self.unit_plans,
                pupil_refs=self.pupil_refs,
                demo_guardian=self.demo_guardian,
                elev_pupil=self.elev_pupil,
            )
        )
        self.plan.log_source = self.build_log_source()
        return self.plan

    def build_log_source(self) -> LogSource:
        """Who may read whom, as elevstod.access.policy sees it, for drawing the access log."""
        source = LogSource(
            seed=self.plan.seed,
            today=self.today,
            year=self.current_spec,
            rows_per_year=self.tier.access_log_per_year,
        )
        duties: dict[uuid.UUID, dict[uuid.UUID, set[str]]] = {}
        for row in self.plan.unit_duties:
            duties.setdefault(row.school_unit_id, {}).setdefault(row.user_id, set()).add(row.duty)
        source.units = [
            self.unit_actors(unit_plan, duties.get(unit_plan.unit.id, {}))
            for unit_plan in self.unit_plans
        ]
        group_roles: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
        for staff_row in self.plan.group_staff:
            group_roles.setdefault(staff_row.group_id, []).append(
                (staff_row.user_id, staff_row.role)
            )
        class_index: dict[int, int] = {}
        for unit_index, unit_plan in enumerate(self.unit_plans):
            for class_plan in unit_plan.classes:
                class_index[id(class_plan)] = len(source.classes)
                relations = class_relations(class_plan, group_roles)
                source.classes.append(ClassActors(unit_index, relations))
        source.pupils = [
            (pupil_id, class_index[id(class_plan)], protected, starts_on)
            for pupil_id, class_plan, protected, starts_on in self.pupil_refs
        ]
        return source

    def unit_actors(self, unit_plan: UnitPlan, at_unit: dict[uuid.UUID, set[str]]) -> UnitActors:
        """The unit-wide relations: leaders, special educators and teachers, and members of the
        elevhälsoteam while they hold a duty at the unit."""
        relations: dict[uuid.UUID, set[Relation]] = {}
        for user_id, kinds in at_unit.items():
            if kinds & LEADERSHIP_DUTIES:
                relations.setdefault(user_id, set()).add(Relation.PRINCIPAL)
            if kinds & UNIT_WIDE_SUPPORT_DUTIES:
                relations.setdefault(user_id, set()).add(Relation.SPECIAL_EDUCATION)
        for user_id in self.team_members.get(unit_plan.unit.id, set()) & set(at_unit):
            relations.setdefault(user_id, set()).add(Relation.PUPIL_HEALTH_TEAM)
        return UnitActors(
            unit_id=unit_plan.unit.id,
            principal_id=unit_plan.duties[UnitDutyKind.PRINCIPAL.value][0].id,
            relations=relations,
            staff=frozenset(at_unit),
            assigned=[
                unit_plan.duties[kind.value][0].id
                for kind in (UnitDutyKind.PRINCIPAL, UnitDutyKind.SPECIAL_EDUCATOR)
            ],
        )


def class_relations(
    class_plan: ClassPlan, group_roles: dict[uuid.UUID, list[tuple[uuid.UUID, str]]]
) -> dict[uuid.UUID, set[Relation]]:
    """The mentors and teachers of the class's groups."""
    relations: dict[uuid.UUID, set[Relation]] = {}
    for group in [class_plan.group, *(g for _abbr, g in class_plan.subject_groups)]:
        for user_id, role in group_roles.get(group.id, []):
            relations.setdefault(user_id, set()).add(RELATION_OF_ROLE[role])
    return relations


def build_plan(
    tier: str = "small", seed: int = 1, demo_users: bool = False, today: date | None = None
) -> Plan:
    """Every row of the municipality as unsaved model instances; touches no database.

    The access log is not in the plan's lists: it is drawn from `plan.log_source` while it is
    written (elevstod.demo.access_log).
    """
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}")
    return _Builder(tier, seed, demo_users, today or timezone.localdate()).build()


def write_plan(
    plan: Plan,
    log: Writer | None = None,
    access_log: bool = True,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Insert the plan and (unless `access_log` is false) the access log and its reviews in one
    transaction; returns the rows written per model. `timings` receives the log's seconds."""
    with transaction.atomic():
        _reuse_existing_years(plan)
        batches = plan.batches()
        for model, rows in batches:
            stamp(model, rows, plan.loaded_at)
        counts = write_batches(batches, log)
        if plan.support is not None:
            counts.update(write_support_chain(plan.support, log))
        if access_log and plan.log_source is not None:
            counts.update(_write_access_log(plan.log_source, log, timings))
    return counts


def _write_access_log(
    source: LogSource, log: Writer | None, timings: dict[str, float] | None
) -> dict[str, int]:
    started = time.perf_counter()
    events, reviews = write_access_log(source)
    with explicit_timestamps(LogReview):
        LogReview.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
    seconds = time.perf_counter() - started
    if timings is not None:
        timings["access_log"] = seconds
    say(log, f"  AccessEvent: {events} rader, LogReview: {len(reviews)} ({seconds:.1f} s)")
    return {
        AccessEvent._meta.object_name or "AccessEvent": events,
        LogReview._meta.object_name or "LogReview": len(reviews),
    }


def _reuse_existing_years(plan: Plan) -> None:
    """Academic years are shared by everything; keep one that already exists under that name."""
    existing = dict(
        AcademicYear.objects.filter(name__in=[y.name for y in plan.years]).values_list("name", "id")
    )
    if not existing:
        return
    replaced = {y.id: existing[y.name] for y in plan.years if y.name in existing}
    plan.years = [y for y in plan.years if y.name not in existing]
    for group in plan.groups:
        group.academic_year_id = replaced.get(group.academic_year_id, group.academic_year_id)


def generator_allowed() -> bool:
    return bool(settings.ELEVSTOD_DEMO_MODE or getattr(settings, "ELEVSTOD_ALLOW_GENERATOR", False))


def generate(
    tier: str = "small",
    seed: int = 1,
    demo_users: bool | None = None,
    stdout: Writer | None = None,
    today: date | None = None,
    access_log: bool = True,
) -> dict[str, Any]:
    """Build and write the municipality. Returns counts per model and the key ids.

    `today` (default: the local date) is the day the data describes; the same tier, seed and
    `today` give the same data. `access_log=False` leaves out the access log and the log reviews
    (quick runs).

    Refuses outside demo mode unless settings.ELEVSTOD_ALLOW_GENERATOR is set (benchmarks on
    production-like settings), and never makes demo users outside demo mode.
    """
    demo_users = _refuse_unless_allowed(tier, demo_users)
    today = today or timezone.localdate()
    started = time.perf_counter()
    say(stdout, f"Planerar nivå {tier} med frö {seed} per {today.isoformat()} …")
    plan = build_plan(tier, seed, demo_users, today)
    planned = time.perf_counter()
    say(
        stdout,
        f"Planen klar på {planned - started:.1f} s: {len(plan.pupils)} elever, "
        f"{len(plan.users)} användare, {len(plan.units)} skolenheter. Skriver …",
    )
    timings: dict[str, float] = {}
    counts = write_plan(plan, stdout, access_log=access_log, timings=timings)
    for model, rows in _quality_work(today, seed, stdout, access_log=access_log).items():
        counts[model] = counts.get(model, 0) + rows
    analyze_after_bulk_load(sum(counts.values()))
    seconds = time.perf_counter() - started
    say(
        stdout,
        f"Klart: {sum(counts.values())} rader på {seconds:.1f} s "
        f"(planering {planned - started:.1f} s, skrivning {started + seconds - planned:.1f} s).",
    )
    return {
        "tier": tier,
        "seed": seed,
        "today": today,
        "academic_year": plan.current_year_spec.name,
        "counts": counts,
        "unit_a_id": plan.unit_a_id,
        "unit_b_id": plan.unit_b_id,
        "provider_id": plan.provider_id,
        "demo_users": demo_users,
        "seconds": seconds,
        "access_log_seconds": timings.get("access_log", 0.0),
    }


def _refuse_unless_allowed(tier: str, demo_users: bool | None) -> bool:
    """The guard: demo mode (or the benchmark setting), a known tier, an empty database.
    Returns whether to make the demo users (by default: in demo mode)."""
    if not generator_allowed():
        raise GeneratorRefusedError(
            "Generatorn körs bara i demoläge (ELEVSTOD_DEMO_MODE=True) eller med "
            "ELEVSTOD_ALLOW_GENERATOR=True. Den skapar påhittade personer och hör inte hemma "
            "i en produktionsdatabas."
        )
    if demo_users is None:
        demo_users = bool(settings.ELEVSTOD_DEMO_MODE)
    if demo_users and not settings.ELEVSTOD_DEMO_MODE:
        raise GeneratorRefusedError(
            "Demoanvändare skapas bara i demoläge (ELEVSTOD_DEMO_MODE=True)."
        )
    if tier not in TIERS:
        raise GeneratorRefusedError(f"Okänd nivå {tier!r}. Välj en av: {', '.join(TIERS)}.")
    if (
        EducationProvider.objects.exists()
        or User.objects.filter(username__in=[*DEMO_USERNAMES, "personal.1"]).exists()
    ):
        raise GeneratorRefusedError(
            "Databasen innehåller redan en organisation. Töm den först (manage.py flush) "
            "eller använd --if-empty."
        )
    return demo_users


def _quality_work(
    today: date, seed: int, stdout: Writer | None, *, access_log: bool
) -> dict[str, int]:
    """The quality system's own demo content, and its figures computed once so that the
    dashboards open warm (as after the nightly task)."""
    from elevstod.quality.services import refresh_all
    from elevstod.routines import demo as routines_demo
    from elevstod.specialed import demo as special_education_demo

    started = time.perf_counter()
    counts = dict(routines_demo.generate(today=today, seed=seed, access_log=access_log))
    for model, rows in special_education_demo.generate(today=today, seed=seed).items():
        counts[model] = counts.get(model, 0) + rows
    counts["QualitySnapshot"] = refresh_all(today)
    say(
        stdout,
        f"  Kvalitetssiffror: {counts['QualitySnapshot']} ({time.perf_counter() - started:.1f} s)",
    )
    return counts


def identity_numbers(rows: Iterable[Pupil | Guardian]) -> list[str]:
    """The identity numbers in `rows`, for tests comparing runs."""
    return [row.identity_number for row in rows]
