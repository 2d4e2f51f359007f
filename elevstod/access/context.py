"""What a signed-in user is to the organisation: loaded once per request in one query.

Every access decision reads this snapshot, so the policy and its list twin (scoping) agree.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from elevstod.organisation.duties import (
    LEADERSHIP_DUTIES,
    UNIT_WIDE_SUPPORT_DUTIES,
    ProviderDutyKind,
    UnitDutyKind,
)
from elevstod.organisation.models import (
    AcademicYear,
    Group,
    GroupStaff,
    ProviderDuty,
    PupilHealthTeam,
    UnitDuty,
)
from elevstod.people.models import Guardian, Guardianship, ProtectedPupilAssignment, Pupil

Ids = frozenset[uuid.UUID]


@dataclass(frozen=True)
class UserContext:
    user_id: uuid.UUID | None
    unit_duties: frozenset[tuple[str, uuid.UUID]] = frozenset()
    eht_units: Ids = frozenset()
    taught_groups: Ids = frozenset()
    mentor_groups: Ids = frozenset()
    protected_assignments: Ids = frozenset()
    custody_pupils: Ids = frozenset()
    own_pupil: uuid.UUID | None = None
    provider_duties: frozenset[tuple[str, uuid.UUID]] = frozenset()
    today: date = field(default_factory=timezone.localdate)

    def units_with(self, duties: frozenset[UnitDutyKind] | set[UnitDutyKind]) -> Ids:
        return frozenset(unit for duty, unit in self.unit_duties if duty in duties)

    @property
    def leader_units(self) -> Ids:
        """Units where the user is rektor or biträdande rektor."""
        return self.units_with(LEADERSHIP_DUTIES)

    @property
    def principal_units(self) -> Ids:
        """Units where the user is the rektor proper (for decisions reserved to the rektor)."""
        return self.units_with({UnitDutyKind.PRINCIPAL})

    @property
    def support_units(self) -> Ids:
        return self.units_with(UNIT_WIDE_SUPPORT_DUTIES)

    @property
    def staff_units(self) -> Ids:
        return frozenset(unit for _duty, unit in self.unit_duties)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.unit_duties or self.provider_duties)

    @property
    def administered_providers(self) -> Ids:
        return frozenset(
            provider
            for duty, provider in self.provider_duties
            if duty in (ProviderDutyKind.ADMINISTRATOR, ProviderDutyKind.QUALITY_ANALYST)
        )

    @property
    def unit_duty_kinds(self) -> frozenset[str]:
        return frozenset(duty for duty, _unit in self.unit_duties)


ANONYMOUS = UserContext(user_id=None)


def _relations_sql() -> str:
    """Every relation of one user as (tag, id) rows, one UNION ALL over the relation tables.

    Written as SQL rather than composed querysets: this runs on every request, and composing
    seven querysets costs more Python time than the query itself.
    """
    members = PupilHealthTeam.members.through._meta.db_table
    # Only table names from our own models are interpolated; every value is a parameter.
    return f"""
        SELECT 'duty:' || d.duty AS tag, d.school_unit_id AS id
          FROM {UnitDuty._meta.db_table} d
         WHERE d.user_id = %(user)s AND d.starts_on <= %(today)s
           AND (d.ends_on IS NULL OR d.ends_on >= %(today)s)
        UNION ALL
        SELECT 'group:' || gs.role, gs.group_id
          FROM {GroupStaff._meta.db_table} gs
          JOIN {Group._meta.db_table} g ON g.id = gs.group_id
          JOIN {AcademicYear._meta.db_table} y ON y.id = g.academic_year_id
         WHERE gs.user_id = %(user)s AND y.starts_on <= %(today)s AND y.ends_on >= %(today)s
        UNION ALL
        SELECT 'eht', t.school_unit_id
          FROM {members} m
          JOIN {PupilHealthTeam._meta.db_table} t ON t.id = m.pupilhealthteam_id
         WHERE m.user_id = %(user)s
        UNION ALL
        SELECT 'protected', a.pupil_id
          FROM {ProtectedPupilAssignment._meta.db_table} a
         WHERE a.user_id = %(user)s
        UNION ALL
        SELECT 'custody', gship.pupil_id
          FROM {Guardianship._meta.db_table} gship
          JOIN {Guardian._meta.db_table} gu ON gu.id = gship.guardian_id
         WHERE gu.user_id = %(user)s AND gship.has_custody = %(true)s
        UNION ALL
        SELECT 'self', p.id FROM {Pupil._meta.db_table} p WHERE p.user_id = %(user)s
        UNION ALL
        SELECT 'provider:' || pd.duty, pd.provider_id
          FROM {ProviderDuty._meta.db_table} pd
         WHERE pd.user_id = %(user)s
    """  # noqa: S608


def load_user_context(
    user: AbstractBaseUser | AnonymousUser, today: date | None = None
) -> UserContext:
    """One query gathers every relation the user has. Tags are namespaced strings."""
    if not user.is_authenticated:
        return ANONYMOUS
    today = today or timezone.localdate()
    user_id = user.pk
    params = {
        "user": UnitDuty._meta.get_field("user").get_db_prep_value(user_id, connection),
        "today": connection.ops.adapt_datefield_value(today),
        "true": True,
    }
    with connection.cursor() as cursor:
        cursor.execute(_relations_sql(), params)
        rows = cursor.fetchall()
    buckets: dict[str, set] = {}
    for tag, raw_id in rows:
        buckets.setdefault(tag, set()).add(_as_uuid(raw_id))
    own = buckets.get("self", set())
    duty_units = {
        unit for tag, units in buckets.items() if tag.startswith("duty:") for unit in units
    }
    return UserContext(
        user_id=user_id,
        unit_duties=frozenset(
            (tag.removeprefix("duty:"), unit)
            for tag, units in buckets.items()
            if tag.startswith("duty:")
            for unit in units
        ),
        # Team membership counts only while the member holds a current duty at the unit.
        eht_units=frozenset(buckets.get("eht", set()) & duty_units),
        taught_groups=frozenset(buckets.get("group:teacher", ())),
        mentor_groups=frozenset(buckets.get("group:mentor", ())),
        protected_assignments=frozenset(buckets.get("protected", ())),
        custody_pupils=frozenset(buckets.get("custody", ())),
        own_pupil=next(iter(own)) if own else None,
        provider_duties=frozenset(
            (tag.removeprefix("provider:"), provider)
            for tag, providers in buckets.items()
            if tag.startswith("provider:")
            for provider in providers
        ),
        today=today,
    )


def _as_uuid(raw: object) -> uuid.UUID:
    # A UNION loses the column's type on some backends, so SQLite may hand back hex strings.
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))


_KEPT_ON_REQUEST = "_elevstod_context"


def context_for(request: HttpRequest) -> UserContext:
    """The request's context, loaded on first use and kept for the rest of the request."""
    cached = getattr(request, _KEPT_ON_REQUEST, None)
    if not isinstance(cached, UserContext):
        cached = load_user_context(request.user)
        setattr(request, _KEPT_ON_REQUEST, cached)
    return cached
