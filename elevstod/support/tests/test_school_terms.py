"""Term dates (läsårstider) per huvudman, per unit where they differ, with defaults (issue 10
item 5, decision 0015): a decision on distance teaching covers one of the school's own terms
(SL 3 kap. 11 a §), and the refusal names the real last day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from elevstod.organisation.models import SchoolTerms
from elevstod.organisation.selectors import term_last_days_for_unit
from elevstod.support import services
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import refused, today
from elevstod.support.workflow.programmes import (
    DEFAULT_TERMS,
    Term,
    TermDates,
    default_last_day,
    distance_period_outcome,
)
from elevstod.support.workflow.refusals import ALLOWED, Refused
from tests.world import World

# ----------------------------------------------------------------------------- the pure rule


@pytest.mark.parametrize(
    ("academic_year", "term", "last_day"),
    [
        (2026, Term.AUTUMN, date(2026, 12, 18)),  # 20 December 2026 is a Sunday
        (2024, Term.AUTUMN, date(2024, 12, 20)),  # a Friday
        (2025, Term.SPRING, date(2026, 6, 15)),  # a Monday
        (2024, Term.SPRING, date(2025, 6, 13)),  # 15 June 2025 is a Sunday
    ],
)
def test_default_terms_end_on_the_last_weekday_by_20_december_and_15_june(
    academic_year: int, term: Term, last_day: date
) -> None:
    assert default_last_day(academic_year, term) == last_day


def test_a_break_belongs_to_the_term_that_follows_it() -> None:
    assert DEFAULT_TERMS.term_end(date(2026, 12, 21)) == date(2027, 6, 15)
    assert DEFAULT_TERMS.term_end(date(2026, 7, 15)) == date(2026, 12, 18)


def test_the_term_ends_on_the_last_day_the_huvudman_has_set() -> None:
    terms = TermDates(((2026, Term.AUTUMN, date(2026, 12, 22)),))
    assert terms.term_end(date(2026, 12, 21)) == date(2026, 12, 22)
    # The spring term the huvudman has not set keeps its default.
    assert terms.term_end(date(2026, 12, 23)) == date(2027, 6, 15)


@pytest.mark.parametrize("start", [date(2028, 1, 10), date(9999, 12, 31)])
def test_distance_teaching_starting_more_than_a_year_after_the_decision_is_refused(
    start: date,
) -> None:
    outcome = distance_period_outcome(start, start, date(2026, 9, 1))
    assert isinstance(outcome, Refused)
    assert outcome.rule == "programme.distance_starts_too_late"
    assert dict(outcome.params)["latest"] == "2027-09-02"


def test_the_distance_teaching_refusal_names_the_schools_real_last_day() -> None:
    terms = TermDates(((2026, Term.AUTUMN, date(2026, 12, 16)),))
    outcome = distance_period_outcome(
        date(2026, 9, 1), date(2026, 12, 18), date(2026, 9, 1), terms=terms
    )
    assert isinstance(outcome, Refused)
    assert outcome.rule == "programme.distance_over_one_term"
    assert dict(outcome.params) == {"term_end": "2026-12-16"}
    assert "senast 2026-12-16" in outcome.text()
    assert "3 kap. 11 a §" in outcome.paragraph
    allowed = distance_period_outcome(
        date(2026, 9, 1), date(2026, 12, 16), date(2026, 9, 1), terms=terms
    )
    assert allowed == ALLOWED


# ----------------------------------------------------------------------------- the settings


def _terms(world: World, *, unit: str | None, autumn: date, spring: date) -> SchoolTerms:
    school_unit = world.units[unit] if unit else None
    return SchoolTerms.objects.create(
        provider=world.units["a"].provider,
        school_unit=school_unit,
        academic_year=autumn.year,
        autumn_last_day=autumn,
        spring_last_day=spring,
    )


@pytest.mark.django_db
def test_a_units_own_term_dates_override_the_huvudmans(world: World) -> None:
    _terms(world, unit=None, autumn=date(2026, 12, 18), spring=date(2027, 6, 11))
    _terms(world, unit="b", autumn=date(2026, 12, 22), spring=date(2027, 6, 16))
    assert term_last_days_for_unit(world.units["a"].pk) == (
        (2026, "autumn", date(2026, 12, 18)),
        (2026, "spring", date(2027, 6, 11)),
    )
    assert term_last_days_for_unit(world.units["b"].pk) == (
        (2026, "autumn", date(2026, 12, 22)),
        (2026, "spring", date(2027, 6, 16)),
    )
    # Another huvudman's unit is not governed by these dates.
    assert term_last_days_for_unit(world.units["c"].pk) == ()


@pytest.mark.django_db
def test_deciding_distance_teaching_past_the_huvudmans_term_end_is_refused_naming_it(
    world: World,
) -> None:
    last_day = today() + timedelta(days=5)
    year = today().year if today().month >= 7 else today().year - 1
    term = Term.AUTUMN if today().month >= 7 else Term.SPRING
    other = date(year + 1, 6, 15) if term is Term.AUTUMN else date(year, 12, 18)
    autumn, spring = (last_day, other) if term is Term.AUTUMN else (other, last_day)
    _terms(world, unit=None, autumn=autumn, spring=spring)
    programme = b.concluded_programme(
        world, **b.distance_teaching(today(), last_day + timedelta(days=1))
    )
    with refused("programme.distance_over_one_term") as refusal:
        b.decide_programme(world, programme)
    assert dict(refusal.value.refusal.params) == {"term_end": last_day.isoformat()}
    facts = services.programme_facts(programme, "…")
    assert facts.measures[0].terms.term_end(today()) == last_day


@pytest.mark.django_db
def test_the_huvudmans_administrator_sets_term_dates_per_unit(world: World) -> None:
    provider = world.units["a"].provider
    client = world.client_for("huvudman_admin")
    url = reverse("organisation:school_terms")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "provider": str(provider.pk),
            f"{provider.pk}-school_unit": str(world.units["b"].pk),
            f"{provider.pk}-academic_year": "2026",
            f"{provider.pk}-autumn_last_day": "2026-12-22",
            f"{provider.pk}-spring_last_day": "2027-06-16",
        },
    )
    assert response.status_code == 302
    saved = SchoolTerms.objects.get()
    assert saved.school_unit == world.units["b"]
    assert saved.updated_by == world.users["huvudman_admin"]
    assert "2026-12-22" in client.get(url).content.decode()


@pytest.mark.django_db
def test_term_dates_outside_their_academic_year_are_refused_keeping_what_was_typed(
    world: World,
) -> None:
    provider = world.units["a"].provider
    response = world.client_for("huvudman_admin").post(
        reverse("organisation:school_terms"),
        {
            "provider": str(provider.pk),
            f"{provider.pk}-academic_year": "2026",
            f"{provider.pk}-autumn_last_day": "2027-12-22",
            f"{provider.pk}-spring_last_day": "2027-06-16",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Höstterminen slutar under läsårets första kalenderår." in body
    assert "2027-12-22" in body
    assert not SchoolTerms.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["principal_a", "guardian_x", "special_educator_a"])
def test_only_the_huvudmans_administrator_edits_term_dates(world: World, persona: str) -> None:
    provider = world.units["a"].provider
    client = world.client_for(persona)
    url = reverse("organisation:school_terms")
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "provider": str(provider.pk),
            f"{provider.pk}-academic_year": "2026",
            f"{provider.pk}-autumn_last_day": "2026-12-22",
            f"{provider.pk}-spring_last_day": "2027-06-16",
        },
    )
    assert response.status_code == 404
    assert not SchoolTerms.objects.exists()


@pytest.mark.django_db
def test_a_term_ending_in_the_wrong_season_is_refused(world: World) -> None:
    """An autumn term ending in March would make one "term" of distance teaching a year."""
    provider = world.units["a"].provider
    response = world.client_for("huvudman_admin").post(
        reverse("organisation:school_terms"),
        {
            "provider": str(provider.pk),
            f"{provider.pk}-academic_year": "2026",
            f"{provider.pk}-autumn_last_day": "2026-03-20",
            f"{provider.pk}-spring_last_day": "2027-01-15",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Höstterminen slutar i november eller december." in body
    assert "Vårterminen slutar i maj, juni eller juli." in body
    assert not SchoolTerms.objects.exists()
