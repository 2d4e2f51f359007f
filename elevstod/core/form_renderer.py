"""Django's form renderer, with the templates every field uses rendered in Python.

Each field of a form passes through four or five small templates (field group, label, widget,
attributes, one per <option>). At about 0.1–0.3 ms each, a programme editor with a hundred
fields and a staff list per measure spent most of its time there. The functions below produce
the same markup as Django 5.2's templates of the same names (whitespace aside) and are tested
against them in elevstod/core/tests/test_form_renderer.py. Any other template, a project
override included, renders through Django as usual.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: Mapping[str, Any] | None) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    out = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    # The newline after the start tag is Django's; HTML drops it, so a leading newline typed
    # by the user survives a round trip.
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def _select(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'<option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return "".join(parts)


def _label(context: Mapping[str, Any]) -> str:
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return str(label)
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _field(context: Mapping[str, Any]) -> str:
    field = context["field"]
    parts = []
    if field.use_fieldset:
        described = field.aria_describedby
        aria = f' aria-describedby="{conditional_escape(described)}"' if described else ""
        parts.append(f"<fieldset{aria}>")
        if field.label:
            parts.append(str(field.legend_tag()))
    elif field.label:
        parts.append(str(field.label_tag()))
    if field.help_text:
        help_id = f' id="{conditional_escape(field.auto_id)}_helptext"' if field.auto_id else ""
        parts.append(f'<div class="helptext"{help_id}>{field.help_text}</div>')
    parts.append(str(field.errors))
    parts.append(str(field))
    if field.use_fieldset:
        parts.append("</fieldset>")
    return "\n".join(part for part in parts if part)


INPUT_TEMPLATES = (
    "checkbox",
    "date",
    "datetime",
    "email",
    "hidden",
    "input",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
)
FAST: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in INPUT_TEMPLATES},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/label.html": _label,
    "django/forms/field.html": _field,
}


class FastRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST.get(template_name)
        if fast is None:
            return super().render(template_name, context, request)
        return mark_safe(fast(context))  # noqa: S308 — every value is escaped above
