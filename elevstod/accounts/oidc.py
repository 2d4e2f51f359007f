"""Sign-in through the municipality's OpenID Connect provider (issue 11, decision 0020).

mozilla-django-oidc does the protocol: state, nonce and PKCE in the session, the code for
tokens, the signing key from the provider's JWKS. This module makes it strict and fits it to
Elevstöd: the id_token's issuer, audience, expiry and signature are checked with PyJWT, the
person is found only through `federation.find_user` (never created), and every failure is
`federation.refuse`'s Swedish page with a reason code.

The backend is not in AUTHENTICATION_BACKENDS: the callback view calls it directly and
`federation.complete_sign_in` logs the person in with the ModelBackend, as every federated
sign-in does. So django-axes, which throttles passwords, never counts a provider's answer, and
no other caller of `authenticate()` can reach the OIDC code.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from elevstod.accounts import federation
from elevstod.accounts.models import SignInMethod, User

logger = logging.getLogger(__name__)

# The URL name that starts sign-in (the login page's button).
SIGN_IN_URL_NAME = "oidc:authenticate"

# mozilla-django-oidc's session keys: the open sign-ins (state → nonce, PKCE verifier) and where
# to go afterwards. Ours: the states already answered, to tell a replay from a stranger's state.
SESSION_STATES = "oidc_states"
SESSION_NEXT = "oidc_login_next"
SESSION_USED_STATES = "elevstod_oidc_used_states"
USED_STATES_KEPT = 20

# Clocks differ a little between the provider and us (seconds).
CLOCK_SKEW_SECONDS = 60
DISCOVERY_SECONDS = 3600


def is_configured() -> bool:
    """OIDC sign-in is on when the provider's issuer and Elevstöd's client are configured."""
    return bool(
        settings.ELEVSTOD_OIDC_ISSUER
        and settings.ELEVSTOD_OIDC_CLIENT_ID
        and settings.ELEVSTOD_OIDC_CLIENT_SECRET
    )


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str
    userinfo: str


_discovered: dict[str, tuple[float, Endpoints]] = {}


def endpoints() -> Endpoints:
    """The provider's endpoints: from the settings, or else its discovery document (cached)."""
    if settings.ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT:
        return Endpoints(
            authorization=settings.ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT,
            token=settings.ELEVSTOD_OIDC_TOKEN_ENDPOINT,
            jwks=settings.ELEVSTOD_OIDC_JWKS_URI,
            userinfo=settings.ELEVSTOD_OIDC_USERINFO_ENDPOINT,
        )
    issuer = settings.ELEVSTOD_OIDC_ISSUER
    cached = _discovered.get(issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    try:
        response = requests.get(
            issuer.rstrip("/") + "/.well-known/openid-configuration",
            timeout=settings.ELEVSTOD_OIDC_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        document = response.json()
        found = Endpoints(
            authorization=document["authorization_endpoint"],
            token=document["token_endpoint"],
            jwks=document["jwks_uri"],
            userinfo=settings.ELEVSTOD_OIDC_USERINFO_ENDPOINT
            or document.get("userinfo_endpoint", ""),
        )
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        logger.warning("OIDC discovery failed", extra={"error": type(exc).__name__})
        raise federation.SignInRefusedError("protocol_error") from exc
    # The document must be the issuer's own (OpenID Connect Discovery 1.0, 4.3).
    if document.get("issuer") != issuer:
        raise federation.SignInRefusedError("unknown_issuer")
    _discovered[issuer] = (time.monotonic(), found)
    return found


def library_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, made from ELEVSTOD_OIDC_* (config/settings/oidc.py)."""
    acr_values = settings.ELEVSTOD_OIDC_ACR_VALUES
    ours: dict[str, Any] = {
        "OIDC_RP_CLIENT_ID": settings.ELEVSTOD_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.ELEVSTOD_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": settings.ELEVSTOD_OIDC_SIGN_ALGORITHM,
        "OIDC_RP_IDP_SIGN_KEY": None,  # the key comes from the provider's JWKS, by kid
        "OIDC_RP_SCOPES": " ".join(settings.ELEVSTOD_OIDC_SCOPES),
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": (
            {"acr_values": " ".join(acr_values)} if acr_values else {}
        ),
        # Endpoints come from `endpoints()`; the classes below set them before any request.
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "",
        "OIDC_OP_TOKEN_ENDPOINT": "",
        "OIDC_OP_USER_ENDPOINT": "",
        "OIDC_OP_JWKS_ENDPOINT": "",
        # The OAuth client authentication method's name, not a secret.
        "OIDC_TOKEN_USE_BASIC_AUTH": (
            settings.ELEVSTOD_OIDC_TOKEN_AUTH_METHOD == "client_secret_basic"  # noqa: S105
        ),
        "OIDC_TIMEOUT": settings.ELEVSTOD_OIDC_TIMEOUT_SECONDS,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc:callback",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_VERIFY_KID": True,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        # Accounts come from the SS 12000 sync only (issue 11).
        "OIDC_CREATE_USER": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }
    if attr in ours:
        return ours[attr]
    return import_from_settings(attr, *default)


# ----------------------------------------------------------------------------- the backend

# PyJWT's verdicts on an id_token, as refusal reasons; the first matching class wins.
_TOKEN_ERRORS: list[tuple[type[Exception], str]] = [
    (jwt.InvalidSignatureError, "invalid_signature"),
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "unknown_issuer"),
    (jwt.InvalidTokenError, "protocol_error"),
]


class OIDCBackend(OIDCAuthenticationBackend):
    """The provider's answer to one sign-in, checked: the account the sync linked, or a refusal.

    Instantiated by the callback view with the provider's endpoints. After `authenticate`,
    `authn_context` holds the id_token's `acr` (empty when the provider named none).
    """

    get_settings = staticmethod(library_setting)

    def __init__(self, provider: Endpoints) -> None:
        super().__init__()
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo
        self.authn_context = ""

    def raise_token_response_error(self, response: requests.Response) -> None:
        if response.status_code == 200:
            return
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        # invalid_grant (RFC 6749 5.2): the code was already exchanged, or has expired. Ours is
        # exchanged within a second of arriving, so it is the code being used a second time.
        raise federation.SignInRefusedError(
            "replay" if error == "invalid_grant" else "protocol_error"
        )

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        """The id_token's claims, once its signature, issuer, audience and time are right."""
        if not isinstance(token, str) or not token:
            raise federation.SignInRefusedError("protocol_error")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise federation.SignInRefusedError("protocol_error") from exc
        # Only the configured algorithm, so a token cannot choose how it is checked.
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise federation.SignInRefusedError("invalid_signature")
        try:
            key = self.retrieve_matching_jwk(token)
        except requests.RequestException as exc:
            raise federation.SignInRefusedError("protocol_error") from exc
        except (SuspiciousOperation, KeyError, jwt.PyJWKError) as exc:
            # No key of the provider's has this token's kid: not signed by the provider.
            raise federation.SignInRefusedError("invalid_signature") from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.ELEVSTOD_OIDC_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as exc:
            reason = next(reason for kind, reason in _TOKEN_ERRORS if isinstance(exc, kind))
            raise federation.SignInRefusedError(reason) from exc
        # Several audiences: the token must say it was issued to us (OIDC Core 3.1.3.7, 4-5).
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise federation.SignInRefusedError("wrong_audience")
        # The nonce binds the token to the sign-in this browser started.
        if claims.get("nonce") != kwargs.get("nonce"):
            raise federation.SignInRefusedError("replay")
        return claims

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            claims = super().get_userinfo(access_token, id_token, payload)
        except (requests.RequestException, ValueError) as exc:
            raise federation.SignInRefusedError("protocol_error") from exc
        # The answer must be about the person in the id_token (OIDC Core 5.3.2).
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise federation.SignInRefusedError("protocol_error")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """Find, never create: the account the SS 12000 sync linked to the person's claim."""
        identity = _identity(payload)
        if identity is None and self.OIDC_OP_USER_ENDPOINT:
            identity = _identity(self.get_userinfo(access_token, id_token, payload))
        if identity is None:
            raise federation.SignInRefusedError("missing_attribute")
        user = federation.find_user(*identity)
        if user is None:
            raise federation.SignInRefusedError("unknown_user")
        if not user.is_active:
            raise federation.SignInRefusedError("inactive_user")
        acr = payload.get("acr")
        self.authn_context = acr if isinstance(acr, str) else ""
        return user


def _identity(claims: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, value) of the first configured identity claim present, or None."""
    for claim, kind in settings.ELEVSTOD_OIDC_IDENTITY_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return kind, value
    return None


# ----------------------------------------------------------------------------- the views


def _local(url: str | None) -> str | None:
    """A path on this site, or None: never a redirect elsewhere after sign-in."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return None


class SignInStart(OIDCAuthenticationRequestView):
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_configured():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints().authorization
        except federation.SignInRefusedError as refusal:
            return federation.refuse(request, method=SignInMethod.OIDC, reason=refusal.reason)
        response: HttpResponse = super().get(request)
        request.session[SESSION_NEXT] = _local(request.GET.get("next"))
        return response


def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here: sign in, or say in Swedish why not."""
    if not is_configured():
        raise Http404
    try:
        user, authn_context = _checked_sign_in(request)
    except federation.SignInRefusedError as refusal:
        return federation.refuse(request, method=SignInMethod.OIDC, reason=refusal.reason)
    except Exception as exc:
        # Whatever else went wrong (the provider unreachable, an answer we cannot read), the
        # person gets the refusal page, not a server error. The class only: never the claims.
        logger.warning("OIDC sign-in failed", extra={"error": type(exc).__name__})
        return federation.refuse(request, method=SignInMethod.OIDC, reason="protocol_error")
    next_url = _local(request.session.pop(SESSION_NEXT, None))
    federation.complete_sign_in(
        request,
        user,
        method=SignInMethod.OIDC,
        authn_contexts=[authn_context] if authn_context else [],
    )
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _checked_sign_in(request: HttpRequest) -> tuple[User, str]:
    state = request.GET.get("state", "")
    flow = _take_state(request, state)
    if "error" in request.GET:
        # The provider's own refusal; access_denied is the person choosing not to go on.
        raise federation.SignInRefusedError(
            "cancelled" if request.GET["error"] == "access_denied" else "protocol_error"
        )
    if not state or not request.GET.get("code"):
        raise federation.SignInRefusedError("protocol_error")
    if flow is None:
        used = request.session.get(SESSION_USED_STATES, [])
        raise federation.SignInRefusedError("replay" if state in used else "protocol_error")
    backend = OIDCBackend(endpoints())
    user: AbstractBaseUser | None = backend.authenticate(
        request, nonce=flow.get("nonce"), code_verifier=flow.get("code_verifier")
    )
    if not isinstance(user, User):
        raise federation.SignInRefusedError("protocol_error")
    return user, backend.authn_context


def _take_state(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """The sign-in this state belongs to, removed so that it is answered once only."""
    states = request.session.get(SESSION_STATES)
    if not state or not isinstance(states, dict) or state not in states:
        return None
    flow: dict[str, Any] = states.pop(state)
    request.session[SESSION_STATES] = states
    used = [*request.session.get(SESSION_USED_STATES, []), state][-USED_STATES_KEPT:]
    request.session[SESSION_USED_STATES] = used
    # Saved now: the token exchange takes a while, and the state must be spent even if it fails.
    request.session.save()
    return flow
