"""Session time-outs and the second factor, enforced for every request (security.md P7)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.middleware import is_verified

from elevstod.access.context import context_for
from elevstod.access.policy import needs_second_factor
from elevstod.accounts.http import HtmxRequest

SESSION_STARTED = "elevstod_auth_started"
SESSION_SEEN = "elevstod_last_seen"
# Refresh the idle clock at most once a minute, so that reads do not write the session each time.
SEEN_RESOLUTION_SECONDS = 60

# Set by accounts.federation when the identity provider vouched for strong authentication.
SESSION_STRONG_AUTHENTICATION = "elevstod_idp_strong_authentication"

# The sign-in pages of the identity providers too: a staff member waiting for TOTP may sign in
# again through a provider that vouches for strong authentication.
EXEMPT_PREFIXES = ("/static/", "/healthz", "/accounts/", "/i18n/", "/saml2/", "/oidc/")


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            idle = now - seen > settings.ELEVSTOD_SESSION_IDLE_SECONDS
            expired = now - started > settings.ELEVSTOD_SESSION_ABSOLUTE_SECONDS
            if idle or expired:
                logout(request)
                messages.info(request, _("Du har loggats ut efter en tids inaktivitet."))
                return _redirect(request, "accounts:login")
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = now
            if now - seen >= SEEN_RESOLUTION_SECONDS or SESSION_SEEN not in request.session:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Staff who have not passed the second factor see nothing but the sign-in pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxRequest) -> HttpResponse:
        if (
            settings.ELEVSTOD_REQUIRE_SECOND_FACTOR
            and request.user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            # OTPMiddleware (earlier in MIDDLEWARE) notes the device the user verified with.
            and not is_verified(request.user)
            # The identity provider's statement of strong authentication (decision 0020).
            and not request.session.get(SESSION_STRONG_AUTHENTICATION)
            and (request.user.is_staff or needs_second_factor(context_for(request)))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "message": _("Tvåstegsverifiering krävs."),
                    },
                    status=403,
                )
            return _redirect(request, "accounts:otp_verify")
        return self.get_response(request)


def _redirect(request: HtmxRequest, url_name: str) -> HttpResponse:
    url = reverse(url_name)
    if request.htmx:
        # htmx follows a redirect inside the fragment; HX-Redirect moves the whole page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
