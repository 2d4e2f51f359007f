"""Typed SS 12000 entities: only the fields Elevstöd uses, unknown fields ignored.

Field names are snake_case; the JSON names are the standard's camelCase (``alias_generator``).
Code lists (dutyRole, groupType, securityMarking, …) stay plain strings so that a value added to
the standard later does not refuse the whole row; the constants below name the values we act on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# securityMarking (Code_SecurityMarking). A missing marking is treated as protected.
SECURITY_MARKING_NONE = "Ingen"
SECURITY_MARKING_CONFIDENTIAL = "Sekretessmarkering"
SECURITY_MARKING_PROTECTED_REGISTRATION = "Skyddad folkbokföring"

# relationType (Code_RelationType) of a responsible.
RELATION_GUARDIAN = "Vårdnadshavare"

# organisationType (Code_OrganisationType).
ORGANISATION_HUVUDMAN = "Huvudman"
ORGANISATION_SCHOOL_UNIT = "Skolenhet"

# groupType (Code_GroupType).
GROUP_CLASS = "Klass"
GROUP_MENTOR = "Mentor"
GROUP_TEACHING = "Undervisning"


class SS12000Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Meta(SS12000Model):
    # With a time zone, as RFC 3339 requires: a naive time cannot be compared with the mark.
    created: AwareDatetime
    modified: AwareDatetime


class Reference(SS12000Model):
    """An ObjectReference (OrganisationReference, GroupReference, DutyReference, …)."""

    id: UUID
    display_name: str | None = None


class PersonReference(Reference):
    security_marking: str | None = None


class Organisation(SS12000Model):
    id: UUID
    meta: Meta
    display_name: str
    organisation_type: str
    organisation_code: str | None = None
    organisation_number: str | None = None
    school_unit_code: str | None = None
    school_types: list[str] = Field(default_factory=list)
    municipality_code: str | None = None
    parent_organisation: Reference | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class CivicNo(SS12000Model):
    value: str
    nationality: str = "SE"


class Email(SS12000Model):
    # The address is kept as given: a malformed address is the sync's to judge, not a parse error.
    value: str
    type: str | None = None


class Responsible(SS12000Model):
    """A responsible adult of a person (``responsibles``) or a child of one (``responsibleFor``)."""

    person: PersonReference
    relation_type: str | None = None


class Enrolment(SS12000Model):
    enroled_at: Reference
    school_type: str
    start_date: dt.date
    end_date: dt.date | None = None
    school_year: int | None = None
    cancelled: bool = False


class AssignmentRole(SS12000Model):
    """A duty's role towards a group, e.g. Mentor."""

    assignment_role_type: str
    group: Reference
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class Duty(SS12000Model):
    id: UUID
    meta: Meta
    duty_at: Reference
    duty_role: str
    start_date: dt.date
    end_date: dt.date | None = None
    person: PersonReference | None = None
    signature: str | None = None
    assignment_role: list[AssignmentRole] = Field(default_factory=list)


class Placement(SS12000Model):
    id: UUID
    meta: Meta
    child: PersonReference
    placed_at: Reference
    school_type: str
    start_date: dt.date
    end_date: dt.date | None = None
    group: Reference | None = None
    owners: list[PersonReference] = Field(default_factory=list)


class PersonEmbedded(SS12000Model):
    """What ``expand`` asked for (PersonExpanded._embedded)."""

    duties: list[Duty] = Field(default_factory=list)
    responsible_for: list[Responsible] = Field(default_factory=list)
    placements: list[Placement] = Field(default_factory=list)
    owned_placements: list[Placement] = Field(default_factory=list)


class Person(SS12000Model):
    id: UUID
    meta: Meta
    given_name: str
    family_name: str
    middle_name: str | None = None
    civic_no: CivicNo | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    security_marking: str | None = None
    person_status: str = "Aktiv"
    edu_person_principal_names: list[str] = Field(default_factory=list)
    emails: list[Email] = Field(default_factory=list)
    responsibles: list[Responsible] = Field(default_factory=list)
    enrolments: list[Enrolment] = Field(default_factory=list)
    embedded: PersonEmbedded | None = Field(default=None, alias="_embedded")

    @property
    def is_protected(self) -> bool:
        """Any marking but an explicit "Ingen" — a missing marking included — is protected."""
        return self.security_marking != SECURITY_MARKING_NONE


class GroupMembership(SS12000Model):
    person: PersonReference
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class Group(SS12000Model):
    id: UUID
    meta: Meta
    display_name: str
    group_type: str
    organisation: Reference
    start_date: dt.date
    end_date: dt.date | None = None
    school_type: str | None = None
    group_memberships: list[GroupMembership] = Field(default_factory=list)


class DutyAssignment(SS12000Model):
    """A teacher (a duty) on an activity."""

    duty: Reference
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class Activity(SS12000Model):
    id: UUID
    meta: Meta
    display_name: str
    organisation: Reference
    groups: list[Reference]
    start_date: dt.date
    end_date: dt.date | None = None
    activity_type: str | None = None
    teachers: list[DutyAssignment] = Field(default_factory=list)


class Absence(SS12000Model):
    id: UUID
    meta: Meta
    student: PersonReference
    type: str
    start_time: dt.datetime
    end_time: dt.datetime
    organisation: Reference | None = None


class AggregatedAttendance(SS12000Model):
    student: PersonReference
    activity: Reference
    start_date: dt.date
    end_date: dt.date
    attendance_sum: int
    offered_sum: int | None = None
    reported_sum: int | None = None
    valid_absence_sum: int | None = None
    invalid_absence_sum: int | None = None
    other_attendance_sum: int | None = None


class DeletedEntities(SS12000Model):
    """Ids removed by the provider, per entity type (one page of ``/deletedEntities``)."""

    organisations: list[UUID] = Field(default_factory=list)
    persons: list[UUID] = Field(default_factory=list)
    placements: list[UUID] = Field(default_factory=list)
    duties: list[UUID] = Field(default_factory=list)
    groups: list[UUID] = Field(default_factory=list)
    # The standard spells the key "activitites".
    activities: list[UUID] = Field(default_factory=list, alias="activitites")
    absences: list[UUID] = Field(default_factory=list)


T = TypeVar("T", bound=SS12000Model)


@dataclass(frozen=True)
class RefusedRow:
    """A row of a page that did not have the shape we need, and why (field paths, never values)."""

    index: int
    id: str | None
    reason: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list endpoint: the rows that parsed, the rows refused, the next token."""

    items: list[T]
    refused: list[RefusedRow]
    next_page_token: str | None
