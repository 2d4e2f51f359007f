"""SAML 2.0 sign-in: Elevstöd as a service provider of the municipality's identity provider.

pysaml2 checks the provider's answer (the signature on the assertion, the audience, the validity
times, that it answers the request this browser sent); ``accounts.federation`` decides what
follows: the account the SS 12000 sync linked, or a refusal with its reason (issue 11, decision
0020). The views are thin: start (``saml:login``), the assertion consumer (``saml:acs``) and
our metadata (``saml:metadata``).

Which request a browser is waiting for is kept in a signed cookie of its own, sent with the
provider's cross-site POST (SameSite=None); the session cookie (SameSite=Lax) is not. An
assertion that has signed someone in is noted in the database until it expires, so posting it
again is refused on every worker.
"""

from __future__ import annotations

import calendar
import copy
import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.attribute_converter import get_local_name
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import (
    AuthnResponse,
    IncorrectlySigned,
    StatusAuthnFailed,
    StatusRequestDenied,
    UnsolicitedResponse,
)
from saml2.saml import NAME_FORMAT_URI, SCM_BEARER
from saml2.sigver import MissingKey, SigverError
from saml2.time_util import str_to_time
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from elevstod.accounts import federation
from elevstod.accounts.models import SamlAssertionSeen, SignInMethod

logger = logging.getLogger(__name__)

# pysaml2 writes whole assertions (names, personnummer) into some of its error messages: its own
# logger is kept quiet by LOGGING (config/settings/base.py); we log reason codes only.

LOGIN_URL_NAME = "saml:login"

PENDING_COOKIE = "elevstod_saml_request"
# Sent to the SAML views only (config/urls.py mounts saml_urls under saml2/).
PENDING_PATH = "/saml2/"
PENDING_SALT = "elevstod.accounts.saml.pending"
# Time enough to sign in at the provider (BankID, Freja eID) before the answer comes back.
PENDING_SECONDS = 15 * 60
# A browser may start sign-in in a few tabs; the newest requests are remembered.
PENDING_KEPT = 3
METADATA_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Assertion:
    """What Elevstöd takes from a verified answer."""

    request_id: str
    assertion_id: str
    expires_at: datetime
    # (ExternalIdentityKind, value) from the configured attributes; None: none of them came.
    identity: tuple[str, str] | None
    authn_contexts: list[str]


def is_configured() -> bool:
    """SAML sign-in is offered when the identity provider's metadata is named."""
    return bool(settings.ELEVSTOD_SAML_IDP_METADATA_URL or settings.ELEVSTOD_SAML_IDP_METADATA_FILE)


# ----------------------------------------------------------------------------- configuration


def sp_entity_id() -> str:
    return settings.ELEVSTOD_SAML_SP_ENTITY_ID or _absolute(reverse("saml:metadata"))


def xmlsec_binary() -> str | None:
    return settings.ELEVSTOD_SAML_XMLSEC_BINARY or shutil.which("xmlsec1")


def _absolute(path: str) -> str:
    # The provider posts to the address it knows from our metadata, never to a Host header.
    return f"{settings.ELEVSTOD_SITE_URL.rstrip('/')}{path}"


def _config_dict(*, with_idp: bool) -> dict[str, Any]:
    """pysaml2's configuration, from the ELEVSTOD_SAML_* settings (config/settings/saml.py)."""
    has_key = bool(settings.ELEVSTOD_SAML_SP_KEY_FILE)
    conf: dict[str, Any] = {
        "entityid": sp_entity_id(),
        "xmlsec_binary": xmlsec_binary(),
        "accepted_time_diff": settings.ELEVSTOD_SAML_CLOCK_SKEW_SECONDS,
        "http_client_timeout": METADATA_TIMEOUT_SECONDS,
        # Attributes outside pysaml2's maps keep their SAML name (e.g. an urn:oid: name).
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [
                        (_absolute(reverse("saml:acs")), BINDING_HTTP_POST)
                    ],
                },
                # Only answers to a request this browser sent (no IdP-initiated sign-in).
                "allow_unsolicited": False,
                "authn_requests_signed": has_key,
                # pysaml2 signs with RSA-SHA1 unless told otherwise (read from here, not the top).
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                # saml2int: every assertion signed by the provider.
                "want_assertions_signed": True,
                "want_response_signed": settings.ELEVSTOD_SAML_WANT_RESPONSE_SIGNED,
            }
        },
    }
    if has_key:
        conf["key_file"] = settings.ELEVSTOD_SAML_SP_KEY_FILE
        conf["cert_file"] = settings.ELEVSTOD_SAML_SP_CERT_FILE
        conf["encryption_keypairs"] = [
            {
                "key_file": settings.ELEVSTOD_SAML_SP_KEY_FILE,
                "cert_file": settings.ELEVSTOD_SAML_SP_CERT_FILE,
            }
        ]
    if with_idp:
        metadata: dict[str, list[Any]] = {}
        if settings.ELEVSTOD_SAML_IDP_METADATA_FILE:
            metadata["local"] = [settings.ELEVSTOD_SAML_IDP_METADATA_FILE]
        if settings.ELEVSTOD_SAML_IDP_METADATA_URL:
            metadata["remote"] = [
                {
                    "url": settings.ELEVSTOD_SAML_IDP_METADATA_URL,
                    "cert": settings.ELEVSTOD_SAML_IDP_METADATA_CERT or None,
                }
            ]
        conf["metadata"] = metadata
    return conf


