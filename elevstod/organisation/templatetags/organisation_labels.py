"""Template filters that put words for the organisation's codes on a page."""

from collections.abc import Iterable

from django import template

from elevstod.organisation.labels import school_form_names as _school_form_names

register = template.Library()


@register.filter
def school_form_names(codes: Iterable[str] | None) -> str:
    """`{{ unit.school_forms|school_form_names }}`: "Grundskola, Anpassad grundskola"."""
    return _school_form_names(codes or ())
