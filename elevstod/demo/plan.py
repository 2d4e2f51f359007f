"""The shape of the generated municipality: what the generator builds and the support chain reads.

`Plan` holds every row of the organisation and the people as unsaved instances, `SupportChain`
every row of the support chain; both list them in an order that satisfies the foreign keys
(`batches`) and fingerprint them (`digest`) so that runs and processes can be compared. The
generator (elevstod.demo.generator) fills a `Plan`; the support chain
(elevstod.demo.support_chain) is built from the `Population` the generator hands it and knows
nothing of how the people were made.
"""

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.db import models
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.demo.access_log import SCHOOL_TZ, LogSource
from elevstod.demo.names import Address
from elevstod.demo.school_year import YearSpec
from elevstod.organisation import models as organisation_models
from elevstod.people import models as people_models
from elevstod.support import models as support_models

Batches = list[tuple[type[models.Model], Sequence[models.Model]]]

DEMO_CLASS = "8A"  # the elev's class at unit A, mentored by the demo mentor

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


@dataclass
class ClassPlan:
    group: organisation_models.Group
    form: str
    band: str
    grades: tuple[int, ...]  # the grades its pupils are in (several for an adapted class)
    size: int
    subject_groups: list[tuple[str, organisation_models.Group]] = field(default_factory=list)
    mentor: User | None = None


@dataclass
class UnitPlan:
    unit: organisation_models.SchoolUnit
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
    guardians: list[tuple[people_models.Guardian, bool]]  # (guardian, has custody)
    children: int = 0
    birth_years: set[int] = field(default_factory=set)


@dataclass
class SupportChain:
    """Every row of the support chain, in insert order (see `batches`)."""

    deadlines: list[support_models.ProviderDeadlines] = field(default_factory=list)
    concerns: list[support_models.Concern] = field(default_factory=list)
    adaptations: list[support_models.Adaptation] = field(default_factory=list)
    evaluations: list[support_models.AdaptationEvaluation] = field(default_factory=list)
    referrals: list[support_models.Referral] = field(default_factory=list)
    referral_adaptations: list[models.Model] = field(default_factory=list)
    investigations: list[support_models.Investigation] = field(default_factory=list)
    investigators: list[models.Model] = field(default_factory=list)
    investigation_needs: list[support_models.InvestigationNeed] = field(default_factory=list)
    programmes: list[support_models.ActionProgramme] = field(default_factory=list)
    programme_needs: list[support_models.ProgrammeNeed] = field(default_factory=list)
    measures: list[support_models.ProgrammeMeasure] = field(default_factory=list)
    communications: list[support_models.Communication] = field(default_factory=list)
    decisions: list[support_models.Decision] = field(default_factory=list)
    services: list[support_models.DecisionService] = field(default_factory=list)
    appeals: list[support_models.Appeal] = field(default_factory=list)
    follow_ups: list[support_models.FollowUp] = field(default_factory=list)
    reviews: list[support_models.MeasureReview] = field(default_factory=list)
    views: list[support_models.ParticipantView] = field(default_factory=list)
    events: list[support_models.ChainEvent] = field(default_factory=list)

    def batches(self) -> Batches:
        return [
            (support_models.ProviderDeadlines, self.deadlines),
            (support_models.Concern, self.concerns),
            (support_models.Adaptation, self.adaptations),
            (support_models.AdaptationEvaluation, self.evaluations),
            (support_models.Referral, self.referrals),
            (support_models.Referral.adaptations.through, self.referral_adaptations),
            (support_models.Investigation, self.investigations),
            (support_models.Investigation.investigators.through, self.investigators),
            (support_models.InvestigationNeed, self.investigation_needs),
            (support_models.ActionProgramme, self.programmes),
            (support_models.ProgrammeNeed, self.programme_needs),
            (support_models.ProgrammeMeasure, self.measures),
            (support_models.Communication, self.communications),
            (support_models.Decision, self.decisions),
            (support_models.DecisionService, self.services),
            (support_models.Appeal, self.appeals),
            (support_models.FollowUp, self.follow_ups),
            (support_models.MeasureReview, self.reviews),
            (support_models.ParticipantView, self.views),
            (support_models.ChainEvent, self.events),
        ]

    def digest(self) -> str:
        """A fingerprint of every row, leaving out the moments (they are capped at the real now)."""
        parts: list[object] = []
        for model, rows in self.batches():
            names = [
                f.attname
                for f in model._meta.concrete_fields
                if not isinstance(f, models.DateTimeField) and not f.auto_created
            ]
            parts.append(model._meta.label)
            parts.extend(tuple(row.__dict__[name] for name in names) for row in rows)
        return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass
