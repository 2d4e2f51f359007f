"""SAML 2.0 sign-in against a real pysaml2 identity provider on 127.0.0.1 (issue 11).

The browser's walk: /saml2/login/ → the provider's SSO endpoint (HTTP-Redirect) → the provider
signs the test user in → its signed answer is posted to /saml2/acs/. The SP side runs through
Django's test client, the provider side over HTTP. Keys for both are made once per module.
"""

import base64
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django.fixtures import Settings
from saml2.md import entity_descriptor_from_string
from saml2.validate import valid_instance

from elevstod.accounts import saml
from elevstod.accounts.models import (
    ExternalIdentity,
    ExternalIdentityKind,
    SamlAssertionSeen,
    SignInEvent,
    User,
)
from elevstod.accounts.tests.saml_idp import (
    PASSWORD,
    TestIdentityProvider,
    make_key_pair,
    posted_form,
)
from tests.scoped_data import kept_for_scope
from tests.world import World, build_world

XMLSEC = shutil.which("xmlsec1")
if XMLSEC is None:
    if os.environ.get("ELEVSTOD_REQUIRE_XMLSEC") == "1":
        pytest.fail("xmlsec1 is required (ELEVSTOD_REQUIRE_XMLSEC=1)", pytrace=False)
    pytest.skip("xmlsec1 is not installed (Debian: apt install xmlsec1)", allow_module_level=True)

SITE = "https://elevstod.example.se"
STRONG = "http://id.elegnamnden.se/loa/1.0/loa3"
STAFF_EPPN = "Mentor.A@Skola.Example.se"
GUARDIAN_PERSONNUMMER = "19800101-2385"


def user(world: World, persona: str) -> User:
    return cast(User, world.users[persona])


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestIdentityProvider]:
    directory: Path = tmp_path_factory.mktemp("saml")
    sp_key, sp_cert = make_key_pair(directory, "sp")
    provider = TestIdentityProvider(directory, xmlsec_binary=str(XMLSEC))
    provider.users = {
        "mentor": {"eduPersonPrincipalName": [STAFF_EPPN]},
        "principal": {"eduPersonPrincipalName": ["principal.a@skola.example.se"]},
        "teacher_b": {"eduPersonPrincipalName": ["teacher.b@skola.example.se"]},
        "guardian": {"personalIdentityNumber": [GUARDIAN_PERSONNUMMER]},
        "stranger": {"eduPersonPrincipalName": ["okand@skola.example.se"]},
        "nameless": {"displayName": ["Utan Identitet"]},
    }
    with override_settings(
        ELEVSTOD_SITE_URL=SITE,
        ELEVSTOD_SAML_IDP_METADATA_URL=provider.metadata_url,
        ELEVSTOD_SAML_SP_KEY_FILE=str(sp_key),
        ELEVSTOD_SAML_SP_CERT_FILE=str(sp_cert),
        ELEVSTOD_SAML_XMLSEC_BINARY=XMLSEC,
        ELEVSTOD_STRONG_AUTHN_CONTEXTS=[STRONG],
        ELEVSTOD_REQUIRE_SECOND_FACTOR=True,
    ):
        # The provider learns about us from the metadata we publish, as a real one would.
        provider.start(Client().get("/saml2/metadata/").content.decode())
        yield provider
        provider.stop()


