"""Autosaved drafts (process.md rule 7): laying a user's own draft over a document's form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

# What the browser posts besides the document's own fields: never kept in a draft.
NOT_DRAFT_FIELDS = ("csrfmiddlewaretoken", "action", "version")


def draft_data(posted: Any) -> dict[str, Any]:
    """The posted fields as a draft keeps them: one value, or a list when a field repeats."""
    data: dict[str, Any] = {}
    for key in posted:
        if key in NOT_DRAFT_FIELDS:
            continue
        values = posted.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return data


def initial_from_draft(
    form_class: type[forms.Form], data: Mapping[str, Any], base: Mapping[str, Any]
) -> dict[str, Any]:
    """The form's initial values with a saved draft laid over the document's own values."""
    initial = dict(base)
    for name, form_field in form_class.base_fields.items():
        if name not in data or name == "version":
            continue
        value = data[name]
        if isinstance(form_field, forms.MultipleChoiceField):
            initial[name] = value if isinstance(value, list) else [value]
        elif isinstance(form_field, forms.BooleanField):
            initial[name] = value in ("on", "true", "1", True)
        else:
            initial[name] = value[-1] if isinstance(value, list) else value
    return initial


def need_rows_from_draft(data: Mapping[str, Any], prefix: str = "needs") -> list[dict[str, str]]:
    """Rows of the needs formset as a draft holds them (the raw form fields)."""
    rows = []
    for index in range(30):
        description = data.get(f"{prefix}-{index}-description")
        category = data.get(f"{prefix}-{index}-category")
        if description is None and category is None:
            continue
        rows.append({"category": str(category or ""), "description": str(description or "")})
    return [row for row in rows if row["description"].strip()]
