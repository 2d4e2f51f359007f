"""The generated municipality: guarded, deterministic, valid, and with every relation at unit A."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from pytest_django import DjangoDbBlocker, Settings

from elevstod.access.context import UserContext, load_user_context
from elevstod.access.lookup import get_pupil_for
from elevstod.accounts.models import User
from elevstod.audit.models import AccessEvent, LogReview
from elevstod.demo.access_log import SCHOOL_TZ, AccessLogGenerator, log_digest
from elevstod.demo.generator import (
    DEMO_CLASS,
    DEMO_USERNAMES,
    TIERS,
    build_plan,
    generate,
)
from elevstod.demo.school_year import academic_year, academic_year_for, school_days
from elevstod.logreview.selectors import events_for_review
from elevstod.organisation import models as organisation
from elevstod.people import models as people
from elevstod.people.identity import IdentityKind, parse_identity_number
from tests.scoped_data import demo_municipality_for_scope


@pytest.fixture
def demo_mode(settings: Settings) -> Settings:
    settings.ELEVSTOD_DEMO_MODE = True
    return settings


# The day most tests describe, pinned so they pass on any real date: mid-November, when the
# access log has reached its cap (elevstod.demo.access_log.ACCESS_LOG_SHARE).
TODAY = date(2026, 11, 16)
CURRENT = academic_year_for(TODAY)
Generated = dict[str, Any]  # what generate() returns


# The municipality is generated once per class below, not per test (tests/scoped_data.py): each
# test's own writes are undone by its savepoint, the class's data at the end of the class. The
# tests that generate for themselves (the guard, --if-empty, the options) stay outside the classes,
# on an empty database.


@pytest.fixture(scope="class")
def _small(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Generated]:
    with demo_municipality_for_scope(django_db_blocker, today=TODAY) as generated:
        yield generated


@pytest.fixture(scope="class")
def _small_logged(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Generated]:
    with demo_municipality_for_scope(django_db_blocker, today=TODAY, access_log=True) as generated:
        yield generated


@pytest.fixture
def municipality(_small: Generated, db: None, demo_mode: Settings) -> Generated:
    return _small


@pytest.fixture
def logged_municipality(_small_logged: Generated, db: None, demo_mode: Settings) -> Generated:
    return _small_logged


def context(username: str) -> UserContext:
    return load_user_context(User.objects.get(username=username), today=TODAY)


# --- the guard ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_refuses_outside_demo_mode(settings: Settings) -> None:
    settings.ELEVSTOD_DEMO_MODE = False
    with pytest.raises(CommandError, match="demoläge"):
        call_command("generate_municipality", "--tier", "small")
    with pytest.raises(CommandError, match="demoläge"):
        call_command("generate_municipality", "--if-empty")
    assert not organisation.EducationProvider.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_benchmark_setting_allows_data_but_never_demo_users(settings: Settings) -> None:
    settings.ELEVSTOD_DEMO_MODE = False
    settings.ELEVSTOD_ALLOW_GENERATOR = True
    with pytest.raises(CommandError, match="Demoanvändare"):
        generate(tier="small", demo_users=True)
    result = generate(tier="small")  # today: the real date, whatever it is
    assert result["demo_users"] is False
    assert result["today"] == timezone.localdate()
    assert result["academic_year"] == academic_year_for(timezone.localdate()).name
    assert people.Pupil.objects.count() == TIERS["small"].pupils
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert not User.objects.filter(pupil__isnull=False).exists()
    assert not User.objects.filter(guardian__isnull=False).exists()


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_organisation_alone(demo_mode: Settings) -> None:
    call_command(
        "generate_municipality", "--tier", "small", "--if-empty", "--no-access-log",
        stdout=StringIO(),
    )  # fmt: skip
    pupils = people.Pupil.objects.count()
    out = StringIO()
    call_command("generate_municipality", "--tier", "small", "--if-empty", stdout=out)
    assert "ingenting skapades" in out.getvalue()
    assert people.Pupil.objects.count() == pupils
    with pytest.raises(CommandError, match="redan"):
        call_command("generate_municipality", "--tier", "small", stdout=StringIO())


# --- determinism --------------------------------------------------------------------------


def test_plan_is_deterministic_for_a_seed_and_day() -> None:
    first, again = build_plan("small", 7, today=TODAY), build_plan("small", 7, today=TODAY)
    other = build_plan("small", 8, today=TODAY)
    next_year = build_plan("small", 7, today=TODAY + timedelta(days=365))
    assert [p.identity_number for p in first.pupils] == [p.identity_number for p in again.pupils]
    assert first.digest() == again.digest()
    assert first.digest() != other.digest()
    assert first.digest() != next_year.digest()


def test_access_log_is_deterministic_for_a_seed_and_day() -> None:
    def rows(seed: int, today: date) -> list[tuple]:
        source = build_plan("small", seed, today=today).log_source
        assert source is not None
        return [row for day in AccessLogGenerator(source).days() for row in day]

    first = rows(7, TODAY)
    assert first == rows(7, TODAY)
    assert first != rows(8, TODAY)
    # A later day adds days to the log (the cap spreads the same total over them).
    assert rows(7, TODAY + timedelta(days=7))[-1][0] > first[-1][0]


def test_plan_is_the_same_in_another_process() -> None:
    """A fresh interpreter with another hash seed: catches set ordering and unseeded Faker."""
    code = (
        "import django; django.setup(); "
        "from elevstod.demo.generator import build_plan; "
        "from datetime import date; "
        "from elevstod.demo.access_log import log_digest; "
        "plan = build_plan('small', 7, today=date(2026, 11, 16)); "
        "print(plan.digest(), log_digest(plan.log_source))"
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
    plan = build_plan("small", 7, today=TODAY)
    assert plan.log_source is not None
    assert result.stdout.split() == [plan.digest(), log_digest(plan.log_source)]


@pytest.mark.django_db
def test_demo_logins_outside_demo_mode(settings: Settings) -> None:
    settings.ELEVSTOD_DEMO_MODE = False
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "avstängt" in out.getvalue()


# --- dates follow today -------------------------------------------------------------------


def test_academic_year_follows_today() -> None:
    autumn = academic_year_for(TODAY)
    assert (autumn.name, autumn.starts_on, autumn.ends_on) == (
        "2026/27", date(2026, 8, 17), date(2027, 6, 18)
    )  # fmt: skip
    assert academic_year_for(date(2027, 3, 1)) == autumn
    assert academic_year_for(date(2026, 8, 17)) == autumn  # the first day of term
    assert academic_year_for(date(2026, 8, 16)).name == "2025/26"
    # In the summer break the current year is the one that has just ended.
    summer = academic_year_for(date(2027, 7, 10))
    assert summer == autumn
    assert summer.ends_on < date(2027, 7, 10)
    assert academic_year(2030).starts_on == date(2030, 8, 19)  # the third Monday
    for start_year in range(2020, 2040):
        year = academic_year(start_year)
        assert year.starts_on.weekday() == 0
        assert 15 <= year.starts_on.day <= 21
        assert year.ends_on.weekday() == 4
        assert year.ends_on.month == 6
        assert 170 <= len(school_days(year, year.starts_on, year.ends_on)) <= 195


@pytest.mark.parametrize(
    "today",
    [
        TODAY,
        date(2026, 8, 19),  # the third day of term: no mid-year moves yet, no log reviews
        date(2027, 2, 26),  # sportlov
        date(2027, 7, 1),  # summer break
        None,  # the real date, whatever it is
    ],
)
def test_nothing_lies_after_today(today: date | None) -> None:
    today = today or timezone.localdate()
    plan = build_plan("small", 3, demo_users=True, today=today)
    year = academic_year_for(today)
    assert {y.name for y in plan.years} == {year.name, academic_year(year.starts_on.year - 1).name}
    current = next(y for y in plan.years if y.name == year.name)
    assert current.starts_on <= today
    assert all(p.starts_on <= today for p in plan.placements)
    assert all(p.ends_on is None or p.ends_on < today for p in plan.placements)
    assert all(row.starts_on <= today for row in plan.unit_duties)
    assert all(row.valid_from <= today for row in plan.delegations)
    assert all(p.birth_date < today for p in plan.pupils)
    assert plan.loaded_at.date() <= today
    # Every pupil is in a class of the current year.
    current_groups = {g.id for g in plan.groups if g.academic_year_id == current.id}
    in_class = {m.pupil_id for m in plan.memberships if m.group_id in current_groups}
    assert in_class == {p.id for p in plan.pupils}

    assert plan.log_source is not None
    generator = AccessLogGenerator(plan.log_source)
    midnight = datetime.combine(today, time(), tzinfo=SCHOOL_TZ)
    starts = datetime.combine(year.starts_on, time(7), tzinfo=SCHOOL_TZ)
    school = set(school_days(year, year.starts_on, today))
    rows = 0
    for day in generator.days():
        for row in day:
            occurred = datetime.fromisoformat(str(row[0]) + "+00:00")
            local = occurred.astimezone(SCHOOL_TZ)
            assert starts <= occurred < midnight
            assert local.date() in school
            assert time(7) <= local.time() < time(17)
            rows += 1
    assert rows == plan.log_source.planned_rows + len(generator.planned_reviews)
    for review in generator.reviews():
        assert review.period_start <= review.period_end < review.reviewed_at.date() < today


@pytest.mark.django_db
def test_no_access_log_option(demo_mode: Settings) -> None:
    out = StringIO()
    call_command(
        "generate_municipality", "--tier", "small", "--no-access-log", "--today", "2026-11-16",
        stdout=out,
    )  # fmt: skip
    assert "2026-11-16" in out.getvalue()
    assert people.Pupil.objects.count() == TIERS["small"].pupils
    assert not AccessEvent.objects.exists()
    assert not LogReview.objects.exists()


def test_today_option_rejects_a_bad_date(settings: Settings) -> None:
    with pytest.raises(CommandError, match="datum"):
        call_command("generate_municipality", "--today", "16/11/2026", stdout=StringIO())


# --- the generated municipality -----------------------------------------------------------


class TestGeneratedMunicipality:
    @pytest.mark.django_db
    def test_database_holds_exactly_the_plan(self, municipality: Generated) -> None:
        plan = build_plan("small", 1, demo_users=True, today=TODAY)
        stored = sorted(people.Pupil.objects.values_list("identity_number", flat=True))
        assert stored == sorted(p.identity_number for p in plan.pupils)
        assert set(people.Guardian.objects.values_list("id", flat=True)) == {
            g.id for g in plan.guardians
        }
        assert people.GroupMembership.objects.count() == len(plan.memberships)

    # --- shape and realism ----------------------------------------------------------------

    @pytest.mark.django_db
    def test_small_tier_counts(self, municipality: Generated) -> None:
        tier = TIERS["small"]
        counts = municipality["counts"]
        assert organisation.SchoolUnit.objects.count() == tier.units == counts["SchoolUnit"]
        assert people.Pupil.objects.count() == tier.pupils
        # Staff accounts plus the guardian and pupil demo users.
        assert User.objects.count() == tier.staff + 2
        assert 500 <= people.Guardian.objects.count() <= 800
        assert 650 <= people.Guardianship.objects.count() <= 800
        classes = organisation.Group.objects.filter(kind="class", academic_year__name=CURRENT.name)
        assert classes.count() >= 2 * 9
        # Every pupil has one current placement and a mentor this academic year.
        current = people.Placement.objects.filter(ends_on__isnull=True)
        assert current.count() == tier.pupils
        assert not current.values("pupil").annotate(n=Count("id")).filter(n__gt=1).exists()
        mentored = people.GroupMembership.objects.filter(
            group__academic_year__name=CURRENT.name, group__staff__role="mentor"
        ).values("pupil_id")
        assert not people.Pupil.objects.exclude(id__in=mentored).exists()
        # Every staff account holds a duty; every unit has an elevhälsoteam with members.
        staff = User.objects.filter(pupil__isnull=True, guardian__isnull=True)
        with_duty = set(organisation.UnitDuty.objects.values_list("user_id", flat=True)) | set(
            organisation.ProviderDuty.objects.values_list("user_id", flat=True)
        )
        assert set(staff.values_list("id", flat=True)) == with_duty
        for team in organisation.PupilHealthTeam.objects.all():
            assert team.members.count() >= 5
        at_unit_a = organisation.UnitDuty.objects.filter(school_unit_id=municipality["unit_a_id"])
        assert set(at_unit_a.values_list("duty", flat=True)) == {
            "principal", "deputy_principal", "teacher", "mentor", "special_educator",
            "special_teacher", "school_counsellor", "school_psychologist", "school_nurse",
            "school_doctor", "career_counsellor",
        }  # fmt: skip

    @pytest.mark.django_db
    def test_identity_numbers_are_valid_and_match_birth_and_gender(
        self, municipality: Generated
    ) -> None:
        persons = [*people.Pupil.objects.all(), *people.Guardian.objects.all()]
        numbers = [p.identity_number for p in persons if p.identity_kind != IdentityKind.RESERVE]
        assert len(numbers) == len(set(numbers))
        for person in persons:
            if person.identity_kind == IdentityKind.RESERVE:
                assert person.identity_number == ""
                continue
            normalised, kind = parse_identity_number(person.identity_number)
            assert normalised == person.identity_number
            assert kind == person.identity_kind
        for pupil in people.Pupil.objects.exclude(identity_kind=IdentityKind.RESERVE):
            number = pupil.identity_number
            day = int(number[6:8]) - (
                60 if pupil.identity_kind == IdentityKind.COORDINATION_NUMBER else 0
            )
            assert (int(number[:4]), int(number[4:6]), day) == (
                pupil.birth_date.year, pupil.birth_date.month, pupil.birth_date.day
            )  # fmt: skip
            if pupil.gender in ("male", "female"):
                assert int(number[10]) % 2 == (1 if pupil.gender == "male" else 0)
        kinds = set(people.Pupil.objects.values_list("identity_kind", flat=True))
        assert {IdentityKind.COORDINATION_NUMBER, IdentityKind.RESERVE} <= kinds

    @pytest.mark.django_db
    def test_ages_match_grades(self, municipality: Generated) -> None:
        start = CURRENT.starts_on.year
        for placement in people.Placement.objects.filter(ends_on__isnull=True).select_related(
            "pupil"
        ):
            expected = start - 6 - (placement.grade or 0)
            assert placement.pupil.birth_date.year in (expected, expected - 1)

    @pytest.mark.django_db
    def test_protected_pupils_custody_and_movers(self, municipality: Generated) -> None:
        unit_a = municipality["unit_a_id"]
        unit_b = municipality["unit_b_id"]
        protected = people.Pupil.objects.exclude(protected_identity=people.ProtectedIdentity.NONE)
        assert protected.filter(placements__school_unit_id=unit_a).exists()
        for pupil in protected:
            unit = pupil.placements.get(ends_on__isnull=True).school_unit_id
            assigned = set(
                people.ProtectedPupilAssignment.objects.filter(pupil=pupil).values_list(
                    "user_id", flat=True
                )
            )
            leaders = set(
                organisation.UnitDuty.objects.filter(
                    school_unit_id=unit, duty__in=["principal", "special_educator"]
                ).values_list("user_id", flat=True)
            )
            assert len(assigned) == 2
            assert assigned <= leaders
        assert people.Guardianship.objects.filter(
            has_custody=False, pupil__placements__school_unit_id=unit_a
        ).exists()
        moved_in = people.Pupil.objects.filter(
            placements__school_unit_id=unit_b, placements__ends_on__isnull=False
        ).filter(placements__school_unit_id=unit_a, placements__ends_on__isnull=True)
        assert moved_in.count() >= 2
        for pupil in moved_in:
            ended = pupil.placements.get(school_unit_id=unit_b)
            current = pupil.placements.get(school_unit_id=unit_a)
            assert ended.ends_on is not None
            assert ended.ends_on < current.starts_on <= TODAY

    # --- the demo users -------------------------------------------------------------------

    @pytest.mark.django_db
    def test_demo_users_have_their_relations(self, municipality: Generated) -> None:
        unit_a, unit_b = municipality["unit_a_id"], municipality["unit_b_id"]
        demo_class = organisation.Group.objects.get(
            school_unit_id=unit_a, name=DEMO_CLASS, academic_year__name=CURRENT.name
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
            people.Pupil.objects.exclude(protected_identity=people.ProtectedIdentity.NONE)
            .filter(placements__school_unit_id=unit_a, placements__ends_on__isnull=True)
            .values_list("id", flat=True)
        )
        assert protected_at_a
        assert protected_at_a <= educator.protected_assignments

        mentor = context("mentor")
        assert mentor.mentor_groups == {demo_class.id}
        assert {"mentor", "teacher"} <= mentor.unit_duty_kinds
        mentor_taught = organisation.Group.objects.filter(id__in=mentor.taught_groups)
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
            people.GroupMembership.objects.filter(pupil_id__in=guardian.custody_pupils).values_list(
                "group_id", flat=True
            )
        )
        assert children_groups & mentor.mentor_groups
        assert children_groups & larare.taught_groups

        elev = context("elev")
        assert elev.own_pupil is not None
        assert elev.own_pupil in guardian.custody_pupils
        pupil = people.Pupil.objects.get(id=elev.own_pupil)
        assert pupil.placements.get(ends_on__isnull=True).grade in (8, 9)
        assert people.GroupMembership.objects.filter(pupil=pupil, group=demo_class).exists()
        assert organisation.GroupStaff.objects.filter(
            group__memberships__pupil=pupil, user__username="larare", role="teacher"
        ).exists()

    @pytest.mark.django_db
    def test_demo_logins_lists_the_users(self, municipality: Generated) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        text = out.getvalue()
        assert "demo" in text
        for username in DEMO_USERNAMES:
            assert username in text
        assert "saknas" not in text


# --- the access log -----------------------------------------------------------------------


class TestGeneratedAccessLog:
    @pytest.mark.django_db
    def test_access_log_volume_and_shape(self, logged_municipality: Generated) -> None:
        counts = logged_municipality["counts"]
        total = AccessEvent.objects.count()
        assert total == counts["AccessEvent"]
        # 28 % of the small tier's 90 000 rows a year, plus the log reviews' own events.
        assert 25_200 <= total <= 25_200 + 2 * 6
        assert AccessEvent.objects.filter(record_type="pupil").count() > 0.9 * total
        views = AccessEvent.objects.filter(record_type="pupil", outcome="allowed")
        assert views.filter(action="view").count() > 0.95 * views.count()
        assert views.filter(action="print").exists()
        assert views.filter(action="export").exists()
        assert AccessEvent.objects.filter(channel="api").count() < 0.1 * total
        assert not AccessEvent.objects.exclude(channel__in=["web", "api"]).exists()
        assert not views.filter(pupil__isnull=True).exists()
        assert not views.exclude(acting_role__in=[
            "mentor", "teacher", "principal", "special_education", "pupil_health_team",
        ]).exists()  # fmt: skip
        lists = AccessEvent.objects.filter(record_type="pupil_list")
        assert lists.count() > 0.03 * total
        assert set(lists.values_list("action", "acting_role").distinct()) == {("list", "")}
        assert not lists.filter(pupil__isnull=False).exists()
        denied = AccessEvent.objects.filter(outcome="denied")
        assert 0.002 * total <= denied.count() <= 0.01 * total
        # Pupils who moved in mid-year are read only from their arrival.
        arrivals = people.Placement.objects.filter(
            ends_on__isnull=True, starts_on__gt=CURRENT.starts_on
        )
        assert arrivals.exists()
        for placement in arrivals:
            for occurred in AccessEvent.objects.filter(pupil_id=placement.pupil_id).values_list(
                "occurred_at", flat=True
            ):
                assert occurred.astimezone(SCHOOL_TZ).date() >= placement.starts_on
        # Ids follow time: the database assigned them in the order the rows happened.
        by_id = list(AccessEvent.objects.order_by("id").values_list("occurred_at", flat=True))
        assert by_id == sorted(by_id)
        first, last = by_id[0].astimezone(SCHOOL_TZ), by_id[-1].astimezone(SCHOOL_TZ)
        assert first.date() == CURRENT.starts_on
        assert last.date() < TODAY
        # The rest of the data is stamped no later than today either.
        end_of_today = datetime.combine(TODAY, time.max, tzinfo=SCHOOL_TZ)
        assert not people.Pupil.objects.filter(created_at__gt=end_of_today).exists()
        assert not User.objects.filter(date_joined__gt=end_of_today).exists()

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        "role", ["mentor", "teacher", "principal", "special_education", "pupil_health_team"]
    )
    def test_logged_readers_have_the_stated_relation(
        self, logged_municipality: Generated, role: str
    ) -> None:
        rows = list(
            AccessEvent.objects.filter(record_type="pupil", outcome="allowed", acting_role=role)
            .order_by("id")
            .values("actor_id", "pupil_id", "school_unit_id")
        )
        assert len(rows) >= 20
        contexts = {}
        for row in rows[:: len(rows) // 20][:20]:
            actor = row["actor_id"]
            if actor not in contexts:
                contexts[actor] = load_user_context(User.objects.get(pk=actor), today=TODAY)
            access = get_pupil_for(contexts[actor], row["pupil_id"])
            assert access.acting_role == role
            assert access.school_unit_id == row["school_unit_id"]

    @pytest.mark.django_db
    def test_refusals_come_from_staff_without_a_relation(
        self, logged_municipality: Generated
    ) -> None:
        denied = list(
            AccessEvent.objects.filter(outcome="denied").values(
                "actor_id", "pupil_id", "school_unit_id", "acting_role"
            )
        )
        assert denied
        for row in denied:
            assert row["acting_role"] == ""
            assert not organisation.UnitDuty.objects.filter(
                user_id=row["actor_id"], school_unit_id=row["school_unit_id"]
            ).exists()
            assert organisation.UnitDuty.objects.filter(
                user_id=row["actor_id"]
            ).exists()  # staff elsewhere
            current = people.Placement.objects.get(pupil_id=row["pupil_id"], ends_on__isnull=True)
            assert current.school_unit_id == row["school_unit_id"]
        for row in denied[:20]:
            ctx = load_user_context(User.objects.get(pk=row["actor_id"]), today=TODAY)
            with pytest.raises(Http404):
                get_pupil_for(ctx, row["pupil_id"])

    @pytest.mark.django_db
    def test_log_reviews_by_each_units_rektor(self, logged_municipality: Generated) -> None:
        assert logged_municipality["counts"]["LogReview"] == LogReview.objects.count()
        for unit in organisation.SchoolUnit.objects.all():
            reviews = LogReview.objects.filter(school_unit=unit)
            assert 3 <= reviews.count() <= 6
            principal = organisation.UnitDuty.objects.get(
                school_unit=unit, duty="principal"
            ).user_id
            assert set(reviews.values_list("reviewer_id", flat=True)) == {principal}
            for review in reviews:
                assert review.period_end < review.reviewed_at.astimezone(SCHOOL_TZ).date() < TODAY
                # events_seen is what the review page showed for the same filters.
                assert (
                    review.events_seen
                    == events_for_review(
                        unit_ids=frozenset({unit.pk}),
                        pupil_id=review.pupil_id,
                        user_id=review.reviewed_user_id,
                        period_start=review.period_start,
                        period_end=review.period_end,
                    ).count()
                )
                # The review page itself was logged.
                assert AccessEvent.objects.filter(
                    actor_id=principal, action="log_review", school_unit=unit,
                    occurred_at__date__lte=review.reviewed_at.date(),
                ).exists()  # fmt: skip
        outcomes = list(LogReview.objects.values_list("outcome", flat=True))
        assert outcomes.count("no_remarks") > len(outcomes) / 2
