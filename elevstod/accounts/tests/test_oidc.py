"""OpenID Connect sign-in against a real provider (issue 11, decision 0020).

The provider is django-oauth-toolkit in its own process (tests/oidc_provider/), started once for
the module on a free port of 127.0.0.1 with its own SQLite file. Each sign-in goes the whole way:
Elevstöd's /oidc/authenticate/ (Django's test client) → the provider's authorize endpoint over
HTTP (httpx; the test names who signs in there) → the callback with the code (test client) →
Elevstöd's back channel to the provider's token, JWKS and userinfo endpoints (real HTTP).
The provider misbehaves only where a test asks it to (a "quirk", oidc_provider/people.py).
"""

import json
import logging
import os
import runpy
import selectors
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from elevstod.accounts import federation, oidc
from elevstod.accounts.models import ExternalIdentity, ExternalIdentityKind, SignInEvent, User
from tests.world import World

ROOT = Path(__file__).resolve().parents[3]
SETTINGS_FILE = str(ROOT / "config" / "settings" / "oidc.py")
CLIENT_ID = "elevstod-test"
CLIENT_SECRET = "the-shared-client-secret"
CALLBACK = "http://testserver/oidc/callback/"
EPPN = "eduperson_principal_name"
PERSONNUMMER = "https://id.oidc.se/claim/personalIdentityNumber"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


