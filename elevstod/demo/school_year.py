"""The school calendar the generator describes: academic years and school days, from a date.

An academic year runs from the third Monday of August to the Friday of ISO week 24 (mid-June) and
is named like "2026/27". The *current* year for a given day is the one that started most recently,
so in the summer break it is the year that has just ended (the next one has not begun: nothing in
it may exist yet). School days are the weekdays of the year outside the usual breaks (höstlov in
week 44, jullov from 22 December to 6 January, sportlov in week 9, påsklov in the week of Easter
Monday) and the public holidays that fall on a weekday (1 May, Ascension Day and the Friday after
it, 6 June).
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class YearSpec:
    name: str
    starts_on: date
    ends_on: date


def third_monday_of_august(year: int) -> date:
    first = date(year, 8, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 14)


def academic_year(start_year: int) -> YearSpec:
    """The academic year that starts in August of `start_year`."""
    return YearSpec(
        name=f"{start_year}/{(start_year + 1) % 100:02d}",
        starts_on=third_monday_of_august(start_year),
        ends_on=date.fromisocalendar(start_year + 1, 24, 5),
    )


def academic_year_for(today: date) -> YearSpec:
    """The academic year that started most recently on or before `today`."""
    start_year = today.year if today >= third_monday_of_august(today.year) else today.year - 1
    return academic_year(start_year)


def easter_sunday(year: int) -> date:
    """The Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def days_off(year: YearSpec) -> set[date]:
    """The weekdays of `year` without teaching: breaks and public holidays."""
    autumn, spring = year.starts_on.year, year.ends_on.year
    off: set[date] = set()

    def week(iso_year: int, iso_week: int) -> None:
        off.update(date.fromisocalendar(iso_year, iso_week, day) for day in range(1, 6))

    week(autumn, 44)  # höstlov
    first = date(autumn, 12, 22)  # jullov
    off.update(first + timedelta(days=n) for n in range((date(spring, 1, 6) - first).days + 1))
    week(spring, 9)  # sportlov
    easter = easter_sunday(spring)
    easter_monday = easter + timedelta(days=1)
    week(*easter_monday.isocalendar()[:2])  # påsklov, with Easter Monday
    off.add(easter - timedelta(days=2))  # Good Friday
    ascension = easter + timedelta(days=39)
    off.update({ascension, ascension + timedelta(days=1), date(spring, 5, 1), date(spring, 6, 6)})
    return off


def school_days(year: YearSpec, first: date, last: date) -> list[date]:
    """The school days of `year` from `first` to `last`, both included."""
    first, last = max(first, year.starts_on), min(last, year.ends_on)
    off = days_off(year)
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += timedelta(days=1)
    return days
