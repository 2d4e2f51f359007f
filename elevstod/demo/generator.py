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

The support chain (concerns to closed programmes, in every state) comes from
elevstod.demo.support_chain, built last into `plan.support` and written in the same transaction.
"""

import hashlib
import math
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from elevstod.access.policy import Relation
from elevstod.accounts.models import User
from elevstod.audit.models import AccessEvent, LogReview
from elevstod.demo.access_log import (
    SCHOOL_TZ,
    ClassActors,
    LogSource,
    UnitActors,
    write_access_log,
)
from elevstod.demo.names import (
    NO_ADDRESS,
    PUPIL_MAIL_DOMAIN,
    STAFF_MAIL_DOMAIN,
    Address,
    NamePool,
    mail_part,
)
from elevstod.demo.school_year import YearSpec, academic_year, academic_year_for
from elevstod.demo.shares import split
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

if TYPE_CHECKING:
    from elevstod.demo.support_chain import SupportChain

BATCH_SIZE = 2000
CLASS_LETTERS = "ABCDEFGHIJKLMN"  # 7–9 units of the large tier reach 9–10 classes per grade
M = TypeVar("M", bound=models.Model)
_DEFAULTS: dict[type[models.Model], dict[str, Any]] = {}


def _make(model: type[M], **values: Any) -> M:
    """An unsaved instance without Model.__init__, about five times faster (1.5 M in large).

    It starts from every field's default, as __init__ would, so a field added later still gets
    one; `values` must use attnames (pupil_id, not pupil). Callable defaults are evaluated once
    per model, which is harmless here because every row gets its own explicit id.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = {field.attname: field.get_default() for field in model._meta.concrete_fields}
        _DEFAULTS[model] = defaults
    instance = model.__new__(model)
    instance._state = ModelState()
    instance.__dict__.update(defaults)
    instance.__dict__.update(values)
    return instance


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
DEMO_CLASS = "8A"  # the elev's class at unit A, mentored by the demo mentor
PROTECTED_REASON = "Utsedd handläggare"


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

GRUNDSKOLA_KINDS = {"F-9": range(1, 10), "F-6": range(1, 7), "7-9": range(7, 10)}
BANDS = {"1-3": range(1, 4), "4-6": range(4, 7), "7-9": range(7, 10)}
SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "1-3": (
        ("Sv", "Svenska"), ("Ma", "Matematik"), ("En", "Engelska"), ("Idh", "Idrott och hälsa"),
    ),
    "4-6": (
        ("Sv", "Svenska"), ("Ma", "Matematik"), ("En", "Engelska"), ("Idh", "Idrott och hälsa"),
        ("NO", "Naturorienterande ämnen"), ("SO", "Samhällsorienterande ämnen"),
    ),
    "7-9": (
        ("Sv", "Svenska"), ("Ma", "Matematik"), ("En", "Engelska"), ("Idh", "Idrott och hälsa"),
        ("Bi", "Biologi"), ("Fy", "Fysik"), ("Hi", "Historia"), ("Sh", "Samhällskunskap"),
    ),
    "gy": (
        ("Sv", "Svenska"), ("Ma", "Matematik"), ("En", "Engelska"), ("Idh", "Idrott och hälsa"),
        ("Hi", "Historia"),
    ),
    "anp": (),
}  # fmt: skip
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


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass
class ClassPlan:
    group: Group
    form: str
    band: str
    grades: tuple[int, ...]  # the grades its pupils are in (several for an adapted class)
    size: int
    subject_groups: list[tuple[str, Group]] = field(default_factory=list)
    mentor: User | None = None


