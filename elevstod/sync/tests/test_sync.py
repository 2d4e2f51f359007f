"""The SS 12000 sync against the mock provider over HTTP (decision 0021)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from elevstod.accounts.models import ExternalIdentity, User
from elevstod.organisation.models import EducationProvider, Group, GroupStaff, SchoolUnit, UnitDuty
from elevstod.people.models import (
    GroupMembership,
    Guardian,
    Guardianship,
    ProtectedIdentity,
    Pupil,
)
from elevstod.ss12000.client import SS12000Client
from elevstod.ss12000.mock.fixture import ids
from elevstod.ss12000.mock.server import MockProvider
from elevstod.sync import services
from elevstod.sync.models import LinkKind, SyncKind, SyncLink, SyncStatus
from elevstod.sync.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

LATER = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


def sync(client: SS12000Client, *, full: bool = False) -> services.SyncRun:
    return services.run_sync(full=full, client=client, today=TODAY)


def local(kind: str, source: str) -> uuid.UUID:
    return SyncLink.objects.get(kind=kind, source_id=uuid.UUID(source)).local_id


def test_a_first_sync_brings_the_municipality_in(client: SS12000Client) -> None:
    run = sync(client)

    assert run.kind == SyncKind.FULL
    assert run.status == SyncStatus.SUCCEEDED
    assert run.high_water_mark == dt.datetime(2026, 8, 1, 6, 0, tzinfo=dt.UTC)
    provider = EducationProvider.objects.get()
    assert provider.organisation_number == "212000-0000"
    assert provider.kind == "municipal"
    norr = SchoolUnit.objects.get(unit_code="99990001")
    assert norr.provider == provider
    assert norr.school_forms == ["grundskola"]
    assert Pupil.objects.count() == 4
    assert Guardian.objects.count() == 3
    alva = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_ALVA))
    assert alva.identity_number.startswith("20130412")
    assert alva.birth_date == dt.date(2013, 4, 12)
    placement = alva.placements.get()
    assert (placement.school_unit, placement.school_form, placement.grade) == (
        norr,
        "grundskola",
        7,
    )
    assert sorted(g.guardian.first_name for g in alva.guardianships.filter(has_custody=True)) == [
        "Eva",
        "Fredrik",
    ]
    assert run.counts["pupil"] == {"created": 4}


def test_security_marking_maps_to_protected_identity_and_a_missing_one_is_protected(
    client: SS12000Client,
) -> None:
    sync(client)

    celine = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_CELINE))
    david = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_DAVID))
    alva = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_ALVA))
    assert celine.protected_identity == ProtectedIdentity.PROTECTED_REGISTRATION
    assert david.protected_identity == ProtectedIdentity.MARKING_MISSING
    assert david.is_protected
    assert not alva.is_protected


def test_staff_get_accounts_duties_and_their_groups_and_sign_in_identities(
    client: SS12000Client,
) -> None:
    sync(client)

    principal = User.objects.get(pk=local(LinkKind.USER, ids.PRINCIPAL))
    assert principal.username == "rut.rektorsson@exempelby.se"
    assert not principal.has_usable_password()
    assert UnitDuty.objects.get(user=principal).duty == "principal"
    kinds = set(ExternalIdentity.objects.filter(user=principal).values_list("kind", flat=True))
    assert kinds == {"eppn", "civic_no"}
    mentor = User.objects.get(pk=local(LinkKind.USER, ids.MENTOR))
    teacher = User.objects.get(pk=local(LinkKind.USER, ids.TEACHER))
    mentor_group = Group.objects.get(pk=local(LinkKind.GROUP, ids.GROUP_MENTOR_7A))
    maths = Group.objects.get(pk=local(LinkKind.GROUP, ids.GROUP_MATHS_7A))
    assert GroupStaff.objects.filter(group=mentor_group, user=mentor, role="mentor").exists()
    assert GroupStaff.objects.filter(group=maths, user=teacher, role="teacher").exists()
    assert maths.memberships.count() == 3
    assert maths.grade == 7
    assert maths.academic_year.name == "2026/27"


def test_a_second_run_changes_nothing(client: SS12000Client) -> None:
    sync(client)
    before = (Pupil.objects.count(), GroupMembership.objects.count(), User.objects.count())

    again = sync(client, full=True)

    assert again.status == SyncStatus.SUCCEEDED
    assert all(set(counts) == {"unchanged"} for counts in again.counts.values() if counts), (
        again.counts
    )
    assert (Pupil.objects.count(), GroupMembership.objects.count(), User.objects.count()) == before


def test_a_delta_reads_only_what_changed_after_the_providers_mark(
    client: SS12000Client, provider: MockProvider
) -> None:
    first = sync(client)
    provider.dataset.update("persons", ids.PUPIL_BORIS, {"familyName": "Bergström"}, at=LATER)

    delta = sync(client)

    assert delta.kind == SyncKind.DELTA
    assert delta.modified_after == first.high_water_mark
    # Each listing keeps its own mark; the run's is the earliest of them.
    assert delta.marks["person"] == LATER.isoformat()
    assert delta.marks["duty"] == first.marks["duty"]
    assert delta.high_water_mark == first.high_water_mark
    assert Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_BORIS)).last_name == "Bergström"
    assert delta.counts["pupil"] == {"updated": 1}
    asked = provider.requests_to("/persons")[-1]
    assert asked["meta.modified.after"] == ["2026-08-01T06:00:00+00:00"]


def test_a_pupil_who_moves_keeps_the_old_placement_ended(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    provider.dataset.update(
        "persons",
        ids.PUPIL_ALVA,
        {
            "enrolments": [
                {
                    "enroledAt": {"id": ids.SCHOOL_NORR},
                    "schoolType": "GR",
                    "schoolYear": 7,
                    "startDate": "2026-08-17",
                    "endDate": "2026-10-02",
                },
                {
                    "enroledAt": {"id": ids.SCHOOL_SODER},
                    "schoolType": "GR",
                    "schoolYear": 7,
                    "startDate": "2026-10-05",
                },
            ]
        },
        at=LATER,
    )

    sync(client)

    alva = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_ALVA))
    placements = {p.school_unit.unit_code: p.ends_on for p in alva.placements.all()}
    assert placements == {"99990001": dt.date(2026, 10, 2), "99990002": None}


def test_deletions_end_placements_duties_and_accounts_and_remove_nothing(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    provider.dataset.delete("persons", ids.PUPIL_BORIS, at=LATER)
    provider.dataset.delete("duties", ids.DUTY_COUNSELLOR, at=LATER)
    provider.dataset.delete("persons", ids.GUARDIAN_GUN, at=LATER)

    run = sync(client)

    boris = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_BORIS))
    assert boris.placements.get().ends_on == TODAY - dt.timedelta(days=1)
    assert not boris.memberships.exists()
    assert not User.objects.get(pk=local(LinkKind.USER, ids.PUPIL_BORIS)).is_active
    counsellor_duty = UnitDuty.objects.get(pk=local(LinkKind.DUTY, ids.DUTY_COUNSELLOR))
    assert counsellor_duty.ends_on == TODAY - dt.timedelta(days=1)
    assert not Guardianship.objects.filter(pupil=boris, has_custody=True).exists()
    assert Guardian.objects.filter(pk=local(LinkKind.GUARDIAN, ids.GUARDIAN_GUN)).exists()
    assert run.counts["duty"]["ended"] == 1


def test_a_full_sync_ends_what_the_provider_no_longer_lists(
    client: SS12000Client, provider: MockProvider
) -> None:
    sync(client)
    # Gone without a deletion record: only a full sync notices.
    with provider.dataset._lock:
        del provider.dataset.entities["duties"][ids.DUTY_TEACHER]
        provider.dataset.version += 1

    sync(client, full=True)

    duty = UnitDuty.objects.get(pk=local(LinkKind.DUTY, ids.DUTY_TEACHER))
    assert duty.ends_on == TODAY - dt.timedelta(days=1)
    teacher = local(LinkKind.USER, ids.TEACHER)
    assert not GroupStaff.objects.filter(user_id=teacher, role="teacher").exists()


def test_bad_rows_are_refused_with_a_reason_and_nothing_else_is_lost(
    client: SS12000Client, provider: MockProvider
) -> None:
    dataset = provider.dataset
    dataset.update("persons", ids.PUPIL_DAVID, {"civicNo": {"value": "201412050000"}}, at=LATER)
    dataset.update(
        "persons",
        ids.PUPIL_BORIS,
        {"responsibles": [{"person": {"id": str(uuid.uuid4())}, "relationType": "Vårdnadshavare"}]},
        at=LATER,
    )
    dataset.update("duties", ids.DUTY_COUNSELLOR, {"dutyAt": {"id": str(uuid.uuid4())}}, at=LATER)

    run = sync(client)

    reasons = {(row["entity"], row["reason"]): row["count"] for row in run.refusals}
    assert reasons == {
        ("person", "invalid_civic_no"): 1,
        ("guardianship", "responsible_without_person"): 1,
        ("duty", "unknown_organisation"): 1,
    }
    assert run.status == SyncStatus.SUCCEEDED
    assert Pupil.objects.count() == 3  # David refused, the others in
    assert "201412050000" not in str(run.refusals) + str(run.counts)


def test_a_failed_page_keeps_the_mark_and_ends_nothing(
    client: SS12000Client, provider: MockProvider
) -> None:
    first = sync(client)
    provider.inject("server_error", path="/duties", times=5)

    run = sync(client, full=True)

    assert run.status == SyncStatus.PARTIAL
    assert run.high_water_mark is None
    assert not UnitDuty.objects.filter(ends_on__isnull=False).exists()
    assert services.last_complete_run() == first
    assert {"entity": "duty", "reason": "page_failed", "count": 1} in run.refusals


def test_the_support_chain_stays_at_the_old_unit_when_a_pupil_moves_or_leaves(
    client: SS12000Client, provider: MockProvider
) -> None:
    from elevstod.support.models import Concern

    sync(client)
    alva = Pupil.objects.get(pk=local(LinkKind.PUPIL, ids.PUPIL_ALVA))
    norr = SchoolUnit.objects.get(unit_code="99990001")
    concern = Concern.objects.create(
        pupil=alva,
        school_unit=norr,
        created_by=User.objects.get(pk=local(LinkKind.USER, ids.TEACHER)),
        source="teaching",
        raised_on=dt.date(2026, 9, 1),
        description="Läser långsamt.",
    )
    provider.dataset.update(
        "persons",
        ids.PUPIL_ALVA,
        {
            "enrolments": [
                {
                    "enroledAt": {"id": ids.SCHOOL_SODER},
                    "schoolType": "GR",
                    "schoolYear": 7,
                    "startDate": "2026-10-05",
                }
            ]
        },
        at=LATER,
    )
    sync(client)
    provider.dataset.delete("persons", ids.PUPIL_ALVA, at=LATER + dt.timedelta(hours=1))
    sync(client)

    concern.refresh_from_db()
    assert concern.school_unit == norr
    assert concern.state == "open"
    assert concern.description == "Läser långsamt."
    alva.refresh_from_db()  # the pupil stays, her record reachable as the policy says
    assert alva.placements.filter(ends_on__isnull=True).count() == 0
