"""Searching for a pupil by name or personnummer without the term ever landing in a URL.

A URL is written to server, proxy and browser logs and sent on as a Referer, so a personnummer
typed into a search is sent in the body of a POST instead (decision 0016). A personnummer-like
value that still arrives in a query string is never searched for, echoed or logged: the page
answers with the empty form.
"""

import re
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Six digits in a row, once separators are removed, is already a date of birth: identifying
# enough to keep out of URLs (a whole personnummer has ten or twelve).
_IDENTIFYING_DIGITS = re.compile(r"\d{6}")
_SEPARATORS = re.compile(r"[\s+\-]")


def looks_like_identity_number(text: str) -> bool:
    """True for a personnummer, samordningsnummer or date of birth, with or without separators."""
    return bool(_IDENTIFYING_DIGITS.search(_SEPARATORS.sub("", text)))


def without_nul(text: str) -> str:
    """What the user typed, minus the NUL characters PostgreSQL cannot store or compare."""
    return text.replace("\x00", "")


class SearchTermField(forms.CharField):
    """A free-text search term: at most 100 characters, refused (not a 500) with a NUL in it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)
        # Django's own check says "Null-tecken är inte tillåtna."; this one says what to do.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        self.validators.append(
            ProhibitNullCharactersValidator(
                message=_(
                    "Sökningen innehåller ett osynligt nolltecken (NUL) som inte kan sökas på. "
                    "Skriv in sökningen igen utan det."
                )
            )
        )


class PupilSearchForm(forms.Form):
    """The pupil list's search box, sent by POST."""

    q = SearchTermField(label=_("Sök på namn eller personnummer"))