@dataclass
class UnitPlan:
    unit: SchoolUnit
    kind: str  # F-9, F-6, 7-9 or gy
    adapted: bool  # also runs anpassad grundskola
    municipal: bool
    pupils: int = 0
    classes: list[ClassPlan] = field(default_factory=list)
    duties: dict[str, list[User]] = field(default_factory=dict)
    band_teachers: dict[str, list[User]] = field(default_factory=dict)
    households: list["Household"] = field(default_factory=list)
    larare: User | None = None  # unit A only: a 7–9 teacher who mentors no class

    @property
    def bands(self) -> list[str]:
        if self.kind == "gy":
            return ["gy"]
        grades = GRUNDSKOLA_KINDS[self.kind]
        found = [band for band, band_grades in BANDS.items() if band_grades[0] in grades]
        return [*found, "anp"] if self.adapted else found


@dataclass(eq=False)
class Household:
    last_name: str
    address: Address
    guardians: list[tuple[Guardian, bool]]  # (guardian, has custody)
    children: int = 0
    birth_years: set[int] = field(default_factory=set)


@dataclass
class Plan:
    tier: str
    seed: int
    today: date
    current_year_spec: YearSpec
    providers: list[EducationProvider] = field(default_factory=list)
    units: list[SchoolUnit] = field(default_factory=list)
    years: list[AcademicYear] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    unit_duties: list[UnitDuty] = field(default_factory=list)
    provider_duties: list[ProviderDuty] = field(default_factory=list)
    group_staff: list[GroupStaff] = field(default_factory=list)
    teams: list[PupilHealthTeam] = field(default_factory=list)
    team_members: list[models.Model] = field(default_factory=list)
    delegations: list[Delegation] = field(default_factory=list)
    pupils: list[Pupil] = field(default_factory=list)
    guardians: list[Guardian] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    memberships: list[GroupMembership] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)
    protected_assignments: list[ProtectedPupilAssignment] = field(default_factory=list)
    unit_a_id: uuid.UUID | None = None
    unit_b_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    demo_users: bool = False
    log_source: LogSource | None = None
    support: "SupportChain | None" = None

    @property
    def loaded_at(self) -> datetime:
        """The created_at of every row: the morning of the year's first day, never the future."""
        morning = datetime.combine(
            self.current_year_spec.starts_on, datetime.min.time(), tzinfo=SCHOOL_TZ
        ).replace(hour=6)
        return min(morning, timezone.now())

    def digest(self) -> str:
        """A fingerprint of the people and their relations, to compare runs and processes."""
        parts: list[object] = [(y.name, y.starts_on, y.ends_on) for y in self.years]
        for pupil in self.pupils:
            parts.append(
                (
                    pupil.id,
                    pupil.identity_number,
                    pupil.first_name,
                    pupil.last_name,
                    pupil.birth_date,
                    pupil.gender,
                    pupil.protected_identity,
                    pupil.street_address,
                )
            )
        for guardian in self.guardians:
            parts.append(
                (guardian.id, guardian.identity_number, guardian.first_name, guardian.phone)
            )
        parts += [(user.id, user.username, user.first_name, user.last_name) for user in self.users]
        parts += [(unit.id, unit.name, unit.unit_code) for unit in self.units]
        parts += [(group.id, group.name, group.subject) for group in self.groups]
        parts += [(row.user_id, row.group_id, row.role) for row in self.group_staff]
        parts += [(row.pupil_id, row.group_id) for row in self.memberships]
        parts += [(row.guardian_id, row.pupil_id, row.has_custody) for row in self.guardianships]
        parts += [
            (row.pupil_id, row.school_unit_id, row.starts_on, row.ends_on)
            for row in self.placements
        ]
        if self.support is not None:
            parts.append(self.support.digest())
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def batches(self) -> list[tuple[type[models.Model], Sequence[models.Model]]]:
        """Every list in an order that satisfies the foreign keys."""
        return [
            (EducationProvider, self.providers),
            (SchoolUnit, self.units),
            (AcademicYear, self.years),
            (User, self.users),
            (Group, self.groups),
            (UnitDuty, self.unit_duties),
            (ProviderDuty, self.provider_duties),
            (GroupStaff, self.group_staff),
            (PupilHealthTeam, self.teams),
            (PupilHealthTeam.members.through, self.team_members),
            (Delegation, self.delegations),
            (Pupil, self.pupils),
            (Guardian, self.guardians),
            (Placement, self.placements),
            (GroupMembership, self.memberships),
            (Guardianship, self.guardianships),
            (ProtectedPupilAssignment, self.protected_assignments),
        ]


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
        # (pupil, class, protected, first day of the current placement), for the access log.
        self.pupil_refs: list[tuple[uuid.UUID, ClassPlan, bool, date]] = []
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
            _make(
                UnitDuty,
                id=self.uid(),
                user_id=user.id,
                school_unit_id=unit.id,
                duty=kind.value,
                starts_on=self.day_between(date(2008, 8, 1), self.current_spec.starts_on),
            )
        )

    def group_staff(self, group: Group, user: User, role: GroupStaffRole) -> GroupStaff:
        row = _make(GroupStaff, id=self.uid(), group_id=group.id, user_id=user.id, role=role.value)
        self.plan.group_staff.append(row)
        return row

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
        group = _make(
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
        tier, rng, plan = self.tier, self.rng, self.plan
        municipality = EducationProvider(
            id=self.uid(),
            name=MUNICIPALITY_NAME,
            organisation_number=self.organisation_number("212000"),
            kind=ProviderKind.MUNICIPAL,
        )
        plan.providers.append(municipality)
        plan.provider_id = municipality.id
        independent = None
        if tier.independent_units:
            independent = EducationProvider(
                id=self.uid(),
                name=INDEPENDENT_NAME,
                organisation_number=self.organisation_number("556"),
                kind=ProviderKind.INDEPENDENT,
            )
            plan.providers.append(independent)

        # Kinds: A and B are F–9 (B has every grade A has, so pupils can move from B to A).
        kinds = ["F-9", "F-9"]
        for index in range(2, tier.units):
            if index >= tier.units - tier.upper_secondary_units:
                kinds.append("gy")
            else:
                kinds.append(rng.choices(["F-9", "F-6", "7-9"], [45, 35, 20])[0])
        first_independent = tier.units - tier.upper_secondary_units - tier.independent_units
        names = self.unit_names(kinds)
        if independent is not None:
            # Friskolor carry their organiser's name rather than a neighbourhood's.
            for number in range(tier.independent_units):
                names[first_independent + number] = (
                    f"Ekbackens friskola {INDEPENDENT_SITES[number]}"
                )
        codes = rng.sample(range(10_000_000, 100_000_000), tier.units)
        for index, kind in enumerate(kinds):
            is_independent = independent is not None and first_independent <= index < (
                first_independent + tier.independent_units
            )
            adapted = index == 0 or (kind != "gy" and index > 1 and rng.random() < 0.2)
            if kind == "gy":
                forms = [SchoolForm.UPPER_SECONDARY.value]
            else:
                forms = [SchoolForm.COMPULSORY.value]
                if adapted:
                    forms.append(SchoolForm.ADAPTED_COMPULSORY.value)
            unit = SchoolUnit(
                id=self.uid(),
                provider_id=(independent if is_independent else municipality).id,  # type: ignore[union-attr]
                name=names[index],
                unit_code=str(codes[index]),
                school_forms=forms,
                municipality_code=MUNICIPALITY_CODE,
            )
            plan.units.append(unit)
            self.unit_plans.append(
                UnitPlan(unit=unit, kind=kind, adapted=adapted, municipal=not is_independent)
            )
        plan.unit_a_id = plan.units[0].id
        plan.unit_b_id = plan.units[1].id

        # Pupils per unit: about 25 per grade and class, larger at 7–9 and gymnasieskola units.
        weights = []
        for unit_plan in self.unit_plans:
            per_grade = {"F-9": 1.0, "F-6": 1.0, "7-9": 1.6, "gy": 3.5}[unit_plan.kind]
            grades = 3 if unit_plan.kind == "gy" else len(GRUNDSKOLA_KINDS[unit_plan.kind])
            noise = 1.0 if tier.units <= 2 else rng.uniform(0.6, 1.4)
            weights.append(grades * per_grade * noise)
        for unit_plan, count in zip(self.unit_plans, split(tier.pupils, weights), strict=True):
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
        plan = self.plan
        through = PupilHealthTeam.members.through
        team_duties = (
            UnitDutyKind.PRINCIPAL,
            UnitDutyKind.DEPUTY_PRINCIPAL,
            UnitDutyKind.SPECIAL_EDUCATOR,
            UnitDutyKind.SCHOOL_COUNSELLOR,
            UnitDutyKind.SCHOOL_PSYCHOLOGIST,
            UnitDutyKind.SCHOOL_NURSE,
        )
        for index, unit_plan in enumerate(self.unit_plans):
            team = PupilHealthTeam(id=self.uid(), school_unit_id=unit_plan.unit.id)
            plan.teams.append(team)
            for kind in team_duties:
                for user in unit_plan.duties.get(kind.value, []):
                    plan.team_members.append(through(pupilhealthteam_id=team.id, user_id=user.id))
            principal = unit_plan.duties[UnitDutyKind.PRINCIPAL.value][0]
            deputies = unit_plan.duties.get(UnitDutyKind.DEPUTY_PRINCIPAL.value, [])
            delegates: list[tuple[User, DecisionType]] = []
            if deputies:
                delegates.append((deputies[0], DecisionType.LEAVE_UP_TO_TEN_DAYS))
            if index == 0:
                educator = unit_plan.duties[UnitDutyKind.SPECIAL_EDUCATOR.value][0]
                delegates.append((educator, DecisionType.NO_ACTION_PROGRAMME))
            for delegate, decision_type in delegates:
                plan.delegations.append(
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
        guardian = _make(
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
        if gender is None:
            roll = rng.random()
            gender = (
                Gender.FEMALE
                if roll < 0.49
                else Gender.MALE
                if roll < 0.98
                else Gender.OTHER
                if roll < 0.99
                else Gender.UNKNOWN
            )
        school_age = 15 if class_plan.form == SchoolForm.UPPER_SECONDARY.value else 6
        born_year = self.current_spec.starts_on.year - school_age - grade - int(rng.random() < 0.02)
        born = self.day_between(date(born_year, 1, 1), date(born_year, 12, 31))
        if protected is None:
            roll = rng.random()
            protected = (
                ProtectedIdentity.CONFIDENTIALITY_MARKING
                if roll < 0.010
                else ProtectedIdentity.PROTECTED_REGISTRATION
                if roll < 0.015
                else ProtectedIdentity.NONE
            )
        is_protected = protected != ProtectedIdentity.NONE
        roll = rng.random()
        if names is not None:
            roll = 1.0  # the named demo pupils have ordinary personnummer
        if roll < 0.006:
            kind, number = (
                IdentityKind.COORDINATION_NUMBER,
                self.identity_number(born, gender, True),
            )
        elif roll < 0.009:
            kind, number = IdentityKind.RESERVE, ""
        else:
            kind, number = IdentityKind.PERSONAL_IDENTITY_NUMBER, self.identity_number(born, gender)

        if household is None:
            pool = unit_plan.households
            if not is_protected and household_mode is None and pool and rng.random() < 0.12:
                index = rng.randrange(len(pool))
                # A sibling at the same unit, born another year (no twins, for simplicity).
                if born_year not in pool[index].birth_years:
                    household = pool[index]
                    if household.children >= 2:
                        pool[index] = pool[-1]  # three children is enough for one household
                        pool.pop()
            if household is None:
                if household_mode is None:
                    roll = rng.random()
                    household_mode = "two" if roll < 0.78 else "split" if roll < 0.88 else "single"
                household = self.new_household(
                    born_year, household_mode, protected == ProtectedIdentity.PROTECTED_REGISTRATION
                )
                if not is_protected:
                    pool.append(household)
        household.children += 1
        household.birth_years.add(born_year)

        female = gender == Gender.FEMALE or (gender != Gender.MALE and rng.random() < 0.5)
        first, last = names or (self.names.first_name(female, child=True), household.last_name)
        address = household.address
        older = grade >= 4 or class_plan.form == SchoolForm.UPPER_SECONDARY.value
        pupil = _make(
            Pupil,
            id=self.uid(),
            first_name=first,
            last_name=last,
            identity_number=number,
            identity_kind=kind.value,
            street_address=address.street_address,
            postal_code=address.postal_code,
            city=address.city,
            phone=self.names.mobile() if older and rng.random() < 0.6 else "",
            email=f"{mail_part(first)}.{mail_part(last)}{rng.randint(1, 99)}@{PUPIL_MAIL_DOMAIN}"
            if older
            else "",
            birth_date=born,
            gender=gender,
            protected_identity=protected,
        )
        plan = self.plan
        plan.pupils.append(pupil)
        for guardian, custody in household.guardians:
            plan.guardianships.append(
                _make(
                    Guardianship,
                    id=self.uid(),
                    guardian_id=guardian.id,
                    pupil_id=pupil.id,
                    has_custody=custody,
                )
            )
        if is_protected:
            for kind_key in (UnitDutyKind.PRINCIPAL, UnitDutyKind.SPECIAL_EDUCATOR):
                staff = unit_plan.duties[kind_key.value][0]
                plan.protected_assignments.append(
                    _make(
                        ProtectedPupilAssignment,
                        id=self.uid(),
                        pupil_id=pupil.id,
                        user_id=staff.id,
                        reason=PROTECTED_REASON,
                    )
                )

        starts_on = self.current_spec.starts_on
        if mover is None and class_plan.band != "anp" and rng.random() < 0.03:
            mover = "summer" if rng.random() < 0.7 else "midyear"
        if mover in ("summer", "midyear"):
            starts_on = self.add_move(unit_plan, class_plan, pupil, grade, mover, starts_on, origin)
        plan.placements.append(
            _make(
                Placement,
                id=self.uid(),
                pupil_id=pupil.id,
                school_unit_id=unit_plan.unit.id,
                school_form=class_plan.form,
                grade=grade,
                starts_on=starts_on,
            )
        )
        self.pupil_refs.append((pupil.id, class_plan, is_protected, starts_on))
        plan.memberships.append(
            _make(GroupMembership, id=self.uid(), pupil_id=pupil.id, group_id=class_plan.group.id)
        )
        for _abbr, group in class_plan.subject_groups:
            plan.memberships.append(
                _make(GroupMembership, id=self.uid(), pupil_id=pupil.id, group_id=group.id)
            )
        return pupil

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
        rng, plan = self.rng, self.plan
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
        source, cohort = rng.choice(candidates)
        if mover == "summer":
            plan.placements.append(
                _make(
                    Placement,
                    id=self.uid(),
                    pupil_id=pupil.id,
                    school_unit_id=source.unit.id,
                    school_form=class_plan.form,
                    grade=grade - 1,
                    starts_on=self.previous_spec.starts_on,
                    ends_on=self.previous_spec.ends_on,
                )
            )
            previous = self.previous_group(source, cohort, grade - 1)
            plan.memberships.append(
                _make(GroupMembership, id=self.uid(), pupil_id=pupil.id, group_id=previous.id)
            )
            return starts_on
        ended = self.current_spec.starts_on + timedelta(days=rng.randint(min(18, latest), latest))
        plan.placements.append(
            _make(
                Placement,
                id=self.uid(),
                pupil_id=pupil.id,
                school_unit_id=source.unit.id,
                school_form=class_plan.form,
                grade=grade,
                starts_on=self.current_spec.starts_on,
                ends_on=ended,
            )
        )
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
        from elevstod.demo.support_chain import build_support_chain

        self.plan.support = build_support_chain(self)
        self.plan.log_source = self.build_log_source()
        return self.plan

    def build_log_source(self) -> LogSource:
        """Who may read whom, as elevstod.access.policy sees it, for drawing the access log."""
        plan = self.plan
        source = LogSource(
            seed=plan.seed,
            today=self.today,
            year=self.current_spec,
            rows_per_year=self.tier.access_log_per_year,
        )
        duties: dict[uuid.UUID, dict[uuid.UUID, set[str]]] = {}
        for row in plan.unit_duties:
            duties.setdefault(row.school_unit_id, {}).setdefault(row.user_id, set()).add(row.duty)
        team_unit = {team.id: team.school_unit_id for team in plan.teams}
        team_members: dict[uuid.UUID, set[uuid.UUID]] = {}
        for member in plan.team_members:
            unit_id = team_unit[member.pupilhealthteam_id]  # type: ignore[attr-defined]
            team_members.setdefault(unit_id, set()).add(member.user_id)  # type: ignore[attr-defined]
        unit_index: dict[uuid.UUID, int] = {}
        for index, unit_plan in enumerate(self.unit_plans):
            unit_id = unit_plan.unit.id
            unit_index[unit_id] = index
            at_unit = duties.get(unit_id, {})
            relations: dict[uuid.UUID, set[Relation]] = {}
            for user_id, kinds in at_unit.items():
                if kinds & LEADERSHIP_DUTIES:
                    relations.setdefault(user_id, set()).add(Relation.PRINCIPAL)
                if kinds & UNIT_WIDE_SUPPORT_DUTIES:
                    relations.setdefault(user_id, set()).add(Relation.SPECIAL_EDUCATION)
            # Team membership counts while the member holds a duty at the unit.
            for user_id in team_members.get(unit_id, set()) & set(at_unit):
                relations.setdefault(user_id, set()).add(Relation.PUPIL_HEALTH_TEAM)
            source.units.append(
                UnitActors(
                    unit_id=unit_id,
                    principal_id=unit_plan.duties[UnitDutyKind.PRINCIPAL.value][0].id,
                    relations=relations,
                    staff=frozenset(at_unit),
                    assigned=[
                        unit_plan.duties[kind.value][0].id
                        for kind in (UnitDutyKind.PRINCIPAL, UnitDutyKind.SPECIAL_EDUCATOR)
                    ],
                )
            )
        group_roles: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
        for staff_row in plan.group_staff:
            group_roles.setdefault(staff_row.group_id, []).append(
                (staff_row.user_id, staff_row.role)
            )
        by_role = {
            GroupStaffRole.MENTOR.value: Relation.MENTOR,
            GroupStaffRole.TEACHER.value: Relation.TEACHER,
        }
        class_index: dict[int, int] = {}
        for unit_plan in self.unit_plans:
            for class_plan in unit_plan.classes:
                relations = {}
                for group in [class_plan.group, *(g for _abbr, g in class_plan.subject_groups)]:
                    for user_id, role in group_roles.get(group.id, []):
                        relations.setdefault(user_id, set()).add(by_role[role])
                class_index[id(class_plan)] = len(source.classes)
                source.classes.append(
                    ClassActors(unit_index=unit_index[unit_plan.unit.id], relations=relations)
                )
        source.pupils = [
            (pupil_id, class_index[id(class_plan)], protected, starts_on)
            for pupil_id, class_plan, protected, starts_on in self.pupil_refs
        ]
        return source


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
    log: "Writer | None" = None,
    access_log: bool = True,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Insert the plan and (unless `access_log` is false) the access log and its reviews in one
    transaction; returns the rows written per model. `timings` receives the log's seconds."""
    counts: dict[str, int] = {}
    loaded_at = plan.loaded_at
    with transaction.atomic():
        _reuse_existing_years(plan)
        for model, rows in plan.batches():
            started = time.perf_counter()
            _stamp(model, rows, loaded_at)
            with _explicit_timestamps(model):
                if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
                    _copy_rows(model, rows)
                else:
                    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
            counts[model._meta.object_name or model.__name__] = len(rows)
            if log is not None and len(rows) >= BATCH_SIZE:
                seconds = time.perf_counter() - started
                _say(log, f"  {model._meta.object_name}: {len(rows)} rader ({seconds:.1f} s)")
        if plan.support is not None:
            from elevstod.demo.support_chain import write_support_chain

            counts.update(write_support_chain(plan.support, log))
        if access_log and plan.log_source is not None:
            started = time.perf_counter()
            events, reviews = write_access_log(plan.log_source)
            with _explicit_timestamps(LogReview):
                LogReview.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
            counts[AccessEvent._meta.object_name or "AccessEvent"] = events
            counts[LogReview._meta.object_name or "LogReview"] = len(reviews)
            seconds = time.perf_counter() - started
            if timings is not None:
                timings["access_log"] = seconds
            _say(log, f"  AccessEvent: {events} rader, LogReview: {len(reviews)} ({seconds:.1f} s)")
    return counts


def _timestamp_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]


def _stamp(model: type[models.Model], rows: Sequence[models.Model], moment: datetime) -> None:
    """created_at and updated_at (and a user's date_joined) at `moment`, never after today."""
    names = [field.attname for field in _timestamp_fields(model)]
    if model is User:
        names.append("date_joined")
    for row in rows:
        for name in names:
            row.__dict__[name] = moment


@contextmanager
def _explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Keep the values set on the rows: auto_now and auto_now_add would put in the real now.

    The fields belong to this one model (abstract parents' fields are copied per model), and the
    generator runs alone in its process, so switching them off for the insert is safe.
    """
    fields = _timestamp_fields(model)
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]  # type: ignore[attr-defined]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


# PostgreSQL's COPY loads the big tables several times faster than multi-row INSERTs.
COPY_THRESHOLD = 5000
_COPYABLE = (
    models.UUIDField,
    models.CharField,
    models.TextField,
    models.DateField,  # DateTimeField is a subclass
    models.BooleanField,
    models.IntegerField,  # and its small, big, positive and auto variants
    models.ForeignKey,
)


def _copy_rows(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """COPY the rows. Values go through psycopg's own adapters, so only plain types qualify."""
    fields = model._meta.concrete_fields
    # An auto-incremented key (the team members' link table) is the database's to fill.
    if isinstance(model._meta.pk, models.AutoField) or any(
        not isinstance(field, _COPYABLE) for field in fields
    ):
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        return
    quote = connection.ops.quote_name
    # The timestamps are already on the rows (write_plan stamps them), so every value is the row's.
    names = [field.attname for field in fields]
    columns = ", ".join(quote(field.column) for field in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = row.__dict__
            copy.write_row([values[name] for name in names])


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
    stdout: "Writer | None" = None,
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

    today = today or timezone.localdate()
    started = time.perf_counter()
    _say(stdout, f"Planerar nivå {tier} med frö {seed} per {today.isoformat()} …")
    plan = build_plan(tier, seed, demo_users, today)
    planned = time.perf_counter()
    _say(
        stdout,
        f"Planen klar på {planned - started:.1f} s: {len(plan.pupils)} elever, "
        f"{len(plan.users)} användare, {len(plan.units)} skolenheter. Skriver …",
    )
    timings: dict[str, float] = {}
    counts = write_plan(plan, stdout, access_log=access_log, timings=timings)
    for model, rows in _quality_work(today, seed, stdout, access_log=access_log).items():
        counts[model] = counts.get(model, 0) + rows
    seconds = time.perf_counter() - started
    _say(
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


def _quality_work(
    today: date, seed: int, stdout: "Writer | None", *, access_log: bool
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
    _say(
        stdout,
        f"  Kvalitetssiffror: {counts['QualitySnapshot']} ({time.perf_counter() - started:.1f} s)",
    )
    return counts


def _say(stdout: "Writer | None", message: str) -> None:
    if stdout is None:
        return
    stdout.write(message + "\n")
    flush = getattr(stdout, "flush", None)
    if callable(flush):
        flush()


def identity_numbers(rows: Iterable[Pupil | Guardian]) -> list[str]:
    """The identity numbers in `rows`, for tests comparing runs."""
    return [row.identity_number for row in rows]
