"""The Python renderer produces Django's own markup for every field it takes over."""

import re
from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from elevstod.core.form_renderer import FastRenderer


class DateInput(forms.DateInput):
    input_type = "date"


class Everything(forms.Form):
    required_css_class = "required"

    name = forms.CharField(label="Namn <i>", help_text=mark_safe("Hjälp <b>fet</b>"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    day = forms.DateField(widget=DateInput, required=False)
    count = forms.IntegerField(min_value=1, max_value=9, required=False)
    mail = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(required=False, label="Jag håller med?")
    person = forms.ChoiceField(
        choices=[("", "–"), ("1", "Anna & <Bo>"), ("Grupp", [("2", "Cecilia"), ("3", "Dan")])],
        required=False,
    )
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, required=False
    )


def _normalise(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _render_both(data: dict | None, **kwargs: object) -> tuple[str, str]:
    slow = Everything(data, renderer=DjangoTemplates(), **kwargs)
    fast = Everything(data, renderer=FastRenderer(), **kwargs)
    return (
        "".join(_normalise(field.as_field_group()) for field in slow),
        "".join(_normalise(field.as_field_group()) for field in fast),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "name": 'Ella "E" <script>',
            "text": "\nrad ett\n<rad två>",
            "day": "2026-12-01",
            "count": "12",
            "mail": "fel",
            "secret": "x",
            "hidden": "h&h",
            "agree": "on",
            "person": "2",
            "kind": "b",
        },
    ],
    ids=["unbound", "bound-empty", "bound-with-errors"],
)
def test_same_markup_as_djangos_templates(data: dict | None) -> None:
    slow, fast = _render_both(data, initial={"day": date(2026, 1, 2)})
    assert fast == slow


# 60 examples, 30 with HYPOTHESIS_PROFILE=ci (conftest.py): the table test above already sends
# markup, quotes, ampersands and line breaks through both renderers.
@settings(max_examples=settings.default.max_examples * 3 // 5, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_same_markup_for_any_typed_text(name: str, text: str) -> None:
    slow, fast = _render_both({"name": name, "text": text, "person": name})
    assert fast == slow


def test_a_prefixed_form_without_ids_keeps_django_markup() -> None:
    slow, fast = _render_both(None, auto_id=False, prefix="p")
    assert fast == slow
