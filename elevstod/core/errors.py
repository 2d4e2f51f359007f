"""Error pages that reveal nothing: no ids, no names, no stack (security.md P5)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Forbidden is shown as "not found" so that existence is not revealed.
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the failure may lie in what the context processors read.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
