"""Sign-in throttling keys on the real client address (issue 10, item 14): without a trusted
proxy X-Forwarded-For is ignored, so a client cannot choose its address; behind a trusted proxy
the forwarded address counts, so users behind it do not lock each other out."""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from elevstod.accounts.client_ip import check_trusted_proxies, client_address_from
from tests.factories import UserFactory

PROXY = "10.0.0.5"


def _sign_in(username: str, password: str, *, forwarded: str | None = None) -> HttpResponse:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    client = Client(REMOTE_ADDR=PROXY)
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, headers=headers
    )


def _storm(settings: Settings, username: str, *, forwarded: str | None = None) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(username, "fel", forwarded=forwarded)


@pytest.mark.parametrize(
    ("remote", "header", "count", "proxies", "client"),
    [
        # No trusted proxy: the header is the client's own words.
        ("198.51.100.7", "203.0.113.9", 0, (), "198.51.100.7"),
        # One proxy: the address it appended, whatever the client wrote to its left.
        (PROXY, "6.6.6.6, 203.0.113.9", 1, (), "203.0.113.9"),
        (PROXY, "", 1, (), PROXY),  # not through the proxy after all
        # Two proxies: the address the first one appended.
        (PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.4", 2, (), "203.0.113.9"),
        # Named proxies: right to left past them; from elsewhere the header is ignored.
        (PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.4", 0, ("10.0.0.0/24",), "203.0.113.9"),
        ("198.51.100.7", "203.0.113.9", 0, ("10.0.0.0/24",), "198.51.100.7"),
        (PROXY, "not-an-address", 1, (), PROXY),
        (PROXY, "2001:db8::1", 1, (), "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_only_from_trusted_proxies(
    remote: str, header: str, count: int, proxies: tuple[str, ...], client: str
) -> None:
    assert client_address_from(remote, header, proxy_count=count, proxies=proxies) == client


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forwarded_header_cannot_dodge_the_lock(
    settings: Settings,
) -> None:
    UserFactory(username="anna")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A new made-up address each time: ignored, so the failures add up.
        _sign_in("anna", "fel", forwarded=f"203.0.113.{n}")
    assert _sign_in("anna", "demo", forwarded="198.51.100.99").status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_users_do_not_lock_each_other_out(settings: Settings) -> None:
    settings.ELEVSTOD_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="anna")
    UserFactory(username="bertil")
    _storm(settings, "anna", forwarded="203.0.113.1")
    assert _sign_in("anna", "demo", forwarded="203.0.113.1").status_code == 429
    # Another user behind the same proxy, from another address: not locked.
    assert _sign_in("bertil", "demo", forwarded="203.0.113.2").status_code == 302
    # Nor anna herself from another address behind the proxy: a storm from one client does
    # not lock her out (without the setting every client is the proxy's one address).
    assert _sign_in("anna", "demo", forwarded="203.0.113.2").status_code == 302


@pytest.mark.django_db
def test_without_the_proxy_setting_a_storm_behind_the_proxy_locks_the_user_out_everywhere(
    settings: Settings,
) -> None:
    """What the setting is for: behind the proxy without it, one address is everyone's."""
    UserFactory(username="anna")
    _storm(settings, "anna", forwarded="203.0.113.1")
    assert _sign_in("anna", "demo", forwarded="203.0.113.2").status_code == 429


@pytest.mark.django_db
def test_a_failure_storm_from_one_address_does_not_lock_the_user_out_elsewhere(
    settings: Settings,
) -> None:
    settings.ELEVSTOD_TRUSTED_PROXIES = ["10.0.0.0/24"]
    UserFactory(username="anna")
    _storm(settings, "anna", forwarded="6.6.6.6")
    assert _sign_in("anna", "demo", forwarded="6.6.6.6").status_code == 429
    assert _sign_in("anna", "demo", forwarded="203.0.113.1").status_code == 302


def test_a_wrong_proxy_setting_stops_the_start(settings: Settings) -> None:
    settings.ELEVSTOD_TRUSTED_PROXIES = ["proxy.kommun.se"]
    settings.ELEVSTOD_TRUSTED_PROXY_COUNT = -1
    assert {e.id for e in check_trusted_proxies()} == {
        "accounts.E001",
        "accounts.E002",
        "accounts.E003",
    }