@pytest.fixture(scope="module")
def linked(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """The world's people, with the identities the SS 12000 sync would have written."""
    with kept_for_scope(django_db_blocker):
        world = build_world()
        for persona, kind, value in (
            ("mentor_a", ExternalIdentityKind.EPPN, "mentor.a@skola.example.se"),
            ("principal_a", ExternalIdentityKind.EPPN, "principal.a@skola.example.se"),
            ("teacher_b", ExternalIdentityKind.EPPN, "teacher.b@skola.example.se"),
            ("guardian_x", ExternalIdentityKind.CIVIC_NO, "198001012385"),
        ):
            ExternalIdentity.objects.create(user=user(world, persona), kind=kind, value=value)
        yield world


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def answer_from_idp(
    client: Client,
    idp: TestIdentityProvider,
    browser: httpx.Client,
    person: str,
    next_url: str = "",
    **scenario: str,
) -> dict[str, str]:
    """Start sign-in at Elevstöd, sign in at the provider, return the form it posts back."""
    start = client.get(reverse(saml.LOGIN_URL_NAME), {"next": next_url} if next_url else {})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{idp.base_url}/idp/sso?SAMLRequest=")
    assert (
        "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
        in (start["Location"])
    )
    sign_in_page = browser.get(start["Location"])
    assert sign_in_page.status_code == 200, sign_in_page.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', sign_in_page.text)
    assert ticket
    answer = browser.post(
        f"{idp.base_url}/idp/approve", data={"ticket": ticket.group(1), "user": person, **scenario}
    )
    assert answer.status_code == 200, answer.text
    action, fields = posted_form(answer.text)
    assert action == f"{SITE}/saml2/acs/"
    return fields


def assert_refused(response, reason: str, text: str) -> None:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    assert response.status_code == 403
    assert "Inloggningen godtogs inte" in body
    assert text in body
    assert f"Felkod: {reason}" in body
    event = SignInEvent.objects.get()
    assert (event.method, event.allowed, event.reason, event.user) == ("saml", False, reason, None)
    assert SESSION_KEY not in response.wsgi_request.session
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_staff_signs_in_and_verifies_with_totp_without_strong_context(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(client, idp, browser, "mentor", authn_context=PASSWORD)
    assert b"xmldsig-more#rsa-sha256" in base64.b64decode(fields["SAMLResponse"])
    response = client.post("/saml2/acs/", fields)
    assert response.status_code == 302
    assert response["Location"] == reverse("front:start")
    event = SignInEvent.objects.get()
    assert (event.allowed, event.user, event.strong_authentication) == (
        True,
        linked.users["mentor_a"],
        False,
    )
    assert client.session[SESSION_KEY] == str(user(linked, "mentor_a").pk)
    # No strong authentication at the provider: the second factor is still TOTP.
    assert client.get(reverse("front:start"))["Location"] == reverse("accounts:otp_verify")
    assert client.get(reverse("accounts:otp_verify")).status_code == 200


@pytest.mark.django_db
def test_strong_authentication_at_the_provider_replaces_totp_and_keeps_next(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    next_url = reverse("front:pupil_list")
    fields = answer_from_idp(
        client, idp, browser, "principal", next_url=next_url, authn_context=STRONG
    )
    response = client.post("/saml2/acs/", fields)
    assert response.status_code == 302
    assert response["Location"] == next_url
    event = SignInEvent.objects.get()
    assert (event.allowed, event.user, event.strong_authentication) == (
        True,
        linked.users["principal_a"],
        True,
    )
    start = client.get(reverse("front:start"))
    assert start.status_code == 200
    assert client.get(next_url).status_code == 200


@pytest.mark.django_db
def test_next_elsewhere_is_not_followed(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(
        client, idp, browser, "principal", next_url="https://evil.example/", authn_context=STRONG
    )
    response = client.post("/saml2/acs/", fields)
    assert response["Location"] == reverse("front:start")


@pytest.mark.django_db
def test_guardian_signs_in_by_personnummer_and_nothing_personal_is_logged(
    idp: TestIdentityProvider,
    linked: World,
    browser: httpx.Client,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # The provider encrypts the assertion for our key, as one carrying a personnummer should.
    fields = answer_from_idp(client, idp, browser, "guardian", encrypt="1")
    sent = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in sent
    assert "19800101" not in sent
    response = client.post("/saml2/acs/", fields)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user(linked, "guardian_x").pk)
    event = SignInEvent.objects.get()
    assert (event.allowed, event.user) == (True, linked.users["guardian_x"])
    # Guardians are not asked for a second factor.
    assert client.get(reverse("front:start")).status_code == 200
    assert "19800101" not in caplog.text
    assert "2385" not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("sign", ["none", "response_only", "impostor"])
def test_unsigned_or_forged_answer_is_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client, sign: str
) -> None:
    fields = answer_from_idp(client, idp, browser, "mentor", sign=sign)
    response = client.post("/saml2/acs/", fields)
    assert_refused(response, "invalid_signature", "inte korrekt signerat")


@pytest.mark.django_db
def test_answer_for_another_service_is_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(
        client, idp, browser, "mentor", audience="https://annan-tjanst.example.se/saml2/"
    )
    response = client.post("/saml2/acs/", fields)
    assert_refused(response, "wrong_audience", "avsett för en annan tjänst")


@pytest.mark.django_db
def test_assertion_for_another_recipient_is_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(
        client, idp, browser, "mentor", recipient="https://annan-tjanst.example.se/acs/"
    )
    response = client.post("/saml2/acs/", fields)
    assert_refused(response, "protocol_error", "kunde inte slutföras")


@pytest.mark.django_db
def test_unreachable_provider_metadata_is_refused_without_error(
    idp: TestIdentityProvider, client: Client, settings: Settings
) -> None:
    settings.ELEVSTOD_SAML_IDP_METADATA_URL = f"{idp.base_url}/idp/no-such-metadata"
    response = client.get(reverse(saml.LOGIN_URL_NAME))
    assert response.status_code == 502
    assert "kunde inte slutföras" in response.content.decode()
    event = SignInEvent.objects.get()
    assert (event.allowed, event.reason) == (False, "protocol_error")


@pytest.mark.django_db
def test_expired_answer_is_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(client, idp, browser, "mentor", expired="1")
    response = client.post("/saml2/acs/", fields)
    assert_refused(response, "expired", "har gått ut")


@pytest.mark.django_db
def test_answer_from_an_unknown_issuer_is_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(
        client, idp, browser, "mentor", issuer="https://annan-idp.example.se/idp"
    )
    response = client.post("/saml2/acs/", fields)
    assert_refused(response, "unknown_issuer", "inte litar på")


@pytest.mark.django_db
def test_replayed_answer_is_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(client, idp, browser, "mentor", authn_context=STRONG)
    pending_cookie = client.cookies[saml.PENDING_COOKIE].value
    assert client.post("/saml2/acs/", fields).status_code == 302
    assert SamlAssertionSeen.objects.count() == 1
    SignInEvent.objects.all().delete()

    # Someone who copied the whole POST, the request's cookie included, from another browser.
    thief = Client()
    thief.cookies[saml.PENDING_COOKIE] = pending_cookie
    assert_refused(thief.post("/saml2/acs/", fields), "replay", "har redan använts")
    SignInEvent.objects.all().delete()

    # The same browser sending it again (back button): its request was answered already.
    client.logout()
    assert_refused(client.post("/saml2/acs/", fields), "replay", "har redan använts")


@pytest.mark.django_db
def test_cancelled_at_the_provider(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(client, idp, browser, "mentor", cancel="1")
    assert_refused(client.post("/saml2/acs/", fields), "cancelled", "Inloggningen avbröts")


@pytest.mark.django_db
def test_unknown_person_gets_no_access(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    fields = answer_from_idp(client, idp, browser, "stranger")
    response = client.post("/saml2/acs/", fields)
    assert_refused(response, "unknown_user", "Du finns inte bland")
    assert client.get(reverse("front:start"))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_inactive_account_and_missing_attribute_are_refused(
    idp: TestIdentityProvider, linked: World, browser: httpx.Client, client: Client
) -> None:
    teacher = user(linked, "teacher_b")
    teacher.is_active = False
    teacher.save()
    fields = answer_from_idp(client, idp, browser, "teacher_b")
    assert_refused(client.post("/saml2/acs/", fields), "inactive_user", "avstängt")
    SignInEvent.objects.all().delete()

    fields = answer_from_idp(client, idp, browser, "nameless")
    assert_refused(client.post("/saml2/acs/", fields), "missing_attribute", "skickade inte")


@pytest.mark.django_db
def test_post_without_an_answer_is_a_protocol_error(
    idp: TestIdentityProvider, client: Client
) -> None:
    response = client.post("/saml2/acs/", {"SAMLResponse": "PHA+aW50ZSBTQU1MPC9wPg=="})
    assert_refused(response, "protocol_error", "kunde inte slutföras")


def test_metadata_describes_elevstod_as_service_provider(
    idp: TestIdentityProvider, client: Client
) -> None:
    response = client.get("/saml2/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    descriptor = entity_descriptor_from_string(response.content.decode())
    assert valid_instance(descriptor)
    assert descriptor.entity_id == f"{SITE}/saml2/metadata/"
    sp = descriptor.spsso_descriptor[0]
    assert sp.want_assertions_signed == "true"
    assert sp.authn_requests_signed == "true"
    consumers = [(acs.location, acs.binding) for acs in sp.assertion_consumer_service]
    assert consumers == [(f"{SITE}/saml2/acs/", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")]
    assert {key.use for key in sp.key_descriptor} == {"signing", "encryption"}
    advertised = {
        element.attributes["Algorithm"] for element in descriptor.extensions.extension_elements
    }
    assert "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" in advertised
    assert advertised <= set(saml.STRONG_ALGORITHMS)


@pytest.mark.django_db
def test_login_page_offers_the_municipality_sign_in(
    idp: TestIdentityProvider, client: Client
) -> None:
    page = client.get(reverse("accounts:login"), {"next": "/elever/"}).content.decode()
    assert 'href="/saml2/login/?next=/elever/"' in page


@pytest.mark.django_db
def test_unconfigured_saml_is_off_and_touches_nothing(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ELEVSTOD_SAML_IDP_METADATA_URL = ""
    settings.ELEVSTOD_SAML_IDP_METADATA_FILE = ""

    def no_network() -> None:
        raise AssertionError("SAML must not load anything when it is off")

    monkeypatch.setattr(saml, "sp_config", no_network)
    assert not saml.is_configured()
    assert client.get("/saml2/login/").status_code == 404
    assert client.post("/saml2/acs/", {"SAMLResponse": "x"}).status_code == 404
    assert client.get("/saml2/metadata/").status_code == 404
    login_page = client.get(reverse("accounts:login"))
    assert login_page.status_code == 200
    assert "Användarnamn" in login_page.content.decode()
    assert "/saml2/" not in login_page.content.decode()
    assert not SignInEvent.objects.exists()
