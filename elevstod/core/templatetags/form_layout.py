"""`{% side_by_side %}`: form fields next to each other on a wide screen, stacked on a phone.

    {% load form_layout %}
    {% side_by_side form.starts_on form.ends_on %}

renders each field's group (label, widget, help text and errors, as `{{ field.as_field_group }}`
does) in Pico's grid: `<div class="grid"><div>…</div><div>…</div></div>`. A field the form does
not have (the template variable resolves to nothing) leaves its cell empty, as
`{{ form.missing.as_field_group }}` renders nothing.
"""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def side_by_side(*fields: object) -> SafeString:
    groups = (
        (field.as_field_group() if isinstance(field, BoundField) else "",) for field in fields
    )
    return format_html('<div class="grid">{}</div>', format_html_join("", "<div>{}</div>", groups))
