"""What the special-education pages share: the generic form page and the way on after a save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from elevstod.organisation.models import SchoolUnit

FORM = "specialed/form.html"


def posted(request: HttpRequest) -> QueryDict | None:
    """The data a form is bound to: what was posted, or nothing on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    unit: SchoolUnit,
    title: str,
    submit: str,
    back_url: str,
    back_label: str,
    error_summary: str,
    intro: str = "",
) -> HttpResponse:
    """specialed/form.html: every field of `form` in order. A bound form shown again is a 400
    with what the user typed and the errors."""
    return render(
        request,
        FORM,
        {
            "unit": unit,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "back_url": back_url,
            "back_label": back_label,
            "error_summary": error_summary,
        },
        status=400 if form.is_bound else 200,
    )


def saved(request: HttpRequest, message: str, to: str, **kwargs: Any) -> HttpResponse:
    """After a save: say so, and go on to the page `to` (a URL name with its arguments)."""
    messages.success(request, message)
    return redirect(to, **kwargs)
