"""The organisation's head counts per unit (people.figures): right, and cached."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from elevstod.organisation.duties import UnitDutyKind
from elevstod.people.figures import UnitFigures, unit_figures
from tests.factories import (
    GroupFactory,
    PupilFactory,
    SchoolUnitFactory,
    UserFactory,
    duty,
    place,
)

pytestmark = pytest.mark.django_db


def test_counts_what_is_current_today_per_unit() -> None:
    today = timezone.localdate()
    unit, other, empty = SchoolUnitFactory(), SchoolUnitFactory(), SchoolUnitFactory()
    for _ in range(3):
        place(PupilFactory(), unit)
    place(PupilFactory(), unit, ends=today - timedelta(days=1))  # left yesterday
    place(PupilFactory(), unit, starts=today + timedelta(days=3))  # starts next week
    place(PupilFactory(), other)
    GroupFactory(school_unit=unit)
    teacher = UserFactory()
    duty(teacher, unit, UnitDutyKind.TEACHER)
    duty(teacher, unit, UnitDutyKind.MENTOR)  # one person with two duties counts once

    figures = unit_figures(frozenset({unit.pk, other.pk, empty.pk}), today)

    assert figures == {
        unit.pk: UnitFigures(pupils=3, groups=1, staff=1),
        other.pk: UnitFigures(pupils=1),
        empty.pk: UnitFigures(),
    }


def test_figures_are_kept_for_a_while(django_assert_num_queries) -> None:
    today = timezone.localdate()
    unit = SchoolUnitFactory()
    place(PupilFactory(), unit)
    assert unit_figures(frozenset({unit.pk}), today)[unit.pk].pupils == 1

    place(PupilFactory(), unit)
    with django_assert_num_queries(0):
        assert unit_figures(frozenset({unit.pk}), today)[unit.pk].pupils == 1

    cache.clear()  # what FIGURES_SECONDS does in time
    assert unit_figures(frozenset({unit.pk}), today)[unit.pk].pupils == 2