_loaded: dict[str, tuple[float, SPConfig]] = {}
_loaded_lock = threading.Lock()


def sp_config() -> SPConfig:
    """The configuration with the provider's metadata, read at first use and kept a while."""
    conf_dict = _config_dict(with_idp=True)
    key = json.dumps(conf_dict, sort_keys=True, default=str)
    now = time.monotonic()
    with _loaded_lock:
        cached = _loaded.get(key)
        if cached and now - cached[0] < settings.ELEVSTOD_SAML_METADATA_CACHE_SECONDS:
            return cached[1]
    conf = SPConfig().load(copy.deepcopy(conf_dict))
    with _loaded_lock:
        _loaded.clear()
        _loaded[key] = (now, conf)
    return conf


def idp_entity_id(conf: SPConfig) -> str:
    """The configured provider, or the only one the metadata names."""
    if settings.ELEVSTOD_SAML_IDP_ENTITY_ID:
        return str(settings.ELEVSTOD_SAML_IDP_ENTITY_ID)
    providers = conf.metadata.identity_providers()
    if len(providers) != 1:
        raise SAMLError("Set ELEVSTOD_SAML_IDP_ENTITY_ID: the metadata names several providers")
    return str(providers[0])


# ----------------------------------------------------------------------------- the answer


def read_answer(saml_response: str, request_ids: list[str]) -> Assertion:
    """Verify the provider's answer and return what it says; a refusal raises
    ``federation.SignInRefusedError``."""
    if not saml_response:
        raise federation.SignInRefusedError("protocol_error")
    try:
        conf = sp_config()
        idp = idp_entity_id(conf)
        response = Saml2Client(config=conf).parse_authn_request_response(
            saml_response,
            BINDING_HTTP_POST,
            dict.fromkeys(request_ids, ""),
            # With this pysaml2 also checks the assertion's Recipient (our entity id or ACS).
            conv_info={"entity_id": conf.entityid},
        )
    except Exception as exc:  # pysaml2 raises plain Exception for some checks
        raise federation.SignInRefusedError(_reason_for(exc)) from exc
    if response is None or response.assertion is None:
        raise federation.SignInRefusedError("protocol_error")
    if response.issuer() not in ("", idp) or _assertion_issuer(response) != idp:
        # Another provider in the same metadata aggregate is not ours to trust.
        raise federation.SignInRefusedError("unknown_issuer")
    return Assertion(
        request_id=str(response.in_response_to or ""),
        assertion_id=str(response.assertion.id),
        expires_at=_expires_at(response),
        identity=linked_identity(response.ava or {}, conf.attribute_converters),
        authn_contexts=[ref for ref, _authorities, _instant in response.authn_info() if ref],
    )


def _reason_for(exc: Exception) -> str:
    """pysaml2's error, as the reason the person and the log are given."""
    if isinstance(exc, UnsolicitedResponse):
        # Not an answer to a request this browser is waiting for: used already (back button,
        # a second submit), or taken from someone else.
        return "replay"
    if isinstance(exc, ResponseLifetimeExceed | ToEarly):
        return "expired"
    if isinstance(exc, MissingKey):
        # No signing key for the issuer: the metadata does not know it.
        return "unknown_issuer"
    if isinstance(exc, SigverError | IncorrectlySigned):
        return "invalid_signature"
    if isinstance(exc, StatusAuthnFailed | StatusRequestDenied):
        return "cancelled"
    # pysaml2 7.5 raises a plain Exception for a wrong audience (response.condition_ok);
    # test_saml's wrong-audience test notices if a later version says it otherwise.
    if "AudienceRestrictions" in str(exc):
        return "wrong_audience"
    return "protocol_error"


def _assertion_issuer(response: AuthnResponse) -> str:
    issuer = response.assertion.issuer
    return (issuer.text or "").strip() if issuer is not None else ""


def _expires_at(response: AuthnResponse) -> datetime:
    """When the assertion may no longer be used: the latest NotOnOrAfter it carries."""
    times = [
        sc.subject_confirmation_data.not_on_or_after
        for sc in response.assertion.subject.subject_confirmation
        if sc.method == SCM_BEARER and sc.subject_confirmation_data is not None
    ]
    if response.assertion.conditions is not None:
        times.append(response.assertion.conditions.not_on_or_after)
    stamps = [calendar.timegm(str_to_time(value)) for value in times if value]
    latest = (
        datetime.fromtimestamp(max(stamps), tz=UTC)
        if stamps
        else timezone.now() + timedelta(hours=1)
    )
    return latest + timedelta(seconds=settings.ELEVSTOD_SAML_CLOCK_SKEW_SECONDS)