class Plan:
    tier: str
    seed: int
    today: date
    current_year_spec: YearSpec
    providers: list[organisation_models.EducationProvider] = field(default_factory=list)
    units: list[organisation_models.SchoolUnit] = field(default_factory=list)
    years: list[organisation_models.AcademicYear] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    groups: list[organisation_models.Group] = field(default_factory=list)
    unit_duties: list[organisation_models.UnitDuty] = field(default_factory=list)
    provider_duties: list[organisation_models.ProviderDuty] = field(default_factory=list)
    group_staff: list[organisation_models.GroupStaff] = field(default_factory=list)
    teams: list[organisation_models.PupilHealthTeam] = field(default_factory=list)
    team_members: list[models.Model] = field(default_factory=list)
    delegations: list[organisation_models.Delegation] = field(default_factory=list)
    pupils: list[people_models.Pupil] = field(default_factory=list)
    guardians: list[people_models.Guardian] = field(default_factory=list)
    placements: list[people_models.Placement] = field(default_factory=list)
    memberships: list[people_models.GroupMembership] = field(default_factory=list)
    guardianships: list[people_models.Guardianship] = field(default_factory=list)
    protected_assignments: list[people_models.ProtectedPupilAssignment] = field(
        default_factory=list
    )
    unit_a_id: uuid.UUID | None = None
    unit_b_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    demo_users: bool = False
    log_source: LogSource | None = None
    support: SupportChain | None = None

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

    def batches(self) -> Batches:
        """Every list in an order that satisfies the foreign keys."""
        return [
            (organisation_models.EducationProvider, self.providers),
            (organisation_models.SchoolUnit, self.units),
            (organisation_models.AcademicYear, self.years),
            (User, self.users),
            (organisation_models.Group, self.groups),
            (organisation_models.UnitDuty, self.unit_duties),
            (organisation_models.ProviderDuty, self.provider_duties),
            (organisation_models.GroupStaff, self.group_staff),
            (organisation_models.PupilHealthTeam, self.teams),
            (organisation_models.PupilHealthTeam.members.through, self.team_members),
            (organisation_models.Delegation, self.delegations),
            (people_models.Pupil, self.pupils),
            (people_models.Guardian, self.guardians),
            (people_models.Placement, self.placements),
            (people_models.GroupMembership, self.memberships),
            (people_models.Guardianship, self.guardianships),
            (people_models.ProtectedPupilAssignment, self.protected_assignments),
        ]


class PupilRef(NamedTuple):
    """A pupil as the support chain and the access log find them."""

    pupil_id: uuid.UUID
    class_plan: ClassPlan
    protected: bool
    starts_on: date  # the first day of the current placement


@dataclass(frozen=True)
class Population:
    """What the support chain is built on, once the people, the staff and the demo users exist."""

    plan: Plan
    unit_plans: Sequence[UnitPlan]
    pupil_refs: Sequence[PupilRef]
    demo_guardian: people_models.Guardian | None  # the demo household's guardian (unit A)
    elev_pupil: people_models.Pupil | None  # Ella, the demo pupil

    @property
    def today(self) -> date:
        return self.plan.today

    @property
    def year_starts_on(self) -> date:
        """The first day of the current academic year."""
        return self.plan.current_year_spec.starts_on
