"""The generated municipality: guarded, deterministic, valid, and with every relation at unit A."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from elevstod.access.context import load_user_context
from elevstod.accounts.models import User
from elevstod.demo.generator import (
    CURRENT_YEAR,
    DEMO_CLASS,
    DEMO_USERNAMES,
    SNAPSHOT_DAY,
    TIERS,
    build_plan,
    generate,
)
from elevstod.organisation.models import (
    EducationProvider,
    Group,
    GroupStaff,
    ProviderDuty,
    PupilHealthTeam,
    SchoolUnit,
    UnitDuty,
)
from elevstod.people.identity import IdentityKind, parse_identity_number
from elevstod.people.models import (
    GroupMembership,
    Guardian,
    Guardianship,
    Placement,
    ProtectedIdentity,
    ProtectedPupilAssignment,
    Pupil,
)


@pytest.fixture
def demo_mode(settings):  # type: ignore[no-untyped-def]
    settings.ELEVSTOD_DEMO_MODE = True
    return settings


@pytest.fixture
def municipality(db, demo_mode):  # type: ignore[no-untyped-def]
    return generate(tier="small", seed=1)


def context(username: str):  # type: ignore[no-untyped-def]
    return load_user_context(User.objects.get(username=username), today=SNAPSHOT_DAY)


# --- the guard ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_refuses_outside_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ELEVSTOD_DEMO_MODE = False
    with pytest.raises(CommandError, match="demoläge"):
        call_command("generate_municipality", "--tier", "small")
    with pytest.raises(CommandError, match="demoläge"):
        call_command("generate_municipality", "--if-empty")
    assert not EducationProvider.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_benchmark_setting_allows_data_but_never_demo_users(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ELEVSTOD_DEMO_MODE = False
    settings.ELEVSTOD_ALLOW_GENERATOR = True
    with pytest.raises(CommandError, match="Demoanvändare"):
        generate(tier="small", demo_users=True)
    result = generate(tier="small")
    assert result["demo_users"] is False
    assert Pupil.objects.count() == TIERS["small"].pupils
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert not User.objects.filter(pupil__isnull=False).exists()
    assert not User.objects.filter(guardian__isnull=False).exists()


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_organisation_alone(demo_mode) -> None:  # type: ignore[no-untyped-def]
    call_command("generate_municipality", "--tier", "small", "--if-empty", stdout=StringIO())
    pupils = Pupil.objects.count()
    out = StringIO()
    call_command("generate_municipality", "--tier", "small", "--if-empty", stdout=out)
    assert "ingenting skapades" in out.getvalue()
    assert Pupil.objects.count() == pupils
    with pytest.raises(CommandError, match="redan"):
        call_command("generate_municipality", "--tier", "small", stdout=StringIO())


# --- determinism --------------------------------------------------------------------------


def test_plan_is_deterministic_for_a_seed() -> None:
    first, again, other = build_plan("small", 7), build_plan("small", 7), build_plan("small", 8)
    assert [p.identity_number for p in first.pupils] == [p.identity_number for p in again.pupils]
    assert first.digest() == again.digest()
    assert first.digest() != other.digest()


def test_plan_is_the_same_in_another_process() -> None:
    """A fresh interpreter with another hash seed: catches set ordering and unseeded Faker."""
    code = (
        "import django; django.setup(); "
        "from elevstod.demo.generator import build_plan; "
        "print(build_plan('small', 7).digest())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONHASHSEED": "4242",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == build_plan("small", 7).digest()


@pytest.mark.django_db
def test_database_holds_exactly_the_plan(municipality) -> None:  # type: ignore[no-untyped-def]
    plan = build_plan("small", 1, demo_users=True)
    stored = sorted(Pupil.objects.values_list("identity_number", flat=True))
    assert stored == sorted(p.identity_number for p in plan.pupils)
    assert set(Guardian.objects.values_list("id", flat=True)) == {g.id for g in plan.guardians}
    assert GroupMembership.objects.count() == len(plan.memberships)


# --- shape and realism --------------------------------------------------------------------


@pytest.mark.django_db
def test_small_tier_counts(municipality) -> None:  # type: ignore[no-untyped-def]
    tier = TIERS["small"]
    counts = municipality["counts"]
    assert SchoolUnit.objects.count() == tier.units == counts["SchoolUnit"]
    assert Pupil.objects.count() == tier.pupils
    # Staff accounts plus the guardian and pupil demo users.
    assert User.objects.count() == tier.staff + 2
    assert 500 <= Guardian.objects.count() <= 800
    assert 650 <= Guardianship.objects.count() <= 800
    classes = Group.objects.filter(kind="class", academic_year__name=CURRENT_YEAR.name)
    assert classes.count() >= 2 * 9
    # Every pupil has one current placement and a mentor this academic year.
    current = Placement.objects.filter(ends_on__isnull=True)
    assert current.count() == tier.pupils
    assert not current.values("pupil").annotate(n=Count("id")).filter(n__gt=1).exists()
    mentored = GroupMembership.objects.filter(
        group__academic_year__name=CURRENT_YEAR.name, group__staff__role="mentor"
    ).values("pupil_id")
    assert not Pupil.objects.exclude(id__in=mentored).exists()
    # Every staff account holds a duty; every unit has an elevhälsoteam with members.
    staff = User.objects.filter(pupil__isnull=True, guardian__isnull=True)
    with_duty = set(UnitDuty.objects.values_list("user_id", flat=True)) | set(
        ProviderDuty.objects.values_list("user_id", flat=True)
    )
    assert set(staff.values_list("id", flat=True)) == with_duty
    for team in PupilHealthTeam.objects.all():
        assert team.members.count() >= 5
    assert set(UnitDuty.objects.filter(school_unit_id=municipality["unit_a_id"]).values_list(
        "duty", flat=True
    )) == {
        "principal", "deputy_principal", "teacher", "mentor", "special_educator",
        "special_teacher", "school_counsellor", "school_psychologist", "school_nurse",
        "school_doctor", "career_counsellor",
    }  # fmt: skip


@pytest.mark.django_db
def test_identity_numbers_are_valid_and_match_birth_and_gender(municipality) -> None:  # type: ignore[no-untyped-def]
    people = [*Pupil.objects.all(), *Guardian.objects.all()]
    numbers = [p.identity_number for p in people if p.identity_kind != IdentityKind.RESERVE]
    assert len(numbers) == len(set(numbers))
    for person in people:
        if person.identity_kind == IdentityKind.RESERVE:
            assert person.identity_number == ""
            continue
        normalised, kind = parse_identity_number(person.identity_number)
        assert normalised == person.identity_number
        assert kind == person.identity_kind
    for pupil in Pupil.objects.exclude(identity_kind=IdentityKind.RESERVE):
        number = pupil.identity_number
        day = int(number[6:8]) - (
            60 if pupil.identity_kind == IdentityKind.COORDINATION_NUMBER else 0
        )
        assert (int(number[:4]), int(number[4:6]), day) == (
            pupil.birth_date.year, pupil.birth_date.month, pupil.birth_date.day
        )  # fmt: skip
        if pupil.gender in ("male", "female"):
            assert int(number[10]) % 2 == (1 if pupil.gender == "male" else 0)
    kinds = set(Pupil.objects.values_list("identity_kind", flat=True))
    assert {IdentityKind.COORDINATION_NUMBER, IdentityKind.RESERVE} <= kinds


@pytest.mark.django_db
def test_ages_match_grades(municipality) -> None:  # type: ignore[no-untyped-def]
    start = CURRENT_YEAR.starts_on.year
    for placement in Placement.objects.filter(ends_on__isnull=True).select_related("pupil"):
        expected = start - 6 - (placement.grade or 0)
        assert placement.pupil.birth_date.year in (expected, expected - 1)


@pytest.mark.django_db
def test_protected_pupils_custody_and_movers(municipality) -> None:  # type: ignore[no-untyped-def]
    unit_a = municipality["unit_a_id"]
    unit_b = municipality["unit_b_id"]
    protected = Pupil.objects.exclude(protected_identity=ProtectedIdentity.NONE)
    assert protected.filter(placements__school_unit_id=unit_a).exists()
    for pupil in protected:
        unit = pupil.placements.get(ends_on__isnull=True).school_unit_id
        assigned = set(
            ProtectedPupilAssignment.objects.filter(pupil=pupil).values_list("user_id", flat=True)
        )
        leaders = set(
            UnitDuty.objects.filter(
                school_unit_id=unit, duty__in=["principal", "special_educator"]
            ).values_list("user_id", flat=True)
        )
        assert len(assigned) == 2
        assert assigned <= leaders
    assert Guardianship.objects.filter(
        has_custody=False, pupil__placements__school_unit_id=unit_a
    ).exists()
    moved_in = Pupil.objects.filter(
        placements__school_unit_id=unit_b, placements__ends_on__isnull=False
    ).filter(placements__school_unit_id=unit_a, placements__ends_on__isnull=True)
    assert moved_in.count() >= 2
    for pupil in moved_in:
        ended = pupil.placements.get(school_unit_id=unit_b)
        current = pupil.placements.get(school_unit_id=unit_a)
        assert ended.ends_on is not None
        assert ended.ends_on < current.starts_on <= SNAPSHOT_DAY


# --- the demo users -----------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_users_have_their_relations(municipality) -> None:  # type: ignore[no-untyped-def]
    unit_a, unit_b = municipality["unit_a_id"], municipality["unit_b_id"]
    demo_class = Group.objects.get(
        school_unit_id=unit_a, name=DEMO_CLASS, academic_year__name=CURRENT_YEAR.name
    )
    demo_users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert set(demo_users.values_list("username", flat=True)) == set(DEMO_USERNAMES)
    assert User.objects.get(username="rektor").check_password("demo")

    rektor = context("rektor")
    assert unit_a in rektor.principal_units
    assert unit_a in rektor.eht_units
    assert unit_b in context("rektor2").principal_units

    educator = context("specialpedagog")
    assert unit_a in educator.support_units
    assert unit_a in educator.eht_units
    protected_at_a = set(
        Pupil.objects.exclude(protected_identity=ProtectedIdentity.NONE)
        .filter(placements__school_unit_id=unit_a, placements__ends_on__isnull=True)
        .values_list("id", flat=True)
    )
    assert protected_at_a
    assert protected_at_a <= educator.protected_assignments

    mentor = context("mentor")
    assert mentor.mentor_groups == {demo_class.id}
    assert {"mentor", "teacher"} <= mentor.unit_duty_kinds
    mentor_taught = Group.objects.filter(id__in=mentor.taught_groups)
    assert mentor_taught.filter(name=f"Sv {DEMO_CLASS}").exists()

    larare = context("larare")
    assert larare.unit_duty_kinds == {"teacher"}
    assert not larare.mentor_groups
    assert len(larare.taught_groups) >= 3

    assert unit_a in context("kurator").eht_units

    huvudman = context("huvudman")
    assert not huvudman.unit_duties
    assert municipality["provider_id"] in huvudman.administered_providers

    guardian = context("vardnadshavare")
    assert len(guardian.custody_pupils) == 2
    children_groups = set(
        GroupMembership.objects.filter(pupil_id__in=guardian.custody_pupils).values_list(
            "group_id", flat=True
        )
    )
    assert children_groups & mentor.mentor_groups
    assert children_groups & larare.taught_groups

    elev = context("elev")
    assert elev.own_pupil is not None
    assert elev.own_pupil in guardian.custody_pupils
    pupil = Pupil.objects.get(id=elev.own_pupil)
    assert pupil.placements.get(ends_on__isnull=True).grade in (8, 9)
    assert GroupMembership.objects.filter(pupil=pupil, group=demo_class).exists()
    assert GroupStaff.objects.filter(
        group__memberships__pupil=pupil, user__username="larare", role="teacher"
    ).exists()


@pytest.mark.django_db
def test_demo_logins_lists_the_users(municipality) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "demo" in text
    for username in DEMO_USERNAMES:
        assert username in text
    assert "saknas" not in text


@pytest.mark.django_db
def test_demo_logins_outside_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ELEVSTOD_DEMO_MODE = False
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "avstängt" in out.getvalue()
