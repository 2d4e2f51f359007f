"""The rektor's assignment of staff to pupils with protected identity (decision 0019).

The rektor of a protected pupil's current unit decides who is assigned to the pupil, whether or
not they are assigned themselves. That is not a relation to the pupil: the rektor reaches only
the assignment page (the pupil's first name and initial, birth date, grade and who is assigned),
never the pupil page, the support chain, the guardians or any address (security.md P6).

The rule is `access.policy.can_manage_protected_assignments`, the door
`access.lookup.get_protected_pupil_for_assignment`; this module holds the page's reads.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch

from elevstod.access.context import UserContext
from elevstod.access.lookup import ProtectedPupilAccess
from elevstod.access.scoping import current_placement_q
from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.duties import UNIT_DUTY_LABELS, UnitDutyKind
from elevstod.organisation.models import UnitDuty
from elevstod.people.models import (
    EndedProtectedPupilAssignment,
    Placement,
    ProtectedIdentity,
    ProtectedPupilAssignment,
    Pupil,
)
from elevstod.people.services import RECORD_TYPE

# ----------------------------------------------------------------------------- reads


def short_name(pupil: Pupil) -> str:
    """First name and the last name's initial: enough for the rektor, who has the notice of the
    protected identity, to know the pupil; less than the pupil page shows."""
    initial = pupil.last_name[:1]
    return f"{pupil.first_name} {initial}." if initial else pupil.first_name


@dataclass(frozen=True)
class StaffChoice:
    user_id: uuid.UUID
    label: str  # name and duties at the unit, in the reader's language


def assignable_staff(
    ctx: UserContext, unit_id: uuid.UUID, exclude: set[uuid.UUID]
) -> list[StaffChoice]:
    """Everyone with a current duty at the unit who is not already assigned."""
    labels = {kind.value: str(label) for kind, label in UNIT_DUTY_LABELS.items()}
    duties: dict[uuid.UUID, tuple[User, list[str]]] = {}
    rows = (
        UnitDuty.objects.filter(current_placement_q(ctx), school_unit_id=unit_id)
        .exclude(user_id__in=exclude)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "duty")
    )
    for duty in rows:
        duties.setdefault(duty.user_id, (duty.user, []))[1].append(labels.get(duty.duty, duty.duty))
    return [
        StaffChoice(user_id, f"{user.display_name} ({', '.join(names)})")
        for user_id, (user, names) in duties.items()
    ]


@dataclass(frozen=True)
class AssignmentPage:
    pupil_label: str
    birth_date: date
    placement: Placement | None
    current: list[ProtectedPupilAssignment]
    ended: list[EndedProtectedPupilAssignment]
    staff: list[StaffChoice]


def assigned_staff(pupil: Pupil) -> list[ProtectedPupilAssignment]:
    """Who is assigned to the pupil now, by name."""
    return list(
        ProtectedPupilAssignment.objects.filter(pupil=pupil)
        .select_related("user", "assigned_by")
        .order_by("user__last_name", "user__first_name")
    )


def assignment_page(ctx: UserContext, access: ProtectedPupilAccess) -> AssignmentPage:
    pupil = access.pupil
    current = assigned_staff(pupil)
    ended = list(
        EndedProtectedPupilAssignment.objects.filter(pupil=pupil).select_related(
            "user", "assigned_by", "ended_by"
        )
    )
    placement = next(
        (p for p in pupil.current_placements if p.school_unit_id == access.school_unit_id), None
    )
    return AssignmentPage(
        pupil_label=short_name(pupil),
        birth_date=pupil.birth_date,
        placement=placement,
        current=current,
        ended=ended,
        staff=assignable_staff(ctx, access.school_unit_id, {a.user_id for a in current}),
    )


@dataclass(frozen=True)
class ProtectedPupilRow:
    pupil_id: uuid.UUID
    label: str
    grade: int | None
    assigned: int


def protected_pupils_at_unit(ctx: UserContext, unit_id: uuid.UUID) -> list[ProtectedPupilRow]:
    """The unit's protected pupils for its rektor, named as the assignment page names them; the
    caller has checked that `unit_id` is one of the user's `principal_units` and logs the list."""
    placements = Placement.objects.filter(current_placement_q(ctx), school_unit_id=unit_id)
    pupils = (
        Pupil.objects.filter(pk__in=placements.values("pupil_id"))
        .exclude(protected_identity=ProtectedIdentity.NONE)
        .annotate(assigned=Count("protected_assignments", distinct=True))
        .prefetch_related(Prefetch("placements", placements, to_attr="unit_placements"))
        .only("first_name", "last_name")
        .order_by("first_name", "last_name", "pk")
    )
    return [
        ProtectedPupilRow(
            pupil_id=pupil.pk,
            label=short_name(pupil),
            grade=next((p.grade for p in vars(pupil)["unit_placements"]), None),
            assigned=vars(pupil)["assigned"],
        )
        for pupil in pupils
    ]


def record_unit_list(ctx: UserContext, unit_id: uuid.UUID) -> None:
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type=RECORD_TYPE,
        school_unit_id=unit_id,
        acting_role=UnitDutyKind.PRINCIPAL.value,
        purpose="protected_pupils_at_unit",
    )
