"""The periods the quality figures are asked for: a school year (läsår) and its two terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from elevstod.organisation.models import AcademicYear

YEARS_SHOWN = 3


@dataclass(frozen=True)
class Period:
    key: str  # "2026/27", "2026/27 HT", "2026/27 VT"
    school_year: str
    starts_on: date
    ends_on: date

    @property
    def is_year(self) -> bool:
        return self.key == self.school_year

    @property
    def label(self) -> str:
        if self.is_year:
            return _("Läsåret %(year)s") % {"year": self.school_year}
        term = _("höstterminen") if self.key.endswith("HT") else _("vårterminen")
        return f"{self.school_year}, {term}"


def periods_of(year: AcademicYear) -> list[Period]:
    """The year, its autumn term (to 31 December) and its spring term (from 1 January)."""
    new_year = date(year.starts_on.year + 1, 1, 1)
    return [
        Period(year.name, year.name, year.starts_on, year.ends_on),
        Period(f"{year.name} HT", year.name, year.starts_on, date(year.starts_on.year, 12, 31)),
        Period(f"{year.name} VT", year.name, new_year, year.ends_on),
    ]


def available(today: date) -> list[Period]:
    """Newest first: the school years that have begun, at most YEARS_SHOWN of them, and the
    terms that have begun."""
    years = AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on")[:YEARS_SHOWN]
    return [p for year in years for p in periods_of(year) if p.starts_on <= today]


def school_years(today: date) -> list[Period]:
    """The school years of `available`, without their terms. The huvudman chooses among these
    only: a term and its year would let a hidden figure of one term be subtracted from the
    year's (docs/decisions/0009)."""
    return [p for p in available(today) if p.is_year]


def find(key: str | None, today: date, options: list[Period] | None = None) -> Period | None:
    """The period with this key, or the current school year when no key is given."""
    options = available(today) if options is None else options
    if not options:
        return None
    if not key:
        return options[0]
    return next((p for p in options if p.key == key), None)
