"""The `{% side_by_side %}` tag (elevstod/core/templatetags/form_layout.py)."""

from django import forms
from django.template import Context, Template


class PeriodForm(forms.Form):
    starts_on = forms.DateField(label="Från")
    ends_on = forms.DateField(label="Till")


def render(source: str, **context: object) -> str:
    return Template("{% load form_layout %}" + source).render(Context(context))


def test_fields_stand_in_a_grid_each_as_its_own_field_group() -> None:
    form = PeriodForm(data={"starts_on": "2025-01-01", "ends_on": "inte ett datum"})
    html = render("{% side_by_side form.starts_on form.ends_on %}", form=form)
    assert html == (
        f'<div class="grid"><div>{form["starts_on"].as_field_group()}</div>'
        f"<div>{form['ends_on'].as_field_group()}</div></div>"
    )
    assert "errorlist" in html  # the invalid date's message is part of its group


def test_a_field_the_form_does_not_have_leaves_its_cell_empty() -> None:
    html = render("{% side_by_side form.starts_on form.missing %}", form=PeriodForm())
    assert html.endswith("<div></div></div>")
