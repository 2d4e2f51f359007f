"""The login page offers the municipality's identity providers, and the password form only
while ELEVSTOD_PASSWORD_SIGN_IN is on (decision 0020)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OIDC = {
    "ELEVSTOD_OIDC_ISSUER": "https://idp.example.se",
    "ELEVSTOD_OIDC_CLIENT_ID": "elevstod",
    "ELEVSTOD_OIDC_CLIENT_SECRET": "secret",
}


def test_without_an_identity_provider_the_page_is_the_password_form() -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert 'name="password"' in html
    assert "/oidc/" not in html
    assert "/saml2/" not in html


def test_a_configured_provider_is_offered_beside_the_password_form() -> None:
    with override_settings(**OIDC):
        html = Client().get("/accounts/login/?next=/elever/").content.decode()
    assert "Logga in med e-legitimation" in html
    assert 'href="/oidc/authenticate/?next=/elever/"' in html
    assert 'name="password"' in html


def test_with_passwords_off_the_page_offers_the_provider_only_and_refuses_a_password() -> None:
    user = UserFactory(username="lokal")
    user.set_password("ett-långt-lösenord-123")
    user.save()
    with override_settings(ELEVSTOD_PASSWORD_SIGN_IN=False, **OIDC):
        client = Client()
        html = client.get("/accounts/login/").content.decode()
        posted = client.post(
            "/accounts/login/", {"username": "lokal", "password": "ett-långt-lösenord-123"}
        )
    assert 'name="password"' not in html
    assert "Logga in med e-legitimation" in html
    assert posted.status_code == 404
    assert "_auth_user_id" not in client.session


def test_with_nothing_configured_at_all_the_page_says_so() -> None:
    with override_settings(ELEVSTOD_PASSWORD_SIGN_IN=False):
        html = Client().get("/accounts/login/").content.decode()
    assert "Ingen inloggning är konfigurerad" in html
