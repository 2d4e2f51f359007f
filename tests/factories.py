"""factory-boy factories for the whole project. Names are Swedish, identities valid."""

import itertools
from datetime import date, timedelta

import factory
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.organisation.models import (
    AcademicYear,
    EducationProvider,
    Group,
    GroupKind,
    GroupStaff,
    ProviderKind,
    PupilHealthTeam,
    SchoolUnit,
    UnitDuty,
)
from elevstod.people.identity import luhn_check_digit
from elevstod.people.models import (
    Gender,
    GroupMembership,
    Guardian,
    Guardianship,
    Placement,
    Pupil,
)

_serial = itertools.count(100)


def identity_number(born: date) -> str:
    """A valid personnummer for the birth date, with a fresh serial each call."""
    serial = f"{next(_serial) % 1000:03d}"
    short = born.strftime("%y%m%d") + serial
    return born.strftime("%Y%m%d") + serial + str(luhn_check_digit(short))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    password = factory.django.Password("demo")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EducationProvider

    name = factory.Sequence(lambda n: f"Kommun {n}")
    organisation_number = factory.Sequence(lambda n: f"212000-{n:04d}")
    kind = ProviderKind.MUNICIPAL


class SchoolUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolUnit

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Skola {n}")
    unit_code = factory.Sequence(lambda n: f"{10000000 + n}")
    school_forms = factory.LazyFunction(lambda: ["grundskola"])


def current_academic_year() -> AcademicYear:
    today = timezone.localdate()
    year, _ = AcademicYear.objects.get_or_create(
        name="nu",
        defaults={"starts_on": today - timedelta(days=90), "ends_on": today + timedelta(days=200)},
    )
    return year


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    school_unit = factory.SubFactory(SchoolUnitFactory)
    academic_year = factory.LazyFunction(current_academic_year)
    name = factory.Sequence(lambda n: f"{7 + n % 3}{'ABC'[n % 3]}")
    kind = GroupKind.CLASS
    school_form = "grundskola"
    grade = 7


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    birth_date = date(2013, 5, 17)
    identity_number = factory.LazyAttribute(lambda o: identity_number(o.birth_date))
    gender = Gender.FEMALE
    street_address = factory.Faker("street_address", locale="sv_SE")
    postal_code = "123 45"
    city = "Exempelstad"
    phone = "070-123 45 67"


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    identity_number = factory.LazyFunction(lambda: identity_number(date(1982, 3, 4)))
    phone = "070-765 43 21"
    email = factory.Sequence(lambda n: f"vh{n}@example.se")


def place(pupil: Pupil, unit: SchoolUnit, *, starts: date | None = None, ends=None, grade=7):
    return Placement.objects.create(
        pupil=pupil,
        school_unit=unit,
        school_form="grundskola",
        grade=grade,
        starts_on=starts or timezone.localdate() - timedelta(days=80),
        ends_on=ends,
    )


def duty(user: User, unit: SchoolUnit, kind: str) -> UnitDuty:
    return UnitDuty.objects.create(
        user=user, school_unit=unit, duty=kind, starts_on=timezone.localdate() - timedelta(days=365)
    )


def join(pupil: Pupil, group: Group) -> GroupMembership:
    return GroupMembership.objects.create(pupil=pupil, group=group)


def staff_group(user: User, group: Group, role: str) -> GroupStaff:
    return GroupStaff.objects.create(user=user, group=group, role=role)


def guardian_of(guardian: Guardian, pupil: Pupil, *, custody: bool = True) -> Guardianship:
    return Guardianship.objects.create(guardian=guardian, pupil=pupil, has_custody=custody)


def eht(unit: SchoolUnit, *members: User) -> PupilHealthTeam:
    team, _ = PupilHealthTeam.objects.get_or_create(school_unit=unit)
    team.members.add(*members)
    return team