def note_used(assertion: Assertion) -> None:
    """Remember the assertion until it expires; an assertion used before is a replay."""
    now = timezone.now()
    SamlAssertionSeen.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SamlAssertionSeen.objects.create(
                assertion_id=assertion.assertion_id, expires_at=assertion.expires_at
            )
    except IntegrityError as exc:
        raise federation.SignInRefusedError("replay") from exc


def linked_identity(
    attributes: dict[str, list[str]], converters: list[Any]
) -> tuple[str, str] | None:
    """The (ExternalIdentityKind, value) of the first configured attribute the answer carries."""
    received = {name.lower(): values for name, values in attributes.items()}
    for attribute, kind in settings.ELEVSTOD_SAML_IDENTITY_ATTRIBUTES:
        # An urn:oid: name arrives under pysaml2's friendly name when its maps know it.
        names = {attribute, get_local_name(converters, attribute, NAME_FORMAT_URI) or ""}
        for name in names - {""}:
            values = [v for v in received.get(name.lower(), []) if isinstance(v, str) and v]
            if values:
                return kind, values[0]
    return None


# ----------------------------------------------------------------------------- the views


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts=None, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _pending(request: HttpRequest) -> dict[str, str]:
    """The requests this browser is waiting for: request id → where to go afterwards."""
    value = request.get_signed_cookie(
        PENDING_COOKIE, default=None, salt=PENDING_SALT, max_age=PENDING_SECONDS
    )
    if not value:
        return {}
    try:
        pending = json.loads(value)
    except ValueError:
        return {}
    return pending if isinstance(pending, dict) else {}


def _forget_pending(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH, samesite="None")
    return response


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider with a (signed, when we have a key) AuthnRequest."""
    if not is_configured():
        raise Http404
    next_url = _safe_next(request, request.GET.get("next"))
    try:
        conf = sp_config()
        request_id, info = Saml2Client(config=conf).prepare_for_authenticate(
            entityid=idp_entity_id(conf), binding=BINDING_HTTP_REDIRECT
        )
        location = dict(info["headers"])["Location"]
    except Exception as exc:  # the provider's metadata is unreachable or unusable
        logger.warning("SAML sign-in could not start", extra={"error": type(exc).__name__})
        return federation.refuse(
            request, method=SignInMethod.SAML, reason="protocol_error", status=502
        )
    pending = _pending(request)
    pending[request_id] = next_url
    kept = dict(list(pending.items())[-PENDING_KEPT:])
    response = HttpResponseRedirect(location)
    response.set_signed_cookie(
        PENDING_COOKIE,
        json.dumps(kept),
        salt=PENDING_SALT,
        max_age=PENDING_SECONDS,
        path=PENDING_PATH,
        secure=True,
        httponly=True,
        # The provider's answer is a cross-site POST: a Lax cookie would stay behind.
        samesite="None",
    )
    return response


@csrf_exempt  # the provider posts from its own site; the answer is signed and bound to a request
@never_cache
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    """The provider's answer: verify, find the linked account, sign in or refuse."""
    if not is_configured():
        raise Http404
    pending = _pending(request)
    try:
        assertion = read_answer(request.POST.get("SAMLResponse", ""), list(pending))
        note_used(assertion)
        if assertion.identity is None:
            raise federation.SignInRefusedError("missing_attribute")
        user = federation.find_user(*assertion.identity)
        if user is None:
            raise federation.SignInRefusedError("unknown_user")
        if not user.is_active:
            raise federation.SignInRefusedError("inactive_user")
    except federation.SignInRefusedError as refusal:
        logger.info(
            "SAML answer refused",
            extra={"reason": refusal.reason, "error": type(refusal.__cause__).__name__},
        )
        return _forget_pending(
            federation.refuse(request, method=SignInMethod.SAML, reason=refusal.reason)
        )
    federation.complete_sign_in(
        request, user, method=SignInMethod.SAML, authn_contexts=assertion.authn_contexts
    )
    next_url = _safe_next(request, pending.get(assertion.request_id))
    return _forget_pending(
        HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    )


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """Our metadata for the provider: entity id, where to post answers, our certificate."""
    if not is_configured():
        raise Http404
    try:
        descriptor = entity_descriptor(SPConfig().load(_config_dict(with_idp=False)))
        _advertise_strong_algorithms_only(descriptor)
        xml = str(descriptor)
    except Exception as exc:  # e.g. our key or certificate file is missing
        logger.error("SAML metadata unavailable", extra={"error": type(exc).__name__})
        return HttpResponse("SAML metadata unavailable", status=503, content_type="text/plain")
    return HttpResponse(
        xml.encode("utf-8"), content_type="application/samlmetadata+xml; charset=utf-8"
    )


# pysaml2 lists every algorithm the local xmlsec1 knows (MD5, SHA-1, DSA too); the provider
# should choose among the strong ones only.
STRONG_ALGORITHMS = (
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
)


def _advertise_strong_algorithms_only(descriptor: Any) -> None:
    if descriptor.extensions is None:
        return
    descriptor.extensions.extension_elements = [
        element
        for element in descriptor.extensions.extension_elements
        if element.tag not in ("DigestMethod", "SigningMethod")
        or element.attributes.get("Algorithm") in STRONG_ALGORITHMS
    ]
