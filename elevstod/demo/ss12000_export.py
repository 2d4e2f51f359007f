"""The demo generator's municipality in SS 12000 shape, for the mock provider (issue 11).

`plan_to_dataset` turns a `Plan` (elevstod.demo.generator.build_plan: unsaved rows, no database)
into the `Dataset` the mock provider (elevstod.ss12000.mock) serves, in the standard's JSON
(API 2.1.0, camelCase). Every entity's id is the plan row's own UUID, so a test can correlate what
the sync wrote with what the generator made; the few entities with no row of their own (a mentor's
"Lärare" duty, an activity) get a uuid5 of the row they come from. The provider's clock is fixed:
every `meta.created`/`meta.modified` is one moment (default: the plan's `loaded_at`).

What goes where:
- EducationProvider → Organisation "Huvudman"; SchoolUnit → Organisation "Skolenhet".
- Staff (users with a unit duty, a group role or a provider duty) → Person, with an
  eduPersonPrincipalName `username@EPPN_DOMAIN` and a fictitious personnummer drawn from the
  user's id (the plan has none for staff). Pupils and guardians → Person with their own numbers.
- UnitDuty → Duty; the "mentor" duty has no SS 12000 role: mentorship is an `assignmentRole`
  "Mentor" on the user's "Lärare" duty at the group's unit (made if missing).
- Group → Group (memberships inside); a group's teachers → one Activity "Undervisning".
- Elevstöd's own rows are left out: provider duties, elevhälsoteam, delegations, protected-pupil
  assignments and the support chain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from elevstod.accounts.models import User
from elevstod.demo.generator import build_plan
from elevstod.demo.names import STAFF_MAIL_DOMAIN
from elevstod.demo.plan import Plan
from elevstod.organisation.duties import UnitDutyKind
from elevstod.organisation.models import (
    AcademicYear,
    EducationProvider,
    Group,
    GroupKind,
    GroupStaffRole,
    ProviderKind,
    SchoolUnit,
    UnitDuty,
)
from elevstod.organisation.school_forms import SchoolForm
from elevstod.people.models import Gender, Guardian, ProtectedIdentity, Pupil
from elevstod.ss12000.mock.dataset import Dataset, timestamp
from elevstod.ss12000.mock.fixture import civic_no

__all__ = [
    "DUTY_ROLES",
    "EPPN_DOMAIN",
    "GROUP_TYPES",
    "SCHOOL_TYPES",
    "activity_id",
    "dataset_for_tier",
    "eppn",
    "plan_to_dataset",
    "staff_duty_id",
]

# The scope of every eduPersonPrincipalName: the staff mail domain, a reserved name (RFC 6761)
# that no real identity provider can assert.
EPPN_DOMAIN = STAFF_MAIL_DOMAIN

# Code_SchoolType. SS 12000 2.1.0 still says "Grundsärskola"/"Gymnasiesärskola" for GRS/GYS.
SCHOOL_TYPES: dict[str, str] = {
    SchoolForm.PRESCHOOL_CLASS: "FKLASS",
    SchoolForm.COMPULSORY: "GR",
    SchoolForm.ADAPTED_COMPULSORY: "GRS",
    SchoolForm.SPECIAL: "SP",
    SchoolForm.SAMI: "SAM",
    SchoolForm.UPPER_SECONDARY: "GY",
    SchoolForm.ADAPTED_UPPER_SECONDARY: "GYS",
}

# Code_DutyRole. "mentor" is missing on purpose: it becomes an assignmentRole (see module doc).
DUTY_ROLES: dict[str, str] = {
    UnitDutyKind.PRINCIPAL: "Rektor",
    UnitDutyKind.DEPUTY_PRINCIPAL: "Övrig arbetsledning",
    UnitDutyKind.TEACHER: "Lärare",
    UnitDutyKind.SPECIAL_EDUCATOR: "Speciallärare/specialpedagog",
    UnitDutyKind.SPECIAL_TEACHER: "Speciallärare/specialpedagog",
    UnitDutyKind.SCHOOL_COUNSELLOR: "Kurator",
    UnitDutyKind.SCHOOL_PSYCHOLOGIST: "Skolpsykolog",
    UnitDutyKind.SCHOOL_NURSE: "Skolsköterska",
    UnitDutyKind.SCHOOL_DOCTOR: "Skolläkare",
    UnitDutyKind.CAREER_COUNSELLOR: "Studie- och yrkesvägledare",
}
TEACHER_ROLE = "Lärare"
MENTOR_ASSIGNMENT = "Mentor"

# Code_GroupType.
GROUP_TYPES: dict[str, str] = {
    GroupKind.CLASS: "Klass",
    GroupKind.MENTOR_GROUP: "Mentor",
    GroupKind.TEACHING_GROUP: "Undervisning",
}

# Code_Sex ("Biologiskt kön"): other and unknown are both "Okänt".
SEXES: dict[str, str] = {Gender.FEMALE: "Kvinna", Gender.MALE: "Man"}

# Code_SecurityMarking. A pupil whose marking is missing (ProtectedIdentity.MARKING_MISSING, what
# the sync records when a provider sends none) is exported without one, as it came.
SECURITY_MARKINGS: dict[str, str] = {
    ProtectedIdentity.NONE: "Ingen",
    ProtectedIdentity.CONFIDENTIALITY_MARKING: "Sekretessmarkering",
    ProtectedIdentity.PROTECTED_REGISTRATION: "Skyddad folkbokföring",
}

# Staff numbers: born 1960-01-01 … 1995-12-31.
_STAFF_BORN_FROM = dt.date(1960, 1, 1)
_STAFF_BORN_DAYS = (dt.date(1995, 12, 31) - _STAFF_BORN_FROM).days + 1


def eppn(username: str) -> str:
    return f"{username}@{EPPN_DOMAIN}"


def staff_duty_id(user_id: uuid.UUID, unit_id: uuid.UUID) -> uuid.UUID:
    """The id of a "Lärare" duty made for a mentor who has no teacher duty at the unit."""
    return uuid.uuid5(user_id, f"teacher-duty:{unit_id}")


def activity_id(group_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(group_id, "activity")


def _ref(entity_id: uuid.UUID) -> dict[str, str]:
    return {"id": str(entity_id)}


def _birth_date(number: str) -> dt.date | None:
    """The birth date in a 12-digit personnummer or samordningsnummer (day + 60)."""
    if len(number) != 12 or not number.isdigit():
        return None
    day = int(number[6:8])
    try:
        return dt.date(int(number[:4]), int(number[4:6]), day - 60 if day > 60 else day)
    except ValueError:
        return None


def _staff_civic_no(user_id: uuid.UUID, taken: set[str]) -> tuple[str, dt.date]:
    """A fictitious, Luhn-valid personnummer drawn from the user's id, unused by anyone else."""
    born = _STAFF_BORN_FROM + dt.timedelta(days=user_id.int % _STAFF_BORN_DAYS)
    serial = (user_id.int >> 64) % 999 + 1
    number = civic_no(born, serial)
    while number in taken:
        serial = serial % 999 + 1
        number = civic_no(born, serial)
    taken.add(number)
    return number, born


