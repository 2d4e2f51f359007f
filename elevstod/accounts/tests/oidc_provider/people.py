"""Who signs in at the test provider, and what it says about them.

A test names the person in the header X-Test-Person (JSON) of its authorization request:
`{"username": ..., "claims": {...}, "acr": ..., "quirk": ...}`. The provider signs that person in
and, since its client skips consent, answers at once with a code. Everything else is
django-oauth-toolkit as it is: the code for tokens over the back channel, the id_token signed
with the provider's key (its kid in the JWKS), the userinfo endpoint.

A quirk makes the provider misbehave the way a test needs, each in one place below:
- "userinfo_only": the person's claims are in the userinfo answer, not in the id_token;
- "expired": the id_token expired ten minutes ago;
- "audience": the id_token is for another service; "audiences": for us and another, no azp;
- "foreign_key": the id_token is signed with a key not in the JWKS (under the real kid);
- "tampered": the id_token's claims are changed after signing (the signature is the real one).
"""

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

# The people the tests have signed in, by username (one process, one module's tests).
PEOPLE: dict[str, dict[str, Any]] = {}
FOREIGN_KEY = jwk.JWK.generate(kty="RSA", size=2048)


class TestPersonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        raw = request.headers.get("X-Test-Person")
        if raw and request.path.endswith("/authorize/"):
            person = json.loads(raw)
            user, _created = get_user_model().objects.get_or_create(username=person["username"])
            PEOPLE[user.username] = person
            request.user = user
        return self.get_response(request)


def _person(request: Any) -> dict[str, Any]:
    return PEOPLE.get(request.user.username, {})


class TestPersonValidator(OAuth2Validator):
    # Every claim the person has, whatever the scope (the tests choose the claims).
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return dict(_person(request).get("claims", {}))

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expires = super().get_id_token_dictionary(token, token_handler, request)
        person = _person(request)
        quirk = person.get("quirk")
        if person.get("acr"):
            claims["acr"] = person["acr"]
        if quirk == "userinfo_only":
            for name in person.get("claims", {}):
                claims.pop(name, None)
        elif quirk == "expired":
            now = int(time.time())
            claims.update(iat=now - 900, exp=now - 600)
        elif quirk == "audience":
            claims["aud"] = "another-service"
        elif quirk == "audiences":
            claims["aud"] = [request.client_id, "another-service"]
        return claims, expires

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> str:
        signed: str = super().finalize_id_token(id_token, token, token_handler, request)
        quirk = _person(request).get("quirk")
        header, payload, signature = signed.split(".")
        if quirk == "foreign_key":
            forged = jwt.JWT(header=_decode(header), claims=_decode(payload))
            forged.make_signed_token(FOREIGN_KEY)
            return str(forged.serialize())
        if quirk == "tampered":
            claims = json.loads(_decode(payload))
            claims.update(_person(request).get("tampered_claims", {}))
            return ".".join([header, _encode(json.dumps(claims)), signature])
        return signed


def _decode(part: str) -> str:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
