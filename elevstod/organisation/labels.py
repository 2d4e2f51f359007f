"""What the pages call a school form: its name in school_forms.VALIDITY, never its code.

A unit's `school_forms` holds the codes (SS 12000 style, e.g. "anpassad_grundskola"). A code that
is not a SchoolForm (the model's clean refuses one, but the sync and old rows bypass it) reads
"Annan skolform" with the code, so the reader sees it is unnamed rather than taking it for a name.
"""

from collections.abc import Iterable

from django.utils.translation import gettext

from elevstod.organisation.school_forms import VALIDITY, SchoolForm


def school_form_label(code: str) -> str:
    try:
        return str(VALIDITY[SchoolForm(code)].label)
    except ValueError:
        return gettext("Annan skolform (%(code)s)") % {"code": code}


def school_form_names(codes: Iterable[str]) -> str:
    """The forms' names in the order stored, comma-separated (as the unit table shows them)."""
    return ", ".join(school_form_label(code) for code in codes)
