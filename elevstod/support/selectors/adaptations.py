"""Read-side queries for extra adaptations (SL 3 kap. 5 §): an adaptation's evaluations, the
pupil's adaptations to link to a report, the pupil's groups, and the teacher's own list. Who may
be responsible is elevstod.support.staff's (adaptation_staff)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from elevstod.access.context import UserContext
from elevstod.access.lookup import current_memberships
from elevstod.access.scoping import pupils_visible_to
from elevstod.organisation.models import Group
from elevstod.people.models import GroupMembership, Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import Adaptation, AdaptationEvaluation
from elevstod.support.selectors.pupil_records import of_pupil


def with_evaluations(adaptations: QuerySet[Adaptation]) -> QuerySet[Adaptation]:
    """Each adaptation with its evaluations, newest first, in one more query: a report shows
    what was tried and how it went (SL 3 kap. 7 §)."""
    return adaptations.prefetch_related(
        Prefetch(
            "evaluations",
            queryset=AdaptationEvaluation.objects.order_by("-evaluated_on", "-created_at"),
        )
    )


def pupil_adaptations(pupil_id: uuid.UUID) -> list[Adaptation]:
    """All the pupil's adaptations (active first), for linking to a report (process.md §2.2)."""
    return list(
        with_evaluations(Adaptation.objects.filter(pupil_id=pupil_id))
        .select_related("responsible")
        .order_by("state", "-starts_on", "-created_at")
    )


def adaptation_of_pupil(pupil_id: uuid.UUID, adaptation_id: object) -> Adaptation | None:
    """An adaptation named in a query string, only if it is this pupil's."""
    return of_pupil(Adaptation.objects.all(), pupil_id, adaptation_id)


def adaptations_of_pupil(pupil_id: uuid.UUID, ids: Collection[uuid.UUID]) -> list[Adaptation]:
    """The adaptations named (an API body's list), those of them that are this pupil's."""
    if not ids:
        return []
    return list(Adaptation.objects.filter(pk__in=list(ids), pupil_id=pupil_id))


def group_at_unit(unit_id: uuid.UUID, group_id: uuid.UUID) -> bool:
    """An adaptation's teaching group must be one of the pupil's unit's groups."""
    return Group.objects.filter(pk=group_id, school_unit_id=unit_id).exists()


# --------------------------------------------------------------------------- the pupil's groups


def pupil_groups(pupil: Pupil) -> list[Group]:
    """The pupil's groups this year, as elevstod.access.lookup prefetched them (no query)."""
    return [membership.group for membership in current_memberships(pupil)]


# --------------------------------------------------------------------------- the teacher's page


@dataclass
class GroupAdaptations:
    group: Group
    rows: list[tuple[Pupil, Adaptation]]


@dataclass
class MyAdaptations:
    """The teacher's page: per group, the adaptations given in that group; then, once per
    pupil, those that belong to none of the user's groups (across subjects, or the user's own
    responsibility in another group). Each adaptation appears once, so `total` counts them."""

    groups: list[GroupAdaptations]
    elsewhere: list[tuple[Pupil, Adaptation]]

    @property
    def total(self) -> int:
        return sum(len(entry.rows) for entry in self.groups) + len(self.elsewhere)


def _active_adaptations_of(pupil_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Adaptation]]:
    adaptations = (
        Adaptation.objects.filter(pupil_id__in=pupil_ids, state=wf.AdaptationState.ACTIVE)
        # The group's name for an adaptation shown outside its group (a join, not a query).
        .select_related("responsible", "group")
        .only(
            "pupil_id",
            "group_id",
            "group__name",
            "subject",
            "need_categories",
            "need_description",
            "measure",
            "evaluate_on",
            "responsible_id",
            "responsible__first_name",
            "responsible__last_name",
            "responsible__username",
        )
        .order_by("evaluate_on", "created_at")
    )
    by_pupil: dict[uuid.UUID, list[Adaptation]] = {}
    for adaptation in adaptations:
        by_pupil.setdefault(adaptation.pupil_id, []).append(adaptation)
    return by_pupil


def _home_group(adaptation: Adaptation, shared: list[Group]) -> Group | None:
    """Of the user's groups the pupil is in (by name), the one the adaptation was given in: its
    linked group, or, with no group linked, the first whose subject is the adaptation's."""
    if adaptation.group_id is not None:
        return next((group for group in shared if group.pk == adaptation.group_id), None)
    subject = adaptation.subject.strip().casefold()
    if not subject:
        return None
    return next((group for group in shared if group.subject.strip().casefold() == subject), None)


def _concerns_user(adaptation: Adaptation, user_id: uuid.UUID | None) -> bool:
    """Outside the user's groups an adaptation is theirs to carry out if it holds across
    subjects or they are responsible for it."""
    return not adaptation.subject.strip() or adaptation.responsible_id == user_id


def my_adaptation_groups(ctx: UserContext) -> MyAdaptations:
    """The active adaptations the user carries out, for the groups they teach or mentor this year.

    Each adaptation is listed once: under the group it was given in, if the user teaches that
    group (a pupil shares several groups with a teacher, and a mathematics adaptation does not
    belong under physical education), otherwise in `elsewhere`. Protected pupils appear only for
    staff assigned to them (scoping.pupils_visible_to). Three queries whatever the number of
    groups.
    """
    group_ids = ctx.taught_groups | ctx.mentor_groups
    if not group_ids:
        return MyAdaptations(groups=[], elsewhere=[])
    groups = list(
        Group.objects.filter(pk__in=group_ids).only("name", "kind", "subject").order_by("name")
    )
    memberships = list(
        GroupMembership.objects.filter(group_id__in=group_ids, pupil__in=pupils_visible_to(ctx))
        .select_related("pupil")
        .only("group_id", "pupil__first_name", "pupil__last_name", "pupil__protected_identity")
    )
    by_pupil = _active_adaptations_of({m.pupil_id for m in memberships})
    pupils: dict[uuid.UUID, Pupil] = {}
    member_of: dict[uuid.UUID, set[uuid.UUID]] = {}
    for membership in memberships:
        pupils.setdefault(membership.pupil_id, membership.pupil)
        member_of.setdefault(membership.pupil_id, set()).add(membership.group_id)
    rows: dict[uuid.UUID, list[tuple[Pupil, Adaptation]]] = {group.pk: [] for group in groups}
    elsewhere: list[tuple[Pupil, Adaptation]] = []
    for pupil in sorted(pupils.values(), key=lambda p: (p.last_name, p.first_name)):
        shared = [group for group in groups if group.pk in member_of[pupil.pk]]
        for adaptation in by_pupil.get(pupil.pk, []):
            home = _home_group(adaptation, shared)
            if home is not None:
                rows[home.pk].append((pupil, adaptation))
            elif _concerns_user(adaptation, ctx.user_id):
                elsewhere.append((pupil, adaptation))
    return MyAdaptations(
        groups=[GroupAdaptations(group=group, rows=rows[group.pk]) for group in groups],
        elsewhere=elsewhere,
    )
