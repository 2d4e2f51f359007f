"""Error pages that reveal nothing: no ids, no names, no stack (security.md P5).

Nor the path asked for: a mistyped or probing URL may hold a personnummer, and the page must not
repeat it (decision 0016); the 404 page's language form returns to the start page. Under /api/
the answer is JSON like the API's own errors (decision 0012), whatever failed before the API's
handlers were reached (an unknown path, a failure in a middleware).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext

API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        with translation.override("sv"):
            message = gettext("Posten finns inte, eller så har du inte behörighet att se den.")
        return _api_error(404, "not_found", message)
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Forbidden is shown as "not found" so that existence is not revealed.
    return not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        with translation.override("sv"):
            message = gettext("Ett oväntat fel inträffade. Försök igen senare.")
        return _api_error(500, "server_error", message)
    # Rendered without the request: the failure may lie in what the context processors read.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
