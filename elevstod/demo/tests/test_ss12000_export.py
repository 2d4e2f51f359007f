"""The generated municipality in SS 12000 shape (issue 11): valid by the official document, the
plan's own ids, and served by the mock provider to the client page by page."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any
from uuid import UUID

import pytest
from django.core.management import call_command

from elevstod.demo.generator import build_plan
from elevstod.demo.plan import Plan
from elevstod.demo.ss12000_export import (
    EPPN_DOMAIN,
    activity_id,
    dataset_for_tier,
    plan_to_dataset,
    staff_duty_id,
)
from elevstod.organisation.duties import UnitDutyKind
from elevstod.organisation.models import GroupStaffRole
from elevstod.people.identity import parse_identity_number
from elevstod.people.models import ProtectedIdentity
from elevstod.ss12000.client import ClientConfig, SS12000Client
from elevstod.ss12000.mock.dataset import Dataset, timestamp
from elevstod.ss12000.mock.server import MockProvider
from elevstod.ss12000.tests.conformance import assert_conforms, problems_with

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def plan() -> Plan:
    # Demo users: the elev has an account, so a pupil's eduPersonPrincipalName is exported too.
    return build_plan("small", seed=1, demo_users=True, today=TODAY)


@pytest.fixture(scope="module")
def dataset(plan: Plan) -> Dataset:
    return plan_to_dataset(plan)


@pytest.fixture(scope="module")
def persons(dataset: Dataset) -> dict[str, dict[str, Any]]:
    return dataset.entities["persons"]


@pytest.fixture(scope="module")
def duties(dataset: Dataset) -> dict[str, dict[str, Any]]:
    return dataset.entities["duties"]


def _teacher_duty(
    duties: dict[str, dict[str, Any]], user_id: UUID, unit_id: UUID
) -> dict[str, Any]:
    (duty,) = [
        duty
        for duty in duties.values()
        if duty["person"]["id"] == str(user_id)
        and duty["dutyAt"]["id"] == str(unit_id)
        and duty["dutyRole"] == "Lärare"
    ]
    return duty


def test_every_entity_of_every_endpoint_conforms_to_the_official_document(dataset):
    problems = []
    for endpoint, rows in dataset.entities.items():
        body = {"data": list(rows.values()), "pageToken": None}
        problems += problems_with(f"/{endpoint}", 200, body)

    assert problems == []
    assert all(dataset.entities[endpoint] for endpoint in ("organisations", "persons", "duties"))


def test_counts_and_ids_are_the_plans(plan, dataset, persons):
    staff = (
        {row.user_id for row in plan.unit_duties}
        | {row.user_id for row in plan.group_staff}
        | {row.user_id for row in plan.provider_duties}
    )
    expected_persons = staff | {p.id for p in plan.pupils} | {g.id for g in plan.guardians}
    organisations = dataset.entities["organisations"]
    types = Counter(row["organisationType"] for row in organisations.values())

    assert set(map(UUID, persons)) == expected_persons
    assert len(persons) == len(staff) + len(plan.pupils) + len(plan.guardians)
    assert types == {"Huvudman": len(plan.providers), "Skolenhet": len(plan.units)}
    assert set(map(UUID, organisations)) == {p.id for p in plan.providers} | {
        u.id for u in plan.units
    }
    assert set(map(UUID, dataset.entities["groups"])) == {g.id for g in plan.groups}


def test_every_unit_duty_but_mentor_is_a_duty_with_its_own_id(plan, duties):
    kept = {row.id: row for row in plan.unit_duties if row.duty != UnitDutyKind.MENTOR}
    mentor_rows = {row.id for row in plan.unit_duties if row.duty == UnitDutyKind.MENTOR}
    made = {UUID(i) for i in duties} - set(kept)

    assert mentor_rows
    assert not mentor_rows & {UUID(i) for i in duties}
    assert set(kept) <= {UUID(i) for i in duties}
    for duty_id in made:  # only "Lärare" duties made for mentors, at a uuid5 of user and unit
        duty = duties[str(duty_id)]
        assert duty["dutyRole"] == "Lärare"
        assert duty_id == staff_duty_id(UUID(duty["person"]["id"]), UUID(duty["dutyAt"]["id"]))
    roles = Counter(duties[str(row_id)]["dutyRole"] for row_id in kept)
    assert roles["Rektor"] == len(plan.units)
    assert roles["Övrig arbetsledning"] >= 1
    assert roles["Speciallärare/specialpedagog"] >= len(plan.units)


def test_a_guardian_with_custody_is_vardnadshavare_and_one_without_annan_ansvarig(plan, persons):
    with_custody = next(row for row in plan.guardianships if row.has_custody)
    without_custody = next(row for row in plan.guardianships if not row.has_custody)

    for row, relation in ((with_custody, "Vårdnadshavare"), (without_custody, "Annan ansvarig")):
        responsibles = persons[str(row.pupil_id)]["responsibles"]
        assert {"person": {"id": str(row.guardian_id)}, "relationType": relation} in responsibles
    guardians = sum(len(persons[str(p.id)]["responsibles"]) for p in plan.pupils)
    assert guardians == len(plan.guardianships)


@pytest.mark.parametrize(
    ("protected", "marking"),
    [
        (ProtectedIdentity.NONE, "Ingen"),
        (ProtectedIdentity.CONFIDENTIALITY_MARKING, "Sekretessmarkering"),
        (ProtectedIdentity.PROTECTED_REGISTRATION, "Skyddad folkbokföring"),
    ],
)
def test_a_pupils_protected_identity_is_its_security_marking(plan, persons, protected, marking):
    pupils = [pupil for pupil in plan.pupils if pupil.protected_identity == protected]

    assert pupils
    assert {persons[str(pupil.id)]["securityMarking"] for pupil in pupils} == {marking}


def test_a_pupil_whose_marking_is_missing_is_exported_without_one(plan):
    unmarked = copy.copy(plan.pupils[0])
    unmarked.protected_identity = ProtectedIdentity.MARKING_MISSING
    exported = plan_to_dataset(dataclasses.replace(plan, pupils=[unmarked, *plan.pupils[1:]]))

    assert "securityMarking" not in exported.entities["persons"][str(unmarked.id)]


def test_a_pupil_has_an_enrolment_per_placement_and_a_civic_number_when_there_is_one(plan, persons):
    moved = next(row for row in plan.placements if row.ends_on is not None)
    reserve = next(pupil for pupil in plan.pupils if not pupil.identity_number)
    numbered = next(pupil for pupil in plan.pupils if pupil.identity_number)

    assert {
        "enroledAt": {"id": str(moved.school_unit_id)},
        "schoolType": "GR",
        "schoolYear": moved.grade,
        "startDate": moved.starts_on.isoformat(),
        "endDate": moved.ends_on.isoformat(),
    } in persons[str(moved.pupil_id)]["enrolments"]
    assert sum(len(persons[str(p.id)]["enrolments"]) for p in plan.pupils) == len(plan.placements)
    assert "civicNo" not in persons[str(reserve.id)]
    assert persons[str(numbered.id)]["civicNo"] == {
        "value": numbered.identity_number,
        "nationality": "SE",
    }


def test_a_mentor_is_an_assignment_role_on_their_teacher_duty(plan, duties):
    groups = {group.id: group for group in plan.groups}
    mentors = [row for row in plan.group_staff if row.role == GroupStaffRole.MENTOR]

    assert mentors
    for row in mentors:
        group = groups[row.group_id]
        duty = _teacher_duty(duties, row.user_id, group.school_unit_id)
        assert {
            "assignmentRoleType": "Mentor",
            "group": {"id": str(group.id)},
            "startDate": next(
                y for y in plan.years if y.id == group.academic_year_id
            ).starts_on.isoformat(),
        } in duty["assignmentRole"]
    roles = [role for duty in duties.values() for role in duty.get("assignmentRole", [])]
    assert len(roles) == len(mentors)


def test_a_group_taught_by_a_teacher_has_an_activity_naming_the_teachers_duty(
    plan, dataset, duties
):
    groups = {group.id: group for group in plan.groups}
    taught = [row for row in plan.group_staff if row.role == GroupStaffRole.TEACHER]
    activities = dataset.entities["activities"]

    assert len(activities) == len({row.group_id for row in taught})
    for row in taught[:20]:
        activity = activities[str(activity_id(row.group_id))]
        duty = _teacher_duty(duties, row.user_id, groups[row.group_id].school_unit_id)
        assert activity["groups"] == [{"id": str(row.group_id)}]
        assert activity["displayName"] == groups[row.group_id].name
        assert {"duty": {"id": duty["id"]}, "startDate": activity["startDate"]} in activity[
            "teachers"
        ]


def test_group_memberships_are_the_plans(plan, dataset):
    groups = dataset.entities["groups"]
    exported = {
        (UUID(member["person"]["id"]), UUID(group_id))
        for group_id, group in groups.items()
        for member in group["groupMemberships"]
    }

    assert exported == {(row.pupil_id, row.group_id) for row in plan.memberships}
    assert {group["groupType"] for group in groups.values()} == {"Klass", "Undervisning"}


def test_staff_sign_in_names_and_fictitious_civic_numbers(plan, persons):
    staff_ids = {row.user_id for row in plan.unit_duties}
    staff = [user for user in plan.users if user.id in staff_ids]
    numbers = [p["civicNo"]["value"] for p in persons.values() if "civicNo" in p]

    assert len(numbers) == len(set(numbers))  # staff numbers collide with no one's
    for user in staff:
        person = persons[str(user.id)]
        number, _kind = parse_identity_number(person["civicNo"]["value"])  # Luhn-valid
        assert number == person["civicNo"]["value"]
        assert 1960 <= int(number[:4]) <= 1995
        assert person["birthDate"] == f"{number[:4]}-{number[4:6]}-{number[6:8]}"
        assert person["eduPersonPrincipalNames"] == [f"{user.username}@{EPPN_DOMAIN}"]
        assert person["emails"] == [{"value": user.email, "type": "Skola personal"}]
    rektor = next(user for user in plan.users if user.username == "rektor")
    assert persons[str(rektor.id)]["eduPersonPrincipalNames"] == [f"rektor@{EPPN_DOMAIN}"]


def test_a_pupil_with_an_account_has_its_sign_in_name(plan, persons):
    elev = next(user for user in plan.users if user.username == "elev")
    pupil = next(pupil for pupil in plan.pupils if pupil.user_id == elev.id)
    others = [p for p in plan.pupils if p.user_id is None]

    assert persons[str(pupil.id)]["eduPersonPrincipalNames"] == [f"elev@{EPPN_DOMAIN}"]
    assert not any("eduPersonPrincipalNames" in persons[str(p.id)] for p in others)


def test_a_guardians_birth_date_comes_from_the_civic_number(plan, persons):
    coordination = next(g for g in plan.guardians if int(g.identity_number[6:8]) > 60)
    person = persons[str(coordination.id)]
    number = coordination.identity_number

    assert person["birthDate"] == f"{number[:4]}-{number[4:6]}-{int(number[6:8]) - 60:02d}"
    assert person["phoneNumbers"] == [{"value": coordination.phone, "type": "Hem", "mobile": True}]


def test_every_entity_has_the_one_provider_moment(plan, dataset):
    moment = timestamp(plan.loaded_at)
    metas = {
        (row["meta"]["created"], row["meta"]["modified"])
        for rows in dataset.entities.values()
        for row in rows.values()
    }
    later = plan_to_dataset(plan, at=dt.datetime(2026, 8, 17, 4, tzinfo=dt.UTC))

    assert metas == {(moment, moment)}
    assert {row["meta"]["modified"] for row in later.entities["groups"].values()} == {
        "2026-08-17T04:00:00Z"
    }


@pytest.fixture(scope="module")
def served(dataset: Dataset) -> Iterator[MockProvider]:
    provider = MockProvider(dataset, page_size=100).start()
    try:
        yield provider
    finally:
        provider.stop()
    assert_conforms(provider.responses)


def test_the_mock_serves_the_municipality_page_by_page(served, dataset):
    config = ClientConfig(base_url=served.url, page_size=100, timeout_seconds=10.0)
    with SS12000Client(config) as client:
        pages = list(client.persons())
        groups = [group for page in client.groups() for group in page.items]
        organisations = [row for page in client.organisations() for row in page.items]

    persons = [person for page in pages for person in page.items]
    assert len(pages) == -(-len(dataset.entities["persons"]) // 100) > 1
    assert not any(page.refused for page in pages)
    assert {str(person.id) for person in persons} == set(dataset.entities["persons"])
    assert {str(group.id) for group in groups} == set(dataset.entities["groups"])
    assert len(organisations) == len(dataset.entities["organisations"])
    assert all(set(query) == {"pageToken", "limit"} for query in served.requests_to("/persons")[1:])


def test_dataset_for_tier_builds_the_same_dataset_as_the_plan(dataset):
    again = dataset_for_tier("small", seed=1, today=TODAY, demo_users=True)

    assert again.entities == dataset.entities


def test_the_command_builds_the_tier_and_starts_the_mock(monkeypatch):
    started: list[MockProvider] = []
    monkeypatch.setattr(MockProvider, "serve_forever", lambda self: started.append(self))
    out = StringIO()

    call_command(
        "serve_ss12000_mock", "--tier", "small", "--today", TODAY.isoformat(), "--port", "0",
        stdout=out,
    )  # fmt: skip

    (provider,) = started
    assert len(provider.dataset.entities["persons"]) > 1000
    assert "persons " in out.getvalue()
    assert "http://127.0.0.1:0/v2.0" in out.getvalue()
