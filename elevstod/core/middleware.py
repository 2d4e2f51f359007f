"""Headers Django does not set itself (a strict Content Security Policy and Permissions-Policy),
and a clean acting role for the access log at the start of each request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from elevstod.audit.recording import clear_acting_role

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A worker thread serves many requests: no acting role carries over from the last one.
        clear_acting_role()
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Pupil data must never sit in a shared cache or the browser's back-forward cache.
        if request.user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
