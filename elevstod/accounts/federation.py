"""Sign-in through the municipality's identity provider: what SAML and OIDC share (decision 0020).

The protocol modules (``accounts.saml``, ``accounts.oidc``) check the provider's message; this
module decides what follows from it. An account is found only through an ``ExternalIdentity`` the
SS 12000 sync wrote, so a person the sync does not know gets no access. Every outcome, allowed or
refused, leaves a ``SignInEvent`` with a reason code and never the provider's attributes.

The second factor (security.md P7): the provider's own statement that it authenticated the person
strongly (its authentication context, e.g. a Freja eID+ or BankID level) stands in for TOTP;
without it the staff member verifies with TOTP as after a password sign-in.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.middleware import (
    SESSION_SEEN,
    SESSION_STARTED,
    SESSION_STRONG_AUTHENTICATION,
)
from elevstod.accounts.models import ExternalIdentity, ExternalIdentityKind, SignInEvent, User

logger = logging.getLogger(__name__)

# Why a sign-in was refused: the code goes to the log row, the text to the person's page.
REFUSALS = {
    "unknown_user": _(
        "Du finns inte bland de personer som kommunens skoladministrativa system har lämnat till "
        "Elevstöd. Kontakta din skolas administratör om du behöver ett konto."
    ),
    "inactive_user": _("Ditt konto i Elevstöd är avstängt. Kontakta din skolas administratör."),
    "missing_attribute": _(
        "Inloggningstjänsten skickade inte den uppgift som Elevstöd känner igen dig på. "
        "Kontakta kommunens support."
    ),
    "invalid_signature": _(
        "Svaret från inloggningstjänsten var inte korrekt signerat och godtogs inte. "
        "Försök logga in igen."
    ),
    "wrong_audience": _(
        "Svaret från inloggningstjänsten var avsett för en annan tjänst och godtogs inte."
    ),
    "expired": _("Svaret från inloggningstjänsten har gått ut. Försök logga in igen."),
    "replay": _(
        "Svaret från inloggningstjänsten har redan använts en gång och godtogs inte. "
        "Försök logga in igen."
    ),
    "unknown_issuer": _("Svaret kom från en inloggningstjänst som Elevstöd inte litar på."),
    "protocol_error": _(
        "Inloggningen kunde inte slutföras. Försök igen, och kontakta kommunens support om det "
        "upprepas."
    ),
    "cancelled": _("Inloggningen avbröts."),
}


class SignInRefusedError(Exception):
    """A provider's answer is not accepted (SAML or OIDC); ``reason`` is a ``REFUSALS`` code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_user(kind: ExternalIdentityKind | str, value: str) -> User | None:
    """The account the sync linked to this attribute value, or None."""
    value = normalise(kind, value or "")
    if not value or (kind == ExternalIdentityKind.CIVIC_NO and len(value) != 12):
        return None
    identity = (
        ExternalIdentity.objects.select_related("user").filter(kind=kind, value=value).first()
    )
    return identity.user if identity else None


def normalise(kind: ExternalIdentityKind | str, value: str) -> str:
    """eduPersonPrincipalName is compared without case; a personnummer as its twelve digits."""
    value = value.strip()
    if kind == ExternalIdentityKind.EPPN:
        return value.lower()
    return "".join(char for char in value if char.isdigit())


def strong_contexts() -> frozenset[str]:
    """The authentication contexts the municipality counts as a second factor."""
    return frozenset(getattr(settings, "ELEVSTOD_STRONG_AUTHN_CONTEXTS", ()))


def complete_sign_in(
    request: HttpRequest,
    user: User,
    *,
    method: str,
    authn_contexts: tuple[str, ...] | list[str] = (),
) -> None:
    """Sign the linked user in; the provider's strong authentication stands in for TOTP."""
    strong = bool(strong_contexts().intersection(authn_contexts))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    request.session[SESSION_STRONG_AUTHENTICATION] = strong
    SignInEvent.objects.create(method=method, allowed=True, user=user, strong_authentication=strong)
    logger.info("Sign-in allowed", extra={"method": method, "strong": strong})


def refuse(request: HttpRequest, *, method: str, reason: str, status: int = 403) -> HttpResponse:
    """The Swedish page for a refused sign-in, and its log row (the reason, never who)."""
    if reason not in REFUSALS:
        reason = "protocol_error"
    if request.user.is_authenticated:
        # Whoever was signed in on this browser is not left behind a refused attempt (a shared
        # computer in a staff room).
        logout(request)
    SignInEvent.objects.create(method=method, allowed=False, reason=reason)
    logger.warning("Sign-in refused", extra={"method": method, "reason": reason})
    return render(
        request,
        "accounts/sign_in_refused.html",
        {"message": REFUSALS[reason], "reason": reason},
        status=status,
    )


def has_strong_authentication(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_STRONG_AUTHENTICATION))
