"""School forms (skolformer) as a versioned choice.

A form can leave the school system by law: förskoleklassen is abolished from 2026-07-01 by
SFS 2025:729 (the ten-year grundskola). Labels are lazily translated.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SchoolForm(StrEnum):
    PRESCHOOL_CLASS = "forskoleklass"
    COMPULSORY = "grundskola"
    ADAPTED_COMPULSORY = "anpassad_grundskola"
    SPECIAL = "specialskola"
    SAMI = "sameskola"
    UPPER_SECONDARY = "gymnasieskola"
    ADAPTED_UPPER_SECONDARY = "anpassad_gymnasieskola"


@dataclass(frozen=True)
class FormValidity:
    label: "str | Promise"
    valid_from: date | None = None
    valid_until: date | None = None  # first day the form no longer exists

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_until is not None and day >= self.valid_until)


VALIDITY: dict[SchoolForm, FormValidity] = {
    # SFS 2025:729: förskoleklassen upphör 2026-07-01.
    SchoolForm.PRESCHOOL_CLASS: FormValidity(_("Förskoleklass"), valid_until=date(2026, 7, 1)),
    SchoolForm.COMPULSORY: FormValidity(_("Grundskola")),
    # "Grundsärskola" became "anpassade grundskolan" by SFS 2022:1315.
    SchoolForm.ADAPTED_COMPULSORY: FormValidity(
        _("Anpassad grundskola"), valid_from=date(2023, 7, 1)
    ),
    SchoolForm.SPECIAL: FormValidity(_("Specialskola")),
    SchoolForm.SAMI: FormValidity(_("Sameskola")),
    SchoolForm.UPPER_SECONDARY: FormValidity(_("Gymnasieskola")),
    SchoolForm.ADAPTED_UPPER_SECONDARY: FormValidity(
        _("Anpassad gymnasieskola"), valid_from=date(2023, 7, 1)
    ),
}

# Grades (årskurser) each form has. Grundskola gains a year 0 only via förskoleklass before 2026.
GRADES: dict[SchoolForm, tuple[int, ...]] = {
    SchoolForm.PRESCHOOL_CLASS: (0,),
    SchoolForm.COMPULSORY: tuple(range(1, 10)),
    SchoolForm.ADAPTED_COMPULSORY: tuple(range(1, 10)),
    SchoolForm.SPECIAL: tuple(range(1, 11)),
    SchoolForm.SAMI: tuple(range(1, 7)),
    SchoolForm.UPPER_SECONDARY: (1, 2, 3),
    SchoolForm.ADAPTED_UPPER_SECONDARY: (1, 2, 3, 4),
}


def school_form_choices() -> list[tuple[str, "str | Promise"]]:
    return [(form.value, VALIDITY[form].label) for form in SchoolForm]


def is_school_form_valid_on(form: SchoolForm | str, day: date) -> bool:
    return VALIDITY[SchoolForm(form)].is_valid_on(day)


def school_forms_valid_on(day: date) -> list[SchoolForm]:
    return [form for form in SchoolForm if VALIDITY[form].is_valid_on(day)]
