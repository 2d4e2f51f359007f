"""What a signed-in user is to the organisation: loaded once per request in one query.

Every access decision reads this snapshot, so the policy and its list twin (scoping) agree.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from elevstod.organisation.duties import (
    LEADERSHIP_DUTIES,
    UNIT_WIDE_SUPPORT_DUTIES,
    ProviderDutyKind,
    UnitDutyKind,
)
from elevstod.organisation.models import GroupStaff, ProviderDuty, PupilHealthTeam, UnitDuty
from elevstod.people.models import Guardianship, ProtectedPupilAssignment, Pupil

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


def load_user_context(user: object, today: date | None = None) -> UserContext:
    """One UNION query gathers every relation the user has. Keys are namespaced strings."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    today = today or timezone.localdate()
    user_id = user.pk  # type: ignore[attr-defined]
    current = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))

    def tagged(queryset, prefix: str, kind_field: str | None, id_field: str):  # type: ignore[no-untyped-def]
        tag = (
            Concat(Value(prefix), F(kind_field), output_field=CharField())
            if kind_field
            else Value(prefix, output_field=CharField())
        )
        return queryset.order_by().annotate(tag=tag).values_list("tag", id_field)

    parts = [
        tagged(
            UnitDuty.objects.filter(current, user_id=user_id), "duty:", "duty", "school_unit_id"
        ),
        tagged(
            GroupStaff.objects.filter(
                user_id=user_id,
                group__academic_year__starts_on__lte=today,
                group__academic_year__ends_on__gte=today,
            ),
            "group:",
            "role",
            "group_id",
        ),
        tagged(PupilHealthTeam.objects.filter(members=user_id), "eht", None, "school_unit_id"),
        tagged(
            ProtectedPupilAssignment.objects.filter(user_id=user_id), "protected", None, "pupil_id"
        ),
        tagged(
            Guardianship.objects.filter(guardian__user_id=user_id, has_custody=True),
            "custody",
            None,
            "pupil_id",
        ),
        tagged(Pupil.objects.filter(user_id=user_id), "self", None, "id"),
        tagged(ProviderDuty.objects.filter(user_id=user_id), "provider:", "duty", "provider_id"),
    ]
    rows = list(parts[0].union(*parts[1:], all=True))
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


def context_for(request: object) -> UserContext:
    """The request's context, loaded on first use and kept for the rest of the request."""
    cached = getattr(request, "_elevstod_context", None)
    if cached is None:
        cached = load_user_context(request.user)  # type: ignore[attr-defined]
        request._elevstod_context = cached  # type: ignore[attr-defined]
    return cached
