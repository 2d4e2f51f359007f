"""Assigning staff to a pupil with protected identity, and ending it (decision 0019)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.organisation.models import SchoolUnit
from elevstod.people.models import (
    EndedProtectedPupilAssignment,
    ProtectedIdentity,
    ProtectedPupilAssignment,
    Pupil,
)
from elevstod.people.services import protected_assignment_create, protected_assignment_end
from tests.factories import PupilFactory, SchoolUnitFactory, UserFactory, duty, place

pytestmark = pytest.mark.django_db


def _setting() -> tuple[Pupil, SchoolUnit, User, User]:
    unit = SchoolUnitFactory()
    pupil = PupilFactory(protected_identity=ProtectedIdentity.PROTECTED_REGISTRATION)
    place(pupil, unit)
    rektor = UserFactory()
    duty(rektor, unit, "principal")
    teacher = UserFactory()
    duty(teacher, unit, "teacher")
    return pupil, unit, rektor, teacher


def _assign(
    pupil: Pupil, unit: SchoolUnit, rektor: User, user: User, reason: str = "Klassens lärare"
) -> ProtectedPupilAssignment:
    return protected_assignment_create(
        pupil=pupil,
        user_id=user.pk,
        reason=reason,
        actor_id=rektor.pk,
        school_unit_id=unit.pk,
        today=timezone.localdate(),
    )


def test_assigning_staff_writes_the_assignment_and_its_log_row() -> None:
    pupil, unit, rektor, teacher = _setting()
    assignment = _assign(pupil, unit, rektor, teacher)
    assert (assignment.user_id, assignment.assigned_by_id) == (teacher.pk, rektor.pk)
    row = AccessEvent.objects.get(record_type="protected_assignment")
    assert (row.action, row.actor_id, row.pupil_id, row.school_unit_id, row.record_id) == (
        AccessAction.CREATE,
        rektor.pk,
        pupil.pk,
        unit.pk,
        str(assignment.pk),
    )
    assert row.acting_role == "principal"


def test_assigning_someone_without_a_current_duty_at_the_pupils_unit_is_refused() -> None:
    pupil, unit, rektor, _teacher = _setting()
    elsewhere = UserFactory()
    duty(elsewhere, SchoolUnitFactory(), "teacher")
    ended = UserFactory()
    old = duty(ended, unit, "teacher")
    old.ends_on = timezone.localdate() - timedelta(days=1)
    old.save()
    for user in (elsewhere, ended):
        with pytest.raises(ValidationError) as refused:
            _assign(pupil, unit, rektor, user)
        assert "aktuellt uppdrag" in str(refused.value)
    assert not ProtectedPupilAssignment.objects.exists()
    assert not AccessEvent.objects.filter(record_type="protected_assignment").exists()


def test_assigning_the_same_person_twice_is_refused() -> None:
    pupil, unit, rektor, teacher = _setting()
    _assign(pupil, unit, rektor, teacher)
    with pytest.raises(ValidationError, match="redan tilldelad"):
        _assign(pupil, unit, rektor, teacher)
    assert AccessEvent.objects.filter(record_type="protected_assignment").count() == 1


def test_assigning_staff_to_a_pupil_without_protected_identity_is_refused() -> None:
    pupil, unit, rektor, teacher = _setting()
    pupil.protected_identity = ProtectedIdentity.NONE
    pupil.save()
    with pytest.raises(ValidationError, match="inte skyddad identitet"):
        _assign(pupil, unit, rektor, teacher)


def test_an_assignment_without_a_reason_is_refused() -> None:
    pupil, unit, rektor, teacher = _setting()
    with pytest.raises(ValidationError, match="Ange ett skäl"):
        _assign(pupil, unit, rektor, teacher, reason="   ")


def test_ending_an_assignment_keeps_a_record_that_it_existed_and_logs_it() -> None:
    pupil, unit, rektor, teacher = _setting()
    assignment = _assign(pupil, unit, rektor, teacher)
    ended = protected_assignment_end(
        pupil=pupil,
        assignment_id=assignment.pk,
        reason="Slutat undervisa klassen",
        actor_id=rektor.pk,
        school_unit_id=unit.pk,
    )
    assert not ProtectedPupilAssignment.objects.exists()
    kept = EndedProtectedPupilAssignment.objects.get()
    assert kept == ended
    assert (kept.user_id, kept.reason, kept.assigned_by_id, kept.ended_by_id) == (
        teacher.pk,
        "Klassens lärare",
        rektor.pk,
        rektor.pk,
    )
    assert kept.assigned_at == assignment.created_at
    assert kept.end_reason == "Slutat undervisa klassen"
    update = AccessEvent.objects.get(action=AccessAction.UPDATE)
    assert (update.record_type, update.record_id, update.school_unit_id) == (
        "protected_assignment",
        str(assignment.pk),
        unit.pk,
    )


def test_ending_an_assignment_that_is_already_ended_is_refused() -> None:
    pupil, unit, rektor, teacher = _setting()
    assignment = _assign(pupil, unit, rektor, teacher)

    def end() -> None:
        protected_assignment_end(
            pupil=pupil,
            assignment_id=assignment.pk,
            reason="Klar",
            actor_id=rektor.pk,
            school_unit_id=unit.pk,
        )

    end()
    with pytest.raises(ValidationError, match="redan avslutad"):
        end()
    assert EndedProtectedPupilAssignment.objects.count() == 1