@dataclass
class _Export:
    plan: Plan
    meta_at: str
    years: dict[uuid.UUID, AcademicYear] = field(init=False)
    units: dict[uuid.UUID, SchoolUnit] = field(init=False)
    groups: dict[uuid.UUID, Group] = field(init=False)
    users: dict[uuid.UUID, User] = field(init=False)
    # The "Lärare" duty of (user, unit), for mentorships and activities.
    teacher_duties: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = field(init=False)
    # A made "Lärare" duty starts with the user's mentor duty at the unit, if there is one.
    mentor_starts: dict[tuple[uuid.UUID, uuid.UUID], dt.date] = field(init=False)
    duties: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        plan = self.plan
        self.years = {year.id: year for year in plan.years}
        self.units = {unit.id: unit for unit in plan.units}
        self.groups = {group.id: group for group in plan.groups}
        self.users = {user.id: user for user in plan.users}
        self.teacher_duties = {}
        self.mentor_starts = {}

    def meta(self) -> dict[str, str]:
        return {"created": self.meta_at, "modified": self.meta_at}

    def year_of(self, group: Group) -> AcademicYear:
        return self.years[group.academic_year_id]

    # --- organisations --------------------------------------------------------------------------

    def organisations(self) -> list[dict[str, Any]]:
        codes: dict[uuid.UUID, set[str]] = defaultdict(set)
        for unit in self.plan.units:
            if unit.municipality_code:
                codes[unit.provider_id].add(unit.municipality_code)
        rows = [self.provider(provider, codes[provider.id]) for provider in self.plan.providers]
        return rows + [self.unit(unit) for unit in self.plan.units]

    def provider(self, provider: EducationProvider, codes: set[str]) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": str(provider.id),
            "meta": self.meta(),
            "displayName": provider.name,
            "organisationType": "Huvudman",
            "organisationNumber": provider.organisation_number,
        }
        # A municipality's code is known from its units; an independent huvudman has none.
        if provider.kind == ProviderKind.MUNICIPAL and len(codes) == 1:
            row["municipalityCode"] = next(iter(codes))
        return row

    def unit(self, unit: SchoolUnit) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": str(unit.id),
            "meta": self.meta(),
            "displayName": unit.name,
            "organisationType": "Skolenhet",
            "schoolUnitCode": unit.unit_code,
            "schoolTypes": list(dict.fromkeys(SCHOOL_TYPES[form] for form in unit.school_forms)),
            "parentOrganisation": _ref(unit.provider_id),
        }
        if unit.municipality_code:
            row["municipalityCode"] = unit.municipality_code
        return row

    # --- duties ---------------------------------------------------------------------------------

    def build_duties(self) -> None:
        """Duties of the plan's unit duties, then mentorships on the teachers' duties."""
        for row in self.plan.unit_duties:
            if row.duty == UnitDutyKind.MENTOR:
                key = (row.user_id, row.school_unit_id)
                self.mentor_starts[key] = min(
                    row.starts_on, self.mentor_starts.get(key, row.starts_on)
                )
                continue
            duty = self.duty(row)
            self.duties.append(duty)
            if duty["dutyRole"] == TEACHER_ROLE:
                self.teacher_duties.setdefault((row.user_id, row.school_unit_id), duty)
        for staff in self.plan.group_staff:
            if staff.role != GroupStaffRole.MENTOR:
                continue
            group = self.groups[staff.group_id]
            starts_on = self.year_of(group).starts_on
            duty = self.teacher_duty(staff.user_id, group.school_unit_id, starts_on)
            duty.setdefault("assignmentRole", []).append(
                {
                    "assignmentRoleType": MENTOR_ASSIGNMENT,
                    "group": _ref(group.id),
                    "startDate": starts_on.isoformat(),
                }
            )

    def duty(self, row: UnitDuty) -> dict[str, Any]:
        duty: dict[str, Any] = {
            "id": str(row.id),
            "meta": self.meta(),
            "person": _ref(row.user_id),
            "dutyAt": _ref(row.school_unit_id),
            "dutyRole": DUTY_ROLES[row.duty],
            "startDate": row.starts_on.isoformat(),
        }
        if row.ends_on is not None:
            duty["endDate"] = row.ends_on.isoformat()
        return duty

    def teacher_duty(
        self, user_id: uuid.UUID, unit_id: uuid.UUID, starts_on: dt.date
    ) -> dict[str, Any]:
        """The user's "Lärare" duty at the unit, made (and listed) if they have none."""
        key = (user_id, unit_id)
        duty = self.teacher_duties.get(key)
        if duty is None:
            started = min(starts_on, self.mentor_starts.get(key, starts_on))
            duty = {
                "id": str(staff_duty_id(user_id, unit_id)),
                "meta": self.meta(),
                "person": _ref(user_id),
                "dutyAt": _ref(unit_id),
                "dutyRole": TEACHER_ROLE,
                "startDate": started.isoformat(),
            }
            self.teacher_duties[key] = duty
            self.duties.append(duty)
        return duty

    # --- groups and activities ------------------------------------------------------------------

    def build_groups(self) -> list[dict[str, Any]]:
        members: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        spans = self.placement_spans()
        for membership in self.plan.memberships:
            group = self.groups[membership.group_id]
            members[group.id].append(
                self.membership(membership.pupil_id, group, spans.get(membership.pupil_id, ()))
            )
        rows = []
        for group in self.plan.groups:
            year = self.year_of(group)
            rows.append(
                {
                    "id": str(group.id),
                    "meta": self.meta(),
                    "displayName": group.name,
                    "groupType": GROUP_TYPES[group.kind],
                    "schoolType": SCHOOL_TYPES[group.school_form],
                    "organisation": _ref(group.school_unit_id),
                    "startDate": year.starts_on.isoformat(),
                    "endDate": year.ends_on.isoformat(),
                    "groupMemberships": members.get(group.id, []),
                }
            )
        return rows

    def placement_spans(
        self,
    ) -> dict[uuid.UUID, list[tuple[uuid.UUID, dt.date, dt.date | None]]]:
        spans: dict[uuid.UUID, list[tuple[uuid.UUID, dt.date, dt.date | None]]] = defaultdict(list)
        for placement in self.plan.placements:
            spans[placement.pupil_id].append(
                (placement.school_unit_id, placement.starts_on, placement.ends_on)
            )
        return spans

    def membership(
        self,
        pupil_id: uuid.UUID,
        group: Group,
        spans: Iterable[tuple[uuid.UUID, dt.date, dt.date | None]],
    ) -> dict[str, Any]:
        """In the group from the later of the year's start and the placement's at its unit."""
        year = self.year_of(group)
        starts_on, ends_on = year.starts_on, None
        for unit_id, placed_from, placed_until in spans:
            if unit_id != group.school_unit_id or placed_from > year.ends_on:
                continue
            if placed_until is not None and placed_until < year.starts_on:
                continue
            starts_on = max(year.starts_on, placed_from)
            if placed_until is not None and placed_until < year.ends_on:
                ends_on = placed_until
            break
        row: dict[str, Any] = {"person": _ref(pupil_id), "startDate": starts_on.isoformat()}
        if ends_on is not None:
            row["endDate"] = ends_on.isoformat()
        return row

    def activities(self) -> list[dict[str, Any]]:
        """One "Undervisning" activity per group with teachers, teachers by their duty."""
        teachers: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for staff in self.plan.group_staff:
            if (
                staff.role == GroupStaffRole.TEACHER
                and staff.user_id not in teachers[staff.group_id]
            ):
                teachers[staff.group_id].append(staff.user_id)
        rows = []
        for group in self.plan.groups:
            if group.id not in teachers:
                continue
            year = self.year_of(group)
            starts_on = year.starts_on.isoformat()
            rows.append(
                {
                    "id": str(activity_id(group.id)),
                    "meta": self.meta(),
                    "displayName": group.name,
                    "activityType": "Undervisning",
                    "calendarEventsRequired": False,
                    "organisation": _ref(group.school_unit_id),
                    "groups": [_ref(group.id)],
                    "teachers": [
                        {
                            "duty": {
                                "id": self.teacher_duty(
                                    user_id, group.school_unit_id, year.starts_on
                                )["id"]
                            },
                            "startDate": starts_on,
                        }
                        for user_id in teachers[group.id]
                    ],
                    "startDate": starts_on,
                    "endDate": year.ends_on.isoformat(),
                }
            )
        return rows

    # --- persons --------------------------------------------------------------------------------

    def persons(self) -> list[dict[str, Any]]:
        plan = self.plan
        staff_ids: set[uuid.UUID] = {row.user_id for row in plan.unit_duties}
        staff_ids.update(row.user_id for row in plan.group_staff)
        staff_ids.update(row.user_id for row in plan.provider_duties)
        taken = {person.identity_number for person in [*plan.pupils, *plan.guardians]}
        staff = [self.staff(user, taken) for user in plan.users if user.id in staff_ids]
        guardianships: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for row in plan.guardianships:
            guardianships[row.pupil_id].append(
                {
                    "person": _ref(row.guardian_id),
                    "relationType": "Vårdnadshavare" if row.has_custody else "Annan ansvarig",
                }
            )
        enrolments: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for placement in plan.placements:
            enrolment: dict[str, Any] = {
                "enroledAt": _ref(placement.school_unit_id),
                "schoolType": SCHOOL_TYPES[placement.school_form],
                "startDate": placement.starts_on.isoformat(),
            }
            if placement.grade is not None:
                enrolment["schoolYear"] = placement.grade
            if placement.ends_on is not None:
                enrolment["endDate"] = placement.ends_on.isoformat()
            enrolments[placement.pupil_id].append(enrolment)
        pupils = [
            self.pupil(pupil, enrolments.get(pupil.id, []), guardianships.get(pupil.id, []))
            for pupil in plan.pupils
        ]
        return staff + pupils + [self.guardian(guardian) for guardian in plan.guardians]

    def staff(self, user: User, taken: set[str]) -> dict[str, Any]:
        number, born = _staff_civic_no(user.id, taken)
        person: dict[str, Any] = {
            "id": str(user.id),
            "meta": self.meta(),
            "givenName": user.first_name,
            "familyName": user.last_name,
            "eduPersonPrincipalNames": [eppn(user.username)],
            "civicNo": {"value": number, "nationality": "SE"},
            "birthDate": born.isoformat(),
            "securityMarking": "Ingen",
            "personStatus": "Aktiv",
        }
        if user.email:
            person["emails"] = [{"value": user.email, "type": "Skola personal"}]
        return person

    def pupil(
        self,
        pupil: Pupil,
        enrolments: list[dict[str, Any]],
        responsibles: list[dict[str, Any]],
    ) -> dict[str, Any]:
        person: dict[str, Any] = {
            "id": str(pupil.id),
            "meta": self.meta(),
            "givenName": pupil.first_name,
            "familyName": pupil.last_name,
        }
        if pupil.identity_number:  # a reserve number (none yet) has no civicNo
            person["civicNo"] = {"value": pupil.identity_number, "nationality": "SE"}
        person |= {
            "birthDate": pupil.birth_date.isoformat(),
            "sex": SEXES.get(pupil.gender, "Okänt"),
        }
        if pupil.protected_identity in SECURITY_MARKINGS:
            person["securityMarking"] = SECURITY_MARKINGS[pupil.protected_identity]
        person |= {"personStatus": "Aktiv", "enrolments": enrolments, "responsibles": responsibles}
        user = self.users.get(pupil.user_id) if pupil.user_id else None
        if user is not None:
            person["eduPersonPrincipalNames"] = [eppn(user.username)]
        return person

    def guardian(self, guardian: Guardian) -> dict[str, Any]:
        person: dict[str, Any] = {
            "id": str(guardian.id),
            "meta": self.meta(),
            "givenName": guardian.first_name,
            "familyName": guardian.last_name,
        }
        if guardian.identity_number:
            person["civicNo"] = {"value": guardian.identity_number, "nationality": "SE"}
            born = _birth_date(guardian.identity_number)
            if born is not None:
                person["birthDate"] = born.isoformat()
        person |= {"securityMarking": "Ingen", "personStatus": "Aktiv"}
        if guardian.email:
            person["emails"] = [{"value": guardian.email, "type": "Privat"}]
        if guardian.phone:
            person["phoneNumbers"] = [{"value": guardian.phone, "type": "Hem", "mobile": True}]
        return person


def plan_to_dataset(plan: Plan, *, at: dt.datetime | None = None) -> Dataset:
    """The plan's municipality as an SS 12000 dataset; every entity made and modified at `at`
    (default: the plan's `loaded_at`), so that a delta sync afterwards reads nothing new."""
    export = _Export(plan=plan, meta_at=timestamp(at or plan.loaded_at))
    export.build_duties()
    groups = export.build_groups()
    activities = export.activities()  # may add "Lärare" duties: before the duties are stored
    dataset = Dataset()
    dataset.adopt("organisations", export.organisations())
    dataset.adopt("persons", export.persons())
    dataset.adopt("duties", export.duties)
    dataset.adopt("groups", groups)
    dataset.adopt("activities", activities)
    return dataset


def dataset_for_tier(
    tier: str,
    seed: int = 1,
    today: dt.date | None = None,
    *,
    demo_users: bool = False,
    at: dt.datetime | None = None,
) -> Dataset:
    """Build the generator's plan for the tier (no database) and convert it.

    The same tier, seed, `today` and `demo_users` give the same ids as `manage.py
    generate_municipality` with those options (demo users only rename a few people).
    """
    return plan_to_dataset(build_plan(tier, seed, demo_users, today), at=at)
