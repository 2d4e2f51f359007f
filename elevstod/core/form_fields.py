"""Field builders the forms of every app share: dates typed as ÅÅÅÅ-MM-DD, texts in a text area.

Each app keeps its own wording (labels, messages); only the widgets and the field shape live here,
so a date looks and parses the same on every page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from django import forms
from django_stubs_ext import StrOrPromise
from typing_extensions import Unpack

DATE_FORMAT = "%Y-%m-%d"  # what <input type="date"> sends and shows


class FieldOptions(TypedDict, total=False):
    """What every form field takes besides its label (Django's defaults when left out)."""

    required: bool
    help_text: StrOrPromise
    error_messages: Mapping[str, StrOrPromise]


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT)


def date_field(
    label: StrOrPromise, *, input_formats: list[str] | None = None, **options: Unpack[FieldOptions]
) -> forms.DateField:
    """A date picked in the browser's date input. `input_formats` None: the locale's formats."""
    return forms.DateField(label=label, input_formats=input_formats, widget=date_input(), **options)


def text_field(
    label: StrOrPromise,
    *,
    rows: int = 4,
    max_length: int | None = None,
    **options: Unpack[FieldOptions],
) -> forms.CharField:
    """A text the user types at length, in a text area of `rows` rows."""
    return forms.CharField(label=label, max_length=max_length, widget=textarea(rows), **options)