@dataclass(frozen=True)
class Provider:
    url: str

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    folder = tmp_path_factory.mktemp("oidc_provider")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "elevstod.accounts.tests.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "OIDC_PROVIDER_CLIENT_ID": CLIENT_ID,
        "OIDC_PROVIDER_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROVIDER_REDIRECT_URI": CALLBACK,
    }
    with (folder / "stderr.txt").open("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "elevstod.accounts.tests.oidc_provider.serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                ready = selector.select(timeout=60)
            line = process.stdout.readline() if ready else ""
            if not line.startswith("listening "):
                stderr.seek(0)
                pytest.fail(f"the test OIDC provider did not start:\n{stderr.read()}")
            yield Provider(url=f"http://127.0.0.1:{int(line.split()[1])}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()


@pytest.fixture
def configured(settings: Settings, provider: Provider) -> Settings:
    """Elevstöd configured as a municipality would be: the issuer, the client, discovery."""
    settings.ELEVSTOD_OIDC_ISSUER = provider.issuer
    settings.ELEVSTOD_OIDC_CLIENT_ID = CLIENT_ID
    settings.ELEVSTOD_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.ELEVSTOD_OIDC_ACR_VALUES = [LOA3]
    settings.ELEVSTOD_STRONG_AUTHN_CONTEXTS = [LOA3]
    settings.ELEVSTOD_REQUIRE_SECOND_FACTOR = True
    return settings


def person(claims: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """Someone at the provider: a fresh account there, these claims, perhaps a quirk."""
    return {"username": f"p-{uuid.uuid4().hex[:12]}", "claims": claims or {}, **extra}


def start(client: Client, **query: str) -> str:
    """Elevstöd's redirect to the provider's authorize endpoint."""
    response = client.get(reverse(oidc.SIGN_IN_URL_NAME), query)
    assert response.status_code == 302
    return str(response["Location"])


def at_provider(authorize_url: str, who: dict[str, Any]) -> str:
    """The provider signs the person in and sends the browser back with a code."""
    answer = httpx.get(authorize_url, headers={"X-Test-Person": json.dumps(who)})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    return location


def sign_in(client: Client, who: dict[str, Any], **query: str) -> HttpResponse:
    return client.get(at_provider(start(client, **query), who))


def link(user: User, kind: ExternalIdentityKind, value: str) -> None:
    """What the SS 12000 sync writes (normalised)."""
    ExternalIdentity.objects.create(user=user, kind=kind, value=federation.normalise(kind, value))


def last_event() -> SignInEvent:
    event = SignInEvent.objects.order_by("-id").first()
    assert event is not None
    return event


def assert_refused(
    response: HttpResponse, client: Client, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = response.content.decode()
    assert response.status_code == 403
    assert "Inloggningen godtogs inte" in body
    assert str(federation.REFUSALS[reason]) in body
    assert f"Felkod: {reason}" in body
    event = last_event()
    assert (event.method, event.allowed, event.reason, event.user) == ("oidc", False, reason, None)
    assert SESSION_KEY not in client.session
    # Nothing the provider said about the person reaches the log.
    for record in caplog.records:
        assert "skola.example.se" not in str(record.__dict__).lower()
        assert "19800101" not in str(record.__dict__)


# ----------------------------------------------------------------------------- signed in


def test_staff_member_signs_in_and_then_verifies_with_totp(
    world: World, configured: Settings, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mentor = world.users["mentor_a"]
    link(mentor, ExternalIdentityKind.EPPN, "mentor.a@skola.example.se")
    authorize = start(client)
    # We asked for the strong context; the provider authenticated the person at a lower one.
    assert authorize.startswith(f"{configured.ELEVSTOD_OIDC_ISSUER}/authorize/?")
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["acr_values"] == [LOA3]
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["scope"] == ["openid"]
    who = person({EPPN: "Mentor.A@Skola.example.se"}, acr=LOA2)
    response = client.get(at_provider(authorize, who))
    assert response.status_code == 302
    assert response["Location"] == reverse("front:start")
    assert client.session[SESSION_KEY] == str(mentor.pk)
    event = last_event()
    assert (event.method, event.allowed, event.user, event.strong_authentication) == (
        "oidc",
        True,
        mentor,
        False,
    )
    page = client.get(reverse("front:start"))
    assert page["Location"] == reverse("accounts:otp_verify")
    totp = client.get(page["Location"]).content.decode()
    assert "Skriv koden som visas i din autentiseringsapp." in totp
    for record in caplog.records:
        assert "skola.example.se" not in str(record.__dict__).lower()


def test_strong_authentication_at_the_provider_stands_in_for_totp(
    world: World, configured: Settings, client: Client, provider: Provider
) -> None:
    # Endpoints given in the settings: no discovery document is read.
    configured.ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize/"
    configured.ELEVSTOD_OIDC_TOKEN_ENDPOINT = f"{provider.issuer}/token/"
    configured.ELEVSTOD_OIDC_JWKS_URI = f"{provider.issuer}/.well-known/jwks.json"
    configured.ELEVSTOD_OIDC_TOKEN_AUTH_METHOD = "client_secret_post"
    mentor = world.users["mentor_a"]
    link(mentor, ExternalIdentityKind.EPPN, "mentor.a@skola.example.se")
    response = sign_in(client, person({EPPN: "mentor.a@skola.example.se"}, acr=LOA3))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(mentor.pk)
    assert last_event().strong_authentication is True
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Mina mentorselever" in page.content.decode()


def test_guardian_is_found_by_personnummer_from_userinfo(
    world: World, configured: Settings, client: Client
) -> None:
    guardian = world.users["guardian_x"]
    link(guardian, ExternalIdentityKind.CIVIC_NO, "198001011234")
    # The id_token names only `sub`; the personnummer comes from the userinfo endpoint.
    who = person({PERSONNUMMER: "19800101-1234"}, quirk="userinfo_only")
    response = sign_in(client, who)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(guardian.pk)
    event = last_event()
    assert (event.allowed, event.user, event.strong_authentication) == (True, guardian, False)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Mina barn" in page.content.decode()


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/elever/", "/elever/"),
        ("https://evil.example/elever/", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
    ],
)
def test_only_a_local_next_is_followed(
    world: World, configured: Settings, client: Client, asked: str, lands: str | None
) -> None:
    link(world.users["guardian_x"], ExternalIdentityKind.CIVIC_NO, "198001011234")
    response = sign_in(client, person({PERSONNUMMER: "198001011234"}), next=asked)
    assert response.status_code == 302
    assert response["Location"] == (lands or reverse("front:start"))


# ----------------------------------------------------------------------------- refused


@pytest.mark.parametrize("quirk", ["foreign_key", "tampered"])
def test_id_token_not_signed_by_the_provider_is_refused(
    world: World,
    configured: Settings,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    quirk: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    link(world.users["principal_a"], ExternalIdentityKind.EPPN, "rektor@skola.example.se")
    # Signed with another key under the provider's kid; or a stranger's token rewritten to
    # name the principal, keeping the provider's signature.
    who = person(
        {EPPN: "rektor@skola.example.se" if quirk == "foreign_key" else "okand@skola.example.se"},
        quirk=quirk,
        tampered_claims={EPPN: "rektor@skola.example.se"},
        acr=LOA3,
    )
    assert_refused(sign_in(client, who), client, "invalid_signature", caplog)


@pytest.mark.parametrize("quirk", ["audience", "audiences"])
def test_id_token_for_another_service_is_refused(
    world: World,
    configured: Settings,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    quirk: str,
) -> None:
    link(world.users["principal_a"], ExternalIdentityKind.EPPN, "rektor@skola.example.se")
    who = person({EPPN: "rektor@skola.example.se"}, quirk=quirk)
    assert_refused(sign_in(client, who), client, "wrong_audience", caplog)


def test_expired_id_token_is_refused(
    world: World, configured: Settings, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # The provider issues a token that expired ten minutes ago (beyond the clock-skew leeway).
    link(world.users["principal_a"], ExternalIdentityKind.EPPN, "rektor@skola.example.se")
    who = person({EPPN: "rektor@skola.example.se"}, quirk="expired")
    assert_refused(sign_in(client, who), client, "expired", caplog)


def test_callback_answered_twice_is_a_replay(
    world: World, configured: Settings, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    mentor = world.users["mentor_a"]
    link(mentor, ExternalIdentityKind.EPPN, "mentor.a@skola.example.se")
    callback = at_provider(start(client), person({EPPN: "mentor.a@skola.example.se"}, acr=LOA3))
    assert client.get(callback).status_code == 302
    again = client.get(callback)
    assert again.status_code == 403
    assert str(federation.REFUSALS["replay"]) in again.content.decode()
    assert [(e.allowed, e.reason) for e in SignInEvent.objects.order_by("id")] == [
        (True, ""),
        (False, "replay"),
    ]
    # An attacker's browser: a sign-in of its own, then the victim's code with its own state.
    attacker = Client()
    state = parse_qs(urlsplit(start(attacker)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    stolen = attacker.get(reverse("oidc:callback"), {"code": code, "state": state})
    assert_refused(stolen, attacker, "replay", caplog)


def test_a_state_this_browser_never_sent_is_refused(
    configured: Settings, client: Client, caplog: pytest.LogCaptureFixture, db: None
) -> None:
    response = client.get(reverse("oidc:callback"), {"code": "x", "state": "never-issued"})
    assert_refused(response, client, "protocol_error", caplog)


def test_cancelling_at_the_provider_is_refused_as_cancelled(
    configured: Settings, client: Client, caplog: pytest.LogCaptureFixture, db: None
) -> None:
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(reverse("oidc:callback"), {"error": "access_denied", "state": state})
    assert_refused(response, client, "cancelled", caplog)
    assert state not in client.session[oidc.SESSION_STATES]


def test_discovery_document_of_another_issuer_is_refused(
    configured: Settings, client: Client, caplog: pytest.LogCaptureFixture, db: None
) -> None:
    # The document at <issuer>/.well-known names the issuer without the trailing slash.
    configured.ELEVSTOD_OIDC_ISSUER = configured.ELEVSTOD_OIDC_ISSUER + "/"
    response = client.get(reverse("oidc:authenticate"))
    assert_refused(response, client, "unknown_issuer", caplog)


def test_provider_unreachable_on_the_back_channel_is_refused_not_an_error(
    configured: Settings,
    client: Client,
    provider: Provider,
    caplog: pytest.LogCaptureFixture,
    db: None,
) -> None:
    configured.ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize/"
    configured.ELEVSTOD_OIDC_TOKEN_ENDPOINT = "http://127.0.0.1:1/token/"  # nothing listens
    configured.ELEVSTOD_OIDC_JWKS_URI = f"{provider.issuer}/.well-known/jwks.json"
    response = sign_in(client, person({EPPN: "mentor.a@skola.example.se"}))
    assert_refused(response, client, "protocol_error", caplog)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({EPPN: "okand@skola.example.se"}, "unknown_user"),
        ({EPPN: "avstangd@skola.example.se"}, "inactive_user"),
        ({"name": "Utan identitet"}, "missing_attribute"),
    ],
)
def test_person_the_sync_does_not_know_is_refused(
    world: World,
    configured: Settings,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    claims: dict[str, str],
    reason: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    inactive = world.users["teacher_a_unrelated"]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    link(inactive, ExternalIdentityKind.EPPN, "avstangd@skola.example.se")
    users_before = User.objects.count()
    assert_refused(sign_in(client, person(claims, acr=LOA3)), client, reason, caplog)
    assert User.objects.count() == users_before  # never created


# ----------------------------------------------------------------------------- unconfigured


def test_unconfigured_oidc_is_off_and_the_login_page_unchanged(
    client: Client, settings: Settings, db: None
) -> None:
    assert settings.ELEVSTOD_OIDC_ISSUER == ""
    assert oidc.is_configured() is False
    assert client.get(reverse("oidc:authenticate")).status_code == 404
    assert client.get(reverse("oidc:callback"), {"code": "x", "state": "y"}).status_code == 404
    login = client.get(reverse("accounts:login"))
    assert login.status_code == 200
    assert "Användarnamn" in login.content.decode()
    assert reverse("oidc:authenticate") not in login.content.decode()
    assert not SignInEvent.objects.exists()


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ELEVSTOD_OIDC_"):
            monkeypatch.delenv(name)
    unset = runpy.run_path(SETTINGS_FILE)
    assert (unset["ELEVSTOD_OIDC_ISSUER"], unset["ELEVSTOD_OIDC_SIGN_ALGORITHM"]) == ("", "RS256")
    assert unset["ELEVSTOD_OIDC_IDENTITY_CLAIMS"] == [(EPPN, "eppn"), (PERSONNUMMER, "civic_no")]
    monkeypatch.setenv("ELEVSTOD_OIDC_ISSUER", "https://idp.kommun.example")
    monkeypatch.setenv("ELEVSTOD_OIDC_CLIENT_ID", "elevstod")
    monkeypatch.setenv("ELEVSTOD_OIDC_CLIENT_SECRET", "s")
    monkeypatch.setenv("ELEVSTOD_OIDC_ACR_VALUES", f"{LOA3}, {LOA2}")
    monkeypatch.setenv("ELEVSTOD_OIDC_IDENTITY_CLAIMS", "urn:oid:1.3.6.1.4.1.5923.1.1.1.6=eppn")
    read = runpy.run_path(SETTINGS_FILE)
    assert read["ELEVSTOD_OIDC_ACR_VALUES"] == [LOA3, LOA2]
    assert read["ELEVSTOD_OIDC_IDENTITY_CLAIMS"] == [("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eppn")]
    monkeypatch.setenv("ELEVSTOD_OIDC_IDENTITY_CLAIMS", "sub=username")
    with pytest.raises(ImproperlyConfigured):
        runpy.run_path(SETTINGS_FILE)
    monkeypatch.delenv("ELEVSTOD_OIDC_IDENTITY_CLAIMS")
    monkeypatch.delenv("ELEVSTOD_OIDC_CLIENT_SECRET")  # half a configuration fails at start-up
    with pytest.raises(ImproperlyConfigured):
        runpy.run_path(SETTINGS_FILE)
