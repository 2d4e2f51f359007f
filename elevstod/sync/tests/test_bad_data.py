"""What the review of issue 11 found: rows that stop mapping end what they gave, a bad row never
fails the run or ends what it names, and the mark cannot be pinned or skip a change."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from elevstod.accounts.federation import find_user
from elevstod.accounts.models import ExternalIdentity, User
from elevstod.organisation.models import AcademicYear, GroupStaff, SchoolUnit, UnitDuty
from elevstod.people.models import Placement, Pupil
from elevstod.ss12000.client import SS12000Client
from elevstod.ss12000.mock.fixture import ids
from elevstod.ss12000.mock.server import MockProvider
from elevstod.sync import services
from elevstod.sync.models import LinkKind, SyncLink, SyncStatus
from elevstod.sync.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

LATER = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
YESTERDAY = TODAY - dt.timedelta(days=1)


def sync(client: SS12000Client, *, full: bool = False) -> services.SyncRun:
    return services.run_sync(full=full, client=client, today=TODAY)


def local(kind: str, source: str) -> uuid.UUID:
    return SyncLink.objects.get(kind=kind, source_id=uuid.UUID(source)).local_id


def test_a_duty_whose_role_stops_mapping_ends(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    provider.dataset.update("duties", ids.DUTY_PRINCIPAL, {"dutyRole": "Annan personal"}, at=LATER)

    sync(client)
    sync(client, full=True)

    assert UnitDuty.objects.get(pk=local(LinkKind.DUTY, ids.DUTY_PRINCIPAL)).ends_on == YESTERDAY


def test_a_vacated_duty_ends_and_its_teacher_leaves_the_group(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    duty = dict(provider.dataset.entities["duties"][ids.DUTY_TEACHER])
    duty.pop("person")
    duty["meta"] = {**duty["meta"], "modified": "2026-10-01T12:00:00Z"}
    provider.dataset.entities["duties"][ids.DUTY_TEACHER] = duty
    provider.dataset.version += 1

    sync(client)

    assert UnitDuty.objects.get(pk=local(LinkKind.DUTY, ids.DUTY_TEACHER)).ends_on == YESTERDAY
    teacher = local(LinkKind.USER, ids.TEACHER)
    assert not GroupStaff.objects.filter(user_id=teacher, role="teacher").exists()


def test_a_malformed_row_with_an_upper_case_id_is_not_gone(
    lax_client: tuple[SS12000Client, MockProvider],
) -> None:
    client, mock = lax_client
    sync(client)
    record = dict(mock.dataset.entities["persons"][ids.PUPIL_ALVA])
    del mock.dataset.entities["persons"][ids.PUPIL_ALVA]
    record |= {"id": ids.PUPIL_ALVA.upper(), "givenName": None}
    mock.dataset.entities["persons"][record["id"]] = record
    mock.dataset.version += 1

    run = sync(client, full=True)

    assert {"entity": "person", "reason": "malformed", "count": 1} in run.refusals
    assert User.objects.get(pk=local(LinkKind.USER, ids.PUPIL_ALVA)).is_active
    alva = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_ALVA))
    assert alva.placements.get().ends_on is None


def test_bad_rows_never_fail_the_run(lax_client: tuple[SS12000Client, MockProvider]) -> None:
    client, mock = lax_client
    dataset = mock.dataset
    boris = dataset.entities["persons"][ids.PUPIL_BORIS]
    enrolment = dict(boris["enrolments"][0], schoolYear=-1)  # förskoleklass in some systems
    dataset.update("persons", ids.PUPIL_BORIS, {"enrolments": [enrolment]}, at=LATER)
    twin = dict(dataset.entities["organisations"][ids.SCHOOL_SODER], id=str(uuid.uuid4()))
    dataset.add("organisations", twin, at=LATER)  # the same skolenhetskod twice

    run = sync(client)

    assert run.status == SyncStatus.SUCCEEDED
    reasons = {(row["entity"], row["reason"]) for row in run.refusals}
    assert ("unit", "unit_code_taken") in reasons
    assert SchoolUnit.objects.filter(unit_code="99990002").count() == 1
    assert Placement.objects.get(pupil_id=local(LinkKind.PUPIL, ids.PUPIL_BORIS)).grade is None


def test_the_academic_year_comes_from_the_calendar_not_a_group(
    client: SS12000Client, provider: MockProvider
) -> None:
    provider.dataset.update("groups", ids.GROUP_MATHS_7A, {"endDate": "2026-12-20"}, at=LATER)

    sync(client)

    year = AcademicYear.objects.get(name="2026/27")
    assert (year.starts_on, year.ends_on) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))


def test_a_row_from_the_future_does_not_pin_the_mark(
    client: SS12000Client, provider: MockProvider
) -> None:
    far = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    provider.dataset.update("persons", ids.GUARDIAN_EVA, {"familyName": "Framtid"}, at=far)

    run = sync(client)

    assert run.high_water_mark == dt.datetime(2026, 8, 1, 6, 0, tzinfo=dt.UTC)
    assert "2099" not in str(run.marks)


def test_a_refused_enrolment_does_not_end_the_placement(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    alva = provider.dataset.entities["persons"][ids.PUPIL_ALVA]
    typo = dict(alva["enrolments"][0], endDate="2026-08-16")  # the day before it starts
    provider.dataset.update("persons", ids.PUPIL_ALVA, {"enrolments": [typo]}, at=LATER)

    run = sync(client)

    assert {"entity": "placement", "reason": "malformed", "count": 1} in run.refusals
    placement = Placement.objects.get(pupil_id=local(LinkKind.PUPIL, ids.PUPIL_ALVA))
    assert placement.ends_on is None


def test_a_blank_principal_name_is_no_sign_in_identity(
    client: SS12000Client, provider: MockProvider
) -> None:
    provider.dataset.update(
        "persons", ids.TEACHER, {"eduPersonPrincipalNames": [" "]}, at=dt.datetime.now(dt.UTC)
    )

    sync(client)

    teacher = User.objects.get(pk=local(LinkKind.USER, ids.TEACHER))
    assert teacher.username == f"ss12000-{ids.TEACHER}"
    kinds = set(ExternalIdentity.objects.filter(user=teacher).values_list("kind", flat=True))
    assert kinds == {"civic_no"}
    assert find_user("eppn", " ") is None


def test_a_name_moving_from_one_person_to_another_moves_in_one_run(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    name = "lars.larare@exempelby.se"
    provider.dataset.update("persons", ids.TEACHER, {"eduPersonPrincipalNames": []}, at=LATER)
    provider.dataset.update("persons", ids.MENTOR, {"eduPersonPrincipalNames": [name]}, at=LATER)

    sync(client)
    again = sync(client, full=True)

    assert find_user("eppn", name) == User.objects.get(pk=local(LinkKind.USER, ids.MENTOR))
    assert "identity" not in again.counts or set(again.counts["identity"]) <= {"unchanged"}


def test_a_time_without_a_zone_refuses_the_row_not_the_run() -> None:
    from elevstod.ss12000.client import _parse_rows
    from elevstod.ss12000.schemas import Person

    row = {
        "id": str(uuid.uuid4()),
        "givenName": "A",
        "familyName": "B",
        "meta": {"created": "2026-08-01T06:00:00", "modified": "2026-08-01T06:00:00"},
    }
    items, refused = _parse_rows([row], Person)
    assert items == []
    assert len(refused) == 1
