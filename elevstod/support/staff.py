"""Who at the pupil's unit may be named on a support record, and who may decide there.

One place for the rule that the person fields of the support forms and the API's writes apply
(issue 9): the people named responsible for a programme's follow-up, its evaluation or a measure
(SL 3 kap. 9 §: the programme says who is responsible), and an investigation's investigators
(3 kap. 7 §), must be staff with a duty at the pupil's school unit on the day
(`responsible_staff`); an extra adaptation's responsible is narrower, one of the pupil's teachers
and mentors or the unit's special educators (`adaptation_staff`). For a pupil with protected
identity only staff assigned to that pupil, since nobody else may see the pupil at all
(security.md P6). A person already saved on the record stays selectable after their duty ends,
so an earlier choice is never lost (`with_saved_people`); a posted value is never added to the
choices.

`ResponsibleField` and `InvestigatorsField` are the form fields for it: anything else posted, a
garbled value included, gives a Swedish message on the field instead of an error page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elevstod.access.policy import PupilFacts
from elevstod.accounts.models import User
from elevstod.organisation.duties import UNIT_WIDE_SUPPORT_DUTIES, UnitDutyKind
from elevstod.organisation.models import Delegation, UnitDuty
from elevstod.people.models import ProtectedPupilAssignment

# A person as a form offers them: (user id as text, display name).
Choice = tuple[str, str]


def _duties_on(day: date, **where: Any) -> QuerySet[UnitDuty]:
    """The duties that hold on `day` (begun, not ended)."""
    return UnitDuty.objects.filter(starts_on__lte=day, **where).exclude(ends_on__lt=day)


def _offered(people: QuerySet[User], facts: PupilFacts) -> list[Choice]:
    """`people` by name. For a protected pupil only the staff assigned to that pupil, since
    nobody else may see the pupil at all (security.md P6). One query."""
    if facts.is_protected:
        assigned = ProtectedPupilAssignment.objects.filter(pupil_id=facts.pupil_id)
        people = people.filter(pk__in=assigned.values("user_id"))
    ordered = people.distinct().order_by("last_name", "first_name", "username")
    return [(str(person.pk), person.display_name) for person in ordered]


def responsible_staff(*, school_unit_id: uuid.UUID, facts: PupilFacts, day: date) -> list[Choice]:
    """Staff who may be named responsible for the pupil's support on `day` (a programme's
    follow-up, evaluation or measure; an investigation's investigators): a duty at the unit that
    day. One query."""
    duties = _duties_on(day, school_unit_id=school_unit_id)
    return _offered(User.objects.filter(pk__in=duties.values("user_id")), facts)


def responsible_or_saved(
    *, school_unit_id: uuid.UUID, facts: PupilFacts, day: date, saved: QuerySet[Any]
) -> list[Choice]:
    """`with_saved_people(responsible_staff(...), <the users whose ids `saved` yields>)` in ONE
    query rather than two: the editor's page is within its query budget this way. The people
    are found by one IN over a UNION ALL of the two (an OR of the two made PostgreSQL read every
    user, issue 12)."""
    duties = _duties_on(day, school_unit_id=school_unit_id)
    if facts.is_protected:  # as _offered: only the staff assigned to a protected pupil
        assigned = ProtectedPupilAssignment.objects.filter(pupil_id=facts.pupil_id)
        duties = duties.filter(user_id__in=assigned.values("user_id"))
    on_duty = duties.order_by().values("user_id")
    offered = Q(pk__in=on_duty)
    people = (
        User.objects.filter(pk__in=on_duty.union(saved, all=True))
        .annotate(offered=ExpressionWrapper(offered, output_field=BooleanField()))
        .only("first_name", "last_name", "username")  # what display_name needs
        .order_by("last_name", "first_name", "username")
    )
    staff: list[Choice] = []
    earlier: list[Choice] = []
    for person in people:
        (staff if person.offered else earlier).append((str(person.pk), person.display_name))
    return with_saved_people(staff, earlier)


def adaptation_staff(
    *, school_unit_id: uuid.UUID | None, facts: PupilFacts, day: date
) -> list[Choice]:
    """Staff who may carry out an extra adaptation, which is given within the teaching (SL 3
    kap. 5 §, process.md §2.1): the teachers and mentors of the pupil's groups this year and the
    unit's special educators and special teachers. One query."""
    related = Q(group_roles__group_id__in=list(facts.current_groups))
    if school_unit_id is not None:
        duties = [str(duty) for duty in UNIT_WIDE_SUPPORT_DUTIES]
        support = _duties_on(day, school_unit_id=school_unit_id, duty__in=duties)
        related |= Q(pk__in=support.values("user_id"))
    return _offered(User.objects.filter(related), facts)


