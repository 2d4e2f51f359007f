"""Sign-in, the enforced second factor, throttling and session time-outs (security.md P7)."""

import time
from base64 import b32encode

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from elevstod.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from tests.world import World


def _sign_in(client: Client, username: str, password: str = "demo") -> HttpResponse:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_is_swedish(client: Client) -> None:
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="sv"' in body
    assert "Användarnamn" in body
    assert "Lösenord" in body


def test_wrong_password_gives_swedish_message_and_keeps_username(
    world: World, client: Client
) -> None:
    response = _sign_in(client, "principal_a", "fel")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in body
    assert 'value="principal_a"' in body


def test_staff_without_device_must_enrol_before_seeing_anything(
    world: World, client: Client
) -> None:
    TOTPDevice.objects.filter(user=world.users["principal_a"]).delete()
    assert _sign_in(client, "principal_a").status_code == 302
    for path in (reverse("front:start"), reverse("front:pupil_list")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:otp_verify")
    assert client.get(reverse("accounts:otp_verify"))["Location"] == reverse("accounts:otp_setup")
    setup = client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=world.users["principal_a"], confirmed=False)
    assert b32encode(device.bin_key).decode() in setup.content.decode()
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "Koden stämmer inte" in wrong.content.decode()
    throttled = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "För många felaktiga koder" in throttled.content.decode()
    device.throttle_reset()
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post(reverse("accounts:otp_setup"), {"token": code})
    assert response.status_code == 302
    assert client.get(reverse("front:start")).status_code == 200


def test_staff_with_device_must_verify(world: World, client: Client) -> None:
    _sign_in(client, "mentor_a")
    assert client.get(reverse("front:start"))["Location"] == reverse("accounts:otp_verify")
    api = client.get("/api/v1/pupils/")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    device = world.devices["mentor_a"]
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    assert client.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 302
    assert client.get(reverse("front:start")).status_code == 200


def test_guardians_sign_in_without_staff_second_factor(world: World, client: Client) -> None:
    _sign_in(client, "guardian_x")
    assert client.get(reverse("front:start")).status_code == 200


def test_demo_mode_skips_second_factor(world: World, client: Client, settings: Settings) -> None:
    settings.ELEVSTOD_REQUIRE_SECOND_FACTOR = False
    settings.ELEVSTOD_DEMO_MODE = True
    _sign_in(client, "principal_a")
    response = client.get(reverse("front:start"))
    assert response.status_code == 200
    assert "Demoläge" in response.content.decode()


def test_repeated_failures_lock_the_account(
    world: World, client: Client, settings: Settings
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "teacher_a", "fel")
    response = _sign_in(client, "teacher_a", "demo")
    assert response.status_code == 429
    assert "tillfälligt låst" in response.content.decode()


def test_idle_session_is_ended(world: World, settings) -> None:
    client = world.client_for("guardian_x")
    session = client.session
    session[SESSION_SEEN] = time.time() - settings.ELEVSTOD_SESSION_IDLE_SECONDS - 5
    session[SESSION_STARTED] = time.time() - 100
    session.save()
    response = client.get(reverse("front:start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("front:start"))["Location"].startswith(reverse("accounts:login"))


def test_absolute_session_limit_ends_even_an_active_session(world: World, settings) -> None:
    client = world.client_for("guardian_x")
    session = client.session
    session[SESSION_SEEN] = time.time()
    session[SESSION_STARTED] = time.time() - settings.ELEVSTOD_SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    assert client.get(reverse("front:start"))["Location"] == reverse("accounts:login")


def test_logout_requires_post(world: World) -> None:
    client = world.client_for("guardian_x")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("front:start")).status_code == 302


def test_security_headers(world: World) -> None:
    response = world.client_for("guardian_x").get(reverse("front:start"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
