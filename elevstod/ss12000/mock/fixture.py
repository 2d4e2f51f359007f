"""A small built-in municipality in SS 12000 shape: one huvudman, two school units, staff with
duties, pupils with guardians (one with protected identity, one with no marking at all), class,
mentor and teaching groups, an activity, a fritidshem placement, an absence and attendance.

Ids are stable (uuid5 of a name) so that tests can name entities: ``ids.PUPIL_ALVA`` etc.
Civic numbers are valid (Luhn) but fictitious.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from elevstod.ss12000.mock.dataset import Dataset

NAMESPACE = uuid.UUID("6f1c1d2e-5b0a-4c8e-9a51-1f2e3d4c5b6a")

# When the fixture's entities were made, in the provider's clock.
CREATED = dt.datetime(2026, 8, 1, 6, 0, tzinfo=dt.UTC)


def uid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


class ids:  # noqa: N801 - a namespace of constants
    HUVUDMAN = uid("org:huvudman")
    SCHOOL_NORR = uid("org:norr")
    SCHOOL_SODER = uid("org:soder")
    PRINCIPAL = uid("person:principal")
    TEACHER = uid("person:teacher")
    MENTOR = uid("person:mentor")
    COUNSELLOR = uid("person:counsellor")
    PUPIL_ALVA = uid("person:alva")
    PUPIL_BORIS = uid("person:boris")
    PUPIL_CELINE = uid("person:celine")  # Skyddad folkbokföring
    PUPIL_DAVID = uid("person:david")  # no securityMarking at all
    GUARDIAN_EVA = uid("person:eva")
    GUARDIAN_FREDRIK = uid("person:fredrik")
    GUARDIAN_GUN = uid("person:gun")
    DUTY_PRINCIPAL = uid("duty:principal")
    DUTY_TEACHER = uid("duty:teacher")
    DUTY_MENTOR = uid("duty:mentor")
    DUTY_COUNSELLOR = uid("duty:counsellor")
    GROUP_CLASS_7A = uid("group:7a")
    GROUP_MENTOR_7A = uid("group:mentor-7a")
    GROUP_MATHS_7A = uid("group:maths-7a")
    ACTIVITY_MATHS_7A = uid("activity:maths-7a")
    PLACEMENT_FTH_ALVA = uid("placement:fth-alva")
    ABSENCE_BORIS = uid("absence:boris")


def luhn_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def civic_no(born: dt.date, serial: int) -> str:
    """A 12-digit personnummer with a valid check digit."""
    nine = born.strftime("%y%m%d") + f"{serial:03d}"
    return born.strftime("%Y%m%d") + f"{serial:03d}" + str(luhn_digit(nine))


def _ref(entity_id: str, name: str | None = None) -> dict[str, Any]:
    return {"id": entity_id} | ({"displayName": name} if name else {})


def _organisations() -> list[dict[str, Any]]:
    return [
        {
            "id": ids.HUVUDMAN,
            "displayName": "Exempelby kommun",
            "organisationType": "Huvudman",
            "organisationNumber": "212000-0000",
            "municipalityCode": "9999",
        },
        {
            "id": ids.SCHOOL_NORR,
            "displayName": "Norrskolan",
            "organisationType": "Skolenhet",
            "schoolUnitCode": "99990001",
            "schoolTypes": ["GR", "FTH"],
            "parentOrganisation": _ref(ids.HUVUDMAN),
            "municipalityCode": "9999",
            "startDate": "2010-07-01",
        },
        {
            "id": ids.SCHOOL_SODER,
            "displayName": "Söderskolan",
            "organisationType": "Skolenhet",
            "schoolUnitCode": "99990002",
            "schoolTypes": ["GR"],
            "parentOrganisation": _ref(ids.HUVUDMAN),
            "municipalityCode": "9999",
        },
    ]


def _person(
    entity_id: str,
    given: str,
    family: str,
    born: dt.date,
    serial: int,
    *,
    marking: str | None = "Ingen",
    **extra: Any,
) -> dict[str, Any]:
    person: dict[str, Any] = {
        "id": entity_id,
        "givenName": given,
        "familyName": family,
        "civicNo": {"value": civic_no(born, serial), "nationality": "SE"},
        "birthDate": born.isoformat(),
        "personStatus": "Aktiv",
    }
    if marking is not None:
        person["securityMarking"] = marking
    return person | extra


def _enrolment(school: str, year: int) -> dict[str, Any]:
    return {
        "enroledAt": _ref(school),
        "schoolType": "GR",
        "schoolYear": year,
        "startDate": "2026-08-17",
    }


def _guardian(person_id: str) -> dict[str, Any]:
    return {"person": _ref(person_id), "relationType": "Vårdnadshavare"}


def _persons() -> list[dict[str, Any]]:
    staff_email = {"type": "Skola personal"}
    return [
        _person(
            ids.PRINCIPAL,
            "Rut",
            "Rektorsson",
            dt.date(1975, 3, 2),
            983,
            eduPersonPrincipalNames=["rut.rektorsson@exempelby.se"],
            emails=[staff_email | {"value": "rut.rektorsson@exempelby.se"}],
        ),
        _person(
            ids.TEACHER,
            "Lars",
            "Lärare",
            dt.date(1980, 11, 20),
            985,
            eduPersonPrincipalNames=["lars.larare@exempelby.se"],
        ),
        _person(
            ids.MENTOR,
            "Maja",
            "Mentorsdotter",
            dt.date(1988, 6, 9),
            982,
            eduPersonPrincipalNames=["maja.mentorsdotter@exempelby.se"],
        ),
        _person(
            ids.COUNSELLOR,
            "Kim",
            "Kurator",
            dt.date(1979, 1, 30),
            987,
            eduPersonPrincipalNames=["kim.kurator@exempelby.se"],
        ),
        _person(
            ids.PUPIL_ALVA,
            "Alva",
            "Andersson",
            dt.date(2013, 4, 12),
            982,
            responsibles=[_guardian(ids.GUARDIAN_EVA), _guardian(ids.GUARDIAN_FREDRIK)],
            enrolments=[_enrolment(ids.SCHOOL_NORR, 7)],
        ),
        _person(
            ids.PUPIL_BORIS,
            "Boris",
            "Berg",
            dt.date(2013, 9, 1),
            981,
            responsibles=[_guardian(ids.GUARDIAN_GUN)],
            enrolments=[_enrolment(ids.SCHOOL_NORR, 7)],
        ),
        _person(
            ids.PUPIL_CELINE,
            "Céline",
            "Carlsson",
            dt.date(2013, 2, 27),
            984,
            marking="Skyddad folkbokföring",
            enrolments=[_enrolment(ids.SCHOOL_NORR, 7)],
        ),
        _person(
            ids.PUPIL_DAVID,
            "David",
            "Dahl",
            dt.date(2014, 12, 5),
            986,
            marking=None,
            enrolments=[_enrolment(ids.SCHOOL_SODER, 6)],
        ),
        _person(ids.GUARDIAN_EVA, "Eva", "Andersson", dt.date(1984, 5, 17), 988),
        _person(ids.GUARDIAN_FREDRIK, "Fredrik", "Andersson", dt.date(1983, 8, 8), 989),
        _person(ids.GUARDIAN_GUN, "Gun", "Berg", dt.date(1985, 10, 23), 980),
    ]


def _duties() -> list[dict[str, Any]]:
    def duty(entity_id: str, person: str, role: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": entity_id,
            "person": _ref(person),
            "dutyAt": _ref(ids.SCHOOL_NORR),
            "dutyRole": role,
            "startDate": "2026-08-01",
        } | extra

    return [
        duty(ids.DUTY_PRINCIPAL, ids.PRINCIPAL, "Rektor", dutyPercent=100),
        duty(ids.DUTY_TEACHER, ids.TEACHER, "Lärare", signature="LL"),
        duty(
            ids.DUTY_MENTOR,
            ids.MENTOR,
            "Lärare",
            signature="MM",
            assignmentRole=[
                {
                    "assignmentRoleType": "Mentor",
                    "group": _ref(ids.GROUP_MENTOR_7A),
                    "startDate": "2026-08-17",
                }
            ],
        ),
        duty(ids.DUTY_COUNSELLOR, ids.COUNSELLOR, "Kurator"),
    ]


def _groups() -> list[dict[str, Any]]:
    pupils_7a = [ids.PUPIL_ALVA, ids.PUPIL_BORIS, ids.PUPIL_CELINE]

    def group(entity_id: str, name: str, group_type: str) -> dict[str, Any]:
        return {
            "id": entity_id,
            "displayName": name,
            "groupType": group_type,
            "schoolType": "GR",
            "organisation": _ref(ids.SCHOOL_NORR),
            "startDate": "2026-08-17",
            "endDate": "2027-06-11",
            "groupMemberships": [
                {"person": _ref(pupil), "startDate": "2026-08-17"} for pupil in pupils_7a
            ],
        }

    return [
        group(ids.GROUP_CLASS_7A, "7A", "Klass"),
        group(ids.GROUP_MENTOR_7A, "Mentorsgrupp 7A", "Mentor"),
        group(ids.GROUP_MATHS_7A, "Matematik 7A", "Undervisning"),
    ]


def _activities() -> list[dict[str, Any]]:
    return [
        {
            "id": ids.ACTIVITY_MATHS_7A,
            "displayName": "Matematik 7A",
            "activityType": "Undervisning",
            "calendarEventsRequired": False,
            "organisation": _ref(ids.SCHOOL_NORR),
            "groups": [_ref(ids.GROUP_MATHS_7A)],
            "teachers": [{"duty": _ref(ids.DUTY_TEACHER), "startDate": "2026-08-17"}],
            "startDate": "2026-08-17",
            "endDate": "2027-06-11",
        }
    ]


def _placements() -> list[dict[str, Any]]:
    return [
        {
            "id": ids.PLACEMENT_FTH_ALVA,
            "child": _ref(ids.PUPIL_ALVA),
            "placedAt": _ref(ids.SCHOOL_NORR),
            "schoolType": "FTH",
            "startDate": "2026-08-17",
            "owners": [_ref(ids.GUARDIAN_EVA)],
        }
    ]


def _absences() -> list[dict[str, Any]]:
    return [
        {
            "id": ids.ABSENCE_BORIS,
            "student": _ref(ids.PUPIL_BORIS),
            "organisation": _ref(ids.SCHOOL_NORR),
            "type": "Anmäld frånvaro",
            "startTime": "2026-09-14T08:00:00Z",
            "endTime": "2026-09-14T16:00:00Z",
        }
    ]


def _attendance() -> list[dict[str, Any]]:
    return [
        {
            "student": _ref(pupil),
            "activity": _ref(ids.ACTIVITY_MATHS_7A),
            "startDate": "2026-08-17",
            "endDate": "2026-09-30",
            "attendanceSum": attended,
            "offeredSum": 1200,
            "validAbsenceSum": 1200 - attended - invalid,
            "invalidAbsenceSum": invalid,
        }
        for pupil, attended, invalid in (
            (ids.PUPIL_ALVA, 1140, 0),
            (ids.PUPIL_BORIS, 900, 180),
            (ids.PUPIL_CELINE, 1200, 0),
        )
    ]


def small_dataset(created: dt.datetime = CREATED) -> Dataset:
    """The built-in municipality; every entity created and last modified at ``created``."""
    dataset = Dataset()
    dataset.add_all("organisations", _organisations(), at=created)
    dataset.add_all("persons", _persons(), at=created)
    dataset.add_all("duties", _duties(), at=created)
    dataset.add_all("groups", _groups(), at=created)
    dataset.add_all("activities", _activities(), at=created)
    dataset.add_all("placements", _placements(), at=created)
    dataset.add_all("absences", _absences(), at=created)
    dataset.aggregated_attendance.extend(_attendance())
    return dataset
