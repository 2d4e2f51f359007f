"""Days on which a statutory time limit cannot end (lag (1930:173) om beräkning av lagstadgad tid).

Public holidays come from the `holidays` package; the law adds midsommarafton, julafton and
nyårsafton, which that package does not count. Saturdays and Sundays are handled by the workflow.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def days_off(year: int) -> frozenset[date]:
    public = holidays.country_holidays("SE", years=year, language="sv")
    days = set(public)
    midsummer_day = next(
        d for d in public if d.month == 6 and 20 <= d.day <= 26 and d.weekday() == 5
    )
    days |= {midsummer_day - timedelta(days=1), date(year, 12, 24), date(year, 12, 31)}
    return frozenset(days)


def days_off_around(day: date) -> frozenset[date]:
    """Days off in the year of `day` and the next (a deadline can cross new year)."""
    return days_off(day.year) | days_off(day.year + 1)
