"""The field builders the support chain's forms share beside elevstod.core.form_fields: a long
text within a limit, a label table as radio buttons, and a choice field to fill in.

Forms only check input (types, required fields, dates in order, people who may carry the
responsibility: elevstod.support.staff). The rules of the chain are the workflow's, applied by
the services; a refusal is shown on the bound form so that everything typed stays on the page.
"""

from __future__ import annotations

from django import forms
from django_stubs_ext import StrOrPromise

from elevstod.core import form_fields
from elevstod.support.labels import choices

TEXT_LIMIT = 20_000  # generous for a pedagogical text; stops accidental pastes of whole files


def text_field(
    label: StrOrPromise, *, rows: int = 4, required: bool = True, help_text: StrOrPromise = ""
) -> forms.CharField:
    """A text the user types at length, within TEXT_LIMIT."""
    return form_fields.text_field(
        label, rows=rows, max_length=TEXT_LIMIT, required=required, help_text=help_text
    )


def radio_field(label: StrOrPromise, labels: dict) -> forms.ChoiceField:
    """One of a label table's values (elevstod.support.labels), as radio buttons."""
    return forms.ChoiceField(label=label, choices=choices(labels), widget=forms.RadioSelect)


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field
