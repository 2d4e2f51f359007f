import uuid
from datetime import date, datetime

from ninja import Schema


class SchoolOut(Schema):
    id: uuid.UUID
    name: str
    unit_code: str
    school_forms: list[str]
    provider_id: uuid.UUID


class GroupOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    school_unit_id: uuid.UUID
    academic_year: str
    school_form: str
    grade: int | None
    subject: str


class PlacementOut(Schema):
    id: uuid.UUID
    school_unit_id: uuid.UUID
    school_unit_name: str
    school_form: str
    grade: int | None
    starts_on: date
    ends_on: date | None


class PupilListOut(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str
    birth_date: date
    protected_identity: bool
    current_placements: list[PlacementOut]


class GuardianOut(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str
    has_custody: bool
    phone: str | None = None
    email: str | None = None


class MembershipOut(Schema):
    group_id: uuid.UUID
    group_name: str


class PupilDetailOut(PupilListOut):
    identity_number: str
    identity_kind: str
    gender: str
    placements: list[PlacementOut]
    groups: list[MembershipOut]
    guardians: list[GuardianOut]
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None


class AccessEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    acting_role: str
    school_unit_id: uuid.UUID | None
    pupil_id: uuid.UUID | None
    record_type: str
    record_id: str
    action: str
    outcome: str
    purpose: str
    channel: str


class ErrorOut(Schema):
    code: str
    message: str