def with_saved_people(staff: list[Choice], saved: Iterable[Choice]) -> list[Choice]:
    """`staff` and the people already saved on the record who are no longer among them (a duty
    that has ended), marked as such: the record keeps them until someone chooses another."""
    known = {user_id for user_id, _name in staff}
    earlier = {user_id: name for user_id, name in saved if user_id and user_id not in known}
    return staff + [
        (user_id, gettext("%(name)s (tidigare personal)") % {"name": name})
        for user_id, name in sorted(earlier.items(), key=lambda item: item[1])
    ]


def not_offered(people: list[Choice], named: Iterable[uuid.UUID | None]) -> bool:
    """Whether anyone `named` (an API write's ids) is outside the people a form would offer."""
    offered = {user_id for user_id, _name in people}
    return any(str(user_id) not in offered for user_id in named if user_id is not None)


class ResponsibleField(forms.TypedChoiceField):
    """A person field of a support form: one of the people set with `offer`, as a UUID.

    Until `offer` is called nobody may be chosen, so a form that forgets it refuses everyone
    rather than accepting anyone.
    """

    default_error_messages = {
        "invalid_choice": _("Välj en person som arbetar på elevens skola."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(coerce=uuid.UUID, empty_value=None, **kwargs)

    def offer(self, people: list[Choice]) -> None:
        self.choices = [("", gettext("Välj person")), *people]


class InvestigatorsField(forms.TypedMultipleChoiceField):
    """The people named to investigate, as UUIDs: only those offered (`responsible_staff`).
    Like `ResponsibleField`, nobody until `offer` is called."""

    default_error_messages = {
        "invalid_choice": _("Välj utredare bland personalen på elevens skolenhet."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=uuid.UUID, **kwargs)

    def offer(self, people: list[Choice]) -> None:
        self.choices = people


def offer(form: forms.Form, name: str, people: list[Choice]) -> None:
    """Let the form's person field `name` accept `people`, and nobody else."""
    field = form.fields[name]
    assert isinstance(field, ResponsibleField | InvestigatorsField)
    field.offer(people)


# ----------------------------------------------------------------------------- who may decide


@dataclass(frozen=True)
class DecisionMaker:
    """Someone who may make a decision at the unit on a day: the rektor or a delegate."""

    name: str
    is_principal: bool
    valid_until: date | None = None


def decision_makers(
    school_unit_id: uuid.UUID, decision_type: str, day: date
) -> list[DecisionMaker]:
    """The unit's rektor, and the delegates whose delegation covers `decision_type` on `day`
    (SL 2 kap. 9–10 §§). Two queries, whatever the number of people."""
    principals = (
        _duties_on(day, school_unit_id=school_unit_id, duty=UnitDutyKind.PRINCIPAL)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    delegations = (
        Delegation.objects.filter(
            school_unit_id=school_unit_id,
            decision_type=decision_type,
            valid_from__lte=day,
            valid_until__gte=day,
            revoked_at__isnull=True,
        )
        .select_related("delegate")
        .order_by("delegate__last_name", "delegate__first_name")
    )
    return [
        *(DecisionMaker(duty.user.display_name, True) for duty in principals),
        *(DecisionMaker(d.delegate.display_name, False, d.valid_until) for d in delegations),
    ]
